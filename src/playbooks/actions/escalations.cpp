// Escalations (playbooks.md §2.4, §2.7): the phase machine, approval
// timeouts, the proposal policy and the re-validation of approved proposals.
#include <string>
#include <utility>
#include <vector>

#include "kfix/actions.hpp"
#include "playbooks/actions/actions_internal.hpp"
#include "rules/internal.hpp"

namespace kfix {

using internal::Str;

namespace {
constexpr const char* kPhaseNames[] = {"Pending",  "AutoExecuted", "Analyzing", "Proposed", "AwaitingApproval",
                                       "Approved", "Executed",     "Rejected",  "Failed"};
constexpr const char* kEventNames[] = {"auto_execute", "analyze",   "propose",  "analysis_failed",
                                       "policy_allow", "policy_require_approval", "policy_deny",
                                       "approve",      "reject",    "execute",  "fail"};
}  // namespace

const char* EscalationPhaseName(EscalationPhase p) noexcept {
  auto i = static_cast<std::size_t>(p);
  return i < std::size(kPhaseNames) ? kPhaseNames[i] : "Failed";
}

Result<EscalationPhase> EscalationPhaseFromName(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kPhaseNames); ++i) {
    if (name == kPhaseNames[i]) return static_cast<EscalationPhase>(i);
  }
  return InvalidArgumentError("unknown escalation phase " + JsonQuote(name));
}

bool IsTerminal(EscalationPhase p) noexcept {
  return p == EscalationPhase::kAutoExecuted || p == EscalationPhase::kExecuted || p == EscalationPhase::kRejected ||
         p == EscalationPhase::kFailed;
}

const char* EscalationEventName(EscalationEvent e) noexcept {
  auto i = static_cast<std::size_t>(e);
  return i < std::size(kEventNames) ? kEventNames[i] : "fail";
}

Result<EscalationPhase> NextEscalationPhase(EscalationPhase from, EscalationEvent event) {
  using P = EscalationPhase;
  using E = EscalationEvent;
  if (!IsTerminal(from)) {
    if (event == E::kFail) return P::kFailed;
    struct Edge {
      P from;
      E event;
      P to;
    };
    static constexpr Edge kEdges[] = {
        {P::kPending, E::kAutoExecute, P::kAutoExecuted},
        {P::kPending, E::kAnalyze, P::kAnalyzing},
        {P::kAnalyzing, E::kPropose, P::kProposed},
        {P::kAnalyzing, E::kAnalysisFailed, P::kAwaitingApproval},
        {P::kProposed, E::kPolicyAllow, P::kApproved},
        {P::kProposed, E::kPolicyRequireApproval, P::kAwaitingApproval},
        {P::kProposed, E::kPolicyDeny, P::kRejected},
        {P::kAwaitingApproval, E::kApprove, P::kApproved},
        {P::kAwaitingApproval, E::kReject, P::kRejected},
        {P::kApproved, E::kExecute, P::kExecuted},
    };
    for (const Edge& e : kEdges) {
      if (e.from == from && e.event == event) return e.to;
    }
  }
  return InvalidArgumentError(std::string("escalation event ") + EscalationEventName(event) + " is not allowed in phase " +
                              EscalationPhaseName(from));
}

const char* ApprovalTimeoutActionName(ApprovalTimeoutAction a) noexcept {
  switch (a) {
    case ApprovalTimeoutAction::kWait: return "wait";
    case ApprovalTimeoutAction::kRenotify: return "renotify";
    case ApprovalTimeoutAction::kEscalateToAdmin: return "escalate_to_admin";
    case ApprovalTimeoutAction::kReject: return "reject";
  }
  return "reject";
}

ApprovalTimeoutAction ApprovalTimeout(SignalSeverity severity, std::chrono::seconds waiting, int renotified,
                                      std::chrono::seconds timeout) {
  if (waiting < timeout) return ApprovalTimeoutAction::kWait;
  switch (severity) {
    case SignalSeverity::kCritical:
      return renotified < 3 ? ApprovalTimeoutAction::kRenotify : ApprovalTimeoutAction::kEscalateToAdmin;
    case SignalSeverity::kHigh:
      return renotified < 1 ? ApprovalTimeoutAction::kRenotify : ApprovalTimeoutAction::kReject;
    default:
      return ApprovalTimeoutAction::kReject;
  }
}

// ---------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------

const char* PolicyActionName(PolicyAction a) noexcept {
  switch (a) {
    case PolicyAction::kAllow: return "allow";
    case PolicyAction::kRequireApproval: return "require_approval";
    case PolicyAction::kDeny: return "deny";
  }
  return "deny";
}

namespace {

bool PolicyActionFromName(std::string_view s, PolicyAction* out) {
  if (s == "allow") {
    *out = PolicyAction::kAllow;
  } else if (s == "require_approval") {
    *out = PolicyAction::kRequireApproval;
  } else if (s == "deny") {
    *out = PolicyAction::kDeny;
  } else {
    return false;
  }
  return true;
}

}  // namespace

bool GlobMatch(std::string_view p, std::string_view t) noexcept {
  // Iterative wildcard matching with single-star backtracking: O(|p|·|t|).
  std::size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == t[ti])) {
      ++pi;
      ++ti;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

ProposalPolicy ProposalPolicy::PhaseD() {
  ProposalPolicy p;
  p.default_action = PolicyAction::kDeny;
  for (const char* tool : {"kubectl_patch", "kubectl_scale", "kubectl_delete"}) {
    p.rules.push_back(PolicyRule{tool, "companion-claw", "*", PolicyAction::kDeny});
  }
  for (const char* tool : {"kubectl_get", "kubectl_describe", "kubectl_logs", "kubectl_top", "escalation_propose"}) {
    p.rules.push_back(PolicyRule{tool, "companion-claw", "*", PolicyAction::kAllow});
  }
  p.rules.push_back(PolicyRule{"claw_set_intent", "rule-engine", "*", PolicyAction::kAllow});
  return p;
}

Result<ProposalPolicy> ProposalPolicy::FromValue(const Value& v) {
  if (!v.is_object()) return ParseError("policy must be a mapping");
  ProposalPolicy p;
  for (const Member& m : v.as_object()) {
    if (m.key != "default_action" && m.key != "rules" && m.key != "version") {
      return ParseError("policy: unknown member " + JsonQuote(m.key));
    }
  }
  if (const Value* d = v.Find("default_action")) {
    if (!PolicyActionFromName(d->string_or(), &p.default_action)) {
      return ParseError("policy: default_action must be allow, require_approval or deny");
    }
  }
  if (const Value* rules = v.Find("rules"); rules && !rules->is_null()) {
    if (!rules->is_array()) return ParseError("policy: rules must be a list");
    std::size_t i = 0;
    for (const Value& r : rules->as_array()) {
      std::string where = "policy: rules[" + std::to_string(i++) + "]";
      if (!r.is_object()) return ParseError(where + " must be a mapping");
      PolicyRule rule;
      for (const Member& m : r.as_object()) {
        if (m.key == "tool" || m.key == "agent" || m.key == "target") {
          if (!m.value.is_string()) return ParseError(where + "." + m.key + " must be a string");
          (m.key == "tool" ? rule.tool : m.key == "agent" ? rule.agent : rule.target) = m.value.as_string();
        } else if (m.key == "action") {
          if (!PolicyActionFromName(m.value.string_or(), &rule.action)) {
            return ParseError(where + ".action must be allow, require_approval or deny");
          }
        } else if (m.key != "name" && m.key != "id") {
          return ParseError(where + ": unknown member " + JsonQuote(m.key));
        }
      }
      if (!r.Find("action")) return ParseError(where + ": missing action");
      p.rules.push_back(std::move(rule));
    }
  }
  return p;
}

PolicyAction CheckPolicy(const ProposalPolicy& policy, std::string_view tool, std::string_view agent,
                         std::string_view target) {
  for (const PolicyRule& r : policy.rules) {
    if (GlobMatch(r.tool, tool) && GlobMatch(r.agent, agent) && GlobMatch(r.target, target)) return r.action;
  }
  return policy.default_action;
}

Result<Intent> IntentFromApprovedProposal(const Escalation& escalation) {
  if (escalation.phase != EscalationPhase::kApproved) {
    return InvalidArgumentError(std::string("escalation is ") + EscalationPhaseName(escalation.phase) +
                                ", not Approved");
  }
  if (escalation.proposed_action.empty()) return InvalidArgumentError("approved escalation has no proposedAction");
  Result<Intent> intent = ParseIntent(escalation.proposed_action);
  if (!intent.ok()) return Status(intent.status().code(), "proposedAction: " + intent.status().message());
  if (intent->escalation_ref.empty()) intent->escalation_ref = escalation.name;
  return intent;
}

// ---------------------------------------------------------------------------
// The record
// ---------------------------------------------------------------------------

Value Escalation::ToValue() const {
  Value v = Value::MakeObject();
  v.Set("apiVersion", "claw.prismer.ai/v1alpha1");
  v.Set("kind", "ClawOpsEscalation");
  Value md = Value::MakeObject();
  if (name.empty()) {
    md.Set("generateName", claw + "-ops-");
  } else {
    md.Set("name", name);
  }
  md.Set("namespace", namespace_);
  md.Set("creationTimestamp", FormatRfc3339(created));
  Value owner = Value::MakeObject();
  owner.Set("apiVersion", "claw.prismer.ai/v1alpha1");
  owner.Set("kind", "Claw");
  owner.Set("name", claw);
  owner.Set("controller", false);
  Value owners = Value::MakeArray();
  owners.PushBack(std::move(owner));
  md.Set("ownerReferences", std::move(owners));
  v.Set("metadata", std::move(md));
  Value spec = Value::MakeObject();
  Value ref = Value::MakeObject();
  ref.Set("name", claw);
  spec.Set("clawRef", std::move(ref));
  Value trig = Value::MakeObject();
  trig.Set("type", TriggerTypeName(trigger));
  trig.Set("message", message);
  trig.Set("firstSeen", FormatRfc3339(created));
  trig.Set("count", count);
  spec.Set("trigger", std::move(trig));
  spec.Set("severity", SignalSeverityName(severity));
  spec.Set("ttlSecondsAfterFinished", ttl_seconds);
  v.Set("spec", std::move(spec));
  Value st = Value::MakeObject();
  st.Set("phase", EscalationPhaseName(phase));
  auto opt = [&](const char* key, const std::string& s) {
    if (!s.empty()) st.Set(key, s);
  };
  opt("matchedRule", matched_rule);
  opt("proposedAction", proposed_action);
  opt("executedAction", executed_action);
  if (executed_at) st.Set("executedAt", FormatRfc3339(*executed_at));
  opt("signetReceipt", signet_receipt);
  opt("approvedBy", approved_by);
  if (approved_at) st.Set("approvedAt", FormatRfc3339(*approved_at));
  opt("rejectionReason", rejection_reason);
  v.Set("status", std::move(st));
  return v;
}

Result<Escalation> Escalation::FromValue(const Value& v) {
  if (!v.is_object()) return ParseError("escalation must be a mapping");
  Escalation e;
  e.name = std::string(Str(v.FindPath({"metadata", "name"})));
  e.namespace_ = std::string(Str(v.FindPath({"metadata", "namespace"})));
  e.claw = std::string(Str(v.FindPath({"spec", "clawRef", "name"})));
  if (auto t = internal::TimeMember(v.FindPath({"metadata", "creationTimestamp"}))) e.created = *t;
  e.trigger = TriggerTypeFromName(Str(v.FindPath({"spec", "trigger", "type"})));
  e.message = std::string(Str(v.FindPath({"spec", "trigger", "message"})));
  e.count = internal::AsInt(v.FindPath({"spec", "trigger", "count"})).value_or(0);
  e.severity = SignalSeverityFromName(Str(v.FindPath({"spec", "severity"})));
  if (auto ttl = internal::AsInt(v.FindPath({"spec", "ttlSecondsAfterFinished"}))) e.ttl_seconds = *ttl;
  const Value* st = v.Find("status");
  std::string_view phase = Str(internal::Get(st, "phase"));
  if (phase.empty()) {
    e.phase = EscalationPhase::kPending;
  } else {
    Result<EscalationPhase> p = EscalationPhaseFromName(phase);
    if (!p.ok()) return ParseError("escalation status.phase: " + p.status().message());
    e.phase = *p;
  }
  e.matched_rule = std::string(Str(internal::Get(st, "matchedRule")));
  e.proposed_action = std::string(Str(internal::Get(st, "proposedAction")));
  e.executed_action = std::string(Str(internal::Get(st, "executedAction")));
  e.executed_at = internal::TimeMember(internal::Get(st, "executedAt"));
  e.signet_receipt = std::string(Str(internal::Get(st, "signetReceipt")));
  e.approved_by = std::string(Str(internal::Get(st, "approvedBy")));
  e.approved_at = internal::TimeMember(internal::Get(st, "approvedAt"));
  e.rejection_reason = std::string(Str(internal::Get(st, "rejectionReason")));
  return e;
}

}  // namespace kfix
