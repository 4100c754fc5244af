// ValidatingAdmissionPolicies evaluated offline (docs/policies.md): the
// examples/policies files on examples/manifests through the engine's
// configuration and through `kfix scan --policy`, inline policies in the
// configuration document, matching, params, failure policy and load errors.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "kfix/engine.hpp"

namespace {

const std::string kSrc = KFIX_SOURCE_DIR;

std::string Run(const std::string& args, int* status) {
  std::string cmd = "cd " + kSrc + " && " + std::string(KFIX_CLI_PATH) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = pclose(p);
  *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

kfix::ScanReport Scan(const std::string& config, const std::string& manifests) {
  kfix::Result<kfix::Engine> e = kfix::Engine::FromText(config, "test-config.yaml");
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  return e->ScanText(manifests, "m.yaml");
}

const char* kDeploy = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
  labels: {team: a}
spec:
  replicas: 7
  template:
    spec:
      containers:
      - name: app
        image: docker.io/api:1
)";

}  // namespace

TEST_CASE("policies: examples/policies on examples/manifests, through the engine configuration") {
  const std::string config = "checks: {doNotAutoAddDefaults: true}\npolicies:\n  - " + kSrc +
                             "/examples/policies/replicas.yaml\n  - " + kSrc + "/examples/policies/images.yaml\n";
  kfix::Result<kfix::Engine> e = kfix::Engine::FromText(config);
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  REQUIRE(e->rules()->checks().size() == 2);
  kfix::Result<kfix::ScanReport> r = e->ScanPaths({kSrc + "/examples/manifests"});
  REQUIRE(r.ok());
  struct Want {
    const char* file;
    int line, column;
    const char* check;
    kfix::Severity severity;
    const char* message;
  };
  const std::vector<Want> want = {
      {"batch.yaml", 35, 7, "images-from-our-registry", kfix::Severity::kWarning,
       "Validation failed for ValidatingAdmissionPolicy 'images-from-our-registry' with binding "
       "'images-from-our-registry': init container images must come from registry.example.com/"},
      {"node-agent.yaml", 20, 7, "images-from-our-registry", kfix::Severity::kWarning,
       "Validation failed for ValidatingAdmissionPolicy 'images-from-our-registry' with binding "
       "'images-from-our-registry': images not from registry.example.com/: example/agent:0.9"},
      {"web.yaml", 11, 3, "replicas-limit", kfix::Severity::kError,
       "ValidatingAdmissionPolicy 'replicas-limit' with binding 'replicas-limit-prod' denied request: replicas 3 "
       "exceed the limit of 2 in namespace shop"},
      {"web.yaml", 20, 7, "images-from-our-registry", kfix::Severity::kWarning,
       "Validation failed for ValidatingAdmissionPolicy 'images-from-our-registry' with binding "
       "'images-from-our-registry': images not from registry.example.com/: nginx:latest"},
  };
  REQUIRE(r->findings.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const kfix::Finding& f = r->findings[i];
    CAPTURE(i);
    CHECK(f.file == kSrc + "/examples/manifests/" + want[i].file);
    CHECK(f.line == want[i].line);
    CHECK(f.column == want[i].column);
    CHECK(f.check == want[i].check);
    CHECK(f.severity == want[i].severity);
    CHECK(f.message == want[i].message);
  }
  CHECK(r->findings[2].pointer == "/spec/replicas");
}

TEST_CASE("policies: kfix scan --policy gives the same findings in every format") {
  int status = 0;
  const std::string args = "scan --do-not-auto-add-defaults --policy examples/policies/replicas.yaml --policy "
                           "examples/policies/images.yaml examples/manifests";
  const std::string text = Run(args, &status);
  CHECK(status == 2);
  CHECK(text.find("examples/manifests/web.yaml:11:3: (object: shop/web apps/v1, Kind=Deployment) "
                  "ValidatingAdmissionPolicy 'replicas-limit' with binding 'replicas-limit-prod' denied request: "
                  "replicas 3 exceed the limit of 2 in namespace shop (check: replicas-limit") != std::string::npos);
  const std::string json = Run(args + " --format json --no-timing", &status);
  CHECK(status == 2);
  CHECK(json.find("\"check\": \"replicas-limit\"") != std::string::npos);
  CHECK(json.find("\"pointer\": \"/spec/replicas\"") != std::string::npos);
  const std::string sarif = Run(args + " --format sarif", &status);
  CHECK(sarif.find("\"ruleId\": \"images-from-our-registry\"") != std::string::npos);
  const std::string kl = Run(args + " --format kube-linter-json", &status);
  CHECK(kl.find("replicas 3 exceed the limit of 2") != std::string::npos);
  // A missing policy file is a configuration error (exit 1) naming the file.
  const std::string missing = Run("scan --policy examples/policies/nope.yaml examples/manifests", &status);
  CHECK(status == 1);
  CHECK(missing.find("nope.yaml") != std::string::npos);
}

TEST_CASE("policies: inline policies, match constraints, selectors and params") {
  const std::string base = R"(checks: {doNotAutoAddDefaults: true}
policies:
  - apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicy
    metadata: {name: max-replicas}
    spec:
      matchConstraints:
        resourceRules:
        - {apiGroups: ["apps"], apiVersions: ["*"], operations: ["*"], resources: ["deployments"]}
)";
  SUBCASE("no binding: evaluated on its own, default message, error severity") {
    auto r = Scan(base + "      validations:\n      - expression: object.spec.replicas <= 5\n", kDeploy);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].message ==
          "ValidatingAdmissionPolicy 'max-replicas' denied request: failed expression: object.spec.replicas <= 5");
    CHECK(r.findings[0].severity == kfix::Severity::kError);
    CHECK(r.findings[0].line == 8);
  }
  SUBCASE("a resource rule that does not match") {
    std::string cfg = base;
    cfg.replace(cfg.find("deployments"), 11, "statefulsets");
    auto r = Scan(cfg + "      validations:\n      - expression: object.spec.replicas <= 5\n", kDeploy);
    CHECK(r.findings.empty());
  }
  SUBCASE("excludeResourceRules, objectSelector and namespaceSelector") {
    auto ex = Scan(base +
                       "        excludeResourceRules:\n        - {apiGroups: [apps], apiVersions: [v1], operations: "
                       "[CREATE], resources: [deployments], resourceNames: [api]}\n"
                       "      validations:\n      - expression: 'false'\n",
                   kDeploy);
    CHECK(ex.findings.empty());
    auto obj_no = Scan(base + "        objectSelector: {matchLabels: {team: b}}\n      validations:\n      - expression: 'false'\n",
                       kDeploy);
    CHECK(obj_no.findings.empty());
    auto obj_yes = Scan(base + "        objectSelector: {matchLabels: {team: a}}\n      validations:\n      - expression: 'false'\n",
                        kDeploy);
    CHECK(obj_yes.findings.size() == 1);
    // Without a Namespace object, a namespace carries only kubernetes.io/metadata.name.
    auto ns_auto = Scan(base +
                            "        namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: "
                            "In, values: [prod]}]}\n      validations:\n      - expression: 'false'\n",
                        kDeploy);
    CHECK(ns_auto.findings.size() == 1);
    // A Namespace object among the manifests supplies its labels.
    auto ns_obj = Scan(base + "        namespaceSelector: {matchLabels: {env: prod}}\n      validations:\n      - expression: 'false'\n",
                       std::string(kDeploy) + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: prod, labels: {env: prod}}\n");
    CHECK(ns_obj.findings.size() == 1);
    auto ns_none = Scan(base + "        namespaceSelector: {matchLabels: {env: prod}}\n      validations:\n      - expression: 'false'\n",
                        kDeploy);
    CHECK(ns_none.findings.empty());
  }
  SUBCASE("matchConditions, variables, messageExpression, request and namespaceObject") {
    auto r = Scan(base + R"Y(      matchConditions:
      - {name: not-system, expression: "!object.metadata.namespace.startsWith('kube-')"}
      variables:
      - {name: limit, expression: "5"}
      - {name: over, expression: "object.spec.replicas - variables.limit"}
      validations:
      - expression: object.spec.replicas <= variables.limit
        messageExpression: "request.operation + ' ' + request.resource.resource + ' ' + namespaceObject.metadata.name + ': ' + string(variables.over) + ' too many'"
)Y",
                  kDeploy);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].message ==
          "ValidatingAdmissionPolicy 'max-replicas' denied request: CREATE deployments prod: 2 too many");
    std::string sys = kDeploy;
    sys.replace(sys.find("namespace: prod"), 15, "namespace: kube-system");
    auto skipped = Scan(base + "      matchConditions:\n      - {name: not-system, expression: \"!object.metadata.namespace.startsWith('kube-')\"}\n"
                               "      validations:\n      - expression: 'false'\n",
                        sys);
    CHECK(skipped.findings.empty());
  }
  SUBCASE("evaluation errors follow failurePolicy") {
    auto fail = Scan(base + "      validations:\n      - expression: object.spec.missing > 1\n", kDeploy);
    REQUIRE(fail.findings.size() == 1);
    CHECK(fail.findings[0].message ==
          "ValidatingAdmissionPolicy 'max-replicas' denied request: expression 'object.spec.missing > 1' resulted in "
          "error: 1:13: no such key: missing");
    std::string ignore = base;
    ignore.insert(ignore.find("      matchConstraints"), "      failurePolicy: Ignore\n");
    auto ign = Scan(ignore + "      validations:\n      - expression: object.spec.missing > 1\n", kDeploy);
    CHECK(ign.findings.empty());
  }
  SUBCASE("bindings with params by name and by selector; a missing param denies") {
    std::string cfg = base;
    cfg.insert(cfg.find("      matchConstraints"), "      paramKind: {apiVersion: v1, kind: ConfigMap}\n");
    cfg += "      validations:\n      - expression: object.spec.replicas <= int(params.data.max)\n";
    const std::string binding = R"(  - apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicyBinding
    metadata: {name: b1}
    spec:
      policyName: max-replicas
      validationActions: [Warn, Audit]
)";
    const std::string params = R"(  - {apiVersion: v1, kind: ConfigMap, metadata: {name: small, namespace: cfg, labels: {tier: x}}, data: {max: "3"}}
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: large, namespace: cfg, labels: {tier: x}}, data: {max: "10"}}
)";
    auto by_name = Scan(cfg + binding + "      paramRef: {name: small, namespace: cfg}\n" + params, kDeploy);
    REQUIRE(by_name.findings.size() == 1);
    CHECK(by_name.findings[0].severity == kfix::Severity::kWarning);
    CHECK(by_name.findings[0].message.rfind("Validation failed for ValidatingAdmissionPolicy 'max-replicas' with binding 'b1': failed expression", 0) == 0);
    auto by_selector = Scan(cfg + binding + "      paramRef: {namespace: cfg, selector: {matchLabels: {tier: x}}}\n" + params, kDeploy);
    CHECK(by_selector.findings.size() == 1);  // 7 > 3 fails, 7 <= 10 passes
    auto missing = Scan(cfg + binding + "      paramRef: {name: nope, namespace: cfg}\n" + params, kDeploy);
    REQUIRE(missing.findings.size() == 1);
    CHECK(missing.findings[0].message.find("no params found") != std::string::npos);
    auto allow = Scan(cfg + binding + "      paramRef: {name: nope, namespace: cfg, parameterNotFoundAction: Allow}\n" + params,
                      kDeploy);
    CHECK(allow.findings.empty());
  }
}

TEST_CASE("policies: bad policies are configuration errors with positions") {
  auto bad = kfix::Engine::FromText(R"(policies:
  - apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicy
    metadata: {name: p}
    spec:
      validations:
      - expression: "object.spec.replicas <= "
)",
                                    "team.yaml");
  REQUIRE(!bad.ok());
  CHECK(bad.status().location().file == "team.yaml");
  CHECK(bad.status().location().line == 7);
  CHECK(bad.status().message().find("CEL 1:25: unexpected end of expression") != std::string::npos);
  auto undeclared = kfix::Engine::FromText(R"(policies:
  - apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicy
    metadata: {name: p}
    spec:
      validations:
      - expression: authorizer.allowed
)");
  REQUIRE(!undeclared.ok());
  CHECK(undeclared.status().message().find("undeclared reference to 'authorizer'") != std::string::npos);
  auto orphan = kfix::Engine::FromText(R"(policies:
  - {apiVersion: admissionregistration.k8s.io/v1, kind: ValidatingAdmissionPolicyBinding, metadata: {name: b}, spec: {policyName: gone}}
)");
  REQUIRE(!orphan.ok());
  CHECK(orphan.status().message().find("names policy \"gone\"") != std::string::npos);
  auto scalar = kfix::Engine::FromText("policies: [42]\n");
  REQUIRE(!scalar.ok());
  CHECK(scalar.status().location().line == 1);
  auto clash = kfix::Engine::FromText(R"(policies:
  - {apiVersion: admissionregistration.k8s.io/v1, kind: ValidatingAdmissionPolicy, metadata: {name: latest-tag}, spec: {}}
)");
  REQUIRE(!clash.ok());
}
