// Check templates: kube-linter's (same keys, parameters and messages as
// kube-linter v0.8) plus kfix's remediation-pipeline extras. A template
// factory validates and precompiles its parameters once; the returned check
// is immutable.
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "rules/internal.hpp"

namespace kfix::internal {
namespace {

using RunFn = std::function<void(const ObjectInfo&, const LintIndex&, Sink&)>;

class FnCheck final : public CheckImpl {
 public:
  explicit FnCheck(RunFn fn) : fn_(std::move(fn)) {}
  void Run(const ObjectInfo& obj, const LintIndex& ctx, Sink& sink) const override { fn_(obj, ctx, sink); }

 private:
  RunFn fn_;
};

Result<std::unique_ptr<CheckImpl>> Make(RunFn fn) {
  return std::unique_ptr<CheckImpl>(std::make_unique<FnCheck>(std::move(fn)));
}

#define KFIX_ASSIGN_OR_RETURN(lhs, expr)        \
  auto lhs##_result = (expr);                   \
  if (!lhs##_result.ok()) return lhs##_result.status(); \
  auto lhs = std::move(*lhs##_result)

Result<std::vector<Regex>> CompileAll(const std::vector<std::string>& patterns) {
  std::vector<Regex> out;
  for (const std::string& p : patterns) {
    auto r = Regex::Compile(p);
    if (!r.ok()) return r.status();
    out.push_back(std::move(*r));
  }
  return out;
}

bool AnySearch(const std::vector<Regex>& res, std::string_view s) {
  for (const Regex& r : res) {
    if (r.Search(s)) return true;
  }
  return false;
}

// Container iteration ---------------------------------------------------------

enum class Groups { kAll, kRegular };

// Calls f(ref, container, pointer_text) for each mapping container.
template <typename F>
void ForContainers(const ObjectInfo& o, Groups g, F&& f) {
  if (!o.workload) return;
  const auto& cs = o.workload->containers;
  for (std::size_t i = 0; i < cs.size(); ++i) {
    const ContainerRef& c = cs[i];
    if (g == Groups::kRegular && c.group != ContainerGroup::kRegular) continue;
    if (!c.container || !c.container->is_object()) continue;
    f(c, *c.container, o.container_ptrs[i]);
  }
}

const Value* PodSpec(const ObjectInfo& o) { return o.workload ? o.workload->pod_spec : nullptr; }
const Value* PodSC(const ObjectInfo& o) { return Get(PodSpec(o), "securityContext"); }

// The effective security-context field: container overrides pod. Returns the
// value and its pointer (empty when unset at both levels).
struct Effective {
  const Value* value = nullptr;
  std::string pointer;
};
Effective EffectiveField(const ObjectInfo& o, const Value& c, const std::string& cptr, std::string_view field) {
  if (const Value* v = Get(Get(&c, "securityContext"), field); v && !v->is_null()) {
    return {v, Ptr(cptr, {"securityContext", field})};
  }
  if (const Value* v = Get(PodSC(o), field); v && !v->is_null()) {
    return {v, Ptr(o.pod_spec_ptr, {"securityContext", field})};
  }
  return {};
}

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

// Go's %v of a metav1.LabelSelector value: {map[k:v] [{key In [a b]}]}.
std::string GoLabelSelectorValue(const Value* sel) {
  std::string out = "{";
  out += GoMap(Get(sel, "matchLabels"));
  out += " [";
  if (const auto* exprs = Arr(Get(sel, "matchExpressions"))) {
    bool first = true;
    for (const Value& e : *exprs) {
      if (!first) out.push_back(' ');
      first = false;
      out.push_back('{');
      out += ScalarText(Get(&e, "key"));
      out.push_back(' ');
      out += ScalarText(Get(&e, "operator"));
      out += " [";
      if (const auto* vals = Arr(Get(&e, "values"))) {
        for (std::size_t i = 0; i < vals->size(); ++i) {
          if (i) out.push_back(' ');
          out += ScalarText(&(*vals)[i]);
        }
      }
      out += "]}";
    }
  }
  out += "]}";
  return out;
}

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

std::string GoStringList(const std::vector<std::string>& v) {  // %s / %v of []string
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(' ');
    out += v[i];
  }
  return out + "]";
}

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// ===========================================================================
// kube-linter templates
// ===========================================================================

// access-to-resources ---------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> AccessToResources(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(resources, p.StringList("resources"));
  KFIX_ASSIGN_OR_RETURN(verbs, p.StringList("verbs"));
  KFIX_ASSIGN_OR_RETURN(flag, p.Bool("flagRolesNotFound", false));
  KFIX_ASSIGN_OR_RETURN(res_re, CompileAll(resources));
  KFIX_ASSIGN_OR_RETURN(verb_re, CompileAll(verbs));
  auto in_list = [](const std::vector<Regex>& l, const std::string& name) {
    for (const Regex& r : l) {
      if (name == "*" || r.Search(name)) return true;
    }
    return false;
  };
  auto check_access = [in_list, res_re, verb_re](const Value* rules) {
    std::vector<std::string> accesses;
    if (const auto* rs = Arr(rules)) {
      for (const Value& rule : *rs) {
        std::vector<std::string> found_res, found_verbs;
        if (const auto* l = Arr(Get(&rule, "resources"))) {
          for (const Value& r : *l) {
            std::string s = ScalarText(&r);
            if (in_list(res_re, s)) found_res.push_back(s);
          }
        }
        if (found_res.empty()) continue;
        if (const auto* l = Arr(Get(&rule, "verbs"))) {
          for (const Value& v : *l) {
            std::string s = ScalarText(&v);
            if (in_list(verb_re, s)) found_verbs.push_back(s);
          }
        }
        if (found_verbs.empty()) continue;
        accesses.push_back(GoStringList(found_verbs) + " access to " + GoStringList(found_res));
      }
    }
    std::string joined;
    for (std::size_t i = 0; i < accesses.size(); ++i) joined += (i ? ", " : "") + accesses[i];
    return joined;
  };
  return Make([=](const ObjectInfo& o, const LintIndex& ctx, Sink& sink) {
    const Value* role_ref = Get(&o.root(), "roleRef");
    std::string name = ScalarText(Get(role_ref, "name"));
    const std::string ptr = "/roleRef/name";
    if (o.kind == "RoleBinding") {
      std::string ns = o.namespace_.empty() ? "default" : std::string(o.namespace_);
      bool exists = false;
      for (const ObjectInfo* r : ctx.roles) {
        std::string rns = r->namespace_.empty() ? "default" : std::string(r->namespace_);
        if (r->name == name && rns == ns) {
          exists = true;
          std::string acc = check_access(Get(&r->root(), "rules"));
          if (!acc.empty()) sink.Add("binding to " + GoQuote(r->name) + " role that has " + acc, ptr);
        }
      }
      if (!exists && flag) sink.Add("role " + GoQuote(name) + " in namespace " + GoQuote(ns) + " not found", ptr);
    } else if (o.kind == "ClusterRoleBinding") {
      bool exists = false;
      for (const ObjectInfo* r : ctx.cluster_roles) {
        if (r->name != name || EqualFold(r->name, "cluster_admin")) continue;
        exists = true;
        std::string acc = check_access(Get(&r->root(), "rules"));
        if (!acc.empty()) sink.Add("binding to " + GoQuote(r->name) + " clusterrole that has " + acc, ptr);
        if (const auto* sels = Arr(Get(Get(&r->root(), "aggregationRule"), "clusterRoleSelectors"))) {
          for (const Value& s : *sels) {
            Selector sel = Selector::FromMap(Get(&s, "matchLabels"));
            for (const ObjectInfo* agg : ctx.cluster_roles) {
              if (!sel.Matches(agg->labels)) continue;
              std::string a = check_access(Get(&agg->root(), "rules"));
              if (!a.empty()) {
                sink.Add("binding via aggregationRule to " + GoQuote(agg->name) + " clusterrole that has " + a, ptr);
              }
            }
          }
        }
      }
      if (!exists && flag) sink.Add("clusterrole " + GoQuote(name) + " not found", ptr);
    }
  });
}

// cluster-admin-role-binding -------------------------------------------------
std::string JsonStr(std::string_view s) { return JsonQuote(s); }
Result<std::unique_ptr<CheckImpl>> ClusterAdminRoleBinding(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const Value* ref = Get(&o.root(), "roleRef");
    if (Str(Get(ref, "name")) != "cluster-admin" || Str(Get(ref, "kind")) != "ClusterRole") return;
    std::string subjects = "null";
    if (const auto* subs = Arr(Get(&o.root(), "subjects"))) {
      subjects = "[";
      for (std::size_t i = 0; i < subs->size(); ++i) {
        const Value& s = (*subs)[i];
        if (i) subjects.push_back(',');
        subjects += "{\"kind\":" + JsonStr(ScalarText(Get(&s, "kind")));
        if (std::string g = ScalarText(Get(&s, "apiGroup")); !g.empty()) subjects += ",\"apiGroup\":" + JsonStr(g);
        subjects += ",\"name\":" + JsonStr(ScalarText(Get(&s, "name")));
        if (std::string n = ScalarText(Get(&s, "namespace")); !n.empty()) subjects += ",\"namespace\":" + JsonStr(n);
        subjects.push_back('}');
      }
      subjects.push_back(']');
    }
    sink.Add("cluster-admin role is bound to " + subjects, "/roleRef/name");
  });
}

// dangling-horizontalpodautoscaler ------------------------------------------
Result<std::unique_ptr<CheckImpl>> DanglingHpa(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex& ctx, Sink& sink) {
    const Value* target = Get(Get(&o.root(), "spec"), "scaleTargetRef");
    std::string kind = ScalarText(Get(target, "kind"));
    std::string name = ScalarText(Get(target, "name"));
    std::string api = ScalarText(Get(target, "apiVersion"));
    for (const ObjectInfo* w : ctx.workloads) {
      if (w->name == name && w->kind == kind && api == std::string(w->group) + "/" + std::string(w->version)) return;
    }
    sink.Add("no resources found matching HorizontalPodAutoscaler scaleTargetRef ({" + kind + " " + name + " " + api +
                 "})",
             "/spec/scaleTargetRef");
  });
}

// dangling-ingress ------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> DanglingIngress(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex& ctx, Sink& sink) {
    const Value* spec = Get(&o.root(), "spec");
    struct Backend {
      std::string name;
      const Value* port;  // {number} or {name}, may be null
      std::string pointer;
    };
    std::vector<Backend> backends;
    std::set<std::pair<std::string, std::string>> seen;
    auto add = [&](const Value* backend, const std::string& ptr) {
      const Value* svc = Get(backend, "service");
      std::string n = ScalarText(Get(svc, "name"));
      if (n.empty()) return;
      const Value* port = Get(svc, "port");
      std::string key = port ? ScalarText(Get(port, "number")) + "/" + ScalarText(Get(port, "name")) : "";
      if (!seen.emplace(n, key).second) return;
      backends.push_back({n, port, ptr + "/service"});
    };
    add(Get(spec, "defaultBackend"), "/spec/defaultBackend");
    if (const auto* rules = Arr(Get(spec, "rules"))) {
      for (std::size_t i = 0; i < rules->size(); ++i) {
        if (const auto* paths = Arr(Get(Get(&(*rules)[i], "http"), "paths"))) {
          for (std::size_t j = 0; j < paths->size(); ++j) {
            add(Get(&(*paths)[j], "backend"),
                "/spec/rules/" + std::to_string(i) + "/http/paths/" + std::to_string(j) + "/backend");
          }
        }
      }
    }
    const auto& services = ctx.In(ctx.services_by_ns, o.namespace_);
    for (const Backend& b : backends) {
      std::string number = ScalarText(Get(b.port, "number"));
      std::string port_name = ScalarText(Get(b.port, "name"));
      bool found = false;
      for (const ObjectInfo* svc : services) {
        if (svc->name != b.name) continue;
        if (number.empty() && port_name.empty()) {
          found = true;
          break;
        }
        if (const auto* ports = Arr(Get(Get(&svc->root(), "spec"), "ports"))) {
          for (const Value& p : *ports) {
            if ((!number.empty() && ScalarText(Get(&p, "port")) == number) ||
                (!port_name.empty() && ScalarText(Get(&p, "name")) == port_name)) {
              found = true;
            }
          }
        }
        if (found) break;
      }
      if (found) continue;
      std::string msg = "no service found matching ingress label (" + b.name + ")";
      if (!number.empty()) {
        msg += ", port " + number;
      } else if (!port_name.empty()) {
        msg += ", port " + port_name;
      }
      sink.Add(msg, b.pointer);
    }
  });
}

// dangling-networkpolicy -----------------------------------------------------
bool AnyWorkloadMatches(const LintIndex& ctx, std::string_view ns, const Selector& sel) {
  for (const ObjectInfo* w : ctx.In(ctx.workloads_by_ns, ns)) {
    if (sel.Matches(w->pod_labels)) return true;
  }
  return false;
}

Result<std::unique_ptr<CheckImpl>> DanglingNetworkPolicy(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex& ctx, Sink& sink) {
    const Value* ps = Get(Get(&o.root(), "spec"), "podSelector");
    Selector sel = Selector::FromLabelSelector(ps);
    if (!sel.valid) {
      sink.Add("networkpolicy has invalid podSelector: " + sel.error, "/spec/podSelector");
      return;
    }
    if (AnyWorkloadMatches(ctx, o.namespace_, sel)) return;
    sink.Add("no pods found matching networkpolicy's podSelector labels (" + GoLabelSelectorValue(ps) + ") ",
             "/spec/podSelector");
  });
}

Result<std::unique_ptr<CheckImpl>> DanglingNetworkPolicyPeer(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex& ctx, Sink& sink) {
    const Value* spec = Get(&o.root(), "spec");
    auto scan = [&](const char* dir, const char* peers_key) {
      const auto* rules = Arr(Get(spec, dir));
      if (!rules) return;
      for (std::size_t i = 0; i < rules->size(); ++i) {
        const auto* peers = Arr(Get(&(*rules)[i], peers_key));
        if (!peers) continue;
        for (std::size_t j = 0; j < peers->size(); ++j) {
          const Value& peer = (*peers)[j];
          const Value* ps = Get(&peer, "podSelector");
          if (!ps || ps->is_null() || (Get(&peer, "namespaceSelector") && !Get(&peer, "namespaceSelector")->is_null())) {
            continue;
          }
          std::string ptr = Ptr("/spec", {dir, std::to_string(i), peers_key, std::to_string(j), "podSelector"});
          Selector sel = Selector::FromLabelSelector(ps);
          if (!sel.valid) {
            sink.Add("networkpolicy ingress rule has invalid podSelector: " + sel.error, ptr);
            continue;
          }
          if (AnyWorkloadMatches(ctx, o.namespace_, sel)) continue;
          sink.Add("no pods found matching networkpolicy rule's podSelector labels (" + sel.ToString() + ")", ptr);
        }
      }
    };
    scan("ingress", "from");
    scan("egress", "to");
  });
}

// dangling-service -------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> DanglingService(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(ignored, p.StringList("ignoredLabels"));
  return Make([ignored](const ObjectInfo& o, const LintIndex& ctx, Sink& sink) {
    const Value* spec = Get(&o.root(), "spec");
    if (Str(Get(spec, "type")) == "ExternalName") return;
    const Value* selector = Get(spec, "selector");
    if (!IsObject(selector) || selector->size() == 0) {
      sink.Add("service has no selector specified", "/spec/selector");
      return;
    }
    Selector sel;
    std::map<std::string, std::string> shown;
    for (const Member& m : selector->as_object()) {
      if (std::find(ignored.begin(), ignored.end(), m.key) != ignored.end()) continue;
      std::string v = ScalarText(&m.value);
      shown[m.key] = v;
      sel.requirements.push_back(Selector::Requirement{m.key, Selector::Requirement::kEquals, {std::move(v)}});
    }
    if (AnyWorkloadMatches(ctx, o.namespace_, sel)) return;
    std::string text = "map[";
    bool first = true;
    for (const auto& [k, v] : shown) {
      if (!first) text.push_back(' ');
      first = false;
      text += k;
      text.push_back(':');
      text += v;
    }
    text.push_back(']');
    sink.Add("no pods found matching service labels (" + text + ")", "/spec/selector");
  });
}

// dangling-servicemonitor ------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> DanglingServiceMonitor(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex& ctx, Sink& sink) {
    const Value* spec = Get(&o.root(), "spec");
    const Value* ns_sel = Get(spec, "namespaceSelector");
    std::vector<std::string> match_names;
    if (const auto* mn = Arr(Get(ns_sel, "matchNames"))) {
      for (const Value& v : *mn) match_names.push_back(ScalarText(&v));
    }
    bool any = IsTrue(Get(ns_sel, "any"));
    bool ns_set = !match_names.empty() || any;
    const Value* ml = Get(Get(spec, "selector"), "matchLabels");
    bool label_set = IsObject(ml) && ml->size() > 0;
    if (!label_set && !ns_set) {
      sink.Add("service monitor has no selector specified", "/spec/selector");
      return;
    }
    Selector sel = Selector::FromMap(ml);
    for (const ObjectInfo* s : ctx.services) {
      bool ns_ok = any || std::find(match_names.begin(), match_names.end(), s->namespace_) != match_names.end();
      if (ns_ok) {
        if (!label_set) return;
        if (sel.Matches(s->labels)) return;
        continue;
      }
      if (sel.Matches(s->labels) && label_set && !ns_set) return;
    }
    sink.Add("no services found matching the service monitor's label selector (" + sel.ToString() +
                 ") and namespace selector (" + GoStringList(match_names) + ")",
             "/spec/selector");
  });
}

// service-account ------------------------------------------------------------
std::pair<std::string, std::string> ServiceAccountOf(const ObjectInfo& o) {
  const Value* ps = PodSpec(o);
  std::string sa = ScalarText(Get(ps, "serviceAccountName"));
  if (!sa.empty()) return {sa, Ptr(o.pod_spec_ptr, "serviceAccountName")};
  std::string dep = ScalarText(Get(ps, "serviceAccount"));
  if (!dep.empty()) return {dep, Ptr(o.pod_spec_ptr, "serviceAccount")};
  return {"", Ptr(o.pod_spec_ptr, "serviceAccountName")};
}

Result<std::unique_ptr<CheckImpl>> ServiceAccount(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(pattern, p.String("serviceAccount"));
  KFIX_ASSIGN_OR_RETURN(re, Regex::Compile(pattern));
  return Make([re](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (!o.workload) return;
    if (IsFalse(Get(PodSpec(o), "automountServiceAccountToken"))) return;
    auto [sa, ptr] = ServiceAccountOf(o);
    if (re.Search(sa)) sink.Add("found matching serviceAccount (" + GoQuote(sa) + ")", ptr);
  });
}

Result<std::unique_ptr<CheckImpl>> DeprecatedServiceAccount(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    std::string dep = ScalarText(Get(PodSpec(o), "serviceAccount"));
    if (dep.empty()) return;
    sink.Add("serviceAccount is specified (" + dep + "), but this field is deprecated; use serviceAccountName instead",
             Ptr(o.pod_spec_ptr, "serviceAccount"));
  });
}

// dnsconfig-options ----------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> DnsConfigOptions(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(key, p.String("key"));
  KFIX_ASSIGN_OR_RETURN(value, p.String("value"));
  return Make([key, value](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (!o.workload) return;
    const Value* dns = Get(PodSpec(o), "dnsConfig");
    if (!dns || dns->is_null()) {
      sink.Add("Object does not define any DNSConfig rules.", Ptr(o.pod_spec_ptr, "dnsConfig"));
      return;
    }
    const auto* opts = Arr(Get(dns, "options"));
    if (!opts) {
      sink.Add("Object does not define any DNSConfig Options.", Ptr(o.pod_spec_ptr, {"dnsConfig", "options"}));
      return;
    }
    for (const Value& opt : *opts) {
      const Value* v = Get(&opt, "value");
      if (ScalarText(Get(&opt, "name")) == key && v && ScalarText(v) == value) return;
    }
    sink.Add("DNSConfig Options \"" + key + ":" + value + "\" not found.", Ptr(o.pod_spec_ptr, {"dnsConfig", "options"}));
  });
}

// host-mounts ------------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> HostMounts(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(dirs, p.StringList("dirs"));
  KFIX_ASSIGN_OR_RETURN(res, CompileAll(dirs));
  return Make([res](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const auto* vols = Arr(Get(PodSpec(o), "volumes"));
    if (!vols) return;
    for (const Value& v : *vols) {
      const Value* hp = Get(&v, "hostPath");
      if (!IsObject(hp)) continue;
      std::string path = ScalarText(Get(hp, "path"));
      std::string vname = ScalarText(Get(&v, "name"));
      for (const Regex& re : res) {
        if (!re.Search(path)) continue;
        ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
          const auto* mounts = Arr(Get(&cv, "volumeMounts"));
          if (!mounts) return;
          for (std::size_t k = 0; k < mounts->size(); ++k) {
            if (ScalarText(Get(&(*mounts)[k], "name")) != vname) continue;
            sink.Add("host system directory " + GoQuote(path) + " is mounted on container " + GoQuote(c.name),
                     Ptr(Ptr(cptr, "volumeMounts"), k), c.name);
          }
        });
      }
    }
  });
}

// verify-container-capabilities ---------------------------------------------
Result<std::unique_ptr<CheckImpl>> ContainerCapabilities(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(forbidden, p.StringList("forbiddenCapabilities"));
  KFIX_ASSIGN_OR_RETURN(exceptions, p.StringList("exceptions"));
  auto is_all = [](std::string_view s) { return EqualFold(s, "all"); };
  bool forbid_all = false;
  for (const std::string& c : forbidden) forbid_all = forbid_all || is_all(c);
  if (forbid_all && forbidden.size() > 1) {
    return InvalidArgumentError("forbidden capabilities specified contains \"all\", but it also contains other "
                                "capabilities: " + GoQuoteList(forbidden) + ". please make sure that it only contains \"all\"");
  }
  if (!forbid_all && !exceptions.empty()) {
    return InvalidArgumentError("for verifying container capabilities, \"Exceptions\" list should only be filled when "
                                "\"all\" capabilities specified in the forbidden list");
  }
  for (const std::string& e : exceptions) {
    if (is_all(e)) return InvalidArgumentError("capabilities exceptions list should not contain \"all\"");
  }
  std::vector<std::pair<std::string, Regex>> caps;
  if (!forbid_all) {
    for (const std::string& c : forbidden) {
      auto r = Regex::Compile(c);
      if (!r.ok()) return r.status();
      caps.emplace_back(c, std::move(*r));
    }
  }
  KFIX_ASSIGN_OR_RETURN(exc, CompileAll(exceptions));
  return Make([=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const Value* caps_v = Get(Get(&cv, "securityContext"), "capabilities");
      if (!IsObject(caps_v)) return;
      std::string caps_ptr = Ptr(cptr, {"securityContext", "capabilities"});
      std::vector<std::string> add, drop;
      if (const auto* l = Arr(Get(caps_v, "add"))) {
        for (const Value& v : *l) add.push_back(ScalarText(&v));
      }
      if (const auto* l = Arr(Get(caps_v, "drop"))) {
        for (const Value& v : *l) drop.push_back(ScalarText(&v));
      }
      // ADD list.
      if (forbid_all) {
        for (std::size_t i = 0; i < add.size(); ++i) {
          if (AnySearch(exc, add[i]) && !exc.empty()) continue;
          sink.Add("container " + GoQuote(c.name) + " has ADD capability: " + GoQuote(add[i]) +
                       ", but no capabilities should be added at all and this capability is not included in the "
                       "exceptions list",
                   Ptr(Ptr(caps_ptr, "add"), i), c.name);
        }
      } else {
        for (const auto& [name, re] : caps) {
          for (std::size_t i = 0; i < add.size(); ++i) {
            if (re.Search(add[i]) || is_all(add[i])) {
              sink.Add("container " + GoQuote(c.name) + " has ADD capability: " + GoQuote(add[i]) +
                           ", which matched with the forbidden capability for containers",
                       Ptr(Ptr(caps_ptr, "add"), i), c.name);
            }
          }
        }
      }
      // DROP list.
      std::string drop_ptr = Ptr(caps_ptr, "drop");
      if (forbid_all) {
        bool found = std::any_of(drop.begin(), drop.end(), is_all);
        if (!found) {
          sink.Add("container " + GoQuote(c.name) + " has DROP capabilities: " + GoQuoteList(drop) +
                       ", but in fact all capabilities are required to be dropped",
                   drop_ptr, c.name);
        }
      }
      for (const auto& [name, re] : caps) {
        bool found = false;
        for (const std::string& d : drop) found = found || re.Search(d) || is_all(d);
        if (!found) {
          sink.Add("container " + GoQuote(c.name) + " has DROP capabilities: " + GoQuoteList(drop) +
                       ", but does not drop capability " + GoQuote(name) + " which is required",
                   drop_ptr, c.name);
        }
      }
    });
  });
}

// duplicate-env-var ------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> DuplicateEnvVar(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const auto* env = Arr(Get(&cv, "env"));
      if (!env) return;
      std::map<std::string, int> seen;
      for (std::size_t k = 0; k < env->size(); ++k) {
        std::string name = ScalarText(Get(&(*env)[k], "name"));
        if (++seen[name] != 2) continue;
        sink.Add("Duplicate environment variable " + name + " in container " + GoQuote(c.name) + " found",
                 Ptr(Ptr(cptr, "env"), k), c.name);
      }
    });
  });
}

// env-value-from ---------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> EnvValueFrom(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(is, p.StringList("ignoredSecrets"));
  KFIX_ASSIGN_OR_RETURN(ic, p.StringList("ignoredConfigMaps"));
  KFIX_ASSIGN_OR_RETURN(ignored_secrets, CompileAll(is));
  KFIX_ASSIGN_OR_RETURN(ignored_cms, CompileAll(ic));
  auto has_key = [](const ObjectInfo* obj, const char* a, const char* b, const std::string& key) {
    const Value* da = Get(&obj->root(), a);
    const Value* db = Get(&obj->root(), b);
    return (IsObject(da) && da->Find(key)) || (IsObject(db) && db->Find(key));
  };
  return Make([=](const ObjectInfo& o, const LintIndex& ctx, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const auto* env = Arr(Get(&cv, "env"));
      if (!env) return;
      for (std::size_t k = 0; k < env->size(); ++k) {
        const Value* vf = Get(&(*env)[k], "valueFrom");
        if (!IsObject(vf)) continue;
        struct Ref {
          const char* field;
          const char* type;
          const std::vector<Regex>* ignored;
          const std::unordered_map<std::string, const ObjectInfo*>* objs;
          const char* a;
          const char* b;
        };
        const Ref refs[] = {{"secretKeyRef", "secret", &ignored_secrets, &ctx.secrets, "data", "stringData"},
                            {"configMapKeyRef", "config map", &ignored_cms, &ctx.config_maps, "data", "binaryData"}};
        for (const Ref& r : refs) {
          const Value* ref = Get(vf, r.field);
          if (!IsObject(ref)) continue;
          if (IsTrue(Get(ref, "optional"))) continue;
          std::string name = ScalarText(Get(ref, "name"));
          std::string key = ScalarText(Get(ref, "key"));
          bool ign = false;
          for (const Regex& re : *r.ignored) ign = ign || re.Search(name);
          if (ign) continue;
          std::string ref_ptr = Ptr(Ptr(cptr, "env"), k) + "/valueFrom/" + r.field;
          auto it = r.objs->find(name);
          if (it == r.objs->end()) {
            sink.Add("The container " + GoQuote(c.name) + " is referring to an unknown " + r.type + " " + GoQuote(name),
                     ref_ptr + "/name", c.name);
          } else if (!has_key(it->second, r.a, r.b, key)) {
            sink.Add("The container " + GoQuote(c.name) + " is referring to an unknown key " + GoQuote(key) + " in " +
                         r.type + " " + GoQuote(name),
                     ref_ptr + "/key", c.name);
          }
        }
      }
    });
  });
}

// env-var ------------------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> EnvVar(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(name, p.String("name"));
  KFIX_ASSIGN_OR_RETURN(value, p.String("value"));
  KFIX_ASSIGN_OR_RETURN(name_re, Regex::Compile(name));
  KFIX_ASSIGN_OR_RETURN(value_re, Regex::Compile(value));
  return Make([=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const auto* env = Arr(Get(&cv, "env"));
      if (!env) return;
      for (std::size_t k = 0; k < env->size(); ++k) {
        const Value& e = (*env)[k];
        std::string n = ScalarText(Get(&e, "name"));
        std::string v = ScalarText(Get(&e, "value"));
        if (name_re.Search(n) && value_re.Search(v)) {
          std::string ptr = Ptr(Ptr(cptr, "env"), k);
          if (Get(&e, "value")) ptr += "/value";
          sink.Add("environment variable " + n + " in container " + GoQuote(c.name) + " found", ptr, c.name);
        }
      }
    });
  });
}

// forbidden-service-types ---------------------------------------------------
Result<std::unique_ptr<CheckImpl>> ForbiddenServiceTypes(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(types, p.StringList("forbiddenServiceTypes"));
  return Make([types](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    std::string t = ScalarText(Get(Get(&o.root(), "spec"), "type"));
    for (const std::string& f : types) {
      if (EqualFold(t, f)) sink.Add(GoQuote(f) + " service type is forbidden.", "/spec/type");
    }
  });
}

// host-ipc / host-network / host-pid ----------------------------------------
template <int kWhich>
Result<std::unique_ptr<CheckImpl>> HostNamespace(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    static constexpr const char* kFields[] = {"hostIPC", "hostNetwork", "hostPID"};
    static constexpr const char* kMessages[] = {
        "resource shares host's IPC namespace (via hostIPC=true).",
        "resource shares host's network namespace (via hostNetwork=true).",
        "object shares the host's process namespace (via hostPID=true).",
    };
    if (IsTrue(Get(PodSpec(o), kFields[kWhich]))) sink.Add(kMessages[kWhich], Ptr(o.pod_spec_ptr, kFields[kWhich]));
  });
}

// hpa-minimum-replicas / minimum-replicas -------------------------------------
Result<std::unique_ptr<CheckImpl>> HpaMinReplicas(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(min, p.Int("minReplicas"));
  std::int64_t want = min.value_or(3);
  return Make([want](const ObjectInfo& o, const LintIndex&, Sink& sink) {
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
  return Make([want](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    auto n = Replicas(o);
    if (!n || *n >= want) return;
    sink.Add("object has " + std::to_string(*n) + " " + Plural(*n) + " but minimum required replicas is " +
                 std::to_string(want),
             "/spec/replicas");
  });
}

// target-port ------------------------------------------------------------------
std::vector<std::string> PortNameViolations(const std::string& port) {
  std::vector<std::string> errs;
  if (port.size() > 15) errs.push_back("must be no more than 15 characters");
  bool charset = !port.empty() && std::all_of(port.begin(), port.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
  });
  if (!charset) errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!std::any_of(port.begin(), port.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; })) {
    errs.push_back("must contain at least one letter (a-z)");
  }
  if (port.find("--") != std::string::npos) errs.push_back("must not contain consecutive hyphens");
  if (!port.empty() && (port.front() == '-' || port.back() == '-')) errs.push_back("must not begin or end with a hyphen");
  return errs;
}

Result<std::unique_ptr<CheckImpl>> TargetPort(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (o.workload) {
      ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
        const auto* ports = Arr(Get(&cv, "ports"));
        if (!ports) return;
        for (std::size_t k = 0; k < ports->size(); ++k) {
          std::string name = ScalarText(Get(&(*ports)[k], "name"));
          if (name.empty()) continue;
          for (const std::string& v : PortNameViolations(name)) {
            sink.Add("port name " + GoQuote(name) + " in container " + GoQuote(c.name) + " " + v,
                     Ptr(Ptr(cptr, "ports"), k) + "/name", c.name);
          }
        }
      });
      return;
    }
    if (o.kind != "Service") return;
    const auto* ports = Arr(Get(Get(&o.root(), "spec"), "ports"));
    if (!ports) return;
    for (std::size_t k = 0; k < ports->size(); ++k) {
      const Value* tp = Get(&(*ports)[k], "targetPort");
      if (!tp || tp->is_null()) continue;
      std::string ptr = "/spec/ports/" + std::to_string(k) + "/targetPort";
      if (tp->is_string()) {
        for (const std::string& v : PortNameViolations(tp->as_string())) {
          sink.Add("port targetPort " + GoQuote(tp->as_string()) + " in service " + GoQuote(o.name) + " " + v, ptr);
        }
      } else if (auto n = AsInt(tp)) {
        if (*n == 0) continue;
        if (*n < 1 || *n > 65535) {
          sink.Add("port targetPort " + GoQuote(std::to_string(*n)) + " in service " + GoQuote(o.name) +
                       " must be between 1 and 65535, inclusive",
                   ptr);
        }
      }
    }
  });
}

// job-ttl-seconds-after-finished -------------------------------------------
Result<std::unique_ptr<CheckImpl>> JobTtl(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const Value* spec = Get(&o.root(), "spec");
    if (o.kind == "Job") {
      const Value* ttl = Get(spec, "ttlSecondsAfterFinished");
      if (!ttl || ttl->is_null()) {
        sink.Add("Standalone Job does not specify ttlSecondsAfterFinished", "/spec/ttlSecondsAfterFinished");
      }
    } else if (o.kind == "CronJob") {
      const Value* ttl = Get(Get(Get(spec, "jobTemplate"), "spec"), "ttlSecondsAfterFinished");
      if (ttl && !ttl->is_null()) {
        sink.Add("Managed Job specifies ttlSecondsAfterFinished which might conflict with successfulJobsHistoryLimit "
                 "and failedJobsHistoryLimit from CronJob. Final behaviour is determined by the stricktier",
                 "/spec/jobTemplate/spec/ttlSecondsAfterFinished");
      }
    }
  });
}

// latest-tag -------------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> LatestTag(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(block, p.StringList("blockList"));
  KFIX_ASSIGN_OR_RETURN(allow, p.StringList("allowList"));
  KFIX_ASSIGN_OR_RETURN(block_re, CompileAll(block));
  KFIX_ASSIGN_OR_RETURN(allow_re, CompileAll(allow));
  if (!block_re.empty() && !allow_re.empty()) {
    return InvalidArgumentError(
        "only one of the paramater lists can be used at a time: check has both \"allowList\" & \"blockList\" "
        "parameter's values set");
  }
  std::string block_q = GoQuoteList(block), allow_q = GoQuoteList(allow);
  return Make([=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      std::string image = ScalarText(Get(&cv, "image"));
      if (!block_re.empty() && AnySearch(block_re, image)) {
        sink.Add("The container " + GoQuote(c.name) + " is using an invalid container image, " + GoQuote(image) +
                     ". Please use images that are not blocked by the `BlockList` criteria : " + block_q,
                 Ptr(cptr, "image"), c.name);
      } else if (!allow_re.empty() && !AnySearch(allow_re, image)) {
        sink.Add("The container " + GoQuote(c.name) + " is using an invalid container image, " + GoQuote(image) +
                     ". Please use images that satisfies the `AllowList` criteria : " + allow_q,
                 Ptr(cptr, "image"), c.name);
      }
    });
  });
}

// liveness-port / readiness-port / startup-port ---------------------------
template <int kWhich>
Result<std::unique_ptr<CheckImpl>> ProbePort(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    static constexpr const char* kProbe[] = {"livenessProbe", "readinessProbe", "startupProbe"};
    const char* probe_key = kProbe[kWhich];
    ForContainers(o, Groups::kRegular, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const Value* probe = Get(&cv, probe_key);
      if (!IsObject(probe)) return;
      std::set<std::int64_t> nums;
      std::set<std::string> names;
      if (const auto* ports = Arr(Get(&cv, "ports"))) {
        for (const Value& pt : *ports) {
          std::string proto = ScalarText(Get(&pt, "protocol"));
          if (!proto.empty() && proto != "TCP") continue;
          nums.insert(AsInt(Get(&pt, "containerPort")).value_or(0));
          names.insert(ScalarText(Get(&pt, "name")));
        }
      }
      auto exposed = [&](const Value* port) {
        if (!port || port->is_null()) return nums.count(0) > 0;
        if (port->is_string()) return names.count(port->as_string()) > 0;
        return nums.count(AsInt(port).value_or(0)) > 0;
      };
      std::string probe_ptr = Ptr(cptr, probe_key);
      if (const Value* h = Get(probe, "httpGet"); IsObject(h)) {
        const Value* port = Get(h, "port");
        if (!exposed(port)) {
          sink.Add("container " + GoQuote(c.name) + " does not expose port " + (port ? ScalarText(port) : "0") +
                       " for the HTTPGet",
                   probe_ptr + "/httpGet/port", c.name);
          return;
        }
      }
      if (const Value* t = Get(probe, "tcpSocket"); IsObject(t)) {
        const Value* port = Get(t, "port");
        if (!exposed(port)) {
          sink.Add("container " + GoQuote(c.name) + " does not expose port " + (port ? ScalarText(port) : "0") +
                       " for the TCPSocket",
                   probe_ptr + "/tcpSocket/port", c.name);
          return;
        }
      }
      if (const Value* g = Get(probe, "grpc"); IsObject(g)) {
        std::int64_t n = AsInt(Get(g, "port")).value_or(0);
        if (!nums.count(n)) {
          sink.Add("container " + GoQuote(c.name) + " does not expose port " + std::to_string(n) +
                       " for the GRPC check",
                   probe_ptr + "/grpc/port", c.name);
        }
      }
    });
  });
}

// mismatching-selector ---------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> MismatchingSelector(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
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
  return Make([=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
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
    std::string pod_ns = ScalarText(Get(o.workload->pod_metadata, "namespace"));
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

// disallowed-api-obj -----------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> DisallowedGvk(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(g, p.String("group"));
  KFIX_ASSIGN_OR_RETURN(v, p.String("version"));
  KFIX_ASSIGN_OR_RETURN(k, p.String("kind"));
  KFIX_ASSIGN_OR_RETURN(gre, Regex::Compile(g));
  KFIX_ASSIGN_OR_RETURN(vre, Regex::Compile(v));
  KFIX_ASSIGN_OR_RETURN(kre, Regex::Compile(k));
  return Make([=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (gre.Search(o.group) && vre.Search(o.version) && kre.Search(o.kind)) {
      sink.Add("disallowed API object found: " + std::string(o.group) + "/" + std::string(o.version) +
                   ", Kind=" + std::string(o.kind),
               "/apiVersion");
    }
  });
}

// liveness-probe / readiness-probe ------------------------------------------
template <int kWhich>
Result<std::unique_ptr<CheckImpl>> ProbeMissing(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    static constexpr const char* kProbe[] = {"livenessProbe", "readinessProbe"};
    static constexpr const char* kWord[] = {"liveness", "readiness"};
    ForContainers(o, Groups::kRegular, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const Value* probe = Get(&cv, kProbe[kWhich]);
      if (probe && !probe->is_null()) return;
      sink.Add("container " + GoQuote(c.name) + " does not specify a " + kWord[kWhich] + " probe",
               Ptr(cptr, kProbe[kWhich]), c.name);
    });
  });
}

Result<std::unique_ptr<CheckImpl>> NoNodeAffinity(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (!o.has_pod_template) return;
    const Value* aff = Get(PodSpec(o), "affinity");
    const Value* na = Get(aff, "nodeAffinity");
    if (IsObject(na)) return;
    sink.Add("object does not define any node affinity rules.", Ptr(o.pod_spec_ptr, {"affinity", "nodeAffinity"}));
  });
}

// read-only-root-fs ------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> ReadOnlyRootFs(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      if (IsTrue(Get(Get(&cv, "securityContext"), "readOnlyRootFilesystem"))) return;
      sink.Add("container " + GoQuote(c.name) + " does not have a read-only root file system",
               Ptr(cptr, {"securityContext", "readOnlyRootFilesystem"}), c.name);
    });
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
  return Make([re, type_regex](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const char* field = nullptr;
    if (o.kind == "Deployment" || o.kind == "DeploymentConfig") field = "strategy";
    if (o.kind == "DaemonSet" || o.kind == "StatefulSet") field = "updateStrategy";
    if (!field) return;
    std::string type = ScalarText(Get(Get(Get(&o.root(), "spec"), field), "type"));
    if (re.Search(type)) return;
    sink.Add("object has " + (type.empty() ? std::string("no") : type) + " strategy type but must match regex " +
                 type_regex,
             Ptr("/spec", {field, "type"}));
  });
}

// non-existent-service-account -----------------------------------------------
Result<std::unique_ptr<CheckImpl>> NonExistentServiceAccount(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex& ctx, Sink& sink) {
    if (!o.workload) return;
    auto [sa, ptr] = ServiceAccountOf(o);
    if (sa.empty() || sa == "default") return;
    if (ctx.service_accounts.count(std::string(o.namespace_) + '\n' + sa)) return;
    sink.Add("serviceAccount " + GoQuote(sa) + " not found", ptr);
  });
}

// non-isolated-pod ---------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> NonIsolatedPod(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex& ctx, Sink& sink) {
    if (!o.has_pod_template) return;
    for (const ObjectInfo* np : ctx.In(ctx.network_policies_by_ns, o.namespace_)) {
      Selector sel = Selector::FromLabelSelector(Get(Get(&np->root(), "spec"), "podSelector"));
      if (!sel.valid) {
        sink.Add("networkpolicy has invalid podSelector: " + sel.error, o.pod_meta_ptr + "/labels");
        return;
      }
      if (sel.Matches(o.pod_labels)) return;
    }
    sink.Add("pods created by this object are non-isolated", o.pod_meta_ptr + "/labels");
  });
}

// pdb-max-unavailable / pdb-min-available / pdb-unhealthy-pod-eviction-policy --
Result<std::unique_ptr<CheckImpl>> PdbMaxUnavailable(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const Value* mu = Get(Get(&o.root(), "spec"), "maxUnavailable");
    if (!mu || mu->is_null()) return;
    // intstr.IntVal == 0: an int 0, or any string value (kube-linter reads IntVal only).
    if (mu->is_string() || AsInt(mu).value_or(1) == 0) sink.Add("MaxUnavailable is set to 0", "/spec/maxUnavailable");
  });
}

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
    std::string pdb_str = pdb_sel.ToString();
    for (const ObjectInfo* w : ctx.In(ctx.deployment_likes_by_ns, o.namespace_)) {
      if (!HasLabelSelectorField(w->kind)) continue;
      auto replicas = Replicas(*w);
      if (!replicas) continue;
      Value wsel = SelectorAsLabelSelector(*w, SelectorOf(*w, nullptr));
      Selector ws = Selector::FromLabelSelector(&wsel);
      if (!ws.valid || ws.ToString() != pdb_str) continue;
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
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const Value* v = Get(Get(&o.root(), "spec"), "unhealthyPodEvictionPolicy");
    if (v && !v->is_null() && !ScalarText(v).empty()) return;
    sink.Add("unhealthyPodEvictionPolicy is not explicitly set", "/spec/unhealthyPodEvictionPolicy");
  });
}

// priority-class-name ------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> PriorityClassName(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(accepted, p.StringList("acceptedPriorityClassNames"));
  return Make([accepted](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (!o.workload) return;
    std::string pcn = ScalarText(Get(PodSpec(o), "priorityClassName"));
    std::string trimmed = pcn;
    trimmed.erase(0, trimmed.find_first_not_of(" \t\n\r"));
    if (trimmed.empty() || std::find(accepted.begin(), accepted.end(), pcn) != accepted.end()) return;
    sink.Add("object has a priority class name defined with '" + pcn +
                 "' but the only accepted priority class names are '" + GoStringList(accepted) + "'",
             Ptr(o.pod_spec_ptr, "priorityClassName"));
  });
}

// privilege-escalation-container / privileged / privileged-ports / ports -----
Result<std::unique_ptr<CheckImpl>> PrivilegeEscalation(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const Value* sc = Get(&cv, "securityContext");
      if (!IsObject(sc)) return;
      std::string sc_ptr = Ptr(cptr, "securityContext");
      if (IsTrue(Get(sc, "allowPrivilegeEscalation"))) {
        sink.Add("container " + GoQuote(c.name) + " has AllowPrivilegeEscalation set to true.",
                 sc_ptr + "/allowPrivilegeEscalation", c.name);
        return;
      }
      if (IsTrue(Get(sc, "privileged"))) {
        sink.Add("container " + GoQuote(c.name) + " is Privileged hence allows privilege escalation.",
                 sc_ptr + "/privileged", c.name);
        return;
      }
      if (const auto* add = Arr(Get(Get(sc, "capabilities"), "add"))) {
        for (std::size_t i = 0; i < add->size(); ++i) {
          if (Str(&(*add)[i]) == "SYS_ADMIN") {
            sink.Add("container " + GoQuote(c.name) + " has SYS_ADMIN capability hence allows privilege escalation.",
                     sc_ptr + "/capabilities/add/" + std::to_string(i), c.name);
            return;
          }
        }
      }
    });
  });
}

Result<std::unique_ptr<CheckImpl>> Privileged(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      if (IsTrue(Get(Get(&cv, "securityContext"), "privileged"))) {
        sink.Add("container " + GoQuote(c.name) + " is privileged", Ptr(cptr, {"securityContext", "privileged"}), c.name);
      }
    });
  });
}

Result<std::unique_ptr<CheckImpl>> PrivilegedPorts(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const auto* ports = Arr(Get(&cv, "ports"));
      if (!ports) return;
      for (std::size_t k = 0; k < ports->size(); ++k) {
        std::int64_t n = AsInt(Get(&(*ports)[k], "containerPort")).value_or(0);
        if (n > 0 && n < 1024) {
          sink.Add("port " + std::to_string(n) + " is mapped in container " + GoQuote(c.name) + ".",
                   Ptr(Ptr(cptr, "ports"), k) + "/containerPort", c.name);
        }
      }
    });
  });
}

Result<std::unique_ptr<CheckImpl>> PortsTemplate(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(port, p.Int("port"));
  KFIX_ASSIGN_OR_RETURN(protocol, p.String("protocol"));
  KFIX_ASSIGN_OR_RETURN(proto_re, Regex::Compile(protocol));
  std::int64_t want = port.value_or(0);
  return Make([=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const auto* ports = Arr(Get(&cv, "ports"));
      if (!ports) return;
      for (std::size_t k = 0; k < ports->size(); ++k) {
        const Value& pt = (*ports)[k];
        std::string proto = ScalarText(Get(&pt, "protocol"));
        if (proto.empty()) proto = "TCP";
        std::int64_t n = AsInt(Get(&pt, "containerPort")).value_or(0);
        if (n == want && proto_re.Search(proto)) {
          sink.Add("port " + std::to_string(n) + " and protocol " + proto + " in container " + GoQuote(c.name) +
                       " found",
                   Ptr(Ptr(cptr, "ports"), k) + "/containerPort", c.name);
        }
      }
    });
  });
}

// read-secret-from-env-var ---------------------------------------------------
Result<std::unique_ptr<CheckImpl>> ReadSecretFromEnv(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const auto* env = Arr(Get(&cv, "env"));
      if (!env) return;
      for (std::size_t k = 0; k < env->size(); ++k) {
        if (!IsObject(Get(Get(&(*env)[k], "valueFrom"), "secretKeyRef"))) continue;
        sink.Add("environment variable " + GoQuote(ScalarText(Get(&(*env)[k], "name"))) + " in container " +
                     GoQuote(c.name) + " uses SecretKeyRef",
                 Ptr(Ptr(cptr, "env"), k) + "/valueFrom/secretKeyRef", c.name);
      }
    });
  });
}

// required-annotation / required-label / forbidden-annotation ---------------
template <bool kLabel>
Result<std::unique_ptr<CheckImpl>> RequiredMap(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(key, p.String("key"));
  KFIX_ASSIGN_OR_RETURN(value, p.String("value"));
  KFIX_ASSIGN_OR_RETURN(kre, Regex::Compile(key));
  KFIX_ASSIGN_OR_RETURN(vre, Regex::Compile(value));
  std::string msg = std::string("no ") + (kLabel ? "label" : "annotation") + " matching \"" + key + "=" +
                    (value.empty() ? std::string("<any>") : value) + "\" found";
  return Make([=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const Value* map = kLabel ? o.labels : o.annotations;
    if (IsObject(map)) {
      for (const Member& m : map->as_object()) {
        if (kre.Search(m.key) && vre.Search(ScalarText(&m.value))) return;
      }
    }
    sink.Add(msg, kLabel ? "/metadata/labels" : "/metadata/annotations");
  });
}

Result<std::unique_ptr<CheckImpl>> ForbiddenAnnotation(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(key, p.String("key"));
  KFIX_ASSIGN_OR_RETURN(value, p.String("value"));
  KFIX_ASSIGN_OR_RETURN(kre, Regex::Compile(key));
  KFIX_ASSIGN_OR_RETURN(vre, Regex::Compile(value));
  return Make([=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (!IsObject(o.annotations)) return;
    for (const Member& m : o.annotations->as_object()) {
      std::string v = ScalarText(&m.value);
      if (kre.Search(m.key) && vre.Search(v)) {
        sink.Add("annotation matching \"" + key + "=" + (value.empty() ? std::string("<any>") : value) + "\" found",
                 Ptr("/metadata/annotations", m.key));
      }
    }
  });
}

// restart-policy -------------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> RestartPolicy(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (!o.workload) return;
    std::string rp = ScalarText(Get(PodSpec(o), "restartPolicy"));
    if (rp == "Always" || rp == "OnFailure") return;
    sink.Add("object has a restart policy defined with '" + rp +
                 "' but the only accepted restart policies are '[Always OnFailure]'",
             Ptr(o.pod_spec_ptr, "restartPolicy"));
  });
}

// run-as-non-root ------------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> RunAsNonRoot(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      Effective user = EffectiveField(o, cv, cptr, "runAsUser");
      Effective group = EffectiveField(o, cv, cptr, "runAsGroup");
      auto nonzero = [](const Effective& e) { return e.value && AsInt(e.value).value_or(0) > 0; };
      if (nonzero(user) && nonzero(group)) return;
      if (group.value && AsInt(group.value) && *AsInt(group.value) == 0) {
        sink.Add("container " + GoQuote(c.name) + " has runAsGroup set to 0", group.pointer, c.name);
      }
      Effective non_root = EffectiveField(o, cv, cptr, "runAsNonRoot");
      if (IsTrue(non_root.value)) {
        if (user.value && AsInt(user.value) && *AsInt(user.value) == 0) {
          sink.Add("container " + GoQuote(c.name) + " is set to runAsNonRoot, but runAsUser set to 0", user.pointer,
                   c.name);
        }
        return;
      }
      std::string ptr = non_root.value ? non_root.pointer : Ptr(cptr, {"securityContext", "runAsNonRoot"});
      sink.Add("container " + GoQuote(c.name) + " is not set to runAsNonRoot", ptr, c.name);
    });
  });
}

// scc-deny-privileged-container --------------------------------------------------
Result<std::unique_ptr<CheckImpl>> SccDenyPrivileged(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(want, p.Bool("allowPrivilegedContainer", true));
  return Make([want](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const Value* v = Get(&o.root(), "allowPrivilegedContainer");
    bool actual = IsTrue(v);
    if (actual == want && want) {
      sink.Add("SCC has allowPrivilegedContainer set to true", "/allowPrivilegedContainer");
    }
  });
}

// kubeconform (schema-validation): a basic structural validation ------------
const char* const kContainerFields[] = {
    "args", "command", "env", "envFrom", "image", "imagePullPolicy", "lifecycle", "livenessProbe", "name", "ports",
    "readinessProbe", "resizePolicy", "resources", "restartPolicy", "securityContext", "startupProbe", "stdin",
    "stdinOnce", "targetContainerName", "terminationMessagePath", "terminationMessagePolicy", "tty", "volumeDevices",
    "volumeMounts", "workingDir"};

Result<std::unique_ptr<CheckImpl>> Kubeconform(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(strict, p.Bool("strict", false));
  KFIX_ASSIGN_OR_RETURN(ignore_missing, p.Bool("ignoreMissingSchemas", false));
  (void)ignore_missing;
  return Make([strict](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const Value& root = o.root();
    auto type_err = [&](const std::string& ptr, const char* want, const Value* got) {
      sink.Add("schema validation: " + (ptr.empty() ? std::string("/") : ptr) + ": expected " + want + ", but got " +
                   got->type_name(),
               ptr);
    };
    if (!root.Find("apiVersion")) sink.Add("schema validation: missing required field \"apiVersion\"", "/apiVersion");
    else if (!root.Find("apiVersion")->is_string()) type_err("/apiVersion", "string", root.Find("apiVersion"));
    if (!root.Find("kind")) sink.Add("schema validation: missing required field \"kind\"", "/kind");
    else if (!root.Find("kind")->is_string()) type_err("/kind", "string", root.Find("kind"));
    if (const Value* md = root.Find("metadata")) {
      if (!md->is_object()) {
        type_err("/metadata", "object", md);
      } else {
        for (const char* f : {"labels", "annotations"}) {
          const Value* m = md->Find(f);
          if (!m || m->is_null()) continue;
          if (!m->is_object()) {
            type_err(std::string("/metadata/") + f, "object", m);
            continue;
          }
          for (const Member& mem : m->as_object()) {
            if (!mem.value.is_string()) type_err(Ptr(std::string("/metadata/") + f, mem.key), "string", &mem.value);
          }
        }
      }
    }
    if (!o.workload || !o.workload->pod_spec) return;
    const Value* ps = o.workload->pod_spec;
    if (!ps->is_object()) {
      type_err(o.pod_spec_ptr, "object", ps);
      return;
    }
    const Value* cs = ps->Find("containers");
    if (!cs) sink.Add("schema validation: missing required field \"containers\"", Ptr(o.pod_spec_ptr, "containers"));
    else if (!cs->is_array()) type_err(Ptr(o.pod_spec_ptr, "containers"), "array", cs);
    for (std::size_t i = 0; i < o.workload->containers.size(); ++i) {
      const ContainerRef& c = o.workload->containers[i];
      const std::string& cptr = o.container_ptrs[i];
      if (!c.container || !c.container->is_object()) {
        if (c.container) type_err(cptr, "object", c.container);
        continue;
      }
      const Value* name = c.container->Find("name");
      if (!name) sink.Add("schema validation: missing required field \"name\"", Ptr(cptr, "name"), c.name);
      else if (!name->is_string()) type_err(Ptr(cptr, "name"), "string", name);
      if (const Value* img = c.container->Find("image"); img && !img->is_string() && !img->is_null()) {
        type_err(Ptr(cptr, "image"), "string", img);
      }
      if (const Value* ports = c.container->Find("ports"); ports && !ports->is_null()) {
        if (!ports->is_array()) {
          type_err(Ptr(cptr, "ports"), "array", ports);
        } else {
          for (std::size_t k = 0; k < ports->as_array().size(); ++k) {
            const Value* cp = Get(&ports->as_array()[k], "containerPort");
            std::string pp = Ptr(Ptr(cptr, "ports"), k) + "/containerPort";
            if (!cp) sink.Add("schema validation: missing required field \"containerPort\"", pp, c.name);
            else if (!cp->is_int()) type_err(pp, "integer", cp);
          }
        }
      }
      for (const char* f : {"env", "volumeMounts", "args", "command"}) {
        const Value* v = c.container->Find(f);
        if (v && !v->is_null() && !v->is_array()) type_err(Ptr(cptr, f), "array", v);
      }
      if (strict) {
        for (const Member& m : c.container->as_object()) {
          bool known = false;
          for (const char* f : kContainerFields) known = known || m.key == f;
          if (!known) {
            sink.Add("schema validation: " + cptr + ": additional property " + GoQuote(m.key) + " is not allowed",
                     Ptr(cptr, m.key), c.name);
          }
        }
      }
    }
  });
}

// sorted-keys -----------------------------------------------------------------------
void CheckSorted(const Value& v, const std::string& path, const std::string& ptr, bool recursive, Sink& sink) {
  if (v.is_object()) {
    const auto& obj = v.as_object();
    bool in_order = true;
    for (std::size_t i = 1; i < obj.size() && in_order; ++i) in_order = !(obj[i].key < obj[i - 1].key);
    if (!in_order) {
      std::vector<std::string> keys, sorted;
      for (const Member& m : obj) keys.push_back(m.key);
      sorted = keys;
      std::sort(sorted.begin(), sorted.end());
      if (keys != sorted) {
        auto join = [](const std::vector<std::string>& l) {
          std::string s;
          for (std::size_t i = 0; i < l.size(); ++i) s += (i ? ", " : "") + l[i];
          return s;
        };
        sink.Add("Keys are not sorted at " + (path.empty() ? std::string("root") : path) + ". Expected order: [" +
                     join(sorted) + "], got: [" + join(keys) + "]",
                 ptr);
      }
    }
    if (recursive) {
      for (const Member& m : obj) {
        CheckSorted(m.value, path.empty() ? m.key : path + "." + m.key, Ptr(ptr, m.key), recursive, sink);
      }
    }
  } else if (v.is_array() && recursive) {
    const auto& arr = v.as_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
      CheckSorted(arr[i], path + "[" + std::to_string(i) + "]", Ptr(ptr, i), recursive, sink);
    }
  }
}

Result<std::unique_ptr<CheckImpl>> SortedKeys(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(recursive, p.Bool("recursive", false));
  return Make([recursive](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    CheckSorted(o.root(), "", "", recursive, sink);
  });
}

// unsafe-proc-mount / unsafe-sysctls -------------------------------------------
Result<std::unique_ptr<CheckImpl>> UnsafeProcMount(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      if (EqualFold(Str(Get(Get(&cv, "securityContext"), "procMount")), "Unmasked")) {
        sink.Add("container " + GoQuote(c.name) + " exposes /proc unsafely (via procMount=Unmasked).",
                 Ptr(cptr, {"securityContext", "procMount"}), c.name);
      }
    });
  });
}

Result<std::unique_ptr<CheckImpl>> UnsafeSysctls(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(unsafe, p.StringList("unsafeSysCtls"));
  return Make([unsafe](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const auto* sysctls = Arr(Get(PodSC(o), "sysctls"));
    if (!sysctls) return;
    for (std::size_t i = 0; i < sysctls->size(); ++i) {
      std::string name = ScalarText(Get(&(*sysctls)[i], "name"));
      for (const std::string& prefix : unsafe) {
        if (name.compare(0, prefix.size(), prefix) == 0) {
          sink.Add("resource specifies unsafe sysctl " + GoQuote(name) + ".",
                   Ptr(o.pod_spec_ptr, {"securityContext", "sysctls", std::to_string(i), "name"}));
        }
      }
    }
  });
}

// cpu-requirements / memory-requirements -----------------------------------------
std::string QuantityText(const Value* v, std::int64_t whole_or_milli, bool is_zero) {
  if (is_zero) return "0";
  if (v && v->is_string()) return v->as_string();
  if (v && v->is_number()) return ScalarText(v);
  return std::to_string(whole_or_milli);
}

Result<std::unique_ptr<CheckImpl>> Requirements(const Params& p, bool cpu) {
  const char* lower_name = cpu ? "lowerBoundMillis" : "lowerBoundMB";
  const char* upper_name = cpu ? "upperBoundMillis" : "upperBoundMB";
  KFIX_ASSIGN_OR_RETURN(lower, p.Int(lower_name));
  KFIX_ASSIGN_OR_RETURN(upper, p.Int(upper_name));
  KFIX_ASSIGN_OR_RETURN(type, p.String("requirementsType", "any"));
  if (type != "request" && type != "limit" && type != "any") {
    return InvalidArgumentError("parameter \"requirementsType\" must be one of request, limit, any; got \"" + type + "\"");
  }
  std::int64_t scale = cpu ? 1 : 1024 * 1024;
  std::int64_t lo = lower.value_or(0) * scale;
  std::optional<std::int64_t> hi;
  if (upper) hi = *upper * scale;
  return Make([=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const char* resource = cpu ? "cpu" : "memory";
    auto process = [&](const ContainerRef& c, const Value& cv, const std::string& cptr, const char* kind_key,
                       const char* word) {
      const Value* q = Get(Get(Get(&cv, "resources"), kind_key), resource);
      Quantity qty = QuantityOf(q);
      if (!qty.ok) return;  // an invalid quantity fails kube-linter's decoding; not this check's business
      std::int64_t v = cpu ? MilliValue(qty) : WholeValue(qty);
      if (v < lo || (hi && v > *hi)) return;
      sink.Add("container " + GoQuote(c.name) + " has " + resource + " " + word + " " +
                   QuantityText(q, v, qty.value == 0),
               Ptr(cptr, {"resources", kind_key, resource}), c.name);
    };
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      if (type == "request" || type == "any") process(c, cv, cptr, "requests", "request");
      // kube-linter's cpu-requirements template never looks at limits.
      if (!cpu && (type == "limit" || type == "any")) process(c, cv, cptr, "limits", "limit");
    });
  });
}
Result<std::unique_ptr<CheckImpl>> CpuRequirements(const Params& p) { return Requirements(p, true); }
Result<std::unique_ptr<CheckImpl>> MemoryRequirements(const Params& p) { return Requirements(p, false); }

// use-namespace / wildcard-in-rules / writable-host-mount ---------------------
Result<std::unique_ptr<CheckImpl>> UseNamespace(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (!o.namespace_.empty() && o.namespace_ != "default") return;
    sink.Add("object in default namespace", "/metadata/namespace");
  });
}

Result<std::unique_ptr<CheckImpl>> WildcardInRules(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (o.group != "rbac.authorization.k8s.io" || o.version != "v1") return;
    const auto* rules = Arr(Get(&o.root(), "rules"));
    if (!rules) return;
    for (std::size_t i = 0; i < rules->size(); ++i) {
      for (const char* f : {"resources", "verbs"}) {
        const auto* l = Arr(Get(&(*rules)[i], f));
        if (!l) continue;
        for (std::size_t j = 0; j < l->size(); ++j) {
          if (Str(&(*l)[j]) != "*") continue;
          sink.Add(std::string("wildcard \"*\" in ") + (f[0] == 'r' ? "resource" : "verb") + " specification",
                   "/rules/" + std::to_string(i) + "/" + f + "/" + std::to_string(j));
        }
      }
    }
  });
}

Result<std::unique_ptr<CheckImpl>> WritableHostMount(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const auto* vols = Arr(Get(PodSpec(o), "volumes"));
    if (!vols) return;
    std::map<std::string, std::string> host_paths;
    for (const Value& v : *vols) {
      if (IsObject(Get(&v, "hostPath"))) host_paths[ScalarText(Get(&v, "name"))] = ScalarText(Get(Get(&v, "hostPath"), "path"));
    }
    if (host_paths.empty()) return;
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const auto* mounts = Arr(Get(&cv, "volumeMounts"));
      if (!mounts) return;
      for (std::size_t k = 0; k < mounts->size(); ++k) {
        const Value& m = (*mounts)[k];
        if (IsTrue(Get(&m, "readOnly"))) continue;
        auto it = host_paths.find(ScalarText(Get(&m, "name")));
        if (it == host_paths.end()) continue;
        sink.Add("container " + c.name + " mounts path " + it->second + " on the host as writable",
                 Ptr(Ptr(cptr, "volumeMounts"), k), c.name);
      }
    });
  });
}

// image-pull-policy (custom checks only) ---------------------------------------
Result<std::unique_ptr<CheckImpl>> ImagePullPolicy(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(forbidden, p.StringList("forbiddenPolicies"));
  return Make([forbidden](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      std::string policy = ScalarText(Get(&cv, "imagePullPolicy"));
      for (const std::string& f : forbidden) {
        if (EqualFold(policy, f)) {
          sink.Add("container " + GoQuote(c.name) + " has imagePullPolicy set to " + policy,
                   Ptr(cptr, "imagePullPolicy"), c.name);
        }
      }
    });
  });
}

// ===========================================================================
// kfix extras (the remediation pipeline's built-ins)
// ===========================================================================

Result<std::unique_ptr<CheckImpl>> CapSysAdmin(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      bool dropped = false;
      if (const auto* drop = Arr(Get(Get(Get(&cv, "securityContext"), "capabilities"), "drop"))) {
        for (const Value& d : *drop) dropped = dropped || EqualFold(Str(&d), "SYS_ADMIN") || EqualFold(Str(&d), "ALL");
      }
      if (!dropped) {
        sink.Add("container " + GoQuote(c.name) + " does not drop capability SYS_ADMIN",
                 Ptr(cptr, {"securityContext", "capabilities", "drop"}), c.name);
      }
    });
  });
}

Result<std::unique_ptr<CheckImpl>> HostPorts(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const auto* ports = Arr(Get(&cv, "ports"));
      if (!ports) return;
      for (std::size_t k = 0; k < ports->size(); ++k) {
        const Value* hp = Get(&(*ports)[k], "hostPort");
        if (!hp || hp->is_null()) continue;
        std::string text = ScalarText(hp);
        if (text.empty() || text == "0") continue;
        sink.Add("container " + GoQuote(c.name) + " exposes hostPort " + text, Ptr(Ptr(cptr, "ports"), k) + "/hostPort",
                 c.name);
      }
    });
  });
}

Result<std::unique_ptr<CheckImpl>> HostPathVolume(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const auto* vols = Arr(Get(PodSpec(o), "volumes"));
    if (!vols) return;
    for (std::size_t i = 0; i < vols->size(); ++i) {
      const Value* hp = Get(&(*vols)[i], "hostPath");
      if (!IsObject(hp)) continue;
      sink.Add("volume " + GoQuote(ScalarText(Get(&(*vols)[i], "name"))) + " uses hostPath " +
                   GoQuote(ScalarText(Get(hp, "path"))),
               Ptr(Ptr(o.pod_spec_ptr, "volumes"), i) + "/hostPath");
    }
  });
}

Result<std::unique_ptr<CheckImpl>> SeccompProfile(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      Effective prof = EffectiveField(o, cv, cptr, "seccompProfile");
      std::string_view type = Str(Get(prof.value, "type"));
      if (type == "RuntimeDefault" || type == "Localhost") return;
      std::string ptr = prof.value ? prof.pointer + "/type" : Ptr(cptr, {"securityContext", "seccompProfile", "type"});
      sink.Add("container " + GoQuote(c.name) + " does not use a RuntimeDefault or Localhost seccomp profile", ptr,
               c.name);
    });
  });
}

Result<std::unique_ptr<CheckImpl>> RunAsUser(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      Effective user = EffectiveField(o, cv, cptr, "runAsUser");
      if (!user.value) {
        sink.Add("container " + GoQuote(c.name) + " does not set runAsUser",
                 Ptr(cptr, {"securityContext", "runAsUser"}), c.name);
      } else if (AsInt(user.value).value_or(0) == 0) {
        sink.Add("container " + GoQuote(c.name) + " has runAsUser set to " + ScalarText(user.value), user.pointer,
                 c.name);
      }
    });
  });
}

Result<std::unique_ptr<CheckImpl>> AllowPrivilegeEscalation(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      if (IsFalse(Get(Get(&cv, "securityContext"), "allowPrivilegeEscalation"))) return;
      sink.Add("container " + GoQuote(c.name) + " does not set allowPrivilegeEscalation to false",
               Ptr(cptr, {"securityContext", "allowPrivilegeEscalation"}), c.name);
    });
  });
}

}  // namespace

// ---------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------

const std::vector<TemplateInfo>& Templates() {
  static const std::vector<TemplateInfo> kTemplates = [] {
    const std::vector<std::string> dl = {"DeploymentLike"};
    std::vector<TemplateInfo> t = {
        {"access-to-resources", "Flag cluster role bindings and role bindings that grant access to the specified resource kinds and verbs",
         {"Role", "ClusterRole", "ClusterRoleBinding", "RoleBinding"}, {"resources", "verbs", "flagRolesNotFound"}, AccessToResources},
        {"anti-affinity", "Flag objects with multiple replicas but inter-pod anti affinity not specified in the pod template spec", dl,
         {"minReplicas", "topologyKey"}, AntiAffinity},
        {"cluster-admin-role-binding", "Flag bindings of cluster-admin role to service accounts, users, or groups",
         {"ClusterRoleBinding"}, {}, ClusterAdminRoleBinding},
        {"cpu-requirements", "Flag containers with CPU requirements in the given range", dl,
         {"lowerBoundMillis", "upperBoundMillis", "requirementsType"}, CpuRequirements},
        {"dangling-horizontalpodautoscaler", "Flag HorizontalPodAutoscalers that target a resource that does not exist",
         {"HorizontalPodAutoscaler"}, {}, DanglingHpa},
        {"dangling-ingress", "Flag ingress which do not match any service", {"Ingress"}, {}, DanglingIngress},
        {"dangling-networkpolicy", "Flag NetworkPolicies which do not match any application", {"NetworkPolicy"}, {},
         DanglingNetworkPolicy},
        {"dangling-networkpolicypeer-podselector",
         "Flag NetworkPolicyPeer in Ingress/Egress rules which their podselector do not match any application. Applied to peers consisting with podSelectors only.",
         {"NetworkPolicy"}, {}, DanglingNetworkPolicyPeer},
        {"dangling-service", "Flag services which do not match any application", {"Service"}, {"ignoredLabels"},
         DanglingService},
        {"dangling-servicemonitor", "Flag service monitors which do not match any service", {"ServiceMonitor"}, {},
         DanglingServiceMonitor},
        {"deprecated-service-account-field", "Flag uses of the deprecated serviceAccount field", dl, {},
         DeprecatedServiceAccount},
        {"disallowed-api-obj", "Flag disallowed API object kinds", {"Any"}, {"group", "version", "kind"}, DisallowedGvk},
        {"dnsconfig-options", "Flag objects that don't have specified DNSConfig Options", dl, {"key", "value"},
         DnsConfigOptions},
        {"duplicate-env-var", "Flag Duplicate Env Variables names", dl, {}, DuplicateEnvVar},
        {"env-value-from", "Flag resources which use env variables from secrets/configmaps not included in the release", dl,
         {"ignoredSecrets", "ignoredConfigMaps"}, EnvValueFrom},
        {"env-var", "Flag environment variables that match the provided patterns", dl, {"name", "value"}, EnvVar},
        {"forbidden-annotation", "Flag objects carrying at least one annotation matching the provided patterns", {"Any"},
         {"key", "value"}, ForbiddenAnnotation},
        {"forbidden-service-types", "Flag forbidden services", {"Service"}, {"forbiddenServiceTypes"}, ForbiddenServiceTypes},
        {"host-ipc", "Flag Pod sharing host's IPC namespace", dl, {}, HostNamespace<0>},
        {"host-mounts", "Flag volume mounts of sensitive system directories", dl, {"dirs"}, HostMounts},
        {"host-network", "Flag Pod sharing host's network namespace", dl, {}, HostNamespace<1>},
        {"host-pid", "Flag Pod sharing host's process namespace", dl, {}, HostNamespace<2>},
        {"hpa-minimum-replicas", "Flag applications running fewer than the specified number of replicas",
         {"HorizontalPodAutoscaler"}, {"minReplicas"}, HpaMinReplicas},
        {"image-pull-policy", "Flag containers with forbidden image pull policy", dl, {"forbiddenPolicies"}, ImagePullPolicy},
        {"job-ttl-seconds-after-finished",
         "Flag standalone Job objects not setting ttlSecondsAfterFinished. Flag CronJob objects setting ttlSecondsAfterFinished",
         {"JobLike"}, {}, JobTtl},
        {"kfix-allow-privilege-escalation", "Flag containers that do not set allowPrivilegeEscalation to false", dl, {},
         AllowPrivilegeEscalation},
        {"kfix-cap-sys-admin", "Flag containers that do not drop SYS_ADMIN (or ALL)", dl, {}, CapSysAdmin},
        {"kfix-host-ports", "Flag container ports with a hostPort", dl, {}, HostPorts},
        {"kfix-hostpath-volume", "Flag volumes of type hostPath", dl, {}, HostPathVolume},
        {"kfix-run-as-user", "Flag containers whose effective runAsUser is missing or 0", dl, {}, RunAsUser},
        {"kfix-seccomp-profile", "Flag containers without a RuntimeDefault or Localhost seccomp profile", dl, {},
         SeccompProfile},
        {"kubeconform", "Validate objects against the Kubernetes schema (kfix: basic structural validation)", {"Any"},
         {"strict", "ignoreMissingSchemas", "schemaLocations", "cache", "skipKinds", "rejectKinds", "kubernetesVersion"},
         Kubeconform},
        {"latest-tag", "Flag applications running container images that do not satisfies \"allowList\" & \"blockList\" parameters criteria.",
         dl, {"blockList", "allowList"}, LatestTag},
        {"liveness-port", "Flag containers with a liveness probe to not exposed port.", dl, {}, ProbePort<0>},
        {"liveness-probe", "Flag containers that don't specify a liveness probe", dl, {}, ProbeMissing<0>},
        {"memory-requirements", "Flag containers with memory requirements in the given range", dl,
         {"lowerBoundMB", "upperBoundMB", "requirementsType"}, MemoryRequirements},
        {"minimum-replicas", "Flag applications running fewer than recommended number of replicas", dl, {"minReplicas"},
         MinReplicas},
        {"mismatching-selector", "Flag deployments where the selector doesn't match the labels in the pod template spec", dl,
         {}, MismatchingSelector},
        {"no-node-affinity", "Flag objects that don't have node affinity rules set", dl, {}, NoNodeAffinity},
        {"non-existent-service-account", "Flag cases where a pod references a non-existent service account", dl, {},
         NonExistentServiceAccount},
        {"non-isolated-pod", "Flag Pod that is not selected by any networkPolicy", dl, {}, NonIsolatedPod},
        {"pdb-max-unavailable", "Flag PodDisruptionBudgets whose maxUnavailable value will always prevent pod disruptions.",
         {"PodDisruptionBudget"}, {}, PdbMaxUnavailable},
        {"pdb-min-available", "Flag non-optimal PDB configurations", {"PodDisruptionBudget"}, {}, PdbMinAvailable},
        {"pdb-unhealthy-pod-eviction-policy", "Flag PodDisruptionBudget objects that do not explicitly set unhealthyPodEvictionPolicy.",
         {"PodDisruptionBudget"}, {}, PdbUnhealthyEviction},
        {"ports", "Flag containers exposing ports under protocols that match the supplied parameters", dl,
         {"port", "protocol"}, PortsTemplate},
        {"priority-class-name", "Flag applications running with invalid priority class name.", dl,
         {"acceptedPriorityClassNames"}, PriorityClassName},
        {"privilege-escalation-container", "Flag containers of allowing privilege escalation", dl, {}, PrivilegeEscalation},
        {"privileged", "Flag privileged containers", dl, {}, Privileged},
        {"privileged-ports", "Flag privileged ports", dl, {}, PrivilegedPorts},
        {"read-only-root-fs", "Flag containers without read-only root file systems", dl, {}, ReadOnlyRootFs},
        {"read-secret-from-env-var", "Flag environment variables that use SecretKeyRef", dl, {}, ReadSecretFromEnv},
        {"readiness-port", "Flag containers with a readiness probe to not exposed port.", dl, {}, ProbePort<1>},
        {"readiness-probe", "Flag containers that don't specify a readiness probe", dl, {}, ProbeMissing<1>},
        {"required-annotation", "Flag objects not carrying at least one annotation matching the provided patterns", {"Any"},
         {"key", "value"}, RequiredMap<false>},
        {"required-label", "Flag objects not carrying at least one label matching the provided patterns", {"Any"},
         {"key", "value"}, RequiredMap<true>},
        {"restart-policy", "Flag applications running without the restart policy.", dl, {}, RestartPolicy},
        {"run-as-non-root", "Flag containers set to run as a root user or group", dl, {}, RunAsNonRoot},
        {"scc-deny-privileged-container", "Flag SCC with allowPrivilegedContainer set to true",
         {"SecurityContextConstraints"}, {"allowPrivilegedContainer"}, SccDenyPrivileged},
        {"service-account", "Flag containers which use a matching service account", dl, {"serviceAccount"}, ServiceAccount},
        {"sorted-keys", "Flag YAML keys that are not sorted in alphabetical order", {"Any"}, {"recursive"}, SortedKeys},
        {"startup-port", "Flag containers with a startup probe to not exposed port.", dl, {}, ProbePort<2>},
        {"target-port", "Flag containers and services using not allowed port names or numbers", {"DeploymentLike", "Service"},
         {}, TargetPort},
        {"unsafe-proc-mount", "Flag containers of unsafe proc mount", dl, {}, UnsafeProcMount},
        {"unsafe-sysctls", "Flag unsafe sysctls", dl, {"unsafeSysCtls"}, UnsafeSysctls},
        {"update-configuration", "Flag configurations that do not meet the specified update configuration", dl,
         {"strategyTypeRegex", "maxPodsUnavailable", "minPodsUnavailable", "maxSurge", "minSurge"}, UpdateConfiguration},
        {"use-namespace", "Flag resources with no namespace specified or using default namespace",
         {"DeploymentLike", "Service"}, {}, UseNamespace},
        {"verify-container-capabilities", "Flag containers that do not match capabilities requirements", dl,
         {"forbiddenCapabilities", "exceptions"}, ContainerCapabilities},
        {"wildcard-in-rules", "Flag Roles and ClusterRoles that use wildcard * in rules", {"Role", "ClusterRole"}, {},
         WildcardInRules},
        {"writable-host-mount", "Flag containers that have mounted a directory on the host as writable", dl, {},
         WritableHostMount},
    };
    std::sort(t.begin(), t.end(), [](const TemplateInfo& a, const TemplateInfo& b) { return std::string_view(a.key) < b.key; });
    return t;
  }();
  return kTemplates;
}

const TemplateInfo* FindTemplate(std::string_view key) {
  for (const TemplateInfo& t : Templates()) {
    if (key == t.key) return &t;
  }
  return nullptr;
}

}  // namespace kfix::internal
