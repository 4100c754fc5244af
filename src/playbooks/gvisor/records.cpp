// The playbook's serialisers: one ToValue per record (docs/json-schema/gvisor-*.schema.json).
#include <cstdio>
#include <string>

#include "kfix/version.hpp"
#include "playbooks/gvisor/internal.hpp"

namespace kfix::gvisor {

namespace {

Value TargetValue(const Target& t) {
  Value v = Value::MakeObject();
  v.Set("kind", t.kind);
  v.Set("namespace", t.namespace_);
  v.Set("name", t.name);
  return v;
}

Value StatusValue(const Status& s) {
  Value v = Value::MakeObject();
  v.Set("code", StatusCodeName(s.code()));
  v.Set("message", s.message());
  if (!s.location().file.empty()) v.Set("file", s.location().file);
  if (s.location().line > 0) v.Set("line", s.location().line);
  return v;
}

}  // namespace

Value ToValue(const Reason& r) {
  Value v = Value::MakeObject();
  v.Set("ruleId", r.rule_id);
  v.Set("severity", SeverityName(r.severity));
  v.Set("description", r.description);
  v.Set("remediationUrl", r.remediation_url);
  return v;
}

Value ToValue(const WorkloadResult& r) {
  Value v = Value::MakeObject();
  v.Set("kind", r.kind);
  v.Set("namespace", r.namespace_);
  v.Set("name", r.name);
  v.Set("compatibility", CompatibilityName(r.compatibility));
  Value reasons = Value::MakeArray();
  for (const Reason& reason : r.reasons) reasons.PushBack(ToValue(reason));
  v.Set("reasons", std::move(reasons));
  v.Set("recommendation", r.recommendation);
  v.Set("overhead", r.overhead);
  return v;
}

Value ToValue(const CompatibilityReport& report) {
  Value v = Value::MakeObject();
  v.Set("schemaVersion", kReportSchemaVersion);
  Value rows = Value::MakeArray();
  for (const WorkloadResult& r : report.workloads) rows.PushBack(ToValue(r));
  v.Set("workloads", std::move(rows));
  Value warnings = Value::MakeArray();
  for (const Status& s : report.warnings) warnings.PushBack(s.ToString());
  v.Set("warnings", std::move(warnings));
  return v;
}

Value ToValue(const Step& s) {
  Value v = Value::MakeObject();
  v.Set("order", s.order);
  v.Set("target", TargetValue(s.target));
  v.Set("action", s.action);
  v.Set("runtimeClassName", s.runtime_class_name);
  v.Set("addToleration", s.add_toleration);
  v.Set("waitFor", s.wait_for);
  v.Set("riskScore", s.risk_score);
  v.Set("notes", s.notes);
  return v;
}

Value ToValue(const PlanOptions& o) {
  Value v = Value::MakeObject();
  v.Set("batchSize", o.batch_size);
  v.Set("maxParallel", o.max_parallel);
  v.Set("includeReview", o.include_review);
  v.Set("runtimeClassName", o.runtime_class_name.empty() ? std::string("gvisor") : o.runtime_class_name);
  v.Set("addToleration", o.add_toleration);
  return v;
}

Value ToValue(const MigrationPlan& plan) {
  Value v = Value::MakeObject();
  v.Set("apiVersion", kApiVersion);
  v.Set("kind", "MigrationPlan");
  Value md = Value::MakeObject();
  md.Set("generatedAt", plan.metadata.generated_at);
  md.Set("cluster", plan.metadata.cluster);
  md.Set("kfixVersion", plan.kfix_version);
  md.Set("planHash", plan.plan_hash);
  md.Set("hashProfile", HashProfileName(plan.hash_profile));
  v.Set("metadata", std::move(md));
  Value spec = Value::MakeObject();
  spec.Set("options", ToValue(plan.options));
  Value steps = Value::MakeArray();
  for (const Step& s : plan.steps) steps.PushBack(ToValue(s));
  spec.Set("steps", std::move(steps));
  Value summary = Value::MakeObject();
  summary.Set("total", plan.summary.total);
  summary.Set("included", plan.summary.included);
  summary.Set("excluded", plan.summary.excluded);
  spec.Set("summary", std::move(summary));
  Value excluded = Value::MakeArray();
  for (const ExcludedWorkload& e : plan.excluded) {
    Value ev = Value::MakeObject();
    ev.Set("target", TargetValue(e.target));
    ev.Set("compatibility", CompatibilityName(e.compatibility));
    ev.Set("reason", e.reason);
    excluded.PushBack(std::move(ev));
  }
  spec.Set("excluded", std::move(excluded));
  Value warnings = Value::MakeArray();
  for (const std::string& w : plan.warnings) warnings.PushBack(w);
  spec.Set("warnings", std::move(warnings));
  v.Set("spec", std::move(spec));
  return v;
}

Value ToValue(const PreflightReport& report) {
  Value v = Value::MakeObject();
  v.Set("ready", report.ready);
  Value findings = Value::MakeArray();
  for (const PreflightFinding& f : report.findings) {
    Value fv = Value::MakeObject();
    fv.Set("id", f.id);
    fv.Set("severity", SeverityName(f.severity));
    fv.Set("message", f.message);
    findings.PushBack(std::move(fv));
  }
  v.Set("findings", std::move(findings));
  return v;
}

Value ToValue(const StepResult& s) {
  Value v = Value::MakeObject();
  v.Set("order", s.order);
  v.Set("target", TargetValue(s.target));
  v.Set("status", StepStatusName(s.status));
  v.Set("patch", s.patch.empty() ? std::string() : PatchToJson(s.patch));
  v.Set("error", s.error);
  Value gates = Value::MakeArray();
  for (const StepGate& g : s.gates) {
    Value gv = Value::MakeObject();
    gv.Set("name", g.name);
    gv.Set("passed", g.passed);
    gv.Set("detail", g.detail);
    gates.PushBack(std::move(gv));
  }
  v.Set("gates", std::move(gates));
  return v;
}

Value ToValue(const RunResult& run) {
  Value v = Value::MakeObject();
  v.Set("apiVersion", kApiVersion);
  v.Set("kind", run.kind);
  Value md = Value::MakeObject();
  md.Set("generatedAt", run.generated_at);
  md.Set("cluster", run.cluster);
  md.Set("kfixVersion", VersionString());
  md.Set("planHash", run.plan_hash);
  md.Set("dryRun", run.dry_run);
  if (run.preflight) {
    Value pf = Value::MakeObject();
    pf.Set("ready", run.preflight->ready);
    md.Set("preflight", std::move(pf));
  }
  v.Set("metadata", std::move(md));
  Value spec = Value::MakeObject();
  Value summary = Value::MakeObject();
  summary.Set("total", run.summary.total);
  summary.Set("applied", run.summary.applied);
  summary.Set("alreadyApplied", run.summary.already_applied);
  summary.Set("skipped", run.summary.skipped);
  summary.Set("failed", run.summary.failed);
  spec.Set("summary", std::move(summary));
  Value steps = Value::MakeArray();
  for (const StepResult& s : run.steps) steps.PushBack(ToValue(s));
  spec.Set("steps", std::move(steps));
  Value stamps = Value::MakeArray();
  for (const StampPatch& st : run.stamps) {
    Value sv = Value::MakeObject();
    sv.Set("namespace", st.namespace_);
    sv.Set("patch", PatchToJson(st.patch));
    stamps.PushBack(std::move(sv));
  }
  spec.Set("namespaceStamps", std::move(stamps));
  if (run.preflight) {
    Value pf = ToValue(*run.preflight);
    spec.Set("preflightFindings", std::move(*pf.Find("findings")));
  }
  Value warnings = Value::MakeArray();
  for (const Status& s : run.warnings) warnings.PushBack(StatusValue(s));
  spec.Set("warnings", std::move(warnings));
  spec.Set("exitCode", static_cast<std::int64_t>(run.exit_code));
  v.Set("spec", std::move(spec));
  return v;
}

Value ToValue(const VerifyReport& report) {
  Value v = Value::MakeObject();
  v.Set("apiVersion", kApiVersion);
  v.Set("kind", "VerifyResult");
  Value md = Value::MakeObject();
  md.Set("planHash", report.plan_hash);
  v.Set("metadata", std::move(md));
  Value spec = Value::MakeObject();
  Value summary = Value::MakeObject();
  summary.Set("total", report.total);
  summary.Set("ok", report.ok);
  summary.Set("mismatch", report.mismatch);
  summary.Set("error", report.error);
  spec.Set("summary", std::move(summary));
  Value steps = Value::MakeArray();
  for (const VerifyStepResult& s : report.steps) {
    Value sv = Value::MakeObject();
    sv.Set("order", s.order);
    sv.Set("target", TargetValue(s.target));
    sv.Set("status", VerifyStatusName(s.status));
    sv.Set("pods", s.pods);
    sv.Set("message", s.message);
    steps.PushBack(std::move(sv));
  }
  spec.Set("steps", std::move(steps));
  spec.Set("exitCode", static_cast<std::int64_t>(report.exit_code));
  v.Set("spec", std::move(spec));
  return v;
}

std::string ToText(const CompatibilityReport& report) {
  std::string out;
  for (const WorkloadResult& r : report.workloads) {
    out += r.namespace_ + "/" + r.kind + "/" + r.name + ": " + CompatibilityName(r.compatibility);
    if (!r.source.file.empty()) out += "  (" + r.source.file + ":" + std::to_string(r.source.line) + ")";
    out += "\n";
    for (const Reason& reason : r.reasons) {
      out += "  [" + std::string(SeverityName(reason.severity)) + "] " + reason.rule_id + ": " + reason.description + "\n";
    }
    out += "  " + r.recommendation + "\n";
    if (!r.overhead.empty()) out += "  overhead: " + r.overhead + "\n";
  }
  for (const Status& w : report.warnings) out += "warning: " + w.ToString() + "\n";
  out += std::to_string(report.workloads.size()) + " workloads: " + std::to_string(report.compatible) +
         " compatible, " + std::to_string(report.review) + " review, " + std::to_string(report.incompatible) +
         " incompatible\n";
  return out;
}

}  // namespace kfix::gvisor
