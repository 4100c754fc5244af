// kfix/guard.hpp - guardrails for patches (kfix's own or external) and vetting
// of LLM / human proposals. The fix pipeline behind `kfix fix` (FixObjects,
// FixPaths) is in kfix/pipeline.hpp.
//
// Every patch goes through nine named gates, each reporting pass/fail with a
// detail:
//   1 structure   valid RFC 6902, op allowlist, pointers parse
//   2 apply       applies atomically to the target object
//   3 destructive no removal of containers / volumes still mounted / ports a
//                 Service or probe uses; no change of apiVersion, kind,
//                 metadata.name/namespace; no image change outside the
//                 configured pin policy; no service-account regression
//   4 privilege   never raises privileges (privileged, capabilities.add,
//                 host*, allowPrivilegeEscalation, runAsUser 0, ...)
//   5 namespace   protected namespaces are refused unless allowed
//   6 schema      touched fields exist in the Kubernetes API with the right type
//   7 rescan      the targeted finding is gone and no new finding appears on
//                 the object (the full enabled catalog)
//   8 idempotence the generator proposes nothing more for the targeted check
//   9 budget      op count within FixConfig::max_ops
// Gates after a failing "structure" or "apply" gate are reported as failed
// with detail "skipped: ...".
//
// Thread safety: a Guard is immutable after Create() and safe to share across
// threads. Free functions are reentrant.
//
// Example:
//   auto guard = kfix::Guard::Create(rules, config, manifests);
//   kfix::Verdict v = (*guard)->Vet(0, patch, &finding);
//   if (v.accepted) Write(v.patched);
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/remediate.hpp"
#include "kfix/rules.hpp"
#include "kfix/status.hpp"

namespace kfix {

namespace internal {
class GuardState;  // src/guard/guard_impl.hpp
}  // namespace internal

/// One gate's outcome.
struct GateResult {
  std::string name;    ///< "structure", "apply", "destructive", "privilege", "namespace", "schema", "rescan", "idempotence", "budget"
  bool passed = false;
  std::string detail;  ///< why it failed, or a short note when it passed
};

/// The outcome of vetting one patch against one object.
struct Verdict {
  bool accepted = false;
  std::string reason;              ///< first failing gate's detail, "" when accepted
  Patch patch;                     ///< the vetted patch (as parsed / extracted)
  std::vector<GateResult> gates;   ///< all nine, in order
  Value patched;                   ///< the patched object (null when the patch did not apply)
  std::vector<Finding> new_findings;  ///< findings the patch introduced (rescan gate)
};

/// What an external proposal looked like.
enum class PatchForm { kJsonPatch, kSingleOp, kMergePatch, kWholeObject };
const char* PatchFormName(PatchForm f) noexcept;

/// An extracted external proposal, always as an RFC 6902 patch.
struct ExtractedPatch {
  PatchForm form = PatchForm::kJsonPatch;
  Patch patch;
  std::string note;  ///< what was stripped (code fence, prose, ...)
};

/// Extracts a patch from raw model or human text: code fences and prose
/// around a JSON array, one bare op object, an RFC 6902 array, an RFC 7386
/// merge patch (an object that is not an op and has no apiVersion/kind), or a
/// whole "after" object (has kind/apiVersion: a minimal diff against
/// `object` is computed). YAML text is accepted too. Malformed input returns
/// kParseError (or kInvalidArgument) with a precise message; never throws.
Result<ExtractedPatch> ExtractPatch(std::string_view text, const Value& object);

/// Structural validation of an RFC 6902 document given as a Value (gate 1):
/// array of objects, op allowlist, `path` present and parseable, `value` for
/// add/replace/test, `from` for move/copy.
Result<Patch> ValidatePatchStructure(const Value& patch_json);

/// The guardrails bound to one lint context.
class Guard {
 public:
  /// `rules` may be null: the rescan gate then passes with detail "skipped".
  /// `context` is the lint context (all objects); the cross-object index is
  /// built once here.
  static Result<std::unique_ptr<Guard>> Create(std::shared_ptr<const RuleSet> rules, FixConfig config,
                                               std::vector<Manifest> context);
  ~Guard();
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

  const std::vector<Manifest>& objects() const noexcept;
  const FixConfig& config() const noexcept;
  const FixContext& fix_context() const noexcept;

  /// Findings of the whole context (computed once, lazily, thread-safe).
  const ScanReport& baseline() const;

  /// Vets `patch` against object `object_index`. `target` (optional) is the
  /// finding the patch claims to fix: with it the rescan gate requires that
  /// finding to be gone and the idempotence gate re-runs its generator.
  Verdict Vet(std::size_t object_index, const Patch& patch, const Finding* target = nullptr) const;

  /// Extracts (ExtractPatch) and vets external text. Extraction errors give a
  /// rejected verdict whose "structure" gate carries the error.
  Verdict VetText(std::size_t object_index, std::string_view text, const Finding* target = nullptr) const;

 private:
  explicit Guard(std::unique_ptr<internal::GuardState> state);
  std::unique_ptr<internal::GuardState> state_;
};

/// Verdict as JSON (`kfix verify`).
Value VerdictToValue(const Verdict& verdict);

}  // namespace kfix
