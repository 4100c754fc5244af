// Helpers of the detection engine: value access, Go formatting, pointers,
// quantities, label selectors, params, object info and lint-context indexes.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>

#include "rules/internal.hpp"

namespace kfix::internal {

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

std::string ScalarText(const Value* v) {
  if (!v) return {};
  switch (v->type()) {
    case Value::Type::kString: return v->as_string();
    case Value::Type::kBool: return v->as_bool() ? "true" : "false";
    case Value::Type::kInt: return std::to_string(v->as_int());
    case Value::Type::kDouble: {
      double d = v->as_double();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
        return std::to_string(static_cast<long long>(d));
      }
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g", d);
      return buf;
    }
    default: return {};
  }
}

std::optional<std::int64_t> AsInt(const Value* v) noexcept {
  if (!v) return std::nullopt;
  if (v->is_int()) return v->as_int();
  if (v->is_double()) {
    double d = v->as_double();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e18) return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

std::string GoQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string GoQuoteList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out.push_back(' ');
    out += GoQuote(items[i]);
  }
  out.push_back(']');
  return out;
}

std::string GoMap(const Value* map) {
  std::map<std::string, std::string> sorted;
  if (IsObject(map)) {
    for (const Member& m : map->as_object()) sorted[m.key] = ScalarText(&m.value);
  }
  std::string out = "map[";
  bool first = true;
  for (const auto& [k, v] : sorted) {
    if (!first) out.push_back(' ');
    first = false;
    out += k;
    out.push_back(':');
    out += v;
  }
  out.push_back(']');
  return out;
}

// ---------------------------------------------------------------------------
// Pointers and positions
// ---------------------------------------------------------------------------

std::string EscapeToken(std::string_view token) { return JsonPointer::EscapeToken(token); }

std::string PointerText(const JsonPointer& p) {
  std::string out;
  for (const std::string& t : p.tokens()) {
    out.push_back('/');
    out += EscapeToken(t);
  }
  return out;
}

std::string Ptr(std::string_view base, std::string_view token) {
  std::string out(base);
  out.push_back('/');
  out += EscapeToken(token);
  return out;
}

std::string Ptr(std::string_view base, std::size_t index) {
  std::string out(base);
  out.push_back('/');
  out += std::to_string(index);
  return out;
}

std::string Ptr(std::string_view base, std::initializer_list<std::string_view> tokens) {
  std::string out(base);
  for (std::string_view t : tokens) {
    out.push_back('/');
    out += EscapeToken(t);
  }
  return out;
}

static std::string UnescapeToken(std::string_view t) {
  std::string out;
  out.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '~' && i + 1 < t.size()) {
      out.push_back(t[i + 1] == '1' ? '/' : '~');
      ++i;
    } else {
      out.push_back(t[i]);
    }
  }
  return out;
}

void Locate(const Value& root, std::string_view pointer, std::int32_t* line, std::int32_t* column) {
  *line = root.line();
  *column = root.column();
  const Value* cur = &root;
  std::size_t pos = 0;
  while (pos < pointer.size() && pointer[pos] == '/') {
    std::size_t next = pointer.find('/', pos + 1);
    if (next == std::string_view::npos) next = pointer.size();
    std::string token = UnescapeToken(pointer.substr(pos + 1, next - pos - 1));
    pos = next;
    if (cur->is_object()) {
      const Member* m = cur->FindMember(token);
      if (!m) return;
      if (m->key_line > 0) {
        *line = m->key_line;
        *column = m->key_column;
      } else if (m->value.line() > 0) {
        *line = m->value.line();
        *column = m->value.column();
      }
      cur = &m->value;
    } else if (cur->is_array()) {
      if (token.empty() || token.size() > 9 || !std::all_of(token.begin(), token.end(), ::isdigit)) return;
      std::size_t idx = static_cast<std::size_t>(std::stoul(token));
      if (idx >= cur->as_array().size()) return;
      cur = &cur->as_array()[idx];
      if (cur->line() > 0) {
        *line = cur->line();
        *column = cur->column();
      }
    } else {
      return;
    }
  }
}

// ---------------------------------------------------------------------------
// Label selectors
// ---------------------------------------------------------------------------

static void SortRequirements(Selector* s) {
  std::stable_sort(s->requirements.begin(), s->requirements.end(),
                   [](const Selector::Requirement& a, const Selector::Requirement& b) { return a.key < b.key; });
}

Selector Selector::FromMap(const Value* map) {
  Selector s;
  if (IsObject(map)) {
    for (const Member& m : map->as_object()) {
      s.requirements.push_back(Requirement{m.key, Requirement::kEquals, {ScalarText(&m.value)}});
    }
  }
  SortRequirements(&s);
  return s;
}

Selector Selector::FromLabelSelector(const Value* selector) {
  Selector s = FromMap(Get(selector, "matchLabels"));
  if (const auto* exprs = Arr(Get(selector, "matchExpressions"))) {
    for (const Value& e : *exprs) {
      Requirement r;
      r.key = std::string(Str(Get(&e, "key")));
      std::string_view op = Str(Get(&e, "operator"));
      std::vector<std::string> values;
      if (const auto* vals = Arr(Get(&e, "values"))) {
        for (const Value& v : *vals) values.push_back(ScalarText(&v));
      }
      if (op == "In") {
        r.op = Requirement::kIn;
      } else if (op == "NotIn") {
        r.op = Requirement::kNotIn;
      } else if (op == "Exists") {
        r.op = Requirement::kExists;
      } else if (op == "DoesNotExist") {
        r.op = Requirement::kDoesNotExist;
      } else {
        s.valid = false;
        s.error = "\"" + std::string(op) + "\" is not a valid label selector operator";
        continue;
      }
      if ((r.op == Requirement::kIn || r.op == Requirement::kNotIn) && values.empty()) {
        s.valid = false;
        s.error = "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty";
      }
      std::sort(values.begin(), values.end());
      values.erase(std::unique(values.begin(), values.end()), values.end());
      r.values = std::move(values);
      s.requirements.push_back(std::move(r));
    }
  }
  SortRequirements(&s);
  return s;
}

bool Selector::Matches(const Value* labels) const {
  for (const Requirement& r : requirements) {
    const Value* v = IsObject(labels) ? labels->Find(r.key) : nullptr;
    std::string text = v ? ScalarText(v) : std::string();
    switch (r.op) {
      case Requirement::kEquals:
      case Requirement::kIn:
        if (!v || std::find(r.values.begin(), r.values.end(), text) == r.values.end()) return false;
        break;
      case Requirement::kNotIn:
        if (v && std::find(r.values.begin(), r.values.end(), text) != r.values.end()) return false;
        break;
      case Requirement::kExists:
        if (!v) return false;
        break;
      case Requirement::kDoesNotExist:
        if (v) return false;
        break;
    }
  }
  return true;
}

std::string Selector::ToString() const {
  std::string out;
  for (const Requirement& r : requirements) {
    if (!out.empty()) out.push_back(',');
    auto join = [&]() {
      std::string j;
      for (std::size_t i = 0; i < r.values.size(); ++i) {
        if (i) j.push_back(',');
        j += r.values[i];
      }
      return j;
    };
    switch (r.op) {
      case Requirement::kEquals: out += r.key + "=" + (r.values.empty() ? "" : r.values[0]); break;
      case Requirement::kIn: out += r.key + " in (" + join() + ")"; break;
      case Requirement::kNotIn: out += r.key + " notin (" + join() + ")"; break;
      case Requirement::kExists: out += r.key; break;
      case Requirement::kDoesNotExist: out += "!" + r.key; break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Params
// ---------------------------------------------------------------------------

static bool EqualsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

const Value* Params::Get(std::string_view name) const noexcept {
  if (!IsObject(v_)) return nullptr;
  for (const Member& m : v_->as_object()) {
    if (EqualsIgnoreCase(m.key, name)) return &m.value;
  }
  return nullptr;
}

static Status ParamTypeError(std::string_view name, const char* want, const Value* got) {
  SourceLocation loc;
  loc.line = got->line();
  loc.column = got->column();
  return InvalidArgumentError("parameter \"" + std::string(name) + "\" must be " + want + ", got " + got->type_name(),
                              loc);
}

Result<std::string> Params::String(std::string_view name, std::string_view fallback) const {
  const Value* v = Get(name);
  if (!v || v->is_null()) return std::string(fallback);
  if (v->is_string()) return v->as_string();
  if (v->is_number() || v->is_bool()) return ScalarText(v);
  return ParamTypeError(name, "a string", v);
}

Result<std::vector<std::string>> Params::StringList(std::string_view name, std::vector<std::string> fallback) const {
  const Value* v = Get(name);
  if (!v || v->is_null()) return fallback;
  if (!v->is_array()) return ParamTypeError(name, "a list of strings", v);
  std::vector<std::string> out;
  for (const Value& e : v->as_array()) {
    if (e.is_object() || e.is_array() || e.is_null()) return ParamTypeError(name, "a list of strings", &e);
    out.push_back(ScalarText(&e));
  }
  return out;
}

Result<std::optional<std::int64_t>> Params::Int(std::string_view name) const {
  const Value* v = Get(name);
  if (!v || v->is_null()) return std::optional<std::int64_t>();
  if (auto i = AsInt(v)) return std::optional<std::int64_t>(*i);
  if (v->is_string()) {
    const std::string& s = v->as_string();
    char* end = nullptr;
    long long x = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end && *end == '\0') return std::optional<std::int64_t>(x);
  }
  return ParamTypeError(name, "an integer", v);
}

Result<bool> Params::Bool(std::string_view name, bool fallback) const {
  const Value* v = Get(name);
  if (!v || v->is_null()) return fallback;
  if (v->is_bool()) return v->as_bool();
  return ParamTypeError(name, "a boolean", v);
}

std::vector<std::string> Params::Unknown(std::initializer_list<std::string_view> known) const {
  std::vector<std::string> out;
  if (!IsObject(v_)) return out;
  for (const Member& m : v_->as_object()) {
    bool found = false;
    for (std::string_view k : known) found = found || EqualsIgnoreCase(k, m.key);
    if (!found) out.push_back(m.key);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------

bool IsDeploymentLikeKind(std::string_view kind) noexcept {
  return kind == "Deployment" || kind == "DaemonSet" || kind == "StatefulSet" || kind == "ReplicaSet" ||
         kind == "Pod" || kind == "ReplicationController" || kind == "Job" || kind == "CronJob" ||
         kind == "DeploymentConfig";
}

void FillObjectInfo(const Manifest& m, std::size_t index, ObjectInfo* info) {
  info->manifest = &m;
  info->index = index;
  const Value& root = m.root;
  info->api_version = Str(root.Find("apiVersion"));
  info->kind = Str(root.Find("kind"));
  info->metadata = root.Find("metadata");
  if (!IsObject(info->metadata)) info->metadata = nullptr;
  info->name = Str(Get(info->metadata, "name"));
  info->namespace_ = Str(Get(info->metadata, "namespace"));
  info->labels = Get(info->metadata, "labels");
  info->annotations = Get(info->metadata, "annotations");
  std::size_t slash = info->api_version.find('/');
  if (slash == std::string_view::npos) {
    info->group = {};
    info->version = info->api_version;
  } else {
    info->group = info->api_version.substr(0, slash);
    info->version = info->api_version.substr(slash + 1);
  }
  info->deployment_like = IsDeploymentLikeKind(info->kind);
  info->workload.reset();
  info->has_pod_template = false;
  info->pod_labels = nullptr;
  info->pod_spec_ptr.clear();
  info->pod_meta_ptr.clear();
  info->container_ptrs.clear();
  if (info->deployment_like && root.is_object()) {
    info->workload = ViewWorkload(root);
    if (info->workload) {
      info->pod_spec_ptr = PointerText(info->workload->pod_spec_pointer);
      info->pod_meta_ptr = PointerText(info->workload->pod_metadata_pointer);
      info->pod_labels = Get(info->workload->pod_metadata, "labels");
      info->container_ptrs.reserve(info->workload->containers.size());
      for (const ContainerRef& c : info->workload->containers) info->container_ptrs.push_back(PointerText(c.pointer));
      info->has_pod_template = true;
    }
  }
}

void LintIndex::Build(std::vector<const ObjectInfo*> objs) {
  objects = std::move(objs);
  for (const ObjectInfo* o : objects) {
    if (o->has_pod_template) {
      workloads.push_back(o);
      workloads_by_ns[o->namespace_].push_back(o);
    }
    if (o->deployment_like) deployment_likes_by_ns[o->namespace_].push_back(o);
    if (o->kind == "Service") {
      services.push_back(o);
      services_by_ns[o->namespace_].push_back(o);
    }
    if (o->kind == "NetworkPolicy") {
      network_policies.push_back(o);
      network_policies_by_ns[o->namespace_].push_back(o);
    }
    if (o->kind == "Role") roles.push_back(o);
    if (o->kind == "ClusterRole") cluster_roles.push_back(o);
    if (o->kind == "ServiceAccount" && o->api_version == "v1") {
      service_accounts.insert(std::string(o->namespace_) + '\n' + std::string(o->name));
    }
    if (o->kind == "Secret" && o->api_version == "v1") secrets[std::string(o->name)] = o;
    if (o->kind == "ConfigMap" && o->api_version == "v1") config_maps[std::string(o->name)] = o;
  }
}

std::string IndexKey(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (std::string_view p : parts) size += p.size() + sizeof(std::uint32_t);
  std::string key;
  key.reserve(size);
  for (std::string_view p : parts) {
    auto n = static_cast<std::uint32_t>(p.size());
    key.append(reinterpret_cast<const char*>(&n), sizeof(n));
    key.append(p);
  }
  return key;
}

bool KindsMatch(const std::vector<std::string>& kinds, const ObjectInfo& obj) noexcept {
  for (const std::string& k : kinds) {
    if (k == "Any") return true;
    if (k == "DeploymentLike") {
      if (obj.deployment_like) return true;
    } else if (k == "JobLike") {
      if (obj.kind == "Job" || obj.kind == "CronJob") return true;
    } else if (k == obj.kind) {
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------
// Ignore annotations
// ---------------------------------------------------------------------------

namespace {

struct ToolAlias {
  const char* id;     // tool's id
  const char* check;  // kfix / kube-linter check name
};

// Polaris check ids (polaris.fairwinds.com/<id>-exempt).
constexpr ToolAlias kPolaris[] = {
    {"hostIPCSet", "host-ipc"},
    {"hostPIDSet", "host-pid"},
    {"hostNetworkSet", "host-network"},
    {"hostPortSet", "host-ports"},
    {"hostPathSet", "hostpath-volume"},
    {"runAsPrivileged", "privileged-container"},
    {"runAsRootAllowed", "run-as-non-root"},
    {"notReadOnlyRootFilesystem", "no-read-only-root-fs"},
    {"privilegeEscalationAllowed", "privilege-escalation-container"},
    {"privilegeEscalationAllowed", "allow-privilege-escalation"},
    {"insecureCapabilities", "drop-net-raw-capability"},
    {"dangerousCapabilities", "cap-sys-admin"},
    {"tagNotSpecified", "latest-tag"},
    {"cpuRequestsMissing", "unset-cpu-requirements"},
    {"memoryLimitsMissing", "unset-memory-requirements"},
    {"livenessProbeMissing", "no-liveness-probe"},
    {"readinessProbeMissing", "no-readiness-probe"},
    {"sensitiveContainerEnvVar", "env-var-secret"},
    {"priorityClassNotSet", "priority-class-name"},
    {"deploymentMissingReplicas", "minimum-three-replicas"},
    {"procMount", "unsafe-proc-mount"},
};

// kube-score test ids (kube-score/ignore: a,b).
constexpr ToolAlias kKubeScore[] = {
    {"container-security-context-privileged", "privileged-container"},
    {"container-security-context-readonlyrootfilesystem", "no-read-only-root-fs"},
    {"container-security-context-user-group-id", "run-as-non-root"},
    {"container-security-context-user-group-id", "run-as-user"},
    {"container-image-tag", "latest-tag"},
    {"container-resources", "unset-cpu-requirements"},
    {"container-resources", "unset-memory-requirements"},
    {"pod-probes", "no-liveness-probe"},
    {"pod-probes", "no-readiness-probe"},
    {"pod-networkpolicy", "non-isolated-pod"},
    {"service-targets-pod", "dangling-service"},
    {"networkpolicy-targets-pod", "dangling-networkpolicy"},
    {"horizontalpodautoscaler-has-target", "dangling-horizontalpodautoscaler"},
    {"deployment-has-host-podantiaffinity", "no-anti-affinity"},
    {"statefulset-has-host-podantiaffinity", "no-anti-affinity"},
    {"container-seccomp-profile", "seccomp-profile"},
    {"pod-topology-spread-constraints", "no-anti-affinity"},
};

// Checkov ids (checkov.io/skipN: CKV_K8S_x=reason).
constexpr ToolAlias kCheckov[] = {
    {"CKV_K8S_8", "no-liveness-probe"},
    {"CKV_K8S_9", "no-readiness-probe"},
    {"CKV_K8S_10", "unset-cpu-requirements"},
    {"CKV_K8S_13", "unset-memory-requirements"},
    {"CKV_K8S_14", "latest-tag"},
    {"CKV_K8S_16", "privileged-container"},
    {"CKV_K8S_17", "host-pid"},
    {"CKV_K8S_18", "host-ipc"},
    {"CKV_K8S_19", "host-network"},
    {"CKV_K8S_20", "allow-privilege-escalation"},
    {"CKV_K8S_20", "privilege-escalation-container"},
    {"CKV_K8S_21", "use-namespace"},
    {"CKV_K8S_22", "no-read-only-root-fs"},
    {"CKV_K8S_23", "run-as-non-root"},
    {"CKV_K8S_26", "host-ports"},
    {"CKV_K8S_27", "docker-sock"},
    {"CKV_K8S_28", "drop-net-raw-capability"},
    {"CKV_K8S_31", "seccomp-profile"},
    {"CKV_K8S_35", "read-secret-from-env-var"},
    {"CKV_K8S_39", "cap-sys-admin"},
    {"CKV_K8S_40", "run-as-user"},
};

bool Truthy(const Value& v) {
  std::string t = ScalarText(&v);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return t == "true" || t == "1" || t == "yes" || t == "y";
}

}  // namespace

std::string IgnoredBy(const ObjectInfo& obj, std::string_view check) {
  if (!IsObject(obj.annotations)) return {};
  for (const Member& m : obj.annotations->as_object()) {
    const std::string& k = m.key;
    if (k == "kube-linter.io/ignore-all" || k == "kfix.dev/ignore-all") return k;
    constexpr std::string_view kl = "ignore-check.kube-linter.io/";
    constexpr std::string_view kf = "ignore-check.kfix.dev/";
    if (k.size() > kl.size() && k.compare(0, kl.size(), kl) == 0 && std::string_view(k).substr(kl.size()) == check) {
      return k;
    }
    if (k.size() > kf.size() && k.compare(0, kf.size(), kf) == 0 && std::string_view(k).substr(kf.size()) == check) {
      return k;
    }
    constexpr std::string_view pol = "polaris.fairwinds.com/";
    if (k.compare(0, pol.size(), pol) == 0) {
      std::string_view rest = std::string_view(k).substr(pol.size());
      if (rest == "exempt" && Truthy(m.value)) return k;
      constexpr std::string_view suffix = "-exempt";
      if (rest.size() > suffix.size() && rest.substr(rest.size() - suffix.size()) == suffix && Truthy(m.value)) {
        std::string_view id = rest.substr(0, rest.size() - suffix.size());
        for (const ToolAlias& a : kPolaris) {
          if (id == a.id && check == a.check) return k;
        }
      }
    }
    if (k == "kube-score/ignore") {
      std::string list = ScalarText(&m.value);
      std::size_t pos = 0;
      while (pos <= list.size()) {
        std::size_t comma = list.find(',', pos);
        if (comma == std::string::npos) comma = list.size();
        std::string id = list.substr(pos, comma - pos);
        id.erase(0, id.find_first_not_of(" \t"));
        id.erase(id.find_last_not_of(" \t") + 1);
        for (const ToolAlias& a : kKubeScore) {
          if (id == a.id && check == a.check) return k;
        }
        pos = comma + 1;
      }
    }
    constexpr std::string_view ck = "checkov.io/skip";
    if (k.compare(0, ck.size(), ck) == 0) {
      std::string v = ScalarText(&m.value);
      std::string id = v.substr(0, v.find('='));
      for (const ToolAlias& a : kCheckov) {
        if (id == a.id && check == a.check) return k;
      }
    }
  }
  return {};
}

// ---------------------------------------------------------------------------
// Globs
// ---------------------------------------------------------------------------

static bool GlobSegment(std::string_view p, std::string_view s) noexcept {
  // '*' and '?' within one path segment, [..] classes.
  std::size_t pi = 0, si = 0, star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star_p = pi++;
      star_s = si;
    } else if (pi < p.size() && p[pi] == '?') {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == '[') {
      std::size_t end = p.find(']', pi + 1);
      if (end == std::string_view::npos) return false;
      bool neg = pi + 1 < end && (p[pi + 1] == '!' || p[pi + 1] == '^');
      bool match = false;
      for (std::size_t k = pi + 1 + (neg ? 1 : 0); k < end; ++k) {
        if (k + 2 < end && p[k + 1] == '-') {
          if (s[si] >= p[k] && s[si] <= p[k + 2]) match = true;
          k += 2;
        } else if (p[k] == s[si]) {
          match = true;
        }
      }
      if (match != neg) {
        pi = end + 1;
        ++si;
      } else if (star_p != std::string_view::npos) {
        pi = star_p + 1;
        si = ++star_s;
      } else {
        return false;
      }
    } else if (pi < p.size() && p[pi] == s[si]) {
      ++pi;
      ++si;
    } else if (star_p != std::string_view::npos) {
      pi = star_p + 1;
      si = ++star_s;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

static std::vector<std::string_view> SplitPath(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    std::size_t slash = s.find('/', pos);
    if (slash == std::string_view::npos) slash = s.size();
    out.push_back(s.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

static bool GlobParts(const std::vector<std::string_view>& p, std::size_t pi, const std::vector<std::string_view>& s,
                      std::size_t si) noexcept {
  if (pi == p.size()) return si == s.size();
  if (p[pi] == "**") {
    for (std::size_t k = si; k <= s.size(); ++k) {
      if (GlobParts(p, pi + 1, s, k)) return true;
    }
    return false;
  }
  if (si == s.size()) return false;
  return GlobSegment(p[pi], s[si]) && GlobParts(p, pi + 1, s, si + 1);
}

bool GlobMatch(std::string_view pattern, std::string_view path) noexcept {
  return GlobParts(SplitPath(pattern), 0, SplitPath(path), 0);
}

}  // namespace kfix::internal
