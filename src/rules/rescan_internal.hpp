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
#include <unordered_map>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/rules.hpp"
#include "rules/internal.hpp"

namespace kfix::internal {

/// The declared reads of a rule set's checks, indexed by base and by each pattern's first token,
/// so that a patch's paths find the checks they touch in a few lookups.
class ReadIndex {
 public:
  enum class Affect : std::uint8_t { kNone, kContainers, kAll };
  /// `reads[i]`: check i's declared reads; nullptr: check i is never rescanned here (not affected).
  /// The CheckReads must outlive the index.
  explicit ReadIndex(const std::vector<const CheckReads*>& reads);

  struct Result {
    std::vector<Affect> affect;  ///< per check
    std::size_t containers = 0;  ///< the object's containers (positions in workload->containers)
    /// For kContainers: check i's touched containers (1 each) at [i * containers, (i + 1) * containers).
    std::vector<char> masks;
    const char* Mask(std::size_t check) const { return masks.data() + check * containers; }
  };
  /// What `patch` touches of each check's reads on `obj`, the patched object (its kind, and so
  /// where its pod spec is, is the original's unless the patch touches it, which affects every
  /// check). A path touches a pattern when one is a prefix of the other (`*` and a final `-`
  /// match any token); a per-container check touched only inside some containers' fields is
  /// kContainers, with those containers; at or above a container (a list, a whole container, the
  /// pod spec) it is kAll. `test` ops touch nothing.
  void Touched(const Patch& patch, const ObjectInfo& obj, Result* out) const;

 private:
  struct Ref {
    std::uint32_t check;
    std::uint32_t pattern;
  };
  /// The patterns with one first token.
  struct FirstToken {
    std::vector<Ref> only;  ///< of that one token
    std::vector<std::pair<std::string, std::vector<Ref>>> second;  ///< by their second token (not "*")
    std::vector<Ref> wild_second;                                  ///< second token "*"
  };
  struct BaseIndex {
    std::unordered_map<std::string, FirstToken> by_first;  ///< by the pattern's first token
    std::vector<Ref> wild_first;                           ///< first token "*"
    std::vector<std::uint32_t> checks;                     ///< every check with a pattern here
  };
  std::vector<const CheckReads*> reads_;
  BaseIndex bases_[4];                    ///< by CheckReads::Base
  std::vector<std::uint32_t> everything_;  ///< checks that read everything
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
