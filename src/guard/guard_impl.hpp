// Internal: the guard's state behind the public Guard (guard.cpp) and the
// fix pipeline (pipeline/fix.cpp), which owns one directly.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "guard/pss.hpp"
#include "kfix/guard.hpp"
#include "rules/rescan_internal.hpp"

namespace kfix {

namespace internal {

class GuardState {
 public:
  GuardState(std::shared_ptr<const RuleSet> rules, FixConfig config, std::vector<Manifest> objects);

  /// Full-context scan, computed once.
  const ScanReport& Baseline() const;
  /// Moves the baseline out (computing it first if needed); the state must
  /// not be used for vetting afterwards (its owner, the fix pipeline, is done).
  ScanReport TakeBaseline();
  /// Frees the texts of baseline finding `id` (left empty): for a pipeline
  /// that has settled the finding's object and handed its result (which
  /// carries a copy) over. Nothing reads an object's baseline findings once
  /// the object is settled; only that finding is written.
  void ReleaseBaselineFinding(std::size_t id);
  /// Indices into Baseline().findings of object `index`'s findings.
  const std::vector<std::uint32_t>& BaselineOf(std::size_t index) const;
  /// FindingKey of object `index`'s baseline findings from checks that look at
  /// the object alone (cross-object checks excluded), computed once per object.
  const std::vector<std::string>& LocalBeforeKeys(std::size_t index) const;
  /// Findings of the patched object: local checks only (the object scanned
  /// alone), or all checks within the full context. `after` is moved in and
  /// handed back unchanged.
  std::vector<Finding> ScanAfter(std::size_t index, Value& after, bool full_context) const;
  /// ScanAfter(index, after, false) for `after` = the object with `patch`
  /// applied, rescanning only the checks (and containers) the patch can
  /// affect and carrying the other findings over from the baseline
  /// (rules/rescan_internal.hpp); a full scan when that cannot be done. With
  /// verify_rescan, the full scan runs too and `mismatch` receives their first
  /// difference ("" when none; the full scan's findings are returned then).
  std::vector<Finding> ScanAfterPatch(std::size_t index, Value& after, const Patch& patch,
                                      std::string* mismatch = nullptr) const;
  /// Local findings of several patched versions of object `index` in one
  /// Scan call (each version is its own lint context). With `patches` (one
  /// per version: the patch that made it), each version is rescanned as
  /// ScanAfterPatch rescans it instead.
  std::vector<std::vector<Finding>> ScanAfterBatch(std::size_t index, std::vector<Value>& afters,
                                                   const std::vector<const Patch*>* patches = nullptr) const;
  /// All nine gates; every target finding must be gone. `budget` 0 =
  /// config.max_ops. `after_findings`, when given, are the local findings of
  /// the patched object (from ScanAfterBatch) and replace the rescan's scan;
  /// `after_value`, when given, is the patch applied to the object (the
  /// verdict's `patched` then stays null). With `defer_rescan` the rescan
  /// gate is recorded as passed with detail "deferred" and the caller must
  /// settle it (SettleVerdict) before using the verdict. `scratch`, when
  /// given (and `after_value` is not), is a working copy of the object that
  /// only the calling thread uses: the patch is applied to it in place and
  /// undone before Vet returns, instead of being applied to a fresh copy
  /// (the verdict's `patched` then stays null).
  Verdict Vet(std::size_t index, const Patch& patch, const std::vector<const Finding*>& targets,
              std::size_t budget = 0, const std::vector<Finding>* after_findings = nullptr,
              const Value* after_value = nullptr, bool defer_rescan = false, Value* scratch = nullptr) const;

  /// External patch text through every gate (Guard::VetText): the budget
  /// from a byte count before parsing, extraction (ExtractPatch, against
  /// `extract_against` when given, e.g. the redacted object a model saw;
  /// else the object), `rewrite` on the extracted patch (restoring redacted
  /// values), then Vet. An extraction or rewrite error fails the "structure"
  /// gate.
  Verdict VetText(std::size_t index, std::string_view text, const std::vector<const Finding*>& targets,
                  const Value* extract_against = nullptr, const std::function<Status(Patch&)>& rewrite = {}) const;

  /// What the gates need of an unchanged object, computed once per object
  /// (lazily, thread-safe): its workload view and its privilege facts.
  struct BeforeFacts {
    std::optional<WorkloadView> view;
    PssViolations violations;  ///< EvaluatePodSecurity(view), in its order
  };
  const BeforeFacts& Before(std::size_t index) const;
  /// The keys (PssViolation::Key) of Before(index).violations, made on first
  /// use (lazily, thread-safe): most patches keep the violations in order and
  /// never need them.
  const std::set<std::string>& PrivilegeKeys(std::size_t index) const;
  /// Frees what was computed for object `index` (its before facts and
  /// baseline keys) once the caller is done vetting it: the object must not be
  /// vetted again. The fix pipeline calls it per object, so these per-object
  /// facts do not all stay alive until the end of the run.
  void Release(std::size_t index) const;

  /// The configuration checks Guard::Create applies (OK or the reason).
  static Status ValidateConfig(const FixConfig& config);

  /// Recomputes accepted/reason from the gates.
  static void SettleVerdict(Verdict& v);

  std::shared_ptr<const RuleSet> rules;
  FixConfig config;
  /// How the baseline is scanned (threads; the lint context). Set before the
  /// first Baseline() call.
  ScanOptions scan_options;
  std::vector<Manifest> objects;
  FixContext fix_context;
  /// Enabled checks that need the whole lint context (CheckInfo::needs_lint_context).
  std::set<std::string> context_checks;
  /// Whether findings of `check` must be rescanned within the whole lint
  /// context: the rule set's catalog (or the built-in one) says so.
  bool IsCrossObjectCheck(std::string_view check) const;

  /// The rescan gate's self-check: every affected-only rescan is compared
  /// with a full one, and a difference fails the gate naming the check whose
  /// declared reads missed the patch (and is printed on stderr). On when the
  /// environment has KFIX_VERIFY_RESCAN=1 at construction; tests set it.
  bool verify_rescan = false;
  /// Tests: declared reads that replace some checks' own.
  const internal::ReadsOverride* reads_override = nullptr;
  /// What the rescans did (for tests and measurements).
  struct RescanCounters {
    std::atomic<std::int64_t> affected{0};  ///< rescans of only what a patch affects
    std::atomic<std::int64_t> full{0};      ///< full local rescans
    std::atomic<std::int64_t> checks_run{0}, checks_partial{0}, checks_carried{0};
    std::atomic<std::int64_t> mismatches{0};  ///< verify_rescan: affected-only rescans that differed
  };
  mutable RescanCounters rescan_counters;

 private:
  mutable std::once_flag baseline_flag;
  mutable ScanReport baseline;
  /// Per baseline finding, its container (ScanWithContainers); empty when
  /// the rule set is not kfix's own (then every rescan is a full one).
  mutable std::vector<std::int32_t> baseline_containers;
  mutable bool baseline_has_containers = false;
  mutable std::vector<std::vector<std::uint32_t>> baseline_by_object;
  mutable std::vector<std::vector<std::string>> local_before_keys;
  mutable std::unique_ptr<std::once_flag[]> isolated_flags;
  // Per object, made on first use by the thread that vets the object: a
  // pointer per object up front, not 250 bytes of facts per object
  // initialised on the one thread that builds the state.
  mutable std::vector<std::unique_ptr<BeforeFacts>> before_facts;
  mutable std::unique_ptr<std::once_flag[]> before_flags;
  mutable std::vector<std::unique_ptr<std::set<std::string>>> privilege_keys;
  mutable std::unique_ptr<std::once_flag[]> privilege_key_flags;
};

}  // namespace internal
}  // namespace kfix
