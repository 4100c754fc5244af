// RBAC and service accounts.
// Check templates of this domain; the file registers its own entries (rules/template_helpers.hpp).
#include <unordered_map>

#include "rules/template_helpers.hpp"

namespace kfix::internal::templates {
namespace {

// access-to-resources ---------------------------------------------------------
// Roles by name and namespace ("default" when unset), ClusterRoles by name; each in context order.
struct RolesByName {
  std::unordered_map<std::string, std::vector<const ObjectInfo*>> roles;
  std::unordered_map<std::string, std::vector<const ObjectInfo*>> cluster_roles;
};
const char kRolesByNameTag[] = "roles-by-name";

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
    const RolesByName& by_name = ctx.Derived<RolesByName>(&kRolesByNameTag, [&] {
      RolesByName m;
      for (const ObjectInfo* r : ctx.roles) {
        m.roles[IndexKey({r->name, r->namespace_.empty() ? std::string_view("default") : r->namespace_})].push_back(r);
      }
      for (const ObjectInfo* r : ctx.cluster_roles) m.cluster_roles[std::string(r->name)].push_back(r);
      return m;
    });
    static const std::vector<const ObjectInfo*> kNone;
    auto find = [](const auto& map, const std::string& key) -> const std::vector<const ObjectInfo*>& {
      auto it = map.find(key);
      return it == map.end() ? kNone : it->second;
    };
    if (o.kind == "RoleBinding") {
      std::string ns = o.namespace_.empty() ? "default" : std::string(o.namespace_);
      bool exists = false;
      for (const ObjectInfo* r : find(by_name.roles, IndexKey({name, ns}))) {
        exists = true;
        std::string acc = check_access(Get(&r->root(), "rules"));
        if (!acc.empty()) sink.Add("binding to " + GoQuote(r->name) + " role that has " + acc, ptr);
      }
      if (!exists && flag) sink.Add("role " + GoQuote(name) + " in namespace " + GoQuote(ns) + " not found", ptr);
    } else if (o.kind == "ClusterRoleBinding") {
      bool exists = false;
      for (const ObjectInfo* r : find(by_name.cluster_roles, name)) {
        if (EqualFold(r->name, "cluster_admin")) continue;
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
  return Make(CheckReads{"/roleRef", "/subjects"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
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

// service-account ------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> ServiceAccount(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(pattern, p.String("serviceAccount"));
  KFIX_ASSIGN_OR_RETURN(re, Regex::Compile(pattern));
  return Make(CheckReads{"pod:/automountServiceAccountToken", "pod:/serviceAccountName", "pod:/serviceAccount"}, [re](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (!o.workload) return;
    if (IsFalse(Get(PodSpec(o), "automountServiceAccountToken"))) return;
    auto [sa, ptr] = ServiceAccountOf(o);
    if (re.Search(sa)) sink.Add("found matching serviceAccount (" + GoQuote(sa) + ")", ptr);
  });
}

Result<std::unique_ptr<CheckImpl>> DeprecatedServiceAccount(const Params&) {
  return Make(CheckReads{"pod:/serviceAccount"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    std::string dep = ScalarText(Get(PodSpec(o), "serviceAccount"));
    if (dep.empty()) return;
    sink.Add("serviceAccount is specified (" + dep + "), but this field is deprecated; use serviceAccountName instead",
             Ptr(o.pod_spec_ptr, "serviceAccount"));
  });
}

Result<std::unique_ptr<CheckImpl>> WildcardInRules(const Params&) {
  return Make(CheckReads{"/rules"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
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

}  // namespace

KFIX_REGISTER_TEMPLATES(rbac) {
  const std::vector<std::string> dl = {"DeploymentLike"};
  registry.Add({
      {"access-to-resources", "Flag cluster role bindings and role bindings that grant access to the specified resource kinds and verbs",
       {"Role", "ClusterRole", "ClusterRoleBinding", "RoleBinding"}, {"resources", "verbs", "flagRolesNotFound"}, AccessToResources, kNeedsLintContext},
      {"cluster-admin-role-binding", "Flag bindings of cluster-admin role to service accounts, users, or groups",
       {"ClusterRoleBinding"}, {}, ClusterAdminRoleBinding},
      {"deprecated-service-account-field", "Flag uses of the deprecated serviceAccount field", dl, {},
       DeprecatedServiceAccount},
      {"service-account", "Flag containers which use a matching service account", dl, {"serviceAccount"}, ServiceAccount},
      {"wildcard-in-rules", "Flag Roles and ClusterRoles that use wildcard * in rules", {"Role", "ClusterRole"}, {},
       WildcardInRules},
  });
}

}  // namespace kfix::internal::templates
