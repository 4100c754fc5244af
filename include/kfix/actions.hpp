// kfix/actions.hpp - the typed-actions playbook: self-healing through an
// intent allowlist (k8s4claw) and operator-approved SRE actions with recovery
// observation (kars-sre). Reference behaviour: playbooks.md §2 and §4;
// user documentation: docs/playbooks-actions.md.
//
// Everything here is pure: objects, pod statuses, events, namespace
// snapshots, `now` and keys come in; decisions, RFC 6902 patches, delete
// plans, records and next states go out. Nothing reads the wall clock, the
// network or global randomness. Nothing throws: errors are `Status` /
// `Result<T>` (kInvalidArgument for a rejected intent or action, kParseError
// for input that is not the expected shape).
//
// Parts:
// * Intents (§2.5): `ParseIntent` checks the five-action allowlist and every
//   parameter exactly; `ConsumeIntent` applies the generation guard (a
//   rejected intent never lowers the stored high-water mark and its claimed
//   generation is never trusted), clears only the intent annotation, and
//   turns the intent into an RFC 6902 patch on the object that went through
//   kfix's guard gates.
// * Signals and rules (§2.2-§2.4): `ExtractSignals`, `MatchRule`,
//   `SelectSignal`, `ResolveTarget` (multiply-1.5 capped at max, with
//   quantity arithmetic) and `DecideReconcile` (hourly budget of 5, one action
//   per reconcile, escalate the rest) as a pure function of state + signals +
//   clock. Auto-executed intents carry a receipt over the exact intent bytes.
// * Escalations (§2.7): the phase machine, the approval timeout by severity,
//   the policy check (allow / require_approval / deny, default deny) and the
//   re-validation of an approved proposal.
// * SRE actions (§4.1-§4.4): `ParseSreAction` (admission rules),
//   `ValidateSreAction` (the controller's order), `PlanSreAction` (RFC 6902 or
//   an explicit delete), `StepSreAction` (the state machine with injected
//   clock) and `CheckRecovery` (the recovery predicate).
// * Incident watcher (§4.5): `NormalizeName`, `Triage` (filtering, typed
//   targets, dedupe, CR reuse, priority, rate limiting, priming).
//
// Records: each record has one `ToValue()` whose JSON Schema lives in
// docs/json-schema/ (intent, consume-result, signal, reconcile-decision,
// escalation, sre-action-plan, sre-step, triage-result, watcher-state).
// `AuditRecords()` on results lists what must be appended to kfix's
// hash-chained audit log (`AppendActionAudit` does it).
//
// Thread safety: free functions are reentrant; all types are plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/audit.hpp"
#include "kfix/core.hpp"
#include "kfix/guard.hpp"
#include "kfix/status.hpp"

namespace kfix {

/// The clock type of this playbook (always supplied by the caller).
using ActionTime = std::chrono::system_clock::time_point;

/// One record for kfix's audit log: a type (e.g. "intent.executed") and the
/// record value.
struct ActionAuditRecord {
  std::string type;
  Value record;
};
/// Appends `records` in order to `log`; stops at the first failure.
Status AppendActionAudit(AuditLog& log, const std::vector<ActionAuditRecord>& records);

// ===========================================================================
// Part 1: k8s4claw intents, signals, rules, escalations (playbooks.md §2)
// ===========================================================================

/// §2.1. Rank 4/3/2/1; kUnknown ranks 0.
enum class SignalSeverity { kUnknown = 0, kLow = 1, kMedium = 2, kHigh = 3, kCritical = 4 };
/// "Critical", "High", "Medium", "Low", "" for kUnknown.
const char* SignalSeverityName(SignalSeverity s) noexcept;
/// Exact (case-sensitive) names; anything else is kUnknown.
SignalSeverity SignalSeverityFromName(std::string_view name) noexcept;
int SignalSeverityRank(SignalSeverity s) noexcept;

enum class TriggerType {
  kOOMKilled, kCrashLoop, kHighCPU, kHighMemory, kPodPending, kProbeFailure, kChannelDisconnect, kEvicted, kUnknown,
};
/// "OOMKilled", "CrashLoop", "HighCPU", ..., "Unknown".
const char* TriggerTypeName(TriggerType t) noexcept;
/// Exact names; anything else is kUnknown.
TriggerType TriggerTypeFromName(std::string_view name) noexcept;

/// A signal extracted from pod status (§2.2).
struct Signal {
  TriggerType type = TriggerType::kUnknown;
  SignalSeverity severity = SignalSeverity::kUnknown;
  std::int64_t count = 0;
  std::string message;
  std::string source;  ///< "pod/<name>" or "pod/<name>/<container>"
  Value raw;           ///< the status fragment the signal came from

  Value ToValue() const;
};

/// §2.2 over one Pod object (or anything with `status`): phase Failed with
/// reason Evicted → one Evicted/High/count 1 signal and nothing else; per
/// container status, last termination reason OOMKilled → OOMKilled/High with
/// count = restartCount, otherwise waiting reason CrashLoopBackOff →
/// CrashLoop/High with count = restartCount (OOM wins). Malformed parts are
/// skipped (they carry no signal); never fails.
std::vector<Signal> ExtractSignals(const Value& pod);

// ---- Intents (§2.5) --------------------------------------------------------

inline constexpr const char* kIntentAnnotation = "claw.prismer.ai/ops-intent";
inline constexpr const char* kIntentGenerationAnnotation = "claw.prismer.ai/ops-intent-gen";
inline constexpr const char* kRestartedAtAnnotation = "claw.prismer.ai/restartedAt";

/// A validated intent. Only `ParseIntent` / `MakeIntent` produce one.
struct Intent {
  std::string action;                         ///< one of the five
  std::map<std::string, std::string> params;  ///< exactly the allowed keys
  std::int64_t generation = 0;                ///< > 0
  std::string source;                         ///< "rule-engine" | "companion-claw"
  std::string escalation_ref;                 ///< optional ("" = absent)

  /// {action, params, generation, source[, escalationRef]} in that order.
  Value ToValue() const;
  /// Compact JSON of ToValue(): the exact bytes written to the annotation.
  std::string ToJson() const;
};

/// The five actions, in §2.5 order.
const std::vector<std::string>& IntentActions();

/// Checks action and params against the allowlist exactly (§2.5):
/// bump-memory / bump-cpu need `target`, a positive Kubernetes quantity;
/// restart-pod accepts an optional non-empty `strategy`; rollout-restart takes
/// no params; scale-replicas needs `replicas`, a decimal integer in [1, 10]
/// (no sign, no leading zeros, no spaces). Unknown, empty or differently
/// cased actions and unknown params are rejected (kInvalidArgument naming the
/// cause).
Status ValidateIntentAction(std::string_view action, const std::map<std::string, std::string>& params);

/// Builds an intent and validates it (ValidateIntentAction, generation > 0,
/// source one of the two).
Result<Intent> MakeIntent(std::string action, std::map<std::string, std::string> params, std::int64_t generation,
                          std::string source, std::string escalation_ref = {});

/// Parses and validates intent JSON as stored in the annotation. Strict: a
/// JSON object with exactly the members action (string), params (object of
/// strings; may be absent or null when empty), generation (integer > 0),
/// source (string, one of the two), escalationRef (optional string); no
/// duplicate or unknown members; at most 64 KiB. kParseError for JSON that is
/// not an intent shape, kInvalidArgument for a rejected action or param.
Result<Intent> ParseIntent(std::string_view json);

/// The stored high-water mark: the decimal value of the generation
/// annotation; missing, empty, non-numeric or negative counts as 0; a decimal
/// beyond int64 saturates at INT64_MAX (fail closed).
std::int64_t StoredGeneration(const Value& annotations) noexcept;

enum class IntentDecision { kExecute, kSkip, kReject };
/// "execute", "skip", "reject".
const char* IntentDecisionName(IntentDecision d) noexcept;

/// A pod that restart-pod deletes (the oldest by creationTimestamp, then name).
struct PodDeletion {
  std::string namespace_;
  std::string name;
};

struct ConsumeOptions {
  ActionTime now{};                    ///< stamps rollout-restart (RFC 3339 UTC)
  std::string container = "runtime";   ///< the container whose limits bump-* change
  /// The Claw's pods, for restart-pod (none → a successful no-op).
  std::vector<Value> pods;
  /// Guard configuration used to vet the effect patch.
  FixConfig guard_config;
};

/// What consuming the intent annotation of one object decided.
struct ConsumeResult {
  IntentDecision decision = IntentDecision::kSkip;
  std::string error;                       ///< why rejected / skipped ("" when executed)
  std::optional<Intent> intent;            ///< set when the intent parsed and validated
  std::int64_t stored_generation = 0;      ///< the high-water mark before
  std::int64_t next_generation = 0;        ///< after: the intent's generation on execute, else unchanged
  Value annotations;                       ///< the object's annotations after consumption (an object)
  Patch patch;                             ///< the effect on the object, vetted by the guard ([] unless executed)
  std::vector<GateResult> gates;           ///< the guard's gates for `patch` (empty when not vetted)
  std::optional<PodDeletion> delete_pod;   ///< restart-pod's deletion, if any

  /// {"decision", "annotations", "patch", "error"}: the `kfix intent consume`
  /// document (docs/json-schema/intent-consume.schema.json).
  Value ToValue() const;
  /// "intent.executed" / "intent.skipped" / "intent.rejected" record.
  std::vector<ActionAuditRecord> AuditRecords() const;
};

/// §2.5 consumption of `object`'s intent annotation:
/// 1. no intent annotation → kSkip with error "no intent";
/// 2. invalid intent → kReject; the intent key is cleared; the stored
///    generation is left exactly as it was (never lowered, never raised to the
///    claimed generation);
/// 3. generation ≤ stored → kSkip (stale or duplicate); intent key cleared;
/// 4. otherwise the effect is built as a patch on `object` and vetted by the
///    guard gates: accepted → kExecute, the stored generation becomes the
///    intent's; refused or impossible (no such container, kind without
///    replicas) → kReject with the reason, generation unchanged.
/// Every other annotation is kept as it was. Never fails.
ConsumeResult ConsumeIntent(const Value& object, const ConsumeOptions& options);

/// The effect of a validated intent on `object` as an RFC 6902 patch (not yet
/// vetted): bump-memory / bump-cpu set the container limit (a Claw object:
/// spec.resources.limits) and lower a request above it; rollout-restart adds
/// the pod-template annotation claw.prismer.ai/restartedAt = now;
/// scale-replicas sets spec.replicas; restart-pod has no patch.
Result<Patch> IntentPatch(const Intent& intent, const Value& object, const ConsumeOptions& options);

// ---- Rules (§2.3) ----------------------------------------------------------

struct Rule {
  std::string id;
  TriggerType signal_type = TriggerType::kUnknown;
  SignalSeverity min_severity = SignalSeverity::kHigh;
  std::int64_t min_count = 1;
  std::string action_type;                    ///< "PatchResource" | "RestartPod" | "ScaleReplicas"
  std::map<std::string, std::string> params;  ///< e.g. field, strategy, max
  std::chrono::seconds cooldown{0};

  Value ToValue() const;
};

/// oom-bump-memory, crashloop-restart-pod, high-cpu-bump-request (§2.3 table).
std::vector<Rule> DefaultRules();

/// Last execution of each rule per Claw: key "<claw>/<rule id>".
using RuleCooldowns = std::map<std::string, ActionTime>;

/// The first rule (in order) whose type equals the signal's, whose
/// min_severity rank ≤ the signal's, whose min_count ≤ count, and which did
/// not run for `claw` within its cooldown (now - last < cooldown blocks).
/// nullptr when none.
const Rule* MatchRule(const std::vector<Rule>& rules, const Signal& signal, std::string_view claw,
                      const RuleCooldowns& cooldowns, ActionTime now);

/// "Highest priority" (§2.3): for each signal in order its first matching
/// rule; keeps the strictly highest severity rank (ties keep the earlier).
struct RuleSelection {
  std::size_t signal_index = 0;
  Rule rule;
};
std::optional<RuleSelection> SelectSignal(const std::vector<Rule>& rules, const std::vector<Signal>& signals,
                                          std::string_view claw, const RuleCooldowns& cooldowns, ActionTime now);

/// target = min(current × factor, max) with quantity arithmetic, for
/// strategy "multiply-<factor>" (factor a positive decimal, e.g. 1.5).
/// Memory is computed in bytes, CPU in millicores, both rounded up, and
/// written in the largest exact unit ("1536Mi", "4Gi", "750m", "2").
/// `resource` is "memory" or "cpu". kInvalidArgument for a malformed
/// quantity or strategy, or an empty current value.
Result<std::string> ResolveTarget(std::string_view resource, std::string_view current, std::string_view strategy,
                                  std::string_view max);

/// The rule → intent mapping (§2.5) with the strategy resolved against the
/// current limit of `options.container` in `object` (workload or Claw). The
/// intent has source "rule-engine" and the given generation.
Result<Intent> IntentFromRule(const Rule& rule, const Value& object, std::int64_t generation,
                              const ConsumeOptions& options = {});

// ---- Escalations (§2.4, §2.7) ---------------------------------------------

enum class EscalationPhase {
  kPending, kAutoExecuted, kAnalyzing, kProposed, kAwaitingApproval, kApproved, kExecuted, kRejected, kFailed,
};
const char* EscalationPhaseName(EscalationPhase p) noexcept;
/// kInvalidArgument for an unknown name.
Result<EscalationPhase> EscalationPhaseFromName(std::string_view name);
/// AutoExecuted, Executed, Rejected, Failed.
bool IsTerminal(EscalationPhase p) noexcept;

enum class EscalationEvent {
  kAutoExecute,      ///< Pending → AutoExecuted
  kAnalyze,          ///< Pending → Analyzing
  kPropose,          ///< Analyzing → Proposed
  kAnalysisFailed,   ///< Analyzing → AwaitingApproval (raw context, LLM retries exhausted)
  kPolicyAllow,      ///< Proposed → Approved
  kPolicyRequireApproval,  ///< Proposed → AwaitingApproval
  kPolicyDeny,       ///< Proposed → Rejected
  kApprove,          ///< AwaitingApproval → Approved
  kReject,           ///< AwaitingApproval → Rejected
  kExecute,          ///< Approved → Executed
  kFail,             ///< any non-terminal phase → Failed
};
const char* EscalationEventName(EscalationEvent e) noexcept;
/// The phase after `event`, or kInvalidArgument naming both when the event
/// is not allowed in `from` (terminal phases accept nothing).
Result<EscalationPhase> NextEscalationPhase(EscalationPhase from, EscalationEvent event);

/// An escalation record (spec + status of §2.4), the parts kfix decides.
struct Escalation {
  std::string name;          ///< "" until the API server names it (generateName "<claw>-ops-")
  std::string claw;
  std::string namespace_;
  TriggerType trigger = TriggerType::kUnknown;
  std::string message;
  std::int64_t count = 0;
  SignalSeverity severity = SignalSeverity::kUnknown;
  ActionTime created{};
  std::int64_t ttl_seconds = 604800;
  EscalationPhase phase = EscalationPhase::kPending;
  std::string matched_rule;
  std::string proposed_action;  ///< intent JSON (LLM path)
  std::string executed_action;  ///< intent JSON actually written
  std::optional<ActionTime> executed_at;
  std::string signet_receipt;   ///< the receipt JSON ("" when unsigned)
  std::string approved_by;
  std::optional<ActionTime> approved_at;
  std::string rejection_reason;

  /// A Kubernetes ClawOpsEscalation-shaped object {metadata, spec, status}.
  Value ToValue() const;
  /// Reads what ToValue() writes (lenient on absent optional members).
  static Result<Escalation> FromValue(const Value& v);
};

/// The approval-timeout decision of §2.7.
enum class ApprovalTimeoutAction { kWait, kRenotify, kEscalateToAdmin, kReject };
const char* ApprovalTimeoutActionName(ApprovalTimeoutAction a) noexcept;
/// `waiting` = time since AwaitingApproval (or the last re-notify);
/// `renotified` = re-notifications already sent. Before the timeout (default
/// 30 min): kWait. After it: Critical re-notifies up to 3 times then
/// escalates to the admin channel; High re-notifies once then rejects;
/// Medium/Low/unknown reject.
ApprovalTimeoutAction ApprovalTimeout(SignalSeverity severity, std::chrono::seconds waiting, int renotified,
                                      std::chrono::seconds timeout = std::chrono::minutes(30));

/// A proposal policy (signet policy YAML).
enum class PolicyAction { kAllow, kRequireApproval, kDeny };
/// "allow", "require_approval", "deny".
const char* PolicyActionName(PolicyAction a) noexcept;
struct PolicyRule {
  std::string tool = "*";    ///< glob (`*`, `?`)
  std::string agent = "*";   ///< glob
  std::string target = "*";  ///< glob
  PolicyAction action = PolicyAction::kDeny;
};
struct ProposalPolicy {
  std::vector<PolicyRule> rules;
  PolicyAction default_action = PolicyAction::kDeny;

  /// The phase-D policy of §2.7: companion-claw may use read tools and
  /// escalation_propose, rule-engine may use claw_set_intent, the companion's
  /// kubectl_patch/scale/delete are denied; everything else is denied.
  static ProposalPolicy PhaseD();
  /// From {default_action, rules: [{tool, agent, target, action}]}; unknown
  /// members and actions are kParseError naming the rule.
  static Result<ProposalPolicy> FromValue(const Value& v);
};
/// The first rule whose three globs match decides; otherwise the default.
PolicyAction CheckPolicy(const ProposalPolicy& policy, std::string_view tool, std::string_view agent,
                         std::string_view target);
/// Shell-style glob: `*` any run (including '/'), `?` one byte; no classes.
bool GlobMatch(std::string_view pattern, std::string_view text) noexcept;

/// Re-validates an approved proposal (status.proposedAction, intent JSON)
/// against the allowlist before it becomes an intent: ParseIntent, plus the
/// escalation's name as escalationRef when the proposal has none.
Result<Intent> IntentFromApprovedProposal(const Escalation& escalation);

// ---- Controller decision per reconcile (§2.4) -----------------------------

struct ControllerPolicy {
  int max_actions_per_hour = 5;
  std::int64_t escalation_ttl_seconds = 604800;
};

/// What the controller knows about one Claw between reconciles.
struct ClawState {
  std::string namespace_;
  std::string name;
  std::vector<ActionTime> actions;  ///< times of auto actions (for the sliding hour)
  RuleCooldowns cooldowns;          ///< "<claw>/<rule>" → last execution
  std::vector<Escalation> escalations;
};

/// One auto-executed intent.
struct AutoExecution {
  Signal signal;
  Rule rule;
  Intent intent;
  std::string intent_json;            ///< the exact annotation bytes
  std::optional<Receipt> receipt;     ///< over the exact intent bytes (none without a signer)
  std::optional<ClawReceipt> claw_receipt;  ///< §2.6 profile (tool = action, params = intent params)
  Escalation escalation;              ///< already AutoExecuted
};

struct ReconcileInputs {
  ClawState state;
  std::vector<Signal> signals;
  ActionTime now{};
  /// The Claw's workload (for the current limit behind multiply strategies).
  Value workload;
  std::vector<Rule> rules = DefaultRules();
  ControllerPolicy policy;
  ConsumeOptions consume;             ///< container name for target resolution
  const SigningKey* signer = nullptr; ///< optional; signing never blocks
  std::string receipt_id;             ///< §2.6 id ("rec_" + 32 hex) for the claw receipt
};

struct ReconcileDecision {
  std::vector<Intent> approved_intents;      ///< step 1: approved proposals, re-validated
  std::vector<std::string> approved_errors;  ///< proposals that failed re-validation ("<name>: <error>")
  std::vector<std::string> gc;               ///< step 2: names of terminal escalations past their TTL
  std::vector<Signal> dropped;               ///< step 4: a non-terminal escalation exists for the type
  bool budget_exhausted = false;             ///< step 5
  std::optional<AutoExecution> execute;      ///< step 6
  std::string execute_error;                 ///< why the matched signal was escalated instead
  std::vector<Escalation> escalate;          ///< steps 5-7: new Pending escalations
  ClawState next_state;

  Value ToValue() const;
  std::vector<ActionAuditRecord> AuditRecords() const;
};

/// The §2.4 order as a pure function (no I/O): approved → intents, GC,
/// drop signals with an open escalation, budget, highest-priority match,
/// escalate the rest. At most one action; the intent generation is `now`
/// in Unix milliseconds. The next state records the action for the budget
/// and the cooldown, and the new escalations.
ReconcileDecision DecideReconcile(const ReconcileInputs& inputs);

// ===========================================================================
// Part 2: kars-sre typed actions (playbooks.md §4)
// ===========================================================================

enum class SreActionType { kDeleteResourceQuota, kPatchDeploymentImage, kScaleDeployment, kRolloutRestart, kDeletePod };
const char* SreActionTypeName(SreActionType t) noexcept;
/// kInvalidArgument "unsupported action type" for anything outside the set.
Result<SreActionType> SreActionTypeFromName(std::string_view name);
/// The required params of a type in the spec's order (namespace, name,
/// container, image / replicas / kind is optional).
std::vector<std::string> SreRequiredParams(SreActionType t);

/// The controller deny-list (§4.2), exact match.
const std::vector<std::string>& SreProtectedNamespaces();

enum class SrePhase { kProposed, kApproved, kApplied, kRecovered, kRejected, kExpired, kFailed };
const char* SrePhaseName(SrePhase p) noexcept;
bool IsTerminal(SrePhase p) noexcept;

struct SreCondition {
  std::string type;     ///< Available, Approved, Degraded, Executed
  std::string status;   ///< "True" / "False"
  std::string reason;
  std::string message;
};

struct SreStatus {
  std::optional<SrePhase> phase;          ///< absent = Proposed
  std::optional<ActionTime> applied_at;
  std::string message;
  std::string action_id;
  std::string writer_crb_name;
  std::vector<SreCondition> conditions;
};

/// A KarsSREAction (kars.azure.com/v1alpha1).
struct SreAction {
  std::string name;
  std::string namespace_;
  std::string uid;
  ActionTime created{};
  std::string type;       ///< as written (validated later)
  Value params;           ///< object; values kept as written (arbitrary JSON round-trips)
  std::string rationale;
  std::string diagnosis;
  std::string approval_state = "Pending";
  std::string approval_note;
  std::optional<std::int64_t> ttl_minutes;
  SreStatus status;

  /// The manifest {apiVersion, kind, metadata, spec, status}.
  Value ToValue() const;
};

/// Reads a KarsSREAction manifest: kind KarsSREAction, apiVersion
/// kars.azure.com/*, metadata (name, namespace, uid, creationTimestamp),
/// spec.action {type, params (object, kept as written)}, rationale,
/// diagnosis, approval {state in Pending|Approved|Rejected, note},
/// ttlMinutes (integer), and the status this library writes. kParseError
/// naming the field for a wrong shape. Values are not judged here (see
/// CheckSreAdmission and ValidateSreAction).
Result<SreAction> ParseSreAction(const Value& manifest);

/// The admission (CEL) rules: spec.action.type in the closed set,
/// ttlMinutes in [1, 60] when set, rationale ≤ 2048, diagnosis ≤ 512 and
/// approval.note ≤ 512 characters, and no control bytes (0x00-0x08, 0x0B,
/// 0x0C, 0x0E-0x1F, 0x7F) in any of the three. kInvalidArgument naming the
/// field.
Status CheckSreAdmission(const SreAction& action);

/// The audit-safe text rule: ≤ max_len characters (UTF-8 code points) and no
/// control bytes except tab, LF and CR. kInvalidArgument naming `field`.
Status CheckAuditSafeText(std::string_view field, std::string_view text, std::size_t max_len);

/// The controller's validation at the Approved transition, in §4.1 order:
/// type in set → required params (namespace, name, container, image) →
/// namespace not deny-listed → replicas an integer in [0, 50] (rejected,
/// never clamped) → RolloutRestart kind in {Deployment, StatefulSet,
/// DaemonSet}. kInvalidArgument / kPermissionDenied (protected namespace).
Status ValidateSreAction(const SreAction& action);

/// `sre-action-` + the first dash-separated segment of the uid.
std::string SreActionId(std::string_view uid);
/// `kars-sre-write-` + the segment after "sre-action-" of an action id.
std::string SreBindingName(std::string_view action_id);

/// The plan for one validated action.
struct SrePlan {
  SreActionType type = SreActionType::kDeletePod;
  std::string operation;        ///< "patch" or "delete"
  ObjectRef target;             ///< apiVersion, kind, namespace, name
  std::optional<Patch> patch;   ///< RFC 6902 (patch actions) when it could be built
  std::string note;             ///< why patch is absent (needs the live object)
  std::string binding_name;     ///< one-shot ClusterRoleBinding
  std::string binding_role;     ///< kars-sre-writer-quotas | kars-sre-writer-workloads
  std::string field_manager = "kars-controller/kars-sre-action";

  Value ToValue() const;
};

/// Builds the plan (after ValidateSreAction): ScaleDeployment → replace
/// /spec/replicas; PatchDeploymentImage → test the container's name and
/// replace its image (index resolved in `live`); RolloutRestart → add
/// kars.azure.com/restartedAt = now to the pod template (creating the
/// annotations object when `live` has none); DeleteResourceQuota /
/// DeletePod → an explicit delete. Without `live`, patches that depend on it
/// are left absent with a note. kNotFound when `live` lacks the container.
Result<SrePlan> PlanSreAction(const SreAction& action, const Value* live, ActionTime now);

/// The quota label guard: refuses (kPermissionDenied) a live quota whose
/// label kars.azure.com/managed-by is "controller".
Status CheckQuotaGuard(const Value& live_quota);

/// The recovery predicate (§4.4) over a namespace snapshot (any objects;
/// Deployments and Events of `namespace_` are used).
struct RecoveryCheck {
  bool recovered = false;
  std::string reason;  ///< the first thing still pending, or "recovered"
};
RecoveryCheck CheckRecovery(const std::vector<Value>& snapshot, std::string_view namespace_, ActionTime now);

/// One side effect the adapter performs, in order.
struct SreEffect {
  std::string kind;    ///< create-binding, apply, delete, delete-binding, delete-action
  Value detail;        ///< object ref, patch, binding
  Value ToValue() const;
};

struct SreStepOptions {
  std::int64_t default_ttl_minutes = 15;
};

struct SreStep {
  SrePhase phase = SrePhase::kProposed;
  SreStatus status;
  std::vector<SreEffect> effects;
  std::chrono::seconds requeue{15};
  bool transitioned = false;  ///< the phase changed in this step

  /// {"phase", "status", "effects"} (+ "requeueSeconds"): the `kfix action
  /// step` document.
  Value ToValue() const;
  std::vector<ActionAuditRecord> AuditRecords(const SreAction& action) const;
};

/// One reconcile of the state machine (§4.3) at `now`. `snapshot` holds the
/// namespace's Deployments, Events and (for quota deletes) ResourceQuotas;
/// null means "could not list" (recovery pending; actions that need the live
/// object fail). Terminal actions older than 3600 s since creation get a
/// delete-action effect (GC).
SreStep StepSreAction(const SreAction& action, ActionTime now, const std::vector<Value>* snapshot,
                      const SreStepOptions& options = {});

// ---- Incident watcher (§4.5) ----------------------------------------------

/// Strips a trailing "-" + 5-10 lowercase alphanumerics at most twice for
/// kinds Pod, ReplicaSet and Job; other kinds unchanged. Keeps the
/// reference's documented over-normalisation (`web-frontend` → `web`).
std::string NormalizeName(std::string_view kind, std::string_view name);

struct WatcherOptions {
  std::string namespace_prefix = "kars-";
  std::vector<std::string> protected_namespaces;  ///< default: the deny-list + "default"
  std::chrono::seconds max_event_age{120};
  std::chrono::seconds dedupe_window{600};
  std::chrono::seconds resync_interval{60};
  int rate_limit = 4;                      ///< messages per window
  std::chrono::seconds rate_window{60};
  std::int64_t ttl_minutes = 30;           ///< on created actions
  std::string action_namespace = "kars-sre";

  WatcherOptions();
};

/// A KarsSREAction the watcher knows of (CR snapshot).
struct KnownAction {
  std::string name;
  std::string type;
  std::string namespace_;   ///< the target's namespace (params.namespace)
  std::string target;       ///< params.name
  std::string phase;        ///< "" when unset
  ActionTime created{};
};

struct WatcherState {
  bool primed = false;
  std::map<std::string, ActionTime> seen;   ///< dedupe key → last time
  std::vector<ActionTime> sent;             ///< message times (rate limiter)
  std::vector<KnownAction> actions;         ///< the CR snapshot
  std::optional<ActionTime> last_sync;

  Value ToValue() const;
  static Result<WatcherState> FromValue(const Value& v);
};

struct Incident {
  std::string namespace_, kind, name, reason, message;
  std::string dedupe_key;
  std::string action_type;   ///< "" when notify-only
  std::string target;        ///< the typed target's name
  std::string action_name;   ///< created ("" until named) or reused
  bool reused = false;
  int priority = 0;
  Value ToValue() const;
};

struct TriageResult {
  std::vector<Incident> incidents;        ///< new, in priority order
  std::vector<SreAction> new_actions;     ///< to create (generateName sre-action-)
  std::vector<std::string> reused_actions;
  std::vector<std::string> sent;          ///< messages sent (top one in full + one summary)
  std::vector<std::string> suppressed;    ///< messages dropped by the rate limiter
  std::int64_t filtered = 0;              ///< events out of scope / too old / not incidents
  std::int64_t deduplicated = 0;
  bool priming = false;
  WatcherState next_state;

  Value ToValue() const;
  std::vector<ActionAuditRecord> AuditRecords() const;
};

/// One watcher poll over Kubernetes Event objects at `now`.
TriageResult Triage(const std::vector<Value>& events, const WatcherState& state, ActionTime now,
                    const WatcherOptions& options = {});

}  // namespace kfix
