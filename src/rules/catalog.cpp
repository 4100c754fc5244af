// The built-in catalog: kube-linter's 63 checks (names, templates, default
// parameters, default set, descriptions and remediations of kube-linter
// v0.8) plus kfix's remediation-pipeline extras. Severity, policy id and
// notes are kfix's.
#include <algorithm>

#include "rules/internal.hpp"

namespace kfix::internal {
namespace {

Value Obj(std::initializer_list<std::pair<const char*, Value>> members) {
  Value v = Value::MakeObject();
  for (const auto& [k, val] : members) v.Set(k, val);
  return v;
}

Value List(std::initializer_list<const char*> items) {
  Value v = Value::MakeArray();
  for (const char* s : items) v.PushBack(Value(s));
  return v;
}

constexpr Severity E = Severity::kError;
constexpr Severity W = Severity::kWarning;
constexpr Severity I = Severity::kInfo;

struct Def {
  const char* name;
  const char* policy;
  Severity severity;
  const char* template_name;
  Value params;
  std::vector<std::string> kinds;
  bool enabled;
  bool kube_linter;
  const char* description;
  const char* remediation;
  const char* notes;
};

std::vector<BuiltinSpec> BuildSpecs() {
  const std::vector<std::string> dl = {"DeploymentLike"};
  const std::vector<Def> defs = {
      {"access-to-create-pods", "", E, "access-to-resources",
       Obj({{"resources", List({"^pods$", "^deployments$", "^statefulsets$", "^replicasets$", "^cronjob$", "^jobs$",
                                "^daemonsets$"})},
            {"verbs", List({"^create$"})}}),
       {"ClusterRoleBinding", "RoleBinding"}, false, true,
       "Indicates when a subject (Group/User/ServiceAccount) has create access to Pods. CIS Benchmark 5.1.4: The "
       "ability to create pods in a cluster opens up possibilities for privilege escalation and should be restricted, "
       "where possible.",
       "Where possible, remove create access to pod objects in the cluster.",
       "Cross-object: resolves the bound Role/ClusterRole (and aggregated ClusterRoles) in the lint context. A "
       "RoleBinding is resolved against Roles only, as kube-linter does."},
      {"access-to-secrets", "", E, "access-to-resources",
       Obj({{"resources", List({"^secrets$"})},
            {"verbs", List({"^get$", "^list$", "^delete$", "^create$", "^watch$", "^*$"})}}),
       {"ClusterRoleBinding", "RoleBinding"}, false, true,
       "Indicates when a subject (Group/User/ServiceAccount) has access to Secrets. CIS Benchmark 5.1.2: Access to "
       "secrets should be restricted to the smallest possible group of users to reduce the risk of privilege "
       "escalation.",
       "Where possible, remove get, list and watch access to secret objects in the cluster.",
       "Cross-object, like access-to-create-pods. A \"*\" resource or verb always matches."},
      {"cluster-admin-role-binding", "", E, "cluster-admin-role-binding", Value::MakeObject(), {"ClusterRoleBinding"},
       false, true, "CIS Benchmark 5.1.1 Ensure that the cluster-admin role is only used where required",
       "Create and assign a separate role that has access to specific resources/actions needed for the service "
       "account.",
       ""},
      {"dangling-horizontalpodautoscaler", "", W, "dangling-horizontalpodautoscaler", Value::MakeObject(),
       {"HorizontalPodAutoscaler"}, false, true,
       "Indicates when HorizontalPodAutoscalers target a missing resource.",
       "Confirm that your HorizontalPodAutoscaler's scaleTargetRef correctly matches one of your deployments.",
       "Cross-object: scaleTargetRef kind, name and apiVersion (group/version) must match a workload in the lint "
       "context."},
      {"dangling-ingress", "", W, "dangling-ingress", Value::MakeObject(), {"Ingress"}, false, true,
       "Indicates when ingress do not have any associated services.",
       "Confirm that your ingress's backend correctly matches the name and port on one of your services.",
       "Cross-object: each networking.k8s.io/v1 backend (service name and port number or name) needs a Service of "
       "that name in the same namespace exposing that port. One finding per unmatched backend."},
      {"dangling-networkpolicy", "", W, "dangling-networkpolicy", Value::MakeObject(), {"NetworkPolicy"}, false, true,
       "Indicates when networkpolicies do not have any associated deployments.",
       "Confirm that your networkPolicy's podselector correctly matches the labels on one of your deployments.",
       "Cross-object: podSelector against pod template labels of workloads in the same namespace. The message keeps "
       "kube-linter's trailing space."},
      {"dangling-networkpolicypeer-podselector", "", W, "dangling-networkpolicypeer-podselector", Value::MakeObject(),
       {"NetworkPolicy"}, false, true,
       "Indicates when NetworkPolicyPeer in Egress/Ingress rules -in the Spec of NetworkPolicy- do not have any "
       "associated deployments. Applied on peer specified with podSelectors only.",
       "Confirm that your NetworkPolicy's Ingress/Egress peer's podselector correctly matches the labels on one of "
       "your deployments.",
       "Cross-object. Peers with a namespaceSelector are skipped."},
      {"dangling-service", "dangling_service", W, "dangling-service", Value::MakeObject(), {"Service"}, true, true,
       "Indicates when services do not have any associated deployments.",
       "Confirm that your service's selector correctly matches the labels on one of your deployments.",
       "Cross-object (same namespace string). As in kube-linter, a Service without a selector is reported (\"service "
       "has no selector specified\"); ExternalName services are skipped."},
      {"dangling-servicemonitor", "", W, "dangling-servicemonitor", Value::MakeObject(), {"ServiceMonitor"}, false,
       true,
       "Indicates when a service monitor's selectors don't match any service. ServiceMonitors are a custom resource "
       "only used by the Prometheus operator (https://prometheus-operator.dev/docs/operator/design/#servicemonitor).",
       "Check selectors and your services.", "Cross-object."},
      {"default-service-account", "", W, "service-account", Obj({{"serviceAccount", "^(|default)$"}}), dl, false, true,
       "Indicates when pods use the default service account.",
       "Create a dedicated service account for your pod. Refer to "
       "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/ for details.",
       "Pods with automountServiceAccountToken: false are not reported."},
      {"deprecated-service-account-field", "deprecated_service_account_field", W, "deprecated-service-account-field",
       Value::MakeObject(), dl, true, true, "Indicates when deployments use the deprecated serviceAccount field.",
       "Use the serviceAccountName field instead. If you must specify serviceAccount, ensure values for serviceAccount "
       "and serviceAccountName match.",
       ""},
      {"dnsconfig-options", "", I, "dnsconfig-options", Obj({{"Key", "ndots"}, {"Value", "2"}}), dl, false, true,
       "Alert on deployments that have no specified dnsConfig options",
       "Specify dnsconfig options in your Pod specification to ensure the expected DNS setting on the Pod. Refer to "
       "https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-dns-config for details.",
       ""},
      {"docker-sock", "no_host_path", E, "host-mounts", Obj({{"dirs", List({"docker.sock$"})}}), dl, true, true,
       "Alert on deployments with docker.sock mounted in containers. ",
       "Ensure the Docker socket is not mounted inside any containers by removing the associated  Volume and "
       "VolumeMount in deployment yaml specification. If the Docker socket is mounted inside a container it could "
       "allow processes running within  the container to execute Docker commands which would effectively allow for "
       "full control of the host.",
       "One finding per (matching volume, container mount); init and ephemeral containers included."},
      {"drop-net-raw-capability", "drop_capabilities", W, "verify-container-capabilities",
       Obj({{"forbiddenCapabilities", List({"NET_RAW"})}}), dl, true, true,
       "Indicates when containers do not drop NET_RAW capability",
       "NET_RAW makes it so that an application within the container is able to craft raw packets, use raw sockets, "
       "and bind to any address. Remove this capability in the containers under containers security contexts.",
       "As in kube-linter, only containers that set securityContext.capabilities are examined (a container without "
       "capabilities is not reported). NET_RAW is an unanchored regular expression (CAP_NET_RAW matches); ALL in drop "
       "satisfies it. Up to two findings per container (ADD and DROP)."},
      {"duplicate-env-var", "duplicate_env_var", W, "duplicate-env-var", Value::MakeObject(), dl, true, true,
       "Check that duplicate named env vars aren't passed to a deployment like.",
       "Confirm that your DeploymentLike doesn't have duplicate env vars names.",
       "Reported once per name, at its second occurrence."},
      {"env-value-from", "", W, "env-value-from", Obj({{"IgnoredSecrets", Value::MakeArray()}, {"IgnoredConfigMaps", Value::MakeArray()}}),
       dl, false, true, "Indicates when objects use a secret or configmap not included in the deployment.",
       "Change the name or key to match a secret / configmap in the deployment.",
       "Cross-object: Secrets (data, stringData) and ConfigMaps (data, binaryData) are looked up by name in the whole "
       "lint context, ignoring namespaces, as kube-linter does. optional: true references are skipped."},
      {"env-var-secret", "env_var_secret", W, "env-var", Obj({{"name", "(?i).*secret.*"}, {"value", ".+"}}), dl, true,
       true, "Indicates when objects use a secret in an environment variable.",
       "Do not use raw secrets in environment variables. Instead, either mount the secret as a file or use a "
       "secretKeyRef. Refer to https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets for details.",
       "Only literal non-empty values are reported (valueFrom has an empty value)."},
      {"exposed-services", "", W, "forbidden-service-types",
       Obj({{"forbiddenServiceTypes", List({"NodePort", "LoadBalancer"})}}), {"Service"}, false, true,
       "Alert on services for forbidden types",
       "Ensure containers are not exposed through a forbidden service type such as NodePort or LoadBalancer.", ""},
      {"host-ipc", "no_host_ipc", E, "host-ipc", Value::MakeObject(), dl, true, true,
       "Alert on pods/deployment-likes with sharing host's IPC namespace",
       "Ensure the host's IPC namespace is not shared.", ""},
      {"host-network", "no_host_network", E, "host-network", Value::MakeObject(), dl, true, true,
       "Alert on pods/deployment-likes with sharing host's network namespace",
       "Ensure the host's network namespace is not shared.", ""},
      {"host-pid", "no_host_pid", E, "host-pid", Value::MakeObject(), dl, true, true,
       "Alert on pods/deployment-likes with sharing host's process namespace",
       "Ensure the host's process namespace is not shared.", ""},
      {"hpa-minimum-three-replicas", "", I, "hpa-minimum-replicas", Obj({{"minReplicas", 3}}),
       {"HorizontalPodAutoscaler"}, false, true,
       "Indicates when a HorizontalPodAutoscaler specifies less than three minReplicas",
       "Increase the number of replicas in the HorizontalPodAutoscaler to at least three to increase fault tolerance.",
       "An absent minReplicas counts as 1 (the Kubernetes default)."},
      {"invalid-target-ports", "invalid_target_ports", W, "target-port", Value::MakeObject(),
       {"DeploymentLike", "Service"}, true, true,
       "Indicates when deployments or services are using port names that are violating specifications.",
       "Ensure that port naming is in conjunction with the specification. For more information, please look at the "
       "Kubernetes Service specification on this page: https://kubernetes.io/docs/reference/_print/#ServiceSpec. And "
       "additional information about IANA Service naming can be found on the following page: "
       "https://www.rfc-editor.org/rfc/rfc6335.html#section-5.1.",
       "One finding per violated IANA rule. A quoted numeric targetPort (\"8080\") is a name and fails \"at least one "
       "letter\", as in kube-linter."},
      {"job-ttl-seconds-after-finished", "job_ttl_after_finished", W, "job-ttl-seconds-after-finished",
       Value::MakeObject(), {"JobLike"}, true, true,
       "Indicates when standalone jobs do not set ttlSecondsAfterFinished and when jobs managed by cronjob do set "
       "ttlSecondsAfterFinished.",
       "Set Job.spec.ttlSecondsAfterFinished. Unset CronJob.Spec.JobTemplate.Spec.ttlSecondsAfterFinished.",
       ""},
      {"latest-tag", "no_latest_tag", W, "latest-tag",
       Obj({{"BlockList", List({".*:(latest)$", "^[^:]*$", "(.*/[^:]+)$"})}}), dl, true, true,
       "Indicates when a deployment-like object is running a container with an invalid container image",
       "Use a container image with a specific tag other than latest.",
       "Untagged images are reported too (including registry:port/name without a tag); digests are accepted. A "
       "container without an image is reported (the empty string matches the block list)."},
      {"liveness-port", "liveness_port", W, "liveness-port", Value::MakeObject(), dl, true, true,
       "Indicates when containers have a liveness probe to a not exposed port.",
       "Check which ports you've exposed and ensure they match what you have specified in the liveness probe.",
       "Regular containers only. Only TCP (or protocol-less) ports count; a named probe port must match a port name."},
      {"minimum-three-replicas", "", I, "minimum-replicas", Obj({{"minReplicas", 3}}), dl, false, true,
       "Indicates when a deployment uses less than three replicas",
       "Increase the number of replicas in the deployment to at least three to increase the fault tolerance of the "
       "deployment.",
       "Kinds with a replicas field: Deployment, StatefulSet, ReplicaSet, ReplicationController (absent counts as 1) "
       "and DeploymentConfig (absent reads as 0, a plain int32 in kube-linter's types)."},
      {"mismatching-selector", "mismatching_selector", W, "mismatching-selector", Value::MakeObject(), dl, true, true,
       "Indicates when deployment selectors fail to match the pod template labels.",
       "Confirm that your deployment selector correctly matches the labels in its pod template.",
       "Every kind with spec.selector (ReplicationController and DeploymentConfig label maps included); Pods have "
       "none. Jobs and CronJobs may omit the selector."},
      {"no-anti-affinity", "no_anti_affinity", I, "anti-affinity", Obj({{"minReplicas", 2}}), dl, true, true,
       "Indicates when deployments with multiple replicas fail to specify inter-pod anti-affinity, to ensure that the "
       "orchestrator attempts to schedule replicas on different nodes.",
       "Specify anti-affinity in your pod specification to ensure that the orchestrator attempts to schedule replicas "
       "on different nodes. Using podAntiAffinity, specify a labelSelector that matches pods for the deployment, and "
       "set the topologyKey to kubernetes.io/hostname. Refer to "
       "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity "
       "for details.",
       "Only kinds with a replicas field; absent replicas counts as 1, so a Deployment without replicas is not "
       "reported."},
      {"no-extensions-v1beta", "", W, "disallowed-api-obj", Obj({{"group", "extensions"}, {"version", "v1beta.+"}}),
       {"Any"}, true, true, "Indicates when objects use deprecated API versions under extensions/v1beta.",
       "Migrate using the apps/v1 API versions for the objects. Refer to "
       "https://kubernetes.io/blog/2019/07/18/api-deprecations-in-1-16/ for details.",
       ""},
      {"no-liveness-probe", "", I, "liveness-probe", Value::MakeObject(), dl, false, true,
       "Indicates when containers fail to specify a liveness probe.",
       "Specify a liveness probe in your container. Refer to "
       "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/ for "
       "details.",
       "Regular containers only (init and ephemeral containers cannot carry this probe)."},
      {"no-node-affinity", "", I, "no-node-affinity", Value::MakeObject(), dl, false, true,
       "Alert on deployments that have no node affinity defined",
       "Specify node-affinity in your pod specification to ensure that the orchestrator attempts to schedule replicas "
       "on specified nodes. Refer to "
       "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#node-affinity for details.",
       ""},
      {"no-read-only-root-fs", "read_only_root_fs", W, "read-only-root-fs", Value::MakeObject(), dl, true, true,
       "Indicates when containers are running without a read-only root filesystem.",
       "Set readOnlyRootFilesystem to true in the container securityContext.",
       "Init and ephemeral containers are checked too (kube-linter's AllContainers)."},
      {"no-readiness-probe", "", I, "readiness-probe", Value::MakeObject(), dl, false, true,
       "Indicates when containers fail to specify a readiness probe.",
       "Specify a readiness probe in your container. Refer to "
       "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/ for "
       "details.",
       "Regular containers only."},
      {"no-rolling-update-strategy", "", I, "update-configuration",
       Obj({{"strategyTypeRegex", "^(RollingUpdate|Rolling)$"}}), dl, false, true,
       "Indicates when a deployment doesn't use a rolling update strategy",
       "Use a rolling update strategy to avoid service disruption during an update. A rolling update strategy allows "
       "for pods to be systematicaly replaced in a controlled fashion to ensure no service disruption.",
       "Deployment/DeploymentConfig spec.strategy and DaemonSet/StatefulSet spec.updateStrategy; an unset type is "
       "reported (\"no strategy type\")."},
      {"non-existent-service-account", "non_existent_service_account", W, "non-existent-service-account",
       Value::MakeObject(), dl, true, true, "Indicates when pods reference a service account that is not found.",
       "Create the missing service account, or refer to an existing service account.",
       "Cross-object: a v1 ServiceAccount with the same name and the same metadata.namespace string must be in the "
       "lint context. \"default\" always exists."},
      {"non-isolated-pod", "", W, "non-isolated-pod", Value::MakeObject(), dl, false, true,
       "Alert on deployment-like objects that are not selected by any NetworkPolicy.",
       "Ensure pod does not accept unsafe traffic by isolating it with a NetworkPolicy. See "
       "https://cloud.redhat.com/blog/guide-to-kubernetes-ingress-network-policies for more details.",
       "Cross-object: NetworkPolicies of the same namespace string."},
      {"pdb-max-unavailable", "", W, "pdb-max-unavailable", Value::MakeObject(), {"PodDisruptionBudget"}, true, true,
       "Indicates when a PodDisruptionBudget has a maxUnavailable value that will always prevent disruptions of pods "
       "created by related deployment-like objects.",
       "Change the PodDisruptionBudget to have maxUnavailable set to a value greater than 0. Refer to "
       "https://kubernetes.io/docs/tasks/run-application/configure-pdb/ for more information.",
       "Surprising but kube-linter's behaviour: it reads only the integer part of the IntOrString, so any string "
       "value (\"50%\", even \"1\") is reported as 0."},
      {"pdb-min-available", "", W, "pdb-min-available", Value::MakeObject(), {"PodDisruptionBudget"}, true, true,
       "Indicates when a PodDisruptionBudget sets a minAvailable value that will always prevent disruptions of pods "
       "created by related deployment-like objects.",
       "Change the PodDisruptionBudget to have minAvailable set to a number lower than the number of replicas in the "
       "related deployment-like objects. Refer to https://kubernetes.io/docs/tasks/run-application/configure-pdb/ for "
       "more information.",
       "Cross-object: workloads in the same namespace whose selector string equals the PDB's (kube-linter compares "
       "selector strings, not label matches)."},
      {"pdb-unhealthy-pod-eviction-policy", "pdb_unhealthy_eviction_policy", W, "pdb-unhealthy-pod-eviction-policy",
       Value::MakeObject(), {"PodDisruptionBudget"}, true, true,
       "Indicates when a PodDisruptionBudget does not explicitly set the unhealthyPodEvictionPolicy field.",
       "Set unhealthyPodEvictionPolicy to AlwaysAllow. Refer to "
       "https://kubernetes.io/docs/tasks/run-application/configure-pdb/#unhealthy-pod-eviction-policy for more "
       "information.",
       "As kube-linter at its head of 2026-08-19: policy/v1 objects only (policy/v1beta1 has no "
       "unhealthyPodEvictionPolicy field; kube-linter decodes such objects to a type this check does not read)."},
      {"priority-class-name", "", I, "priority-class-name",
       Obj({{"acceptedPriorityClassNames", List({"system-cluster-critical", "system-node-critical"})}}), dl, false,
       true, "Indicates when a deployment-like object does not use a valid priority class name",
       "Set up the priority class name for your object to any accepted values.",
       "An empty priorityClassName is not reported."},
      {"privilege-escalation-container", "drop_capabilities", E, "privilege-escalation-container", Value::MakeObject(),
       dl, true, true,
       "Alert on containers of allowing privilege escalation that could gain more privileges than its parent process.",
       "Ensure containers do not allow privilege escalation by setting allowPrivilegeEscalation=false, "
       "privileged=false and removing CAP_SYS_ADMIN capability. See "
       "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/ for more details.",
       "Surprising but kube-linter's behaviour: an unset allowPrivilegeEscalation is NOT reported (use kfix's "
       "allow-privilege-escalation for that). At most one finding per container: APE true, else privileged, else "
       "SYS_ADMIN in capabilities.add (exact case)."},
      {"privileged-container", "no_privileged", E, "privileged", Value::MakeObject(), dl, true, true,
       "Indicates when deployments have containers running in privileged mode.",
       "Do not run your container as privileged unless it is required.", ""},
      {"privileged-ports", "", W, "privileged-ports", Value::MakeObject(), dl, false, true,
       "Alert on deployments with privileged ports mapped in containers",
       "Ensure privileged ports [0, 1024] are not mapped within containers.",
       "Reports containerPort 1..1023 (kube-linter's code, although the text says [0, 1024])."},
      {"read-secret-from-env-var", "", W, "read-secret-from-env-var", Value::MakeObject(), dl, false, true,
       "Indicates when a deployment reads secret from environment variables. CIS Benchmark 5.4.1: \"Prefer using "
       "secrets as files over secrets as environment variables. \"",
       "If possible, rewrite application code to read secrets from mounted secret files, rather than from environment "
       "variables. Refer to https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets for details.",
       ""},
      {"readiness-port", "readiness_port", W, "readiness-port", Value::MakeObject(), dl, true, true,
       "Indicates when containers have a readiness probe to a not exposed port.",
       "Check which ports you've exposed and ensure they match what you have specified in the readiness probe.",
       "Regular containers only."},
      {"required-annotation-email", "", I, "required-annotation",
       Obj({{"key", "email"}, {"value", "[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\\.[a-zA-Z0-9-.]+"}}), dl, false, true,
       "Indicates when objects do not have an email annotation with a valid email address.",
       "Add an email annotation to your object with the email address of the object's owner.", ""},
      {"required-label-owner", "", I, "required-label", Obj({{"key", "owner"}}), dl, false, true,
       "Indicates when objects do not have an email annotation with an owner label.",
       "Add an email annotation to your object with the name of the object's owner.",
       "Checks the owner label (kube-linter's description wrongly says annotation)."},
      {"restart-policy", "", I, "restart-policy", Value::MakeObject(), dl, false, true,
       "Indicates when a object deployment's like doesn't use a restart policy",
       "Set up the restart policy for your object to 'Always' or 'OnFailure' to increase the fault tolerance.",
       "An unset restartPolicy is reported (kube-linter reads the typed field without defaults)."},
      {"run-as-non-root", "run_as_non_root", W, "run-as-non-root", Value::MakeObject(), dl, true, true,
       "Indicates when containers are not set to runAsNonRoot.",
       "Set runAsUser to a non-zero number and runAsNonRoot to true in your pod or container securityContext. Refer to "
       "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/ for details.",
       "Container securityContext overrides the pod's for runAsNonRoot/runAsUser/runAsGroup. Passes when the "
       "effective runAsUser and runAsGroup are both > 0; otherwise reports runAsGroup 0, and (unless runAsNonRoot is "
       "effectively true) \"not set to runAsNonRoot\"; runAsNonRoot with runAsUser 0 is reported. Init and ephemeral "
       "containers included."},
      {"scc-deny-privileged-container", "", E, "scc-deny-privileged-container",
       Obj({{"AllowPrivilegedContainer", true}}), {"SecurityContextConstraints"}, false, true,
       "Indicates when allowPrivilegedContainer SecurityContextConstraints set to true",
       "SecurityContextConstraints has AllowPrivilegedContainer set to \"true\". Using this option is dangerous, "
       "please consider using allowedCapabilities instead. Refer to "
       "https://docs.openshift.com/container-platform/4.12/authentication/managing-security-context-constraints.html#scc-settings_configuring-internal-oauth "
       "for details.",
       ""},
      {"schema-validation", "", W, "kubeconform", Obj({{"strict", true}, {"ignoreMissingSchemas", true}}), {"Any"},
       false, true, "Validate Kubernetes resources against their schemas using kubeconform",
       "Fix the resource to conform to the Kubernetes API schema.",
       "As kube-linter at its head of 2026-08-19 (kubeconform, strict, ignoreMissingSchemas): one report per invalid "
       "object, `resource is not valid: ... - at '<pointer>': <cause>` listing every violation (unknown fields, "
       "wrong types, missing required fields), found at the first violation's line. kfix validates against its "
       "built-in schema table, generated from the Kubernetes OpenAPI (npm kubernetes-models, Kubernetes v1.36) and "
       "shared with the fix guard's schema gate, not against kubeconform's downloaded JSON schemas: no network, "
       "every built-in apiVersion the table has (legacy ones such as extensions/v1beta1 and apps/v1beta2 "
       "included); enum values and string formats are not checked; int-or-string and quantity type errors read "
       "`want integer or string` / `want number or string`. Kinds the table lacks (custom resources) are skipped."},
      {"sensitive-host-mounts", "no_host_path", E, "host-mounts",
       Obj({{"dirs", List({"^/$", "^/boot$", "^/dev$", "^/etc$", "^/lib$", "^/proc$", "^/sys$", "^/usr$"})}}), dl, true,
       true, "Alert on deployments with sensitive host system directories mounted in containers",
       "Ensure sensitive host system directories are not mounted in containers by removing those Volumes and "
       "VolumeMounts.",
       "One finding per (matching volume, container mount)."},
      {"sorted-keys", "", I, "sorted-keys", Obj({{"recursive", true}}), {"Any"}, false, true,
       "Check that YAML keys are sorted in alphabetical order wherever possible.",
       "Ensure that keys in your YAML manifest are sorted in alphabetical order to improve consistency and "
       "readability.",
       "Works on the loaded key order (kfix keeps source order); with duplicate keys only the last survives. One "
       "finding per unsorted mapping; for List items the item is the root."},
      {"ssh-port", "ssh_port", W, "ports", Obj({{"port", 22}, {"protocol", "TCP"}}), dl, true, true,
       "Indicates when deployments expose port 22, which is commonly reserved for SSH access.",
       "Ensure that non-SSH services are not using port 22. Confirm that any actual SSH servers have been vetted.",
       "protocol is an unanchored regular expression; an unset protocol is TCP."},
      {"startup-port", "startup_port", W, "startup-port", Value::MakeObject(), dl, true, true,
       "Indicates when containers have a liveness probe to a not exposed port.",
       "Check which ports you've exposed and ensure they match what you have specified in the liveness probe.",
       "Checks the startupProbe (kube-linter's description says liveness)."},
      {"unsafe-proc-mount", "", E, "unsafe-proc-mount", Value::MakeObject(), dl, false, true,
       "Alert on deployments with unsafe /proc mount (procMount=Unmasked) that will bypass the default masking "
       "behavior of the container runtime",
       "Ensure container does not unsafely exposes parts of /proc by setting procMount=Default.  Unmasked ProcMount "
       "bypasses the default masking behavior of the container runtime. See "
       "https://kubernetes.io/docs/concepts/security/pod-security-standards/ for more details.",
       ""},
      {"unsafe-sysctls", "unsafe_sysctls", E, "unsafe-sysctls",
       Obj({{"unsafeSysCtls", List({"kernel.msg", "kernel.sem", "kernel.shm", "fs.mqueue.", "net."})}}), dl, true, true,
       "Alert on deployments specifying unsafe sysctls that may lead to severe problems like wrong behavior of "
       "containers",
       "Ensure container does not allow unsafe allocation of system resources by removing unsafe sysctls "
       "configurations. For more details see https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/ "
       "https://docs.docker.com/engine/reference/commandline/run/#configure-namespaced-kernel-parameters-sysctls-at-runtime.",
       "Prefix match on pod securityContext.sysctls names."},
      {"unset-cpu-requirements", "set_requests_limits", W, "cpu-requirements",
       Obj({{"lowerBoundMillis", 0}, {"requirementsType", "request"}, {"upperBoundMillis", 0}}), dl, true, true,
       "Indicates when containers do not have CPU requests and limits set.",
       "Set CPU requests for your container based on its requirements. Refer to "
       "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#requests-and-limits for "
       "details.",
       "Surprising but kube-linter's behaviour: only the CPU request is tested (the cpu-requirements template never "
       "reads limits, whatever the description says). A missing request, cpu: 0 and cpu: \"0\" fire; cpu: 1, \"1\" "
       "and \"100m\" do not. Quantities are parsed (500m, 0.5, 1e3)."},
      {"unset-memory-requirements", "set_requests_limits", W, "memory-requirements",
       Obj({{"lowerBoundMB", 0}, {"requirementsType", "limit"}, {"upperBoundMB", 0}}), dl, true, true,
       "Indicates when containers do not have memory requests and limits set.",
       "Set memory limits for your container based on its requirements. Refer to "
       "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#requests-and-limits for "
       "details.",
       "Surprising but kube-linter's behaviour: only the memory limit is tested (requirementsType: limit)."},
      {"use-namespace", "", I, "use-namespace", Value::MakeObject(), {"DeploymentLike", "Service"}, false, true,
       "Indicates when a resource is deployed to the default namespace.   CIS Benchmark 5.7.1: Create administrative "
       "boundaries between resources using namespaces. CIS Benchmark 5.7.4: The default namespace should not be used.",
       "Create namespaces for objects in your deployment.", "An absent namespace counts as default."},
      {"wildcard-in-rules", "", W, "wildcard-in-rules", Value::MakeObject(), {"Role", "ClusterRole"}, false, true,
       "Indicate when a wildcard is used in Role or ClusterRole rules. CIS Benchmark 5.1.3 Use of wildcards is not "
       "optimal from a security perspective as it may allow for inadvertent access to be granted when new resources "
       "are added to the Kubernetes API either as CRDs or in later versions of the product.",
       "Where possible replace any use of wildcards in clusterroles and roles with specific objects or actions.",
       "rbac.authorization.k8s.io/v1 only."},
      {"writable-host-mount", "", E, "writable-host-mount", Value::MakeObject(), dl, false, true,
       "Indicates when containers mount a host path as writable.",
       "Set containers to mount host paths as readOnly, if you need to access files on the host.", ""},
      // kfix extras ---------------------------------------------------------
      {"allow-privilege-escalation", "no_allow_privilege_escalation", E, "kfix-allow-privilege-escalation",
       Value::MakeObject(), dl, false, false,
       "Indicates when containers do not explicitly set allowPrivilegeEscalation to false.",
       "Set securityContext.allowPrivilegeEscalation to false in every container.",
       "kfix built-in. Unlike privilege-escalation-container, an unset value is reported. Every container group."},
      {"cap-sys-admin", "drop_cap_sys_admin", E, "kfix-cap-sys-admin", Value::MakeObject(), dl, false, false,
       "Indicates when containers do not drop the SYS_ADMIN capability.",
       "Add SYS_ADMIN (or ALL) to securityContext.capabilities.drop and never add it.",
       "kfix built-in (k8s-auto-fix cap-sys-admin): drop must list SYS_ADMIN or ALL (case-insensitive). One finding "
       "per container, every container group."},
      {"host-ports", "no_host_ports", W, "kfix-host-ports", Value::MakeObject(), dl, false, false,
       "Indicates when containers expose a hostPort.", "Remove hostPort from the container ports; use a Service.",
       "kfix built-in: hostPort null, 0 or \"0\" is not reported."},
      {"hostpath-volume", "no_host_path", E, "kfix-hostpath-volume", Value::MakeObject(), dl, false, false,
       "Indicates when a pod uses a hostPath volume.",
       "Replace hostPath volumes with emptyDir, a PersistentVolumeClaim or a projected volume.",
       "kfix built-in: one finding per hostPath volume."},
      {"run-as-user", "run_as_user", W, "kfix-run-as-user", Value::MakeObject(), dl, false, false,
       "Indicates when containers run with runAsUser missing or 0.",
       "Set securityContext.runAsUser to a non-zero UID at pod or container level.",
       "kfix built-in: the effective runAsUser (container overrides pod) must be a non-zero integer."},
      {"seccomp-profile", "enforce_seccomp", W, "kfix-seccomp-profile", Value::MakeObject(), dl, false, false,
       "Indicates when containers do not run with a RuntimeDefault or Localhost seccomp profile.",
       "Set securityContext.seccompProfile.type to RuntimeDefault at pod or container level.",
       "kfix built-in: the effective seccompProfile (container overrides pod) must have type RuntimeDefault or "
       "Localhost. The deprecated seccomp annotations are not read."},
  };
  std::vector<BuiltinSpec> out;
  out.reserve(defs.size());
  for (const Def& d : defs) {
    BuiltinSpec s;
    s.info.name = d.name;
    s.info.policy = d.policy;
    s.info.severity = d.severity;
    s.info.description = d.description;
    s.info.remediation = d.remediation;
    s.info.template_name = d.template_name;
    const TemplateInfo* t = FindTemplate(d.template_name);
    s.info.needs_lint_context = t && t->needs_lint_context;
    s.info.object_kinds = d.kinds;
    s.info.enabled_by_default = d.enabled;
    s.info.kube_linter = d.kube_linter;
    s.info.params = d.params;
    s.info.notes = d.notes;
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const BuiltinSpec& a, const BuiltinSpec& b) { return a.info.name < b.info.name; });
  return out;
}

}  // namespace

const std::vector<BuiltinSpec>& BuiltinSpecs() {
  static const std::vector<BuiltinSpec> kSpecs = BuildSpecs();
  return kSpecs;
}

}  // namespace kfix::internal
