// corpus.rescan: the rescan gate's affected-only rescan (rules/rescan_internal.hpp) against the full
// rescan, over every manifest of the shared corpus, with two rule sets: the default checks with the
// minimal profile, and every built-in check with the harden profile. For each object, every
// finding's proposed patch, and all of them applied in turn (what the merge vets), are rescanned
// both ways (GuardState::verify_rescan); then `kfix fix`'s pipeline runs with the self-check off
// and on (KFIX_VERIFY_RESCAN=1): every patch it vets is compared too, and the reports must match. Any difference is printed with
// the check it names, and fails the test. Prints how many checks were carried over, rerun on some
// containers, or rerun.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/parallel_internal.hpp"
#include "guard/guard_impl.hpp"
#include "kfix/pipeline.hpp"
#include "remediate/builder.hpp"

namespace {

std::mutex print_mu;
int printed = 0;

void Report(const std::string& what) {
  std::lock_guard<std::mutex> lock(print_mu);
  if (++printed <= 20) std::printf("MISMATCH %s\n", what.c_str());
}

/// Rescans `patched` (object `index` with `patch` applied) both ways; false on a mismatch.
bool Compare(const kfix::internal::GuardState& g, std::size_t index, kfix::Value& patched, const kfix::Patch& patch) {
  std::string mismatch;
  g.ScanAfterPatch(index, patched, patch, &mismatch);
  if (mismatch.empty()) return true;
  Report(g.objects[index].file + " document " + std::to_string(g.objects[index].document) + ": " + mismatch +
         "; patch " + kfix::PatchToJson(patch));
  return false;
}

int Run(const std::vector<kfix::Manifest>& objects, bool all_built_in) {
  kfix::RulesConfig rc;
  rc.add_all_built_in = all_built_in;
  auto rules = kfix::RuleSet::Create(rc);
  if (!rules.ok()) {
    std::fprintf(stderr, "rules: %s\n", rules.status().ToString().c_str());
    return 1;
  }
  kfix::FixConfig config;
  config.profile = all_built_in ? kfix::FixProfile::kHarden : kfix::FixProfile::kMinimal;
  kfix::internal::GuardState g(*rules, config, objects);
  g.verify_rescan = true;
  const std::vector<kfix::Finding>& base = g.Baseline().findings;
  std::atomic<long long> patches{0}, mismatches{0};
  kfix::internal::ParallelFor(objects.size(), kfix::internal::ThreadCount(2, objects.size()), [&](std::size_t i) {
    const std::vector<std::uint32_t>& mine = g.BaselineOf(i);
    if (mine.empty()) return;
    const kfix::Value& obj = g.objects[i].root;
    kfix::Value composed = obj;  // every proposal so far applied in turn
    kfix::Patch merged;
    for (std::uint32_t k : mine) {
      const kfix::Finding& f = base[k];
      kfix::FixProposal p = kfix::internal::ProposeFixWithView(obj, &g.Before(i).view, f, g.config, &g.fix_context);
      if (p.patch.empty()) continue;
      auto applied = kfix::ApplyPatchCopy(obj, p.patch);
      if (!applied.ok()) continue;
      ++patches;
      if (!Compare(g, i, *applied, p.patch)) ++mismatches;
      // The same fix regenerated on the object with the earlier fixes applied (as the merge does).
      kfix::FixProposal again = kfix::ProposeFix(composed, f, g.config, &g.fix_context);
      if (again.status != kfix::ProposalStatus::kProposed || again.patch.empty()) continue;
      if (!kfix::ApplyPatch(composed, again.patch).ok()) continue;
      merged.insert(merged.end(), again.patch.begin(), again.patch.end());
    }
    if (merged.empty()) return;
    ++patches;
    if (!Compare(g, i, composed, merged)) ++mismatches;
  });
  const auto& c = g.rescan_counters;
  const double carried = static_cast<double>(c.checks_carried), partial = static_cast<double>(c.checks_partial),
               run = static_cast<double>(c.checks_run);
  const double checks = carried + partial + run;
  std::printf("%s: %lld patches rescanned both ways, %lld mismatches; checks per rescan: %.1f%% carried over, "
              "%.1f%% rerun on some containers, %.1f%% rerun (%lld affected-only rescans, %lld full)\n",
              all_built_in ? "all built-in checks, harden profile" : "default checks, minimal profile", patches.load(),
              mismatches.load(), checks > 0 ? 100.0 * carried / checks : 0.0,
              checks > 0 ? 100.0 * partial / checks : 0.0, checks > 0 ? 100.0 * run / checks : 0.0,
              static_cast<long long>(c.affected), static_cast<long long>(c.full));

  // The pipeline: every patch it vets (merged object patches, needs-review patches, ...).
  // Run as `kfix fix` runs it, then with the self-check: a difference in a rescan that does not
  // fail a gate (the slow path's per-patch rescans) would still change the report.
  kfix::FixOptions fo;
  fo.jobs = 2;
  const std::string plain = kfix::ToJson(kfix::FixReportToValue(kfix::FixObjects(objects, *rules, config, fo)));
  ::setenv("KFIX_VERIFY_RESCAN", "1", 1);
  const kfix::FixReport report = kfix::FixObjects(objects, *rules, config, fo);
  ::unsetenv("KFIX_VERIFY_RESCAN");
  const bool same_report = plain == kfix::ToJson(kfix::FixReportToValue(report));
  if (!same_report) Report("the fix report differs with the self-check on");
  long long gate_mismatches = 0;
  auto scan_gates = [&](const std::vector<kfix::GateResult>& gates, const std::string& where) {
    for (const kfix::GateResult& gr : gates) {
      if (gr.name == "rescan" && gr.detail.find("affected-only rescan differs") != std::string::npos) {
        ++gate_mismatches;
        Report(where + ": " + gr.detail);
      }
    }
  };
  for (const kfix::FixResult& r : report.results) scan_gates(r.gates, r.finding.file + " " + r.finding.check);
  for (const kfix::ObjectFix& o : report.objects) scan_gates(o.gates, "object " + std::to_string(o.object_index));
  std::printf("  the fix pipeline: %zu results, %zu object patches, %lld mismatches, report %s with the self-check\n",
              report.results.size(), report.objects.size(), gate_mismatches, same_report ? "the same" : "DIFFERENT");
  return mismatches == 0 && gate_mismatches == 0 && same_report && patches > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: corpus_rescan_test CORPUS_DIR\n");
    return 2;
  }
  kfix::LoadPathsOptions lo;
  lo.jobs = 2;
  auto loaded = kfix::LoadPaths({argv[1]}, lo);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.status().ToString().c_str());
    return 2;
  }
  kfix::LoadResult all = kfix::MergeLoadedFiles(std::move(*loaded));
  std::printf("%zu objects\n", all.manifests.size());
  int failed = 0;
  failed |= Run(all.manifests, false);
  failed |= Run(all.manifests, true);
  std::printf(failed ? "FAIL\n" : "OK\n");
  return failed;
}
