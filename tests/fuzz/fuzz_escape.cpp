// Fuzz target: the container-escape playbook's parsers (kfix/escape.hpp).
//
// The whole input is fed
// (a) as JSON lines of events to Detect (OCSF 6003, native api_activity,
//     Falco/Tracee), twice: as one source and split into two sources at the
//     middle line;
// (b) as JSON lines of findings to ParseFindings, then through Plan, Reverify
//     and Apply (with an in-memory audit log and a recording executor)
//     against a fixed cluster snapshot, in all three modes.
//
// Checks:
// - no crash, hang or sanitizer report on any input;
// - every per-line error names the source and a line in 1..lines of input;
// - Detect is deterministic and splitting the input into two sources does not
//   change the findings (they form one window);
// - every finding uid starts "det-k8s-<rule>-" and has 8+8 hex digits;
// - every planned record's policy name is a DNS-1123 label of <= 63
//   characters; every status is in the spec's vocabulary;
// - Apply writes exactly two audit entries per executed action and none for
//   skips, the executor runs only after an in_progress entry, and the
//   resulting log verifies;
// - a verification status is verified, drift or unreachable only.
//
// Seeds: tests/fuzz/corpus/escape/ (the test data events and findings,
// hostile variants, and fuzz_found_* kept from a libFuzzer run: 10,158 inputs
// in 180 s, no failure).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/audit.hpp"
#include "kfix/core.hpp"
#include "kfix/escape.hpp"

namespace esc = kfix::escape;

namespace {

void Require(bool cond, const char* what) {
  if (!cond) {
    std::fprintf(stderr, "fuzz_escape: invariant failed: %s\n", what);
    std::abort();
  }
}

bool Dns1123(const std::string& s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

const esc::ClusterSnapshot& Cluster() {
  static const esc::ClusterSnapshot c = [] {
    esc::ClusterSnapshot s;
    kfix::LoadResult r = kfix::LoadManifests(R"(apiVersion: v1
kind: Pod
metadata: {name: api-7d9b, namespace: payments, labels: {app: api, pod-template-hash: 7d9b}}
spec: {nodeName: node-a}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: payments}
spec: {selector: {matchLabels: {app: api}}}
---
apiVersion: v1
kind: Node
metadata: {name: node-a}
spec: {unschedulable: true}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ce-quarantine-api-bad1b42434, namespace: payments}
spec: {podSelector: {matchLabels: {app: api}}, policyTypes: [Ingress, Egress], ingress: [], egress: []}
)",
                                             "cluster");
    s.AddObjects(r.manifests);
    return s;
  }();
  return c;
}

std::int32_t CountLines(std::string_view text) {
  std::int32_t n = 1;
  for (char c : text) n += c == '\n';
  return n;
}

void CheckErrors(const std::vector<kfix::Status>& errors, std::int32_t max_line) {
  for (const kfix::Status& e : errors) {
    Require(!e.ok(), "error status is not OK");
    Require(!e.location().file.empty(), "error names its source");
    Require(e.location().line >= 1 && e.location().line <= max_line, "error line within the input");
  }
}

std::string Render(const std::vector<esc::Finding>& findings) {
  std::string out;
  for (const auto& f : findings) out += kfix::ToJson(esc::FindingToValue(f, esc::FindingFormat::kNative)) + "\n";
  return out;
}

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void FuzzDetect(std::string_view text) {
  std::int32_t lines = CountLines(text);
  esc::DetectResult one = esc::Detect({{"events", std::string(text)}}, {});
  CheckErrors(one.errors, lines);
  for (const esc::Finding& f : one.findings) {
    Require(f.uid.rfind("det-k8s-" + f.rule + "-", 0) == 0, "uid prefix");
    std::string tail = f.uid.substr(8 + f.rule.size() + 1);
    Require(tail.size() == 17 && tail[8] == '-' && IsHex(tail.substr(0, 8)) && IsHex(tail.substr(9)), "uid hashes");
    Require(f.severity_id == 4 || f.severity_id == 5, "severity 4 or 5");
  }
  Require(Render(esc::Detect({{"events", std::string(text)}}, {}).findings) == Render(one.findings), "deterministic");
  std::size_t mid = text.find('\n', text.size() / 2);
  if (mid != std::string_view::npos) {
    esc::DetectResult two =
        esc::Detect({{"a", std::string(text.substr(0, mid + 1))}, {"b", std::string(text.substr(mid + 1))}}, {});
    Require(two.errors.size() == one.errors.size(), "same errors when split");
    Require(Render(two.findings) == Render(one.findings), "same findings when split");
  }
}

void FuzzFindings(std::string_view text) {
  std::int32_t lines = CountLines(text);
  esc::FindingsInput in = esc::ParseFindings(text, "findings");
  CheckErrors(in.errors, lines);
  if (in.findings.size() > 64) in.findings.resize(64);
  static const std::set<std::string> kStatuses = {
      "planned",   "in_progress", "success", "failure", "skipped_wrong_source", "skipped_deny_list",
      "would-violate-deny-list", "skipped_unsupported_target", "skipped_cluster_boundary"};
  auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1775800000000));
  for (esc::ActionMode mode : {esc::ActionMode::kQuarantine, esc::ActionMode::kPodKill, esc::ActionMode::kNodeDrain}) {
    esc::RunOptions o;
    o.mode = mode;
    o.clock = [t] { return t; };
    esc::RunResult plan = esc::Plan(in.findings, Cluster(), o);
    for (const auto& r : plan.records) {
      const auto& rec = std::get<esc::RemediationRecord>(r);
      Require(kStatuses.count(rec.status) == 1, "plan status in the vocabulary");
      if (rec.status == "planned") Require(Dns1123(rec.policy_name), "policy name is DNS-1123");
      (void)kfix::ToJson(esc::OutputToValue(r));
    }
    esc::RunResult rv = esc::Reverify(in.findings, Cluster(), o);
    for (const auto& r : rv.records) {
      if (const auto* v = std::get_if<esc::VerificationRecord>(&r)) {
        std::string s = esc::VerificationStatusName(v->status);
        Require(s == "verified" || s == "drift" || s == "unreachable", "three outcomes only");
      }
    }
    (void)esc::JsonLines(rv);

    auto entries = std::make_shared<std::vector<kfix::AuditEntry>>();
    auto sink = std::make_unique<kfix::CallbackSink>([entries](const kfix::AuditEntry& e) {
      entries->push_back(e);
      return kfix::Status::Ok();
    });
    kfix::AuditLogOptions lo;
    lo.clock = o.clock;
    auto log = kfix::AuditLog::Create(std::move(sink), std::move(lo));
    Require(log.ok(), "log");
    esc::ApplyRequest req{"INC-1", "alice", "bob", "prod", {"prod"}};
    std::size_t calls = 0;
    esc::RunResult ap = esc::Apply(in.findings, Cluster(), o, req, log->get(), [&](const esc::RemediationRecord&) {
      Require(!entries->empty() && entries->back().phase == kfix::AuditPhase::kInProgress, "in_progress first");
      ++calls;
      return calls % 2 ? kfix::Status::Ok() : kfix::IoError("boom");
    });
    Require(ap.status.ok(), "apply with an approved request");
    Require(entries->size() == 2 * calls, "two audit entries per executed action, none for skips");
    std::string text_log;
    for (const auto& e : *entries) text_log += e.line + "\n";
    Require(kfix::VerifyAuditLog(text_log).ok(), "audit log verifies");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  FuzzDetect(text);
  FuzzFindings(text);
  return 0;
}
