// kars-sre typed actions (playbooks.md §4.1-§4.4): the closed action set,
// admission and controller validation, plans, the state machine with an
// injected clock, and the recovery predicate.
#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "kfix/actions.hpp"
#include "playbooks/actions/actions_internal.hpp"
#include "rules/internal.hpp"

namespace kfix {

using internal::Get;
using internal::Str;

namespace {
constexpr const char* kTypeNames[] = {"DeleteResourceQuota", "PatchDeploymentImage", "ScaleDeployment",
                                      "RolloutRestart", "DeletePod"};
constexpr const char* kSrePhaseNames[] = {"Proposed", "Approved", "Applied", "Recovered",
                                          "Rejected", "Expired",  "Failed"};
constexpr const char* kManagedByLabel = "kars.azure.com/managed-by";
constexpr const char* kSreRestartedAt = "kars.azure.com/restartedAt";
constexpr std::int64_t kObserveSeconds = 600;
constexpr std::int64_t kLateRecoverySeconds = 1800;
constexpr std::int64_t kGcSeconds = 3600;
constexpr std::int64_t kEventFreshSeconds = 30;
}  // namespace

const char* SreActionTypeName(SreActionType t) noexcept {
  auto i = static_cast<std::size_t>(t);
  return i < std::size(kTypeNames) ? kTypeNames[i] : "DeletePod";
}

Result<SreActionType> SreActionTypeFromName(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kTypeNames); ++i) {
    if (name == kTypeNames[i]) return static_cast<SreActionType>(i);
  }
  return InvalidArgumentError("unsupported action type " + JsonQuote(name));
}

std::vector<std::string> SreRequiredParams(SreActionType t) {
  switch (t) {
    case SreActionType::kPatchDeploymentImage: return {"namespace", "name", "container", "image"};
    case SreActionType::kScaleDeployment: return {"namespace", "name", "replicas"};
    default: return {"namespace", "name"};
  }
}

const std::vector<std::string>& SreProtectedNamespaces() {
  static const std::vector<std::string> kList = {"kube-system", "kube-public", "kube-node-lease",
                                                 "kars-system", "kars-sre",    "agentmesh"};
  return kList;
}

const char* SrePhaseName(SrePhase p) noexcept {
  auto i = static_cast<std::size_t>(p);
  return i < std::size(kSrePhaseNames) ? kSrePhaseNames[i] : "Failed";
}

bool IsTerminal(SrePhase p) noexcept {
  return p == SrePhase::kRecovered || p == SrePhase::kRejected || p == SrePhase::kExpired || p == SrePhase::kFailed;
}

// ---------------------------------------------------------------------------
// Parsing and validation
// ---------------------------------------------------------------------------

namespace {

Status Shape(std::string field, std::string what) { return ParseError(field + ": " + what); }

Result<std::string> OptString(const Value& parent, std::string_view key, std::string_view where) {
  const Value* v = parent.Find(key);
  if (!v || v->is_null()) return std::string();
  if (!v->is_string()) return Shape(std::string(where) + std::string(key), "must be a string");
  return v->as_string();
}

std::optional<SrePhase> SrePhaseFromName(std::string_view s) {
  for (std::size_t i = 0; i < std::size(kSrePhaseNames); ++i) {
    if (s == kSrePhaseNames[i]) return static_cast<SrePhase>(i);
  }
  return std::nullopt;
}

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

Result<SreAction> ParseSreAction(const Value& m) {
  if (!m.is_object()) return ParseError(std::string("a KarsSREAction must be a mapping, not ") + m.type_name());
  if (Str(m.Find("kind")) != "KarsSREAction") return Shape("kind", "must be KarsSREAction");
  std::string_view api = Str(m.Find("apiVersion"));
  if (api.substr(0, 15) != "kars.azure.com/") return Shape("apiVersion", "must be kars.azure.com/<version>");
  SreAction a;
  const Value* md = m.Find("metadata");
  if (md && !md->is_object()) return Shape("metadata", "must be a mapping");
  if (md) {
    for (const char* key : {"name", "namespace", "uid"}) {
      Result<std::string> s = OptString(*md, key, "metadata.");
      if (!s.ok()) return s.status();
      (std::string_view(key) == "name" ? a.name : std::string_view(key) == "namespace" ? a.namespace_ : a.uid) = *s;
    }
    if (const Value* ts = md->Find("creationTimestamp"); ts && !ts->is_null()) {
      if (!ts->is_string()) return Shape("metadata.creationTimestamp", "must be an RFC 3339 string");
      auto t = ParseRfc3339(ts->as_string());
      if (!t.ok()) return Shape("metadata.creationTimestamp", t.status().message());
      a.created = *t;
    }
  }
  const Value* spec = m.Find("spec");
  if (!spec || !spec->is_object()) return Shape("spec", "missing or not a mapping");
  const Value* action = spec->Find("action");
  if (!action || !action->is_object()) return Shape("spec.action", "missing or not a mapping");
  const Value* type = action->Find("type");
  if (!type || !type->is_string()) return Shape("spec.action.type", "missing or not a string");
  a.type = type->as_string();
  const Value* params = action->Find("params");
  if (params && !params->is_null() && !params->is_object()) return Shape("spec.action.params", "must be a mapping");
  a.params = params && params->is_object() ? *params : Value::MakeObject();
  for (const char* key : {"rationale", "diagnosis"}) {
    Result<std::string> s = OptString(*spec, key, "spec.");
    if (!s.ok()) return s.status();
    (std::string_view(key) == "rationale" ? a.rationale : a.diagnosis) = *s;
  }
  if (const Value* ap = spec->Find("approval"); ap && !ap->is_null()) {
    if (!ap->is_object()) return Shape("spec.approval", "must be a mapping");
    Result<std::string> state = OptString(*ap, "state", "spec.approval.");
    if (!state.ok()) return state.status();
    a.approval_state = state->empty() ? "Pending" : *state;
    Result<std::string> note = OptString(*ap, "note", "spec.approval.");
    if (!note.ok()) return note.status();
    a.approval_note = *note;
  }
  if (a.approval_state != "Pending" && a.approval_state != "Approved" && a.approval_state != "Rejected") {
    return Shape("spec.approval.state", "must be Pending, Approved or Rejected, not " + JsonQuote(a.approval_state));
  }
  if (const Value* ttl = spec->Find("ttlMinutes"); ttl && !ttl->is_null()) {
    std::optional<std::int64_t> n = internal::AsInt(ttl);
    if (!ttl->is_number() || !n) return Shape("spec.ttlMinutes", "must be an integer");
    a.ttl_minutes = *n;
  }
  if (const Value* st = m.Find("status"); st && !st->is_null()) {
    if (!st->is_object()) return Shape("status", "must be a mapping");
    std::string_view phase = Str(st->Find("phase"));
    if (!phase.empty()) {
      a.status.phase = SrePhaseFromName(phase);
      if (!a.status.phase) return Shape("status.phase", "unknown phase " + JsonQuote(phase));
    }
    if (const Value* at = st->Find("appliedAt"); at && !at->is_null()) {
      if (!at->is_string()) return Shape("status.appliedAt", "must be an RFC 3339 string");
      auto t = ParseRfc3339(at->as_string());
      if (!t.ok()) return Shape("status.appliedAt", t.status().message());
      a.status.applied_at = *t;
    }
    a.status.message = std::string(Str(st->Find("message")));
    a.status.action_id = std::string(Str(st->Find("actionId")));
    a.status.writer_crb_name = std::string(Str(st->Find("writerCrbName")));
    if (const Value::Array* conds = internal::Arr(st->Find("conditions"))) {
      for (const Value& c : *conds) {
        a.status.conditions.push_back(SreCondition{std::string(Str(Get(&c, "type"))), std::string(Str(Get(&c, "status"))),
                                                   std::string(Str(Get(&c, "reason"))),
                                                   std::string(Str(Get(&c, "message")))});
      }
    }
  }
  return a;
}

Status CheckAuditSafeText(std::string_view field, std::string_view text, std::size_t max_len) {
  if (CodePoints(text) > max_len) {
    return InvalidArgumentError(std::string(field) + " is longer than " + std::to_string(max_len) + " characters");
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", c);
      return InvalidArgumentError(std::string(field) + " contains control byte " + hex + " at offset " +
                                  std::to_string(i));
    }
  }
  return Status();
}

Status CheckSreAdmission(const SreAction& a) {
  Result<SreActionType> type = SreActionTypeFromName(a.type);
  if (!type.ok()) return type.status();
  if (a.ttl_minutes && (*a.ttl_minutes < 1 || *a.ttl_minutes > 60)) {
    return InvalidArgumentError("spec.ttlMinutes " + std::to_string(*a.ttl_minutes) + " is outside [1, 60]");
  }
  KFIX_RETURN_IF_ERROR(CheckAuditSafeText("spec.rationale", a.rationale, 2048));
  KFIX_RETURN_IF_ERROR(CheckAuditSafeText("spec.diagnosis", a.diagnosis, 512));
  KFIX_RETURN_IF_ERROR(CheckAuditSafeText("spec.approval.note", a.approval_note, 512));
  return Status();
}

namespace {

std::string ParamString(const Value& params, std::string_view key) {
  const Value* v = params.Find(key);
  return v && v->is_string() ? v->as_string() : std::string();
}

std::optional<std::int64_t> ParamInt(const Value& params, std::string_view key) {
  const Value* v = params.Find(key);
  if (!v) return std::nullopt;
  if (v->is_number()) return internal::AsInt(v);
  if (v->is_string()) {
    std::string_view s = v->as_string();
    bool neg = !s.empty() && s[0] == '-';
    auto n = internal::ParseDecimal(neg ? s.substr(1) : s);
    if (!n) return std::nullopt;
    return neg ? -*n : *n;
  }
  return std::nullopt;
}

std::string RolloutKind(const SreAction& a) {
  const Value* k = a.params.Find("kind");
  if (!k || k->is_null()) return "Deployment";
  return k->is_string() ? k->as_string() : std::string("(not a string)");
}

}  // namespace

Status ValidateSreAction(const SreAction& a) {
  Result<SreActionType> type = SreActionTypeFromName(a.type);
  if (!type.ok()) return type.status();
  for (const std::string& p : SreRequiredParams(*type)) {
    const Value* v = a.params.Find(p);
    bool present = v && !v->is_null() && !(v->is_string() && v->as_string().empty());
    if (!present) return InvalidArgumentError("missing required param `" + p + "` for " + a.type);
    if (p != "replicas" && !v->is_string()) return InvalidArgumentError("param `" + p + "` must be a string");
  }
  std::string ns = ParamString(a.params, "namespace");
  const auto& deny = SreProtectedNamespaces();
  if (std::find(deny.begin(), deny.end(), ns) != deny.end()) {
    return PermissionDeniedError("namespace " + JsonQuote(ns) + " is protected");
  }
  if (*type == SreActionType::kScaleDeployment) {
    std::optional<std::int64_t> n = ParamInt(a.params, "replicas");
    if (!n) return InvalidArgumentError("replicas must be an integer in [0, 50]");
    if (*n < 0 || *n > 50) {
      return InvalidArgumentError("replicas " + std::to_string(*n) + " is outside [0, 50] (rejected, not clamped)");
    }
  }
  if (*type == SreActionType::kRolloutRestart) {
    std::string kind = RolloutKind(a);
    if (kind != "Deployment" && kind != "StatefulSet" && kind != "DaemonSet") {
      return InvalidArgumentError("RolloutRestart kind " + JsonQuote(kind) + " is not Deployment, StatefulSet or DaemonSet");
    }
  }
  return Status();
}

std::string SreActionId(std::string_view uid) {
  std::size_t dash = uid.find('-');
  return "sre-action-" + std::string(uid.substr(0, dash));
}

std::string SreBindingName(std::string_view action_id) {
  constexpr std::string_view kPrefix = "sre-action-";
  if (action_id.substr(0, kPrefix.size()) == kPrefix) action_id.remove_prefix(kPrefix.size());
  return "kars-sre-write-" + std::string(action_id);
}

Status CheckQuotaGuard(const Value& live_quota) {
  if (Str(live_quota.FindPath({"metadata", "labels", kManagedByLabel})) == "controller") {
    return PermissionDeniedError("ResourceQuota " + std::string(Str(live_quota.FindPath({"metadata", "name"}))) +
                                 " is managed by the controller (label kars.azure.com/managed-by=controller)");
  }
  return Status();
}

// ---------------------------------------------------------------------------
// Plans
// ---------------------------------------------------------------------------

namespace {

PatchOp MakeOp(PatchOpType type, JsonPointer path, Value value) {
  PatchOp op;
  op.op = type;
  op.path = std::move(path);
  op.value = std::move(value);
  return op;
}

std::string ActionIdOf(const SreAction& a) {
  if (!a.uid.empty()) return SreActionId(a.uid);
  return a.name;
}

}  // namespace

Result<SrePlan> PlanSreAction(const SreAction& a, const Value* live, ActionTime now) {
  KFIX_RETURN_IF_ERROR(ValidateSreAction(a));
  SrePlan plan;
  plan.type = *SreActionTypeFromName(a.type);
  plan.target.namespace_ = ParamString(a.params, "namespace");
  plan.target.name = ParamString(a.params, "name");
  plan.binding_name = SreBindingName(ActionIdOf(a));
  plan.binding_role = plan.type == SreActionType::kDeleteResourceQuota ? "kars-sre-writer-quotas"
                                                                       : "kars-sre-writer-workloads";
  switch (plan.type) {
    case SreActionType::kDeleteResourceQuota:
      plan.operation = "delete";
      plan.target.api_version = "v1";
      plan.target.kind = "ResourceQuota";
      return plan;
    case SreActionType::kDeletePod:
      plan.operation = "delete";
      plan.target.api_version = "v1";
      plan.target.kind = "Pod";
      return plan;
    case SreActionType::kScaleDeployment:
      plan.operation = "patch";
      plan.target.api_version = "apps/v1";
      plan.target.kind = "Deployment";
      plan.patch = Patch{MakeOp(PatchOpType::kReplace, JsonPointer({"spec", "replicas"}), Value(*ParamInt(a.params, "replicas")))};
      return plan;
    case SreActionType::kPatchDeploymentImage: {
      plan.operation = "patch";
      plan.target.api_version = "apps/v1";
      plan.target.kind = "Deployment";
      if (!live) {
        plan.note = "the container index is resolved against the live Deployment";
        return plan;
      }
      std::string container = ParamString(a.params, "container");
      const Value::Array* cs = internal::Arr(live->FindPath({"spec", "template", "spec", "containers"}));
      for (std::size_t i = 0; cs && i < cs->size(); ++i) {
        if (Str((*cs)[i].Find("name")) != container) continue;
        JsonPointer base({"spec", "template", "spec", "containers", std::to_string(i)});
        plan.patch = Patch{MakeOp(PatchOpType::kTest, base.Child("name"), Value(container)),
                           MakeOp(PatchOpType::kReplace, base.Child("image"), Value(ParamString(a.params, "image")))};
        return plan;
      }
      return NotFoundError("Deployment " + plan.target.namespace_ + "/" + plan.target.name + " has no container " +
                           JsonQuote(container));
    }
    case SreActionType::kRolloutRestart: {
      plan.operation = "patch";
      plan.target.api_version = "apps/v1";
      plan.target.kind = RolloutKind(a);
      if (!live) {
        plan.note = "the pod-template annotations are resolved against the live object";
        return plan;
      }
      Value stamp(FormatRfc3339(now));
      const Value* tmpl = live->FindPath({"spec", "template"});
      if (!tmpl || !tmpl->is_object()) {
        return NotFoundError(plan.target.kind + " " + plan.target.namespace_ + "/" + plan.target.name +
                             " has no pod template");
      }
      const Value* md = tmpl->Find("metadata");
      JsonPointer mdp({"spec", "template", "metadata"});
      if (!md || !md->is_object()) {
        Value ann = Value::MakeObject();
        ann.Set(kSreRestartedAt, stamp);
        Value m = Value::MakeObject();
        m.Set("annotations", std::move(ann));
        plan.patch = Patch{MakeOp(md ? PatchOpType::kReplace : PatchOpType::kAdd, mdp, std::move(m))};
      } else if (const Value* ann = md->Find("annotations"); !ann || !ann->is_object()) {
        Value n = Value::MakeObject();
        n.Set(kSreRestartedAt, stamp);
        plan.patch = Patch{MakeOp(ann ? PatchOpType::kReplace : PatchOpType::kAdd, mdp.Child("annotations"), std::move(n))};
      } else {
        plan.patch = Patch{MakeOp(PatchOpType::kAdd, mdp.Child("annotations").Child(kSreRestartedAt), std::move(stamp))};
      }
      return plan;
    }
  }
  return InternalError("unreachable action type");
}

namespace {

Value RefToValue(const ObjectRef& r) {
  Value v = Value::MakeObject();
  v.Set("apiVersion", r.api_version);
  v.Set("kind", r.kind);
  v.Set("namespace", r.namespace_);
  v.Set("name", r.name);
  return v;
}

Value BindingValue(const SrePlan& p) {
  Value b = Value::MakeObject();
  b.Set("name", p.binding_name);
  b.Set("role", p.binding_role);
  b.Set("serviceAccount", "kars-sre/sre-writer");
  return b;
}

}  // namespace

Value SrePlan::ToValue() const {
  Value v = Value::MakeObject();
  v.Set("action", SreActionTypeName(type));
  v.Set("operation", operation);
  v.Set("target", RefToValue(target));
  v.Set("patch", patch ? PatchToValue(*patch) : Value());
  if (!note.empty()) v.Set("note", note);
  v.Set("binding", BindingValue(*this));
  v.Set("fieldManager", field_manager);
  return v;
}

// ---------------------------------------------------------------------------
// Recovery predicate (§4.4)
// ---------------------------------------------------------------------------

namespace {

bool InNamespace(const Value& o, std::string_view ns) {
  std::string_view n = Str(o.FindPath({"metadata", "namespace"}));
  return n.empty() || n == ns;
}

}  // namespace

RecoveryCheck CheckRecovery(const std::vector<Value>& snapshot, std::string_view ns, ActionTime now) {
  for (const Value& o : snapshot) {
    if (Str(o.Find("kind")) != "Deployment" || !InNamespace(o, ns)) continue;
    std::int64_t desired = internal::AsInt(o.FindPath({"spec", "replicas"})).value_or(1);
    std::int64_t available = internal::AsInt(o.FindPath({"status", "availableReplicas"})).value_or(0);
    if (available < desired) {
      return RecoveryCheck{false, "Deployment " + std::string(Str(o.FindPath({"metadata", "name"}))) + " has " +
                                      std::to_string(available) + "/" + std::to_string(desired) + " available"};
    }
  }
  for (const Value& o : snapshot) {
    if (Str(o.Find("kind")) != "Event" || !InNamespace(o, ns)) continue;
    std::string_view reason = Str(o.Find("reason"));
    if (reason != "FailedCreate" && reason != "BackOff" && reason != "FailedScheduling" && reason != "Failed") continue;
    std::optional<ActionTime> ts = internal::TimeMember(o.Find("lastTimestamp"));
    if (!ts) ts = internal::TimeMember(o.Find("eventTime"));
    if (!ts) continue;
    if (now - *ts < std::chrono::seconds(kEventFreshSeconds)) {
      return RecoveryCheck{false, "recent " + std::string(reason) + " event " +
                                      std::string(Str(o.FindPath({"metadata", "name"})))};
    }
  }
  return RecoveryCheck{true, "recovered"};
}

// ---------------------------------------------------------------------------
// The state machine (§4.3)
// ---------------------------------------------------------------------------

namespace {

void StampConditions(const SreAction& a, SreStep& s) {
  SrePhase p = s.phase;
  std::vector<SreCondition> c;
  if (p == SrePhase::kRecovered) {
    c.push_back({"Available", "True", "Recovered", "recovery observed"});
  } else if (p == SrePhase::kApplied) {
    c.push_back({"Available", "False", "PendingRecovery", "waiting for recovery"});
  } else {
    c.push_back({"Available", "False", SrePhaseName(p), ""});
  }
  bool approved = a.approval_state == "Approved";
  c.push_back({"Approved", approved ? "True" : "False", approved ? "Approved" : a.approval_state, a.approval_note});
  bool degraded = p == SrePhase::kFailed || p == SrePhase::kExpired || p == SrePhase::kRejected;
  c.push_back({"Degraded", degraded ? "True" : "False", degraded ? SrePhaseName(p) : "AsExpected", ""});
  if (s.status.applied_at) c.push_back({"Executed", "True", "Executed", "action applied"});
  s.status.conditions = std::move(c);
  s.status.phase = p;
}

void Move(SreStep& s, SrePhase to, std::string message) {
  s.transitioned = s.phase != to;
  s.phase = to;
  s.status.message = std::move(message);
}

const Value* FindLive(const std::vector<Value>* snapshot, std::string_view kind, std::string_view ns,
                      std::string_view name) {
  if (!snapshot) return nullptr;
  for (const Value& o : *snapshot) {
    if (Str(o.Find("kind")) == kind && Str(o.FindPath({"metadata", "name"})) == name && InNamespace(o, ns)) return &o;
  }
  return nullptr;
}

SreEffect Effect(std::string kind, Value detail) { return SreEffect{std::move(kind), std::move(detail)}; }

// Executes the Approved transition: validation, live checks, plan, effects.
void Execute(const SreAction& a, ActionTime now, const std::vector<Value>* snapshot, SreStep& s) {
  Status valid = ValidateSreAction(a);
  if (!valid.ok()) {
    Move(s, SrePhase::kFailed, "invalid action: " + valid.message());
    s.requeue = std::chrono::seconds(300);
    return;
  }
  SreActionType type = *SreActionTypeFromName(a.type);
  std::string ns = ParamString(a.params, "namespace");
  std::string name = ParamString(a.params, "name");
  const Value* live = nullptr;
  if (type == SreActionType::kDeleteResourceQuota) {
    live = FindLive(snapshot, "ResourceQuota", ns, name);
    if (!live) {
      Move(s, SrePhase::kFailed, "ResourceQuota " + ns + "/" + name + " not found in the snapshot (label guard cannot run)");
      s.requeue = std::chrono::seconds(300);
      return;
    }
    Status guard = CheckQuotaGuard(*live);
    if (!guard.ok()) {
      Move(s, SrePhase::kFailed, guard.message());
      s.requeue = std::chrono::seconds(300);
      return;
    }
  } else if (type == SreActionType::kPatchDeploymentImage || type == SreActionType::kRolloutRestart) {
    std::string kind = type == SreActionType::kRolloutRestart ? RolloutKind(a) : "Deployment";
    live = FindLive(snapshot, kind, ns, name);
    if (!live) {
      Move(s, SrePhase::kFailed, kind + " " + ns + "/" + name + " not found in the snapshot");
      s.requeue = std::chrono::seconds(300);
      return;
    }
  }
  Result<SrePlan> plan = PlanSreAction(a, live, now);
  if (!plan.ok()) {
    Move(s, SrePhase::kFailed, plan.status().message());
    s.requeue = std::chrono::seconds(300);
    return;
  }
  s.status.action_id = ActionIdOf(a);
  s.status.writer_crb_name = plan->binding_name;
  s.effects.push_back(Effect("create-binding", BindingValue(*plan)));
  Value detail = Value::MakeObject();
  detail.Set("target", RefToValue(plan->target));
  if (plan->operation == "patch") {
    detail.Set("patch", PatchToValue(*plan->patch));
    detail.Set("fieldManager", plan->field_manager);
    s.effects.push_back(Effect("apply", std::move(detail)));
  } else {
    s.effects.push_back(Effect("delete", std::move(detail)));
  }
  Value unbind = Value::MakeObject();
  unbind.Set("name", plan->binding_name);
  s.effects.push_back(Effect("delete-binding", std::move(unbind)));
  s.status.applied_at = now;
  Move(s, SrePhase::kApplied, std::string("Executed ") + SreActionTypeName(type) + " on " + plan->target.kind + " " +
                                  ns + "/" + name);
  s.requeue = std::chrono::seconds(10);
}

}  // namespace

SreStep StepSreAction(const SreAction& a, ActionTime now, const std::vector<Value>* snapshot,
                      const SreStepOptions& options) {
  SreStep s;
  s.status = a.status;
  s.phase = a.status.phase.value_or(SrePhase::kProposed);
  std::int64_t age = internal::SecondsBetween(a.created, now);
  auto recovery = [&]() -> RecoveryCheck {
    if (!snapshot) return RecoveryCheck{false, "namespace snapshot not available"};
    return CheckRecovery(*snapshot, ParamString(a.params, "namespace"), now);
  };
  if (IsTerminal(s.phase)) {
    s.requeue = std::chrono::seconds(300);
    if (age > kGcSeconds) {
      Value d = Value::MakeObject();
      d.Set("name", a.name);
      d.Set("namespace", a.namespace_);
      d.Set("ageSeconds", age);
      s.effects.push_back(Effect("delete-action", std::move(d)));
    } else if (s.phase == SrePhase::kFailed && s.status.applied_at) {
      std::int64_t since = internal::SecondsBetween(*s.status.applied_at, now);
      if (since < kLateRecoverySeconds) {
        RecoveryCheck rc = recovery();
        if (rc.recovered) {
          Move(s, SrePhase::kRecovered, "LateRecovery: recovery observed " + std::to_string(since) + " s after apply");
        } else {
          s.requeue = std::chrono::seconds(60);
        }
      }
    }
  } else if (a.approval_state == "Rejected") {
    Move(s, SrePhase::kRejected, "rejected by the operator" + (a.approval_note.empty() ? "" : ": " + a.approval_note));
    s.requeue = std::chrono::seconds(300);
  } else if (s.phase == SrePhase::kApplied) {
    if (!s.status.applied_at) {
      Move(s, SrePhase::kFailed, "Applied without appliedAt");
      s.requeue = std::chrono::seconds(300);
    } else {
      std::int64_t since = internal::SecondsBetween(*s.status.applied_at, now);
      RecoveryCheck rc = recovery();
      if (rc.recovered) {
        Move(s, SrePhase::kRecovered, "Recovered " + std::to_string(since) + " s after apply");
        s.requeue = std::chrono::seconds(300);
      } else if (since >= kObserveSeconds) {
        Move(s, SrePhase::kFailed, "no recovery within 600 s: " + rc.reason);
        s.requeue = std::chrono::seconds(60);
      } else {
        s.status.message = "waiting for recovery: " + rc.reason;
        s.requeue = std::chrono::seconds(10);
      }
    }
  } else if (a.approval_state == "Approved") {  // Proposed (or unset / Approved phase)
    Execute(a, now, snapshot, s);
  } else {  // Pending
    std::int64_t ttl = std::clamp<std::int64_t>(a.ttl_minutes.value_or(options.default_ttl_minutes), 1, 60);
    std::int64_t minutes = age >= 0 ? age / 60 : 0;
    if (minutes >= ttl) {
      Move(s, SrePhase::kExpired, "not approved within " + std::to_string(ttl) + " min");
      s.requeue = std::chrono::seconds(300);
    } else {
      s.phase = SrePhase::kProposed;
      s.requeue = std::chrono::seconds(15);
    }
  }
  StampConditions(a, s);
  return s;
}

Value SreEffect::ToValue() const {
  Value v = Value::MakeObject();
  v.Set("kind", kind);
  v.Set("detail", detail);
  return v;
}

namespace {

Value StatusToValue(const SreStatus& st) {
  Value v = Value::MakeObject();
  v.Set("phase", SrePhaseName(st.phase.value_or(SrePhase::kProposed)));
  if (st.applied_at) v.Set("appliedAt", FormatRfc3339(*st.applied_at));
  v.Set("message", st.message);
  if (!st.action_id.empty()) v.Set("actionId", st.action_id);
  if (!st.writer_crb_name.empty()) v.Set("writerCrbName", st.writer_crb_name);
  Value conds = Value::MakeArray();
  for (const SreCondition& c : st.conditions) {
    Value o = Value::MakeObject();
    o.Set("type", c.type);
    o.Set("status", c.status);
    o.Set("reason", c.reason);
    o.Set("message", c.message);
    conds.PushBack(std::move(o));
  }
  v.Set("conditions", std::move(conds));
  return v;
}

}  // namespace

Value SreStep::ToValue() const {
  Value v = Value::MakeObject();
  v.Set("phase", SrePhaseName(phase));
  v.Set("status", StatusToValue(status));
  Value e = Value::MakeArray();
  for (const SreEffect& x : effects) e.PushBack(x.ToValue());
  Value rq = Value::MakeObject();
  rq.Set("seconds", static_cast<std::int64_t>(requeue.count()));
  e.PushBack(SreEffect{"requeue", std::move(rq)}.ToValue());
  v.Set("effects", std::move(e));
  return v;
}

std::vector<ActionAuditRecord> SreStep::AuditRecords(const SreAction& action) const {
  std::vector<ActionAuditRecord> out;
  if (!transitioned) return out;
  Value r = Value::MakeObject();
  r.Set("action", action.name);
  r.Set("namespace", action.namespace_);
  r.Set("type", action.type);
  r.Set("params", action.params);
  r.Set("from", SrePhaseName(action.status.phase.value_or(SrePhase::kProposed)));
  r.Set("to", SrePhaseName(phase));
  r.Set("message", status.message);
  if (phase == SrePhase::kApplied) {
    Value ap = Value::MakeObject();
    ap.Set("action", action.name);
    ap.Set("state", action.approval_state);
    ap.Set("note", action.approval_note);
    out.push_back({"sre.approval", std::move(ap)});
  }
  Value e = Value::MakeArray();
  for (const SreEffect& x : effects) e.PushBack(x.ToValue());
  r.Set("effects", std::move(e));
  out.push_back({"sre.transition", std::move(r)});
  return out;
}

Value SreAction::ToValue() const {
  Value v = Value::MakeObject();
  v.Set("apiVersion", "kars.azure.com/v1alpha1");
  v.Set("kind", "KarsSREAction");
  Value md = Value::MakeObject();
  if (name.empty()) {
    md.Set("generateName", "sre-action-");
  } else {
    md.Set("name", name);
  }
  md.Set("namespace", namespace_);
  if (!uid.empty()) md.Set("uid", uid);
  if (created != ActionTime{}) md.Set("creationTimestamp", FormatRfc3339(created));
  v.Set("metadata", std::move(md));
  Value spec = Value::MakeObject();
  Value act = Value::MakeObject();
  act.Set("type", type);
  act.Set("params", params);
  spec.Set("action", std::move(act));
  if (!rationale.empty()) spec.Set("rationale", rationale);
  if (!diagnosis.empty()) spec.Set("diagnosis", diagnosis);
  Value ap = Value::MakeObject();
  ap.Set("state", approval_state);
  if (!approval_note.empty()) ap.Set("note", approval_note);
  spec.Set("approval", std::move(ap));
  if (ttl_minutes) spec.Set("ttlMinutes", *ttl_minutes);
  v.Set("spec", std::move(spec));
  if (status.phase || !status.conditions.empty()) v.Set("status", StatusToValue(status));
  return v;
}

}  // namespace kfix
