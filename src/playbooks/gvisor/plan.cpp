// The planner, the plan hash and the plan loader (playbooks.md §1.5-§1.6).
#include <algorithm>
#include <string>
#include <tuple>

#include "audit/go_json.hpp"
#include "kfix/audit.hpp"
#include "kfix/version.hpp"
#include "playbooks/gvisor/internal.hpp"

namespace kfix::gvisor {

namespace {

using internal::gvisor::Join;
using internal::gvisor::Str;

std::vector<std::string> RuleIds(const WorkloadResult& r, std::optional<Severity> only) {
  std::vector<std::string> ids;
  for (const Reason& reason : r.reasons) {
    if (!only || reason.severity == *only) ids.push_back(reason.rule_id);
  }
  return ids;
}

std::string WaitFor(std::string_view kind) {
  if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet") return "Ready";
  if (kind == "Job" || kind == "CronJob" || kind == "Pod") return "Running";
  return "";
}

// ---- Go encoding/json bytes (the agentmoat profile) ---------------------------

void GoString(std::string& out, std::string_view s) { internal::AppendGoString(out, s); }

void GoKey(std::string& out, bool& first, std::string_view key) {
  if (!first) out += ',';
  first = false;
  out += '"';
  out += key;
  out += "\":";
}

std::string GoLayout(const std::vector<Step>& steps, const PlanOptions& o, bool with_add_toleration_option) {
  std::string out = "{\"steps\":[";
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    if (i) out += ',';
    bool first = true;
    out += '{';
    GoKey(out, first, "order");
    out += std::to_string(s.order);
    GoKey(out, first, "target");
    out += "{\"kind\":";
    GoString(out, s.target.kind);
    out += ",\"namespace\":";
    GoString(out, s.target.namespace_);
    out += ",\"name\":";
    GoString(out, s.target.name);
    out += '}';
    GoKey(out, first, "action");
    GoString(out, s.action);
    if (!s.runtime_class_name.empty()) {
      GoKey(out, first, "runtimeClassName");
      GoString(out, s.runtime_class_name);
    }
    GoKey(out, first, "addToleration");
    out += s.add_toleration ? "true" : "false";
    if (!s.wait_for.empty()) {
      GoKey(out, first, "waitFor");
      GoString(out, s.wait_for);
    }
    GoKey(out, first, "riskScore");
    out += std::to_string(s.risk_score);
    if (!s.notes.empty()) {
      GoKey(out, first, "notes");
      GoString(out, s.notes);
    }
    out += '}';
  }
  out += "],\"options\":{";
  bool first = true;
  if (o.batch_size != 0) {
    GoKey(out, first, "batchSize");
    out += std::to_string(o.batch_size);
  }
  if (o.max_parallel != 0) {
    GoKey(out, first, "maxParallel");
    out += std::to_string(o.max_parallel);
  }
  if (o.include_review) {
    GoKey(out, first, "includeReview");
    out += "true";
  }
  if (!o.runtime_class_name.empty()) {
    GoKey(out, first, "runtimeClassName");
    GoString(out, o.runtime_class_name);
  }
  if (with_add_toleration_option && o.add_toleration) {
    GoKey(out, first, "addToleration");
    out += "true";
  }
  out += "}}";
  return out;
}

// ---- Loader helpers -------------------------------------------------------------

struct Reader {
  std::string_view file;
  Status error;

  SourceLocation At(const Value& v) const {
    SourceLocation l;
    l.file = std::string(file);
    l.line = v.line();
    l.column = v.column();
    return l;
  }
  void Fail(const Value& v, std::string msg) {
    if (error.ok()) error = ParseError(std::move(msg), At(v));
  }
  std::string String(const Value& obj, std::string_view key, std::string_view where) {
    const Value* v = obj.Find(key);
    if (v == nullptr || v->is_null()) return {};
    if (!v->is_string()) {
      Fail(*v, std::string(where) + "." + std::string(key) + " must be a string");
      return {};
    }
    return v->as_string();
  }
  bool Bool(const Value& obj, std::string_view key, std::string_view where) {
    const Value* v = obj.Find(key);
    if (v == nullptr || v->is_null()) return false;
    if (!v->is_bool()) {
      Fail(*v, std::string(where) + "." + std::string(key) + " must be a boolean");
      return false;
    }
    return v->as_bool();
  }
  std::int64_t Int(const Value& obj, std::string_view key, std::string_view where) {
    const Value* v = obj.Find(key);
    if (v == nullptr || v->is_null()) return 0;
    if (v->is_double() && v->as_double() == static_cast<double>(static_cast<std::int64_t>(v->as_double())))
      return static_cast<std::int64_t>(v->as_double());
    if (!v->is_int()) {
      Fail(*v, std::string(where) + "." + std::string(key) + " must be an integer");
      return 0;
    }
    return v->as_int();
  }
  const Value* Object(const Value& obj, std::string_view key, std::string_view where) {
    const Value* v = obj.Find(key);
    if (v == nullptr || v->is_null()) return nullptr;
    if (!v->is_object()) {
      Fail(*v, std::string(where) + "." + std::string(key) + " must be a mapping");
      return nullptr;
    }
    return v;
  }
  const Value* Array(const Value& obj, std::string_view key, std::string_view where) {
    const Value* v = obj.Find(key);
    if (v == nullptr || v->is_null()) return nullptr;
    if (!v->is_array()) {
      Fail(*v, std::string(where) + "." + std::string(key) + " must be a list");
      return nullptr;
    }
    return v;
  }
  Target ReadTarget(const Value& obj, std::string_view where) {
    Target t;
    const Value* v = Object(obj, "target", where);
    if (v == nullptr) {
      Fail(obj, std::string(where) + ".target is required");
      return t;
    }
    std::string w = std::string(where) + ".target";
    t.kind = String(*v, "kind", w);
    t.namespace_ = String(*v, "namespace", w);
    t.name = String(*v, "name", w);
    return t;
  }
};

}  // namespace

const char* HashProfileName(HashProfile p) noexcept {
  switch (p) {
    case HashProfile::kKfix: return "kfix";
    case HashProfile::kAgentmoat: return "agentmoat";
    case HashProfile::kAgentmoatV1: return "agentmoat-v1";
  }
  return "kfix";
}

std::optional<HashProfile> ParseHashProfile(std::string_view s) noexcept {
  if (s == "kfix") return HashProfile::kKfix;
  if (s == "agentmoat") return HashProfile::kAgentmoat;
  if (s == "agentmoat-v1") return HashProfile::kAgentmoatV1;
  return std::nullopt;
}

std::int64_t RiskScore(const WorkloadResult& r) noexcept {
  std::int64_t score = 1;
  if (r.kind == "Deployment" || r.kind == "Job" || r.kind == "CronJob") score = 0;
  else if (r.kind == "Pod") score = 1;
  else if (r.kind == "DaemonSet") score = 3;
  else if (r.kind == "StatefulSet") score = 5;
  std::int64_t warns = 0;
  for (const Reason& reason : r.reasons) {
    if (reason.severity == Severity::kWarn) ++warns;
    if (reason.rule_id == "network-throughput") score += 2;
    if (reason.rule_id == "syscall-heavy") score += 1;
  }
  if (warns == 1) score += 2;
  if (warns >= 2) score += 3;
  return score;
}

std::string PlanHashBytes(const std::vector<Step>& steps, const PlanOptions& options, HashProfile profile) {
  PlanOptions o = options;
  if (o.runtime_class_name.empty()) o.runtime_class_name = "gvisor";
  if (profile == HashProfile::kAgentmoat) return GoLayout(steps, o, true);
  if (profile == HashProfile::kAgentmoatV1) return GoLayout(steps, o, false);
  Value doc = Value::MakeObject();
  Value list = Value::MakeArray();
  for (const Step& s : steps) list.PushBack(ToValue(s));
  doc.Set("steps", std::move(list));
  doc.Set("options", ToValue(o));
  return AuditCanonicalJson(doc);
}

std::string PlanHash(const std::vector<Step>& steps, const PlanOptions& options, HashProfile profile) {
  return Sha256Hex(PlanHashBytes(steps, options, profile));
}

MigrationPlan BuildPlan(const CompatibilityReport& report, const PlanOptions& options, const PlanMetadata& metadata,
                        HashProfile profile, const ClusterFacts* facts) {
  MigrationPlan plan;
  plan.metadata = metadata;
  plan.kfix_version = VersionString();
  plan.hash_profile = profile;
  plan.options = options;
  if (plan.options.runtime_class_name.empty()) plan.options.runtime_class_name = "gvisor";
  struct Candidate {
    const WorkloadResult* r;
    std::int64_t score;
  };
  std::vector<Candidate> included;
  for (const WorkloadResult& r : report.workloads) {
    Target t{r.kind, r.namespace_, r.name};
    if (r.compatibility == Compatibility::kIncompatible) {
      plan.excluded.push_back({t, r.compatibility, "workload is incompatible: " + Join(RuleIds(r, Severity::kError))});
    } else if (r.compatibility == Compatibility::kReview && !plan.options.include_review) {
      plan.excluded.push_back({t, r.compatibility,
                               "workload needs review (use --include-review to plan anyway): " +
                                   Join(RuleIds(r, Severity::kWarn))});
    } else if (r.kind == "Pod") {
      plan.excluded.push_back(
          {t, r.compatibility,
           "cannot patch in place: a running Pod's spec.runtimeClassName is immutable; re-create the Pod (or "
           "migrate its controller) with runtimeClassName set"});
    } else if (r.kind == "Job") {
      plan.excluded.push_back(
          {t, r.compatibility,
           "cannot patch in place: a Job's spec.template is immutable after creation; re-create the Job with "
           "runtimeClassName set (CronJobs migrate via their jobTemplate)"});
    } else {
      included.push_back({&r, RiskScore(r)});
    }
  }
  std::stable_sort(included.begin(), included.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.score, a.r->namespace_, a.r->kind, a.r->name) <
           std::tie(b.score, b.r->namespace_, b.r->kind, b.r->name);
  });
  for (const Candidate& c : included) {
    Step s;
    s.order = static_cast<std::int64_t>(plan.steps.size()) + 1;
    s.target = Target{c.r->kind, c.r->namespace_, c.r->name};
    s.runtime_class_name = plan.options.runtime_class_name;
    s.add_toleration = plan.options.add_toleration;
    s.wait_for = WaitFor(c.r->kind);
    s.risk_score = c.score;
    std::vector<std::string> ids = RuleIds(*c.r, std::nullopt);
    if (!ids.empty()) s.notes = "flagged: " + Join(ids);
    plan.steps.push_back(std::move(s));
  }
  plan.summary.total = static_cast<std::int64_t>(report.workloads.size());
  plan.summary.included = static_cast<std::int64_t>(plan.steps.size());
  plan.summary.excluded = static_cast<std::int64_t>(plan.excluded.size());
  if (facts != nullptr && !facts->runtime_class_name.empty() &&
      facts->runtime_class_name != plan.options.runtime_class_name) {
    plan.warnings.push_back("cluster-facts-runtime-class-mismatch: the cluster facts were gathered for RuntimeClass " +
                            facts->runtime_class_name + ", the plan uses " + plan.options.runtime_class_name);
  }
  plan.plan_hash = PlanHash(plan.steps, plan.options, profile);
  return plan;
}

Result<MigrationPlan> ParsePlan(std::string_view text, std::string_view file) {
  SourceLocation at;
  at.file = std::string(file);
  Result<Value> doc = ParseYaml(text);
  if (!doc.ok()) return doc.status().WithDefaultLocation(at);
  Reader rd{file, Status()};
  if (!doc->is_object()) return ParseError("a MigrationPlan must be a mapping", rd.At(*doc));
  const Value& root = *doc;
  if (Str(&root, "kind") != "MigrationPlan")
    return ParseError("kind must be MigrationPlan, found \"" + std::string(Str(&root, "kind")) + "\"", rd.At(root));
  MigrationPlan plan;
  std::string profile_name;
  if (const Value* md = rd.Object(root, "metadata", "metadata")) {
    plan.metadata.generated_at = rd.String(*md, "generatedAt", "metadata");
    plan.metadata.cluster = rd.String(*md, "cluster", "metadata");
    plan.kfix_version = rd.String(*md, "kfixVersion", "metadata");
    plan.plan_hash = rd.String(*md, "planHash", "metadata");
    profile_name = rd.String(*md, "hashProfile", "metadata");
  }
  const Value* spec = rd.Object(root, "spec", "");
  if (spec != nullptr) {
    if (const Value* o = rd.Object(*spec, "options", "spec")) {
      plan.options.batch_size = rd.Int(*o, "batchSize", "spec.options");
      plan.options.max_parallel = rd.Int(*o, "maxParallel", "spec.options");
      plan.options.include_review = rd.Bool(*o, "includeReview", "spec.options");
      plan.options.runtime_class_name = rd.String(*o, "runtimeClassName", "spec.options");
      plan.options.add_toleration = rd.Bool(*o, "addToleration", "spec.options");
    }
    if (plan.options.runtime_class_name.empty()) plan.options.runtime_class_name = "gvisor";
    if (const Value* steps = rd.Array(*spec, "steps", "spec")) {
      for (const Value& sv : steps->as_array()) {
        if (!sv.is_object()) {
          rd.Fail(sv, "spec.steps[] must be mappings");
          break;
        }
        Step s;
        s.order = rd.Int(sv, "order", "step");
        s.target = rd.ReadTarget(sv, "step");
        s.action = rd.String(sv, "action", "step");
        s.runtime_class_name = rd.String(sv, "runtimeClassName", "step");
        s.add_toleration = rd.Bool(sv, "addToleration", "step");
        s.wait_for = rd.String(sv, "waitFor", "step");
        s.risk_score = rd.Int(sv, "riskScore", "step");
        s.notes = rd.String(sv, "notes", "step");
        if (rd.error.ok() && s.action != "set-runtime-class")
          rd.Fail(sv, "step action must be set-runtime-class, found \"" + s.action + "\"");
        plan.steps.push_back(std::move(s));
      }
    }
    if (const Value* sum = rd.Object(*spec, "summary", "spec")) {
      plan.summary.total = rd.Int(*sum, "total", "spec.summary");
      plan.summary.included = rd.Int(*sum, "included", "spec.summary");
      plan.summary.excluded = rd.Int(*sum, "excluded", "spec.summary");
    }
    if (const Value* ex = rd.Array(*spec, "excluded", "spec")) {
      for (const Value& ev : ex->as_array()) {
        if (!ev.is_object()) {
          rd.Fail(ev, "spec.excluded[] must be mappings");
          break;
        }
        ExcludedWorkload e;
        e.target = rd.ReadTarget(ev, "excluded");
        std::string c = rd.String(ev, "compatibility", "excluded");
        e.compatibility = c == "incompatible" ? Compatibility::kIncompatible
                          : c == "review"     ? Compatibility::kReview
                                              : Compatibility::kCompatible;
        e.reason = rd.String(ev, "reason", "excluded");
        plan.excluded.push_back(std::move(e));
      }
    }
    if (const Value* w = rd.Array(*spec, "warnings", "spec")) {
      for (const Value& s : w->as_array()) plan.warnings.emplace_back(s.string_or());
    }
  }
  if (!rd.error.ok()) return rd.error;
  if (!plan.plan_hash.empty()) {
    std::vector<HashProfile> candidates;
    if (!profile_name.empty()) {
      std::optional<HashProfile> p = ParseHashProfile(profile_name);
      if (!p) return ParseError("metadata.hashProfile must be kfix, agentmoat or agentmoat-v1", at);
      candidates.push_back(*p);
    } else {
      candidates = {HashProfile::kKfix, HashProfile::kAgentmoat, HashProfile::kAgentmoatV1};
    }
    bool matched = false;
    std::string recomputed;
    for (HashProfile p : candidates) {
      std::string h = PlanHash(plan.steps, plan.options, p);
      if (recomputed.empty()) recomputed = h;
      if (h == plan.plan_hash) {
        plan.hash_profile = p;
        matched = true;
        break;
      }
    }
    if (!matched) {
      return VerificationFailedError("plan failed its integrity check: metadata.planHash " +
                                         plan.plan_hash + " does not match its steps and options (" + recomputed +
                                         "); it was edited after planning",
                                     at);
    }
  } else if (!profile_name.empty()) {
    if (std::optional<HashProfile> p = ParseHashProfile(profile_name)) plan.hash_profile = *p;
  }
  return plan;
}

Result<MigrationPlan> LoadPlan(const std::string& path) {
  Result<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  return ParsePlan(*text, path);
}

}  // namespace kfix::gvisor
