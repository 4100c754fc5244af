// Patches, apply, rollback and verify (playbooks.md §1.7, §1.8, §1.10).
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "kfix/audit.hpp"
#include "kfix/guard.hpp"
#include "playbooks/gvisor/internal.hpp"

namespace kfix::gvisor {

namespace {

using internal::gvisor::Str;

using Key = std::tuple<std::string, std::string, std::string>;  // kind, namespace, name

Value Toleration() {
  Value t = Value::MakeObject();
  t.Set("key", "runtime");
  t.Set("operator", "Equal");
  t.Set("value", "gvisor");
  t.Set("effect", "NoSchedule");
  return t;
}

PatchOp Op(PatchOpType type, JsonPointer path, Value value = Value()) {
  PatchOp op;
  op.op = type;
  op.path = std::move(path);
  op.value = std::move(value);
  return op;
}

// The live state, indexed.
struct LiveIndex {
  bool supplied = false;
  std::vector<Manifest> objects;           // the workloads (guard context)
  std::map<Key, std::size_t> workloads;    // -> index in objects
  std::map<std::string, const Value*> namespaces;

  explicit LiveIndex(const std::vector<Manifest>* live) {
    if (live == nullptr) return;
    supplied = true;
    for (const Manifest& m : *live) {
      if (!m.root.is_object()) continue;
      std::string_view kind = Str(&m.root, "kind");
      const Value* md = m.root.Find("metadata");
      std::string name(Str(md, "name"));
      if (kind == "Namespace") {
        namespaces.emplace(name, &m.root);
        continue;
      }
      if (!GvisorPodSpecPointer(kind)) continue;
      std::string ns(Str(md, "namespace"));
      if (ns.empty()) ns = "default";
      if (workloads.emplace(Key(std::string(kind), ns, name), objects.size()).second) objects.push_back(m);
    }
  }
  const Value* Workload(const Target& t) const {
    auto it = workloads.find(Key(t.kind, t.namespace_, t.name));
    return it == workloads.end() ? nullptr : &objects[it->second].root;
  }
  std::string Stamp(const std::string& ns) const {
    auto it = namespaces.find(ns);
    if (it == namespaces.end()) return {};
    return std::string(Str(it->second->FindPath({"metadata", "annotations"}), kStampAnnotation));
  }
  const Value* Namespace(const std::string& ns) const {
    auto it = namespaces.find(ns);
    return it == namespaces.end() ? nullptr : it->second;
  }
};

// A minimal object of the step's kind, for vetting patches when no live
// state was supplied; `runtime_class` set = the state after apply (rollback).
Manifest Skeleton(const Target& t, const std::string& runtime_class) {
  Manifest m;
  m.file = "<plan>";
  m.root = Value::MakeObject();
  m.root.Set("apiVersion", t.kind == "Pod" ? "v1" : t.kind == "Job" || t.kind == "CronJob" ? "batch/v1" : "apps/v1");
  m.root.Set("kind", t.kind);
  Value md = Value::MakeObject();
  md.Set("name", t.name);
  md.Set("namespace", t.namespace_);
  m.root.Set("metadata", std::move(md));
  if (std::optional<JsonPointer> p = GvisorPodSpecPointer(t.kind)) {
    Value spec = Value::MakeObject();
    spec.Set("containers", Value::MakeArray());
    if (!runtime_class.empty()) spec.Set("runtimeClassName", runtime_class);
    // Build the nesting from the innermost pod spec outwards.
    const auto& tokens = p->tokens();
    Value node = std::move(spec);
    for (std::size_t i = tokens.size(); i-- > 1;) {
      Value parent = Value::MakeObject();
      parent.Set(tokens[i], std::move(node));
      node = std::move(parent);
    }
    m.root.Set(tokens[0], std::move(node));
  }
  return m;
}

std::vector<StepGate> Gates(const Verdict& v) {
  std::vector<StepGate> out;
  for (const GateResult& g : v.gates) out.push_back({g.name, g.passed, g.detail});
  return out;
}

Value Record(const std::string& action, const RunResult& run, const StepResult& s) {
  Value r = Value::MakeObject();
  r.Set("action", action);
  r.Set("dryRun", run.dry_run);
  r.Set("planHash", run.plan_hash);
  Value w = Value::MakeObject();
  w.Set("kind", s.target.kind);
  w.Set("namespace", s.target.namespace_);
  w.Set("name", s.target.name);
  r.Set("workload", std::move(w));
  r.Set("order", s.order);
  r.Set("status", StepStatusName(s.status));
  if (!s.error.empty()) r.Set("error", s.error);
  if (!s.patch.empty()) r.Set("patch", PatchToValue(s.patch));
  return r;
}

void Summarise(RunResult& run) {
  run.summary = RunSummary{};
  run.summary.total = static_cast<std::int64_t>(run.steps.size());
  for (const StepResult& s : run.steps) {
    switch (s.status) {
      case StepStatus::kApplied: ++run.summary.applied; break;
      case StepStatus::kAlreadyApplied: ++run.summary.already_applied; break;
      case StepStatus::kSkipped: ++run.summary.skipped; break;
      case StepStatus::kFailed: ++run.summary.failed; break;
    }
  }
  if (run.preflight && !run.preflight->ready) {
    run.exit_code = ExitCode::kPreflightBlocked;
  } else if (run.summary.failed > 0) {
    run.exit_code = run.summary.applied + run.summary.already_applied > 0 ? ExitCode::kPartial : ExitCode::kError;
  } else {
    run.exit_code = ExitCode::kOk;
  }
}

void AuditSteps(const RunOptions& options, RunResult& run) {
  if (options.audit == nullptr) return;
  const std::string type = "gvisor." + run.action + ".step";
  for (const StepResult& s : run.steps) {
    Result<AuditEntry> e = options.audit->Append(type, Record(run.action, run, s));
    if (!e.ok()) {
      run.warnings.push_back(Status(e.status().code(), "audit: " + e.status().message(), e.status().location()));
    }
  }
}

RunResult Start(const MigrationPlan& plan, const RunOptions& options, const char* kind, const char* action) {
  RunResult run;
  run.kind = kind;
  run.action = action;
  run.generated_at = options.generated_at;
  run.cluster = options.cluster;
  run.plan_hash = plan.plan_hash;
  run.dry_run = options.dry_run;
  std::set<std::string> ns;
  for (const Step& s : plan.steps) ns.insert(s.target.namespace_);
  run.namespaces.assign(ns.begin(), ns.end());
  return run;
}

// The guard used for a run: over the live workloads, or over skeletons.
struct RunGuard {
  std::unique_ptr<Guard> guard;
  std::map<Key, std::size_t> index;
  Status status;

  RunGuard(const MigrationPlan& plan, const LiveIndex& live, const RunOptions& options, bool rollback) {
    std::vector<Manifest> context;
    std::shared_ptr<const RuleSet> rules;
    if (live.supplied) {
      context = live.objects;
      index = live.workloads;
      rules = options.rules;
    } else {
      for (const Step& s : plan.steps) {
        if (!GvisorPodSpecPointer(s.target.kind)) continue;
        if (index.emplace(Key(s.target.kind, s.target.namespace_, s.target.name), context.size()).second)
          context.push_back(Skeleton(s.target, rollback ? s.runtime_class_name : std::string()));
      }
    }
    FixConfig config;
    config.allowed_namespaces = {"*"};  // the plan decided its namespaces; system ones are opt-in upstream
    Result<std::unique_ptr<Guard>> g = Guard::Create(std::move(rules), config, std::move(context));
    if (g.ok()) guard = std::move(*g);
    else status = g.status();
  }

  // Vets `patch` against the target; fills gates; returns "" when accepted.
  std::string Vet(const Target& t, const Patch& patch, StepResult& r) const {
    if (!guard) return "guard unavailable: " + status.message();
    auto it = index.find(Key(t.kind, t.namespace_, t.name));
    if (it == index.end()) return "no object to vet the patch against";
    Verdict v = guard->Vet(it->second, patch);
    r.gates = Gates(v);
    return v.accepted ? std::string() : "guard refused the patch: " + v.reason;
  }
};

Patch StampPatchFor(const Value* ns_object, const std::string& hash) {
  JsonPointer annotations({"metadata", "annotations"});
  const Value* existing = ns_object != nullptr ? Lookup(*ns_object, annotations) : nullptr;
  if (ns_object != nullptr && (existing == nullptr || !existing->is_object())) {
    Value a = Value::MakeObject();
    a.Set(kStampAnnotation, hash);
    return {Op(PatchOpType::kAdd, annotations, std::move(a))};
  }
  return {Op(PatchOpType::kAdd, annotations.Child(kStampAnnotation), Value(hash))};
}

Patch UnstampPatch(const std::string& hash) {
  JsonPointer p({"metadata", "annotations", kStampAnnotation});
  return {Op(PatchOpType::kTest, p, Value(hash)), Op(PatchOpType::kRemove, p)};
}

}  // namespace

const char* StepStatusName(StepStatus s) noexcept {
  switch (s) {
    case StepStatus::kApplied: return "applied";
    case StepStatus::kAlreadyApplied: return "already-applied";
    case StepStatus::kSkipped: return "skipped";
    case StepStatus::kFailed: return "failed";
  }
  return "failed";
}

const char* VerifyStatusName(VerifyStatus s) noexcept {
  switch (s) {
    case VerifyStatus::kOk: return "ok";
    case VerifyStatus::kMismatch: return "mismatch";
    case VerifyStatus::kError: return "error";
  }
  return "error";
}

Result<StepPatches> BuildStepPatches(const Step& step, const Value* live) {
  if (step.runtime_class_name.empty())
    return InvalidArgumentError("step " + std::to_string(step.order) + ": empty runtimeClassName");
  std::optional<JsonPointer> spec = GvisorPodSpecPointer(step.target.kind);
  if (!spec) return InvalidArgumentError("step " + std::to_string(step.order) + ": kind " + step.target.kind +
                                         " cannot carry a runtimeClassName");
  StepPatches out;
  JsonPointer rc = spec->Child("runtimeClassName");
  out.forward.push_back(Op(PatchOpType::kAdd, rc, Value(step.runtime_class_name)));
  if (step.add_toleration) {
    JsonPointer tols = spec->Child("tolerations");
    const Value* list = live != nullptr ? Lookup(*live, tols) : nullptr;
    if (live != nullptr && (list == nullptr || !list->is_array())) {
      Value l = Value::MakeArray();
      l.PushBack(Toleration());
      out.forward.push_back(Op(PatchOpType::kAdd, tols, std::move(l)));
    } else if (list != nullptr) {
      bool has_runtime = std::any_of(list->as_array().begin(), list->as_array().end(),
                                     [](const Value& t) { return Str(&t, "key") == "runtime"; });
      if (has_runtime) {
        out.notes.push_back("a toleration with key runtime exists; left as it is");
      } else {
        // Precondition: the list is still exactly what was read (so still has no "runtime" key).
        out.forward.push_back(Op(PatchOpType::kTest, tols, *list));
        out.forward.push_back(Op(PatchOpType::kAdd, tols.Child("-"), Toleration()));
      }
    } else {
      out.forward.push_back(Op(PatchOpType::kAdd, tols.Child("-"), Toleration()));
      out.notes.push_back("no live object: the toleration is appended and fails atomically without a list");
    }
  }
  out.rollback.push_back(Op(PatchOpType::kTest, rc, Value(step.runtime_class_name)));
  out.rollback.push_back(Op(PatchOpType::kRemove, rc));
  return out;
}

RunResult Apply(const MigrationPlan& plan, const RunOptions& options) {
  RunResult run = Start(plan, options, "ApplyResult", "apply");
  LiveIndex live(options.live);
  if (options.facts != nullptr && !options.skip_preflight) {
    run.preflight = Preflight(*options.facts, plan.options.runtime_class_name, plan.options.add_toleration);
  }
  std::map<std::string, std::string> stamps;
  for (const std::string& ns : run.namespaces) stamps[ns] = live.Stamp(ns);
  if (run.preflight && !run.preflight->ready) {
    for (const Step& s : plan.steps) {
      StepResult r{s.order, s.target, StepStatus::kSkipped, {}, "preflight failed: the cluster cannot host RuntimeClass " +
                                                                   plan.options.runtime_class_name, {}};
      run.steps.push_back(std::move(r));
    }
    Summarise(run);
    AuditSteps(options, run);
    return run;
  }
  RunGuard guard(plan, live, options, false);
  std::set<std::string> failed_ns;
  for (const Step& s : plan.steps) {
    StepResult r;
    r.order = s.order;
    r.target = s.target;
    if (!plan.plan_hash.empty() && stamps[s.target.namespace_] == plan.plan_hash) {
      r.status = StepStatus::kAlreadyApplied;
    } else {
      const Value* object = live.Workload(s.target);
      Result<StepPatches> p = BuildStepPatches(s, object);
      if (!p.ok()) {
        r.status = StepStatus::kFailed;
        r.error = p.status().message();
      } else if (live.supplied && object == nullptr) {
        r.status = StepStatus::kFailed;
        r.patch = p->forward;
        r.error = s.target.kind + " " + s.target.namespace_ + "/" + s.target.name + " not found in the live state";
      } else {
        r.patch = p->forward;
        std::string refused = guard.Vet(s.target, r.patch, r);
        r.status = refused.empty() ? StepStatus::kApplied : StepStatus::kFailed;
        r.error = refused;
      }
    }
    if (r.status == StepStatus::kFailed) failed_ns.insert(s.target.namespace_);
    run.steps.push_back(std::move(r));
  }
  if (plan.plan_hash.empty()) {
    run.warnings.push_back(InvalidArgumentError("the plan has no planHash: namespaces are not stamped"));
  } else {
    for (const std::string& ns : run.namespaces) {
      if (failed_ns.count(ns) != 0 || stamps[ns] == plan.plan_hash) continue;
      run.stamps.push_back({ns, StampPatchFor(live.Namespace(ns), plan.plan_hash)});
    }
  }
  Summarise(run);
  AuditSteps(options, run);
  return run;
}

RunResult Rollback(const MigrationPlan& plan, const RunOptions& options) {
  RunResult run = Start(plan, options, "RollbackResult", "rollback");
  LiveIndex live(options.live);
  RunGuard guard(plan, live, options, true);
  std::map<std::string, std::string> stamps;
  for (const std::string& ns : run.namespaces) stamps[ns] = live.supplied ? live.Stamp(ns) : plan.plan_hash;
  if (!live.supplied) {
    // Without a live state the stamps are unknown: show the rollback as if
    // this plan had been applied everywhere, and say so.
    run.warnings.push_back(InvalidArgumentError(
        "no live state: every namespace is assumed stamped by this plan; pass the live objects to decide"));
  }
  std::set<std::string> unfinished_ns;
  for (auto it = plan.steps.rbegin(); it != plan.steps.rend(); ++it) {
    const Step& s = *it;
    StepResult r;
    r.order = s.order;
    r.target = s.target;
    const std::string& stamp = stamps[s.target.namespace_];
    if (stamp.empty()) {
      r.status = StepStatus::kAlreadyApplied;
    } else if (stamp != plan.plan_hash) {
      r.status = StepStatus::kSkipped;
      r.error = "namespace " + s.target.namespace_ + " is stamped with a different plan (hash " + stamp +
                "); roll back with that plan, or re-apply this one first";
    } else {
      const Value* object = live.Workload(s.target);
      Result<StepPatches> p = BuildStepPatches(s, object);
      if (!p.ok()) {
        r.status = StepStatus::kFailed;
        r.error = p.status().message();
      } else if (live.supplied && object == nullptr) {
        r.status = StepStatus::kAlreadyApplied;  // the workload is gone: nothing to roll back
      } else {
        const Value* current =
            object != nullptr ? Lookup(*object, GvisorPodSpecPointer(s.target.kind)->Child("runtimeClassName")) : nullptr;
        if (object != nullptr && current == nullptr) {
          r.status = StepStatus::kAlreadyApplied;
        } else if (current != nullptr && current->string_or() != s.runtime_class_name) {
          r.status = StepStatus::kFailed;
          r.error = "runtimeClassName is \"" + std::string(current->string_or()) + "\", not \"" + s.runtime_class_name +
                    "\": it changed after the plan was applied";
        } else {
          r.patch = p->rollback;
          std::string refused = guard.Vet(s.target, r.patch, r);
          r.status = refused.empty() ? StepStatus::kApplied : StepStatus::kFailed;
          r.error = refused;
        }
      }
    }
    if (r.status == StepStatus::kFailed || r.status == StepStatus::kSkipped) unfinished_ns.insert(s.target.namespace_);
    run.steps.push_back(std::move(r));
  }
  std::sort(run.steps.begin(), run.steps.end(), [](const StepResult& a, const StepResult& b) { return a.order < b.order; });
  for (const std::string& ns : run.namespaces) {
    if (unfinished_ns.count(ns) != 0 || stamps[ns].empty() || stamps[ns] != plan.plan_hash) continue;
    run.stamps.push_back({ns, UnstampPatch(plan.plan_hash)});
  }
  Summarise(run);
  AuditSteps(options, run);
  return run;
}

Status ApplyRunToObjects(const RunResult& run, std::vector<Manifest>& objects) {
  auto find = [&](std::string_view kind, const std::string& ns, const std::string& name) -> Value* {
    for (Manifest& m : objects) {
      if (Str(&m.root, "kind") != kind) continue;
      const Value* md = m.root.Find("metadata");
      std::string_view mns = Str(md, "namespace");
      if (kind != "Namespace" && mns.empty()) mns = "default";
      if (Str(md, "name") == name && (kind == "Namespace" || mns == ns)) return &m.root;
    }
    return nullptr;
  };
  for (const StepResult& s : run.steps) {
    if (s.status != StepStatus::kApplied || s.patch.empty()) continue;
    Value* obj = find(s.target.kind, s.target.namespace_, s.target.name);
    if (obj == nullptr) return NotFoundError(s.target.kind + " " + s.target.namespace_ + "/" + s.target.name + " not found");
    KFIX_RETURN_IF_ERROR(ApplyPatch(*obj, s.patch));
  }
  for (const StampPatch& st : run.stamps) {
    Value* obj = find("Namespace", st.namespace_, st.namespace_);
    if (obj == nullptr) return NotFoundError("Namespace " + st.namespace_ + " not found");
    KFIX_RETURN_IF_ERROR(ApplyPatch(*obj, st.patch));
  }
  return Status::Ok();
}

Status AuditPlan(AuditLog& log, const MigrationPlan& plan) {
  Value r = Value::MakeObject();
  r.Set("action", "plan");
  r.Set("planHash", plan.plan_hash);
  r.Set("hashProfile", HashProfileName(plan.hash_profile));
  r.Set("options", ToValue(plan.options));
  Value summary = Value::MakeObject();
  summary.Set("total", plan.summary.total);
  summary.Set("included", plan.summary.included);
  summary.Set("excluded", plan.summary.excluded);
  r.Set("summary", std::move(summary));
  Value steps = Value::MakeArray();
  for (const Step& s : plan.steps) steps.PushBack(ToValue(s));
  r.Set("steps", std::move(steps));
  Result<AuditEntry> e = log.Append("gvisor.plan", r);
  return e.ok() ? Status::Ok() : e.status();
}

// ---- Verify ------------------------------------------------------------------------

namespace {

bool LabelsMatch(const Value* labels, const Value& selector) {
  const Value* ml = selector.Find("matchLabels");
  if (ml != nullptr && ml->is_object()) {
    for (const Member& m : ml->as_object()) {
      if (Str(labels, m.key) != m.value.string_or() || labels == nullptr || labels->Find(m.key) == nullptr) return false;
    }
  }
  const Value* exprs = selector.Find("matchExpressions");
  if (exprs != nullptr && exprs->is_array()) {
    for (const Value& e : exprs->as_array()) {
      std::string_view key = Str(&e, "key"), op = Str(&e, "operator");
      const Value* have = labels != nullptr && labels->is_object() ? labels->Find(key) : nullptr;
      bool in = false;
      if (const Value* vals = e.Find("values"); vals != nullptr && vals->is_array() && have != nullptr) {
        for (const Value& v : vals->as_array()) in = in || v.string_or() == have->string_or();
      }
      if (op == "In" && !in) return false;
      if (op == "NotIn" && in) return false;
      if (op == "Exists" && have == nullptr) return false;
      if (op == "DoesNotExist" && have != nullptr) return false;
    }
  }
  return (ml != nullptr && ml->size() > 0) || (exprs != nullptr && exprs->size() > 0);
}

}  // namespace

VerifyReport Verify(const MigrationPlan& plan, const std::vector<Manifest>& live, const ClusterFacts* facts) {
  VerifyReport out;
  out.plan_hash = plan.plan_hash;
  LiveIndex index(&live);
  std::vector<const Value*> pods, jobs;
  std::map<std::string, const Value*> nodes;
  for (const Manifest& m : live) {
    std::string_view kind = Str(&m.root, "kind");
    if (kind == "Pod") pods.push_back(&m.root);
    if (kind == "Job") jobs.push_back(&m.root);
  }
  const Value* node_selector = nullptr;
  if (facts != nullptr) {
    node_selector = internal::gvisor::RuntimeClassNodeSelector(*facts);
    for (const Value& n : facts->nodes) nodes[std::string(Str(n.Find("metadata"), "name"))] = &n;
  }
  auto ns_of = [](const Value& o) {
    std::string ns(Str(o.Find("metadata"), "namespace"));
    return ns.empty() ? std::string("default") : ns;
  };
  auto owned_by = [](const Value& o, std::string_view kind, std::string_view name) {
    const Value* refs = o.FindPath({"metadata", "ownerReferences"});
    if (refs == nullptr || !refs->is_array()) return false;
    for (const Value& r : refs->as_array()) {
      if (Str(&r, "kind") == kind && Str(&r, "name") == name) return true;
    }
    return false;
  };
  for (const Step& s : plan.steps) {
    VerifyStepResult r;
    r.order = s.order;
    r.target = s.target;
    const Value* controller = index.Workload(s.target);
    if (controller == nullptr) {
      r.status = VerifyStatus::kError;
      r.message = s.target.kind + " " + s.target.namespace_ + "/" + s.target.name + " not found";
      out.steps.push_back(std::move(r));
      continue;
    }
    std::vector<const Value*> selected;
    if (s.target.kind == "Pod") {
      selected.push_back(controller);
    } else if (s.target.kind == "CronJob") {
      for (const Value* j : jobs) {
        if (ns_of(*j) != s.target.namespace_ || !owned_by(*j, "CronJob", s.target.name)) continue;
        std::string job_name(Str(j->Find("metadata"), "name"));
        for (const Value* p : pods) {
          if (ns_of(*p) == s.target.namespace_ && owned_by(*p, "Job", job_name)) selected.push_back(p);
        }
      }
    } else {
      const Value* sel = controller->FindPath({"spec", "selector"});
      for (const Value* p : pods) {
        if (ns_of(*p) != s.target.namespace_) continue;
        if (sel != nullptr && sel->is_object() && LabelsMatch(p->FindPath({"metadata", "labels"}), *sel))
          selected.push_back(p);
      }
    }
    r.pods = static_cast<std::int64_t>(selected.size());
    if (selected.empty()) {
      r.status = VerifyStatus::kError;
      r.message = "no pods selected";
      out.steps.push_back(std::move(r));
      continue;
    }
    r.status = VerifyStatus::kOk;
    for (const Value* p : selected) {
      std::string pod(Str(p->Find("metadata"), "name"));
      std::string_view rc = Str(p->Find("spec"), "runtimeClassName");
      if (rc != s.runtime_class_name) {
        r.status = VerifyStatus::kMismatch;
        r.message = "pod " + pod + " runs with runtimeClassName \"" + std::string(rc) + "\", expected \"" +
                    s.runtime_class_name + "\"";
        break;
      }
      std::string node(Str(p->Find("spec"), "nodeName"));
      if (node_selector != nullptr && !node.empty()) {
        auto it = nodes.find(node);
        if (it != nodes.end() && !internal::gvisor::NodeMatchesSelector(*it->second, node_selector)) {
          r.status = VerifyStatus::kMismatch;
          r.message = "pod " + pod + " runs on node " + node + ", outside the RuntimeClass nodeSelector";
          break;
        }
      }
    }
    out.steps.push_back(std::move(r));
  }
  out.total = static_cast<std::int64_t>(out.steps.size());
  for (const VerifyStepResult& r : out.steps) {
    if (r.status == VerifyStatus::kOk) ++out.ok;
    if (r.status == VerifyStatus::kMismatch) ++out.mismatch;
    if (r.status == VerifyStatus::kError) ++out.error;
  }
  out.exit_code = out.ok == out.total ? ExitCode::kOk : ExitCode::kVerifyFailed;
  return out;
}

}  // namespace kfix::gvisor
