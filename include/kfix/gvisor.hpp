// kfix/gvisor.hpp - the gVisor migration playbook: classify workloads for
// runc -> gVisor (runsc), plan the migration with an integrity hash, and decide
// the apply / rollback patches with idempotency stamps (docs/playbooks-gvisor.md).
//
// Everything here is pure: manifests (or live objects exported from a
// cluster), optional cluster facts, options and a timestamp go in; reports,
// plans, RFC 6902 patches and result envelopes come out. Executing a patch is
// an adapter's job (examples/adapters/).
//
// The flow:
//   1. ExtractWorkloads(): one row per workload owner (never per pod).
//   2. Classify() / ScanWorkloads(): the 15 rules with stable ids, optional
//      fact-driven refinements and a severity override file, aggregated into
//      compatible / review / incompatible.
//   3. BuildPlan(): partition, integer risk score, total order, and the plan
//      hash over {"steps", "options"} (kfix canonical JSON, or the
//      agentmoat Go-layout bytes as a profile). LoadPlan() refuses a plan
//      whose hash no longer matches its content.
//   4. Apply() / Rollback(): per-step status (applied, already-applied,
//      skipped, failed) over a supplied live state, forward and rollback
//      patches passed through kfix's guard gates, namespace stamps
//      `agentmoat.io/plan-hash`, preflight over cluster facts, audit lines.
//   5. Verify(): compares supplied pods with the plan.
//
// Errors: nothing throws; fallible functions return Status / Result<T>.
// Every report and record has exactly one ToValue() (JSON schemas in
// docs/json-schema/gvisor-*.schema.json).
//
// Thread safety: all functions are reentrant; results are plain values owned
// by the caller. An AuditLog passed in options is used through its own mutex.
//
// Example:
//   kfix::LoadResult in = kfix::LoadFile("deploy.yaml");
//   kfix::gvisor::CompatibilityReport report = kfix::gvisor::ScanWorkloads(in.manifests, {});
//   kfix::gvisor::PlanOptions po;
//   kfix::gvisor::MigrationPlan plan = kfix::gvisor::BuildPlan(report, po, {});
//   std::cout << kfix::ToJson(kfix::gvisor::ToValue(plan), kfix::JsonStyle::kPretty);
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/status.hpp"

namespace kfix {
class AuditLog;
class RuleSet;
}  // namespace kfix

namespace kfix::gvisor {

/// apiVersion of every document this playbook writes.
inline constexpr const char* kApiVersion = "agentmoat.io/v1alpha1";
/// Namespace annotation holding the hash of the plan applied there.
inline constexpr const char* kStampAnnotation = "agentmoat.io/plan-hash";
/// `schemaVersion` of the compatibility report.
inline constexpr const char* kReportSchemaVersion = "kfix.gvisor.scan/v1";

// ---------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------

enum class Severity { kInfo = 0, kWarn = 1, kError = 2 };
/// "info", "warn", "error".
const char* SeverityName(Severity s) noexcept;
/// Parses "info" / "warn" / "error" (exact). nullopt otherwise.
std::optional<Severity> ParseSeverity(std::string_view s) noexcept;

enum class Compatibility { kCompatible, kReview, kIncompatible };
/// "compatible", "review", "incompatible".
const char* CompatibilityName(Compatibility c) noexcept;

/// Process exit codes (playbooks.md §1.12); the CLI returns them as is.
enum class ExitCode : int {
  kOk = 0,               ///< success, clean dry run, idempotent re-run
  kError = 1,            ///< error; tampered plan; apply/rollback: every step failed
  kIncompatible = 2,     ///< scan: at least one incompatible workload
  kPartial = 3,          ///< apply/rollback: some failed, some applied / already applied
  kVerifyFailed = 4,     ///< verify: a mismatch or an error
  kPreflightBlocked = 5, ///< apply: the cluster cannot host the RuntimeClass; nothing mutated
};

// ---------------------------------------------------------------------------
// Workloads
// ---------------------------------------------------------------------------

/// One workload owner: what the classifier reads.
struct Workload {
  std::string kind;       ///< Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob
  std::string namespace_; ///< metadata.namespace, or ExtractOptions::default_namespace
  std::string name;
  Value pod_spec;         ///< the pod spec (an object; null when absent)
  Value labels;           ///< the controller's own metadata.labels (not the template's); null when absent
  Value annotations;      ///< the controller's own metadata.annotations; null when absent
  /// Init-container images then main-container images, declared order
  /// (ephemeral containers ignored).
  std::vector<std::string> image_refs;
  SourceLocation source;  ///< file/document/line of the object
};

struct ExtractOptions {
  /// Report workloads in kube-system, kube-public, kube-node-lease,
  /// kube-flannel and any namespace starting with "kube-".
  bool include_system = false;
  /// Namespace of objects without metadata.namespace (kubectl's default).
  std::string default_namespace = "default";
};

struct ExtractResult {
  /// Sorted by (namespace, kind, name); one row per (kind, namespace, name).
  std::vector<Workload> workloads;
  /// Duplicates and objects without a name, each naming file and line.
  std::vector<Status> warnings;
  std::int64_t skipped_system = 0;  ///< rows left out for their system namespace
  std::int64_t skipped_owned = 0;   ///< Pods / Jobs left out because a controller owns them
};

/// True for kube-system, kube-public, kube-node-lease, kube-flannel and "kube-*".
bool IsSystemNamespace(std::string_view ns) noexcept;

/// Extracts workload owners from manifests or live objects. Kinds other than
/// the six are ignored (ReplicaSets are never reported). A Pod whose
/// controller ownerReference (controller: true) is a ReplicaSet,
/// StatefulSet, DaemonSet or Job is dropped, and so is a Job whose controller
/// is a CronJob. Of two objects with the same kind, namespace and name the
/// one whose canonical JSON sorts first is kept, so the rows do not depend on
/// the input order (a warning names both places).
ExtractResult ExtractWorkloads(const std::vector<Manifest>& objects, const ExtractOptions& options = {});

// ---------------------------------------------------------------------------
// Cluster facts
// ---------------------------------------------------------------------------

/// What an adapter read from the cluster (docs/playbooks-gvisor.md#facts).
/// All members are optional; an empty ClusterFacts changes nothing.
struct ClusterFacts {
  std::string runtime_class_name;   ///< the RuntimeClass the facts were gathered for ("" = unknown)
  std::optional<Value> runtime_class; ///< the RuntimeClass object; nullopt = not read, null = missing in the cluster
  std::vector<Value> nodes;         ///< Node objects (metadata.labels, spec.taints, status)
  bool nodes_known = false;         ///< the facts listed nodes (an empty list means "no nodes")
  std::string runsc_version;        ///< e.g. "release-20260831.0"; "" = unknown
  /// Driver versions runsc lists as supported by nvproxy; nullopt = not probed.
  std::optional<std::vector<std::string>> nvproxy_drivers;
  /// Outcome of the in-cluster nvproxy probe: "", "ok", "dry-run", "skipped", "failed".
  std::string nvproxy_probe;
  std::string nvproxy_probe_message;
};

/// Parses a facts document (YAML or JSON). kParseError with file:line:column
/// on malformed input or a member of the wrong type.
Result<ClusterFacts> ParseClusterFacts(std::string_view text, std::string_view file);
Result<ClusterFacts> LoadClusterFacts(const std::string& path);
/// The same from an already-parsed document (positions are the tree's).
Result<ClusterFacts> ClusterFactsFromValue(const Value& document, std::string_view file);

// ---------------------------------------------------------------------------
// Rules and classification
// ---------------------------------------------------------------------------

/// One rule of the catalogue.
struct RuleInfo {
  std::string id;                 ///< stable public id, e.g. "host-network"
  Severity default_severity = Severity::kInfo;
  std::string description;
  std::string remediation_url;
  bool refined = false;           ///< has a fact-driven refinement (gpu-passthrough, systemd-init)
};

/// The 15 rules, sorted by id (the evaluation order).
const std::vector<RuleInfo>& Rules();
/// nullptr for an unknown id.
const RuleInfo* FindRule(std::string_view id) noexcept;

/// Severity overrides (only `id` and `severity` of each entry are honoured).
struct RuleOverrides {
  std::map<std::string, Severity> severity;  ///< rule id -> new severity
  /// Entries skipped or not applicable: missing id, bad severity, unknown id.
  std::vector<Status> warnings;
};

/// Parses an override file: top-level `overrides:` list of {id, severity,
/// description?, remediationUrl?, source?}. Missing id, a severity outside
/// info|warn|error and unknown ids are warnings (each with file:line);
/// malformed YAML or a wrong shape is kParseError with file:line:column.
Result<RuleOverrides> ParseRuleOverrides(std::string_view text, std::string_view file);
Result<RuleOverrides> LoadRuleOverrides(const std::string& path);
/// The same from an already-parsed document (positions are the tree's).
Result<RuleOverrides> RuleOverridesFromValue(const Value& document, std::string_view file);

/// One fired rule.
struct Reason {
  std::string rule_id;
  Severity severity = Severity::kInfo;
  std::string description;  ///< rule text, plus a refinement note when facts changed it
  std::string remediation_url;
};

/// The verdict on one workload.
struct WorkloadResult {
  std::string kind, namespace_, name;
  Compatibility compatibility = Compatibility::kCompatible;
  std::vector<Reason> reasons;  ///< sorted by rule id
  std::string recommendation;   ///< never empty
  std::string overhead;         ///< "" when no info rule hints at overhead
  SourceLocation source;
};

struct ClassifyOptions {
  const ClusterFacts* facts = nullptr;      ///< refinements; null = none
  const RuleOverrides* overrides = nullptr; ///< null = none
};

/// True when a main container's PID 1 is systemd (playbooks.md §1.2).
bool RunsSystemdAsPid1(const Value& container) noexcept;

/// Evaluates every rule in id order on one workload.
WorkloadResult Classify(const Workload& workload, const ClassifyOptions& options = {});

/// A compatibility report (`kfix gvisor scan`).
struct CompatibilityReport {
  std::vector<WorkloadResult> workloads;  ///< sorted by (namespace, kind, name)
  std::vector<Status> warnings;           ///< extraction and override warnings
  std::int64_t compatible = 0, review = 0, incompatible = 0;
  /// kIncompatible when any workload is incompatible, else kOk.
  ExitCode exit_code() const noexcept;
};

struct ScanOptions {
  ExtractOptions extract;
  ClassifyOptions classify;
};
/// ExtractWorkloads + Classify on each row; extraction and override warnings
/// are copied into the report.
CompatibilityReport ScanWorkloads(const std::vector<Manifest>& objects, const ScanOptions& options = {});

// ---------------------------------------------------------------------------
// Plans
// ---------------------------------------------------------------------------

/// How planHash is computed.
enum class HashProfile {
  /// kfix: SHA-256 of AuditCanonicalJson({"steps", "options"}) (sorted keys,
  /// compact, empty members dropped so nil == empty).
  kKfix,
  /// agentmoat (newest): SHA-256 of Go encoding/json bytes, struct field order,
  /// omitempty on runtimeClassName, waitFor, notes and every option.
  kAgentmoat,
  /// agentmoat before addToleration became an option: as kAgentmoat but the
  /// options carry no addToleration member (the spec's test vector).
  kAgentmoatV1,
};
/// "kfix", "agentmoat", "agentmoat-v1".
const char* HashProfileName(HashProfile p) noexcept;
std::optional<HashProfile> ParseHashProfile(std::string_view s) noexcept;

struct PlanOptions {
  std::int64_t batch_size = 0;   ///< reserved: hashed, ignored by the serial applier
  std::int64_t max_parallel = 0; ///< reserved: hashed, ignored by the serial applier
  bool include_review = false;   ///< plan `review` workloads too
  std::string runtime_class_name = "gvisor";  ///< "" is defaulted to "gvisor" before hashing
  bool add_toleration = false;   ///< also add the {runtime=gvisor:NoSchedule} toleration
};

struct Target {
  std::string kind, namespace_, name;
};

struct Step {
  std::int64_t order = 0;  ///< 1-based
  Target target;
  std::string action = "set-runtime-class";
  std::string runtime_class_name;
  bool add_toleration = false;
  std::string wait_for;    ///< Ready (Deployment/StatefulSet/DaemonSet), Running (Job/CronJob/Pod), else ""
  std::int64_t risk_score = 0;
  std::string notes;       ///< "flagged: a, b" or ""
};

struct ExcludedWorkload {
  Target target;
  Compatibility compatibility = Compatibility::kCompatible;
  std::string reason;
};

struct PlanSummary {
  std::int64_t total = 0, included = 0, excluded = 0;
};

/// Values the planner does not hash.
struct PlanMetadata {
  std::string generated_at;  ///< RFC 3339; supplied by the caller (no clock here)
  std::string cluster;       ///< free text, e.g. the kube context
};

struct MigrationPlan {
  PlanMetadata metadata;
  std::string kfix_version;
  HashProfile hash_profile = HashProfile::kKfix;
  std::string plan_hash;     ///< 64 lowercase hex; "" only in a loaded plan that had none
  PlanOptions options;       ///< effective (runtime class defaulted)
  std::vector<Step> steps;
  PlanSummary summary;
  std::vector<ExcludedWorkload> excluded;
  std::vector<std::string> warnings;  ///< from facts; not hashed
};

/// Risk score: kind weight (Deployment/Job/CronJob 0, Pod 1, DaemonSet 3,
/// StatefulSet 5, other 1) + warn reasons (one +2, two or more +3) +
/// network-throughput 2 + syscall-heavy 1.
std::int64_t RiskScore(const WorkloadResult& result) noexcept;

/// The pure planner. `facts` (optional) only adds warnings.
MigrationPlan BuildPlan(const CompatibilityReport& report, const PlanOptions& options, const PlanMetadata& metadata,
                        HashProfile profile = HashProfile::kKfix, const ClusterFacts* facts = nullptr);

/// The exact bytes hashed for `steps` + `options` under `profile`.
std::string PlanHashBytes(const std::vector<Step>& steps, const PlanOptions& options, HashProfile profile);
/// Lowercase hex SHA-256 of PlanHashBytes().
std::string PlanHash(const std::vector<Step>& steps, const PlanOptions& options, HashProfile profile);

/// Loads a MigrationPlan (YAML or JSON). The kind must be MigrationPlan; a
/// non-empty metadata.planHash must equal the hash recomputed from steps and
/// options (under metadata.hashProfile, or any profile when absent), else
/// kVerificationFailed "... failed its integrity check ...". Shape errors are
/// kParseError with file:line:column.
Result<MigrationPlan> ParsePlan(std::string_view text, std::string_view file);
Result<MigrationPlan> LoadPlan(const std::string& path);

// ---------------------------------------------------------------------------
// Patches, preflight, apply, rollback
// ---------------------------------------------------------------------------

/// The JSON Pointer of the pod spec for a kind ("" optional = unsupported).
std::optional<JsonPointer> GvisorPodSpecPointer(std::string_view kind);

/// Forward and rollback patches of one step, generated together.
struct StepPatches {
  /// add <podspec>/runtimeClassName; with addToleration, the toleration
  /// {key: runtime, operator: Equal, value: gvisor, effect: NoSchedule}:
  /// `add .../tolerations` when the object has none, else `test` of the
  /// current list (the precondition: no toleration with key "runtime") and
  /// `add .../tolerations/-`; nothing when such a toleration already exists.
  Patch forward;
  /// test <podspec>/runtimeClassName == name, then remove it. The toleration
  /// is deliberately left behind (harmless without the taint).
  Patch rollback;
  std::vector<std::string> notes;
};

/// Builds both patches for a step against the live object (null = unknown:
/// the toleration is appended with `add .../tolerations/-`, which fails
/// atomically when the list is absent). kInvalidArgument for an empty
/// runtimeClassName or an unsupported kind.
Result<StepPatches> BuildStepPatches(const Step& step, const Value* live_object);

struct PreflightFinding {
  std::string id;
  Severity severity = Severity::kInfo;
  std::string message;
};

struct PreflightReport {
  std::vector<PreflightFinding> findings;  ///< error, warn, info, then by id
  bool ready = true;                       ///< no error finding
};

/// Evaluates the cluster facts for hosting `runtime_class_name`
/// (playbooks.md §1.11). `add_toleration`: the plan adds the runtime
/// toleration (counts for runtimeclass-taint-without-toleration).
PreflightReport Preflight(const ClusterFacts& facts, std::string_view runtime_class_name, bool add_toleration = false);

enum class StepStatus { kApplied, kAlreadyApplied, kSkipped, kFailed };
/// "applied", "already-applied", "skipped", "failed".
const char* StepStatusName(StepStatus s) noexcept;

/// One gate outcome of the guard (as kfix::GateResult, repeated here to keep
/// this header free of the guard layer).
struct StepGate {
  std::string name;
  bool passed = false;
  std::string detail;
};

struct StepResult {
  std::int64_t order = 0;
  Target target;
  StepStatus status = StepStatus::kSkipped;
  Patch patch;              ///< the RFC 6902 patch of this step (empty when none is needed)
  std::string error;        ///< why it failed or was skipped
  std::vector<StepGate> gates;  ///< guard gates the patch passed (empty when not vetted)
};

/// A namespace annotation patch to send after the steps.
struct StampPatch {
  std::string namespace_;
  Patch patch;  ///< JSON patch on the Namespace object
};

struct RunSummary {
  std::int64_t total = 0, applied = 0, already_applied = 0, skipped = 0, failed = 0;
};

/// ApplyResult / RollbackResult.
struct RunResult {
  std::string kind;          ///< "ApplyResult" or "RollbackResult"
  std::string action;        ///< "apply" or "rollback"
  std::string generated_at;
  std::string cluster;
  std::string plan_hash;
  bool dry_run = true;
  std::optional<PreflightReport> preflight;  ///< apply with facts only
  RunSummary summary;
  std::vector<StepResult> steps;     ///< plan order
  std::vector<StampPatch> stamps;    ///< namespaces to stamp (apply) or unstamp (rollback); sorted
  std::vector<std::string> namespaces;  ///< namespaces the plan touches, de-duplicated, sorted
  std::vector<Status> warnings;      ///< audit append failures, live-state problems
  ExitCode exit_code = ExitCode::kOk;
};

struct RunOptions {
  /// Dry run (the default): compute every patch, mark the envelope dryRun.
  /// false marks it for execution by an adapter and lets stamp patches out.
  bool dry_run = true;
  /// Apply only: run the preflight over `facts` (when given) and block on
  /// any error finding.
  bool skip_preflight = false;
  const ClusterFacts* facts = nullptr;
  /// The live objects (workloads and Namespaces). nullopt: not supplied
  /// (every stamp reads empty, patches are built without the object).
  const std::vector<Manifest>* live = nullptr;
  /// Rules for the guard's rescan gate (null: rescan gate skipped).
  std::shared_ptr<const RuleSet> rules;
  /// Each step is appended as a "gvisor.apply.step" / "gvisor.rollback.step"
  /// record (dry runs included). An append failure becomes a warning.
  AuditLog* audit = nullptr;
  std::string generated_at;
  std::string cluster;
};

/// Walks the steps in plan order (serial). Stamp == planHash ->
/// already-applied; otherwise the forward patch is built and vetted by the
/// guard (a rejected patch or a missing live object -> failed); else
/// applied. Namespaces with no failed step get a stamp patch.
RunResult Apply(const MigrationPlan& plan, const RunOptions& options);
/// Walks the steps in reverse (without a live state every namespace is
/// assumed stamped by this plan, with a warning): empty stamp -> already-applied; another
/// plan's stamp -> skipped (the stamp survives); missing workload or no
/// runtimeClassName -> already-applied; else test+remove. Stamps are
/// cleared where every step succeeded. Steps are returned in plan order.
RunResult Rollback(const MigrationPlan& plan, const RunOptions& options);

/// Applies a run's step and stamp patches to `objects` (what an adapter
/// would do to the cluster): a simulator for tests and what-if runs. Steps
/// that are not `applied` are not touched. Returns the first failure.
Status ApplyRunToObjects(const RunResult& run, std::vector<Manifest>& objects);

/// Appends one "gvisor.plan" record (hash, options, step count) to `log`.
Status AuditPlan(AuditLog& log, const MigrationPlan& plan);

// ---------------------------------------------------------------------------
// Verify
// ---------------------------------------------------------------------------

enum class VerifyStatus { kOk, kMismatch, kError };
/// "ok", "mismatch", "error".
const char* VerifyStatusName(VerifyStatus s) noexcept;

struct VerifyStepResult {
  std::int64_t order = 0;
  Target target;
  VerifyStatus status = VerifyStatus::kError;
  std::int64_t pods = 0;      ///< pods selected
  std::string message;
};

struct VerifyReport {
  std::string plan_hash;
  std::vector<VerifyStepResult> steps;
  std::int64_t total = 0, ok = 0, mismatch = 0, error = 0;
  ExitCode exit_code = ExitCode::kOk;  ///< kVerifyFailed when any step is not ok
};

/// Per step: selects the pods of the controller (in `live`: the controller's
/// spec.selector, CronJob through its Jobs' ownerReferences, a Pod itself)
/// and checks each pod's spec.runtimeClassName and, with facts, that its node
/// matches the RuntimeClass nodeSelector. Missing controller or zero pods ->
/// error.
VerifyReport Verify(const MigrationPlan& plan, const std::vector<Manifest>& live, const ClusterFacts* facts = nullptr);

// ---------------------------------------------------------------------------
// The options document (one schema for the CLI flags, the C ABI and Python)
// ---------------------------------------------------------------------------

/// Every option of the playbook, as one document (JSON or YAML), every member
/// optional (docs/playbooks-gvisor.md#options):
///   {"includeSystem": bool, "includeReview": bool, "addToleration": bool,
///    "runtimeClassName": "gvisor", "profile": "kfix|agentmoat|agentmoat-v1",
///    "batchSize": int, "maxParallel": int, "generatedAt": "RFC 3339",
///    "cluster": "name", "execute": bool, "skipPreflight": bool,
///    "overrides": {"overrides": [...]}, "facts": {...cluster facts...}}
/// Not copyable cheaply (facts hold Node objects); pass by reference.
struct Options {
  ExtractOptions extract;
  PlanOptions plan;
  HashProfile profile = HashProfile::kKfix;
  PlanMetadata metadata;
  std::optional<RuleOverrides> overrides;
  std::optional<ClusterFacts> facts;
  bool execute = false;         ///< apply/rollback: mark the envelope for execution (dryRun false)
  bool skip_preflight = false;  ///< apply: do not run the preflight over the facts

  /// ScanOptions pointing into this object (which must outlive them).
  ScanOptions scan_options() const;
  /// RunOptions pointing into this object; `live` and `audit` as given.
  RunOptions run_options(const std::vector<Manifest>* live, AuditLog* audit = nullptr) const;
};

/// Reads the options document. Unknown members, wrong types, a bad profile,
/// an empty runtimeClassName and errors inside "overrides" / "facts" are
/// kParseError / kInvalidArgument naming `source`, line and column.
Result<Options> OptionsFromValue(const Value& document, std::string_view source = "options");
/// JSON or YAML text ("" = defaults).
Result<Options> ParseOptions(std::string_view text, std::string_view source = "options");

// ---------------------------------------------------------------------------
// Serialisation (one per record; schemas in docs/json-schema/)
// ---------------------------------------------------------------------------

Value ToValue(const Reason& reason);
Value ToValue(const WorkloadResult& result);
Value ToValue(const CompatibilityReport& report);  ///< gvisor-scan.schema.json
Value ToValue(const Step& step);
Value ToValue(const PlanOptions& options);
Value ToValue(const MigrationPlan& plan);          ///< gvisor-plan.schema.json
Value ToValue(const PreflightReport& report);
Value ToValue(const StepResult& step);
Value ToValue(const RunResult& result);            ///< gvisor-run.schema.json
Value ToValue(const VerifyReport& report);         ///< gvisor-verify.schema.json

/// Human-readable scan table.
std::string ToText(const CompatibilityReport& report);

}  // namespace kfix::gvisor
