// The container-escape detector (playbooks.md §3.1): event normalisation
// (OCSF 6003, native api_activity, Falco/Tracee) and rules r1..r5.
#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kfix/escape.hpp"
#include "playbooks/escape/util.hpp"

namespace kfix::escape {
namespace {

using internal::FirstText;
using internal::Lower;
using internal::PyStr;
using internal::StrOr;
using internal::Truthy;

constexpr std::int64_t kRecentDeployWindowMs = 30LL * 60 * 1000;
constexpr std::int64_t kRuntimeFusionWindowMs = 10LL * 60 * 1000;

const std::set<std::string>& WorkloadResources() {
  static const std::set<std::string> k = {"pods",         "deployments",           "daemonsets", "statefulsets",
                                          "replicasets",  "replicationcontrollers", "jobs",       "cronjobs"};
  return k;
}

struct SignalPattern {
  const char* signal;
  const char* label;
  std::vector<const char*> patterns;
};
const std::vector<SignalPattern>& SignalPatterns() {
  static const std::vector<SignalPattern> k = {
      {"container-drift", "Container drift detected", {"container drift detected", "container_drift"}},
      {"terminal-shell", "Terminal shell in container", {"terminal shell in container"}},
      {"write-below-root", "Write below root", {"write below root"}},
      {"sensitive-file-access", "Sensitive file access below root", {"sensitive file access below root"}},
  };
  return k;
}
std::string SignalLabel(const std::string& signal) {
  for (const auto& p : SignalPatterns()) {
    if (signal == p.signal) return p.label;
  }
  return signal;
}

// One normalised event.
struct Event {
  bool runtime = false;
  std::int64_t time_ms = 0;
  std::string actor_name, actor_type;
  std::vector<std::string> actor_groups;
  std::string operation, resource_type, resource_name, ns, subresource;
  const Value* request_object = nullptr;
  const Value* response_object = nullptr;
  std::string container_id, runtime_engine, runtime_signal;
};

std::string NormalizeContainerId(std::string_view value) {
  std::string text = internal::Trim(value);
  for (const char* prefix : {"docker://", "containerd://", "cri-o://"}) {
    std::string_view p(prefix);
    if (text.compare(0, p.size(), p) == 0) return text.substr(p.size());
  }
  return text;
}

std::string EventSourceSkill(const Value& event, internal::TypeDiag& diag) {
  if (const Value* s = event.Find("source_skill"); Truthy(s)) return PyStr(*s);
  const Value* md = diag.Obj(&event, "metadata", "");
  const Value* product = diag.Obj(md, "product", "metadata");
  const Value* feature = diag.Obj(product, "feature", "metadata.product");
  return feature != nullptr ? StrOr(feature->Find("name")) : std::string();
}

std::vector<std::string> GroupNames(const Value* groups, internal::TypeDiag& diag, std::string_view where) {
  std::vector<std::string> names;
  if (!Truthy(groups)) return names;
  if (!groups->is_array()) {
    diag.problems.push_back("member `" + std::string(where) + "` is " + internal::WithArticle(*groups) +
                            ", expected an array");
    return names;
  }
  for (const Value& g : groups->as_array()) {
    const Value* name = g.is_object() ? g.Find("name") : &g;
    if (Truthy(name)) names.push_back(PyStr(*name));
  }
  return names;
}

// Falco / Tracee event, or nothing when it is not one (or has no known signal).
bool NormalizeRuntime(const Value& event, internal::TypeDiag& diag, Event& out) {
  std::string source_text;
  for (std::string part : {FirstText(event, {"source"}), FirstText(event, {"engine"}), FirstText(event, {"vendor"}),
                           EventSourceSkill(event, diag)}) {
    if (part.empty()) continue;
    if (!source_text.empty()) source_text += ' ';
    source_text += part;
  }
  source_text = Lower(source_text);
  bool falco = source_text.find("falco") != std::string::npos;
  if (!falco && source_text.find("tracee") == std::string::npos) return false;
  std::string rule = FirstText(event, {"rule", "ruleName", "eventName", "signatureName", "output"});
  std::string description = FirstText(event, {"output", "summary", "message", "description"});
  std::string text = Lower(rule + " " + description);
  std::string signal;
  for (const auto& p : SignalPatterns()) {
    for (const char* pattern : p.patterns) {
      if (text.find(pattern) != std::string::npos) signal = p.signal;
    }
    if (!signal.empty()) break;
  }
  if (signal.empty()) return false;
  out.runtime = true;
  const Value* t = nullptr;
  for (const char* k : {"time_ms", "time", "ts", "timestamp"}) {
    const Value* v = event.Find(k);
    if (Truthy(v)) {
      t = v;
      break;
    }
  }
  out.time_ms = internal::SafeInt(t);
  out.actor_name = FirstText(event, {"user.name", "process.user", "output_fields.user.name", "actor.user.name"});
  out.resource_type = "pods";
  out.resource_name =
      FirstText(event, {"kubernetes.podName", "k8s.pod.name", "output_fields.k8s.pod.name", "pod", "pod_name"});
  out.ns = FirstText(event, {"kubernetes.namespace", "k8s.ns.name", "output_fields.k8s.ns.name", "namespace"});
  out.container_id = NormalizeContainerId(FirstText(
      event, {"container.id", "containerId", "container_id", "output_fields.container.id", "kubernetes.container.id"}));
  out.runtime_engine = falco ? "falco" : "tracee";
  out.runtime_signal = signal;
  return true;
}

// Returns "" when the line is an event (filled into `out`), else why not.
std::string Normalize(const Value& event, internal::TypeDiag& diag, Event& out) {
  if (NormalizeRuntime(event, diag, out)) return {};
  const Value* unmapped = diag.Obj(&event, "unmapped", "");
  const Value* k8s = diag.Obj(unmapped, "k8s", "unmapped");
  auto unmapped_member = [&](const char* key) -> const Value* {
    if (k8s == nullptr) return nullptr;
    const Value* v = k8s->Find(key);
    return (v != nullptr && !v->is_null()) ? v : nullptr;
  };
  const Value* actor = diag.Obj(&event, "actor", "");
  const Value* user = diag.Obj(actor, "user", "actor");
  const Value* resources = diag.Arr(&event, "resources", "");
  const Value* resource = nullptr;
  if (resources != nullptr) {
    const Value& first = resources->as_array().front();
    if (first.is_object()) {
      resource = &first;
    } else {
      diag.problems.push_back("member `resources[0]` is " + internal::WithArticle(first) + ", expected an object");
    }
  }
  auto res = [&](const char* key) { return resource != nullptr ? StrOr(resource->Find(key)) : std::string(); };
  auto usr = [&](const char* key) { return user != nullptr ? StrOr(user->Find(key)) : std::string(); };

  if (const Value* cls = event.Find("class_uid")) {
    if (!(cls->is_number() && cls->as_number() == 6003)) {
      return "unsupported OCSF class_uid " + internal::Show(*cls) + " (expected 6003, API Activity)";
    }
    const Value* api = diag.Obj(&event, "api", "");
    const Value* cloud = diag.Obj(&event, "cloud", "");
    (void)cloud;
    out.time_ms = internal::SafeInt(event.Find("time"));
    out.actor_name = usr("name");
    out.actor_type = usr("type");
    out.actor_groups = GroupNames(user != nullptr ? user->Find("groups") : nullptr, diag, "actor.user.groups");
    out.operation = api != nullptr ? StrOr(api->Find("operation")) : std::string();
    out.resource_type = res("type");
    out.resource_name = res("name");
    out.ns = res("namespace");
    out.subresource = res("subresource");
  } else {
    std::string schema_mode = Lower(internal::Trim(StrOr(event.Find("schema_mode"))));
    if (!schema_mode.empty() && schema_mode != "native" && schema_mode != "canonical") {
      return "unsupported schema_mode `" + internal::Clip(schema_mode) + "` (expected native or canonical)";
    }
    std::string record_type = Lower(internal::Trim(StrOr(event.Find("record_type"))));
    if (!record_type.empty() && record_type != "api_activity") {
      return "unsupported record_type `" + internal::Clip(record_type) + "` (expected api_activity)";
    }
    auto top_or = [&](const char* key, const std::string& fallback) {
      const Value* v = event.Find(key);
      return Truthy(v) ? PyStr(*v) : fallback;
    };
    const Value* t = event.Find("time_ms");
    out.time_ms = internal::SafeInt(Truthy(t) ? t : event.Find("time"));
    out.actor_name = top_or("actor_name", usr("name"));
    out.actor_type = top_or("actor_type", usr("type"));
    const Value* groups = event.Find("actor_groups");
    if (!Truthy(groups)) groups = user != nullptr ? user->Find("groups") : nullptr;
    out.actor_groups = GroupNames(groups, diag, "actor_groups");
    out.operation = top_or("operation", top_or("api_operation", ""));
    out.resource_type = top_or("resource_type", res("type"));
    out.resource_name = top_or("resource_name", res("name"));
    out.ns = top_or("namespace", res("namespace"));
    out.subresource = top_or("subresource", res("subresource"));
  }
  out.request_object = unmapped_member("request_object");
  out.response_object = unmapped_member("response_object");
  return {};
}

// ---- payload scanners -------------------------------------------------------

// Items of a JSON-Patch op list (objects with a `path`); empty when the
// payload is a merge body.
std::vector<const Value*> PatchOps(const Value* payload) {
  std::vector<const Value*> ops;
  if (payload == nullptr || !payload->is_array()) return ops;
  for (const Value& item : payload->as_array()) {
    if (item.is_object() && item.Find("path") != nullptr) ops.push_back(&item);
  }
  return ops;
}

bool IsTrue(const Value* v) { return v != nullptr && v->is_bool() && v->as_bool(); }

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void AddRiskyCaps(const Value* value, std::set<std::string>& found) {
  auto one = [&](const Value& v) {
    if (v.is_string() && (v.as_string() == "CAP_SYS_ADMIN" || v.as_string() == "CAP_SYS_PTRACE")) {
      found.insert("capability=" + v.as_string());
    }
  };
  if (value == nullptr) return;
  if (value->is_string()) one(*value);
  if (value->is_array()) {
    for (const Value& v : value->as_array()) one(v);
  }
}

template <typename Fn>
void Walk(const Value& node, Fn&& visit_object, int depth = 0) {
  if (depth > 256) return;
  if (node.is_object()) {
    visit_object(node);
    for (const Member& m : node.as_object()) Walk(m.value, visit_object, depth + 1);
  } else if (node.is_array()) {
    for (const Value& v : node.as_array()) Walk(v, visit_object, depth + 1);
  }
}

std::vector<std::string> FindRiskySettings(const Value* payload) {
  std::set<std::string> found;
  std::vector<const Value*> ops = PatchOps(payload);
  for (const Value* op : ops) {
    std::string path = Lower(StrOr(op->Find("path")));
    const Value* value = op->Find("value");
    if (EndsWith(path, "/privileged") && IsTrue(value)) found.insert("privileged=true");
    if (EndsWith(path, "/hostpid") && IsTrue(value)) found.insert("hostPID=true");
    if (EndsWith(path, "/hostnetwork") && IsTrue(value)) found.insert("hostNetwork=true");
    if (path.find("/capabilities/add") != std::string::npos) AddRiskyCaps(value, found);
    if (EndsWith(path, "/capabilities") && value != nullptr && value->is_object()) {
      AddRiskyCaps(value->Find("add"), found);
    }
  }
  // Merge bodies, and (unlike the reference) the object values of patch ops:
  // `add .../containers/0/securityContext {"privileged": true}` counts too.
  auto walk = [&](const Value& root) {
    Walk(root, [&](const Value& obj) {
      for (const Member& m : obj.as_object()) {
        if (m.key == "privileged" && IsTrue(&m.value)) found.insert("privileged=true");
        else if (m.key == "hostPID" && IsTrue(&m.value)) found.insert("hostPID=true");
        else if (m.key == "hostNetwork" && IsTrue(&m.value)) found.insert("hostNetwork=true");
        else if (m.key == "capabilities" && m.value.is_object()) AddRiskyCaps(m.value.Find("add"), found);
      }
    });
  };
  if (ops.empty() && payload != nullptr) walk(*payload);
  for (const Value* op : ops) {
    const Value* value = op->Find("value");
    if (value != nullptr && (value->is_object() || value->is_array())) walk(*value);
  }
  return {found.begin(), found.end()};
}

bool IsRiskyHostPath(const std::string& path) {
  if (path.empty()) return false;
  if (path == "/") return true;
  for (const char* prefix : {"/proc", "/var/lib/docker", "/var/lib/containerd"}) {
    if (path.compare(0, std::string_view(prefix).size(), prefix) == 0) return true;
  }
  return false;
}

std::vector<std::string> FindRiskyHostPaths(const Value* payload) {
  std::set<std::string> found;
  std::vector<const Value*> ops = PatchOps(payload);
  for (const Value* op : ops) {
    std::string path = Lower(StrOr(op->Find("path")));
    const Value* value = op->Find("value");
    if (path.find("/hostpath/path") != std::string::npos && value != nullptr && value->is_string() &&
        IsRiskyHostPath(value->as_string())) {
      found.insert(value->as_string());
    } else if (EndsWith(path, "/hostpath") && value != nullptr && value->is_object()) {
      const Value* hp = value->Find("path");
      if (hp != nullptr && hp->is_string() && IsRiskyHostPath(hp->as_string())) found.insert(hp->as_string());
    }
  }
  auto walk = [&](const Value& root) {
    Walk(root, [&](const Value& obj) {
      const Value* host_path = obj.Find("hostPath");
      if (host_path != nullptr && host_path->is_object()) {
        const Value* p = host_path->Find("path");
        if (p != nullptr && p->is_string() && IsRiskyHostPath(p->as_string())) found.insert(p->as_string());
      }
    });
  };
  if (ops.empty() && payload != nullptr) walk(*payload);
  for (const Value* op : ops) {  // `add .../volumes/- {"hostPath": {...}}` counts too
    const Value* value = op->Find("value");
    if (value != nullptr && (value->is_object() || value->is_array())) walk(*value);
  }
  return {found.begin(), found.end()};
}

std::vector<std::string> EphemeralNames(const Value* payload) {
  std::set<std::string> names;
  auto add_items = [&](const Value* list) {
    if (list == nullptr || !list->is_array()) return;
    for (const Value& item : list->as_array()) {
      if (item.is_object() && Truthy(item.Find("name"))) names.insert(PyStr(*item.Find("name")));
    }
  };
  std::vector<const Value*> ops = PatchOps(payload);
  if (!ops.empty()) {
    for (const Value* op : ops) {
      if (Lower(StrOr(op->Find("path"))).find("ephemeralcontainers") == std::string::npos) continue;
      const Value* value = op->Find("value");
      if (value == nullptr) continue;
      if (value->is_array()) {
        add_items(value);
      } else if (value->is_object()) {
        if (Truthy(value->Find("name"))) names.insert(PyStr(*value->Find("name")));
        const Value* nested = value->Find("ephemeralContainers");
        if (!Truthy(nested)) nested = value->Find("ephemeralcontainers");
        add_items(nested);
      }
    }
  } else if (payload != nullptr) {
    Walk(*payload, [&](const Value& obj) {
      for (const Member& m : obj.as_object()) {
        if (m.key == "ephemeralContainers" || m.key == "ephemeralcontainers") add_items(&m.value);
      }
    });
  }
  return {names.begin(), names.end()};
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string TargetString(std::string_view type, std::string_view ns, std::string_view name,
                         std::string_view sub = {}) {
  std::string out(type);
  for (std::string_view part : {ns, name, sub}) {
    if (part.empty()) continue;
    out += '/';
    out += part;
  }
  return out;
}

MitreAttack Attack(std::string_view technique) {
  MitreAttack a;
  a.technique_uid = std::string(technique);
  if (technique == "T1610") {
    a.tactic_uid = "TA0002";
    a.tactic_name = "Execution";
    a.technique_name = "Deploy Container";
  } else if (technique == "T1613") {
    a.tactic_uid = "TA0007";
    a.tactic_name = "Discovery";
    a.technique_name = "Container and Resource Discovery";
  } else {
    a.tactic_uid = "TA0004";
    a.tactic_name = "Privilege Escalation";
    a.technique_name = "Escape to Host";
  }
  return a;
}

Finding MakeFinding(std::string rule, std::string title, std::string desc, int severity, std::string_view technique,
                    std::string actor, std::string target, std::int64_t first, std::int64_t last,
                    std::vector<Observable> observables, std::int64_t evidence, std::int64_t now_ms) {
  Finding f;
  f.uid = "det-k8s-" + rule + "-" + internal::Short8(actor) + "-" + internal::Short8(target);
  f.rule = std::move(rule);
  f.title = std::move(title);
  f.description = std::move(desc);
  f.severity_id = severity;
  f.first_seen_ms = first;
  f.last_seen_ms = last;
  f.time_ms = last != 0 ? last : now_ms;
  f.attack = Attack(technique);
  f.actor = std::move(actor);
  f.target = std::move(target);
  f.observables = std::move(observables);
  f.evidence_count = evidence;
  return f;
}

std::string OrDefault(const std::string& s, const char* fallback) { return s.empty() ? fallback : s; }

// ---- rules --------------------------------------------------------------------

void Rule1(const std::vector<const Event*>& events, std::int64_t now, std::vector<Finding>& out) {
  std::set<std::string> seen;
  for (const Event* e : events) {
    if (e->runtime || e->operation != "patch" || !WorkloadResources().count(e->resource_type)) continue;
    std::vector<std::string> risky = FindRiskySettings(e->request_object);
    if (risky.empty()) continue;
    std::string actor = OrDefault(e->actor_name, "unknown");
    std::string target = TargetString(e->resource_type, e->ns, e->resource_name);
    if (!seen.insert("r1|" + actor + "|" + target + "|" + Join(risky, "|")).second) continue;
    std::string settings = Join(risky, ", ");
    std::string ns_label = e->ns.empty() ? "" : " in namespace '" + e->ns + "'";
    out.push_back(MakeFinding(
        "r1-risky-spec-patch", "Patch introduced escape-to-host settings on a Kubernetes workload",
        "Actor '" + actor + "' patched " + e->resource_type + " '" + OrDefault(e->resource_name, "<unnamed>") + "'" +
            ns_label + " with risky settings: " + settings +
            ". Privileged containers, host namespace access, and added high-risk Linux capabilities weaken workload "
            "isolation and align to container escape-to-host behavior. (MITRE T1611)",
        5, "T1611", actor, target, e->time_ms, e->time_ms,
        {{"actor.name", actor},
         {"resource.type", e->resource_type},
         {"resource.name", e->resource_name},
         {"namespace", e->ns},
         {"risky_settings", settings},
         {"rule", "r1-risky-spec-patch"}},
        1, now));
  }
}

void Rule2(const std::vector<const Event*>& events, std::int64_t now, std::vector<Finding>& out) {
  std::set<std::string> seen;
  for (const Event* e : events) {
    if (e->runtime || e->operation != "patch" || !WorkloadResources().count(e->resource_type)) continue;
    std::vector<std::string> paths = FindRiskyHostPaths(e->request_object);
    if (paths.empty()) continue;
    std::string actor = OrDefault(e->actor_name, "unknown");
    std::string target = TargetString(e->resource_type, e->ns, e->resource_name);
    std::string path_text = Join(paths, ", ");
    if (!seen.insert("r2|" + actor + "|" + target + "|" + path_text).second) continue;
    std::string ns_label = e->ns.empty() ? "" : " in namespace '" + e->ns + "'";
    out.push_back(MakeFinding(
        "r2-hostpath-injection", "Patch introduced a risky hostPath mount on a Kubernetes workload",
        "Actor '" + actor + "' patched " + e->resource_type + " '" + OrDefault(e->resource_name, "<unnamed>") + "'" +
            ns_label + " to reference host paths " + path_text +
            ". Kubernetes documents hostPath as a high-risk escape hatch, and these paths map directly to host "
            "resources commonly abused during container escape. (MITRE T1611)",
        5, "T1611", actor, target, e->time_ms, e->time_ms,
        {{"actor.name", actor},
         {"resource.type", e->resource_type},
         {"resource.name", e->resource_name},
         {"namespace", e->ns},
         {"host_paths", path_text},
         {"rule", "r2-hostpath-injection"}},
        1, now));
  }
}

void Rule3(const std::vector<const Event*>& events, std::int64_t now, std::vector<Finding>& out) {
  std::set<std::string> seen;
  for (const Event* e : events) {
    if (e->runtime || (e->operation != "patch" && e->operation != "update") || e->resource_type != "pods") continue;
    std::vector<std::string> names = EphemeralNames(e->request_object);
    if (names.empty()) names = EphemeralNames(e->response_object);
    if (Lower(e->subresource) != "ephemeralcontainers" && names.empty()) continue;
    std::string actor = OrDefault(e->actor_name, "unknown");
    std::string target = TargetString(e->resource_type, e->ns, e->resource_name, "ephemeralcontainers");
    std::string names_text = names.empty() ? "<unknown>" : Join(names, ", ");
    if (!seen.insert("r3|" + actor + "|" + target + "|" + names_text).second) continue;
    out.push_back(MakeFinding(
        "r3-ephemeral-container", "Ephemeral container was added to a running pod",
        "Actor '" + actor + "' modified the `pods/ephemeralcontainers` subresource for pod '" +
            OrDefault(e->resource_name, "<unnamed>") + "' in namespace '" + OrDefault(e->ns, "<cluster>") +
            "', adding ephemeral container(s): " + names_text +
            ". Kubernetes creates ephemeral containers through a special API handler commonly reached through `kubectl "
            "debug`; in an adversary flow this is container deployment for interactive execution on a live target. "
            "(MITRE T1610)",
        4, "T1610", actor, target, e->time_ms, e->time_ms,
        {{"actor.name", actor},
         {"pod.name", e->resource_name},
         {"namespace", e->ns},
         {"ephemeral_containers", names_text},
         {"rule", "r3-ephemeral-container"}},
        1, now));
  }
}

// Deploy-or-patch events of each pod (audit events on pods without a
// subresource, create/patch/update, with an actor), in time order.
using DeployIndex = std::map<std::pair<std::string, std::string>, std::vector<const Event*>>;

DeployIndex IndexDeploys(const std::vector<const Event*>& events) {
  DeployIndex index;
  for (const Event* e : events) {
    if (e->runtime || e->resource_type != "pods" || !e->subresource.empty() || e->actor_name.empty()) continue;
    if (e->operation != "create" && e->operation != "patch" && e->operation != "update") continue;
    index[{e->ns, e->resource_name}].push_back(e);
  }
  return index;
}

// The latest deployer of the exec's pod at or before it, within 30 minutes
// (the last one in time order among equal times).
std::string RecentDeployActor(const DeployIndex& index, const Event& exec) {
  auto it = index.find({exec.ns, exec.resource_name});
  if (it == index.end()) return {};
  const std::vector<const Event*>& deploys = it->second;
  auto after = std::upper_bound(deploys.begin(), deploys.end(), exec.time_ms,
                                [](std::int64_t t, const Event* e) { return t < e->time_ms; });
  if (after == deploys.begin()) return {};
  const Event* latest = *(after - 1);
  return exec.time_ms - latest->time_ms > kRecentDeployWindowMs ? std::string() : latest->actor_name;
}

void Rule4(const std::vector<const Event*>& events, const std::set<std::string>& operators, std::int64_t now,
           std::vector<Finding>& out) {
  std::set<std::string> seen;
  const DeployIndex deploys = IndexDeploys(events);
  for (const Event* e : events) {
    if (e->runtime || (e->operation != "create" && e->operation != "connect")) continue;
    if (e->resource_type != "pods" || Lower(e->subresource) != "exec") continue;
    std::string actor = OrDefault(e->actor_name, "unknown");
    std::string deployer = RecentDeployActor(deploys, *e);
    bool is_operator = (!e->actor_name.empty() && operators.count(e->actor_name)) ||
                       std::any_of(e->actor_groups.begin(), e->actor_groups.end(),
                                   [&](const std::string& g) { return operators.count(g) != 0; });
    bool is_sa = e->actor_type == "ServiceAccount" || actor.rfind("system:serviceaccount:", 0) == 0;
    if (!deployer.empty() && actor == deployer) continue;
    if (is_operator) continue;
    if (deployer.empty() && !is_sa) continue;
    std::string pod = OrDefault(e->resource_name, "<unnamed>");
    std::string ns = OrDefault(e->ns, "<cluster>");
    std::string target = TargetString("pods", e->ns, e->resource_name, "exec");
    if (!seen.insert("r4|" + actor + "|" + target + "|" + OrDefault(deployer, "<none>")).second) continue;
    std::string desc =
        !deployer.empty()
            ? "Actor '" + actor + "' executed `pods/exec` against pod '" + pod + "' in namespace '" + ns +
                  "', but the most recent deploy-or-patch actor for that pod within the last 30 minutes was '" +
                  deployer +
                  "'. That mismatch is a strong container-discovery and hands-on-keyboard signal when the exec "
                  "principal is not a declared operator. (MITRE T1613)"
            : "Actor '" + actor + "' executed `pods/exec` against pod '" + pod + "' in namespace '" + ns +
                  "' without a matching recent deploy actor in the input window. Because the exec principal is a "
                  "service account and not a declared operator, treat this as suspicious container discovery or "
                  "interactive inspection. (MITRE T1613)";
    out.push_back(MakeFinding("r4-unexpected-exec", "Unexpected pod exec targeted a running workload", desc, 4, "T1613",
                              actor, target, e->time_ms, e->time_ms,
                              {{"actor.name", actor},
                               {"actor.type", e->actor_type},
                               {"pod.name", e->resource_name},
                               {"namespace", e->ns},
                               {"recent.deploy_actor", OrDefault(deployer, "<none>")},
                               {"rule", "r4-unexpected-exec"}},
                              1, now));
  }
}

void RenderRuntimeGroup(const std::vector<const Event*>& group, std::int64_t now, std::vector<Finding>& out) {
  if (group.empty()) return;
  std::set<std::string> source_set, signal_set;
  for (const Event* e : group) {
    if (!e->runtime_engine.empty()) source_set.insert(e->runtime_engine);
    if (!e->runtime_signal.empty()) signal_set.insert(e->runtime_signal);
  }
  std::vector<std::string> sources(source_set.begin(), source_set.end());
  std::vector<std::string> labels;
  for (const std::string& s : signal_set) labels.push_back(SignalLabel(s));
  const Event& first = *group.front();
  std::string actor = OrDefault(first.actor_name, "runtime");
  int severity = (sources.size() > 1 || signal_set.size() > 1) ? 5 : 4;
  std::string source_text = sources.empty() ? "runtime" : Join(sources, ", ");
  std::string signal_text = Join(labels, ", ");
  std::string container = OrDefault(first.container_id, "<unknown>");
  out.push_back(MakeFinding(
      "r5-runtime-fusion", "Fused runtime signals indicate container escape activity",
      "Runtime telemetry for container '" + container + "' on pod '" + OrDefault(first.resource_name, "<unknown>") +
          "' in namespace '" + OrDefault(first.ns, "<cluster>") + "' reported suspicious signals from " + source_text +
          ": " + signal_text +
          ". These Falco/Tracee indicators map to post-compromise container breakout or host-interaction behavior "
          "and are fused on container ID when multiple engines or signals align. (MITRE T1611)",
      severity, "T1611", actor, TargetString("pods", first.ns, first.resource_name), group.front()->time_ms,
      group.back()->time_ms,
      {{"container.id", container},
       {"pod.name", first.resource_name},
       {"namespace", first.ns},
       {"runtime.sources", Join(sources, ", ")},
       {"runtime.signals", signal_text},
       {"rule", "r5-runtime-fusion"}},
      static_cast<std::int64_t>(group.size()), now));
}

void Rule5(const std::vector<const Event*>& events, std::int64_t now, std::vector<Finding>& out) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Event*>> buckets;
  for (const Event* e : events) {
    if (!e->runtime) continue;
    std::string key = !e->container_id.empty() ? e->container_id
                                               : e->ns + "|" + e->resource_name + "|" + e->runtime_signal;
    auto [it, inserted] = buckets.try_emplace(key);
    if (inserted) order.push_back(key);
    it->second.push_back(e);
  }
  for (const std::string& key : order) {
    std::vector<const Event*>& bucket = buckets[key];
    std::stable_sort(bucket.begin(), bucket.end(),
                     [](const Event* a, const Event* b) { return a->time_ms < b->time_ms; });
    std::vector<const Event*> group;
    for (const Event* e : bucket) {
      if (!group.empty() && e->time_ms - group.back()->time_ms > kRuntimeFusionWindowMs) {
        RenderRuntimeGroup(group, now, out);
        group.clear();
      }
      group.push_back(e);
    }
    RenderRuntimeGroup(group, now, out);
  }
}

}  // namespace

const char* FindingFormatName(FindingFormat format) noexcept {
  return format == FindingFormat::kNative ? "native" : "ocsf";
}

Result<FindingFormat> ParseFindingFormat(std::string_view name) {
  if (name == "ocsf") return FindingFormat::kOcsf;
  if (name == "native") return FindingFormat::kNative;
  return InvalidArgumentError("unknown finding format `" + std::string(name) + "` (expected ocsf or native)");
}

Value FindingToValue(const Finding& f, FindingFormat format) {
  Value v = Value::MakeObject();
  if (format == FindingFormat::kNative) {
    v.Set("schema_mode", "native");
    v.Set("canonical_schema_version", kCanonicalSchemaVersion);
    v.Set("record_type", "detection_finding");
    v.Set("source_skill", kDetectorSkill);
    v.Set("output_format", "native");
    v.Set("finding_uid", f.uid);
    v.Set("event_uid", f.uid);
    v.Set("provider", "Kubernetes");
    v.Set("time_ms", f.time_ms);
    v.Set("severity", f.severity_id >= 5 ? "critical" : f.severity_id >= 4 ? "high" : "unknown");
    v.Set("severity_id", f.severity_id);
    v.Set("status", "success");
    v.Set("status_id", 1);
    v.Set("title", f.title);
    v.Set("description", f.description);
    Value types = Value::MakeArray();
    types.PushBack("k8s-" + f.rule);
    v.Set("finding_types", std::move(types));
    v.Set("first_seen_time_ms", f.first_seen_ms);
    v.Set("last_seen_time_ms", f.last_seen_ms);
    Value attack = Value::MakeObject();
    attack.Set("version", f.attack.version);
    attack.Set("tactic_uid", f.attack.tactic_uid);
    attack.Set("tactic_name", f.attack.tactic_name);
    attack.Set("technique_uid", f.attack.technique_uid);
    attack.Set("technique_name", f.attack.technique_name);
    Value attacks = Value::MakeArray();
    attacks.PushBack(std::move(attack));
    v.Set("mitre_attacks", std::move(attacks));
    v.Set("actor_name", f.actor);
    v.Set("target", f.target);
    v.Set("rule_name", f.rule);
    v.Set("observables", internal::ObservablesValue(f.observables));
    v.Set("evidence_count", f.evidence_count);
    return v;
  }
  v = internal::OcsfFindingHead(f.severity_id, f.time_ms, f.uid, kDetectorSkill,
                               {"detection-engineering", "kubernetes", "container-escape", f.rule});
  Value info = Value::MakeObject();
  info.Set("uid", f.uid);
  info.Set("title", f.title);
  info.Set("desc", f.description);
  Value types = Value::MakeArray();
  types.PushBack("k8s-" + f.rule);
  info.Set("types", std::move(types));
  info.Set("first_seen_time", f.first_seen_ms);
  info.Set("last_seen_time", f.last_seen_ms);
  Value attack = Value::MakeObject();
  attack.Set("version", f.attack.version);
  Value tactic = Value::MakeObject();
  tactic.Set("name", f.attack.tactic_name);
  tactic.Set("uid", f.attack.tactic_uid);
  attack.Set("tactic", std::move(tactic));
  Value technique = Value::MakeObject();
  technique.Set("name", f.attack.technique_name);
  technique.Set("uid", f.attack.technique_uid);
  attack.Set("technique", std::move(technique));
  Value attacks = Value::MakeArray();
  attacks.PushBack(std::move(attack));
  info.Set("attacks", std::move(attacks));
  v.Set("finding_info", std::move(info));
  v.Set("observables", internal::ObservablesValue(f.observables));
  Value evidence = Value::MakeObject();
  evidence.Set("events_observed", f.evidence_count);
  evidence.Set("first_seen_time", f.first_seen_ms);
  evidence.Set("last_seen_time", f.last_seen_ms);
  evidence.Set("raw_events", Value::MakeArray());
  v.Set("evidence", std::move(evidence));
  return v;
}

DetectResult Detect(const std::vector<EventSource>& sources, const DetectOptions& options) {
  DetectResult result;
  std::deque<Value> docs;  // stable addresses for request/response pointers
  std::vector<Event> events;
  for (const EventSource& source : sources) {
    internal::ForEachLine(source.text, [&](std::string_view line, std::int32_t line_no) {
      SourceLocation loc;
      loc.file = source.name;
      loc.line = line_no;
      Result<Value> parsed = ParseJson(line);
      if (!parsed.ok()) {
        result.errors.push_back(ParseError("not valid JSON: " + parsed.status().message(), loc));
        return;
      }
      if (!parsed->is_object()) {
        result.errors.push_back(ParseError("expected a JSON object, got " + internal::WithArticle(*parsed), loc));
        return;
      }
      docs.push_back(std::move(*parsed));
      internal::TypeDiag diag;
      Event e;
      std::string why = Normalize(docs.back(), diag, e);
      if (!why.empty()) {
        result.errors.push_back(InvalidArgumentError(why, loc));
        return;
      }
      if (!diag.problems.empty()) {
        // The event is still used (the member counts as absent), but say so.
        result.errors.push_back(InvalidArgumentError(diag.problems.front(), loc));
      }
      events.push_back(std::move(e));
    });
  }
  result.events = static_cast<std::int64_t>(events.size());
  std::vector<const Event*> sorted;
  sorted.reserve(events.size());
  for (const Event& e : events) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Event* a, const Event* b) { return a->time_ms < b->time_ms; });

  std::set<std::string> operators;
  for (const std::string& o : options.known_operators) {
    std::string t = internal::Trim(o);
    if (!t.empty()) operators.insert(t);
  }
  std::int64_t now = options.clock ? internal::ToMs(options.clock()) : 0;
  Rule1(sorted, now, result.findings);
  Rule2(sorted, now, result.findings);
  Rule3(sorted, now, result.findings);
  Rule4(sorted, operators, now, result.findings);
  Rule5(sorted, now, result.findings);
  std::stable_sort(result.findings.begin(), result.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.time_ms < b.time_ms; });
  return result;
}

}  // namespace kfix::escape
