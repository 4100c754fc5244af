// Object metadata and shape: labels, annotations, namespace, API kinds, key order, schema.
// Check templates of this domain; the file registers its own entries (rules/template_helpers.hpp).
#include <algorithm>

#include "rules/template_helpers.hpp"

namespace kfix::internal::templates {
namespace {

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

// required-annotation / required-label / forbidden-annotation ---------------

/// kube-linter's string matcher (pkg/matcher): "" matches anything; a leading
/// "!" negates the regular expression that follows. A final line break (a
/// `|` block scalar's) is not part of the pattern.
class StringMatcher {
 public:
  static Result<StringMatcher> Compile(std::string pattern) {
    while (!pattern.empty() && (pattern.back() == '\n' || pattern.back() == '\r')) pattern.pop_back();
    StringMatcher m;
    if (pattern.empty()) return m;
    if (pattern[0] == '!') {
      m.negate_ = true;
      pattern.erase(0, 1);
    }
    KFIX_ASSIGN_OR_RETURN(re, Regex::Compile(pattern));
    m.re_ = std::move(re);
    m.any_ = false;
    return m;
  }
  bool Matches(std::string_view s) const { return any_ || (re_.Search(s) != negate_); }

 private:
  bool any_ = true;
  bool negate_ = false;
  Regex re_;
};

template <bool kLabel>
Result<std::unique_ptr<CheckImpl>> RequiredMap(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(key, p.String("key"));
  KFIX_ASSIGN_OR_RETURN(value, p.String("value"));
  KFIX_ASSIGN_OR_RETURN(kre, StringMatcher::Compile(key));
  KFIX_ASSIGN_OR_RETURN(vre, StringMatcher::Compile(value));
  std::string msg = std::string("no ") + (kLabel ? "label" : "annotation") + " matching \"" + key + "=" +
                    (value.empty() ? std::string("<any>") : value) + "\" found";
  return Make([=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const Value* map = kLabel ? o.labels : o.annotations;
    if (IsObject(map)) {
      for (const Member& m : map->as_object()) {
        if (kre.Matches(m.key) && vre.Matches(ScalarText(&m.value))) return;
      }
    }
    sink.Add(msg, kLabel ? "/metadata/labels" : "/metadata/annotations");
  });
}

Result<std::unique_ptr<CheckImpl>> ForbiddenAnnotation(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(key, p.String("key"));
  KFIX_ASSIGN_OR_RETURN(value, p.String("value"));
  KFIX_ASSIGN_OR_RETURN(kre, StringMatcher::Compile(key));
  KFIX_ASSIGN_OR_RETURN(vre, StringMatcher::Compile(value));
  return Make([=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (!IsObject(o.annotations)) return;
    for (const Member& m : o.annotations->as_object()) {
      std::string v = ScalarText(&m.value);
      if (kre.Matches(m.key) && vre.Matches(v)) {
        sink.Add("annotation matching \"" + key + "=" + (value.empty() ? std::string("<any>") : value) + "\" found",
                 Ptr("/metadata/annotations", m.key));
      }
    }
  });
}

// statefulset-volumeclaimtemplate-annotation ------------------------------------
Result<std::unique_ptr<CheckImpl>> VolumeClaimTemplateAnnotation(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(annotation, p.String("annotation"));
  if (annotation.empty()) {
    return InvalidArgumentError("statefulset-volumeclaimtemplate-annotation: required param annotation not found");
  }
  return Make([annotation](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (o.kind != "StatefulSet") return;
    const auto* vcts = Arr(Get(Get(&o.root(), "spec"), "volumeClaimTemplates"));
    if (!vcts) return;
    for (std::size_t i = 0; i < vcts->size(); ++i) {
      // An empty value counts as missing (kube-linter reads the annotation map).
      const Value* v = Get(Get(Get(&(*vcts)[i], "metadata"), "annotations"), annotation);
      if (!ScalarText(v).empty()) continue;
      sink.Add("StatefulSet's VolumeClaimTemplate is missing required annotation: " + annotation,
               "/spec/volumeClaimTemplates/" + std::to_string(i) + "/metadata/annotations");
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

// use-namespace / wildcard-in-rules / writable-host-mount ---------------------
Result<std::unique_ptr<CheckImpl>> UseNamespace(const Params&) {
  return Make([](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (!o.namespace_.empty() && o.namespace_ != "default") return;
    sink.Add("object in default namespace", "/metadata/namespace");
  });
}

}  // namespace

KFIX_REGISTER_TEMPLATES(metadata) {
  registry.Add({
      {"disallowed-api-obj", "Flag disallowed API object kinds", {"Any"}, {"group", "version", "kind"}, DisallowedGvk},
      {"forbidden-annotation", "Flag objects carrying at least one annotation matching the provided patterns", {"Any"},
       {"key", "value"}, ForbiddenAnnotation},
      {"kubeconform", "Validate objects against the Kubernetes schema (kfix: basic structural validation)", {"Any"},
       {"strict", "ignoreMissingSchemas", "schemaLocations", "cache", "skipKinds", "rejectKinds", "kubernetesVersion"},
       Kubeconform},
      {"required-annotation", "Flag objects not carrying at least one annotation matching the provided patterns", {"Any"},
       {"key", "value"}, RequiredMap<false>},
      {"required-label", "Flag objects not carrying at least one label matching the provided patterns", {"Any"},
       {"key", "value"}, RequiredMap<true>},
      {"statefulset-volumeclaimtemplate-annotation",
       "Check if StatefulSet's VolumeClaimTemplate contains a specific annotation", {"DeploymentLike"}, {"annotation"},
       VolumeClaimTemplateAnnotation},
      {"sorted-keys", "Flag YAML keys that are not sorted in alphabetical order", {"Any"}, {"recursive"}, SortedKeys, kNeedsLintContext},
      {"use-namespace", "Flag resources with no namespace specified or using default namespace",
       {"DeploymentLike", "Service"}, {}, UseNamespace},
  });
}

}  // namespace kfix::internal::templates
