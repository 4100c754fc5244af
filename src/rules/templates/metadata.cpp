// Object metadata and shape: labels, annotations, namespace, API kinds, key order, schema.
// Check templates of this domain; the file registers its own entries (rules/template_helpers.hpp).
#include <algorithm>
#include <cctype>
#include <set>

#include "rules/k8s_schema_internal.hpp"
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
  return Make(CheckReads{"/apiVersion", "/kind"}, [=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
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
  return Make(CheckReads{kLabel ? "/metadata/labels" : "/metadata/annotations"}, [=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
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
  return Make(CheckReads{"/metadata/annotations"}, [=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
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
  return Make(CheckReads{"/spec/volumeClaimTemplates"}, [annotation](const ObjectInfo& o, const LintIndex&, Sink& sink) {
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

// kubeconform (schema-validation): the built-in schema table ----------------------------
/// kubeconform's schema file name for a kind: "daemonset-apps-v1.json", "pod-v1.json".
std::string KubeconformSchemaName(std::string_view kind, std::string_view group, std::string_view version) {
  std::string name;
  for (char c : kind) name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (!group.empty()) name.append("-").append(group.substr(0, group.find('.')));
  return name.append("-").append(version).append(".json");
}

Result<std::unique_ptr<CheckImpl>> Kubeconform(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(strict, p.Bool("strict", false));
  KFIX_ASSIGN_OR_RETURN(ignore_missing, p.Bool("ignoreMissingSchemas", false));
  KFIX_ASSIGN_OR_RETURN(skip_list, p.StringList("skipKinds"));
  KFIX_ASSIGN_OR_RETURN(reject_list, p.StringList("rejectKinds"));
  // schemaLocations, cache and kubernetesVersion are accepted for kube-linter configurations; kfix validates
  // against its built-in table only (kinds from other locations count as missing schemas).
  KFIX_ASSIGN_OR_RETURN(locations, p.StringList("schemaLocations"));
  KFIX_ASSIGN_OR_RETURN(cache, p.String("cache"));
  KFIX_ASSIGN_OR_RETURN(k8s_version, p.String("kubernetesVersion"));
  (void)locations, (void)cache, (void)k8s_version;
  std::set<std::string, std::less<>> skip(skip_list.begin(), skip_list.end());
  std::set<std::string, std::less<>> reject(reject_list.begin(), reject_list.end());
  // Validates every field: reads everything (no CheckReads).
  return Make([=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const Value& root = o.root();
    const Value* kind_v = root.Find("kind");
    const Value* av_v = root.Find("apiVersion");
    if (!kind_v || !kind_v->is_string() || kind_v->as_string().empty()) {
      sink.Add("error while processing resource: missing 'kind' key", "/kind");
      return;
    }
    if (!av_v || !av_v->is_string() || av_v->as_string().empty()) {
      sink.Add("error while processing resource: missing 'apiVersion' key", "/apiVersion");
      return;
    }
    // kubeconform matches skipKinds / rejectKinds on the kind or on "apiVersion/kind".
    auto listed = [&](const std::set<std::string, std::less<>>& set) {
      return set.count(o.kind) != 0 || set.count(std::string(o.api_version) + "/" + std::string(o.kind)) != 0;
    };
    if (listed(skip)) return;
    if (listed(reject)) {
      sink.Add("error while processing resource: prohibited resource kind " + std::string(o.kind), "/kind");
      return;
    }
    const k8s::StructDef* def = k8s::FindKind(o.api_version, o.kind);
    if (!def) {
      if (!ignore_missing) {
        sink.Add("error while processing resource: could not find schema for " + std::string(o.kind), "/kind");
      }
      return;
    }
    std::vector<k8s::SchemaError> errors = k8s::Validate(root, *def, strict);
    if (errors.empty()) return;
    std::string msg = "resource is not valid: problem validating schema. Check JSON formatting: "
                      "jsonschema validation failed with '" +
                      KubeconformSchemaName(o.kind, o.group, o.version) + "#'";
    for (const k8s::SchemaError& e : errors) msg += " - at '" + e.pointer + "': " + e.message;
    sink.Add(std::move(msg), errors.front().focus);
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
  return Make(CheckReads{"/metadata/namespace"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
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
      {"kubeconform", "Flag objects that do not match the Kubernetes schema (kubeconform's checks on kfix's built-in schema table)", {"Any"},
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
