// Kubernetes ValidatingAdmissionPolicies evaluated offline (docs/policies.md):
// each policy is one check. Manifests are treated as CREATE requests (no old
// object); matchConstraints, binding matchResources, matchConditions,
// variables and validations are evaluated with the CEL interpreter
// (rules/cel/).
#include <algorithm>
#include <cctype>
#include <map>

#include "rules/cel/cel_internal.hpp"
#include "rules/internal.hpp"

namespace kfix::internal {
namespace {

using ProgramP = std::shared_ptr<const CelProgram>;

const std::vector<std::string>& PolicyVariables() {
  static const std::vector<std::string> kVars = {"object", "oldObject", "params", "namespaceObject", "request",
                                                 "variables"};
  return kVars;
}

bool IsAdmissionGroup(std::string_view api_version) {
  return api_version.rfind("admissionregistration.k8s.io/", 0) == 0;
}

// A resource rule of matchConstraints / matchResources.
struct ResourceRule {
  std::vector<std::string> groups, versions, resources, operations, names;
  std::string scope = "*";
};

struct Match {
  std::vector<ResourceRule> rules;
  std::vector<ResourceRule> exclude;
  bool has_rules = false;
  Selector namespace_selector;
  Selector object_selector;
};

struct NamedProgram {
  std::string name;
  std::string text;
  ProgramP program;
};

struct Validation {
  ProgramP expression;
  std::string message;
  ProgramP message_expression;
  std::string pointer;  // the first object field the expression reads
};

struct Binding {
  std::string name;  // "" for a policy evaluated without a binding
  Match match;
  bool has_match = false;
  bool has_param_ref = false;
  std::string param_name, param_namespace;
  Selector param_selector;
  bool param_by_selector = false;
  bool deny_missing_params = true;
  Severity severity = Severity::kError;
};

struct Policy {
  std::string name;
  std::string source;  // file the policy came from
  Match match;
  bool fail_open = false;  // failurePolicy: Ignore
  std::string param_api_version, param_kind;
  std::vector<NamedProgram> conditions;
  std::vector<NamedProgram> variables;
  std::vector<Validation> validations;
  std::vector<Binding> bindings;
};

// Every object of the policy files that is neither a policy nor a binding.
using ParamStore = std::vector<std::shared_ptr<const Value>>;

Status At(const std::string& file, const Value* v, std::string message) {
  SourceLocation l;
  l.file = file;
  if (v) {
    l.line = v->line();
    l.column = v->column();
  }
  return ParseError(std::move(message), l);
}

Result<std::vector<std::string>> Strings(const std::string& file, const Value* v, const std::string& what) {
  std::vector<std::string> out;
  if (!v || v->is_null()) return out;
  if (!v->is_array()) return At(file, v, what + " must be a list of strings");
  for (const Value& e : v->as_array()) {
    if (!e.is_string()) return At(file, &e, what + " must be a list of strings");
    out.push_back(e.as_string());
  }
  return out;
}

Result<Selector> ParseSelector(const std::string& file, const Value* v, const std::string& what) {
  if (!v || v->is_null()) return Selector{};
  if (!v->is_object()) return At(file, v, what + " must be a label selector mapping");
  Selector s = Selector::FromLabelSelector(v);
  if (!s.valid) return At(file, v, what + ": " + s.error);
  return s;
}

Result<std::vector<ResourceRule>> ParseRules(const std::string& file, const Value* v, const std::string& what) {
  std::vector<ResourceRule> out;
  if (!v || v->is_null()) return out;
  if (!v->is_array()) return At(file, v, what + " must be a list");
  for (std::size_t i = 0; i < v->as_array().size(); ++i) {
    const Value& r = v->as_array()[i];
    const std::string at = what + "[" + std::to_string(i) + "]";
    if (!r.is_object()) return At(file, &r, at + " must be a mapping");
    ResourceRule rule;
    for (auto [field, dest] : {std::pair<const char*, std::vector<std::string>*>{"apiGroups", &rule.groups},
                               {"apiVersions", &rule.versions},
                               {"resources", &rule.resources},
                               {"operations", &rule.operations},
                               {"resourceNames", &rule.names}}) {
      auto list = Strings(file, r.Find(field), at + "." + field);
      if (!list.ok()) return list.status();
      *dest = std::move(*list);
    }
    if (const Value* scope = r.Find("scope")) {
      if (!scope->is_string() || (scope->as_string() != "*" && scope->as_string() != "Cluster" &&
                                  scope->as_string() != "Namespaced")) {
        return At(file, scope, at + ".scope must be \"*\", \"Cluster\" or \"Namespaced\"");
      }
      rule.scope = scope->as_string();
    }
    out.push_back(std::move(rule));
  }
  return out;
}

Result<Match> ParseMatch(const std::string& file, const Value* v, const std::string& what) {
  Match m;
  if (!v || v->is_null()) return m;
  if (!v->is_object()) return At(file, v, what + " must be a mapping");
  auto rules = ParseRules(file, v->Find("resourceRules"), what + ".resourceRules");
  if (!rules.ok()) return rules.status();
  m.rules = std::move(*rules);
  m.has_rules = v->Find("resourceRules") != nullptr;
  auto exclude = ParseRules(file, v->Find("excludeResourceRules"), what + ".excludeResourceRules");
  if (!exclude.ok()) return exclude.status();
  m.exclude = std::move(*exclude);
  auto ns = ParseSelector(file, v->Find("namespaceSelector"), what + ".namespaceSelector");
  if (!ns.ok()) return ns.status();
  m.namespace_selector = std::move(*ns);
  auto obj = ParseSelector(file, v->Find("objectSelector"), what + ".objectSelector");
  if (!obj.ok()) return obj.status();
  m.object_selector = std::move(*obj);
  return m;
}

Result<ProgramP> CompileAt(const std::string& file, const Value* v, const std::string& what, const std::string& policy,
                           std::vector<std::string> extra_variables = {}) {
  if (!v || !v->is_string() || v->as_string().find_first_not_of(" \t\r\n") == std::string::npos) {
    return At(file, v, "ValidatingAdmissionPolicy \"" + policy + "\": " + what + " must be a non-empty CEL expression");
  }
  CelCompileOptions options;
  options.variables = PolicyVariables();
  for (std::string& e : extra_variables) options.variables.push_back(std::move(e));
  auto p = CelProgram::Compile(v->as_string(), options);
  if (!p.ok()) {
    return At(file, v, "ValidatingAdmissionPolicy \"" + policy + "\": " + what + ": CEL " + p.status().message());
  }
  return *p;
}

std::string PointerOf(const CelProgram& p) {
  std::string pointer;
  for (const std::string& t : p.FirstPathOf("object")) pointer = Ptr(pointer, t);
  return pointer;
}

Result<Policy> ParsePolicy(const std::string& file, const Value& obj) {
  Policy p;
  p.source = file;
  p.name = std::string(Str(Get(Get(&obj, "metadata"), "name")));
  if (p.name.empty()) return At(file, &obj, "ValidatingAdmissionPolicy without metadata.name");
  const Value* spec = obj.Find("spec");
  if (!IsObject(spec)) return At(file, spec ? spec : &obj, "ValidatingAdmissionPolicy \"" + p.name + "\": spec must be a mapping");
  const std::string pre = "ValidatingAdmissionPolicy \"" + p.name + "\": ";
  auto match = ParseMatch(file, spec->Find("matchConstraints"), pre + "spec.matchConstraints");
  if (!match.ok()) return match.status();
  p.match = std::move(*match);
  if (const Value* fp = spec->Find("failurePolicy")) {
    if (Str(fp) != "Fail" && Str(fp) != "Ignore") return At(file, fp, pre + "spec.failurePolicy must be Fail or Ignore");
    p.fail_open = Str(fp) == "Ignore";
  }
  if (const Value* pk = spec->Find("paramKind"); IsObject(pk)) {
    p.param_api_version = std::string(Str(pk->Find("apiVersion")));
    p.param_kind = std::string(Str(pk->Find("kind")));
  }
  auto named = [&](const char* field, std::vector<NamedProgram>* out, bool with_variables) -> Status {
    const Value* list = spec->Find(field);
    if (!list || list->is_null()) return Status::Ok();
    if (!list->is_array()) return At(file, list, pre + "spec." + field + " must be a list");
    std::vector<std::string> names;
    for (std::size_t i = 0; i < list->as_array().size(); ++i) {
      const Value& e = list->as_array()[i];
      const std::string at = std::string("spec.") + field + "[" + std::to_string(i) + "]";
      if (!e.is_object()) return At(file, &e, pre + at + " must be a mapping");
      NamedProgram np;
      np.name = std::string(Str(e.Find("name")));
      if (np.name.empty()) return At(file, &e, pre + at + ".name is required");
      auto prog = CompileAt(file, e.Find("expression"), at + ".expression", p.name);
      if (!prog.ok()) return prog.status();
      np.text = e.Find("expression")->as_string();
      np.program = std::move(*prog);
      if (with_variables) names.push_back(np.name);
      out->push_back(std::move(np));
    }
    return Status::Ok();
  };
  KFIX_RETURN_IF_ERROR(named("matchConditions", &p.conditions, false));
  KFIX_RETURN_IF_ERROR(named("variables", &p.variables, true));
  const Value* validations = spec->Find("validations");
  if (validations && !validations->is_null() && !validations->is_array()) {
    return At(file, validations, pre + "spec.validations must be a list");
  }
  if (validations && validations->is_array()) {
    for (std::size_t i = 0; i < validations->as_array().size(); ++i) {
      const Value& v = validations->as_array()[i];
      const std::string at = "spec.validations[" + std::to_string(i) + "]";
      if (!v.is_object()) return At(file, &v, pre + at + " must be a mapping");
      Validation val;
      auto expr = CompileAt(file, v.Find("expression"), at + ".expression", p.name);
      if (!expr.ok()) return expr.status();
      val.expression = std::move(*expr);
      val.pointer = PointerOf(*val.expression);
      val.message = std::string(Str(v.Find("message")));
      if (const Value* me = v.Find("messageExpression")) {
        auto m = CompileAt(file, me, at + ".messageExpression", p.name);
        if (!m.ok()) return m.status();
        val.message_expression = std::move(*m);
      }
      p.validations.push_back(std::move(val));
    }
  }
  return p;
}

Result<Binding> ParseBinding(const std::string& file, const Value& obj, std::string* policy_name) {
  Binding b;
  b.name = std::string(Str(Get(Get(&obj, "metadata"), "name")));
  const std::string pre = "ValidatingAdmissionPolicyBinding \"" + b.name + "\": ";
  const Value* spec = obj.Find("spec");
  if (!IsObject(spec)) return At(file, spec ? spec : &obj, pre + "spec must be a mapping");
  *policy_name = std::string(Str(spec->Find("policyName")));
  if (policy_name->empty()) return At(file, spec, pre + "spec.policyName is required");
  if (const Value* mr = spec->Find("matchResources"); mr && !mr->is_null()) {
    auto m = ParseMatch(file, mr, pre + "spec.matchResources");
    if (!m.ok()) return m.status();
    b.match = std::move(*m);
    b.has_match = true;
  }
  if (const Value* pr = spec->Find("paramRef"); IsObject(pr)) {
    b.has_param_ref = true;
    b.param_name = std::string(Str(pr->Find("name")));
    b.param_namespace = std::string(Str(pr->Find("namespace")));
    if (const Value* sel = pr->Find("selector"); sel && !sel->is_null()) {
      auto s = ParseSelector(file, sel, pre + "spec.paramRef.selector");
      if (!s.ok()) return s.status();
      b.param_selector = std::move(*s);
      b.param_by_selector = true;
    }
    b.deny_missing_params = Str(pr->Find("parameterNotFoundAction")) != "Allow";
  }
  auto actions = Strings(file, spec->Find("validationActions"), pre + "spec.validationActions");
  if (!actions.ok()) return actions.status();
  if (!actions->empty()) {
    b.severity = Severity::kInfo;
    for (const std::string& a : *actions) {
      if (a == "Deny") {
        b.severity = Severity::kError;
      } else if (a == "Warn") {
        if (b.severity == Severity::kInfo) b.severity = Severity::kWarning;
      } else if (a != "Audit") {
        return At(file, spec->Find("validationActions"), pre + "unknown validation action \"" + a +
                                                             "\" (want Deny, Warn or Audit)");
      }
    }
  }
  return b;
}

// kind -> resource as Kubernetes' UnsafeGuessKindToResource.
std::string ResourceOf(std::string_view kind) {
  std::string r;
  for (char c : kind) r.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (r.empty()) return r;
  if (r.size() >= 9 && r.compare(r.size() - 9, 9, "endpoints") == 0) return r;
  if (r.back() == 's') return r + "es";
  if (r.back() == 'y') return r.substr(0, r.size() - 1) + "ies";
  return r + "s";
}

bool IsClusterScoped(std::string_view kind) {
  static constexpr const char* kKinds[] = {
      "APIService", "CSIDriver", "CSINode", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding",
      "ComponentStatus", "CustomResourceDefinition", "FlowSchema", "IngressClass", "MutatingAdmissionPolicy",
      "MutatingAdmissionPolicyBinding", "MutatingWebhookConfiguration", "Namespace", "Node", "PersistentVolume",
      "PodSecurityPolicy", "PriorityClass", "PriorityLevelConfiguration", "RuntimeClass", "StorageClass",
      "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration",
      "VolumeAttachment"};
  return std::any_of(std::begin(kKinds), std::end(kKinds), [&](const char* k) { return kind == k; });
}

bool ListMatches(const std::vector<std::string>& list, std::string_view value) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& e) { return e == "*" || e == value; });
}

bool RuleMatches(const ResourceRule& r, const ObjectInfo& o) {
  if (!ListMatches(r.groups, o.group) || !ListMatches(r.versions, o.version)) return false;
  if (!r.operations.empty() && !ListMatches(r.operations, "CREATE")) return false;
  if (r.operations.empty()) return false;  // no operation: matches no request
  const std::string resource = ResourceOf(o.kind);
  const bool resource_ok = std::any_of(r.resources.begin(), r.resources.end(), [&](const std::string& e) {
    return e == "*" || e == "*/*" || e == resource;
  });
  if (!resource_ok) return false;
  const bool cluster = IsClusterScoped(o.kind);
  if (r.scope == "Cluster" && !cluster) return false;
  if (r.scope == "Namespaced" && cluster) return false;
  if (!r.names.empty() && std::find(r.names.begin(), r.names.end(), o.name) == r.names.end()) return false;
  return true;
}

// The namespace an object would be created in ("default" when the manifest
// names none), and that namespace's labels: from a Namespace object of the
// lint context, else Kubernetes' automatic kubernetes.io/metadata.name.
std::string NamespaceOf(const ObjectInfo& o) {
  if (IsClusterScoped(o.kind)) return {};
  return o.namespace_.empty() ? std::string("default") : std::string(o.namespace_);
}

// A Namespace object named `ns`: from the lint context, else from the policy
// files (which may describe the cluster's namespaces).
// The context's Namespace objects by name (the first of each name).
using NamespacesByName = std::unordered_map<std::string_view, const ObjectInfo*>;
const char kNamespacesByNameTag[] = "namespaces-by-name";

const Value* NamespaceObject(const LintIndex& ctx, const ParamStore& store, std::string_view ns) {
  const NamespacesByName& namespaces = ctx.Derived<NamespacesByName>(&kNamespacesByNameTag, [&] {
    NamespacesByName m;
    for (const ObjectInfo* other : ctx.objects) {
      if (other->kind == "Namespace") m.emplace(other->name, other);
    }
    return m;
  });
  if (auto it = namespaces.find(ns); it != namespaces.end()) return &it->second->root();
  for (const auto& v : store) {
    if (Str(v->Find("kind")) == "Namespace" && Str(Get(v->Find("metadata"), "name")) == ns) return v.get();
  }
  return nullptr;
}

struct Subject {
  const ObjectInfo* obj;
  std::string ns;
  const Value* ns_object;   // from the context, or nullptr
  Value synthetic_ns;       // built when there is none
  const Value* ns_labels() const {
    const Value* root = ns_object ? ns_object : &synthetic_ns;
    return Get(Get(root, "metadata"), "labels");
  }
};

bool MatchApplies(const Match& m, const Subject& s, bool require_rules) {
  const ObjectInfo& o = *s.obj;
  if (require_rules || m.has_rules) {
    if (!std::any_of(m.rules.begin(), m.rules.end(), [&](const ResourceRule& r) { return RuleMatches(r, o); })) {
      return false;
    }
  }
  if (std::any_of(m.exclude.begin(), m.exclude.end(), [&](const ResourceRule& r) { return RuleMatches(r, o); })) {
    return false;
  }
  if (!m.namespace_selector.Empty()) {
    if (o.kind == "Namespace") {
      if (!m.namespace_selector.Matches(o.labels)) return false;
    } else if (!s.ns.empty() && !m.namespace_selector.Matches(s.ns_labels())) {
      return false;
    }
  }
  if (!m.object_selector.Empty() && !m.object_selector.Matches(o.labels)) return false;
  return true;
}

class PolicyCheck final : public CheckImpl {
 public:
  PolicyCheck(Policy policy, std::shared_ptr<const ParamStore> params)
      : p_(std::move(policy)), params_(std::move(params)) {}

  void Run(const ObjectInfo& o, const LintIndex& ctx, Sink& sink) const override {
    Subject s{&o, NamespaceOf(o), nullptr, Value()};
    if (!s.ns.empty()) {
      s.ns_object = NamespaceObject(ctx, *params_, s.ns);
      if (!s.ns_object) {
        s.synthetic_ns = Value::MakeObject();
        Value meta = Value::MakeObject();
        meta.Set("name", Value(s.ns));
        Value labels = Value::MakeObject();
        labels.Set("kubernetes.io/metadata.name", Value(s.ns));
        meta.Set("labels", std::move(labels));
        s.synthetic_ns.Set("apiVersion", Value("v1"));
        s.synthetic_ns.Set("kind", Value("Namespace"));
        s.synthetic_ns.Set("metadata", std::move(meta));
      }
    }
    if (!MatchApplies(p_.match, s, /*require_rules=*/true)) return;
    static const Binding kUnbound;
    const std::vector<Binding>& bindings = p_.bindings;
    const std::size_t n = bindings.empty() ? 1 : bindings.size();
    for (std::size_t i = 0; i < n; ++i) {
      const Binding& b = bindings.empty() ? kUnbound : bindings[i];
      if (b.has_match && !MatchApplies(b.match, s, false)) continue;
      // Kubernetes' texts: a denial, or the warning of a Warn/Audit-only binding.
      const std::string with = b.name.empty() ? std::string() : " with binding '" + b.name + "'";
      const std::string prefix = b.severity == Severity::kError
                                     ? "ValidatingAdmissionPolicy '" + p_.name + "'" + with + " denied request: "
                                     : "Validation failed for ValidatingAdmissionPolicy '" + p_.name + "'" + with + ": ";
      std::vector<const Value*> params;
      bool want_params = !p_.param_kind.empty() && b.has_param_ref;
      if (want_params) {
        for (const auto& candidate : *params_) {
          const Value& c = *candidate;
          if (Str(c.Find("kind")) != p_.param_kind) continue;
          if (!p_.param_api_version.empty() && Str(c.Find("apiVersion")) != p_.param_api_version) continue;
          const Value* meta = c.Find("metadata");
          const std::string_view cns = Str(Get(meta, "namespace"));
          if (!b.param_namespace.empty() ? cns != b.param_namespace : (!cns.empty() && cns != s.ns)) continue;
          if (b.param_by_selector) {
            if (!b.param_selector.Matches(Get(meta, "labels"))) continue;
          } else if (Str(Get(meta, "name")) != b.param_name) {
            continue;
          }
          params.push_back(&c);
        }
        if (params.empty()) {
          if (b.deny_missing_params) {
            sink.Add(prefix + "failed to configure binding: no params found for policy binding with `Deny` "
                              "parameterNotFoundAction",
                     "");
          }
          continue;
        }
      } else {
        params.push_back(nullptr);
      }
      for (const Value* param : params) Evaluate(o, s, param, prefix, sink);
    }
  }

 private:
  void Evaluate(const ObjectInfo& o, const Subject& s, const Value* param, const std::string& prefix,
                Sink& sink) const {
    std::vector<std::pair<std::string, CelVal>> vars;
    vars.emplace_back("object", CelVal::FromValue(o.root()));
    vars.emplace_back("oldObject", CelVal::Null());
    vars.emplace_back("params", param ? CelVal::FromValue(*param) : CelVal::Null());
    vars.emplace_back("namespaceObject", s.ns.empty() ? CelVal::Null()
                                                      : CelVal::FromValue(s.ns_object ? *s.ns_object : s.synthetic_ns));
    vars.emplace_back("request", Request(o, s));
    vars.emplace_back("variables", CelVal::Map({}));
    auto fail = [&](const std::string& what, const CelProgram& prog, const CelVal& err, const std::string& pointer) {
      if (p_.fail_open) return;
      sink.Add(prefix + what + " resulted in error: " + prog.ErrorText(err), pointer);
    };
    // Variables, in order; each sees the ones before it.
    std::vector<std::pair<CelVal, CelVal>> computed;
    for (const NamedProgram& v : p_.variables) {
      CelVal value = v.program->Evaluate(vars);
      computed.emplace_back(CelVal::String(v.name), value);
      vars.back().second = CelVal::Map(computed);
    }
    for (const NamedProgram& c : p_.conditions) {
      CelVal r = c.program->Evaluate(vars);
      if (r.is_error()) {
        fail("match condition '" + c.name + "'", *c.program, r, "");
        return;
      }
      if (!r.is_bool()) {
        fail("match condition '" + c.name + "'", *c.program,
             CelVal::Error(std::string("expected bool, got ") + r.type_name()), "");
        return;
      }
      if (!r.as_bool()) return;
    }
    for (const Validation& v : p_.validations) {
      CelVal r = v.expression->Evaluate(vars);
      if (r.is_error() || !r.is_bool()) {
        fail("expression '" + v.expression->text() + "'", *v.expression,
             r.is_error() ? r : CelVal::Error(std::string("expected bool, got ") + r.type_name()), v.pointer);
        continue;
      }
      if (r.as_bool()) continue;
      std::string message;
      if (v.message_expression) {
        CelVal m = v.message_expression->Evaluate(vars);
        if (m.kind() == CelVal::Kind::kString) message = m.text();
      }
      if (message.find_first_not_of(" \t\r\n") == std::string::npos) message = v.message;
      if (message.empty()) message = "failed expression: " + v.expression->text();
      sink.Add(prefix + message, v.pointer);
    }
  }

  static CelVal Request(const ObjectInfo& o, const Subject& s) {
    std::vector<std::pair<CelVal, CelVal>> kind = {{CelVal::String("group"), CelVal::String(std::string(o.group))},
                                                   {CelVal::String("version"), CelVal::String(std::string(o.version))},
                                                   {CelVal::String("kind"), CelVal::String(std::string(o.kind))}};
    std::vector<std::pair<CelVal, CelVal>> resource = {
        {CelVal::String("group"), CelVal::String(std::string(o.group))},
        {CelVal::String("version"), CelVal::String(std::string(o.version))},
        {CelVal::String("resource"), CelVal::String(ResourceOf(o.kind))}};
    std::vector<std::pair<CelVal, CelVal>> req = {
        {CelVal::String("kind"), CelVal::Map(kind)},
        {CelVal::String("resource"), CelVal::Map(resource)},
        {CelVal::String("requestKind"), CelVal::Map(kind)},
        {CelVal::String("requestResource"), CelVal::Map(resource)},
        {CelVal::String("subResource"), CelVal::String("")},
        {CelVal::String("name"), CelVal::String(std::string(o.name))},
        {CelVal::String("namespace"), CelVal::String(s.ns)},
        {CelVal::String("operation"), CelVal::String("CREATE")},
        {CelVal::String("userInfo"), CelVal::Map({})},
        {CelVal::String("dryRun"), CelVal::Bool(true)},
        {CelVal::String("options"), CelVal::Map({})}};
    return CelVal::Map(std::move(req));
  }

  Policy p_;
  std::shared_ptr<const ParamStore> params_;
};

bool ValidPolicyName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

Result<std::vector<PolicyEntry>> CompilePolicies(const std::vector<std::string>& files, const Value* inline_docs,
                                                 const std::string& config_source) {
  struct Doc {
    std::string file;
    std::shared_ptr<const Value> root;
  };
  std::vector<Doc> docs;
  for (const std::string& f : files) {
    auto text = ReadFileToString(f);
    if (!text.ok()) {
      Status s = text.status();
      return Status(s.code(), "policy file " + f + ": " + s.message(), s.location());
    }
    LoadResult loaded = LoadManifests(*text, f);
    if (!loaded.errors.empty()) return loaded.errors.front();
    for (Manifest& m : loaded.manifests) docs.push_back({f, std::make_shared<const Value>(std::move(m.root))});
  }
  if (inline_docs && inline_docs->is_array()) {
    for (const Value& v : inline_docs->as_array()) {
      if (v.is_object()) docs.push_back({config_source, std::make_shared<const Value>(v)});
    }
  }
  auto params = std::make_shared<ParamStore>();
  std::vector<Policy> policies;
  std::vector<std::pair<std::string, Binding>> bindings;  // policy name -> binding
  std::vector<std::string> binding_files;
  for (const Doc& d : docs) {
    const Value& root = *d.root;
    const std::string_view kind = Str(root.Find("kind"));
    const bool admission = IsAdmissionGroup(Str(root.Find("apiVersion")));
    if (admission && kind == "ValidatingAdmissionPolicy") {
      auto p = ParsePolicy(d.file, root);
      if (!p.ok()) return p.status();
      if (!ValidPolicyName(p->name)) {
        return At(d.file, &root, "ValidatingAdmissionPolicy name \"" + p->name + "\" is not a valid check name");
      }
      for (const Policy& other : policies) {
        if (other.name == p->name) return At(d.file, &root, "ValidatingAdmissionPolicy \"" + p->name + "\" is defined twice");
      }
      policies.push_back(std::move(*p));
    } else if (admission && kind == "ValidatingAdmissionPolicyBinding") {
      std::string policy;
      auto b = ParseBinding(d.file, root, &policy);
      if (!b.ok()) return b.status();
      bindings.emplace_back(std::move(policy), std::move(*b));
      binding_files.push_back(d.file);
    } else {
      params->push_back(d.root);
    }
  }
  for (std::size_t i = 0; i < bindings.size(); ++i) {
    auto it = std::find_if(policies.begin(), policies.end(), [&](const Policy& p) { return p.name == bindings[i].first; });
    if (it == policies.end()) {
      return InvalidArgumentError("ValidatingAdmissionPolicyBinding \"" + bindings[i].second.name + "\" (" +
                                  binding_files[i] + ") names policy \"" + bindings[i].first +
                                  "\", which is not in the policy files");
    }
    it->bindings.push_back(std::move(bindings[i].second));
  }
  std::vector<PolicyEntry> out;
  for (Policy& p : policies) {
    PolicyEntry e;
    e.info.name = p.name;
    e.info.template_name = "validating-admission-policy";
    e.info.description = "ValidatingAdmissionPolicy " + p.name + " (" + p.source + ")";
    e.info.remediation = "Change the object so that the policy's validations hold.";
    e.info.object_kinds = {"Any"};
    e.info.custom = true;
    e.info.enabled_by_default = true;
    e.info.needs_lint_context = true;  // namespaceObject comes from the context's Namespace objects
    e.info.severity = Severity::kError;
    if (!p.bindings.empty()) {
      e.info.severity = Severity::kInfo;
      for (const Binding& b : p.bindings) e.info.severity = std::min(e.info.severity, b.severity);
    }
    e.info.notes = "ValidatingAdmissionPolicy from " + p.source + " (" + std::to_string(p.bindings.size()) +
                   " binding" + (p.bindings.size() == 1 ? "" : "s") + ")";
    e.impl = std::make_unique<PolicyCheck>(std::move(p), params);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace kfix::internal
