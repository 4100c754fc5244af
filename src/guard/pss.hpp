// Internal: the privilege gate's table, the Kubernetes Pod Security
// Standards (baseline and restricted) field by field, plus kfix's own
// hardening facts (settings that are not in the standards but whose loss is a
// weakening). docs/remediation.md § "The privilege gate" lists every row.
//
// An object's evaluation is a set of violations, one per control, subject
// (the pod or one container) and offending value. The privilege gate refuses
// a patch when the patched object has a violation the original did not have,
// so a patch can never make an object fail a level it passed, nor loosen a
// control further on an object that already failed it.
//
// Thread safety: reentrant.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"

namespace kfix::internal {

enum class PssLevel { kBaseline, kRestricted, kKfix };
/// "baseline", "restricted", "kfix".
const char* PssLevelName(PssLevel level) noexcept;

struct PssViolation {
  PssLevel level = PssLevel::kBaseline;
  const char* control = "";  ///< e.g. "host-namespaces", "seccomp" (a string literal)
  /// "pod" or `container "web"` (init/ephemeral containers say so), shared by
  /// the violations of one subject.
  std::shared_ptr<const std::string> subject;
  /// The offending field and value, e.g. "hostNetwork=true": `fixed_detail`
  /// when it is constant text (static storage), else `detail_text`.
  const char* fixed_detail = nullptr;
  std::string detail_text;

  std::string_view Subject() const noexcept { return subject ? std::string_view(*subject) : std::string_view(); }
  std::string_view Detail() const noexcept {
    return fixed_detail ? std::string_view(fixed_detail) : std::string_view(detail_text);
  }
  /// The identity compared between before and after.
  std::string Key() const;
  /// "restricted/seccomp: container \"web\": seccompProfile.type is not set ..."
  std::string Describe() const;
};

/// Every violation of `object` (a workload viewed by ViewWorkload; nothing
/// for other kinds), in a stable order.
std::vector<PssViolation> EvaluatePodSecurity(const std::optional<WorkloadView>& view);

/// The highest level the violations allow: "restricted", "baseline" or
/// "privileged" (kfix facts do not count).
const char* PssHighestLevel(const std::vector<PssViolation>& violations) noexcept;

}  // namespace kfix::internal
