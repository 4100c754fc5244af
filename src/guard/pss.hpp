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
#include <utility>
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
  /// the violations of one subject and owned by the PssViolations holding it.
  const std::string* subject = nullptr;
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
  /// Same identity as Key() compares, without building the keys; constant
  /// texts are compared by address first. `known_same`, when given, is a pair
  /// of subjects already found equal (this one's, then o's); it is updated.
  bool SameAs(const PssViolation& o, const std::string** known_same = nullptr) const noexcept;
};

/// An evaluation's violations, in its order, and the subject texts they point
/// at (moving it keeps the pointers valid). Iterates like a vector.
struct PssViolations {
  std::vector<PssViolation> list;
  std::vector<std::unique_ptr<const std::string>> subjects;
  /// Where the violations of each container of the view (in its order) start
  /// in `list`: the pod's come first, then each container's, one block each.
  std::vector<std::size_t> container_begin;

  /// [first, last) of the `k`-th container's block in `list`.
  std::pair<std::size_t, std::size_t> ContainerBlock(std::size_t k) const noexcept {
    return {container_begin[k], k + 1 < container_begin.size() ? container_begin[k + 1] : list.size()};
  }

  std::vector<PssViolation>::const_iterator begin() const noexcept { return list.begin(); }
  std::vector<PssViolation>::const_iterator end() const noexcept { return list.end(); }
  std::size_t size() const noexcept { return list.size(); }
  bool empty() const noexcept { return list.empty(); }
  const PssViolation& operator[](std::size_t i) const noexcept { return list[i]; }
};

/// Every violation of `object` (a workload viewed by ViewWorkload; nothing
/// for other kinds), in a stable order.
PssViolations EvaluatePodSecurity(const std::optional<WorkloadView>& view);

/// The violations of the `k`-th container of `view` alone: the block
/// EvaluatePodSecurity(view) lists for it (it reads the container and the
/// pod's securityContext and os). Precondition: view.pod_spec, k in range.
PssViolations EvaluateContainerPodSecurity(const WorkloadView& view, std::size_t k);

/// The highest level the violations allow: "restricted", "baseline" or
/// "privileged" (kfix facts do not count).
const char* PssHighestLevel(const PssViolations& violations) noexcept;

}  // namespace kfix::internal
