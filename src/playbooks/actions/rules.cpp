// Signals, the rule engine, strategy → target resolution and the
// per-reconcile controller decision (playbooks.md §2.1-§2.4).
#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "kfix/actions.hpp"
#include "playbooks/actions/actions_internal.hpp"
#include "rules/internal.hpp"

namespace kfix {

using internal::Get;
using internal::Str;

const char* SignalSeverityName(SignalSeverity s) noexcept {
  switch (s) {
    case SignalSeverity::kCritical: return "Critical";
    case SignalSeverity::kHigh: return "High";
    case SignalSeverity::kMedium: return "Medium";
    case SignalSeverity::kLow: return "Low";
    case SignalSeverity::kUnknown: return "";
  }
  return "";
}

SignalSeverity SignalSeverityFromName(std::string_view name) noexcept {
  if (name == "Critical") return SignalSeverity::kCritical;
  if (name == "High") return SignalSeverity::kHigh;
  if (name == "Medium") return SignalSeverity::kMedium;
  if (name == "Low") return SignalSeverity::kLow;
  return SignalSeverity::kUnknown;
}

int SignalSeverityRank(SignalSeverity s) noexcept { return static_cast<int>(s); }

namespace {
constexpr const char* kTriggerNames[] = {"OOMKilled", "CrashLoop",        "HighCPU", "HighMemory", "PodPending",
                                         "ProbeFailure", "ChannelDisconnect", "Evicted", "Unknown"};
}  // namespace

const char* TriggerTypeName(TriggerType t) noexcept {
  auto i = static_cast<std::size_t>(t);
  return i < std::size(kTriggerNames) ? kTriggerNames[i] : "Unknown";
}

TriggerType TriggerTypeFromName(std::string_view name) noexcept {
  for (std::size_t i = 0; i < std::size(kTriggerNames); ++i) {
    if (name == kTriggerNames[i]) return static_cast<TriggerType>(i);
  }
  return TriggerType::kUnknown;
}

Value Signal::ToValue() const {
  Value v = Value::MakeObject();
  v.Set("type", TriggerTypeName(type));
  v.Set("severity", SignalSeverityName(severity));
  v.Set("count", count);
  v.Set("message", message);
  v.Set("source", source);
  v.Set("raw", raw);
  return v;
}

// ---------------------------------------------------------------------------
// Signal extraction (§2.2)
// ---------------------------------------------------------------------------

std::vector<Signal> ExtractSignals(const Value& pod) {
  std::vector<Signal> out;
  if (!pod.is_object()) return out;
  std::string name(Str(pod.FindPath({"metadata", "name"})));
  const Value* status = pod.Find("status");
  if (!status || !status->is_object()) return out;
  if (Str(status->Find("phase")) == "Failed" && Str(status->Find("reason")) == "Evicted") {
    Signal s;
    s.type = TriggerType::kEvicted;
    s.severity = SignalSeverity::kHigh;
    s.count = 1;
    s.message = "pod " + name + " evicted";
    if (auto m = Str(status->Find("message")); !m.empty()) s.message += ": " + std::string(m);
    s.source = "pod/" + name;
    s.raw = *status;
    out.push_back(std::move(s));
    return out;
  }
  const Value::Array* statuses = internal::Arr(status->Find("containerStatuses"));
  if (!statuses) return out;
  for (const Value& cs : *statuses) {
    if (!cs.is_object()) continue;
    std::string container(Str(cs.Find("name")));
    std::int64_t restarts = internal::AsInt(cs.Find("restartCount")).value_or(0);
    if (restarts < 0) restarts = 0;
    const Value* term = cs.FindPath({"lastState", "terminated"});
    Signal s;
    s.source = "pod/" + name + "/" + container;
    s.count = restarts;
    s.raw = cs;
    if (Str(Get(term, "reason")) == "OOMKilled") {
      s.type = TriggerType::kOOMKilled;
      s.severity = SignalSeverity::kHigh;
      std::int64_t code = internal::AsInt(Get(term, "exitCode")).value_or(137);
      s.message = "container " + container + " OOMKilled (exit " + std::to_string(code) + "), restarts " +
                  std::to_string(restarts);
      out.push_back(std::move(s));
    } else if (Str(cs.FindPath({"state", "waiting", "reason"})) == "CrashLoopBackOff") {
      s.type = TriggerType::kCrashLoop;
      s.severity = SignalSeverity::kHigh;
      s.message = "container " + container + " in CrashLoopBackOff, restarts " + std::to_string(restarts);
      out.push_back(std::move(s));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Rules (§2.3)
// ---------------------------------------------------------------------------

Value Rule::ToValue() const {
  Value v = Value::MakeObject();
  v.Set("id", id);
  Value match = Value::MakeObject();
  match.Set("signalType", TriggerTypeName(signal_type));
  match.Set("minSeverity", SignalSeverityName(min_severity));
  match.Set("minCount", min_count);
  v.Set("match", std::move(match));
  Value action = Value::MakeObject();
  action.Set("type", action_type);
  Value p = Value::MakeObject();
  for (const auto& [k, val] : params) p.Set(k, val);
  action.Set("params", std::move(p));
  v.Set("action", std::move(action));
  v.Set("cooldownSeconds", static_cast<std::int64_t>(cooldown.count()));
  return v;
}

std::vector<Rule> DefaultRules() {
  std::vector<Rule> rules(3);
  rules[0].id = "oom-bump-memory";
  rules[0].signal_type = TriggerType::kOOMKilled;
  rules[0].min_severity = SignalSeverity::kHigh;
  rules[0].min_count = 2;
  rules[0].action_type = "PatchResource";
  rules[0].params = {{"field", "memory-limit"}, {"strategy", "multiply-1.5"}, {"max", "4Gi"}};
  rules[0].cooldown = std::chrono::minutes(30);
  rules[1].id = "crashloop-restart-pod";
  rules[1].signal_type = TriggerType::kCrashLoop;
  rules[1].min_severity = SignalSeverity::kHigh;
  rules[1].min_count = 5;
  rules[1].action_type = "RestartPod";
  rules[1].params = {{"strategy", "delete-oldest"}};
  rules[1].cooldown = std::chrono::minutes(10);
  rules[2].id = "high-cpu-bump-request";
  rules[2].signal_type = TriggerType::kHighCPU;
  rules[2].min_severity = SignalSeverity::kMedium;
  rules[2].min_count = 1;
  rules[2].action_type = "PatchResource";
  rules[2].params = {{"field", "cpu-request"}, {"strategy", "multiply-1.5"}, {"max", "4"}};
  rules[2].cooldown = std::chrono::minutes(30);
  return rules;
}

const Rule* MatchRule(const std::vector<Rule>& rules, const Signal& signal, std::string_view claw,
                      const RuleCooldowns& cooldowns, ActionTime now) {
  if (signal.type == TriggerType::kUnknown) return nullptr;
  for (const Rule& rule : rules) {
    if (rule.signal_type != signal.type) continue;
    if (SignalSeverityRank(signal.severity) < SignalSeverityRank(rule.min_severity)) continue;
    if (signal.count < rule.min_count) continue;
    auto it = cooldowns.find(std::string(claw) + "/" + rule.id);
    if (it != cooldowns.end() && now - it->second < rule.cooldown) continue;
    return &rule;
  }
  return nullptr;
}

std::optional<RuleSelection> SelectSignal(const std::vector<Rule>& rules, const std::vector<Signal>& signals,
                                          std::string_view claw, const RuleCooldowns& cooldowns, ActionTime now) {
  std::optional<RuleSelection> best;
  int best_rank = -1;
  for (std::size_t i = 0; i < signals.size(); ++i) {
    const Rule* r = MatchRule(rules, signals[i], claw, cooldowns, now);
    if (!r) continue;
    int rank = SignalSeverityRank(signals[i].severity);
    if (rank > best_rank) {
      best_rank = rank;
      best = RuleSelection{i, *r};
    }
  }
  return best;
}

// ---------------------------------------------------------------------------
// Strategy → concrete target
// ---------------------------------------------------------------------------

namespace {

// "1.5" → 15/10. Positive decimals only, at most 6 fraction digits.
bool ParseFactor(std::string_view s, std::int64_t* num, std::int64_t* den) {
  if (s.empty() || s.size() > 12) return false;
  std::int64_t n = 0, d = 1;
  bool dot = false, digit = false;
  for (char c : s) {
    if (c == '.') {
      if (dot) return false;
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') return false;
    digit = true;
    n = n * 10 + (c - '0');
    if (dot) {
      d *= 10;
      if (d > 1000000) return false;
    }
  }
  if (!digit || n <= 0) return false;
  *num = n;
  *den = d;
  return true;
}

std::string FormatBytes(std::int64_t bytes) {
  static constexpr const char* kSuffix[] = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
  static constexpr int kShift[] = {60, 50, 40, 30, 20, 10};
  for (int i = 0; i < 6; ++i) {
    std::int64_t unit = std::int64_t{1} << kShift[i];
    if (bytes >= unit && bytes % unit == 0) return std::to_string(bytes / unit) + kSuffix[i];
  }
  return std::to_string(bytes);
}

std::string FormatMillis(std::int64_t millis) {
  if (millis % 1000 == 0) return std::to_string(millis / 1000);
  return std::to_string(millis) + "m";
}

}  // namespace

Result<std::string> ResolveTarget(std::string_view resource, std::string_view current, std::string_view strategy,
                                  std::string_view max) {
  if (resource != "memory" && resource != "cpu") {
    return InvalidArgumentError("resource " + JsonQuote(resource) + " is not memory or cpu");
  }
  if (current.empty()) return InvalidArgumentError("no current " + std::string(resource) + " limit to multiply");
  std::optional<long double> cur = internal::QuantityValue(current);
  if (!cur || *cur <= 0) return InvalidArgumentError("current value " + JsonQuote(current) + " is not a positive quantity");
  constexpr std::string_view kPrefix = "multiply-";
  std::int64_t num = 0, den = 1;
  if (strategy.substr(0, kPrefix.size()) != kPrefix || !ParseFactor(strategy.substr(kPrefix.size()), &num, &den)) {
    return InvalidArgumentError("strategy " + JsonQuote(strategy) + " is not multiply-<positive decimal>");
  }
  // Base units: bytes for memory, millicores for CPU, rounded up as
  // resource.Quantity.Value()/MilliValue() do.
  const long double scale = resource == "cpu" ? 1000.0L : 1.0L;
  auto units = [&](long double v) -> std::optional<std::int64_t> {
    long double u = std::ceil(v * scale - 1e-9L);
    if (!(u >= 0) || u > 9.0e18L) return std::nullopt;
    return static_cast<std::int64_t>(u);
  };
  std::optional<std::int64_t> cu = units(*cur);
  if (!cu) return InvalidArgumentError("current value " + JsonQuote(current) + " is out of range");
  std::int64_t product = 0;
  if (__builtin_mul_overflow(*cu, num, &product)) return InvalidArgumentError("target out of range");
  std::int64_t t = product / den + (product % den != 0 ? 1 : 0);
  if (!max.empty()) {
    std::optional<long double> mx = internal::QuantityValue(max);
    if (!mx || *mx <= 0) return InvalidArgumentError("max " + JsonQuote(max) + " is not a positive quantity");
    std::optional<std::int64_t> mu = units(*mx);
    if (!mu) return InvalidArgumentError("max " + JsonQuote(max) + " is out of range");
    t = std::min(t, *mu);
  }
  return resource == "cpu" ? FormatMillis(t) : FormatBytes(t);
}

namespace {

// The current limit of `resource` on the consumer's container (or Claw spec).
std::string CurrentLimit(const Value& object, std::string_view resource, const ConsumeOptions& options) {
  if (Str(object.Find("kind")) == "Claw") {
    return internal::ScalarText(object.FindPath({"spec", "resources", "limits", resource}));
  }
  std::optional<WorkloadView> view = ViewWorkload(object);
  if (!view) return "";
  const ContainerRef* c = internal::IntentContainer(*view, options.container);
  return c ? internal::ScalarText(c->container->FindPath({"resources", "limits", resource})) : std::string();
}

}  // namespace

Result<Intent> IntentFromRule(const Rule& rule, const Value& object, std::int64_t generation,
                              const ConsumeOptions& options) {
  std::string action;
  std::map<std::string, std::string> params;
  if (rule.action_type == "PatchResource") {
    auto field = rule.params.find("field");
    bool cpu = field != rule.params.end() && field->second == "cpu-request";
    action = cpu ? "bump-cpu" : "bump-memory";
    const std::string resource = cpu ? "cpu" : "memory";
    auto target = rule.params.find("target");
    auto strategy = rule.params.find("strategy");
    if (strategy != rule.params.end()) {
      auto max = rule.params.find("max");
      Result<std::string> t = ResolveTarget(resource, CurrentLimit(object, resource, options), strategy->second,
                                            max == rule.params.end() ? std::string_view() : std::string_view(max->second));
      if (!t.ok()) return Status(t.status().code(), "rule " + rule.id + ": " + t.status().message());
      params["target"] = *t;
    } else if (target != rule.params.end()) {
      params["target"] = target->second;
    } else {
      return InvalidArgumentError("rule " + rule.id + ": PatchResource needs a strategy or a target");
    }
  } else if (rule.action_type == "RestartPod") {
    action = "restart-pod";
    if (auto s = rule.params.find("strategy"); s != rule.params.end()) params["strategy"] = s->second;
  } else if (rule.action_type == "ScaleReplicas") {
    action = "scale-replicas";
    if (auto s = rule.params.find("replicas"); s != rule.params.end()) params["replicas"] = s->second;
  } else {
    return InvalidArgumentError("rule " + rule.id + ": unknown action type " + JsonQuote(rule.action_type));
  }
  return MakeIntent(std::move(action), std::move(params), generation, "rule-engine");
}

// ---------------------------------------------------------------------------
// The controller decision (§2.4)
// ---------------------------------------------------------------------------

namespace {

Escalation NewEscalation(const ClawState& state, const Signal& s, ActionTime now, std::int64_t ttl) {
  Escalation e;
  e.claw = state.name;
  e.namespace_ = state.namespace_;
  e.trigger = s.type;
  e.message = s.message;
  e.count = s.count;
  e.severity = s.severity;
  e.created = now;
  e.ttl_seconds = ttl;
  e.phase = EscalationPhase::kPending;
  return e;
}

Value StateToValue(const ClawState& s) {
  Value v = Value::MakeObject();
  v.Set("namespace", s.namespace_);
  v.Set("name", s.name);
  Value actions = Value::MakeArray();
  for (ActionTime t : s.actions) actions.PushBack(FormatRfc3339(t));
  v.Set("actions", std::move(actions));
  Value cd = Value::MakeObject();
  for (const auto& [k, t] : s.cooldowns) cd.Set(k, FormatRfc3339(t));
  v.Set("cooldowns", std::move(cd));
  Value esc = Value::MakeArray();
  for (const Escalation& e : s.escalations) esc.PushBack(e.ToValue());
  v.Set("escalations", std::move(esc));
  return v;
}

}  // namespace

ReconcileDecision DecideReconcile(const ReconcileInputs& in) {
  ReconcileDecision d;
  d.next_state = in.state;
  const ClawState& st = in.state;
  const std::int64_t default_ttl = in.policy.escalation_ttl_seconds;
  // 1. Approved escalations become intents (re-validated here; the consumer
  //    validates again).
  for (Escalation& e : d.next_state.escalations) {
    if (e.phase != EscalationPhase::kApproved) continue;
    Result<Intent> intent = IntentFromApprovedProposal(e);
    if (!intent.ok()) {
      d.approved_errors.push_back((e.name.empty() ? std::string("(unnamed)") : e.name) + ": " +
                                  intent.status().message());
      e.phase = EscalationPhase::kFailed;
      e.rejection_reason = intent.status().message();
      continue;
    }
    e.phase = EscalationPhase::kExecuted;
    e.executed_action = intent->ToJson();
    e.executed_at = in.now;
    d.approved_intents.push_back(std::move(*intent));
  }
  // 2. GC terminal escalations older than their TTL (from creation).
  std::vector<Escalation> kept;
  for (Escalation& e : d.next_state.escalations) {
    std::int64_t ttl = e.ttl_seconds > 0 ? e.ttl_seconds : default_ttl;
    if (IsTerminal(e.phase) && internal::SecondsBetween(e.created, in.now) > ttl) {
      d.gc.push_back(e.name);
      continue;
    }
    kept.push_back(std::move(e));
  }
  d.next_state.escalations = std::move(kept);
  // 3-4. Signals; drop those whose type has an open escalation.
  std::set<TriggerType> open;
  for (const Escalation& e : d.next_state.escalations) {
    if (!IsTerminal(e.phase)) open.insert(e.trigger);
  }
  std::vector<Signal> signals;
  for (const Signal& s : in.signals) {
    if (open.count(s.type)) {
      d.dropped.push_back(s);
    } else {
      signals.push_back(s);
    }
  }
  auto escalate = [&](const Signal& s) {
    for (const Escalation& e : d.escalate) {
      if (e.trigger == s.type) return;  // one escalation per trigger type per reconcile
    }
    d.escalate.push_back(NewEscalation(st, s, in.now, default_ttl));
  };
  // 5. Hourly budget (sliding window).
  std::vector<ActionTime> recent;
  for (ActionTime t : st.actions) {
    if (t <= in.now && in.now - t < std::chrono::hours(1)) recent.push_back(t);
  }
  d.next_state.actions = recent;
  if (static_cast<int>(recent.size()) >= in.policy.max_actions_per_hour) {
    d.budget_exhausted = true;
    for (const Signal& s : signals) escalate(s);
  } else {
    // 6. Highest-priority match, auto-executed.
    std::optional<RuleSelection> sel = SelectSignal(in.rules, signals, st.name, st.cooldowns, in.now);
    std::optional<TriggerType> executed_type;
    if (sel) {
      const Signal& s = signals[sel->signal_index];
      Result<Intent> intent = IntentFromRule(sel->rule, in.workload, internal::UnixMillis(in.now), in.consume);
      if (!intent.ok()) {
        d.execute_error = intent.status().message();
      } else {
        AutoExecution ax;
        ax.signal = s;
        ax.rule = sel->rule;
        ax.intent = *intent;
        ax.intent_json = intent->ToJson();
        if (in.signer) {
          ax.receipt = SignCanonicalBytes(*in.signer, ax.intent_json);
          if (!in.receipt_id.empty()) {
            ClawReceipt cr;
            cr.id = in.receipt_id;
            cr.key = "rule-engine";
            cr.tool = intent->action;
            Value p = Value::MakeObject();
            for (const auto& [k, v] : intent->params) p.Set(k, v);
            cr.params = std::move(p);
            cr.target = "claw://" + st.namespace_ + "/" + st.name;
            cr.ts = FormatRfc3339(in.now);
            ClawSign(*in.signer, cr);
            ax.claw_receipt = std::move(cr);
          }
        }
        ax.escalation = NewEscalation(st, s, in.now, default_ttl);
        ax.escalation.phase = EscalationPhase::kAutoExecuted;
        ax.escalation.matched_rule = sel->rule.id;
        ax.escalation.executed_action = ax.intent_json;
        ax.escalation.executed_at = in.now;
        if (ax.receipt) ax.escalation.signet_receipt = ax.receipt->ToJson();
        d.next_state.actions.push_back(in.now);
        d.next_state.cooldowns[st.name + "/" + sel->rule.id] = in.now;
        d.next_state.escalations.push_back(ax.escalation);
        executed_type = s.type;
        d.execute = std::move(ax);
      }
    }
    // 7. Escalate the rest.
    for (const Signal& s : signals) {
      if (executed_type && s.type == *executed_type) continue;
      escalate(s);
    }
  }
  for (const Escalation& e : d.escalate) d.next_state.escalations.push_back(e);
  return d;
}

Value ReconcileDecision::ToValue() const {
  Value v = Value::MakeObject();
  Value ai = Value::MakeArray();
  for (const Intent& i : approved_intents) ai.PushBack(i.ToValue());
  v.Set("approvedIntents", std::move(ai));
  Value ae = Value::MakeArray();
  for (const std::string& e : approved_errors) ae.PushBack(e);
  v.Set("approvedErrors", std::move(ae));
  Value g = Value::MakeArray();
  for (const std::string& n : gc) g.PushBack(n);
  v.Set("gc", std::move(g));
  Value dr = Value::MakeArray();
  for (const Signal& s : dropped) dr.PushBack(s.ToValue());
  v.Set("dropped", std::move(dr));
  v.Set("budgetExhausted", budget_exhausted);
  if (execute) {
    Value x = Value::MakeObject();
    x.Set("signal", execute->signal.ToValue());
    x.Set("rule", execute->rule.id);
    x.Set("intent", execute->intent.ToValue());
    x.Set("intentJson", execute->intent_json);
    x.Set("receipt", execute->receipt ? execute->receipt->ToValue() : Value());
    Value cr;
    if (execute->claw_receipt) {
      Result<Value> parsed = ParseJson(execute->claw_receipt->ToJson());
      if (parsed.ok()) cr = std::move(*parsed);
    }
    x.Set("clawReceipt", std::move(cr));
    x.Set("escalation", execute->escalation.ToValue());
    v.Set("execute", std::move(x));
  } else {
    v.Set("execute", Value());
  }
  v.Set("executeError", execute_error);
  Value es = Value::MakeArray();
  for (const Escalation& e : escalate) es.PushBack(e.ToValue());
  v.Set("escalate", std::move(es));
  v.Set("nextState", StateToValue(next_state));
  return v;
}

std::vector<ActionAuditRecord> ReconcileDecision::AuditRecords() const {
  std::vector<ActionAuditRecord> out;
  for (const Intent& i : approved_intents) {
    Value r = Value::MakeObject();
    r.Set("intent", i.ToValue());
    out.push_back({"intent.approved", std::move(r)});
  }
  if (execute) {
    Value r = Value::MakeObject();
    r.Set("rule", execute->rule.id);
    r.Set("signal", execute->signal.ToValue());
    r.Set("intent", execute->intent_json);
    if (execute->receipt) r.Set("receipt", execute->receipt->ToValue());
    out.push_back({"intent.auto_executed", std::move(r)});
  }
  for (const Escalation& e : escalate) out.push_back({"escalation.created", e.ToValue()});
  return out;
}

}  // namespace kfix
