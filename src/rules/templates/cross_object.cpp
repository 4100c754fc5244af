// Cross-object references: objects that must match other objects in the lint context.
// Check templates of this domain; the file registers its own entries (rules/template_helpers.hpp).
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "rules/template_helpers.hpp"

namespace kfix::internal::templates {
namespace {

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

// dangling-horizontalpodautoscaler ------------------------------------------
// Workloads by name, kind and group/version (any namespace, as kube-linter).
using WorkloadRefs = std::unordered_set<std::string>;
const char kWorkloadRefsTag[] = "workload-refs";

Result<std::unique_ptr<CheckImpl>> DanglingHpa(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex& ctx, Sink& sink) {
    const Value* target = Get(Get(&o.root(), "spec"), "scaleTargetRef");
    std::string kind = ScalarText(Get(target, "kind"));
    std::string name = ScalarText(Get(target, "name"));
    std::string api = ScalarText(Get(target, "apiVersion"));
    const WorkloadRefs& refs = ctx.Derived<WorkloadRefs>(&kWorkloadRefsTag, [&] {
      WorkloadRefs r;
      for (const ObjectInfo* w : ctx.workloads) {
        r.insert(IndexKey({w->name, w->kind, std::string(w->group) + "/" + std::string(w->version)}));
      }
      return r;
    });
    if (refs.count(IndexKey({name, kind, api}))) return;
    sink.Add("no resources found matching HorizontalPodAutoscaler scaleTargetRef ({" + kind + " " + name + " " + api +
                 "})",
             "/spec/scaleTargetRef");
  });
}

// dangling-ingress ------------------------------------------------------------
// Services by namespace and name, in context order.
using ServicesByName = std::unordered_map<std::string, std::vector<const ObjectInfo*>>;
const char kServicesByNameTag[] = "services-by-name";

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
    const ServicesByName& by_name = ctx.Derived<ServicesByName>(&kServicesByNameTag, [&] {
      ServicesByName m;
      for (const ObjectInfo* svc : ctx.services) m[IndexKey({svc->namespace_, svc->name})].push_back(svc);
      return m;
    });
    static const std::vector<const ObjectInfo*> kNone;
    for (const Backend& b : backends) {
      std::string number = ScalarText(Get(b.port, "number"));
      std::string port_name = ScalarText(Get(b.port, "name"));
      bool found = false;
      auto named = by_name.find(IndexKey({o.namespace_, b.name}));
      for (const ObjectInfo* svc : named == by_name.end() ? kNone : named->second) {
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
// Workloads (objects with a pod template) by namespace, pod label key and label value text, in context
// order: a selector with an equality or set-based requirement is tried only against the workloads that
// carry one of that requirement's values.
using WorkloadsByLabel = std::unordered_map<std::string, std::vector<const ObjectInfo*>>;
const char kWorkloadsByLabelTag[] = "workloads-by-label";

bool AnyWorkloadMatches(const LintIndex& ctx, std::string_view ns, const Selector& sel) {
  const WorkloadsByLabel& by_label = ctx.Derived<WorkloadsByLabel>(&kWorkloadsByLabelTag, [&] {
    WorkloadsByLabel m;
    for (const ObjectInfo* w : ctx.workloads) {
      if (!IsObject(w->pod_labels)) continue;
      for (const Member& label : w->pod_labels->as_object()) {
        std::vector<const ObjectInfo*>& list = m[IndexKey({w->namespace_, label.key, ScalarText(&label.value)})];
        if (list.empty() || list.back() != w) list.push_back(w);
      }
    }
    return m;
  });
  // The requirement with the fewest candidates (Selector::Matches needs one of its values).
  std::vector<const std::vector<const ObjectInfo*>*> best;
  std::size_t best_size = 0;
  bool keyed = false;
  for (const Selector::Requirement& r : sel.requirements) {
    if (r.op != Selector::Requirement::kEquals && r.op != Selector::Requirement::kIn) continue;
    std::vector<const std::vector<const ObjectInfo*>*> lists;
    std::size_t size = 0;
    for (const std::string& v : r.values) {
      auto it = by_label.find(IndexKey({ns, r.key, v}));
      if (it == by_label.end()) continue;
      lists.push_back(&it->second);
      size += it->second.size();
    }
    if (!keyed || size < best_size) {
      best = std::move(lists);
      best_size = size;
      keyed = true;
    }
    if (best_size == 0) return false;
  }
  if (!keyed) {
    for (const ObjectInfo* w : ctx.In(ctx.workloads_by_ns, ns)) {
      if (sel.Matches(w->pod_labels)) return true;
    }
    return false;
  }
  for (const auto* list : best) {
    for (const ObjectInfo* w : *list) {
      if (sel.Matches(w->pod_labels)) return true;
    }
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
// Services by metadata label key and value text (any namespace), in context order.
using ServicesByLabel = std::unordered_map<std::string, std::vector<const ObjectInfo*>>;
const char kServicesByLabelTag[] = "services-by-label";

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
    // A service matches when its namespace is selected and, with labels set, its labels match; with labels
    // and no namespace selector, any namespace. With labels set, only the services carrying the first
    // matchLabels pair are candidates.
    auto selected = [&](const ObjectInfo* s) {
      bool ns_ok = any || std::find(match_names.begin(), match_names.end(), s->namespace_) != match_names.end();
      if (ns_ok) return !label_set || sel.Matches(s->labels);
      return label_set && !ns_set && sel.Matches(s->labels);
    };
    const std::vector<const ObjectInfo*>* candidates = &ctx.services;
    static const std::vector<const ObjectInfo*> kNone;
    if (label_set && !sel.requirements.empty()) {
      const ServicesByLabel& by_label = ctx.Derived<ServicesByLabel>(&kServicesByLabelTag, [&] {
        ServicesByLabel m;
        for (const ObjectInfo* svc : ctx.services) {
          if (!IsObject(svc->labels)) continue;
          for (const Member& label : svc->labels->as_object()) {
            std::vector<const ObjectInfo*>& list = m[IndexKey({label.key, ScalarText(&label.value)})];
            if (list.empty() || list.back() != svc) list.push_back(svc);
          }
        }
        return m;
      });
      const Selector::Requirement& r = sel.requirements.front();
      auto it = r.values.empty() ? by_label.end() : by_label.find(IndexKey({r.key, r.values.front()}));
      candidates = it == by_label.end() ? &kNone : &it->second;
    }
    for (const ObjectInfo* s : *candidates) {
      if (selected(s)) return;
    }
    sink.Add("no services found matching the service monitor's label selector (" + sel.ToString() +
                 ") and namespace selector (" + GoStringList(match_names) + ")",
             "/spec/selector");
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
// The network policies of one namespace as the check walks them (in context order, up to the first
// one whose podSelector is invalid, which ends the walk), their pod selectors parsed once and indexed
// by one equality or set-based requirement's key and values.
struct NamespacePolicies {
  std::vector<Selector> selectors;
  std::optional<std::string> invalid;  ///< the error of the first invalid podSelector
  std::unordered_map<std::string, std::vector<std::size_t>> by_label;  ///< IndexKey({key, value})
  std::vector<std::size_t> unkeyed;    ///< selectors without such a requirement (tried for every pod)
};
using PoliciesByNamespace = std::unordered_map<std::string_view, NamespacePolicies>;
const char kPoliciesByNamespaceTag[] = "policies-by-namespace";

Result<std::unique_ptr<CheckImpl>> NonIsolatedPod(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex& ctx, Sink& sink) {
    if (!o.has_pod_template) return;
    const PoliciesByNamespace& policies = ctx.Derived<PoliciesByNamespace>(&kPoliciesByNamespaceTag, [&] {
      PoliciesByNamespace m;
      for (const auto& [ns, nps] : ctx.network_policies_by_ns) {
        NamespacePolicies& p = m[ns];
        for (const ObjectInfo* np : nps) {
          Selector sel = Selector::FromLabelSelector(Get(Get(&np->root(), "spec"), "podSelector"));
          if (!sel.valid) {
            p.invalid = sel.error;
            break;
          }
          const std::size_t at = p.selectors.size();
          auto keyed = std::find_if(sel.requirements.begin(), sel.requirements.end(), [](const Selector::Requirement& r) {
            return r.op == Selector::Requirement::kEquals || r.op == Selector::Requirement::kIn;
          });
          if (keyed == sel.requirements.end()) {
            p.unkeyed.push_back(at);
          } else {
            for (const std::string& v : keyed->values) {
              std::vector<std::size_t>& list = p.by_label[IndexKey({keyed->key, v})];
              if (list.empty() || list.back() != at) list.push_back(at);
            }
          }
          p.selectors.push_back(std::move(sel));
        }
      }
      return m;
    });
    auto it = policies.find(o.namespace_);
    if (it != policies.end()) {
      const NamespacePolicies& p = it->second;
      for (std::size_t at : p.unkeyed) {
        if (p.selectors[at].Matches(o.pod_labels)) return;
      }
      if (IsObject(o.pod_labels)) {
        for (const Member& label : o.pod_labels->as_object()) {
          auto candidates = p.by_label.find(IndexKey({label.key, ScalarText(&label.value)}));
          if (candidates == p.by_label.end()) continue;
          for (std::size_t at : candidates->second) {
            if (p.selectors[at].Matches(o.pod_labels)) return;
          }
        }
      }
      if (p.invalid) {
        sink.Add("networkpolicy has invalid podSelector: " + *p.invalid, o.pod_meta_ptr + "/labels");
        return;
      }
    }
    sink.Add("pods created by this object are non-isolated", o.pod_meta_ptr + "/labels");
  });
}

}  // namespace

KFIX_REGISTER_TEMPLATES(cross_object) {
  const std::vector<std::string> dl = {"DeploymentLike"};
  registry.Add({
      {"dangling-horizontalpodautoscaler", "Flag HorizontalPodAutoscalers that target a resource that does not exist",
       {"HorizontalPodAutoscaler"}, {}, DanglingHpa, kNeedsLintContext},
      {"dangling-ingress", "Flag ingress which do not match any service", {"Ingress"}, {}, DanglingIngress, kNeedsLintContext},
      {"dangling-networkpolicy", "Flag NetworkPolicies which do not match any application", {"NetworkPolicy"}, {},
       DanglingNetworkPolicy, kNeedsLintContext},
      {"dangling-networkpolicypeer-podselector",
       "Flag NetworkPolicyPeer in Ingress/Egress rules which their podselector do not match any application. Applied to peers consisting with podSelectors only.",
       {"NetworkPolicy"}, {}, DanglingNetworkPolicyPeer, kNeedsLintContext},
      {"dangling-service", "Flag services which do not match any application", {"Service"}, {"ignoredLabels"},
       DanglingService, kNeedsLintContext},
      {"dangling-servicemonitor", "Flag service monitors which do not match any service", {"ServiceMonitor"}, {},
       DanglingServiceMonitor, kNeedsLintContext},
      {"env-value-from", "Flag resources which use env variables from secrets/configmaps not included in the release", dl,
       {"ignoredSecrets", "ignoredConfigMaps"}, EnvValueFrom, kNeedsLintContext},
      {"non-existent-service-account", "Flag cases where a pod references a non-existent service account", dl, {},
       NonExistentServiceAccount, kNeedsLintContext},
      {"non-isolated-pod", "Flag Pod that is not selected by any networkPolicy", dl, {}, NonIsolatedPod, kNeedsLintContext},
  });
}

}  // namespace kfix::internal::templates
