// kfix/escape.hpp - the container-escape playbook: detect escape attempts in
// Kubernetes audit and runtime events, plan a deterministic quarantine (a
// deny-all NetworkPolicy, or a pod kill / node drain), gate every action,
// record it in the signed audit log and re-verify it for drift.
//
// The behaviour follows the msaad00/cloud-ai-security-skills container-escape
// skill (detector + remediation handler + shared verifier), specified in
// playbooks.md §3; docs/playbooks-escape.md lists where kfix differs.
//
//   events ──Detect──► findings ──ParseFindings──► InputFinding
//                                                   │
//          live objects ──ClusterSnapshot──────────►├─ Plan      remediation_plan / skip records
//                                                   ├─ Apply     gates → audit in_progress → executor → audit success/failure
//                                                   └─ Reverify  remediation_verification (+ drift finding)
//
// Everything is pure: events, findings and live objects come in as text or
// values, time comes from the injected `AuditClock`, the mutating step is a
// caller-supplied `ActionExecutor` (an adapter: kubectl, a client library),
// and the audit trail is kfix's hash-chained, signed `AuditLog`.
//
// Gates. Every per-finding decision is made by `Decide()`, in this order, and
// Plan/Apply/Reverify all go through it (one place):
//   0. producer lock: metadata.product.feature.name (native: source_skill)
//      must be exactly "detect-container-escape-k8s" -> warning, no record;
//      missing namespace/type/name -> warning `missing_target_context`;
//   1. protected namespace (trimmed, case-insensitive; an entry ending in
//      "-" is a prefix) -> `would-violate-deny-list` (plan, reverify) /
//      `skipped_deny_list` (apply);
//   2. apply: cluster name present, 3. apply: cluster name in the allow-list
//      -> `skipped_cluster_boundary`;
//   4. selector from the live objects (pod labels; workload
//      spec.selector.matchLabels, else template labels) -> else
//      `skipped_unsupported_target`;
//   5. pod-kill / node-drain need an explicit pod -> `skipped_unsupported_target`;
//   6. node-drain needs the pod's node, and no pod of a protected namespace
//      may share it -> `skipped_unsupported_target` / deny-list status.
// `Apply()` first checks the process-level gate (`CheckApplyGate`: incident,
// approver, cluster name, allow-list present and listing the cluster, and for
// node-drain a second approver different from the first); when it fails,
// nothing is recorded, written or executed.
//
// Errors. Nothing here throws. Parsers never stop at a bad line: each bad
// line becomes a Status naming the file and 1-based line (kParseError for
// text that is not a JSON object, kInvalidArgument for wrong member types or
// unsupported classes) and the other lines are still used.
//
// Thread safety: all functions are reentrant; `ClusterSnapshot` is a plain
// value, safe to share for reading.
//
// Example:
//   kfix::escape::DetectResult d = kfix::escape::Detect({{"audit.jsonl", text}}, {});
//   kfix::escape::FindingsInput in = kfix::escape::ParseFindings(findings_text, "findings.jsonl");
//   kfix::escape::ClusterSnapshot cluster;
//   cluster.AddObjects(kfix::LoadManifests(live_yaml, "live.yaml").manifests);
//   kfix::escape::RunOptions options;
//   options.clock = kfix::SystemAuditClock();
//   kfix::escape::RunResult plans = kfix::escape::Plan(in.findings, cluster, options);
//   for (const auto& r : plans.records) std::puts(kfix::ToJson(kfix::escape::OutputToValue(r)).c_str());
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "kfix/audit.hpp"
#include "kfix/core.hpp"
#include "kfix/status.hpp"

namespace kfix::escape {

/// The detector's name; the only producer the remediation accepts.
inline constexpr const char* kDetectorSkill = "detect-container-escape-k8s";
/// The remediation's name (source_skill of every record it writes).
inline constexpr const char* kRemediationSkill = "remediate-container-escape-k8s";
/// `canonical_schema_version` of every native record.
inline constexpr const char* kCanonicalSchemaVersion = "2026-04";

// ---------------------------------------------------------------------------
// Detection
// ---------------------------------------------------------------------------

/// How findings are rendered: OCSF 1.8 Detection Finding (class 2004,
/// type_uid 200401) or the native `detection_finding` record.
enum class FindingFormat { kOcsf, kNative };
/// "ocsf" / "native".
const char* FindingFormatName(FindingFormat format) noexcept;
/// Parses "ocsf" / "native" (kInvalidArgument otherwise).
Result<FindingFormat> ParseFindingFormat(std::string_view name);

/// One named input stream of JSON lines (a file, or "-" for stdin).
struct EventSource {
  std::string name;  ///< used in error locations
  std::string text;  ///< JSON lines; blank lines are ignored
};

struct DetectOptions {
  /// Actors or groups whose exec is benign for r4 (exact match after
  /// trimming). Default: system:masters.
  std::vector<std::string> known_operators = {"system:masters"};
  /// Rendering of DetectResult findings by FindingToValue callers (the CLI).
  FindingFormat format = FindingFormat::kOcsf;
  /// Optional: the time_ms of a finding whose events carry no time (0 when unset).
  AuditClock clock;
};

/// MITRE ATT&CK reference (v14).
struct MitreAttack {
  std::string version = "v14";
  std::string tactic_uid, tactic_name, technique_uid, technique_name;
};

/// A finding observable ({name, type "Other", value}).
struct Observable {
  std::string name;
  std::string value;
};

/// One detection. `uid` = "det-k8s-<rule>-<a>-<t>" with <a>, <t> the first 8
/// hex of SHA-256 of `actor` and of `target` ("type/ns/name[/subresource]",
/// empty parts skipped).
struct Finding {
  std::string rule;  ///< e.g. "r1-risky-spec-patch"
  std::string uid;
  std::string title;
  std::string description;
  int severity_id = 0;  ///< 4 high, 5 critical
  std::int64_t time_ms = 0;  ///< = last_seen_ms
  std::int64_t first_seen_ms = 0;
  std::int64_t last_seen_ms = 0;
  MitreAttack attack;
  std::string actor;
  std::string target;
  std::vector<Observable> observables;
  std::int64_t evidence_count = 0;
};

/// OCSF 2004 or native detection_finding, members in the reference order.
Value FindingToValue(const Finding& finding, FindingFormat format);

struct DetectResult {
  /// r1..r5 findings, de-duplicated per rule on actor + target + evidence,
  /// stably sorted by time_ms (rule order r1..r5 among equal times).
  std::vector<Finding> findings;
  /// Lines that were not used: bad JSON or not an object (kParseError), a
  /// member of the wrong type, an unsupported OCSF class or record type
  /// (kInvalidArgument). Each names the source and 1-based line.
  std::vector<Status> errors;
  std::int64_t events = 0;  ///< lines that became events
};

/// Runs the five rules over every event of every source (one window: r4's
/// recent-deployer lookup spans all sources).
DetectResult Detect(const std::vector<EventSource>& sources, const DetectOptions& options);

// ---------------------------------------------------------------------------
// Findings in (the remediation's input contract)
// ---------------------------------------------------------------------------

/// A detection finding as the remediation reads it (OCSF 2004 or native).
struct InputFinding {
  SourceLocation where;        ///< file and line it came from
  std::string producer;        ///< metadata.product.feature.name (native: source_skill)
  std::string finding_uid;     ///< finding_info.uid, else metadata.uid (native: finding_uid), else ""
  std::map<std::string, std::string> observables;  ///< first value per name
  std::string target;          ///< top-level `target` ("type/ns/name[/...]"), "" when absent
};

struct FindingsInput {
  std::vector<InputFinding> findings;
  /// Bad lines (file:line): not JSON / not an object (kParseError), a class
  /// other than 2004 or a record other than detection_finding, a member of
  /// the wrong type (kInvalidArgument).
  std::vector<Status> errors;
};

/// Parses JSON lines of findings. Never fails as a whole.
FindingsInput ParseFindings(std::string_view text, std::string_view file);

// ---------------------------------------------------------------------------
// Live cluster objects
// ---------------------------------------------------------------------------

/// The live objects the remediation reads, as `kubectl get -o yaml` prints
/// them (Pods with labels and spec.nodeName, workloads, Nodes,
/// NetworkPolicies; `kind: List` is expanded by the loader). Lookups are by
/// namespace + name; a later object with the same identity replaces an
/// earlier one.
class ClusterSnapshot {
 public:
  /// Adds every object; objects of other kinds are ignored.
  void AddObjects(const std::vector<Manifest>& manifests);
  void AddObject(const Value& object);

  /// When set, the cluster counts as unreachable: Reverify reports
  /// `unreachable` with this status's message (never `verified`).
  void SetUnreachable(Status why) { unreachable_ = std::move(why); }
  const Status& unreachable() const noexcept { return unreachable_; }

  const Value* FindPod(std::string_view ns, std::string_view name) const;
  /// `resource_type` is the plural resource (deployments, daemonsets,
  /// statefulsets, replicasets, replicationcontrollers, jobs, cronjobs).
  const Value* FindWorkload(std::string_view resource_type, std::string_view ns, std::string_view name) const;
  const Value* FindNode(std::string_view name) const;
  const Value* FindNetworkPolicy(std::string_view ns, std::string_view name) const;
  /// Pods whose spec.nodeName is `node`, sorted by namespace/name.
  std::vector<const Value*> PodsOnNode(std::string_view node) const;

 private:
  std::map<std::string, Value> objects_;  // "<resource>/<ns>/<name>"
  std::map<std::string, std::set<std::string>> pods_by_node_;  // node -> pod keys
  Status unreachable_;
};

// ---------------------------------------------------------------------------
// Quarantine: naming, manifests, gates
// ---------------------------------------------------------------------------

enum class ActionMode { kQuarantine, kPodKill, kNodeDrain };
/// "quarantine", "pod-kill", "node-drain".
const char* ActionModeName(ActionMode mode) noexcept;
Result<ActionMode> ParseActionMode(std::string_view name);

/// Default protected namespaces: kube-system, kube-public, istio-system,
/// linkerd, linkerd- (prefix).
const std::vector<std::string>& DefaultProtectedNamespaces();
/// The matching entry when `ns` (trimmed, case-insensitive) is protected by
/// `patterns` (an entry ending in "-" is a prefix, others are exact); ""
/// when it is not.
std::string ProtectedNamespaceMatch(std::string_view ns, const std::vector<std::string>& patterns);

/// Labels (key -> value).
using Selector = std::map<std::string, std::string>;

/// The selector as hashed in policy names: keys sorted, no spaces, Python
/// json.dumps escaping (non-ASCII as \uXXXX), e.g. {"app":"api"}.
std::string SelectorJson(const Selector& selector);

/// "ce-quarantine-" + base[:35] + "-" + digest, cut to 63, trailing "-"
/// trimmed; digest = first 10 hex of SHA-256 of "ns|type|name|<SelectorJson>",
/// base = name lower-cased, "_" and "." -> "-", other non [a-z0-9-] dropped,
/// outer "-" trimmed, "target" when empty. Always a DNS-1123 label.
std::string PolicyName(std::string_view ns, std::string_view resource_type, std::string_view resource_name,
                       const Selector& selector);

/// The deny-all NetworkPolicy (networking.k8s.io/v1) for `selector`.
Value QuarantineManifest(std::string_view ns, std::string_view policy_name, const Selector& selector);

/// Who approved an apply, and where it may run.
struct ApplyRequest {
  std::string incident_id;
  std::string approver;
  std::string second_approver;  ///< required (and different) for node-drain
  std::string cluster_name;
  std::vector<std::string> allowed_clusters;
};

/// Splits "a,b , c" into trimmed, non-empty names.
std::vector<std::string> SplitClusterList(std::string_view list);

/// The process-level gate, in order: incident id, approver, cluster name,
/// non-empty allow-list, cluster listed (exact), and for node-drain a second
/// approver that is present and differs from the first (exact compare).
/// kPermissionDenied naming the first missing item.
Status CheckApplyGate(const ApplyRequest& request, ActionMode mode);

enum class Operation { kPlan, kApply, kReverify };

struct RunOptions {
  ActionMode mode = ActionMode::kQuarantine;
  std::vector<std::string> protected_namespaces = DefaultProtectedNamespaces();
  AuditClock clock;  ///< required: record times (time_ms, action_at, checked_at_ms)
  /// Verification SLA (remediated_at + sla_ms); 15 minutes by default.
  std::int64_t sla_ms = 15 * 60 * 1000;
  /// node-drain re-verification: the drained node, for when the evicted pod
  /// (whose spec.nodeName names it) is gone. "" = take it from the pod.
  std::string node_name;
};

/// Where a finding points after extraction (observables, then the `target`
/// string, then pod.name).
struct Target {
  std::string namespace_;
  std::string resource_type;
  std::string resource_name;
  std::string pod_name;
  std::string producer;
  std::string finding_uid;
};

/// A target with its live selector and everything derived from it.
struct ResolvedTarget {
  Target target;
  Selector selector;
  std::string policy_name;
  Value manifest;
  std::string effective_pod_name;  ///< pod.name, or the name when the type is pods
  std::string node_name;           ///< the pod's spec.nodeName, "" when unknown
};

/// The gates' verdict for one finding.
struct Decision {
  bool proceed = false;      ///< all gates passed
  bool emit_record = true;   ///< false for producer-lock / missing-context skips (warning only)
  std::string status;        ///< skip status when !proceed ("" when proceeding)
  std::string detail;        ///< why
  bool plan_shaped = false;  ///< the skip record carries the resolved target (drain deny-list)
  Target target;
  ResolvedTarget resolved;   ///< valid when proceed or plan_shaped
  std::vector<std::string> node_pods;  ///< node-drain: "ns/name" of every pod on the node
};

/// Target extraction and gates 0-6 for one finding (see the file comment).
/// `request` is consulted under kApply only.
Decision Decide(const InputFinding& finding, const ClusterSnapshot& cluster, Operation op,
                const RunOptions& options, const ApplyRequest& request);

// ---------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------

/// One step of a plan or action.
struct ActionStep {
  std::string step;      ///< apply_quarantine_network_policy, kill_target_pod, cordon_and_drain_node
  std::string endpoint;  ///< e.g. "UPSERT /apis/networking.k8s.io/v1/namespaces/<ns>/networkpolicies/<name>"
  std::string status;
  std::string detail;
};

/// Reference to the audit entries of an applied action.
struct AuditRef {
  std::string row_uid;       ///< "rce-" + 16 hex
  std::string evidence_key;  ///< container-escape/audit/YYYY/MM/DD/<ns>/<name>/<action_at>-<step>.json
  std::int64_t log_seq = 0;  ///< seq in the audit log (0 when no log was given)
  std::string log_hash;      ///< hash of that line ("" when no log)
};

/// remediation_plan (dry run), remediation_action (apply) and their skip
/// records (`actions` empty, `status_detail` set).
struct RemediationRecord {
  bool dry_run = true;  ///< record_type remediation_plan when true
  bool skip = false;
  Target target;
  ActionMode mode = ActionMode::kQuarantine;
  std::string policy_name;
  Selector selector;
  std::vector<ActionStep> actions;  ///< one step, or none for a skip
  std::string status;
  std::string status_detail;  ///< skips only
  std::int64_t time_ms = 0;
  Value manifest;  ///< quarantine mode only (null otherwise)
  std::string effective_pod_name;
  std::string node_name;
  // apply only
  bool has_audit = false;
  AuditRef audit;
  std::string incident_id, approver, secondary_approver;
  std::vector<std::string> drained_pods;  ///< node-drain success: "ns/name"
  std::vector<std::string> evict_pods;    ///< node-drain in_progress hand-off: pods the adapter evicts
};
Value RemediationRecordToValue(const RemediationRecord& record);

/// The two-phase audit envelope (record_type remediation_audit).
struct AuditEnvelope {
  std::string row_uid;  ///< "rce-" + 16 hex of SHA-256 of "ns|type|name|step|action_at"
  Target target;
  std::string step;
  std::string status;  ///< in_progress, success, failure
  std::string status_detail;
  std::string incident_id, approver, policy_name;
  ActionMode mode = ActionMode::kQuarantine;
  std::string action_at;  ///< ISO-8601 UTC with offset, e.g. 2026-04-10T05:10:00.250000+00:00
  std::string secondary_approver;
};
Value AuditEnvelopeToValue(const AuditEnvelope& envelope);

enum class VerificationStatus { kVerified, kDrift, kUnreachable };
/// "verified", "drift", "unreachable".
const char* VerificationStatusName(VerificationStatus status) noexcept;

/// remediation_verification (the shared verifier contract + skill fields).
struct VerificationRecord {
  std::string record_uid;  ///< "rev-" + 16 hex of SHA-256 of "skill|action_uid|target_identifier|checked_at_ms"
  std::string action_uid;  ///< = policy name in every mode
  std::string target_identifier;  ///< "ns/type/name"
  std::string original_finding_uid;
  std::int64_t remediated_at_ms = 0;
  VerificationStatus status = VerificationStatus::kUnreachable;
  std::int64_t checked_at_ms = 0;
  std::int64_t sla_deadline_ms = 0;
  std::string expected_state, actual_state, detail;
  Target target;
  std::string policy_name;
  Selector selector;
  std::string endpoint;  ///< GET .../networkpolicies/<name>
};
Value VerificationRecordToValue(const VerificationRecord& record);

/// The OCSF 2004 drift finding emitted with every `drift` verification.
/// uid = "rev-" + 16 hex of SHA-256 of "drift|skill|action_uid|target_identifier".
Value DriftFindingToValue(const VerificationRecord& record);

/// One output line, in emission order.
using OutputRecord = std::variant<RemediationRecord, AuditEnvelope, VerificationRecord>;
/// The record's ToValue; a VerificationRecord renders as the verification
/// record (its drift finding is a separate DriftFindingToValue line).
Value OutputToValue(const OutputRecord& record);

/// Called for each approved mutating step after its `in_progress` audit entry
/// is durable. `record` is the remediation_action in status in_progress (it
/// carries the manifest, pod, node and pods to evict). Return OK when the
/// step was carried out; an error becomes status `failure` with its message.
using ActionExecutor = std::function<Status(const RemediationRecord& record)>;

struct RunResult {
  /// Records in emission order. Plan: one per finding (except producer-lock
  /// and missing-context skips). Apply: for each executed action, the
  /// in_progress envelope, the success/failure envelope, then the action
  /// record. Reverify: the verification record (its drift finding is
  /// rendered from the same record, see `JsonLines`).
  std::vector<OutputRecord> records;
  /// Producer-lock and missing-context skips, with the finding's file:line.
  std::vector<Status> warnings;
  /// First fatal error (an audit write failed: nothing after it ran).
  Status status;
};

/// Dry-run plans.
RunResult Plan(const std::vector<InputFinding>& findings, const ClusterSnapshot& cluster, const RunOptions& options);

/// Gated apply. CheckApplyGate first: on failure returns it in
/// `status` with no records, no audit entries and no executor calls. Then per
/// finding: Decide; a skip yields a skip record and no audit entry; an
/// approved action appends `in_progress` to `log` (when non-null), calls
/// `executor`, then appends `success` / `failure`. With a null executor the
/// action is handed off: the record stays `in_progress` (the adapter applies
/// it) and only the first envelope is written.
RunResult Apply(const std::vector<InputFinding>& findings, const ClusterSnapshot& cluster, const RunOptions& options,
                const ApplyRequest& request, AuditLog* log, const ActionExecutor& executor);

/// Read-only re-verification: verified / drift / unreachable only.
RunResult Reverify(const std::vector<InputFinding>& findings, const ClusterSnapshot& cluster,
                   const RunOptions& options);

/// Every record of `result` as compact JSON lines (a drift verification is
/// followed by its drift finding), each ending in "\n".
std::string JsonLines(const RunResult& result);

// ---------------------------------------------------------------------------
// Options documents (one schema for the C ABI, Python and any host)
// ---------------------------------------------------------------------------

/// {"format": "ocsf"|"native", "knownOperators": [names], "nowMs": ms}; null =
/// defaults. "knownOperators" adds to system:masters; "nowMs" sets `clock` to
/// that fixed time. kInvalidArgument naming the member on a wrong type, an
/// unknown value or an unknown member.
Result<DetectOptions> DetectOptionsFromValue(const Value& options);
/// {"mode": "quarantine"|"pod-kill"|"node-drain", "protectedNamespaces":
/// [patterns] (replaces the defaults), "slaMs": ms, "nodeName": node, "nowMs":
/// ms}; null = defaults. Without "nowMs" the clock is left unset for the
/// caller to supply. The ApplyRequest members are accepted (and ignored), so
/// one document can carry both.
Result<RunOptions> RunOptionsFromValue(const Value& options);
/// {"incidentId", "approver", "secondApprover", "clusterName": strings,
/// "allowedClusters": [names] or "a,b"}; other members (the run options) are
/// ignored, so one document can carry both. Missing members stay empty (the
/// gate, not the parser, refuses them).
Result<ApplyRequest> ApplyRequestFromValue(const Value& options);

// ---------------------------------------------------------------------------
// Forensic bundle (deterministic layout)
// ---------------------------------------------------------------------------

struct ForensicBundle {
  std::string bytes;   ///< gzip(tar)
  std::string sha256;  ///< lowercase hex of `bytes`
  /// [{path, size, sha256}] sorted by path.
  Value artifacts;
};

/// tar (ustar entries sorted by name, mode 0644, mtime 0, uid/gid 0, empty
/// owner names; a pax header for names over 100 bytes or non-ASCII), padded
/// to 10240-byte records, then gzip (level 9, header mtime 0, no name, OS
/// 255), the layout Python's tarfile + gzip.GzipFile(mtime=0) produce.
/// kInvalidArgument for an empty or duplicate path or one with a NUL byte.
Result<ForensicBundle> BuildForensicBundle(const std::map<std::string, std::string>& artifacts);

/// "container-escape/audit/<sanitised incident>/<YYYYMMDDTHHMMSSZ>-<ns>-<sanitised target>-forensics.tar.gz".
std::string ForensicBundleKey(std::string_view incident_id, std::string_view ns, std::string_view target_name,
                              std::chrono::system_clock::time_point collected_at);
/// "ce-snap-<pvc[:39]>-<10 hex of sha256(ns|pvc|YYYYMMDDHHMMSS)>", capped at 63, trailing "-" trimmed.
std::string VolumeSnapshotName(std::string_view ns, std::string_view pvc,
                               std::chrono::system_clock::time_point collected_at);

}  // namespace kfix::escape
