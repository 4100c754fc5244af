// Intents (playbooks.md §2.5): the five-action allowlist, strict parsing,
// the generation guard, consumption and each intent's effect as a vetted
// RFC 6902 patch.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kfix/actions.hpp"
#include "playbooks/actions/actions_internal.hpp"
#include "rules/internal.hpp"

namespace kfix {
namespace internal {

std::optional<std::int64_t> ParseDecimal(std::string_view text) noexcept {
  if (text.empty() || text.size() > 18) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  std::int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<long double> QuantityValue(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  Quantity q = ParseQuantity(text);
  if (!q.ok) return std::nullopt;
  return q.value;
}

Value AnnotationsOf(const Value& object) {
  const Value* a = object.FindPath({"metadata", "annotations"});
  if (a && a->is_object()) return *a;
  return Value::MakeObject();
}

std::optional<ActionTime> TimeMember(const Value* v) {
  if (!v || !v->is_string() || v->as_string().empty()) return std::nullopt;
  auto t = ParseRfc3339(v->as_string());
  if (!t.ok()) return std::nullopt;
  return *t;
}

const ContainerRef* IntentContainer(const WorkloadView& view, std::string_view name) {
  const ContainerRef* only = nullptr;
  std::size_t regular = 0;
  for (const ContainerRef& c : view.containers) {
    if (c.group != ContainerGroup::kRegular) continue;
    if (c.name == name) return &c;
    ++regular;
    only = &c;
  }
  return regular == 1 ? only : nullptr;
}

std::string ObjectLabel(const Value& object) {
  std::string ns(Str(object.FindPath({"metadata", "namespace"})));
  std::string name(Str(object.FindPath({"metadata", "name"})));
  std::string kind(Str(object.Find("kind")));
  return (kind.empty() ? std::string("object") : kind) + " " + (ns.empty() ? name : ns + "/" + name);
}

}  // namespace internal

using internal::Get;
using internal::Str;

Status AppendActionAudit(AuditLog& log, const std::vector<ActionAuditRecord>& records) {
  for (const ActionAuditRecord& r : records) {
    auto entry = log.Append(r.type, r.record);
    if (!entry.ok()) return entry.status();
  }
  return Status();
}

// ---------------------------------------------------------------------------
// Allowlist
// ---------------------------------------------------------------------------

const std::vector<std::string>& IntentActions() {
  static const std::vector<std::string> kActions = {"bump-memory", "bump-cpu", "restart-pod", "rollout-restart",
                                                    "scale-replicas"};
  return kActions;
}

namespace {

constexpr std::size_t kMaxIntentBytes = 64 * 1024;
constexpr std::size_t kMaxParamBytes = 256;

Status Reject(std::string message) { return InvalidArgumentError(std::move(message)); }

Status OnlyParams(std::string_view action, const std::map<std::string, std::string>& params,
                  std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : params) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Reject(std::string(action) + ": unknown param " + JsonQuote(key));
    }
    if (value.size() > kMaxParamBytes) return Reject(std::string(action) + ": param " + JsonQuote(key) + " too long");
  }
  return Status();
}

Status CheckQuantityParam(std::string_view action, const std::map<std::string, std::string>& params) {
  auto it = params.find("target");
  if (it == params.end()) return Reject(std::string(action) + ": missing param \"target\"");
  std::optional<long double> q = internal::QuantityValue(it->second);
  if (!q) return Reject(std::string(action) + ": target " + JsonQuote(it->second) + " is not a Kubernetes quantity");
  if (!(*q > 0)) return Reject(std::string(action) + ": target " + JsonQuote(it->second) + " must be positive");
  return Status();
}

}  // namespace

Status ValidateIntentAction(std::string_view action, const std::map<std::string, std::string>& params) {
  if (action.empty()) return Reject("empty action");
  if (action == "bump-memory" || action == "bump-cpu") {
    KFIX_RETURN_IF_ERROR(OnlyParams(action, params, {"target"}));
    return CheckQuantityParam(action, params);
  }
  if (action == "restart-pod") {
    KFIX_RETURN_IF_ERROR(OnlyParams(action, params, {"strategy"}));
    auto it = params.find("strategy");
    if (it != params.end() && it->second.empty()) return Reject("restart-pod: empty strategy");
    return Status();
  }
  if (action == "rollout-restart") return OnlyParams(action, params, {});
  if (action == "scale-replicas") {
    KFIX_RETURN_IF_ERROR(OnlyParams(action, params, {"replicas"}));
    auto it = params.find("replicas");
    if (it == params.end()) return Reject("scale-replicas: missing param \"replicas\"");
    std::optional<std::int64_t> n = internal::ParseDecimal(it->second);
    if (!n) return Reject("scale-replicas: replicas " + JsonQuote(it->second) + " is not an integer");
    if (*n < 1 || *n > 10) return Reject("scale-replicas: replicas " + it->second + " outside [1, 10]");
    return Status();
  }
  return Reject("action " + JsonQuote(action) + " is not in the allowlist");
}

Result<Intent> MakeIntent(std::string action, std::map<std::string, std::string> params, std::int64_t generation,
                          std::string source, std::string escalation_ref) {
  KFIX_RETURN_IF_ERROR(ValidateIntentAction(action, params));
  if (generation <= 0) return Reject("generation must be a positive integer");
  if (source != "rule-engine" && source != "companion-claw") {
    return Reject("source " + JsonQuote(source) + " is not rule-engine or companion-claw");
  }
  if (escalation_ref.size() > 253) return Reject("escalationRef too long");
  Intent intent;
  intent.action = std::move(action);
  intent.params = std::move(params);
  intent.generation = generation;
  intent.source = std::move(source);
  intent.escalation_ref = std::move(escalation_ref);
  return intent;
}

Value Intent::ToValue() const {
  Value v = Value::MakeObject();
  v.Set("action", action);
  if (!params.empty()) {
    Value p = Value::MakeObject();
    for (const auto& [k, val] : params) p.Set(k, val);
    v.Set("params", std::move(p));
  }
  v.Set("generation", generation);
  v.Set("source", source);
  if (!escalation_ref.empty()) v.Set("escalationRef", escalation_ref);
  return v;
}

std::string Intent::ToJson() const { return kfix::ToJson(ToValue(), JsonStyle::kCompact); }

Result<Intent> ParseIntent(std::string_view json) {
  if (json.size() > kMaxIntentBytes) return ParseError("intent is larger than 64 KiB");
  ParseOptions po;
  po.strict_duplicate_keys = true;
  po.max_depth = 8;
  Result<Value> doc = ParseJson(json, po);
  if (!doc.ok()) return ParseError("malformed intent JSON: " + doc.status().message());
  const Value& v = *doc;
  if (!v.is_object()) return ParseError(std::string("intent must be a JSON object, not ") + v.type_name());
  for (const Member& m : v.as_object()) {
    if (m.key != "action" && m.key != "params" && m.key != "generation" && m.key != "source" &&
        m.key != "escalationRef") {
      return ParseError("unknown intent member " + JsonQuote(m.key));
    }
  }
  const Value* action = v.Find("action");
  if (!action) return Reject("empty action");
  if (!action->is_string()) return ParseError("intent member \"action\" must be a string");
  std::map<std::string, std::string> params;
  if (const Value* p = v.Find("params"); p && !p->is_null()) {
    if (!p->is_object()) return ParseError("intent member \"params\" must be an object of strings");
    for (const Member& m : p->as_object()) {
      if (!m.value.is_string()) return ParseError("intent param " + JsonQuote(m.key) + " must be a string");
      params[m.key] = m.value.as_string();
    }
  }
  const Value* gen = v.Find("generation");
  if (!gen) return ParseError("intent member \"generation\" is missing");
  std::optional<std::int64_t> g = internal::AsInt(gen);
  if (!gen->is_number() || !g) return ParseError("intent member \"generation\" must be an integer");
  const Value* source = v.Find("source");
  if (!source) return ParseError("intent member \"source\" is missing");
  if (!source->is_string()) return ParseError("intent member \"source\" must be a string");
  std::string ref;
  if (const Value* r = v.Find("escalationRef"); r && !r->is_null()) {
    if (!r->is_string()) return ParseError("intent member \"escalationRef\" must be a string");
    ref = r->as_string();
  }
  return MakeIntent(action->as_string(), std::move(params), *g, source->as_string(), std::move(ref));
}

std::int64_t StoredGeneration(const Value& annotations) noexcept {
  const Value* g = annotations.is_object() ? annotations.Find(kIntentGenerationAnnotation) : nullptr;
  if (!g || !g->is_string()) return 0;
  std::string_view s = g->as_string();
  if (s.empty()) return 0;
  std::int64_t v = 0;
  bool overflow = false;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    if (overflow || __builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, c - '0', &v)) overflow = true;
  }
  // A decimal beyond int64 saturates (fail closed: nothing can be newer).
  return overflow ? INT64_MAX : v;
}

const char* IntentDecisionName(IntentDecision d) noexcept {
  switch (d) {
    case IntentDecision::kExecute: return "execute";
    case IntentDecision::kSkip: return "skip";
    case IntentDecision::kReject: return "reject";
  }
  return "reject";
}

// ---------------------------------------------------------------------------
// Effects
// ---------------------------------------------------------------------------

namespace {

PatchOp Op(PatchOpType type, const JsonPointer& path, Value value) {
  PatchOp op;
  op.op = type;
  op.path = path;
  op.value = std::move(value);
  return op;
}

bool IsClaw(const Value& object) { return Str(object.Find("kind")) == "Claw"; }

// The pointer to the resources owner: a container (workloads) or /spec (Claw).
Result<JsonPointer> ResourcesOwner(const Value& object, const ConsumeOptions& options, const Value** owner) {
  if (IsClaw(object)) {
    const Value* spec = object.Find("spec");
    if (!spec || !spec->is_object()) return NotFoundError("Claw has no spec");
    *owner = spec;
    return JsonPointer({"spec"});
  }
  std::optional<WorkloadView> view = ViewWorkload(object);
  if (!view) return InvalidArgumentError(internal::ObjectLabel(object) + " is not a workload or a Claw");
  if (const ContainerRef* c = internal::IntentContainer(*view, options.container)) {
    *owner = c->container;
    return c->pointer;
  }
  return NotFoundError(internal::ObjectLabel(object) + " has no container " + JsonQuote(options.container));
}

Result<Patch> ResourcePatch(const Intent& intent, const Value& object, const ConsumeOptions& options) {
  const std::string resource = intent.action == "bump-memory" ? "memory" : "cpu";
  const std::string& target = intent.params.at("target");
  const Value* owner = nullptr;
  Result<JsonPointer> at = ResourcesOwner(object, options, &owner);
  if (!at.ok()) return at.status();
  Patch patch;
  const Value* resources = owner->Find("resources");
  JsonPointer rp = at->Child("resources");
  if (!resources || !resources->is_object()) {
    Value limits = Value::MakeObject();
    limits.Set(resource, target);
    Value r = Value::MakeObject();
    r.Set("limits", std::move(limits));
    patch.push_back(Op(resources ? PatchOpType::kReplace : PatchOpType::kAdd, rp, std::move(r)));
    return patch;
  }
  const Value* limits = resources->Find("limits");
  if (!limits || !limits->is_object()) {
    Value l = Value::MakeObject();
    l.Set(resource, target);
    patch.push_back(Op(limits ? PatchOpType::kReplace : PatchOpType::kAdd, rp.Child("limits"), std::move(l)));
  } else {
    patch.push_back(Op(limits->Find(resource) ? PatchOpType::kReplace : PatchOpType::kAdd,
                       rp.Child("limits").Child(resource), Value(target)));
  }
  const Value* request = Get(Get(resources, "requests"), resource);
  if (request) {
    std::optional<long double> req = internal::QuantityValue(internal::ScalarText(request));
    std::optional<long double> tgt = internal::QuantityValue(target);
    if (req && tgt && *req > *tgt) {
      patch.push_back(Op(PatchOpType::kReplace, rp.Child("requests").Child(resource), Value(target)));
    }
  }
  return patch;
}

bool HasReplicas(std::string_view kind) {
  return kind == "Deployment" || kind == "StatefulSet" || kind == "ReplicaSet" || kind == "ReplicationController" ||
         kind == "DeploymentConfig" || kind == "Claw";
}

}  // namespace

Result<Patch> IntentPatch(const Intent& intent, const Value& object, const ConsumeOptions& options) {
  if (!object.is_object()) return InvalidArgumentError("the object is not a mapping");
  KFIX_RETURN_IF_ERROR(ValidateIntentAction(intent.action, intent.params));
  if (intent.action == "bump-memory" || intent.action == "bump-cpu") return ResourcePatch(intent, object, options);
  if (intent.action == "restart-pod") return Patch{};
  std::string kind(Str(object.Find("kind")));
  if (intent.action == "scale-replicas") {
    if (!HasReplicas(kind)) return InvalidArgumentError("scale-replicas: kind " + JsonQuote(kind) + " has no replicas");
    const Value* spec = object.Find("spec");
    if (!spec || !spec->is_object()) return NotFoundError(internal::ObjectLabel(object) + " has no spec");
    std::int64_t n = *internal::ParseDecimal(intent.params.at("replicas"));
    return Patch{Op(spec->Find("replicas") ? PatchOpType::kReplace : PatchOpType::kAdd, JsonPointer({"spec", "replicas"}),
                    Value(n))};
  }
  // rollout-restart
  std::optional<WorkloadView> view = ViewWorkload(object);
  if (!view || kind == "Pod" || !view->pod_spec) {
    return InvalidArgumentError("rollout-restart: " + internal::ObjectLabel(object) + " has no pod template");
  }
  Value stamp(FormatRfc3339(options.now));
  if (!view->pod_metadata || !view->pod_metadata->is_object()) {
    Value ann = Value::MakeObject();
    ann.Set(kRestartedAtAnnotation, stamp);
    Value md = Value::MakeObject();
    md.Set("annotations", std::move(ann));
    return Patch{Op(view->pod_metadata ? PatchOpType::kReplace : PatchOpType::kAdd, view->pod_metadata_pointer, std::move(md))};
  }
  const Value* ann = view->pod_metadata->Find("annotations");
  if (!ann || !ann->is_object()) {
    Value a = Value::MakeObject();
    a.Set(kRestartedAtAnnotation, stamp);
    return Patch{Op(ann ? PatchOpType::kReplace : PatchOpType::kAdd, view->pod_metadata_pointer.Child("annotations"), std::move(a))};
  }
  return Patch{Op(PatchOpType::kAdd, view->pod_metadata_pointer.Child("annotations").Child(kRestartedAtAnnotation),
                  std::move(stamp))};
}

namespace {

std::optional<PodDeletion> OldestPod(const std::vector<Value>& pods) {
  const Value* best = nullptr;
  std::optional<ActionTime> best_time;
  std::string best_name;
  for (const Value& p : pods) {
    std::string name(Str(p.FindPath({"metadata", "name"})));
    if (name.empty()) continue;
    std::optional<ActionTime> t = internal::TimeMember(p.FindPath({"metadata", "creationTimestamp"}));
    bool better = false;
    if (!best) {
      better = true;
    } else if (t && !best_time) {
      better = true;
    } else if (t && best_time && (*t < *best_time || (*t == *best_time && name < best_name))) {
      better = true;
    } else if (!t && !best_time && name < best_name) {
      better = true;
    }
    if (better) {
      best = &p;
      best_time = t;
      best_name = name;
    }
  }
  if (!best) return std::nullopt;
  return PodDeletion{std::string(Str(best->FindPath({"metadata", "namespace"}))), best_name};
}

}  // namespace

ConsumeResult ConsumeIntent(const Value& object, const ConsumeOptions& options) {
  ConsumeResult r;
  r.annotations = internal::AnnotationsOf(object);
  r.stored_generation = StoredGeneration(r.annotations);
  r.next_generation = r.stored_generation;
  const Value* raw = r.annotations.Find(kIntentAnnotation);
  if (!raw) {
    r.decision = IntentDecision::kSkip;
    r.error = "no intent annotation";
    return r;
  }
  std::string text = raw->is_string() ? raw->as_string() : std::string();
  bool is_string = raw->is_string();
  r.annotations.Erase(kIntentAnnotation);  // cleared after every outcome
  if (!is_string) {
    r.decision = IntentDecision::kReject;
    r.error = "intent annotation is not a string";
    return r;
  }
  Result<Intent> intent = ParseIntent(text);
  if (!intent.ok()) {
    r.decision = IntentDecision::kReject;
    r.error = intent.status().message();
    return r;
  }
  r.intent = *intent;
  if (intent->generation <= r.stored_generation) {
    r.decision = IntentDecision::kSkip;
    r.error = "stale intent: generation " + std::to_string(intent->generation) + " <= stored " +
              std::to_string(r.stored_generation);
    return r;
  }
  Result<Patch> patch = IntentPatch(*intent, object, options);
  if (!patch.ok()) {
    r.decision = IntentDecision::kReject;
    r.error = "effect failed: " + patch.status().message();
    return r;
  }
  if (!patch->empty()) {
    Manifest m;
    m.root = object;
    Result<std::unique_ptr<Guard>> guard = Guard::Create(nullptr, options.guard_config, {std::move(m)});
    if (!guard.ok()) {
      r.decision = IntentDecision::kReject;
      r.error = "effect failed: guard: " + guard.status().message();
      return r;
    }
    Verdict v = (*guard)->Vet(0, *patch);
    r.gates = v.gates;
    if (!v.accepted) {
      r.decision = IntentDecision::kReject;
      r.error = "effect refused by the guard: " + v.reason;
      return r;
    }
  }
  if (intent->action == "restart-pod") r.delete_pod = OldestPod(options.pods);
  r.patch = std::move(*patch);
  r.decision = IntentDecision::kExecute;
  r.next_generation = intent->generation;
  r.annotations.Set(kIntentGenerationAnnotation, std::to_string(intent->generation));
  return r;
}

Value ConsumeResult::ToValue() const {
  Value v = Value::MakeObject();
  v.Set("decision", IntentDecisionName(decision));
  v.Set("annotations", annotations);
  v.Set("patch", PatchToValue(patch));
  v.Set("error", error);
  return v;
}

std::vector<ActionAuditRecord> ConsumeResult::AuditRecords() const {
  Value rec = Value::MakeObject();
  rec.Set("decision", IntentDecisionName(decision));
  if (intent) rec.Set("intent", intent->ToValue());
  rec.Set("storedGeneration", stored_generation);
  rec.Set("nextGeneration", next_generation);
  rec.Set("patch", PatchToValue(patch));
  if (delete_pod) {
    Value d = Value::MakeObject();
    d.Set("namespace", delete_pod->namespace_);
    d.Set("name", delete_pod->name);
    rec.Set("deletePod", std::move(d));
  }
  if (!error.empty()) rec.Set("error", error);
  const char* type = decision == IntentDecision::kExecute ? "intent.executed"
                     : decision == IntentDecision::kSkip  ? "intent.skipped"
                                                          : "intent.rejected";
  return {ActionAuditRecord{type, std::move(rec)}};
}

}  // namespace kfix
