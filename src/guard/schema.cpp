// The schema gate's built-in field table: pod spec, container, security
// contexts, probes, resources, service, PDB, HPA, job and controller fields.
// Field names not in a modelled structure are rejected; subtrees kfix does
// not model are typed "any".
#include "guard/schema.hpp"

#include <map>
#include <string_view>
#include <vector>

#include "remediate/builder.hpp"

namespace kfix::internal {

namespace {

enum class K { kString, kInt, kBool, kIntOrString, kQuantity, kStringMap, kQuantityMap, kStringArray, kStruct,
               kStructArray, kAny };

struct Struct;
struct FieldSpec {
  std::string_view name;
  K kind;
  const Struct* sub = nullptr;
};
struct Struct {
  std::string_view name;
  std::vector<FieldSpec> fields;
  const FieldSpec* Find(std::string_view n) const {
    for (const FieldSpec& f : fields) {
      if (f.name == n) return &f;
    }
    return nullptr;
  }
};

struct Tables {
  Struct meta{"ObjectMeta", {}}, sel{"LabelSelector", {}}, caps{"Capabilities", {}}, seccomp{"SeccompProfile", {}},
      sc{"SecurityContext", {}}, sysctl{"Sysctl", {}}, psc{"PodSecurityContext", {}}, rr{"ResourceRequirements", {}},
      http{"HTTPGetAction", {}}, tcp{"TCPSocketAction", {}}, grpc{"GRPCAction", {}}, probe{"Probe", {}},
      cport{"ContainerPort", {}}, env{"EnvVar", {}}, mount{"VolumeMount", {}}, container{"Container", {}},
      eph{"EphemeralContainer", {}}, hostpath{"HostPathVolumeSource", {}}, emptydir{"EmptyDirVolumeSource", {}},
      volume{"Volume", {}}, term{"PodAffinityTerm", {}}, wterm{"WeightedPodAffinityTerm", {}},
      anti{"PodAntiAffinity", {}}, affinity{"Affinity", {}}, podspec{"PodSpec", {}}, tmpl{"PodTemplateSpec", {}},
      deploy{"DeploymentSpec", {}}, sts{"StatefulSetSpec", {}}, ds{"DaemonSetSpec", {}}, rs{"ReplicaSetSpec", {}},
      rc{"ReplicationControllerSpec", {}}, job{"JobSpec", {}}, jobtmpl{"JobTemplateSpec", {}}, cron{"CronJobSpec", {}},
      sport{"ServicePort", {}}, svc{"ServiceSpec", {}}, pdb{"PodDisruptionBudgetSpec", {}}, hpa{"HPASpec", {}};
  std::map<std::string_view, Struct> roots;

  Tables() {
    meta.fields = {{"name", K::kString}, {"namespace", K::kString}, {"labels", K::kStringMap},
                   {"annotations", K::kStringMap}, {"generateName", K::kString}, {"ownerReferences", K::kAny},
                   {"finalizers", K::kStringArray}, {"uid", K::kString}, {"resourceVersion", K::kString},
                   {"generation", K::kInt}, {"creationTimestamp", K::kAny}, {"deletionTimestamp", K::kAny},
                   {"deletionGracePeriodSeconds", K::kInt}, {"managedFields", K::kAny}, {"selfLink", K::kString}};
    sel.fields = {{"matchLabels", K::kStringMap}, {"matchExpressions", K::kAny}};
    caps.fields = {{"add", K::kStringArray}, {"drop", K::kStringArray}};
    seccomp.fields = {{"type", K::kString}, {"localhostProfile", K::kString}};
    sc.fields = {{"capabilities", K::kStruct, &caps}, {"privileged", K::kBool}, {"seLinuxOptions", K::kAny},
                 {"windowsOptions", K::kAny}, {"runAsUser", K::kInt}, {"runAsGroup", K::kInt},
                 {"runAsNonRoot", K::kBool}, {"readOnlyRootFilesystem", K::kBool},
                 {"allowPrivilegeEscalation", K::kBool}, {"procMount", K::kString},
                 {"seccompProfile", K::kStruct, &seccomp}, {"appArmorProfile", K::kAny}};
    sysctl.fields = {{"name", K::kString}, {"value", K::kString}};
    psc.fields = {{"seLinuxOptions", K::kAny}, {"windowsOptions", K::kAny}, {"runAsUser", K::kInt},
                  {"runAsGroup", K::kInt}, {"runAsNonRoot", K::kBool}, {"supplementalGroups", K::kAny},
                  {"supplementalGroupsPolicy", K::kString}, {"fsGroup", K::kInt},
                  {"sysctls", K::kStructArray, &sysctl}, {"fsGroupChangePolicy", K::kString},
                  {"seccompProfile", K::kStruct, &seccomp}, {"appArmorProfile", K::kAny},
                  {"seLinuxChangePolicy", K::kString}};
    rr.fields = {{"limits", K::kQuantityMap}, {"requests", K::kQuantityMap}, {"claims", K::kAny}};
    http.fields = {{"path", K::kString}, {"port", K::kIntOrString}, {"host", K::kString}, {"scheme", K::kString},
                   {"httpHeaders", K::kAny}};
    tcp.fields = {{"port", K::kIntOrString}, {"host", K::kString}};
    grpc.fields = {{"port", K::kInt}, {"service", K::kString}};
    probe.fields = {{"exec", K::kAny}, {"httpGet", K::kStruct, &http}, {"tcpSocket", K::kStruct, &tcp},
                    {"grpc", K::kStruct, &grpc}, {"initialDelaySeconds", K::kInt}, {"timeoutSeconds", K::kInt},
                    {"periodSeconds", K::kInt}, {"successThreshold", K::kInt}, {"failureThreshold", K::kInt},
                    {"terminationGracePeriodSeconds", K::kInt}};
    cport.fields = {{"name", K::kString}, {"hostPort", K::kInt}, {"containerPort", K::kInt},
                    {"protocol", K::kString}, {"hostIP", K::kString}};
    env.fields = {{"name", K::kString}, {"value", K::kString}, {"valueFrom", K::kAny}};
    mount.fields = {{"name", K::kString}, {"readOnly", K::kBool}, {"recursiveReadOnly", K::kString},
                    {"mountPath", K::kString}, {"subPath", K::kString}, {"mountPropagation", K::kString},
                    {"subPathExpr", K::kString}};
    std::vector<FieldSpec> common = {
        {"name", K::kString}, {"image", K::kString}, {"command", K::kStringArray}, {"args", K::kStringArray},
        {"workingDir", K::kString}, {"envFrom", K::kAny}, {"env", K::kStructArray, &env},
        {"volumeMounts", K::kStructArray, &mount}, {"volumeDevices", K::kAny},
        {"terminationMessagePath", K::kString}, {"terminationMessagePolicy", K::kString},
        {"imagePullPolicy", K::kString}, {"securityContext", K::kStruct, &sc}, {"stdin", K::kBool},
        {"stdinOnce", K::kBool}, {"tty", K::kBool}, {"restartPolicy", K::kString}};
    container.fields = common;
    for (FieldSpec f : std::vector<FieldSpec>{{"ports", K::kStructArray, &cport},
                                              {"resources", K::kStruct, &rr},
                                              {"resizePolicy", K::kAny},
                                              {"livenessProbe", K::kStruct, &probe},
                                              {"readinessProbe", K::kStruct, &probe},
                                              {"startupProbe", K::kStruct, &probe},
                                              {"lifecycle", K::kAny}})
      container.fields.push_back(f);
    // Ephemeral containers cannot carry ports, resources, probes or lifecycle.
    eph.fields = common;
    eph.fields.push_back({"targetContainerName", K::kString});
    hostpath.fields = {{"path", K::kString}, {"type", K::kString}};
    emptydir.fields = {{"medium", K::kString}, {"sizeLimit", K::kQuantity}};
    volume.fields = {{"name", K::kString}, {"hostPath", K::kStruct, &hostpath}, {"emptyDir", K::kStruct, &emptydir}};
    for (std::string_view src : {"secret", "configMap", "persistentVolumeClaim", "projected", "downwardAPI", "nfs",
                                 "csi", "ephemeral", "awsElasticBlockStore", "gcePersistentDisk", "gitRepo", "iscsi",
                                 "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile",
                                 "azureDisk", "vsphereVolume", "quobyte", "photonPersistentDisk", "portworxVolume",
                                 "scaleIO", "storageos", "image"})
      volume.fields.push_back({src, K::kAny});
    term.fields = {{"labelSelector", K::kStruct, &sel}, {"namespaces", K::kStringArray}, {"topologyKey", K::kString},
                   {"namespaceSelector", K::kAny}, {"matchLabelKeys", K::kStringArray},
                   {"mismatchLabelKeys", K::kStringArray}};
    wterm.fields = {{"weight", K::kInt}, {"podAffinityTerm", K::kStruct, &term}};
    anti.fields = {{"requiredDuringSchedulingIgnoredDuringExecution", K::kStructArray, &term},
                   {"preferredDuringSchedulingIgnoredDuringExecution", K::kStructArray, &wterm}};
    affinity.fields = {{"nodeAffinity", K::kAny}, {"podAffinity", K::kAny}, {"podAntiAffinity", K::kStruct, &anti}};
    podspec.fields = {
        {"containers", K::kStructArray, &container}, {"initContainers", K::kStructArray, &container},
        {"ephemeralContainers", K::kStructArray, &eph}, {"volumes", K::kStructArray, &volume},
        {"securityContext", K::kStruct, &psc}, {"serviceAccountName", K::kString}, {"serviceAccount", K::kString},
        {"automountServiceAccountToken", K::kBool}, {"hostNetwork", K::kBool}, {"hostPID", K::kBool},
        {"hostIPC", K::kBool}, {"hostUsers", K::kBool}, {"shareProcessNamespace", K::kBool},
        {"affinity", K::kStruct, &affinity}, {"nodeSelector", K::kStringMap}, {"tolerations", K::kAny},
        {"restartPolicy", K::kString}, {"terminationGracePeriodSeconds", K::kInt},
        {"activeDeadlineSeconds", K::kInt}, {"dnsPolicy", K::kString}, {"dnsConfig", K::kAny},
        {"hostname", K::kString}, {"subdomain", K::kString}, {"schedulerName", K::kString},
        {"priorityClassName", K::kString}, {"priority", K::kInt}, {"imagePullSecrets", K::kAny},
        {"nodeName", K::kString}, {"hostAliases", K::kAny}, {"readinessGates", K::kAny},
        {"runtimeClassName", K::kString}, {"enableServiceLinks", K::kBool}, {"preemptionPolicy", K::kString},
        {"overhead", K::kQuantityMap}, {"topologySpreadConstraints", K::kAny}, {"setHostnameAsFQDN", K::kBool},
        {"os", K::kAny}, {"schedulingGates", K::kAny}, {"resourceClaims", K::kAny}, {"resources", K::kStruct, &rr}};
    tmpl.fields = {{"metadata", K::kStruct, &meta}, {"spec", K::kStruct, &podspec}};
    deploy.fields = {{"replicas", K::kInt}, {"selector", K::kStruct, &sel}, {"template", K::kStruct, &tmpl},
                     {"strategy", K::kAny}, {"minReadySeconds", K::kInt}, {"revisionHistoryLimit", K::kInt},
                     {"paused", K::kBool}, {"progressDeadlineSeconds", K::kInt}};
    sts.fields = {{"replicas", K::kInt}, {"selector", K::kStruct, &sel}, {"template", K::kStruct, &tmpl},
                  {"volumeClaimTemplates", K::kAny}, {"serviceName", K::kString}, {"podManagementPolicy", K::kString},
                  {"updateStrategy", K::kAny}, {"revisionHistoryLimit", K::kInt}, {"minReadySeconds", K::kInt},
                  {"persistentVolumeClaimRetentionPolicy", K::kAny}, {"ordinals", K::kAny}};
    ds.fields = {{"selector", K::kStruct, &sel}, {"template", K::kStruct, &tmpl}, {"updateStrategy", K::kAny},
                 {"minReadySeconds", K::kInt}, {"revisionHistoryLimit", K::kInt}};
    rs.fields = {{"replicas", K::kInt}, {"minReadySeconds", K::kInt}, {"selector", K::kStruct, &sel},
                 {"template", K::kStruct, &tmpl}};
    rc.fields = {{"replicas", K::kInt}, {"minReadySeconds", K::kInt}, {"selector", K::kStringMap},
                 {"template", K::kStruct, &tmpl}};
    job.fields = {{"parallelism", K::kInt}, {"completions", K::kInt}, {"activeDeadlineSeconds", K::kInt},
                  {"podFailurePolicy", K::kAny}, {"successPolicy", K::kAny}, {"backoffLimit", K::kInt},
                  {"backoffLimitPerIndex", K::kInt}, {"maxFailedIndexes", K::kInt}, {"selector", K::kStruct, &sel},
                  {"manualSelector", K::kBool}, {"template", K::kStruct, &tmpl},
                  {"ttlSecondsAfterFinished", K::kInt}, {"completionMode", K::kString}, {"suspend", K::kBool},
                  {"podReplacementPolicy", K::kString}, {"managedBy", K::kString}};
    jobtmpl.fields = {{"metadata", K::kStruct, &meta}, {"spec", K::kStruct, &job}};
    cron.fields = {{"schedule", K::kString}, {"timeZone", K::kString}, {"startingDeadlineSeconds", K::kInt},
                   {"concurrencyPolicy", K::kString}, {"suspend", K::kBool}, {"jobTemplate", K::kStruct, &jobtmpl},
                   {"successfulJobsHistoryLimit", K::kInt}, {"failedJobsHistoryLimit", K::kInt}};
    sport.fields = {{"name", K::kString}, {"protocol", K::kString}, {"appProtocol", K::kString},
                    {"port", K::kInt}, {"targetPort", K::kIntOrString}, {"nodePort", K::kInt}};
    svc.fields = {{"ports", K::kStructArray, &sport}, {"selector", K::kStringMap}, {"clusterIP", K::kString},
                  {"clusterIPs", K::kStringArray}, {"type", K::kString}, {"externalIPs", K::kStringArray},
                  {"sessionAffinity", K::kString}, {"loadBalancerIP", K::kString},
                  {"loadBalancerSourceRanges", K::kStringArray}, {"externalName", K::kString},
                  {"externalTrafficPolicy", K::kString}, {"healthCheckNodePort", K::kInt},
                  {"publishNotReadyAddresses", K::kBool}, {"sessionAffinityConfig", K::kAny},
                  {"ipFamilies", K::kStringArray}, {"ipFamilyPolicy", K::kString},
                  {"allocateLoadBalancerNodePorts", K::kBool}, {"loadBalancerClass", K::kString},
                  {"internalTrafficPolicy", K::kString}, {"trafficDistribution", K::kString}};
    pdb.fields = {{"minAvailable", K::kIntOrString}, {"selector", K::kStruct, &sel},
                  {"maxUnavailable", K::kIntOrString}, {"unhealthyPodEvictionPolicy", K::kString}};
    hpa.fields = {{"scaleTargetRef", K::kAny}, {"minReplicas", K::kInt}, {"maxReplicas", K::kInt},
                  {"metrics", K::kAny}, {"behavior", K::kAny}, {"targetCPUUtilizationPercentage", K::kInt}};
    auto root = [&](std::string_view kind, Struct* spec) {
      Struct r{kind, {{"apiVersion", K::kString}, {"kind", K::kString}, {"metadata", K::kStruct, &meta},
                      {"spec", K::kStruct, spec}, {"status", K::kAny}}};
      roots.emplace(kind, std::move(r));
    };
    root("Pod", &podspec);
    root("Deployment", &deploy);
    root("StatefulSet", &sts);
    root("DaemonSet", &ds);
    root("ReplicaSet", &rs);
    root("ReplicationController", &rc);
    root("Job", &job);
    root("CronJob", &cron);
    root("Service", &svc);
    root("PodDisruptionBudget", &pdb);
    root("HorizontalPodAutoscaler", &hpa);
  }
};

const Tables& T() {
  static const Tables* t = new Tables();
  return *t;
}

bool IsIntValue(const Value& v) { return v.is_int() || (v.is_double() && v.as_double() == static_cast<double>(static_cast<std::int64_t>(v.as_double()))); }

std::string CheckValue(const Value& v, K kind, const Struct* sub, const std::string& at);

std::string CheckStruct(const Value& v, const Struct& s, const std::string& at) {
  if (v.is_null()) return {};
  if (!v.is_object()) return at + ": expected an object (" + std::string(s.name) + "), got " + v.type_name();
  for (const Member& m : v.as_object()) {
    const FieldSpec* f = s.Find(m.key);
    std::string child = at + "/" + JsonPointer::EscapeToken(m.key);
    if (!f) return child + ": unknown field \"" + m.key + "\" in " + std::string(s.name);
    std::string e = CheckValue(m.value, f->kind, f->sub, child);
    if (!e.empty()) return e;
  }
  return {};
}

std::string CheckValue(const Value& v, K kind, const Struct* sub, const std::string& at) {
  if (v.is_null()) return {};
  auto bad = [&](std::string_view expected) {
    return at + ": expected " + std::string(expected) + ", got " + v.type_name();
  };
  switch (kind) {
    case K::kAny: return {};
    case K::kString: return v.is_string() ? std::string() : bad("a string");
    case K::kInt: return IsIntValue(v) ? std::string() : bad("an integer");
    case K::kBool: return v.is_bool() ? std::string() : bad("a boolean");
    case K::kIntOrString: return (IsIntValue(v) || v.is_string()) ? std::string() : bad("an integer or string");
    case K::kQuantity: return (v.is_number() || v.is_string()) ? std::string() : bad("a quantity");
    case K::kStringMap:
    case K::kQuantityMap:
      if (!v.is_object()) return bad("a map");
      for (const Member& m : v.as_object()) {
        bool ok = m.value.is_string() || m.value.is_null() || (kind == K::kQuantityMap && m.value.is_number());
        if (!ok) return at + "/" + JsonPointer::EscapeToken(m.key) + ": expected a string, got " + m.value.type_name();
      }
      return {};
    case K::kStringArray:
      if (!v.is_array()) return bad("a list of strings");
      for (std::size_t i = 0; i < v.as_array().size(); ++i) {
        if (!v.as_array()[i].is_string()) return at + "/" + std::to_string(i) + ": expected a string";
      }
      return {};
    case K::kStruct: return CheckStruct(v, *sub, at);
    case K::kStructArray:
      if (!v.is_array()) return bad("a list");
      for (std::size_t i = 0; i < v.as_array().size(); ++i) {
        std::string e = CheckStruct(v.as_array()[i], *sub, at + "/" + std::to_string(i));
        if (!e.empty()) return e;
      }
      return {};
  }
  return {};
}

}  // namespace

bool SchemaKnowsKind(std::string_view kind) noexcept { return T().roots.count(kind) != 0; }

std::string SchemaCheckOp(const Value& object, const PatchOp& op) {
  const Value* kind_v = object.Find("kind");
  if (!kind_v || !kind_v->is_string()) return {};
  auto it = T().roots.find(kind_v->as_string());
  if (it == T().roots.end()) return {};
  // Walk the path through the table.
  const Struct* s = &it->second;
  K kind = K::kStruct;
  const Struct* sub = s;
  std::string at;
  const auto& tokens = op.path.tokens();
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& tok = tokens[i];
    at.append("/").append(JsonPointer::EscapeToken(tok));
    switch (kind) {
      case K::kStruct: {
        const FieldSpec* f = sub->Find(tok);
        if (!f) {
          // Removing a field the API does not define (the last token of a
          // remove) only makes the object more valid.
          if (op.op == PatchOpType::kRemove && i + 1 == tokens.size()) return {};
          return at + ": unknown field \"" + tok + "\" in " + std::string(sub->name);
        }
        kind = f->kind;
        sub = f->sub;
        break;
      }
      case K::kStructArray:
        if (tok != "-" && !ParseIndex(tok)) return at + ": \"" + tok + "\" is not an array index";
        kind = K::kStruct;
        break;
      case K::kStringArray:
        if (tok != "-" && !ParseIndex(tok)) return at + ": \"" + tok + "\" is not an array index";
        kind = K::kString;
        break;
      case K::kStringMap:
        kind = K::kString;
        break;
      case K::kQuantityMap:
        kind = K::kQuantity;
        break;
      case K::kAny:
        return {};
      default:
        return at + ": cannot descend into a scalar field";
    }
  }
  if (op.op == PatchOpType::kAdd || op.op == PatchOpType::kReplace) return CheckValue(op.value, kind, sub, at);
  return {};
}

}  // namespace kfix::internal
