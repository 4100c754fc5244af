// The container-escape remediation (playbooks.md §3.2-§3.7): live objects,
// policy names and manifests, the gates (Decide, CheckApplyGate: the only
// places that refuse), and Plan / Apply / Reverify.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "kfix/escape.hpp"
#include "playbooks/escape/util.hpp"

namespace kfix::escape {
namespace {

using internal::Clip;
using internal::Lower;
using internal::SelectorValue;
using internal::Trim;

const char* ResourceForKind(std::string_view kind) {
  static const std::pair<const char*, const char*> kKinds[] = {
      {"Pod", "pods"},
      {"Deployment", "deployments"},
      {"DaemonSet", "daemonsets"},
      {"StatefulSet", "statefulsets"},
      {"ReplicaSet", "replicasets"},
      {"ReplicationController", "replicationcontrollers"},
      {"Job", "jobs"},
      {"CronJob", "cronjobs"},
      {"Node", "nodes"},
      {"NetworkPolicy", "networkpolicies"},
  };
  for (const auto& [k, r] : kKinds) {
    if (kind == k) return r;
  }
  return nullptr;
}

std::string Key(std::string_view resource, std::string_view ns, std::string_view name) {
  std::string k(resource);
  k += '/';
  k += ns;
  k += '/';
  k += name;
  return k;
}

bool IsWorkloadType(std::string_view t) {
  static const std::set<std::string, std::less<>> k = {"deployments", "daemonsets", "statefulsets", "replicasets",
                                                      "replicationcontrollers", "jobs", "cronjobs"};
  return k.count(t) != 0;
}

// Labels as a Selector: string values as they are, integers and booleans in
// their YAML spelling (kubectl quotes them, hand-written files may not).
Selector LabelsOf(const Value* labels) {
  Selector out;
  if (labels == nullptr || !labels->is_object()) return out;
  for (const Member& m : labels->as_object()) {
    const Value& v = m.value;
    if (v.is_string()) out[m.key] = v.as_string();
    else if (v.is_int()) out[m.key] = std::to_string(v.as_int());
    else if (v.is_bool()) out[m.key] = v.as_bool() ? "true" : "false";
  }
  return out;
}


Selector WorkloadSelector(const Value& workload, std::string_view type) {
  const Value* spec = workload.Find("spec");
  if (type == "cronjobs" && spec != nullptr) spec = spec->FindPath({"jobTemplate", "spec"});
  if (spec == nullptr || !spec->is_object()) return {};
  Selector s = LabelsOf(spec->FindPath({"selector", "matchLabels"}));
  if (!s.empty()) return s;
  return LabelsOf(spec->FindPath({"template", "metadata", "labels"}));
}

std::string NodeNameOf(const Value* pod) {
  const Value* n = pod != nullptr ? pod->FindPath({"spec", "nodeName"}) : nullptr;
  return n != nullptr && n->is_string() ? n->as_string() : std::string();
}

std::string ObservableValue(const InputFinding& f, const char* name) {
  auto it = f.observables.find(name);
  return it == f.observables.end() ? std::string() : it->second;
}

bool Destructive(ActionMode m) { return m != ActionMode::kQuarantine; }

const char* StepFor(ActionMode m) {
  switch (m) {
    case ActionMode::kPodKill: return "kill_target_pod";
    case ActionMode::kNodeDrain: return "cordon_and_drain_node";
    default: return "apply_quarantine_network_policy";
  }
}

std::string EndpointFor(const ResolvedTarget& r, ActionMode m) {
  switch (m) {
    case ActionMode::kPodKill:
      return "DELETE /api/v1/namespaces/" + r.target.namespace_ + "/pods/" + r.effective_pod_name;
    case ActionMode::kNodeDrain:
      return "PATCH /api/v1/nodes/" + r.node_name + " unschedulable=true + EVICT pods on node";
    default:
      return "UPSERT /apis/networking.k8s.io/v1/namespaces/" + r.target.namespace_ + "/networkpolicies/" +
             r.policy_name;
  }
}

const char* PlannedDetail(ActionMode m) {
  switch (m) {
    case ActionMode::kPodKill: return "dry-run: would delete the targeted pod after explicit HITL approval";
    case ActionMode::kNodeDrain:
      return "dry-run: would cordon the node and evict non-protected pods after dual approval";
    default: return "dry-run: would apply quarantine NetworkPolicy";
  }
}

std::int64_t NowMs(const RunOptions& o) { return o.clock ? internal::ToMs(o.clock()) : 0; }

RemediationRecord PlanShaped(const ResolvedTarget& r, ActionMode mode, const std::string& status,
                             const std::string& detail, bool dry_run, std::int64_t now) {
  RemediationRecord rec;
  rec.dry_run = dry_run;
  rec.target = r.target;
  rec.mode = mode;
  rec.policy_name = r.policy_name;
  rec.selector = r.selector;
  rec.actions.push_back(ActionStep{StepFor(mode), EndpointFor(r, mode), status, detail});
  rec.status = status;
  rec.time_ms = now;
  if (mode == ActionMode::kQuarantine) rec.manifest = r.manifest;
  rec.effective_pod_name = r.effective_pod_name;
  rec.node_name = r.node_name;
  return rec;
}

RemediationRecord SkipRecord(const Target& t, const std::string& status, const std::string& detail, bool dry_run,
                             std::int64_t now) {
  RemediationRecord rec;
  rec.skip = true;
  rec.dry_run = dry_run;
  rec.target = t;
  rec.status = status;
  rec.status_detail = detail;
  rec.time_ms = now;
  return rec;
}

// The record a Decide() refusal becomes (nothing for warnings).
void EmitRefusal(const Decision& d, Operation op, const RunOptions& options, const ApplyRequest* request,
                 RunResult& out) {
  if (!d.emit_record) {
    Status w = InvalidArgumentError(d.detail);
    out.warnings.push_back(w);
    return;
  }
  bool dry_run = op == Operation::kPlan;
  std::int64_t now = NowMs(options);
  if (d.plan_shaped) {
    RemediationRecord rec = PlanShaped(d.resolved, options.mode, d.status, d.detail, dry_run, now);
    if (request != nullptr) {
      rec.incident_id = request->incident_id;
      rec.approver = request->approver;
      rec.secondary_approver = request->second_approver;
    }
    out.records.emplace_back(std::move(rec));
    return;
  }
  out.records.emplace_back(SkipRecord(d.target, d.status, d.detail, dry_run, now));
}

}  // namespace

// ---- live objects ----------------------------------------------------------

void ClusterSnapshot::AddObjects(const std::vector<Manifest>& manifests) {
  for (const Manifest& m : manifests) AddObject(m.root);
}

void ClusterSnapshot::AddObject(const Value& object) {
  if (!object.is_object()) return;
  const Value* kind = object.Find("kind");
  const char* resource = kind != nullptr && kind->is_string() ? ResourceForKind(kind->as_string()) : nullptr;
  if (resource == nullptr) return;
  const Value* name = object.FindPath({"metadata", "name"});
  if (name == nullptr || !name->is_string() || name->as_string().empty()) return;
  std::string ns;
  if (std::string_view(resource) != "nodes") {
    const Value* n = object.FindPath({"metadata", "namespace"});
    ns = n != nullptr && n->is_string() && !n->as_string().empty() ? n->as_string() : "default";
  }
  std::string key = Key(resource, ns, name->as_string());
  if (std::string_view(resource) == "pods") {
    if (auto old = objects_.find(key); old != objects_.end()) pods_by_node_[NodeNameOf(&old->second)].erase(key);
    pods_by_node_[NodeNameOf(&object)].insert(key);
  }
  objects_[key] = object;
}

const Value* ClusterSnapshot::FindPod(std::string_view ns, std::string_view name) const {
  auto it = objects_.find(Key("pods", ns, name));
  return it == objects_.end() ? nullptr : &it->second;
}
const Value* ClusterSnapshot::FindWorkload(std::string_view type, std::string_view ns, std::string_view name) const {
  if (!IsWorkloadType(type)) return nullptr;
  auto it = objects_.find(Key(type, ns, name));
  return it == objects_.end() ? nullptr : &it->second;
}
const Value* ClusterSnapshot::FindNode(std::string_view name) const {
  auto it = objects_.find(Key("nodes", "", name));
  return it == objects_.end() ? nullptr : &it->second;
}
const Value* ClusterSnapshot::FindNetworkPolicy(std::string_view ns, std::string_view name) const {
  auto it = objects_.find(Key("networkpolicies", ns, name));
  return it == objects_.end() ? nullptr : &it->second;
}
std::vector<const Value*> ClusterSnapshot::PodsOnNode(std::string_view node) const {
  std::vector<const Value*> out;
  if (node.empty()) return out;
  auto it = pods_by_node_.find(std::string(node));
  if (it == pods_by_node_.end()) return out;
  for (const std::string& key : it->second) out.push_back(&objects_.at(key));  // keys sort by namespace/name
  return out;
}

// ---- names, manifests --------------------------------------------------------

const char* ActionModeName(ActionMode mode) noexcept {
  switch (mode) {
    case ActionMode::kPodKill: return "pod-kill";
    case ActionMode::kNodeDrain: return "node-drain";
    default: return "quarantine";
  }
}

Result<ActionMode> ParseActionMode(std::string_view name) {
  if (name == "quarantine") return ActionMode::kQuarantine;
  if (name == "pod-kill") return ActionMode::kPodKill;
  if (name == "node-drain") return ActionMode::kNodeDrain;
  return InvalidArgumentError("unknown mode `" + std::string(name) + "` (expected quarantine, pod-kill or node-drain)");
}

const std::vector<std::string>& DefaultProtectedNamespaces() {
  static const std::vector<std::string> k = {"kube-system", "kube-public", "istio-system", "linkerd", "linkerd-"};
  return k;
}

std::string ProtectedNamespaceMatch(std::string_view ns, const std::vector<std::string>& patterns) {
  std::string value = Lower(Trim(ns));
  for (const std::string& pattern : patterns) {
    std::string needle = Lower(pattern);
    if (needle.empty()) continue;
    bool hit = needle.back() == '-' ? value.rfind(needle, 0) == 0 : value == needle;
    if (hit) return pattern;
  }
  return {};
}

std::string SelectorJson(const Selector& selector) {
  // std::map orders keys bytewise, which for UTF-8 is code-point order:
  // Python's sort_keys order.
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : selector) {
    if (!first) out += ',';
    first = false;
    out += internal::PyJsonQuote(k);
    out += ':';
    out += internal::PyJsonQuote(v);
  }
  return out + "}";
}

std::string PolicyName(std::string_view ns, std::string_view resource_type, std::string_view resource_name,
                       const Selector& selector) {
  std::string material = std::string(ns) + "|" + std::string(resource_type) + "|" + std::string(resource_name) + "|" +
                         SelectorJson(selector);
  std::string digest = Sha256Hex(material).substr(0, 10);
  std::string base;
  for (char c : Lower(resource_name)) {
    if (c == '_' || c == '.') c = '-';
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') base += c;
  }
  std::size_t b = base.find_first_not_of('-');
  base = b == std::string::npos ? std::string() : base.substr(b, base.find_last_not_of('-') - b + 1);
  if (base.empty()) base = "target";
  std::string name = "ce-quarantine-" + base.substr(0, 35) + "-" + digest;
  if (name.size() > 63) name.resize(63);
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name;
}

Value QuarantineManifest(std::string_view ns, std::string_view policy_name, const Selector& selector) {
  Value m = Value::MakeObject();
  m.Set("apiVersion", "networking.k8s.io/v1");
  m.Set("kind", "NetworkPolicy");
  Value md = Value::MakeObject();
  md.Set("name", policy_name);
  md.Set("namespace", ns);
  Value labels = Value::MakeObject();
  labels.Set("app.kubernetes.io/managed-by", kRemediationSkill);
  labels.Set("security.company.io/quarantine", "true");
  md.Set("labels", std::move(labels));
  m.Set("metadata", std::move(md));
  Value spec = Value::MakeObject();
  Value pod_selector = Value::MakeObject();
  pod_selector.Set("matchLabels", SelectorValue(selector));
  spec.Set("podSelector", std::move(pod_selector));
  Value types = Value::MakeArray();
  types.PushBack("Ingress");
  types.PushBack("Egress");
  spec.Set("policyTypes", std::move(types));
  spec.Set("ingress", Value::MakeArray());
  spec.Set("egress", Value::MakeArray());
  m.Set("spec", std::move(spec));
  return m;
}

// ---- gates --------------------------------------------------------------------

std::vector<std::string> SplitClusterList(std::string_view list) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    std::size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    std::string item = Trim(list.substr(pos, comma - pos));
    if (!item.empty()) out.push_back(item);
    pos = comma + 1;
  }
  return out;
}

Status CheckApplyGate(const ApplyRequest& r, ActionMode mode) {
  if (Trim(r.incident_id).empty()) return PermissionDeniedError("an incident id is required to apply");
  if (Trim(r.approver).empty()) return PermissionDeniedError("an approver is required to apply");
  if (Trim(r.cluster_name).empty()) return PermissionDeniedError("a cluster name is required to apply");
  if (r.allowed_clusters.empty()) return PermissionDeniedError("an allow-list of clusters is required to apply");
  if (std::find(r.allowed_clusters.begin(), r.allowed_clusters.end(), r.cluster_name) == r.allowed_clusters.end()) {
    return PermissionDeniedError("cluster `" + Clip(r.cluster_name) + "` is not listed in the allowed clusters");
  }
  if (mode == ActionMode::kNodeDrain) {
    if (Trim(r.second_approver).empty()) return PermissionDeniedError("node-drain requires a second approver");
    if (r.second_approver == r.approver) {
      return PermissionDeniedError("the second approver must differ from the first approver");
    }
  }
  return Status::Ok();
}

Decision Decide(const InputFinding& f, const ClusterSnapshot& cluster, Operation op, const RunOptions& options,
                const ApplyRequest& request) {
  Decision d;
  auto refuse = [&d](const char* status, std::string detail) {
    d.proceed = false;
    d.status = status;
    d.detail = std::move(detail);
    return d;
  };
  // 0. producer lock and target extraction: warnings, no record.
  if (f.producer != kDetectorSkill) {
    d.emit_record = false;
    return refuse("skipped_wrong_source", "skipping finding from unaccepted producer `" +
                                              (f.producer.empty() ? std::string("<missing>") : Clip(f.producer)) +
                                              "`");
  }
  Target& t = d.target;
  t.producer = f.producer;
  t.finding_uid = f.finding_uid;
  t.namespace_ = ObservableValue(f, "namespace");
  t.pod_name = ObservableValue(f, "pod.name");
  t.resource_type = ObservableValue(f, "resource.type");
  t.resource_name = ObservableValue(f, "resource.name");
  if (!f.target.empty()) {
    std::vector<std::string> parts;
    std::size_t pos = 0;
    while (pos <= f.target.size()) {
      std::size_t slash = f.target.find('/', pos);
      if (slash == std::string::npos) slash = f.target.size();
      if (slash > pos) parts.push_back(f.target.substr(pos, slash - pos));
      pos = slash + 1;
    }
    if (parts.size() >= 3) {
      if (t.resource_type.empty()) t.resource_type = parts[0];
      if (t.namespace_.empty()) t.namespace_ = parts[1];
      if (t.resource_name.empty()) t.resource_name = parts[2];
    }
  }
  if (!t.pod_name.empty()) {
    if (t.resource_type.empty()) t.resource_type = "pods";
    if (t.resource_name.empty()) t.resource_name = t.pod_name;
  }
  if (t.namespace_.empty() || t.resource_type.empty() || t.resource_name.empty()) {
    d.emit_record = false;
    return refuse("missing_target_context",
                  "skipping finding without enough namespace/resource context for quarantine planning");
  }
  bool apply = op == Operation::kApply;
  // 1. protected namespace, before any read.
  if (std::string hit = ProtectedNamespaceMatch(t.namespace_, options.protected_namespaces); !hit.empty()) {
    return refuse(apply ? "skipped_deny_list" : "would-violate-deny-list",
                  "namespace `" + Clip(t.namespace_) + "` matched protected pattern `" + hit + "`");
  }
  // 2-3. cluster boundary (apply).
  if (apply) {
    if (Trim(request.cluster_name).empty()) {
      return refuse("skipped_cluster_boundary", "a cluster name is required to apply");
    }
    if (std::find(request.allowed_clusters.begin(), request.allowed_clusters.end(), request.cluster_name) ==
        request.allowed_clusters.end()) {
      return refuse("skipped_cluster_boundary",
                    "cluster `" + Clip(request.cluster_name) + "` is not listed in the allowed clusters");
    }
  }
  // 4. selector from the live objects.
  ResolvedTarget& r = d.resolved;
  r.target = t;
  r.effective_pod_name = t.pod_name;
  const Value* pod = nullptr;
  if (!t.pod_name.empty() || t.resource_type == "pods") {
    if (t.pod_name.empty()) r.effective_pod_name = t.resource_name;
    pod = cluster.FindPod(t.namespace_, r.effective_pod_name);
    if (pod != nullptr) r.selector = LabelsOf(pod->FindPath({"metadata", "labels"}));
    r.node_name = NodeNameOf(pod);
  } else if (const Value* w = cluster.FindWorkload(t.resource_type, t.namespace_, t.resource_name)) {
    r.selector = WorkloadSelector(*w, t.resource_type);
  }
  // Re-verifying a pod kill or a drain: the pod being gone is the expected
  // state, so its labels are not needed (the action uid then hashes {}).
  bool destructive_reverify = op == Operation::kReverify && Destructive(options.mode) && pod == nullptr &&
                              !r.effective_pod_name.empty();
  // An unreachable cluster cannot resolve anything: re-verification goes on
  // to report `unreachable`, never a skip or a silent pass.
  bool unreachable = op == Operation::kReverify && !cluster.unreachable().ok();
  if (r.selector.empty() && !destructive_reverify && !unreachable) {
    return refuse("skipped_unsupported_target", "could not resolve a pod or workload selector for quarantine planning");
  }
  if (r.node_name.empty() && op == Operation::kReverify) r.node_name = options.node_name;
  r.policy_name = PolicyName(t.namespace_, t.resource_type, t.resource_name, r.selector);
  r.manifest = QuarantineManifest(t.namespace_, r.policy_name, r.selector);
  // 5. destructive modes need an explicit pod.
  if (Destructive(options.mode) && r.effective_pod_name.empty()) {
    return refuse("skipped_unsupported_target",
                  "destructive response requires an explicit pod target (`pod.name`) from the detector");
  }
  // 6. node drain: a node, and no protected co-tenant.
  if (options.mode == ActionMode::kNodeDrain && !unreachable) {
    if (r.node_name.empty()) {
      return refuse("skipped_unsupported_target", "could not resolve node name for drain planning");
    }
    for (const Value* p : cluster.PodsOnNode(r.node_name)) {
      const Value* pns = p->FindPath({"metadata", "namespace"});
      const Value* pname = p->FindPath({"metadata", "name"});
      std::string ns = pns != nullptr && pns->is_string() ? pns->as_string() : std::string("default");
      std::string name = pname != nullptr && pname->is_string() ? pname->as_string() : std::string();
      if (std::string hit = ProtectedNamespaceMatch(ns, options.protected_namespaces); !hit.empty()) {
        d.plan_shaped = true;
        return refuse(apply ? "skipped_deny_list" : "would-violate-deny-list",
                      "node drain would touch protected pod `" + ns + "/" + name + "` matched `" + hit + "`");
      }
      d.node_pods.push_back(ns + "/" + name);
    }
  }
  d.proceed = true;
  return d;
}

// ---- plan / apply / reverify ----------------------------------------------------

namespace {

Status Located(Status s, const InputFinding& f) { return s.WithDefaultLocation(f.where); }

}  // namespace

RunResult Plan(const std::vector<InputFinding>& findings, const ClusterSnapshot& cluster, const RunOptions& options) {
  RunResult out;
  for (const InputFinding& f : findings) {
    Decision d = Decide(f, cluster, Operation::kPlan, options, ApplyRequest{});
    if (!d.proceed) {
      EmitRefusal(d, Operation::kPlan, options, nullptr, out);
      if (!d.emit_record) out.warnings.back() = Located(out.warnings.back(), f);
      continue;
    }
    out.records.emplace_back(
        PlanShaped(d.resolved, options.mode, "planned", PlannedDetail(options.mode), true, NowMs(options)));
  }
  return out;
}

namespace {

AuditEnvelope Envelope(const ResolvedTarget& r, ActionMode mode, const ApplyRequest& req, const char* status,
                       std::string detail, std::chrono::system_clock::time_point at) {
  AuditEnvelope e;
  e.target = r.target;
  e.step = StepFor(mode);
  e.status = status;
  e.status_detail = std::move(detail);
  e.incident_id = req.incident_id;
  e.approver = req.approver;
  e.policy_name = r.policy_name;
  e.mode = mode;
  e.action_at = internal::IsoFormatUtc(at);
  e.secondary_approver = req.second_approver;
  e.row_uid = internal::HashId("rce-",
                               r.target.namespace_ + "|" + r.target.resource_type + "|" + r.target.resource_name + "|" +
                                   e.step + "|" + e.action_at,
                               16);
  return e;
}

AuditRef RefOf(const AuditEnvelope& e, const AuditEntry* entry) {
  AuditRef ref;
  ref.row_uid = e.row_uid;
  const std::string& a = e.action_at;
  ref.evidence_key = "container-escape/audit/" + a.substr(0, 4) + "/" + a.substr(5, 2) + "/" + a.substr(8, 2) + "/" +
                     e.target.namespace_ + "/" + e.target.resource_name + "/" + a + "-" + e.step + ".json";
  if (entry != nullptr) {
    ref.log_seq = entry->seq;
    ref.log_hash = entry->hash;
  }
  return ref;
}

constexpr const char* kAuditType = "kfix.escape.remediation_audit";

}  // namespace

RunResult Apply(const std::vector<InputFinding>& findings, const ClusterSnapshot& cluster, const RunOptions& options,
                const ApplyRequest& request, AuditLog* log, const ActionExecutor& executor) {
  RunResult out;
  if (!options.clock) {
    out.status = InvalidArgumentError("apply needs a clock");
    return out;
  }
  out.status = CheckApplyGate(request, options.mode);
  if (!out.status.ok()) return out;
  const ActionMode mode = options.mode;
  for (const InputFinding& f : findings) {
    Decision d = Decide(f, cluster, Operation::kApply, options, request);
    if (!d.proceed) {
      EmitRefusal(d, Operation::kApply, options, &request, out);
      if (!d.emit_record) out.warnings.back() = Located(out.warnings.back(), f);
      continue;
    }
    const ResolvedTarget& r = d.resolved;
    std::string begin_detail = mode == ActionMode::kPodKill ? "about to delete pod `" + r.effective_pod_name + "`"
                               : mode == ActionMode::kNodeDrain
                                   ? "about to cordon node `" + r.node_name + "` and evict pods"
                                   : "about to apply quarantine NetworkPolicy";
    AuditEnvelope first = Envelope(r, mode, request, "in_progress", begin_detail, options.clock());
    std::optional<AuditEntry> first_entry;
    if (log != nullptr) {
      Result<AuditEntry> e = log->Begin(kAuditType, AuditEnvelopeToValue(first));
      if (!e.ok()) {
        out.status = Located(e.status(), f);
        return out;  // nothing was mutated: the step runs only after a durable in_progress entry
      }
      first_entry = std::move(*e);
    }
    RemediationRecord rec = PlanShaped(r, mode, "in_progress", "approved; handed to the adapter", false, NowMs(options));
    rec.has_audit = true;
    rec.audit = RefOf(first, first_entry ? &*first_entry : nullptr);
    rec.incident_id = request.incident_id;
    rec.approver = request.approver;
    rec.secondary_approver = request.second_approver;
    if (mode == ActionMode::kNodeDrain) rec.evict_pods = d.node_pods;
    out.records.emplace_back(first);
    if (!executor) {
      out.records.emplace_back(std::move(rec));
      continue;
    }
    Status done = executor(rec);
    std::string detail;
    if (done.ok()) {
      detail = mode == ActionMode::kPodKill ? "deleted pod `" + r.effective_pod_name + "`"
               : mode == ActionMode::kNodeDrain ? "cordoned node `" + r.node_name + "` and evicted " +
                                                      std::to_string(d.node_pods.size()) + " pod(s)"
                                                : "quarantine NetworkPolicy applied";
    } else {
      detail = done.message().empty() ? StatusCodeName(done.code()) : done.message();
    }
    AuditEnvelope second = Envelope(r, mode, request, done.ok() ? "success" : "failure", detail, options.clock());
    std::optional<AuditEntry> second_entry;
    Status complete_status;
    if (log != nullptr) {
      Result<AuditEntry> e = log->Complete(first_entry->seq, done.ok(), AuditEnvelopeToValue(second));
      if (e.ok()) second_entry = std::move(*e);
      else complete_status = Located(e.status(), f);
    }
    RemediationRecord final_rec = PlanShaped(r, mode, second.status, detail, false, NowMs(options));
    final_rec.has_audit = true;
    if (done.ok()) {
      final_rec.audit = RefOf(second, second_entry ? &*second_entry : nullptr);
      final_rec.incident_id = request.incident_id;
      final_rec.approver = request.approver;
      final_rec.secondary_approver = request.second_approver;
      if (mode == ActionMode::kNodeDrain) final_rec.drained_pods = d.node_pods;
    } else {
      final_rec.audit = rec.audit;  // the failure carries the first (in_progress) reference
    }
    out.records.emplace_back(second);
    out.records.emplace_back(std::move(final_rec));
    if (!complete_status.ok()) {
      out.status = complete_status;
      return out;
    }
  }
  return out;
}

namespace {

VerificationRecord Verification(const ResolvedTarget& r, const RunOptions& options, VerificationStatus status,
                                std::string expected, std::string actual, std::string detail) {
  VerificationRecord v;
  v.checked_at_ms = NowMs(options);
  v.remediated_at_ms = v.checked_at_ms;  // no audit lookup: within_sla is always true
  v.sla_deadline_ms = v.remediated_at_ms + options.sla_ms;
  v.action_uid = r.policy_name;
  v.target_identifier = r.target.namespace_ + "/" + r.target.resource_type + "/" + r.target.resource_name;
  v.original_finding_uid = r.target.finding_uid;
  v.status = status;
  v.expected_state = std::move(expected);
  v.actual_state = std::move(actual);
  v.detail = std::move(detail);
  v.target = r.target;
  v.policy_name = r.policy_name;
  v.selector = r.selector;
  v.endpoint = "GET /apis/networking.k8s.io/v1/namespaces/" + r.target.namespace_ + "/networkpolicies/" + r.policy_name;
  v.record_uid = internal::HashId("rev-",
                                  std::string(kRemediationSkill) + "|" + v.action_uid + "|" + v.target_identifier +
                                      "|" + std::to_string(v.checked_at_ms),
                                  16);
  return v;
}

std::string JsonOrNull(const Value* v) { return v == nullptr ? "null" : ToJson(*v, JsonStyle::kCompact); }

VerificationRecord VerifyOne(const ResolvedTarget& r, const ClusterSnapshot& cluster, const RunOptions& options) {
  const std::string& pod = r.effective_pod_name;
  std::string expected;
  switch (options.mode) {
    case ActionMode::kPodKill: expected = "pod `" + pod + "` absent after approved kill"; break;
    case ActionMode::kNodeDrain: expected = "node `" + r.node_name + "` cordoned and pod `" + pod + "` absent"; break;
    default:
      expected =
          "quarantine NetworkPolicy present, podSelector matches, deny-all (no ingress/egress, both policyTypes)";
  }
  if (!cluster.unreachable().ok()) {
    return Verification(r, options, VerificationStatus::kUnreachable, expected,
                        "api call raised; cannot determine state",
                        "kubernetes API unreachable: " + cluster.unreachable().message());
  }
  if (options.mode == ActionMode::kPodKill) {
    if (cluster.FindPod(r.target.namespace_, pod) != nullptr) {
      return Verification(r, options, VerificationStatus::kDrift, expected, "pod still exists in cluster",
                          "target pod still present after approved kill");
    }
    return Verification(r, options, VerificationStatus::kVerified, expected, "pod no longer present",
                        "target pod remains absent after approved kill");
  }
  if (options.mode == ActionMode::kNodeDrain) {
    const Value* node = cluster.FindNode(r.node_name);
    const Value* unsched = node != nullptr ? node->FindPath({"spec", "unschedulable"}) : nullptr;
    bool cordoned = internal::Truthy(unsched);
    bool present = cluster.FindPod(r.target.namespace_, pod) != nullptr;
    if (!cordoned || present) {
      return Verification(r, options, VerificationStatus::kDrift, expected,
                          std::string("node_unschedulable=") + (cordoned ? "true" : "false") +
                              " pod_present=" + (present ? "true" : "false"),
                          "node drain no longer holds expected cordon/absence state");
    }
    return Verification(r, options, VerificationStatus::kVerified, expected, "node unschedulable and target pod absent",
                        "node remains cordoned and target pod is absent");
  }
  const Value* policy = cluster.FindNetworkPolicy(r.target.namespace_, r.policy_name);
  if (policy == nullptr) {
    return Verification(r, options, VerificationStatus::kDrift, expected, "NetworkPolicy missing from cluster",
                        "quarantine NetworkPolicy not found");
  }
  const Value* spec = policy->Find("spec");
  const Value* match = spec != nullptr ? spec->FindPath({"podSelector", "matchLabels"}) : nullptr;
  Value actual_selector = match != nullptr && match->is_object() ? *match : Value::MakeObject();
  const Value* ingress = spec != nullptr ? spec->Find("ingress") : nullptr;
  const Value* egress = spec != nullptr ? spec->Find("egress") : nullptr;
  const Value* types = spec != nullptr ? spec->Find("policyTypes") : nullptr;
  std::set<std::string> type_set;
  bool types_ok = types != nullptr && types->is_array();
  if (types_ok) {
    for (const Value& t : types->as_array()) {
      if (!t.is_string()) types_ok = false;
      else type_set.insert(t.as_string());
    }
  }
  types_ok = types_ok && type_set == std::set<std::string>{"Egress", "Ingress"};
  bool empty_ingress = ingress != nullptr && ingress->is_array() && ingress->size() == 0;
  bool empty_egress = egress != nullptr && egress->is_array() && egress->size() == 0;
  if (actual_selector != SelectorValue(r.selector) || !empty_ingress || !empty_egress || !types_ok) {
    return Verification(r, options, VerificationStatus::kDrift, expected,
                        "selector=" + ToJson(actual_selector) + " ingress=" + JsonOrNull(ingress) +
                            " egress=" + JsonOrNull(egress) + " policyTypes=" + JsonOrNull(types),
                        "quarantine NetworkPolicy drifted from expected selector or deny-all shape");
  }
  return Verification(r, options, VerificationStatus::kVerified, expected,
                      "NetworkPolicy present and matching expected shape", "quarantine NetworkPolicy still present");
}

}  // namespace

RunResult Reverify(const std::vector<InputFinding>& findings, const ClusterSnapshot& cluster,
                   const RunOptions& options) {
  RunResult out;
  for (const InputFinding& f : findings) {
    Decision d = Decide(f, cluster, Operation::kReverify, options, ApplyRequest{});
    if (!d.proceed) {
      EmitRefusal(d, Operation::kReverify, options, nullptr, out);
      if (!d.emit_record) out.warnings.back() = Located(out.warnings.back(), f);
      continue;
    }
    out.records.emplace_back(VerifyOne(d.resolved, cluster, options));
  }
  return out;
}

}  // namespace kfix::escape
