// kfix/remediate.hpp - the remediation layer: fix generators that turn one
// finding into the smallest RFC 6902 patch resolving exactly that finding.
//
// A generator looks only at the object the finding is about (plus an optional
// cross-object `FixContext`), never mutates it, and returns a `FixProposal`:
//   * kProposed with a non-empty patch: an automatic fix (still to be vetted by
//     the guard layer, include/kfix/guard.hpp);
//   * kNothingToDo: the object already satisfies the check (the idempotence
//     signal: running a generator on its own output yields this);
//   * kNeedsReview: no safe automatic fix; `reason` says why and `patch` may
//     hold a *suggestion* that is never auto-applied;
//   * kUnfixable: nothing to propose; `reason` says why.
//
// Patches are relative to the object (Manifest::root). Every op value is a
// deep copy, pointers are built token by token (escaped once), parents are
// added only when missing, and ephemeral containers never receive fields they
// cannot carry (resources, ports, probes, lifecycle).
//
// Thread safety: all functions are reentrant; a FixConfig / FixContext may be
// shared read-only between threads.
//
// Example:
//   kfix::FixConfig config;                       // documented defaults
//   kfix::FixProposal p = kfix::ProposeFix(manifest.root, finding, config);
//   if (p.status == kfix::ProposalStatus::kProposed) Use(p.patch);
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/rules.hpp"
#include "kfix/status.hpp"

namespace kfix {

/// Fix profile. kMinimal (default): only ops that target the finding.
/// kHarden: the reference's hardening chain (remediation.md §5 k–q) is
/// appended as extra ops labelled OpRole::kHardening.
enum class FixProfile { kMinimal, kHarden };
/// "minimal" / "harden".
const char* FixProfileName(FixProfile p) noexcept;
Result<FixProfile> ParseFixProfile(std::string_view name);

/// Defaults and policies for fixes (the `fix:` section of the config file;
/// see docs/remediation.md for the keys and their defaults).
struct FixConfig {
  FixProfile profile = FixProfile::kMinimal;
  // Resources (strings in Kubernetes quantity syntax).
  std::string cpu_request = "100m";
  std::string memory_request = "128Mi";
  std::string cpu_limit = "500m";
  std::string memory_limit = "256Mi";
  // Identities.
  std::int64_t run_as_user = 10001;
  std::int64_t run_as_group = 10001;
  // Kind-specific defaults.
  std::int64_t job_ttl_seconds_after_finished = 3600;
  std::string pdb_unhealthy_pod_eviction_policy = "AlwaysAllow";
  std::int64_t min_replicas = 3;  ///< for minimum-three-replicas / hpa-minimum-three-replicas
  // Image policy for latest-tag: an exact image (as written) or a repository
  // (image without tag/digest) mapped to its replacement (a tagged or
  // digest-pinned reference). Images not in the map are refused
  // (needs-review): kfix never invents a tag.
  std::map<std::string, std::string> image_pins;
  // Guardrails.
  /// Protected namespaces: exact names, or prefixes ending in "*"; matched
  /// case-insensitively.
  std::vector<std::string> protected_namespaces = {"kube-system", "kube-public", "kube-node-lease",
                                                   "istio-system", "linkerd*"};
  /// Protected namespaces that are explicitly allowed anyway (same syntax).
  std::vector<std::string> allowed_namespaces;
  std::size_t max_ops = 16;  ///< budget gate: maximum ops in one patch
  /// Checks never fixed automatically (their findings become needs-review).
  std::set<std::string> disabled_checks;
};

/// Parses a FixConfig from a config file's text: YAML or JSON. When the
/// document has a top-level `fix:` mapping, that section is read; otherwise
/// the whole document is taken as the section. Unknown keys and wrong types
/// are errors naming the key (and line when known).
Result<FixConfig> ParseFixConfig(std::string_view text, std::string_view source_name = "");
/// Same from an already-parsed section value (an object).
Result<FixConfig> FixConfigFromValue(const Value& section, std::string_view source_name = "");
/// The effective configuration as a JSON-compatible value (all keys).
Value FixConfigToValue(const FixConfig& config);

/// Cross-object facts a few generators and gates need (built once per lint
/// context): ServiceAccounts, Services' selectors and target ports, Secrets.
struct FixContext {
  std::set<std::string> service_accounts;  ///< "namespace/name" ("" namespace = unspecified)
  std::set<std::string> secrets;           ///< "namespace/name"
  /// Ports Services target by name or number, per namespace: "ns/8080", "ns/http".
  std::set<std::string> service_target_ports;
  bool has_service_accounts = false;       ///< at least one ServiceAccount object was seen
  /// The rule set whose findings are fixed. Generators read a check's
  /// effective parameters from it (unsafe-sysctls: `unsafeSysCtls`), so a fix
  /// removes what the configured check flags; null: the built-in catalog's
  /// defaults.
  std::shared_ptr<const RuleSet> rules;

  /// Builds the index from all objects of one lint context.
  static FixContext Build(const std::vector<Manifest>& objects, std::shared_ptr<const RuleSet> rules = nullptr);
  /// Whether a ServiceAccount `name` exists in namespace `ns` ("" matches any).
  bool HasServiceAccount(std::string_view ns, std::string_view name) const;
};

enum class ProposalStatus { kProposed, kNothingToDo, kNeedsReview, kUnfixable };
/// "proposed", "nothing-to-do", "needs-review", "unfixable".
const char* ProposalStatusName(ProposalStatus s) noexcept;

/// Why an op is in a patch.
enum class OpRole { kTarget, kHardening };

struct FixProposal {
  ProposalStatus status = ProposalStatus::kUnfixable;
  std::string reason;          ///< why needs-review / unfixable, or a one-line summary of the fix
  Patch patch;                 ///< the fix, or (needs-review) a suggestion
  std::vector<OpRole> roles;   ///< parallel to `patch`
  bool auto_applicable = false;///< true only for kProposed
  std::string generator;       ///< generator name (the check or policy it serves)
};

/// Proposes the fix for one finding on `object` (the finding's object).
/// `context` may be null (cross-object generators then say needs-review).
/// Never throws; malformed objects yield kUnfixable with a reason.
FixProposal ProposeFix(const Value& object, const Finding& finding, const FixConfig& config,
                       const FixContext* context = nullptr);

/// Whether a generator exists for this check name or policy id, and whether
/// it can produce automatic (kProposed) fixes with the default config.
bool HasAutoFix(std::string_view check_or_policy) noexcept;
/// The checks (kube-linter names and kfix policy ids) with automatic fixes.
std::vector<std::string> AutoFixableChecks();

/// Merges several patches for one object into one. Identical ops are kept
/// once; two ops on the same path (or one on a prefix of the other's path)
/// with different effects are a conflict (kPatchConflict naming both paths).
/// Ops keep the order of their first appearance.
Result<Patch> MergePatches(const std::vector<Patch>& patches);

}  // namespace kfix
