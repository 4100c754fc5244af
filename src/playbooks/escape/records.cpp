// Records of the container-escape playbook (playbooks.md §3.6): one ToValue
// per record, members in the reference order; and the findings parser (the
// remediation's input contract, §3.2).
#include <string>
#include <vector>

#include "kfix/escape.hpp"
#include "playbooks/escape/util.hpp"

namespace kfix::escape {
namespace {

using internal::SelectorValue;
using internal::StrOr;
using internal::Strings;
using internal::Truthy;

void Envelope(Value& v, const char* record_type) {
  v.Set("schema_mode", "native");
  v.Set("canonical_schema_version", kCanonicalSchemaVersion);
  v.Set("record_type", record_type);
  v.Set("source_skill", kRemediationSkill);
}

Value TargetValue(const Target& t) {
  Value v = Value::MakeObject();
  v.Set("provider", "Kubernetes");
  v.Set("namespace", t.namespace_);
  v.Set("resource_type", t.resource_type);
  v.Set("resource_name", t.resource_name);
  v.Set("pod_name", t.pod_name);
  return v;
}

}  // namespace

Value RemediationRecordToValue(const RemediationRecord& r) {
  Value v = Value::MakeObject();
  Envelope(v, r.dry_run ? "remediation_plan" : "remediation_action");
  v.Set("target", TargetValue(r.target));
  if (r.skip) {
    v.Set("actions", Value::MakeArray());
    v.Set("status", r.status);
    v.Set("status_detail", r.status_detail);
    v.Set("dry_run", r.dry_run);
    v.Set("time_ms", r.time_ms);
    v.Set("finding_uid", r.target.finding_uid);
    return v;
  }
  v.Set("action_mode", ActionModeName(r.mode));
  v.Set("policy_name", r.policy_name);
  v.Set("selector", SelectorValue(r.selector));
  Value actions = Value::MakeArray();
  for (const ActionStep& a : r.actions) {
    Value s = Value::MakeObject();
    s.Set("step", a.step);
    s.Set("endpoint", a.endpoint);
    s.Set("status", a.status);
    s.Set("detail", a.detail);
    actions.PushBack(std::move(s));
  }
  v.Set("actions", std::move(actions));
  v.Set("status", r.status);
  v.Set("dry_run", r.dry_run);
  v.Set("time_ms", r.time_ms);
  v.Set("finding_uid", r.target.finding_uid);
  if (r.mode == ActionMode::kQuarantine && !r.manifest.is_null()) v.Set("manifest", r.manifest);
  if (!r.effective_pod_name.empty()) v.Set("effective_pod_name", r.effective_pod_name);
  if (!r.node_name.empty()) v.Set("node_name", r.node_name);
  if (r.has_audit) {
    Value a = Value::MakeObject();
    a.Set("row_uid", r.audit.row_uid);
    a.Set("evidence_key", r.audit.evidence_key);
    if (r.audit.log_seq > 0) {
      a.Set("log_seq", r.audit.log_seq);
      a.Set("log_hash", r.audit.log_hash);
    }
    v.Set("audit", std::move(a));
  }
  if (!r.incident_id.empty()) v.Set("incident_id", r.incident_id);
  if (!r.approver.empty()) v.Set("approver", r.approver);
  if (!r.secondary_approver.empty()) v.Set("secondary_approver", r.secondary_approver);
  if (r.mode == ActionMode::kNodeDrain && r.status == "success") v.Set("drained_pods", Strings(r.drained_pods));
  if (r.mode == ActionMode::kNodeDrain && r.status == "in_progress") v.Set("evict_pods", Strings(r.evict_pods));
  return v;
}

Value AuditEnvelopeToValue(const AuditEnvelope& e) {
  Value v = Value::MakeObject();
  Envelope(v, "remediation_audit");
  v.Set("row_uid", e.row_uid);
  v.Set("namespace", e.target.namespace_);
  v.Set("resource_type", e.target.resource_type);
  v.Set("resource_name", e.target.resource_name);
  v.Set("pod_name", e.target.pod_name);
  v.Set("producer_skill", e.target.producer);
  v.Set("finding_uid", e.target.finding_uid);
  v.Set("step", e.step);
  v.Set("status", e.status);
  v.Set("status_detail", e.status_detail);
  v.Set("incident_id", e.incident_id);
  v.Set("approver", e.approver);
  v.Set("policy_name", e.policy_name);
  v.Set("action_mode", ActionModeName(e.mode));
  v.Set("action_at", e.action_at);
  if (!e.secondary_approver.empty()) v.Set("secondary_approver", e.secondary_approver);
  return v;
}

const char* VerificationStatusName(VerificationStatus status) noexcept {
  switch (status) {
    case VerificationStatus::kVerified: return "verified";
    case VerificationStatus::kDrift: return "drift";
    default: return "unreachable";
  }
}

Value VerificationRecordToValue(const VerificationRecord& r) {
  Value v = Value::MakeObject();
  Envelope(v, "remediation_verification");
  v.Set("record_uid", r.record_uid);
  Value ref = Value::MakeObject();
  ref.Set("remediation_skill", kRemediationSkill);
  ref.Set("remediation_action_uid", r.action_uid);
  ref.Set("target_provider", "Kubernetes");
  ref.Set("target_identifier", r.target_identifier);
  ref.Set("original_finding_uid", r.original_finding_uid);
  ref.Set("remediated_at_ms", r.remediated_at_ms);
  v.Set("reference", std::move(ref));
  v.Set("status", VerificationStatusName(r.status));
  v.Set("checked_at_ms", r.checked_at_ms);
  v.Set("sla_deadline_ms", r.sla_deadline_ms);
  v.Set("within_sla", r.checked_at_ms <= r.sla_deadline_ms);
  v.Set("expected_state", r.expected_state);
  v.Set("actual_state", r.actual_state);
  v.Set("detail", r.detail);
  v.Set("policy_name", r.policy_name);
  v.Set("selector", SelectorValue(r.selector));
  v.Set("endpoint", r.endpoint);
  v.Set("status_detail", r.detail);
  v.Set("time_ms", r.checked_at_ms);
  v.Set("finding_uid", r.original_finding_uid);
  v.Set("target", TargetValue(r.target));
  return v;
}

Value DriftFindingToValue(const VerificationRecord& r) {
  std::string uid = internal::HashId(
      "rev-", std::string("drift|") + kRemediationSkill + "|" + r.action_uid + "|" + r.target_identifier, 16);
  Value v = internal::OcsfFindingHead(4, r.checked_at_ms, uid, kRemediationSkill, {"remediation", "drift", "verification"});
  Value info = Value::MakeObject();
  info.Set("uid", uid);
  info.Set("title", "Remediation drift: Kubernetes " + r.target_identifier + " state does not match " +
                        kRemediationSkill + " post-remediation expectation");
  info.Set("desc", std::string(kRemediationSkill) + " completed at " + std::to_string(r.remediated_at_ms) +
                       " with action " + r.action_uid + ". Re-verification at " + std::to_string(r.checked_at_ms) +
                       " found actual state \"" + r.actual_state + "\" but expected \"" + r.expected_state +
                       "\". Either the remediation did not land, it landed and was reverted, or the target state was "
                       "modified out of band.");
  info.Set("types", Strings({"remediation-drift"}));
  info.Set("first_seen_time", r.remediated_at_ms);
  info.Set("last_seen_time", r.checked_at_ms);
  v.Set("finding_info", std::move(info));
  v.Set("observables", internal::ObservablesValue({{"remediation.skill", kRemediationSkill},
                                                     {"remediation.action_uid", r.action_uid},
                                                     {"target.provider", "Kubernetes"},
                                                     {"target.identifier", r.target_identifier},
                                                     {"original.finding_uid", r.original_finding_uid}}));
  Value ev = Value::MakeObject();
  ev.Set("expected_state", r.expected_state);
  ev.Set("actual_state", r.actual_state);
  ev.Set("within_sla", r.checked_at_ms <= r.sla_deadline_ms);
  ev.Set("sla_deadline_ms", r.sla_deadline_ms);
  ev.Set("detail", r.detail);
  v.Set("evidence", std::move(ev));
  return v;
}

Value OutputToValue(const OutputRecord& record) {
  if (const auto* r = std::get_if<RemediationRecord>(&record)) return RemediationRecordToValue(*r);
  if (const auto* e = std::get_if<AuditEnvelope>(&record)) return AuditEnvelopeToValue(*e);
  return VerificationRecordToValue(std::get<VerificationRecord>(record));
}

std::string JsonLines(const RunResult& result) {
  std::string out;
  for (const OutputRecord& r : result.records) {
    AppendJson(out, OutputToValue(r));
    out += '\n';
    if (const auto* v = std::get_if<VerificationRecord>(&r); v != nullptr && v->status == VerificationStatus::kDrift) {
      AppendJson(out, DriftFindingToValue(*v));
      out += '\n';
    }
  }
  return out;
}

// ---- findings in ----------------------------------------------------------------

FindingsInput ParseFindings(std::string_view text, std::string_view file) {
  FindingsInput out;
  internal::ForEachLine(text, [&](std::string_view line, std::int32_t line_no) {
    SourceLocation loc;
    loc.file = std::string(file);
    loc.line = line_no;
    Result<Value> parsed = ParseJson(line);
    if (!parsed.ok()) {
      out.errors.push_back(ParseError("not valid JSON: " + parsed.status().message(), loc));
      return;
    }
    const Value& f = *parsed;
    if (!f.is_object()) {
      out.errors.push_back(ParseError("expected a JSON object, got " + internal::WithArticle(f), loc));
      return;
    }
    internal::TypeDiag diag;
    InputFinding in;
    in.where = loc;
    if (const Value* cls = f.Find("class_uid")) {
      if (!(cls->is_number() && cls->as_number() == 2004)) {
        out.errors.push_back(InvalidArgumentError(
            "unsupported OCSF class_uid " + internal::Show(*cls) + " (expected 2004, Detection Finding)", loc));
        return;
      }
      const Value* md = diag.Obj(&f, "metadata", "");
      const Value* product = diag.Obj(md, "product", "metadata");
      const Value* feature = diag.Obj(product, "feature", "metadata.product");
      const Value* info = diag.Obj(&f, "finding_info", "");
      in.producer = feature != nullptr ? StrOr(feature->Find("name")) : std::string();
      in.finding_uid = info != nullptr ? StrOr(info->Find("uid")) : std::string();
      if (in.finding_uid.empty() && md != nullptr) in.finding_uid = StrOr(md->Find("uid"));
    } else {
      std::string record_type = StrOr(f.Find("record_type"));
      if (record_type != "detection_finding") {
        out.errors.push_back(InvalidArgumentError(
            record_type.empty() ? std::string("not a detection finding (no class_uid 2004, no record_type)")
                                : "unsupported record_type `" + internal::Clip(record_type) +
                                      "` (expected detection_finding)",
            loc));
        return;
      }
      in.producer = StrOr(f.Find("source_skill"));
      in.finding_uid = StrOr(f.Find("finding_uid"));
      if (in.finding_uid.empty()) in.finding_uid = StrOr(f.Find("event_uid"));
    }
    if (const Value* obs = diag.Arr(&f, "observables", "")) {
      for (const Value& o : obs->as_array()) {
        if (!o.is_object()) continue;
        const Value* name = o.Find("name");
        if (name == nullptr || !name->is_string()) continue;
        in.observables.emplace(name->as_string(), StrOr(o.Find("value")));  // first one wins
      }
    }
    in.target = StrOr(f.Find("target"));
    if (!diag.problems.empty()) {
      out.errors.push_back(InvalidArgumentError(diag.problems.front(), loc));
      return;
    }
    out.findings.push_back(std::move(in));
  });
  return out;
}

}  // namespace kfix::escape
