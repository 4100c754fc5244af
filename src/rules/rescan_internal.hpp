// rules/rescan_internal.hpp - rescanning a patched object with only the checks a patch can affect.
//
// Every check declares what it reads (CheckReads, rules/internal.hpp). For a patch, the ops' paths
// are the touched paths; a check whose reads no touched path overlaps (one a prefix of the other,
// `*` matching any token) reports on the patched object exactly what it reported on the original,
// so its baseline findings are carried over; a per-container check touched only inside some
// containers is rerun on those containers only. The result is what a full scan of the patched
// object alone reports (the guard's rescan gate; docs/remediation.md), which the guard can check
// (GuardState::verify_rescan, KFIX_VERIFY_RESCAN=1).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/rules.hpp"
#include "rules/internal.hpp"

namespace kfix::internal {

/// The paths one patch touches on one object, classified against the object's pod spec, pod
/// metadata and containers (positions in ObjectInfo::workload->containers).
class PatchTouches {
 public:
  /// `obj`: the patched object (its kind, and so where its pod spec is, is the original's unless
  /// the patch touches it, which affects every check). `test` ops touch nothing.
  /// Both must outlive this (it points into them).
  PatchTouches(const Patch& patch, const ObjectInfo& obj);
  PatchTouches(Patch&&, const ObjectInfo&) = delete;

  enum class Affect { kNone, kContainers, kAll };
  /// Whether the patch touches what `reads` reads: not at all, only inside some containers of a
  /// per-container check (`mask` is then sized to the containers, 1 for each touched one), or more.
  Affect Affects(const CheckReads& reads, std::vector<char>* mask) const;

 private:
  struct Touch {
    const std::vector<std::string>* tokens = nullptr;  ///< the op's path, relative to the object
    std::string text;              ///< its pointer text, without a final "/-" (the list itself)
    /// Where the part below the pod spec / pod metadata starts in `text` (npos: not below it);
    /// at or above them, `under_pod` / `under_pod_meta` alone.
    std::size_t pod_rest = std::string::npos;
    std::size_t pod_meta_rest = std::string::npos;
    bool under_pod = false;        ///< at, above or below the pod spec
    bool under_pod_meta = false;   ///< same for the pod metadata
    bool in_container_list = false;  ///< below a container list of the pod spec
    /// Inside one container's field: that container's position (else -1), with the part after the
    /// container's index starting at `container_rest` in `text`.
    std::int32_t container = -1;
    std::size_t container_rest = 0;
    bool container_structure = false;  ///< at a container list or a whole container
  };
  bool Overlaps(const Touch& t, const CheckReads::Pattern& p, bool* whole) const;

  const ObjectInfo* obj_;
  std::vector<Touch> touches_;
  // The touched texts by base, sorted, for lookups by pattern (views into touches_[i].text):
  // the whole path, the part below the pod spec / pod metadata, and below a container (with its
  // position). `*_whole_`: some touch is at or above that base (or is a container list or a whole
  // container), so it overlaps every pattern of the base.
  std::vector<std::string_view> object_, pod_, pod_meta_;
  std::vector<std::pair<std::string_view, std::int32_t>> containers_;
  bool pod_whole_ = false, pod_meta_whole_ = false, containers_whole_ = false;
  std::size_t pod_depth_ = 0;
  std::size_t pod_meta_depth_ = 0;
  bool everything_ = false;  ///< a path every check reads (kind, apiVersion, name, namespace, annotations)
};

/// RuleSet::Scan that also gives, for each finding of `report->findings`, the position in
/// ObjectInfo::workload->containers of the container it was reported in (-1: outside
/// ForContainers). False (nothing scanned) when `rules` is not kfix's own rule set.
bool ScanWithContainers(const RuleSet& rules, const std::vector<Manifest>& objects, const ScanOptions& options,
                        ScanReport* report, std::vector<std::int32_t>* containers);

/// An object's baseline, as RescanAffected reads it.
struct RescanBaseline {
  const std::vector<Finding>* findings = nullptr;         ///< the baseline's findings
  const std::vector<std::int32_t>* containers = nullptr;  ///< from ScanWithContainers, per finding
  const std::vector<std::uint32_t>* of_object = nullptr;  ///< the object's findings (indices)
};

/// Declared reads that replace a check's own (tests: a deliberately wrong declaration).
using ReadsOverride = std::map<std::string, CheckReads, std::less<>>;

struct RescanStats {
  int run = 0;       ///< checks rerun on the whole object
  int partial = 0;   ///< checks rerun on some containers
  int carried = 0;   ///< checks whose findings were carried over
};

/// The findings of checks that look at the object alone (CheckInfo::needs_lint_context false) on
/// `patched` (the original object with `patch` applied; as a one-object Scan with
/// LintContext::kPerFile reports them, object_index 0), running only what the patch can affect and
/// carrying the rest over from `before`. nullopt when it cannot (a RuleSet implemented elsewhere,
/// ignorePaths configured): the caller then scans in full. Findings rerun on some containers only
/// are numbered (`sequence`) in container order.
std::optional<std::vector<Finding>> RescanAffected(const RuleSet& rules, const Manifest& patched, const Patch& patch,
                                                   const RescanBaseline& before,
                                                   const ReadsOverride* overrides = nullptr,
                                                   RescanStats* stats = nullptr);

/// The first difference between a full rescan's findings and RescanAffected's (every field but
/// `sequence`), naming the check; "" when they are equal.
std::string DescribeRescanMismatch(const std::vector<Finding>& full, const std::vector<Finding>& affected);

}  // namespace kfix::internal
