// Fuzz target: the gVisor playbook's loaders (override file, MigrationPlan,
// cluster facts, options document) and the scan -> plan -> load round trip.
//
// The whole input is parsed as an override file, as a plan, as cluster facts
// and as manifests.
//
// Checks:
// - no crash, hang or sanitizer report on any input;
// - every refusal carries a non-empty message and a non-OK code;
// - a plan that loads serialises and loads again with the same hash and
//   content (ToValue is stable);
// - manifests: scan + plan is deterministic, the plan loads back and passes
//   its integrity check, apply and rollback of it never fail to produce an
//   envelope, and the facts (when they parse) only refine.
//
// Seeds: tests/fuzz/corpus/gvisor/.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "kfix/core.hpp"
#include "kfix/gvisor.hpp"

namespace {

namespace gv = kfix::gvisor;

[[noreturn]] void Die(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_gvisor: %s\ninput (%zu bytes): %.*s\n", what, input.size(),
               static_cast<int>(input.size()), input.data());
  std::abort();
}

void CheckRefusal(const kfix::Status& s, std::string_view input) {
  if (s.ok() || s.message().empty()) Die("a refusal without code or message", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (64u << 10)) return 0;
  std::string_view input(reinterpret_cast<const char*>(data), size);

  auto overrides = gv::ParseRuleOverrides(input, "fuzz.yaml");
  if (!overrides.ok()) CheckRefusal(overrides.status(), input);
  else for (const kfix::Status& w : overrides->warnings) CheckRefusal(w, input);

  auto plan = gv::ParsePlan(input, "fuzz.yaml");
  if (!plan.ok()) {
    CheckRefusal(plan.status(), input);
  } else {
    const std::string once = kfix::ToJson(gv::ToValue(*plan));
    auto again = gv::ParsePlan(once, "again.json");
    if (!again.ok()) Die("a loaded plan does not load again after ToValue", input);
    if (again->plan_hash != plan->plan_hash) Die("plan hash changed over a round trip", input);
    if (kfix::ToJson(gv::ToValue(*again)) != once) Die("ToValue(plan) is not stable", input);
    gv::RunResult dry = gv::Apply(*plan, {});
    if (dry.steps.size() != plan->steps.size()) Die("apply lost a step", input);
    gv::RunResult back = gv::Rollback(*plan, {});
    if (back.steps.size() != plan->steps.size()) Die("rollback lost a step", input);
  }

  auto options = gv::ParseOptions(input, "fuzz.yaml");
  if (!options.ok()) CheckRefusal(options.status(), input);

  auto facts = gv::ParseClusterFacts(input, "fuzz.yaml");
  if (!facts.ok()) CheckRefusal(facts.status(), input);
  else (void)gv::Preflight(*facts, "gvisor", true);

  kfix::LoadResult loaded = kfix::LoadManifests(input, "fuzz.yaml");
  gv::ScanOptions so;
  if (facts.ok()) so.classify.facts = &*facts;
  gv::CompatibilityReport report = gv::ScanWorkloads(loaded.manifests, so);
  for (const gv::WorkloadResult& w : report.workloads) {
    if (w.recommendation.empty()) Die("empty recommendation", input);
  }
  gv::PlanOptions po;
  po.include_review = true;
  po.add_toleration = true;
  gv::MigrationPlan p1 = gv::BuildPlan(report, po, {});
  gv::MigrationPlan p2 = gv::BuildPlan(gv::ScanWorkloads(loaded.manifests, so), po, {});
  if (p1.plan_hash != p2.plan_hash) Die("planning is not deterministic", input);
  auto loaded_plan = gv::ParsePlan(kfix::ToJson(gv::ToValue(p1)), "plan.json");
  if (!loaded_plan.ok()) Die(("a fresh plan fails to load: " + loaded_plan.status().ToString()).c_str(), input);
  gv::RunOptions ro;
  ro.live = &loaded.manifests;
  (void)gv::Apply(p1, ro);
  (void)gv::Rollback(p1, ro);
  return 0;
}
