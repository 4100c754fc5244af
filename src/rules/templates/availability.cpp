// Availability: replicas, (anti-)affinity, rollout strategy, selectors and PodDisruptionBudgets.
// Check templates of this domain; the file registers its own entries (rules/template_helpers.hpp).
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <unordered_map>

#include "rules/template_helpers.hpp"

namespace kfix::internal::templates {
namespace {

bool KindHasReplicasPtr(std::string_view kind) {
  return kind == "Deployment" || kind == "StatefulSet" || kind == "ReplicaSet" || kind == "ReplicationController";
}

// extract.Replicas: spec.replicas of kinds whose Replicas is *int32 (nil -> 1).
std::optional<std::int64_t> Replicas(const ObjectInfo& o) {
  bool dc = o.kind == "DeploymentConfig";  // replicas is a plain int32 there: absent reads as 0
  if (!KindHasReplicasPtr(o.kind) && !dc) return std::nullopt;
  const Value* r = Get(Get(&o.root(), "spec"), "replicas");
  if (!r || r->is_null()) return dc ? 0 : 1;
  if (auto i = AsInt(r)) return *i;
  return std::nullopt;
}

// extract.Selector: spec.selector when it is a *LabelSelector (not the map
// selectors of ReplicationController/DeploymentConfig); CronJob's job template.
bool HasLabelSelectorField(std::string_view kind) {
  return kind == "Deployment" || kind == "StatefulSet" || kind == "ReplicaSet" || kind == "DaemonSet" ||
         kind == "Job" || kind == "CronJob" || kind == "ReplicationController" || kind == "DeploymentConfig";
}
// The selector as a label selector (map selectors wrapped as matchLabels).
Value SelectorAsLabelSelector(const ObjectInfo& o, const Value* sel) {
  if (!HasLabelMapSelector(o.kind)) return sel ? *sel : Value();
  if (!IsObject(sel)) return Value();
  Value v = Value::MakeObject();
  v.Set("matchLabels", *sel);
  return v;
}
const Value* SelectorOf(const ObjectInfo& o, std::string* pointer) {
  const Value* spec = Get(&o.root(), "spec");
  if (o.kind == "CronJob") {
    if (pointer) *pointer = "/spec/jobTemplate/spec/selector";
    return Get(Get(Get(spec, "jobTemplate"), "spec"), "selector");
  }
  if (pointer) *pointer = "/spec/selector";
  return Get(spec, "selector");
}

std::string Plural(std::int64_t n) { return n > 1 ? "replicas" : "replica"; }



// gogo-protobuf String() of a *metav1.LabelSelector.
std::string GoLabelSelectorPtr(const Value* sel) {
  std::map<std::string, std::string> labels;
  if (const Value* ml = Get(sel, "matchLabels"); IsObject(ml)) {
    for (const Member& m : ml->as_object()) labels[m.key] = ScalarText(&m.value);
  }
  std::string out = "&LabelSelector{MatchLabels:map[string]string{";
  for (const auto& [k, v] : labels) out += k + ": " + v + ",";
  out += "},MatchExpressions:[]LabelSelectorRequirement{";
  if (const auto* exprs = Arr(Get(sel, "matchExpressions"))) {
    for (const Value& e : *exprs) {
      out += "LabelSelectorRequirement{Key:" + ScalarText(Get(&e, "key")) + ",Operator:" +
             ScalarText(Get(&e, "operator")) + ",Values:[";
      if (const auto* vals = Arr(Get(&e, "values"))) {
        for (std::size_t i = 0; i < vals->size(); ++i) {
          if (i) out.push_back(' ');
          out += ScalarText(&(*vals)[i]);
        }
      }
      out += "],},";
    }
  }
  out += "},}";
  return out;
}

// hpa-minimum-replicas / minimum-replicas -------------------------------------
Result<std::unique_ptr<CheckImpl>> HpaMinReplicas(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(min, p.Int("minReplicas"));
  std::int64_t want = min.value_or(3);
  return Make(CheckReads{"/spec/minReplicas"}, [want](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const Value* r = Get(Get(&o.root(), "spec"), "minReplicas");
    std::int64_t n = 1;
    if (r && !r->is_null()) {
      auto i = AsInt(r);
      if (!i) return;
      n = *i;
    }
    if (n >= want) return;
    sink.Add("object has " + std::to_string(n) + " " + Plural(n) + " but minimum required replicas is " +
                 std::to_string(want),
             "/spec/minReplicas");
  });
}

Result<std::unique_ptr<CheckImpl>> MinReplicas(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(min, p.Int("minReplicas"));
  std::int64_t want = min.value_or(0);
  return Make(CheckReads{"/spec/replicas"}, [want](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    auto n = Replicas(o);
    if (!n || *n >= want) return;
    sink.Add("object has " + std::to_string(*n) + " " + Plural(*n) + " but minimum required replicas is " +
                 std::to_string(want),
             "/spec/replicas");
  });
}

// mismatching-selector ---------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> MismatchingSelector(const Params&) {
  return Make(CheckReads{"/spec/selector", "/spec/jobTemplate/spec/selector", "podmeta:/labels"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (!HasLabelSelectorField(o.kind)) return;
    std::string sel_ptr;
    Value converted = SelectorAsLabelSelector(o, SelectorOf(o, &sel_ptr));
    const Value* sel = &converted;
    bool empty = !IsObject(sel) || ((!IsObject(Get(sel, "matchLabels")) || Get(sel, "matchLabels")->size() == 0) &&
                                    (!Arr(Get(sel, "matchExpressions")) || Arr(Get(sel, "matchExpressions"))->empty()));
    if (empty) {
      if (o.kind == "Job" || o.kind == "CronJob") return;
      sink.Add("object has no selector specified", sel_ptr);
      return;
    }
    if (!o.has_pod_template) return;
    Selector s = Selector::FromLabelSelector(sel);
    if (!s.valid) {
      sink.Add("object has invalid label selector: " + s.error, sel_ptr);
      return;
    }
    if (s.Matches(o.pod_labels)) return;
    sink.Add("labels in pod spec (" + GoMap(o.pod_labels) + ") do not match labels in selector (" +
                 GoLabelSelectorPtr(sel) + ")",
             sel_ptr);
  });
}

// anti-affinity ------------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> AntiAffinity(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(min, p.Int("minReplicas"));
  KFIX_ASSIGN_OR_RETURN(topo, p.String("topologyKey"));
  std::optional<Regex> topo_re;
  if (!topo.empty()) {
    auto r = Regex::Compile(topo);
    if (!r.ok()) return r.status();
    topo_re = std::move(*r);
  }
  std::int64_t want = min.value_or(0);
  return Make(CheckReads{"/spec/replicas", "pod:/affinity/podAntiAffinity", "podmeta:/labels"}, [=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    auto n = Replicas(o);
    if (!n || *n < want || !o.has_pod_template) return;
    const Value* aff = Get(PodSpec(o), "affinity");
    const Value* paa = Get(aff, "podAntiAffinity");
    std::string paa_ptr = Ptr(o.pod_spec_ptr, {"affinity", "podAntiAffinity"});
    std::string count = std::to_string(*n) + " " + Plural(*n);
    if (!IsObject(paa)) {
      sink.Add("object has " + count + " but does not specify inter pod anti-affinity", paa_ptr);
      return;
    }
    const auto* preferred = Arr(Get(paa, "preferredDuringSchedulingIgnoredDuringExecution"));
    const auto* required = Arr(Get(paa, "requiredDuringSchedulingIgnoredDuringExecution"));
    if ((!preferred || preferred->empty()) && (!required || required->empty())) {
      sink.Add("object has " + count + " but does not specify preferred or required inter pod anti-affinity during "
               "scheduling",
               paa_ptr);
      return;
    }
    // The pods run in the object's namespace (a namespace in the pod template is ignored by Kubernetes).
    std::string pod_ns = ScalarText(Get(Get(&o.root(), "metadata"), "namespace"));
    auto validate = [&](const Value* term) -> std::string {
      if (const auto* nss = Arr(Get(term, "namespaces")); nss && !nss->empty()) {
        bool found = false;
        std::string joined;
        for (std::size_t i = 0; i < nss->size(); ++i) {
          std::string ns = ScalarText(&(*nss)[i]);
          found = found || ns == pod_ns;
          joined += (i ? ", " : "") + ns;
        }
        if (!found) return "pod's namespace " + GoQuote(pod_ns) + " not found in anti-affinity's namespaces [" + joined + "]";
      }
      const Value* ls = Get(term, "labelSelector");
      Selector sel = Selector::FromLabelSelector(ls);
      if (!sel.valid) return sel.error;
      std::string tk = ScalarText(Get(term, "topologyKey"));
      bool topo_ok = topo_re ? topo_re->Search(tk) : tk == "kubernetes.io/hostname";
      if (!topo_ok) return "anti-affinity's topology key does not match " + GoQuote(tk);
      bool matches = (ls && !ls->is_null()) && sel.Matches(o.pod_labels);
      if (!matches) {
        Selector podsel = Selector::FromMap(o.pod_labels);
        return "pod's labels " + GoQuote(podsel.ToString()) + " do not match with anti-affinity's labels " +
               GoQuote((ls && !ls->is_null()) ? sel.ToString() : std::string());
      }
      return {};
    };
    std::vector<std::pair<std::string, std::string>> issues;
    if (preferred) {
      for (std::size_t i = 0; i < preferred->size(); ++i) {
        std::string err = validate(Get(&(*preferred)[i], "podAffinityTerm"));
        if (err.empty()) return;
        issues.emplace_back(err, paa_ptr + "/preferredDuringSchedulingIgnoredDuringExecution/" + std::to_string(i));
      }
    }
    if (required) {
      for (std::size_t i = 0; i < required->size(); ++i) {
        std::string err = validate(&(*required)[i]);
        if (err.empty()) return;
        issues.emplace_back(err, paa_ptr + "/requiredDuringSchedulingIgnoredDuringExecution/" + std::to_string(i));
      }
    }
    for (auto& [msg, ptr] : issues) sink.Add(std::move(msg), std::move(ptr));
  });
}

Result<std::unique_ptr<CheckImpl>> NoNodeAffinity(const Params&) {
  return Make(CheckReads{"pod:/affinity/nodeAffinity"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (!o.has_pod_template) return;
    const Value* aff = Get(PodSpec(o), "affinity");
    const Value* na = Get(aff, "nodeAffinity");
    if (IsObject(na)) return;
    sink.Add("object does not define any node affinity rules.", Ptr(o.pod_spec_ptr, {"affinity", "nodeAffinity"}));
  });
}

// update-configuration -----------------------------------------------------
Result<std::unique_ptr<CheckImpl>> UpdateConfiguration(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(type_regex, p.String("strategyTypeRegex"));
  KFIX_ASSIGN_OR_RETURN(re, Regex::Compile(type_regex));
  for (const char* k : {"maxPodsUnavailable", "minPodsUnavailable", "maxSurge", "minSurge"}) {
    KFIX_ASSIGN_OR_RETURN(v, p.String(k));
    if (!v.empty()) return UnsupportedError(std::string("update-configuration parameter ") + k + " is not supported by kfix");
  }
  return Make(CheckReads{"/spec/strategy/type", "/spec/updateStrategy/type"}, [re, type_regex](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const char* field = nullptr;
    if (o.kind == "Deployment" || o.kind == "DeploymentConfig") field = "strategy";
    if (o.kind == "DaemonSet" || o.kind == "StatefulSet") field = "updateStrategy";
    if (!field) return;
    // kube-linter at head: no finding when the strategy has no type field.
    const Value* type_v = Get(Get(Get(&o.root(), "spec"), field), "type");
    if (type_v == nullptr || type_v->is_null()) return;
    std::string type = ScalarText(type_v);
    if (re.Search(type)) return;
    sink.Add("object has " + (type.empty() ? std::string("no") : type) + " strategy type but must match regex " +
                 type_regex,
             Ptr("/spec", {field, "type"}));
  });
}

// pdb-max-unavailable / pdb-min-available / pdb-unhealthy-pod-eviction-policy --
Result<std::unique_ptr<CheckImpl>> PdbMaxUnavailable(const Params&) {
  return Make(CheckReads{"/spec/maxUnavailable"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const Value* mu = Get(Get(&o.root(), "spec"), "maxUnavailable");
    if (!mu || mu->is_null()) return;
    // intstr.IntVal == 0: an int 0, or any string value (kube-linter reads IntVal only).
    if (mu->is_string() || AsInt(mu).value_or(1) == 0) sink.Add("MaxUnavailable is set to 0", "/spec/maxUnavailable");
  });
}

// Deployment-like objects with a label selector field and a replica count, by namespace and selector
// text (Selector::ToString), in context order.
using WorkloadsBySelector = std::unordered_map<std::string, std::vector<const ObjectInfo*>>;
const char kWorkloadsBySelectorTag[] = "workloads-by-selector";

Result<std::unique_ptr<CheckImpl>> PdbMinAvailable(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex& ctx, Sink& sink) {
    const Value* spec = Get(&o.root(), "spec");
    const Value* ma = Get(spec, "minAvailable");
    if (!ma || ma->is_null()) return;
    const std::string ptr = "/spec/minAvailable";
    std::string text = ScalarText(ma);
    std::int64_t value = 0;
    bool percent = false;
    auto atoi = [](const std::string& s, std::int64_t* out) {
      if (s.empty()) return false;
      char* end = nullptr;
      long long x = std::strtoll(s.c_str(), &end, 10);
      if (*end != '\0') return false;
      *out = x;
      return true;
    };
    if (!atoi(text, &value)) {
      if (text.empty() || text.back() != '%') {
        sink.Add("PDB has invalid MinAvailable value: invalid type: string " + GoQuote(text) + " is not a percentage",
                 ptr);
        return;
      }
      if (!atoi(text.substr(0, text.size() - 1), &value)) {
        sink.Add("PDB has invalid MinAvailable value: invalid value " + GoQuote(text), ptr);
        return;
      }
      percent = true;
    }
    if (percent && value == 100) {
      sink.Add("PDB has minimum available replicas set to 100 percent of replicas", ptr);
      return;
    }
    Selector pdb_sel = Selector::FromLabelSelector(Get(spec, "selector"));
    if (!pdb_sel.valid) {
      sink.Add("PDB has invalid label selector: " + pdb_sel.error, "/spec/selector");
      return;
    }
    const WorkloadsBySelector& by_selector = ctx.Derived<WorkloadsBySelector>(&kWorkloadsBySelectorTag, [&] {
      WorkloadsBySelector m;
      for (const auto& [ns, workloads] : ctx.deployment_likes_by_ns) {
        for (const ObjectInfo* w : workloads) {
          if (!HasLabelSelectorField(w->kind) || !Replicas(*w)) continue;
          Value wsel = SelectorAsLabelSelector(*w, SelectorOf(*w, nullptr));
          Selector ws = Selector::FromLabelSelector(&wsel);
          if (ws.valid) m[IndexKey({ns, ws.ToString()})].push_back(w);
        }
      }
      return m;
    });
    auto same = by_selector.find(IndexKey({o.namespace_, pdb_sel.ToString()}));
    if (same == by_selector.end()) return;
    for (const ObjectInfo* w : same->second) {
      auto replicas = Replicas(*w);
      std::int64_t min_avail = value;
      if (percent) {
        min_avail = static_cast<std::int64_t>(std::floor(static_cast<double>(*replicas) * (static_cast<double>(value) / 100.0)));
      }
      if (*replicas <= min_avail) {
        sink.Add("The current number of replicas for deployment " + std::string(w->name) +
                     " is equal to or lower than the minimum number of replicas specified by its PDB.",
                 ptr);
      }
    }
  });
}

Result<std::unique_ptr<CheckImpl>> PdbUnhealthyEviction(const Params&) {
  return Make(CheckReads{"/spec/unhealthyPodEvictionPolicy"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    // As kube-linter: policy/v1 only (the field does not exist in policy/v1beta1, whose objects kube-linter
    // decodes to a type this check does not read; the schema gate would refuse adding it there).
    if (o.api_version != "policy/v1") return;
    const Value* v = Get(Get(&o.root(), "spec"), "unhealthyPodEvictionPolicy");
    if (v && !v->is_null() && !ScalarText(v).empty()) return;
    sink.Add("unhealthyPodEvictionPolicy is not explicitly set", "/spec/unhealthyPodEvictionPolicy");
  });
}

}  // namespace

KFIX_REGISTER_TEMPLATES(availability) {
  const std::vector<std::string> dl = {"DeploymentLike"};
  registry.Add({
      {"anti-affinity", "Flag objects with multiple replicas but inter-pod anti affinity not specified in the pod template spec", dl,
       {"minReplicas", "topologyKey"}, AntiAffinity},
      {"hpa-minimum-replicas", "Flag applications running fewer than the specified number of replicas",
       {"HorizontalPodAutoscaler"}, {"minReplicas"}, HpaMinReplicas},
      {"minimum-replicas", "Flag applications running fewer than recommended number of replicas", dl, {"minReplicas"},
       MinReplicas},
      {"mismatching-selector", "Flag deployments where the selector doesn't match the labels in the pod template spec", dl,
       {}, MismatchingSelector},
      {"no-node-affinity", "Flag objects that don't have node affinity rules set", dl, {}, NoNodeAffinity},
      {"pdb-max-unavailable", "Flag PodDisruptionBudgets whose maxUnavailable value will always prevent pod disruptions.",
       {"PodDisruptionBudget"}, {}, PdbMaxUnavailable},
      {"pdb-min-available", "Flag non-optimal PDB configurations", {"PodDisruptionBudget"}, {}, PdbMinAvailable, kNeedsLintContext},
      {"pdb-unhealthy-pod-eviction-policy", "Flag PodDisruptionBudget objects that do not explicitly set unhealthyPodEvictionPolicy.",
       {"PodDisruptionBudget"}, {}, PdbUnhealthyEviction},
      {"update-configuration", "Flag configurations that do not meet the specified update configuration", dl,
       {"strategyTypeRegex", "maxPodsUnavailable", "minPodsUnavailable", "maxSurge", "minSurge"}, UpdateConfiguration},
  });
}

}  // namespace kfix::internal::templates
