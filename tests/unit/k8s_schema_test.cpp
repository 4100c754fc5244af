// The built-in Kubernetes schema table (generated from kubernetes-models) and its validator: well-known facts
// of the upstream API, strict unknown fields, types, int-or-string, quantities, required fields, nested lists
// and maps, the guard's per-op question, and the kubeconform template on top.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kfix/rules.hpp"
#include "rules/k8s_schema_internal.hpp"

namespace k8s = kfix::internal::k8s;

namespace {

kfix::Value Yaml(const std::string& text) {
  kfix::LoadResult r = kfix::LoadManifests(text, "t.yaml");
  REQUIRE(r.errors.empty());
  REQUIRE(r.manifests.size() == 1);
  return r.manifests[0].root;
}

const k8s::StructDef& Kind(std::string_view av, std::string_view kind) {
  const k8s::StructDef* d = k8s::FindKind(av, kind);
  REQUIRE_MESSAGE(d != nullptr, kind);
  return *d;
}

std::string Type(std::string_view av, std::string_view kind, std::vector<std::string> path) {
  auto f = k8s::Lookup(Kind(av, kind), path);
  return f ? f->type : "<none>";
}

bool Required(std::string_view av, std::string_view kind, std::vector<std::string> path) {
  auto f = k8s::Lookup(Kind(av, kind), path);
  REQUIRE(f);
  return f->required;
}

std::vector<std::string> Errors(const std::string& yaml, bool strict = true) {
  kfix::Value v = Yaml(yaml);
  const k8s::StructDef* d = k8s::FindKind(v.Find("apiVersion")->as_string(), v.Find("kind")->as_string());
  REQUIRE(d);
  std::vector<std::string> out;
  for (const k8s::SchemaError& e : k8s::Validate(v, *d, strict)) out.push_back(e.pointer + ": " + e.message);
  return out;
}

kfix::PatchOp Op(const std::string& json) {
  const std::string text = "[" + json + "]";
  auto p = kfix::ParsePatch(std::string_view(text));
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return (*p)[0];
}

const char* kPod = R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: nginx:1.25
)";

}  // namespace

TEST_CASE("table: well-known facts of the upstream API") {
  CHECK(k8s::Source().find("kubernetes-models") != std::string::npos);
  CHECK(k8s::KindCount() > 200);
  CHECK(Type("v1", "Pod", {"spec", "containers"}) == "array of object Container");
  CHECK(Required("v1", "Pod", {"spec", "containers"}));
  CHECK_FALSE(Required("v1", "Pod", {"spec", "initContainers"}));
  CHECK(Type("apps/v1", "Deployment", {"spec", "replicas"}) == "integer");
  CHECK(Required("apps/v1", "Deployment", {"spec", "selector"}));
  CHECK(Required("apps/v1", "Deployment", {"spec", "template"}));
  CHECK(Type("apps/v1", "DaemonSet", {"spec", "replicas"}) == "<none>");
  CHECK(Type("apps/v1", "Deployment", {"spec", "template", "spec", "containers", "0", "ports", "0", "containerPort"}) ==
        "integer");
  CHECK(Required("apps/v1", "Deployment",
                 {"spec", "template", "spec", "containers", "0", "ports", "0", "containerPort"}));
  CHECK(Type("v1", "Service", {"spec", "ports", "0", "targetPort"}) == "int-or-string");
  CHECK(Type("v1", "Pod", {"spec", "containers", "0", "resources", "limits"}) == "map of quantity");
  CHECK(Type("v1", "Pod", {"metadata", "labels"}) == "map of string");
  CHECK(Type("v1", "Pod", {"spec", "containers", "0", "securityContext", "privileged"}) == "boolean");
  CHECK(Type("v1", "Pod", {"spec", "securityContext", "sysctls"}) == "array of object Sysctl");
  CHECK(Type("policy/v1", "PodDisruptionBudget", {"spec", "minAvailable"}) == "int-or-string");
  CHECK(Type("policy/v1", "PodDisruptionBudget", {"spec", "unhealthyPodEvictionPolicy"}) ==
        "enum AlwaysAllow|IfHealthyBudget");
  CHECK(Type("v1", "Pod", {"spec", "containers", "0", "imagePullPolicy"}) == "enum Always|IfNotPresent|Never");
  CHECK(Type("v1", "Pod", {"spec", "containers", "0", "name"}) == "string");
  CHECK(Type("policy/v1beta1", "PodDisruptionBudget", {"spec", "unhealthyPodEvictionPolicy"}) == "<none>");
  CHECK(Type("autoscaling/v2", "HorizontalPodAutoscaler", {"spec", "maxReplicas"}) == "integer");
  CHECK(Type("apps/v1", "StatefulSet", {"spec", "volumeClaimTemplates", "0", "spec", "resources", "requests"}) ==
        "map of quantity");
  CHECK(Type("apiextensions.k8s.io/v1", "CustomResourceDefinition",
             {"spec", "versions", "0", "schema", "openAPIV3Schema", "maximum"}) == "number");
  // Legacy apiVersions are in the table; custom resources are not.
  CHECK(k8s::FindKind("extensions/v1beta1", "Deployment") != nullptr);
  CHECK(k8s::FindKind("apps/v1beta2", "DaemonSet") != nullptr);
  CHECK(k8s::FindKind("example.com/v1", "CustomResource") == nullptr);
  CHECK(k8s::FindKind("v1", "Deployment") == nullptr);
  // Any version: the stable one first.
  REQUIRE(k8s::FindKindAnyVersion("Deployment"));
  CHECK(k8s::FindKindAnyVersion("Deployment") == k8s::FindKind("apps/v1", "Deployment"));
  CHECK(k8s::FindKindAnyVersion("CronJob") == k8s::FindKind("batch/v1", "CronJob"));
  CHECK(k8s::StructName(*k8s::FindKind("apps/v1", "Deployment")) == "Deployment");
}

TEST_CASE("validate: a valid object, strict and not") {
  CHECK(Errors(kPod).empty());
  CHECK(Errors(std::string(kPod) + "  nodeSelector: {disk: ssd}\n  priority: 5\n").empty());
  // null is accepted wherever a value is (kubeconform's schemas allow it), and integral doubles are integers.
  CHECK(Errors(std::string(kPod) + "  hostname: null\n  priority: 5.0\n").empty());
}

TEST_CASE("validate: unknown fields only in strict mode, at every depth") {
  std::string bad = std::string(kPod) + "  invalidField: x\n";
  CHECK(Errors(bad) == std::vector<std::string>{"/spec: additional properties 'invalidField' not allowed"});
  CHECK(Errors(bad, /*strict=*/false).empty());
  CHECK(Errors(std::string(kPod) + "      securityContext: {privilegd: true, runAsUser: 1}\n") ==
        std::vector<std::string>{"/spec/containers/0/securityContext: additional properties 'privilegd' not allowed"});
  CHECK(Errors(R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: d}
spec:
  replicas: 3
  extra: 1
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec: {containers: [{name: c, image: i}]}
)") == std::vector<std::string>{"/spec: additional properties 'replicas', 'extra' not allowed"});
}

TEST_CASE("validate: types, int-or-string, quantities, required, nested lists and maps") {
  CHECK(Errors(R"(apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {version: 2}
spec:
  containers:
    - image: nginx
      ports: [{containerPort: "80"}]
      env: [{name: A, value: "x"}, {name: B, value: true}]
      resources: {limits: {cpu: 500m, memory: 1}, requests: {cpu: 0.5, memory: [1]}}
      livenessProbe: {httpGet: {port: http}}
      readinessProbe: {httpGet: {port: 8080}}
      startupProbe: {httpGet: {port: true}}
      securityContext: {privileged: "no"}
)") == std::vector<std::string>{
             "/metadata/labels/version: got integer, want null or string",
             "/spec/containers/0: missing property 'name'",
             "/spec/containers/0/ports/0/containerPort: got string, want integer or null",
             "/spec/containers/0/env/1/value: got boolean, want null or string",
             "/spec/containers/0/resources/requests/memory: got array, want number or string",
             "/spec/containers/0/startupProbe/httpGet/port: got boolean, want integer or string",
             "/spec/containers/0/securityContext/privileged: got string, want boolean or null",
         });
  CHECK(Errors("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n") ==
        std::vector<std::string>{"/spec: missing property 'containers'"});
  CHECK(Errors("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: {name: a}}\n") ==
        std::vector<std::string>{"/spec/containers: got object, want array or null"});
  CHECK(Errors("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 1.5}\n") ==
        std::vector<std::string>{"/spec: missing properties 'selector', 'template'",
                                 "/spec/replicas: got number, want integer or null"});
  // Keys with "/" and "~" are escaped in pointers.
  CHECK(Errors("apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: {a/b~c: 1}}\nspec: {containers: []}\n") ==
        std::vector<std::string>{"/metadata/annotations/a~1b~0c: got integer, want null or string"});
}

TEST_CASE("validate: the error cap") {
  std::string many = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n";
  for (int i = 0; i < 100; ++i) many += "    l" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  many += "spec: {containers: []}\n";
  kfix::Value v = Yaml(many);
  CHECK(k8s::Validate(v, Kind("v1", "Pod"), true, 10).size() == 10);
  CHECK(k8s::Validate(v, Kind("v1", "Pod"), true).size() == 64);
}

TEST_CASE("guard question: CheckPatchOp") {
  kfix::Value pod = Yaml(kPod);
  CHECK(k8s::CheckPatchOp(pod, Op(R"({"op":"add","path":"/spec/containers/0/securityContext",
                                      "value":{"runAsNonRoot":true,"capabilities":{"drop":["ALL"]}}})")) == "");
  CHECK(k8s::CheckPatchOp(pod, Op(R"({"op":"add","path":"/spec/containers/0/securityContext/privilegd","value":false})")) ==
        "/spec/containers/0/securityContext/privilegd: unknown field \"privilegd\" in SecurityContext");
  CHECK(k8s::CheckPatchOp(pod, Op(R"({"op":"replace","path":"/spec/containers/0/securityContext/privileged","value":"no"})")) ==
        "/spec/containers/0/securityContext/privileged: got string, want boolean or null");
  CHECK(k8s::CheckPatchOp(pod, Op(R"({"op":"add","path":"/spec/containers/0/resources",
                                      "value":{"limits":{"cpu":"1"},"limit":{}}})")) ==
        "/spec/containers/0/resources: additional properties 'limit' not allowed");
  CHECK(k8s::CheckPatchOp(pod, Op(R"({"op":"add","path":"/spec/containers/0/resources/limits/memory","value":true})")) ==
        "/spec/containers/0/resources/limits/memory: got boolean, want number or string");
  CHECK(k8s::CheckPatchOp(pod, Op(R"({"op":"add","path":"/spec/containers/-","value":{"name":"b","image":"i"}})")) == "");
  CHECK(k8s::CheckPatchOp(pod, Op(R"({"op":"add","path":"/spec/containers/-","value":{"image":"i"}})")) ==
        "/spec/containers/-: missing property 'name'");
  CHECK(k8s::CheckPatchOp(pod, Op(R"({"op":"add","path":"/spec/containers/x/name","value":"a"})")) ==
        "/spec/containers/x: \"x\" is not an array index");
  CHECK(k8s::CheckPatchOp(pod, Op(R"({"op":"add","path":"/spec/hostNetwork/x","value":1})")) ==
        "/spec/hostNetwork/x: cannot descend into a scalar field");
  CHECK(k8s::CheckPatchOp(pod, Op(R"({"op":"add","path":"/metadata/labels/app.kubernetes.io~1name","value":"web"})")) == "");
  // Removing a field the API does not define only makes the object more valid.
  CHECK(k8s::CheckPatchOp(pod, Op(R"({"op":"remove","path":"/spec/replicas"})")) == "");
  CHECK_FALSE(k8s::CheckPatchOp(pod, Op(R"({"op":"remove","path":"/spec/nope/x"})")).empty());
  // Closed sets of strings: the guard checks them ("" is "unset"); whole-object validation does not (kubeconform's
  // schemas have no enums).
  CHECK(k8s::CheckPatchOp(pod, Op(R"({"op":"add","path":"/spec/containers/0/imagePullPolicy","value":"always"})")) ==
        "/spec/containers/0/imagePullPolicy: value must be one of 'Always', 'IfNotPresent', 'Never'");
  CHECK(k8s::CheckPatchOp(pod, Op(R"({"op":"add","path":"/spec/containers/0/imagePullPolicy","value":"Always"})")) == "");
  CHECK(k8s::CheckPatchOp(pod, Op(R"({"op":"add","path":"/spec/securityContext",
                                      "value":{"seccompProfile":{"type":"runtimedefault"}}})")) ==
        "/spec/securityContext/seccompProfile/type: value must be one of 'Localhost', 'RuntimeDefault', 'Unconfined'");
  CHECK(k8s::CheckPatchOp(pod, Op(R"({"op":"add","path":"/spec/tolerations",
                                      "value":[{"key":"k","operator":"Exists","effect":""}]})")) == "");
  CHECK(Errors(std::string(kPod) + "      imagePullPolicy: always\n").empty());
  // A kind outside the table: accepted, and KnowsKind says so.
  kfix::Value crd = Yaml("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {a: 1}\n");
  CHECK(k8s::CheckPatchOp(crd, Op(R"({"op":"add","path":"/spec/anything","value":{"x":1}})")) == "");
  CHECK_FALSE(k8s::KnowsKind(crd));
  CHECK(k8s::KnowsKind(pod));
  // The object's apiVersion decides: policy/v1beta1 has no unhealthyPodEvictionPolicy.
  kfix::Value pdb = Yaml("apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec: {minAvailable: 1}\n");
  CHECK(k8s::CheckPatchOp(pdb, Op(R"({"op":"add","path":"/spec/unhealthyPodEvictionPolicy","value":"AlwaysAllow"})")) ==
        "/spec/unhealthyPodEvictionPolicy: unknown field \"unhealthyPodEvictionPolicy\" in PodDisruptionBudgetSpec");
  // An apiVersion the table lacks: the kind's stable version is used.
  kfix::Value odd = Yaml("apiVersion: apps/v9\nkind: Deployment\nmetadata: {name: d}\nspec: {}\n");
  CHECK(k8s::CheckPatchOp(odd, Op(R"({"op":"add","path":"/spec/replicas","value":"3"})")) ==
        "/spec/replicas: got string, want integer or null");
}

TEST_CASE("kubeconform template: one report per invalid object, CRDs per ignoreMissingSchemas, skip and reject") {
  auto rules = [](const std::string& params) {
    auto cfg = kfix::ParseRulesConfig("checks: {addAllBuiltIn: false, doNotAutoAddDefaults: true}\ncustomChecks:\n  - name: kc\n    template: kubeconform\n"
                                      "    params: " + params + "\n", "cfg.yaml");
    REQUIRE_MESSAGE(cfg.ok(), cfg.status().ToString());
    auto rs = kfix::RuleSet::Create(*cfg);
    REQUIRE_MESSAGE(rs.ok(), rs.status().ToString());
    return *rs;
  };
  const std::string docs = std::string(kPod) + "  invalidField: x\n---\n" +
                           "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {a: 1}\n---\n" +
                           "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n";
  auto messages = [&](const std::string& params) {
    std::vector<std::string> out;
    for (const kfix::Finding& f : rules(params)->ScanText(docs, "m.yaml").findings) {
      out.push_back(f.object.kind + " " + std::to_string(f.line) + ": " + f.message);
    }
    return out;
  };
  CHECK(messages("{strict: true, ignoreMissingSchemas: true}") ==
        std::vector<std::string>{"Pod 8: resource is not valid: problem validating schema. Check JSON formatting: "
                                 "jsonschema validation failed with 'pod-v1.json#' - at '/spec': additional "
                                 "properties 'invalidField' not allowed"});
  CHECK(messages("{strict: false, ignoreMissingSchemas: true}").empty());
  CHECK(messages("{strict: true}") ==
        std::vector<std::string>{"Pod 8: resource is not valid: problem validating schema. Check JSON formatting: "
                                 "jsonschema validation failed with 'pod-v1.json#' - at '/spec': additional "
                                 "properties 'invalidField' not allowed",
                                 "Widget 11: error while processing resource: could not find schema for Widget"});
  CHECK(messages("{strict: true, skipKinds: [Pod, Widget]}").empty());
  CHECK(messages("{ignoreMissingSchemas: true, rejectKinds: [v1/ConfigMap]}") ==
        std::vector<std::string>{"ConfigMap 16: error while processing resource: prohibited resource kind ConfigMap"});
}
