// The container-escape playbook (kfix/escape.hpp): the spec vectors and
// golden fixtures of playbooks.md §3.9, every gate refusing in order, the
// two-phase audit, re-verification outcomes, hostile input and the forensic
// bundle layout.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kfix/audit.hpp"
#include "kfix/core.hpp"
#include "kfix/escape.hpp"

namespace esc = kfix::escape;

namespace {

std::string Data(const std::string& name) {
  std::ifstream in(std::string(KFIX_SOURCE_DIR) + "/tests/data/escape/" + name, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr std::int64_t kNowMs = 1775800000000;

kfix::AuditClock FixedClock(std::int64_t ms = kNowMs) {
  auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
  return [t] { return t; };
}

// A clock that advances 250 ms per reading (distinct action_at values).
kfix::AuditClock SteppingClock() {
  auto n = std::make_shared<std::int64_t>(kNowMs);
  return [n] {
    auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(*n));
    *n += 250;
    return t;
  };
}

esc::ClusterSnapshot FakeCluster() {
  esc::ClusterSnapshot c;
  kfix::LoadResult r = kfix::LoadManifests(Data("cluster.yaml"), "cluster.yaml");
  REQUIRE(r.errors.empty());
  c.AddObjects(r.manifests);
  return c;
}

void AddYaml(esc::ClusterSnapshot& c, const std::string& yaml) {
  kfix::LoadResult r = kfix::LoadManifests(yaml, "extra.yaml");
  REQUIRE(r.errors.empty());
  c.AddObjects(r.manifests);
}

std::vector<esc::InputFinding> Findings(const std::string& file) {
  esc::FindingsInput in = esc::ParseFindings(Data(file), file);
  REQUIRE(in.errors.empty());
  return in.findings;
}

esc::InputFinding MakeFinding(const std::string& ns, const std::string& pod, const std::string& type = "",
                              const std::string& name = "") {
  esc::InputFinding f;
  f.producer = esc::kDetectorSkill;
  f.finding_uid = "det-test";
  f.where.file = "test";
  f.where.line = 1;
  f.observables["namespace"] = ns;
  if (!pod.empty()) f.observables["pod.name"] = pod;
  if (!type.empty()) f.observables["resource.type"] = type;
  if (!name.empty()) f.observables["resource.name"] = name;
  return f;
}

esc::RunOptions Options(esc::ActionMode mode = esc::ActionMode::kQuarantine) {
  esc::RunOptions o;
  o.mode = mode;
  o.clock = FixedClock();
  return o;
}

esc::ApplyRequest Approved() {
  esc::ApplyRequest r;
  r.incident_id = "INC-42";
  r.approver = "alice";
  r.second_approver = "bob";
  r.cluster_name = "prod-eu";
  r.allowed_clusters = {"prod-eu", "prod-us"};
  return r;
}

const esc::RemediationRecord& Rec(const esc::RunResult& r, std::size_t i) {
  REQUIRE(i < r.records.size());
  const auto* rec = std::get_if<esc::RemediationRecord>(&r.records[i]);
  REQUIRE(rec != nullptr);
  return *rec;
}

// An audit log in memory that remembers every entry.
struct MemoryLog {
  std::shared_ptr<std::vector<kfix::AuditEntry>> entries = std::make_shared<std::vector<kfix::AuditEntry>>();
  std::unique_ptr<kfix::AuditLog> log;
  MemoryLog() {
    auto sink = std::make_unique<kfix::CallbackSink>([e = entries](const kfix::AuditEntry& entry) {
      e->push_back(entry);
      return kfix::Status::Ok();
    });
    kfix::AuditLogOptions o;
    o.clock = FixedClock();
    auto created = kfix::AuditLog::Create(std::move(sink), std::move(o));
    REQUIRE(created.ok());
    log = std::move(*created);
  }
  std::string Text() const {
    std::string out;
    for (const auto& e : *entries) out += e.line + "\n";
    return out;
  }
};

bool IsDns1123Label(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return s.front() != '-' && s.back() != '-';
}

}  // namespace

// ---------------------------------------------------------------------------
// Spec vectors
// ---------------------------------------------------------------------------

TEST_CASE("escape: policy name vectors (playbooks.md 3.4 and 3.9)") {
  CHECK(esc::PolicyName("payments", "deployments", "api", {{"app", "api"}}) == "ce-quarantine-api-bad1b42434");
  CHECK(esc::PolicyName("payments", "pods", "api-7d9b", {{"app", "api"}, {"pod-template-hash", "7d9b"}}) ==
        "ce-quarantine-api-7d9b-fd35210c32");
  CHECK(esc::SelectorJson({{"b", "2"}, {"a", "1"}}) == R"({"a":"1","b":"2"})");
  // Python's json.dumps escapes non-ASCII (ensure_ascii) and controls.
  CHECK(esc::SelectorJson({{"k", "\xC3\xA9\n\x7f"}}) == R"({"k":"\u00e9\n\u007f"})");
  CHECK(esc::SelectorJson({{"k", "\xF0\x9F\x98\x80"}}) == R"({"k":"\ud83d\ude00"})");
  // base: lower-cased, _ and . -> -, other characters dropped, outer - trimmed, "target" when empty.
  CHECK(esc::PolicyName("ns", "pods", "--My_App.v2--", {{"a", "b"}}).rfind("ce-quarantine-my-app-v2-", 0) == 0);
  CHECK(esc::PolicyName("ns", "pods", "###", {{"a", "b"}}).rfind("ce-quarantine-target-", 0) == 0);
}

TEST_CASE("escape: the policy name is a DNS-1123 label of at most 63 characters for any resource name") {
  std::mt19937 rng(20260405);
  const std::string alphabet = "abcXYZ019-_.~ /\\:@\"'\t\x01\xC3\xA9\xF0\x9F\x98\x80";
  for (int i = 0; i < 5000; ++i) {
    std::string name;
    std::size_t len = rng() % (i % 10 == 0 ? 300 : 70);
    for (std::size_t k = 0; k < len; ++k) name += alphabet[rng() % alphabet.size()];
    esc::Selector sel{{"app", name.substr(0, rng() % (name.size() + 1))}};
    std::string p = esc::PolicyName("ns-" + std::to_string(i), "deployments", name, sel);
    INFO("name=" << name << " policy=" << p);
    CHECK(IsDns1123Label(p));
    CHECK(p.rfind("ce-quarantine-", 0) == 0);
    CHECK(p == esc::PolicyName("ns-" + std::to_string(i), "deployments", name, sel));  // deterministic
  }
}

TEST_CASE("escape: detector golden findings (uids, severities, techniques)") {
  esc::DetectResult d = esc::Detect({{"audit_events.ocsf.jsonl", Data("audit_events.ocsf.jsonl")}}, {});
  CHECK(d.errors.empty());
  CHECK(d.events == 4);
  REQUIRE(d.findings.size() == 3);
  CHECK(d.findings[0].uid == "det-k8s-r1-risky-spec-patch-9c5a6fa5-a0f934d5");
  CHECK(d.findings[0].severity_id == 5);
  CHECK(d.findings[0].attack.technique_uid == "T1611");
  CHECK(d.findings[1].uid == "det-k8s-r2-hostpath-injection-9c5a6fa5-7bacbd6e");
  CHECK(d.findings[2].uid == "det-k8s-r3-ephemeral-container-ff8d9819-edbb2114");
  CHECK(d.findings[2].severity_id == 4);
  CHECK(d.findings[2].attack.technique_uid == "T1610");
  std::string lines;
  for (const auto& f : d.findings) lines += kfix::ToJson(esc::FindingToValue(f, esc::FindingFormat::kOcsf)) + "\n";
  CHECK(lines == Data("findings.ocsf.jsonl"));

  esc::DetectResult f = esc::Detect({{"followup_events.jsonl", Data("followup_events.jsonl")}}, {});
  CHECK(f.errors.empty());
  REQUIRE(f.findings.size() == 2);
  CHECK(f.findings[0].uid == "det-k8s-r4-unexpected-exec-6a6ebfaa-7cc7e7fd");
  CHECK(f.findings[0].attack.technique_uid == "T1613");
  CHECK(f.findings[1].uid == "det-k8s-r5-runtime-fusion-d92c6a81-a0f934d5");
  CHECK(f.findings[1].severity_id == 5);  // two engines, two signals
  CHECK(f.findings[1].evidence_count == 2);
  std::string follow;
  for (const auto& x : f.findings) follow += kfix::ToJson(esc::FindingToValue(x, esc::FindingFormat::kOcsf)) + "\n";
  CHECK(follow == Data("followup_findings.ocsf.jsonl"));
}

TEST_CASE("escape: native findings feed the remediation like OCSF ones") {
  esc::DetectResult d = esc::Detect({{"e", Data("audit_events.ocsf.jsonl")}}, {});
  std::string native;
  for (const auto& f : d.findings) native += kfix::ToJson(esc::FindingToValue(f, esc::FindingFormat::kNative)) + "\n";
  esc::FindingsInput in = esc::ParseFindings(native, "native.jsonl");
  REQUIRE(in.errors.empty());
  esc::RunResult a = esc::Plan(in.findings, FakeCluster(), Options());
  esc::RunResult b = esc::Plan(Findings("findings.ocsf.jsonl"), FakeCluster(), Options());
  CHECK(esc::JsonLines(a) == esc::JsonLines(b));
}

TEST_CASE("escape: golden plans for the three findings against the fake cluster") {
  esc::RunResult r = esc::Plan(Findings("findings.ocsf.jsonl"), FakeCluster(), Options());
  CHECK(r.warnings.empty());
  REQUIRE(r.records.size() == 3);
  const char* names[] = {"ce-quarantine-api-7d9b-fd35210c32", "ce-quarantine-api-bad1b42434",
                         "ce-quarantine-api-7d9b-fd35210c32"};
  for (int i = 0; i < 3; ++i) {
    const auto& rec = Rec(r, i);
    CHECK(rec.status == "planned");
    CHECK(rec.dry_run);
    CHECK(rec.policy_name == names[i]);
  }
  CHECK(Rec(r, 0).effective_pod_name == "api-7d9b");  // no pod.name observable: the pods resource is the pod
  CHECK(Rec(r, 0).target.pod_name.empty());
  CHECK(Rec(r, 2).target.pod_name == "api-7d9b");
  CHECK(Rec(r, 1).selector == esc::Selector{{"app", "api"}});
  CHECK(esc::JsonLines(r) == Data("plan.golden.jsonl"));
}

TEST_CASE("escape: follow-up golden: pod-kill and node-drain plans") {
  auto findings = Findings("followup_findings.ocsf.jsonl");
  esc::RunResult kill = esc::Plan(findings, FakeCluster(), Options(esc::ActionMode::kPodKill));
  REQUIRE(kill.records.size() == 2);
  for (int i = 0; i < 2; ++i) {
    CHECK(Rec(kill, i).status == "planned");
    CHECK(Rec(kill, i).actions.at(0).step == "kill_target_pod");
    CHECK(Rec(kill, i).actions.at(0).endpoint == "DELETE /api/v1/namespaces/payments/pods/api-7d9b");
    CHECK(Rec(kill, i).manifest.is_null());
  }
  esc::RunResult drain = esc::Plan(findings, FakeCluster(), Options(esc::ActionMode::kNodeDrain));
  REQUIRE(drain.records.size() == 2);
  for (int i = 0; i < 2; ++i) {
    CHECK(Rec(drain, i).node_name == "node-a");
    CHECK(Rec(drain, i).actions.at(0).step == "cordon_and_drain_node");
    CHECK(Rec(drain, i).actions.at(0).endpoint == "PATCH /api/v1/nodes/node-a unschedulable=true + EVICT pods on node");
  }
  CHECK(esc::JsonLines(kill) + esc::JsonLines(drain) == Data("followup_plans.golden.jsonl"));
}

TEST_CASE("escape: re-verify of the r2 finding with no policy in the cluster: the drift record pair") {
  std::vector<esc::InputFinding> r2 = {Findings("findings.ocsf.jsonl").at(1)};
  esc::RunResult r = esc::Reverify(r2, FakeCluster(), Options());
  REQUIRE(r.records.size() == 1);
  const auto& v = std::get<esc::VerificationRecord>(r.records[0]);
  CHECK(v.status == esc::VerificationStatus::kDrift);
  CHECK(v.actual_state == "NetworkPolicy missing from cluster");
  CHECK(v.record_uid == "rev-4d0d8346f92afc9a");  // sha256("skill|action|target|checked_at")[:16]
  CHECK(v.sla_deadline_ms == kNowMs + 15 * 60 * 1000);
  kfix::Value drift = esc::DriftFindingToValue(v);
  CHECK(drift.FindPath({"finding_info", "uid"})->as_string() == "rev-683e2d4f52dc6468");
  CHECK(drift.FindPath({"metadata", "uid"})->as_string() == "rev-683e2d4f52dc6468");
  std::string lines = esc::JsonLines(r);
  CHECK(std::count(lines.begin(), lines.end(), '\n') == 2);  // drift emits exactly two records
  CHECK(lines == Data("reverify_r2.golden.jsonl"));
}

// ---------------------------------------------------------------------------
// Unit tests ported from the reference (playbooks.md 3.9)
// ---------------------------------------------------------------------------

TEST_CASE("escape: producer lock: findings of another producer are skipped with a warning, no record") {
  esc::InputFinding f = MakeFinding("payments", "api-7d9b");
  f.producer = "detect-something-else";
  f.where.line = 7;
  esc::RunResult r = esc::Plan({f}, FakeCluster(), Options());
  CHECK(r.records.empty());
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].message().find("unaccepted producer `detect-something-else`") != std::string::npos);
  CHECK(r.warnings[0].location().line == 7);
  f.producer.clear();
  r = esc::Plan({f}, FakeCluster(), Options());
  CHECK(r.warnings.at(0).message().find("`<missing>`") != std::string::npos);
}

TEST_CASE("escape: protected namespaces: trimmed, case-insensitive, '-' suffix is a prefix") {
  const auto& deny = esc::DefaultProtectedNamespaces();
  CHECK(esc::ProtectedNamespaceMatch("linkerd-viz", deny) == "linkerd-");
  CHECK(esc::ProtectedNamespaceMatch("linkerd", deny) == "linkerd");
  CHECK(esc::ProtectedNamespaceMatch("linkerdx", deny).empty());
  CHECK(esc::ProtectedNamespaceMatch("  Kube-System ", deny) == "kube-system");
  CHECK(esc::ProtectedNamespaceMatch("kube-systemx", deny).empty());
  CHECK(esc::ProtectedNamespaceMatch("payments", deny).empty());
}

TEST_CASE("escape: kube-system dry run -> would-violate-deny-list, dry_run true") {
  esc::RunResult r = esc::Plan({MakeFinding("kube-system", "coredns-1")}, FakeCluster(), Options());
  REQUIRE(r.records.size() == 1);
  const auto& rec = Rec(r, 0);
  CHECK(rec.skip);
  CHECK(rec.status == "would-violate-deny-list");
  CHECK(rec.dry_run);
  CHECK(rec.status_detail == "namespace `kube-system` matched protected pattern `kube-system`");
  kfix::Value v = esc::RemediationRecordToValue(rec);
  CHECK(v.Find("actions")->size() == 0);
  CHECK(v.Find("record_type")->as_string() == "remediation_plan");
}

TEST_CASE("escape: istio-system apply -> skip, zero audit writes, zero cluster calls") {
  MemoryLog log;
  int calls = 0;
  esc::RunResult r = esc::Apply({MakeFinding("istio-system", "istiod-1")}, FakeCluster(), Options(), Approved(),
                                log.log.get(), [&](const esc::RemediationRecord&) {
                                  ++calls;
                                  return kfix::Status::Ok();
                                });
  CHECK(r.status.ok());
  REQUIRE(r.records.size() == 1);
  CHECK(Rec(r, 0).status == "skipped_deny_list");
  CHECK_FALSE(Rec(r, 0).dry_run);
  CHECK(log.entries->empty());
  CHECK(calls == 0);
}

TEST_CASE("escape: a dry-run plan carries the selector and an empty ingress/egress deny-all manifest") {
  esc::RunResult r = esc::Plan({MakeFinding("payments", "", "deployments", "api")}, FakeCluster(), Options());
  const auto& rec = Rec(r, 0);
  CHECK(rec.selector == esc::Selector{{"app", "api"}});
  const kfix::Value& m = rec.manifest;
  CHECK(m.FindPath({"spec", "podSelector", "matchLabels", "app"})->as_string() == "api");
  CHECK(m.FindPath({"spec", "ingress"})->is_array());
  CHECK(m.FindPath({"spec", "ingress"})->size() == 0);
  CHECK(m.FindPath({"spec", "egress"})->size() == 0);
  CHECK(kfix::ToJson(*m.FindPath({"spec", "policyTypes"})) == R"(["Ingress","Egress"])");
  CHECK(m.FindPath({"metadata", "labels", "security.company.io/quarantine"})->as_string() == "true");
  CHECK(m.FindPath({"metadata", "namespace"})->as_string() == "payments");
}

TEST_CASE("escape: a pod without a node still plans (no node_name); a workload selector falls back to template labels") {
  esc::ClusterSnapshot c;
  AddYaml(c, R"(apiVersion: v1
kind: Pod
metadata: {name: lonely, namespace: payments, labels: {app: lonely}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: nightly, namespace: payments}
spec:
  template:
    metadata: {labels: {job: nightly}}
)");
  esc::RunResult r = esc::Plan({MakeFinding("payments", "lonely"), MakeFinding("payments", "", "jobs", "nightly")}, c,
                               Options());
  CHECK(Rec(r, 0).status == "planned");
  CHECK(Rec(r, 0).node_name.empty());
  CHECK(esc::RemediationRecordToValue(Rec(r, 0)).Find("node_name") == nullptr);
  CHECK(Rec(r, 1).selector == esc::Selector{{"job", "nightly"}});
}

TEST_CASE("escape: target extraction: observables, then the target string, then pod.name") {
  esc::InputFinding f;
  f.producer = esc::kDetectorSkill;
  f.target = "deployments/payments/api/extra";
  esc::RunResult r = esc::Plan({f}, FakeCluster(), Options());
  CHECK(Rec(r, 0).policy_name == "ce-quarantine-api-bad1b42434");
  esc::InputFinding g;
  g.producer = esc::kDetectorSkill;
  g.observables["namespace"] = "payments";
  r = esc::Plan({g}, FakeCluster(), Options());
  CHECK(r.records.empty());
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].message().find("without enough namespace/resource context") != std::string::npos);
}

TEST_CASE("escape: the process-level gate, in order") {
  using M = esc::ActionMode;
  esc::ApplyRequest r = Approved();
  CHECK(esc::CheckApplyGate(r, M::kNodeDrain).ok());
  auto refused = [](const esc::ApplyRequest& req, M mode, const char* what) {
    kfix::Status s = esc::CheckApplyGate(req, mode);
    CHECK(s.code() == kfix::StatusCode::kPermissionDenied);
    CHECK_MESSAGE(s.message().find(what) != std::string::npos, s.message());
  };
  esc::ApplyRequest none;
  refused(none, M::kQuarantine, "incident");
  none.incident_id = "INC-1";
  refused(none, M::kQuarantine, "approver");
  none.approver = "alice";
  refused(none, M::kQuarantine, "cluster name");
  none.cluster_name = "prod-eu";
  refused(none, M::kQuarantine, "allow-list");
  none.allowed_clusters = esc::SplitClusterList(" staging , prod-us,,");
  CHECK(none.allowed_clusters == std::vector<std::string>{"staging", "prod-us"});
  refused(none, M::kQuarantine, "`prod-eu` is not listed");
  none.allowed_clusters = esc::SplitClusterList("staging,prod-eu");
  CHECK(esc::CheckApplyGate(none, M::kQuarantine).ok());
  CHECK(esc::CheckApplyGate(none, M::kPodKill).ok());
  refused(none, M::kNodeDrain, "second approver");
  none.second_approver = "alice";
  refused(none, M::kNodeDrain, "must differ");
  none.second_approver = "Alice";  // exact compare: a different string is a different person
  CHECK(esc::CheckApplyGate(none, M::kNodeDrain).ok());
}

TEST_CASE("escape: Apply refuses before anything when the process gate fails") {
  MemoryLog log;
  int calls = 0;
  esc::ApplyRequest r = Approved();
  r.cluster_name = "dev";  // outside the allow-list
  esc::RunResult out = esc::Apply(Findings("findings.ocsf.jsonl"), FakeCluster(), Options(), r, log.log.get(),
                                  [&](const esc::RemediationRecord&) {
                                    ++calls;
                                    return kfix::Status::Ok();
                                  });
  CHECK(out.status.code() == kfix::StatusCode::kPermissionDenied);
  CHECK(out.records.empty());
  CHECK(log.entries->empty());
  CHECK(calls == 0);
}

TEST_CASE("escape: per-finding gates, each refusing in order (Decide)") {
  esc::ClusterSnapshot c = FakeCluster();
  esc::RunOptions o = Options();
  esc::ApplyRequest req = Approved();
  using Op = esc::Operation;
  // 1. deny-list first, even when everything else would also fail.
  esc::ApplyRequest no_cluster = req;
  no_cluster.cluster_name.clear();
  CHECK(esc::Decide(MakeFinding("kube-public", "x"), c, Op::kApply, o, no_cluster).status == "skipped_deny_list");
  // 2. cluster name required, 3. listed.
  esc::Decision d = esc::Decide(MakeFinding("payments", "api-7d9b"), c, Op::kApply, o, no_cluster);
  CHECK(d.status == "skipped_cluster_boundary");
  esc::ApplyRequest other = req;
  other.cluster_name = "dev";
  d = esc::Decide(MakeFinding("payments", "api-7d9b"), c, Op::kApply, o, other);
  CHECK(d.status == "skipped_cluster_boundary");
  CHECK(d.detail.find("cluster `dev` is not listed") != std::string::npos);
  // ...but plans do not look at clusters.
  CHECK(esc::Decide(MakeFinding("payments", "api-7d9b"), c, Op::kPlan, o, other).proceed);
  // 4. selector.
  d = esc::Decide(MakeFinding("payments", "ghost"), c, Op::kApply, o, req);
  CHECK(d.status == "skipped_unsupported_target");
  d = esc::Decide(MakeFinding("payments", "", "configmaps", "cfg"), c, Op::kPlan, o, req);
  CHECK(d.status == "skipped_unsupported_target");
  // 5. destructive modes need a pod.
  esc::RunOptions kill = Options(esc::ActionMode::kPodKill);
  d = esc::Decide(MakeFinding("payments", "", "deployments", "api"), c, Op::kPlan, kill, req);
  CHECK(d.status == "skipped_unsupported_target");
  CHECK(d.detail.find("explicit pod target") != std::string::npos);
  // 6. drain needs a node ...
  esc::ClusterSnapshot nodeless;
  AddYaml(nodeless, "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: payments, labels: {a: b}}\n");
  d = esc::Decide(MakeFinding("payments", "p"), nodeless, Op::kPlan, Options(esc::ActionMode::kNodeDrain), req);
  CHECK(d.status == "skipped_unsupported_target");
  CHECK(d.detail.find("node name") != std::string::npos);
  // ... and all gates pass otherwise.
  d = esc::Decide(MakeFinding("payments", "api-7d9b"), c, Op::kApply, Options(esc::ActionMode::kNodeDrain), req);
  CHECK(d.proceed);
  CHECK(d.node_pods == std::vector<std::string>{"payments/api-7d9b"});
}

TEST_CASE("escape: drain refused when a kube-system pod shares the node (plan and apply)") {
  esc::ClusterSnapshot c = FakeCluster();
  AddYaml(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-proxy-x1, namespace: kube-system}\nspec: {nodeName: node-a}\n");
  esc::RunResult plan = esc::Plan({MakeFinding("payments", "api-7d9b")}, c, Options(esc::ActionMode::kNodeDrain));
  const auto& p = Rec(plan, 0);
  CHECK(p.status == "would-violate-deny-list");
  CHECK(p.node_name == "node-a");
  CHECK(p.actions.at(0).detail ==
        "node drain would touch protected pod `kube-system/kube-proxy-x1` matched `kube-system`");
  MemoryLog log;
  int calls = 0;
  esc::RunResult apply = esc::Apply({MakeFinding("payments", "api-7d9b")}, c, Options(esc::ActionMode::kNodeDrain),
                                    Approved(), log.log.get(), [&](const esc::RemediationRecord&) {
                                      ++calls;
                                      return kfix::Status::Ok();
                                    });
  CHECK(Rec(apply, 0).status == "skipped_deny_list");
  CHECK(Rec(apply, 0).incident_id == "INC-42");
  CHECK(log.entries->empty());
  CHECK(calls == 0);
}

TEST_CASE("escape: apply writes in_progress strictly before the mutating step, then success") {
  MemoryLog log;
  std::vector<std::string> seen_at_call;
  esc::RunOptions o = Options();
  o.clock = SteppingClock();
  esc::RunResult r = esc::Apply({Findings("findings.ocsf.jsonl").at(1)}, FakeCluster(), o, Approved(), log.log.get(),
                                [&](const esc::RemediationRecord& rec) {
                                  // What the log holds when the step runs.
                                  for (const auto& e : *log.entries) {
                                    seen_at_call.push_back(e.record.Find("status")->as_string());
                                  }
                                  CHECK(rec.status == "in_progress");
                                  CHECK(rec.manifest.FindPath({"metadata", "name"})->as_string() ==
                                        "ce-quarantine-api-bad1b42434");
                                  return kfix::Status::Ok();
                                });
  CHECK(r.status.ok());
  CHECK(seen_at_call == std::vector<std::string>{"in_progress"});
  REQUIRE(log.entries->size() == 2);
  const auto& first = (*log.entries)[0];
  const auto& second = (*log.entries)[1];
  CHECK(first.phase == kfix::AuditPhase::kInProgress);
  CHECK(second.phase == kfix::AuditPhase::kSucceeded);
  CHECK(second.ref == first.seq);
  CHECK(first.record.Find("record_type")->as_string() == "remediation_audit");
  CHECK(second.record.Find("status")->as_string() == "success");
  // row_uid = rce- + sha256("ns|type|name|step|action_at")[:16]
  std::string at = first.record.Find("action_at")->as_string();
  CHECK(at == "2026-04-10T05:46:40+00:00");
  CHECK(first.record.Find("row_uid")->as_string() ==
        "rce-" + kfix::Sha256Hex("payments|deployments|api|apply_quarantine_network_policy|" + at).substr(0, 16));
  CHECK(second.record.Find("action_at")->as_string() == "2026-04-10T05:46:40.500000+00:00");
  // Output: envelope in_progress, envelope success, the action record.
  REQUIRE(r.records.size() == 3);
  CHECK(std::get<esc::AuditEnvelope>(r.records[0]).status == "in_progress");
  CHECK(std::get<esc::AuditEnvelope>(r.records[1]).status == "success");
  const auto& rec = Rec(r, 2);
  CHECK(rec.status == "success");
  CHECK_FALSE(rec.dry_run);
  CHECK(rec.audit.row_uid == second.record.Find("row_uid")->as_string());
  CHECK(rec.audit.log_seq == 2);
  CHECK(rec.audit.evidence_key ==
        "container-escape/audit/2026/04/10/payments/api/2026-04-10T05:46:40.500000+00:00-"
        "apply_quarantine_network_policy.json");
  kfix::Value v = esc::RemediationRecordToValue(rec);
  CHECK(v.Find("record_type")->as_string() == "remediation_action");
  CHECK(v.Find("incident_id")->as_string() == "INC-42");
  CHECK(v.Find("approver")->as_string() == "alice");
  // The log verifies as a chain with matched two-phase entries.
  CHECK(kfix::VerifyAuditLog(log.Text()).ok());
}

TEST_CASE("escape: a failed step is recorded as failure carrying the first audit reference") {
  MemoryLog log;
  esc::RunResult r = esc::Apply({MakeFinding("payments", "api-7d9b")}, FakeCluster(), Options(), Approved(),
                                log.log.get(), [](const esc::RemediationRecord&) {
                                  return kfix::IoError("networkpolicies is forbidden");
                                });
  REQUIRE(r.records.size() == 3);
  CHECK(std::get<esc::AuditEnvelope>(r.records[1]).status == "failure");
  const auto& rec = Rec(r, 2);
  CHECK(rec.status == "failure");
  CHECK(rec.actions.at(0).detail == "networkpolicies is forbidden");
  CHECK(rec.audit.row_uid == std::get<esc::AuditEnvelope>(r.records[0]).row_uid);
  CHECK(rec.audit.log_seq == 1);
  REQUIRE(log.entries->size() == 2);
  CHECK((*log.entries)[1].phase == kfix::AuditPhase::kFailed);
}

TEST_CASE("escape: without an executor the action is handed off in_progress; a failed audit write stops everything") {
  esc::RunResult r = esc::Apply({MakeFinding("payments", "api-7d9b")}, FakeCluster(), Options(), Approved(), nullptr, {});
  REQUIRE(r.records.size() == 2);
  CHECK(Rec(r, 1).status == "in_progress");
  CHECK(Rec(r, 1).audit.log_seq == 0);

  auto sink = std::make_unique<kfix::CallbackSink>(
      [](const kfix::AuditEntry&) { return kfix::IoError("disk full"); });
  kfix::AuditLogOptions lo;
  lo.clock = FixedClock();
  auto log = kfix::AuditLog::Create(std::move(sink), std::move(lo));
  REQUIRE(log.ok());
  int calls = 0;
  r = esc::Apply({MakeFinding("payments", "api-7d9b")}, FakeCluster(), Options(), Approved(), log->get(),
                 [&](const esc::RemediationRecord&) {
                   ++calls;
                   return kfix::Status::Ok();
                 });
  CHECK(r.status.code() == kfix::StatusCode::kIoError);
  CHECK(calls == 0);
  CHECK(r.records.empty());
}

TEST_CASE("escape: verified vs drift on a changed selector; drift emits two records, verified one") {
  std::vector<esc::InputFinding> r2 = {Findings("findings.ocsf.jsonl").at(1)};
  esc::ClusterSnapshot c = FakeCluster();
  c.AddObject(esc::QuarantineManifest("payments", "ce-quarantine-api-bad1b42434", {{"app", "api"}}));
  esc::RunResult ok = esc::Reverify(r2, c, Options());
  CHECK(std::get<esc::VerificationRecord>(ok.records.at(0)).status == esc::VerificationStatus::kVerified);
  std::string ok_lines = esc::JsonLines(ok);
  CHECK(std::count(ok_lines.begin(), ok_lines.end(), '\n') == 1);

  c.AddObject(esc::QuarantineManifest("payments", "ce-quarantine-api-bad1b42434", {{"app", "other"}}));
  esc::RunResult drift = esc::Reverify(r2, c, Options());
  const auto& v = std::get<esc::VerificationRecord>(drift.records.at(0));
  CHECK(v.status == esc::VerificationStatus::kDrift);
  CHECK(v.actual_state.find(R"(selector={"app":"other"})") != std::string::npos);
  std::string lines = esc::JsonLines(drift);
  CHECK(std::count(lines.begin(), lines.end(), '\n') == 2);

  // Absent ingress counts as drift; policyTypes compare as a set.
  kfix::Value m = esc::QuarantineManifest("payments", "ce-quarantine-api-bad1b42434", {{"app", "api"}});
  m.Find("spec")->Erase("ingress");
  c.AddObject(m);
  CHECK(std::get<esc::VerificationRecord>(esc::Reverify(r2, c, Options()).records.at(0)).status ==
        esc::VerificationStatus::kDrift);
  m = esc::QuarantineManifest("payments", "ce-quarantine-api-bad1b42434", {{"app", "api"}});
  *m.Find("spec")->Find("policyTypes") = kfix::ParseJson(R"(["Egress","Ingress","Egress"])").value();
  c.AddObject(m);
  CHECK(std::get<esc::VerificationRecord>(esc::Reverify(r2, c, Options()).records.at(0)).status ==
        esc::VerificationStatus::kVerified);
}

TEST_CASE("escape: an unreachable cluster is never verified and emits no drift finding") {
  std::vector<esc::InputFinding> r2 = {Findings("findings.ocsf.jsonl").at(1)};
  esc::ClusterSnapshot c = FakeCluster();
  c.AddObject(esc::QuarantineManifest("payments", "ce-quarantine-api-bad1b42434", {{"app", "api"}}));
  c.SetUnreachable(kfix::IoError("connection refused"));
  esc::RunResult r = esc::Reverify(r2, c, Options());
  const auto& v = std::get<esc::VerificationRecord>(r.records.at(0));
  CHECK(v.status == esc::VerificationStatus::kUnreachable);
  CHECK(v.detail == "kubernetes API unreachable: connection refused");
  std::string lines = esc::JsonLines(r);
  CHECK(std::count(lines.begin(), lines.end(), '\n') == 1);
}

TEST_CASE("escape: pod-kill and node-drain apply + re-verify") {
  auto findings = std::vector<esc::InputFinding>{Findings("followup_findings.ocsf.jsonl").at(0)};
  // pod-kill
  MemoryLog log;
  std::vector<std::string> executed;
  auto exec = [&](const esc::RemediationRecord& r) {
    executed.push_back(r.actions.at(0).endpoint);
    return kfix::Status::Ok();
  };
  esc::RunResult kill = esc::Apply(findings, FakeCluster(), Options(esc::ActionMode::kPodKill), Approved(),
                                   log.log.get(), exec);
  CHECK(Rec(kill, 2).status == "success");
  CHECK(Rec(kill, 2).actions.at(0).detail == "deleted pod `api-7d9b`");
  CHECK(executed == std::vector<std::string>{"DELETE /api/v1/namespaces/payments/pods/api-7d9b"});
  // still present -> drift; gone -> verified
  CHECK(std::get<esc::VerificationRecord>(
            esc::Reverify(findings, FakeCluster(), Options(esc::ActionMode::kPodKill)).records.at(0))
            .status == esc::VerificationStatus::kDrift);
  esc::ClusterSnapshot after;  // the pod is gone
  AddYaml(after, "apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\nspec: {unschedulable: true}\n");
  esc::RunResult rv = esc::Reverify(findings, after, Options(esc::ActionMode::kPodKill));
  CHECK(std::get<esc::VerificationRecord>(rv.records.at(0)).status == esc::VerificationStatus::kVerified);

  // node-drain: evicts every pod on the node, with two distinct approvers
  esc::ClusterSnapshot c = FakeCluster();
  AddYaml(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: web-1, namespace: shop}\nspec: {nodeName: node-a}\n");
  std::vector<std::string> evict;
  esc::RunResult drain = esc::Apply(findings, c, Options(esc::ActionMode::kNodeDrain), Approved(), log.log.get(),
                                    [&](const esc::RemediationRecord& r) {
                                      evict = r.evict_pods;
                                      return kfix::Status::Ok();
                                    });
  const auto& d = Rec(drain, 2);
  CHECK(d.status == "success");
  CHECK(evict == std::vector<std::string>{"payments/api-7d9b", "shop/web-1"});
  CHECK(d.drained_pods == evict);
  CHECK(d.secondary_approver == "bob");
  CHECK(d.actions.at(0).detail == "cordoned node `node-a` and evicted 2 pod(s)");
  CHECK(std::get<esc::AuditEnvelope>(drain.records[0]).secondary_approver == "bob");
  // re-verify: node cordoned and pod gone -> verified (node named explicitly: the pod is gone)
  esc::RunOptions ro = Options(esc::ActionMode::kNodeDrain);
  ro.node_name = "node-a";
  CHECK(std::get<esc::VerificationRecord>(esc::Reverify(findings, after, ro).records.at(0)).status ==
        esc::VerificationStatus::kVerified);
  // not cordoned -> drift
  CHECK(std::get<esc::VerificationRecord>(esc::Reverify(findings, c, ro).records.at(0)).status ==
        esc::VerificationStatus::kDrift);
  CHECK(kfix::VerifyAuditLog(log.Text()).ok());
}

// ---------------------------------------------------------------------------
// Detector rules and suppressions
// ---------------------------------------------------------------------------

namespace {
std::vector<esc::Finding> DetectLines(const std::string& text, const esc::DetectOptions& o = {}) {
  esc::DetectResult d = esc::Detect({{"t", text}}, o);
  CHECK(d.errors.empty());
  return d.findings;
}
}  // namespace

TEST_CASE("escape: r1/r2 scan JSON-Patch op lists as well as merge bodies; only patch on workloads") {
  const char* ops = R"({"class_uid":6003,"time":5,"actor":{"user":{"name":"eve"}},"api":{"operation":"patch"},"resources":[{"type":"daemonsets","name":"agent","namespace":"ops"}],"unmapped":{"k8s":{"request_object":[{"op":"add","path":"/spec/template/spec/hostPID","value":true},{"op":"add","path":"/spec/template/spec/containers/0/securityContext/capabilities/add","value":["CAP_SYS_PTRACE"]},{"op":"add","path":"/spec/template/spec/volumes/-","value":{"name":"r","hostPath":{"path":"/"}}},{"op":"replace","path":"/spec/template/spec/volumes/1/hostPath/path","value":"/proc/1"}]}}})";
  auto f = DetectLines(ops);
  REQUIRE(f.size() == 2);
  CHECK(f[0].rule == "r1-risky-spec-patch");
  CHECK(f[0].observables.at(4).value == "capability=CAP_SYS_PTRACE, hostPID=true");
  CHECK(f[1].rule == "r2-hostpath-injection");
  CHECK(f[1].observables.at(4).value == "/, /proc/1");
  // update is not patch for r1/r2; configmaps are not workloads; hostIPC is not checked.
  CHECK(DetectLines(std::string(ops).replace(std::string(ops).find("\"patch\""), 7, "\"update\"")).empty());
  CHECK(DetectLines(R"({"class_uid":6003,"api":{"operation":"patch"},"resources":[{"type":"pods","name":"p","namespace":"n"}],"unmapped":{"k8s":{"request_object":{"spec":{"hostIPC":true}}}}})")
            .empty());
  // de-duplicated on actor + target + evidence
  CHECK(DetectLines(std::string(ops) + "\n" + ops).size() == 2);
}

TEST_CASE("escape: r4 suppressions: recent deployer, operators, humans without a deployer") {
  auto exec = [](const char* actor, const char* type, long long t, const char* groups = "[]") {
    return std::string(R"({"class_uid":6003,"time":)") + std::to_string(t) + R"(,"actor":{"user":{"name":")" + actor +
           R"(","type":")" + type + R"(","groups":)" + groups +
           R"(}},"api":{"operation":"create"},"resources":[{"type":"pods","name":"p","namespace":"n","subresource":"exec"}]})";
  };
  auto deploy = [](const char* actor, long long t) {
    return std::string(R"({"class_uid":6003,"time":)") + std::to_string(t) + R"(,"actor":{"user":{"name":")" + actor +
           R"("}},"api":{"operation":"create"},"resources":[{"type":"pods","name":"p","namespace":"n"}]})";
  };
  const long long base = 1775798400000;
  // the deployer itself execs: suppressed
  CHECK(DetectLines(deploy("bob", base) + "\n" + exec("bob", "User", base + 60000)).empty());
  // another human execs within 30 minutes: fires
  CHECK(DetectLines(deploy("bob", base) + "\n" + exec("mallory", "User", base + 60000)).size() == 1);
  // ... but not after 30 minutes (then: human without recent deployer -> suppressed)
  CHECK(DetectLines(deploy("bob", base) + "\n" + exec("mallory", "User", base + 31 * 60000)).empty());
  // a service account without a recent deployer: fires
  auto sa = DetectLines(exec("system:serviceaccount:n:x", "", base));
  REQUIRE(sa.size() == 1);
  CHECK(sa[0].observables.at(4).value == "<none>");
  // operators: by name (default system:masters) or by group, extendable
  CHECK(DetectLines(deploy("bob", base) + "\n" + exec("mallory", "User", base + 1, R"([{"name":"system:masters"}])"))
            .empty());
  esc::DetectOptions o;
  o.known_operators.push_back(" sre-oncall ");
  CHECK(DetectLines(deploy("bob", base) + "\n" + exec("sre-oncall", "User", base + 1), o).empty());
  CHECK(DetectLines(deploy("bob", base) + "\n" + exec("x", "User", base + 1, R"(["sre-oncall"])"), o).empty());
}

TEST_CASE("escape: r5 groups by container with 10-minute gaps; severity by engines and signals") {
  auto falco = [](const char* rule, long long t, const char* cid = "docker://c1") {
    return std::string(R"({"source":"falco","time":)") + std::to_string(t) + R"(,"rule":")" + rule +
           R"(","output_fields":{"container.id":")" + cid + R"(","k8s.ns.name":"n","k8s.pod.name":"p"}})";
  };
  const long long base = 1775798400000;
  auto one = DetectLines(falco("Terminal shell in container", base));
  REQUIRE(one.size() == 1);
  CHECK(one[0].severity_id == 4);
  CHECK(one[0].actor == "runtime");
  auto two = DetectLines(falco("Terminal shell in container", base) + "\n" + falco("Write below root", base + 600000));
  REQUIRE(two.size() == 1);  // a gap of exactly 10 minutes still fuses
  CHECK(two[0].severity_id == 5);
  auto split = DetectLines(falco("Terminal shell in container", base) + "\n" +
                           falco("Terminal shell in container", base + 600001));
  CHECK(split.size() == 2);
  // unknown rules are not runtime signals
  CHECK(DetectLines(falco("Something benign", base)).empty());
}

// ---------------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------------

TEST_CASE("escape: a hostile findings file yields per-line errors with line numbers, never a crash") {
  std::string good = Data("findings.ocsf.jsonl").substr(0, Data("findings.ocsf.jsonl").find('\n'));
  std::string big(1 << 20, 'A');
  std::string text = good + "\n" +                                              // 1 ok
                     good.substr(0, good.size() / 2) + "\n" +                   // 2 truncated
                     "[1,2,3]\n" +                                              // 3 not an object
                     R"({"class_uid":2004,"observables":"nope"})" "\n" +        // 4 wrong type
                     R"({"class_uid":6003,"metadata":{}})" "\n" +               // 5 unknown class
                     "\n" +                                                     // 6 blank: ignored
                     R"({"class_uid":2004,"metadata":{"product":{"feature":{"name":")" + big +
                     R"("}}},"observables":[{"name":"namespace","value":")" + big + R"("}]})" "\n" +  // 7 1 MB strings
                     R"({"record_type":"something_else"})" "\n" +               // 8 unknown record
                     R"({"class_uid":2004,"metadata":[]})" "\n" +               // 9 falsy wrong type: absent
                     R"({"class_uid":2004,"metadata":"x"})" "\n" +              // 10 wrong type
                     "{\"class_uid\":2004,\"x\":\"\xff\"}\n";                   // 11 invalid UTF-8
  esc::FindingsInput in = esc::ParseFindings(text, "hostile.jsonl");
  std::vector<int> lines;
  for (const auto& e : in.errors) {
    CHECK(e.location().file == "hostile.jsonl");
    lines.push_back(e.location().line);
  }
  CHECK(lines == std::vector<int>{2, 3, 4, 5, 8, 10, 11});
  CHECK(in.errors[0].code() == kfix::StatusCode::kParseError);
  CHECK(in.errors[3].code() == kfix::StatusCode::kInvalidArgument);
  REQUIRE(in.findings.size() == 3);  // lines 1, 7 and 9
  CHECK(in.findings[1].where.line == 7);
  CHECK(in.findings[1].producer.size() == big.size());
  // The 1 MB producer is refused by the lock, without a record.
  esc::RunResult r = esc::Plan(in.findings, FakeCluster(), Options());
  CHECK(r.records.size() == 1);
  CHECK(r.warnings.size() == 2);
}

TEST_CASE("escape: hostile events: per-line errors, the rest still detected") {
  std::string good = Data("audit_events.ocsf.jsonl");
  std::string text = "{\"class_uid\":6003,\"actor\":\"root\",\"resources\":{\"a\":1}}\n"  // wrong types: reported
                     "{\"class_uid\":2004}\n"                                           // unknown class
                     "{\"record_type\":\"network_activity\"}\n"                         // unknown record type
                     "{\"schema_mode\":\"ocsf-ish\"}\n"                                // unknown schema mode
                     "{\"class_uid\":6003,\"time\":\"soon\",\n"                        // truncated
                     "42\n" + good;
  esc::DetectResult d = esc::Detect({{"hostile-events.jsonl", text}}, {});
  std::vector<int> lines;
  for (const auto& e : d.errors) lines.push_back(e.location().line);
  CHECK(lines == std::vector<int>{1, 2, 3, 4, 5, 6});
  CHECK(d.findings.size() == 3);
}

// ---------------------------------------------------------------------------
// Forensic bundle
// ---------------------------------------------------------------------------

TEST_CASE("escape: forensic bundle bytes equal Python's tarfile + GzipFile(mtime=0) layout") {
  std::string lines;
  for (int i = 0; i < 300; ++i) lines += "line\n";
  std::map<std::string, std::string> arts = {
      {"manifest/collection.json", R"({"a":1})"},
      {"proc/api-7d9b/4242/status.txt", "Name:\tsh\nState:\tS (sleeping)\n"},
      {"runtime-logs/api-7d9b/" + std::string(90, 'x') + "/0.log", lines},  // > 100 bytes: pax path
      {"z/\xC3\xA9t\xC3\xA9.txt", ""},                                      // non-ASCII: pax path
  };
  auto b = esc::BuildForensicBundle(arts);
  REQUIRE(b.ok());
  // Computed independently with CPython 3.11 (tarfile PAX format, gzip level 9).
  CHECK(b->bytes.size() == 335);
  CHECK(b->sha256 == "61175417d7a9d694e0b7e9999a0568df334cd9a1e29f7d742888ce5d08e4d6d2");
  CHECK(b->artifacts.size() == 4);
  CHECK(b->artifacts.as_array()[0].Find("path")->as_string() == "manifest/collection.json");
  CHECK(b->artifacts.as_array()[0].Find("sha256")->as_string() == kfix::Sha256Hex(R"({"a":1})"));
  // Same input, same bytes.
  CHECK(esc::BuildForensicBundle(arts)->bytes == b->bytes);
  CHECK_FALSE(esc::BuildForensicBundle({{"", "x"}}).ok());
  CHECK_FALSE(esc::BuildForensicBundle({{std::string("a\0b", 3), "x"}}).ok());

  auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(kNowMs));
  CHECK(esc::ForensicBundleKey(" INC/42 ", "payments", "API_7d9b", t) ==
        "container-escape/audit/inc-42/20260410T054640Z-payments-api-7d9b-forensics.tar.gz");
  CHECK(esc::VolumeSnapshotName("payments", "data-api-0", t) ==
        "ce-snap-data-api-0-" + kfix::Sha256Hex("payments|data-api-0|20260410054640").substr(0, 10));
  CHECK(esc::VolumeSnapshotName("p", std::string(80, 'v'), t).size() <= 63);
}

TEST_CASE("escape: options documents (one schema for every surface)") {
  auto doc = [](const char* json) { return kfix::ParseJson(json).value(); };
  auto d = esc::DetectOptionsFromValue(doc(R"({"format":"native","knownOperators":["sre"],"nowMs":5})"));
  REQUIRE(d.ok());
  CHECK(d->format == esc::FindingFormat::kNative);
  CHECK(d->known_operators == std::vector<std::string>{"system:masters", "sre"});
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(d->clock().time_since_epoch()).count() == 5);
  CHECK(esc::DetectOptionsFromValue(kfix::Value()).ok());
  CHECK(esc::DetectOptionsFromValue(doc(R"({"format":"xml"})")).status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK(esc::DetectOptionsFromValue(doc(R"({"formats":"ocsf"})")).status().message().find("`formats`") !=
        std::string::npos);
  CHECK_FALSE(esc::DetectOptionsFromValue(doc(R"({"knownOperators":"sre"})")).ok());
  CHECK_FALSE(esc::DetectOptionsFromValue(doc("[]")).ok());

  const char* apply = R"({"mode":"node-drain","protectedNamespaces":["prod-"],"slaMs":60000,"nodeName":"n1","nowMs":7,
                          "incidentId":"INC-1","approver":"a","secondApprover":"b","clusterName":"c",
                          "allowedClusters":"c, d"})";
  auto r = esc::RunOptionsFromValue(doc(apply));
  REQUIRE(r.ok());
  CHECK(r->mode == esc::ActionMode::kNodeDrain);
  CHECK(r->protected_namespaces == std::vector<std::string>{"prod-"});
  CHECK(r->sla_ms == 60000);
  CHECK(r->node_name == "n1");
  auto q = esc::ApplyRequestFromValue(doc(apply));
  REQUIRE(q.ok());
  CHECK(q->allowed_clusters == std::vector<std::string>{"c", "d"});
  CHECK(esc::CheckApplyGate(*q, r->mode).ok());
  CHECK(esc::ApplyRequestFromValue(doc(R"({"allowedClusters":[" x ",""]})"))->allowed_clusters ==
        std::vector<std::string>{"x"});
  CHECK_FALSE(esc::RunOptionsFromValue(doc(R"({"mode":"nuke"})")).ok());
  CHECK_FALSE(esc::RunOptionsFromValue(doc(R"({"nowMs":-1})")).ok());
  CHECK_FALSE(esc::ApplyRequestFromValue(doc(R"({"approver":7})")).ok());
  CHECK(esc::RunOptionsFromValue(kfix::Value())->clock == nullptr);
}
