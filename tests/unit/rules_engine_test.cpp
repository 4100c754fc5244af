// Detection engine: catalog, configuration, resolution, custom rules,
// positions, determinism and outputs.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "kfix/rules.hpp"
#include "rules/internal.hpp"

namespace {

std::shared_ptr<const kfix::RuleSet> Rules(const std::string& yaml) {
  auto cfg = kfix::ParseRulesConfig(yaml, "cfg.yaml");
  REQUIRE_MESSAGE(cfg.ok(), cfg.status().ToString());
  auto rs = kfix::RuleSet::Create(*cfg);
  REQUIRE_MESSAGE(rs.ok(), rs.status().ToString());
  return *rs;
}

kfix::Status CreateError(const std::string& yaml) {
  auto cfg = kfix::ParseRulesConfig(yaml, "cfg.yaml");
  if (!cfg.ok()) return cfg.status();
  auto rs = kfix::RuleSet::Create(*cfg);
  REQUIRE_FALSE(rs.ok());
  return rs.status();
}

const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: nginx:latest
          securityContext:
            privileged: true
)";

}  // namespace

TEST_CASE("catalog: kube-linter's 63 checks, 31 by default, plus kfix extras") {
  const auto& all = kfix::BuiltinChecks();
  std::size_t kl = 0, kl_default = 0;
  std::set<std::string> names;
  for (const kfix::CheckInfo& c : all) {
    CHECK(names.insert(c.name).second);
    if (c.kube_linter) {
      ++kl;
      if (c.enabled_by_default) ++kl_default;
    }
    CHECK_FALSE(c.description.empty());
    CHECK_FALSE(c.remediation.empty());
    CHECK(kfix::internal::FindTemplate(c.template_name) != nullptr);
    CHECK_FALSE(c.object_kinds.empty());
  }
  CHECK(kl == 63);
  CHECK(kl_default == 31);
  CHECK(std::is_sorted(all.begin(), all.end(),
                       [](const kfix::CheckInfo& a, const kfix::CheckInfo& b) { return a.name < b.name; }));
  for (const char* extra : {"cap-sys-admin", "host-ports", "hostpath-volume", "seccomp-profile", "run-as-user",
                            "allow-privilege-escalation"}) {
    CHECK_MESSAGE(names.count(extra), extra);
  }
  // checks.md §8 policy ids.
  std::map<std::string, std::string> policy;
  for (const kfix::CheckInfo& c : all) policy[c.name] = c.policy;
  CHECK(policy["latest-tag"] == "no_latest_tag");
  CHECK(policy["privilege-escalation-container"] == "drop_capabilities");
  CHECK(policy["drop-net-raw-capability"] == "drop_capabilities");
  CHECK(policy["docker-sock"] == "no_host_path");
  CHECK(policy["unset-cpu-requirements"] == "set_requests_limits");
  CHECK(policy["seccomp-profile"] == "enforce_seccomp");
  CHECK(policy["pdb-max-unavailable"].empty());
  CHECK(policy["no-extensions-v1beta"].empty());
  std::size_t default_mapped = 0;
  for (const kfix::CheckInfo& c : all) {
    if (c.kube_linter && c.enabled_by_default && !c.policy.empty()) ++default_mapped;
    if (c.kube_linter && !c.enabled_by_default) CHECK_MESSAGE(c.policy.empty(), c.name);
  }
  CHECK(default_mapped == 28);
}

TEST_CASE("resolution: defaults, addAllBuiltIn, include, exclude wins, sorted") {
  CHECK(Rules("")->checks().size() == 31);
  auto all = Rules("checks:\n  addAllBuiltIn: true\n");
  CHECK(all->checks().size() == 63);
  auto some = Rules("checks:\n  doNotAutoAddDefaults: true\n  include: [host-ports, latest-tag]\n  exclude: [latest-tag]\n");
  REQUIRE(some->checks().size() == 1);
  CHECK(some->checks()[0].name == "host-ports");
  CHECK(some->IsEnabled("host-ports"));
  CHECK_FALSE(some->IsEnabled("latest-tag"));
  auto with_extra = Rules("checks:\n  include: [cap-sys-admin]\n");
  const auto& cs = with_extra->checks();
  CHECK(std::is_sorted(cs.begin(), cs.end(), [](const auto& a, const auto& b) { return a.name < b.name; }));
}

TEST_CASE("configuration errors carry the config line") {
  kfix::Status s = CreateError("checks:\n  include:\n    - latest-tag\n    - no-such-check\n");
  CHECK(s.code() == kfix::StatusCode::kParseError);
  CHECK(s.location().file == "cfg.yaml");
  CHECK(s.location().line == 4);

  auto bad_key = kfix::ParseRulesConfig("checks:\n  includ: [x]\n", "cfg.yaml");
  REQUIRE_FALSE(bad_key.ok());
  CHECK(bad_key.status().location().line == 2);
  auto bad_type = kfix::ParseRulesConfig("checks:\n  addAllBuiltIn: maybe\n", "cfg.yaml");
  REQUIRE_FALSE(bad_type.ok());
  CHECK(bad_type.status().location().line == 2);

  s = CreateError("customChecks:\n  - name: x\n    template: no-such-template\n");
  CHECK(s.location().line == 3);
  s = CreateError("customChecks:\n  - name: x\n    template: latest-tag\n    params:\n      blockList: [\"(\"]\n");
  CHECK(s.code() == kfix::StatusCode::kParseError);
  CHECK(s.location().line >= 4);
  s = CreateError("customChecks:\n  - name: x\n    template: latest-tag\n    params:\n      nope: 1\n");
  CHECK(s.location().line == 5);
  s = CreateError("customChecks:\n  - name: bad name\n    template: latest-tag\n");
  CHECK(s.location().line == 2);
}

TEST_CASE("kfix rules: bad rules fail at load with the line") {
  kfix::Status s = CreateError("kfixRules:\n  - name: r\n    select: spec..x\n    exists: true\n");
  CHECK(s.code() == kfix::StatusCode::kParseError);
  CHECK(s.location().line == 3);
  s = CreateError("kfixRules:\n  - name: r\n    select: spec.x\n    matches: \"([\"\n");
  CHECK(s.location().line == 4);
  s = CreateError("kfixRules:\n  - name: r\n    select: spec.x\n");
  CHECK(s.location().line == 2);  // no predicate
  s = CreateError("kfixRules:\n  - name: r\n    select: spec.x\n    gt: lots\n");
  CHECK(s.location().line == 4);
  s = CreateError("kfixRules:\n  - name: r\n    select: spec.x\n    exists: true\n    colour: red\n");
  CHECK(s.location().line == 5);
  s = CreateError("kfixRules:\n  - name: r\n    select: $nowhere.x\n    exists: true\n");
  CHECK(s.location().line == 3);
  s = CreateError("kfixRules:\n  - name: latest-tag\n    select: spec.x\n    exists: true\n");
  CHECK(s.location().line == 2);  // duplicates a built-in
}

TEST_CASE("kfix rules: quantity and numeric comparisons") {
  auto rs = Rules(
      "checks:\n  doNotAutoAddDefaults: true\n"
      "kfixRules:\n"
      "  - name: big-cpu\n    select: $containers.resources.requests.cpu\n    gt: 500m\n"
      "  - name: few\n    kinds: Deployment\n    select: spec.replicas\n    lt: 2\n");
  const char* yaml = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  replicas: 1
  template:
    spec:
      containers:
        - {name: a, image: x:1, resources: {requests: {cpu: 1}}}
        - {name: b, image: x:1, resources: {requests: {cpu: "1"}}}
        - {name: c, image: x:1, resources: {requests: {cpu: 0.5}}}
        - {name: d, image: x:1, resources: {requests: {cpu: 600m}}}
        - {name: e, image: x:1, resources: {requests: {cpu: 0}}}
)";
  kfix::ScanReport r = rs->ScanText(yaml, "q.yaml");
  std::vector<std::string> hits;
  for (const auto& f : r.findings) hits.push_back(f.check + ":" + f.container);
  std::sort(hits.begin(), hits.end());
  std::string joined;
  for (const auto& h : hits) joined += h + " ";
  CHECK(joined == "big-cpu:a big-cpu:b big-cpu:d few: ");
}

TEST_CASE("kfix rules: enabled: false runs only when included") {
  const std::string rule =
      "kfixRules:\n  - name: opt-in\n    enabled: false\n    select: metadata.name\n    exists: true\n";
  auto off = Rules("checks:\n  doNotAutoAddDefaults: true\n" + rule);
  CHECK_FALSE(off->IsEnabled("opt-in"));
  auto on = Rules("checks:\n  doNotAutoAddDefaults: true\n  include: [opt-in]\n" + rule);
  CHECK(on->IsEnabled("opt-in"));
  CHECK(on->ScanText("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "c.yaml").findings.size() == 1);
}

TEST_CASE("findings carry the offending key position and an RFC 6901 pointer") {
  auto rs = Rules("checks:\n  doNotAutoAddDefaults: true\n  include: [privileged-container, latest-tag, no-read-only-root-fs]\n");
  kfix::ScanReport r = rs->ScanText(kDeployment, "d.yaml");
  REQUIRE(r.errors.empty());
  REQUIRE(r.findings.size() == 3);
  const kfix::Finding* priv = nullptr;
  const kfix::Finding* tag = nullptr;
  const kfix::Finding* rofs = nullptr;
  for (const auto& f : r.findings) {
    if (f.check == "privileged-container") priv = &f;
    if (f.check == "latest-tag") tag = &f;
    if (f.check == "no-read-only-root-fs") rofs = &f;
  }
  REQUIRE(priv);
  REQUIRE(tag);
  REQUIRE(rofs);
  CHECK(priv->line == 18);
  CHECK(priv->column == 13);
  CHECK(priv->pointer == "/spec/template/spec/containers/0/securityContext/privileged");
  CHECK(priv->severity == kfix::Severity::kError);
  CHECK(priv->policy == "no_privileged");
  CHECK(priv->container == "app");
  CHECK(priv->object.kind == "Deployment");
  CHECK(priv->object.namespace_ == "prod");
  CHECK(tag->line == 16);
  CHECK(tag->column == 11);
  // Missing field: pointer to where it belongs, position of the nearest existing ancestor.
  CHECK(rofs->pointer == "/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem");
  CHECK(rofs->line == 17);
  CHECK(rofs->column == 11);
  // Sorted by line.
  CHECK(r.findings[0].line <= r.findings[1].line);
  CHECK(r.findings[1].line <= r.findings[2].line);
}

TEST_CASE("lint contexts: all vs per-file") {
  auto rs = Rules("checks:\n  doNotAutoAddDefaults: true\n  include: [dangling-service]\n");
  std::vector<kfix::Manifest> objs;
  for (const char* text : {"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: web}\n",
                           kDeployment}) {
    kfix::LoadResult r = kfix::LoadManifests(text, objs.empty() ? "svc.yaml" : "dep.yaml");
    REQUIRE(r.errors.empty());
    for (auto& m : r.manifests) objs.push_back(std::move(m));
  }
  // Different namespaces ("" vs prod): dangling either way.
  CHECK(rs->Scan(objs).findings.size() == 1);
  objs[0].root.Find("metadata")->Set("namespace", "prod");
  CHECK(rs->Scan(objs).findings.empty());
  kfix::ScanOptions per_file;
  per_file.context = kfix::LintContext::kPerFile;
  CHECK(rs->Scan(objs, per_file).findings.size() == 1);
}

TEST_CASE("cross-object checks: indexed lookups keep kube-linter's matching (selectors, order, namespaces)") {
  // Equality, numeric-label, set-based and NotIn selectors; a namespace whose first policy selects a pod
  // before an invalid policy (the walk stops at the invalid one for every other pod); HPA targets by
  // group/version; PDB targets by selector text; ingress backends by service name and namespace.
  const char* text = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: d1, namespace: a}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: 1}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d2, namespace: a}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Service
metadata: {name: s-eq, namespace: a}
spec: {selector: {app: web}}
---
apiVersion: v1
kind: Service
metadata: {name: s-num, namespace: a}
spec: {selector: {tier: "1"}}
---
apiVersion: v1
kind: Service
metadata: {name: s-miss, namespace: a}
spec: {selector: {app: web, tier: "2"}}
---
apiVersion: v1
kind: Service
metadata: {name: s-other-ns, namespace: b}
spec: {selector: {app: web}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np-in, namespace: a}
spec:
  podSelector:
    matchExpressions: [{key: app, operator: In, values: [db, api]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np-notin, namespace: a}
spec:
  podSelector:
    matchExpressions: [{key: app, operator: NotIn, values: [web, api]}]
  ingress:
    - from:
        - podSelector: {matchLabels: {app: web}}
        - podSelector: {matchLabels: {app: gone}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-first, namespace: c}
spec:
  podSelector: {matchLabels: {app: x}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-invalid, namespace: c}
spec:
  podSelector:
    matchExpressions: [{key: app, operator: Bogus}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-all, namespace: c}
spec:
  podSelector: {}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: c1, namespace: c}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: c2, namespace: c}
spec:
  selector: {matchLabels: {app: y}}
  template:
    metadata: {labels: {app: y}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h-ok, namespace: a}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d1}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h-gv, namespace: a}
spec:
  scaleTargetRef: {apiVersion: extensions/v1beta1, kind: Deployment, name: d1}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: p-web, namespace: a}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: web}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: p-api, namespace: b}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: api}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: i, namespace: a}
spec:
  defaultBackend: {service: {name: s-eq, port: {number: 80}}}
  rules:
    - http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: s-num}}}
          - {path: /b, pathType: Prefix, backend: {service: {name: s-other-ns}}}
)";
  kfix::LoadResult r = kfix::LoadManifests(text, "objs.yaml");
  REQUIRE(r.errors.empty());
  auto rs = Rules(
      "checks:\n  doNotAutoAddDefaults: true\n  include: [dangling-service, dangling-networkpolicy,"
      " dangling-networkpolicypeer-podselector, non-isolated-pod, dangling-horizontalpodautoscaler,"
      " pdb-min-available, dangling-ingress]\n");
  const std::vector<std::string> want = {
      "non-isolated-pod a/d1: pods created by this object are non-isolated",
      "dangling-service a/s-miss: no pods found matching service labels (map[app:web tier:2])",
      "dangling-service b/s-other-ns: no pods found matching service labels (map[app:web])",
      "dangling-networkpolicy a/np-notin: no pods found matching networkpolicy's podSelector labels "
      "({map[] [{app NotIn [web api]}]}) ",
      "dangling-networkpolicypeer-podselector a/np-notin: no pods found matching networkpolicy rule's podSelector "
      "labels (app=gone)",
      "dangling-networkpolicy c/c-invalid: networkpolicy has invalid podSelector: \"Bogus\" is not a valid label "
      "selector operator",
      "non-isolated-pod c/c2: networkpolicy has invalid podSelector: \"Bogus\" is not a valid label selector operator",
      "dangling-horizontalpodautoscaler a/h-gv: no resources found matching HorizontalPodAutoscaler scaleTargetRef "
      "({Deployment d1 extensions/v1beta1})",
      "pdb-min-available a/p-web: The current number of replicas for deployment d1 is equal to or lower than the "
      "minimum number of replicas specified by its PDB.",
      "dangling-ingress a/i: no service found matching ingress label (s-eq), port 80",
      "dangling-ingress a/i: no service found matching ingress label (s-other-ns)",
  };
  for (int jobs : {1, 4}) {
    kfix::ScanOptions options;
    options.jobs = jobs;
    std::vector<std::string> got;
    for (const kfix::Finding& f : rs->Scan(r.manifests, options).findings) {
      got.push_back(f.check + " " + f.object.namespace_ + "/" + f.object.name + ": " + f.message);
    }
    CHECK(got == want);
  }
}

TEST_CASE("dangling-servicemonitor: label candidates from the index, namespace selectors as before") {
  const char* text = R"(apiVersion: v1
kind: Service
metadata: {name: s1, namespace: a, labels: {app: web, tier: "1"}}
spec: {selector: {app: web}}
---
apiVersion: v1
kind: Service
metadata: {name: s2, namespace: b, labels: {app: api}}
spec: {selector: {app: api}}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: m-label, namespace: a}
spec: {selector: {matchLabels: {app: web, tier: 1}}}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: m-label-miss, namespace: a}
spec: {selector: {matchLabels: {app: web, tier: 2}}}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: m-ns, namespace: a}
spec: {namespaceSelector: {matchNames: [b]}}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: m-ns-miss, namespace: a}
spec: {namespaceSelector: {matchNames: [c]}}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: m-both-miss, namespace: a}
spec: {namespaceSelector: {matchNames: [b]}, selector: {matchLabels: {app: web}}}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: m-both, namespace: a}
spec: {namespaceSelector: {any: true}, selector: {matchLabels: {app: api}}}
)";
  kfix::LoadResult r = kfix::LoadManifests(text, "sm.yaml");
  REQUIRE(r.errors.empty());
  auto rs = Rules("checks:\n  doNotAutoAddDefaults: true\n  include: [dangling-servicemonitor]\n");
  std::vector<std::string> got;
  for (const kfix::Finding& f : rs->Scan(r.manifests).findings) got.push_back(f.object.name);
  CHECK(got == std::vector<std::string>{"m-label-miss", "m-ns-miss", "m-both-miss"});
}

TEST_CASE("scan output is identical for any --jobs") {
  auto rs = Rules("checks:\n  addAllBuiltIn: true\n  include: [cap-sys-admin, run-as-user, seccomp-profile]\n");
  std::vector<kfix::Manifest> objs;
  for (int i = 0; i < 40; ++i) {
    kfix::LoadResult r = kfix::LoadManifests(kDeployment, std::string("f") + std::to_string(i % 7) + std::string(".yaml"));
    for (auto& m : r.manifests) {
      m.root.Find("metadata")->Set("name", std::string("web") + std::to_string(i));
      objs.push_back(std::move(m));
    }
  }
  kfix::ScanOptions one, four;
  four.jobs = 4;
  std::string a = kfix::ScanReportToJson(rs->Scan(objs, one), true, false);
  std::string b = kfix::ScanReportToJson(rs->Scan(objs, four), true, false);
  CHECK(a == b);
  CHECK(a.find("\"seconds\"") == std::string::npos);
}

TEST_CASE("ignorePaths globs") {
  auto rs = Rules("checks:\n  ignorePaths:\n    - \"**/vendor/**\"\n    - \"tmp/*.yaml\"\n");
  CHECK(rs->IsPathIgnored("a/vendor/b/c.yaml"));
  CHECK(rs->IsPathIgnored("tmp/x.yaml"));
  CHECK_FALSE(rs->IsPathIgnored("tmp/sub/x.yaml"));
  CHECK_FALSE(rs->IsPathIgnored("src/app.yaml"));
}

TEST_CASE("outputs: SARIF regions, text, kube-linter JSON, catalog") {
  auto rs = Rules("checks:\n  doNotAutoAddDefaults: true\n  include: [privileged-container]\n");
  kfix::ScanReport r = rs->ScanText(kDeployment, "d.yaml");
  auto sarif = kfix::ParseJson(kfix::ScanReportToSarif(r, *rs));
  REQUIRE(sarif.ok());
  CHECK(sarif->Find("version")->as_string() == "2.1.0");
  const kfix::Value& run = sarif->Find("runs")->as_array()[0];
  CHECK(run.FindPath({"tool", "driver", "rules"})->size() == 1);
  const kfix::Value& res = run.Find("results")->as_array()[0];
  CHECK(res.Find("ruleId")->as_string() == "privileged-container");
  CHECK(res.Find("level")->as_string() == "error");
  const kfix::Value* region = res.Find("locations")->as_array()[0].FindPath({"physicalLocation", "region"});
  CHECK(region->Find("startLine")->as_int() == 18);
  CHECK(region->Find("startColumn")->as_int() == 13);
  // A relative path stays relative to SRCROOT (declared in originalUriBaseIds);
  // an absolute one is a percent-encoded file:// URI without a base.
  const kfix::Value* art = res.Find("locations")->as_array()[0].FindPath({"physicalLocation", "artifactLocation"});
  CHECK(art->Find("uri")->as_string() == "d.yaml");
  CHECK(art->Find("uriBaseId")->as_string() == "SRCROOT");
  CHECK(run.FindPath({"originalUriBaseIds", "SRCROOT"}) != nullptr);
  kfix::ScanReport abs = rs->ScanText(kDeployment, "/tmp/in put/w\xc3\xa9" "b #1%.yaml");
  auto abs_sarif = kfix::ParseJson(kfix::ScanReportToSarif(abs, *rs));
  REQUIRE(abs_sarif.ok());
  const kfix::Value* abs_art = abs_sarif->Find("runs")->as_array()[0].Find("results")->as_array()[0]
                                   .Find("locations")->as_array()[0].FindPath({"physicalLocation", "artifactLocation"});
  CHECK(abs_art->Find("uri")->as_string() == "file:///tmp/in%20put/w%C3%A9b%20%231%25.yaml");
  CHECK(abs_art->Find("uriBaseId") == nullptr);

  std::string text = kfix::ScanReportToText(r);
  CHECK(text.find("d.yaml:18:13: (object: prod/web apps/v1, Kind=Deployment) container \"app\" is privileged "
                  "(check: privileged-container") != std::string::npos);

  CHECK(text.find("Error: found 1 lint errors") != std::string::npos);
  // No finding: "No lint errors found!" only when everything could be read.
  kfix::ScanReport clean = rs->ScanText("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "c.yaml");
  CHECK(kfix::ScanReportToText(clean) == "No lint errors found!\n");
  kfix::ScanReport unread = rs->ScanPaths({"/nonexistent/kfix-dir"});
  const std::string unread_text = kfix::ScanReportToText(unread);
  CHECK(unread_text.find("error: /nonexistent/kfix-dir: no such file or directory\n") == 0);  // path once
  CHECK(unread_text.find("No lint errors found!") == std::string::npos);
  CHECK(unread_text.find("1 input error above.") != std::string::npos);

  auto kl = kfix::ParseJson(kfix::ScanReportToKubeLinterJson(r, *rs));
  REQUIRE(kl.ok());
  CHECK(kl->Find("Checks")->size() == 1);
  const kfix::Value& rep = kl->Find("Reports")->as_array()[0];
  CHECK(rep.FindPath({"Diagnostic", "Message"})->as_string() == "container \"app\" is privileged");
  CHECK(rep.FindPath({"Object", "K8sObject", "GroupVersionKind", "Group"})->as_string() == "apps");
  CHECK(kl->FindPath({"Summary", "ChecksStatus"})->as_string() == "Failed");

  auto checks = kfix::ParseJson(kfix::ChecksToJson(kfix::BuiltinChecks()));
  REQUIRE(checks.ok());
  CHECK(checks->Find("checks")->size() == kfix::BuiltinChecks().size());
  std::string md = kfix::ChecksToMarkdown(kfix::BuiltinChecks());
  CHECK(md.find("## unset-cpu-requirements") != std::string::npos);
}

TEST_CASE("parse errors are reported, not dropped") {
  auto rs = Rules("");
  kfix::ScanReport r = rs->ScanText("apiVersion: v1\nkind: Pod\nmetadata: {name: [\n", "bad.yaml");
  CHECK_FALSE(r.errors.empty());
  CHECK(r.errors[0].location().file == "bad.yaml");
}

TEST_CASE("internal helpers: quantities, selectors, Go formatting, globs") {
  using namespace kfix::internal;
  CHECK(MilliValue(ParseQuantity("500m")) == 500);
  CHECK(MilliValue(ParseQuantity("0.5")) == 500);
  CHECK(MilliValue(ParseQuantity("1")) == 1000);
  CHECK(MilliValue(ParseQuantity("1u")) == 1);  // rounds up
  CHECK(MilliValue(ParseQuantity("0")) == 0);
  CHECK(WholeValue(ParseQuantity("1Gi")) == 1073741824);
  CHECK(WholeValue(ParseQuantity("1e3")) == 1000);
  CHECK(WholeValue(ParseQuantity("128Mi")) == 134217728);
  CHECK_FALSE(ParseQuantity("1Gb").ok);
  CHECK_FALSE(ParseQuantity("abc").ok);
  CHECK_FALSE(ParseQuantity("").ok);

  kfix::Value labels = kfix::Value::MakeObject();
  labels.Set("app", "web");
  labels.Set("tier", "front");
  kfix::Value sel = kfix::Value::MakeObject();
  kfix::Value ml = kfix::Value::MakeObject();
  ml.Set("app", "web");
  sel.Set("matchLabels", ml);
  kfix::Value exprs = kfix::Value::MakeArray();
  kfix::Value e = kfix::Value::MakeObject();
  e.Set("key", "env");
  e.Set("operator", "DoesNotExist");
  exprs.PushBack(e);
  sel.Set("matchExpressions", exprs);
  Selector s = Selector::FromLabelSelector(&sel);
  CHECK(s.Matches(&labels));
  CHECK(s.ToString() == "app=web,!env");
  labels.Set("env", "prod");
  CHECK_FALSE(s.Matches(&labels));
  CHECK(GoMap(&labels) == "map[app:web env:prod tier:front]");
  CHECK(GoQuote("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"");
  CHECK(GoQuoteList({"x", "y"}) == "[\"x\" \"y\"]");

  CHECK(GlobMatch("**/*.yaml", "a/b/c.yaml"));
  CHECK(GlobMatch("**/*.yaml", "c.yaml"));
  CHECK(GlobMatch("a/*/c.yaml", "a/b/c.yaml"));
  CHECK_FALSE(GlobMatch("a/*/c.yaml", "a/b/x/c.yaml"));
  CHECK(GlobMatch("a/[bc]?.yml", "a/cd.yml"));
}

TEST_CASE("docs/checks.md is generated from the catalog") {
  const std::string path = std::string(KFIX_SOURCE_DIR) + "/docs/checks.md";
  std::string generated = kfix::ChecksToMarkdown(kfix::BuiltinChecks());
  if (std::getenv("KFIX_UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << generated;
  }
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  CHECK_MESSAGE(ss.str() == generated, "docs/checks.md is stale: run kfix checks list --format markdown > docs/checks.md");
}

namespace {
int RunCli(const std::string& args) {
  int rc = std::system((std::string(KFIX_CLI_PATH) + " " + args + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
}  // namespace

TEST_CASE("kfix scan exit codes") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("kfix_rules_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto write = [&](const char* name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    return (dir / name).string();
  };
  std::string bad = write("bad.yaml", kDeployment);
  std::string good = write("good.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n");
  std::string broken = write("broken.yaml", "kind: [\n");
  std::string cfg = write("cfg.yaml", "checks:\n  include: [nope]\n");
  std::string only_info = write("info.yaml", "checks:\n  doNotAutoAddDefaults: true\n  include: [no-anti-affinity]\n");
  CHECK(RunCli("scan " + good) == 0);
  CHECK(RunCli("scan " + bad) == 2);
  CHECK(RunCli("scan --fail-on error " + bad) == 2);  // privileged-container is an error
  CHECK(RunCli("scan --config " + only_info + " " + bad) == 2);
  CHECK(RunCli("scan --config " + only_info + " --fail-on warning " + bad) == 0);
  CHECK(RunCli("scan --config " + cfg + " " + good) == 1);
  CHECK(RunCli("scan " + (dir / "missing.yaml").string()) == 1);
  CHECK(RunCli("scan " + broken) == 0);                       // reported, not fatal
  CHECK(RunCli("scan --fail-on-invalid " + broken) == 1);
  CHECK(RunCli("scan --format nope " + good) == 1);
  CHECK(RunCli("scan") == 1);
  CHECK(RunCli("checks list --format json") == 0);
  fs::remove_all(dir);
}

TEST_CASE("ScanReportToJson writes exactly the ScanReportToValue document (both styles)") {
  auto rules = kfix::RuleSet::Create(kfix::RulesConfig{});
  REQUIRE(rules.ok());
  const char* yaml = R"(apiVersion: v1
kind: Pod
metadata:
  name: "w\u00e9b \"quoted\" \u0001"
spec:
  containers:
  - name: app
    image: nginx:latest
---
apiVersion: v1
kind: Pod
metadata:
  name: quiet
  annotations:
    kube-linter.io/ignore-all: "reviewed"
spec:
  containers:
  - name: app
    image: nginx:latest
---
: bad
)";
  kfix::ScanReport r = (*rules)->ScanText(yaml, "t.yaml");
  REQUIRE(!r.findings.empty());
  REQUIRE(!r.ignored.empty());
  // An error whose message holds the writer's placeholder text.
  r.errors.push_back(kfix::ParseError("\x01kfix-findings \x01kfix-ignored", kfix::SourceLocation{}));
  // The writer escapes each check's remediation once and reuses it: a finding
  // of the same check with another text (a caller edited it, or a custom check
  // shares the name) must still be written with its own text.
  REQUIRE(r.findings.size() >= 2);
  kfix::Finding other = r.findings.front();
  other.remediation = "Edited: \"quotes\", a tab\t and \u00e9.";
  r.findings.push_back(other);
  r.findings.push_back(r.findings.front());
  other.remediation = r.findings.front().remediation + "!";  // same prefix, longer
  r.findings.push_back(other);
  for (bool pretty : {true, false}) {
    const std::string expected =
        kfix::ToJson(kfix::ScanReportToValue(r, true), pretty ? kfix::JsonStyle::kPretty : kfix::JsonStyle::kCompact) +
        "\n";
    CHECK(kfix::ScanReportToJson(r, pretty) == expected);
  }
  kfix::ScanReport empty;
  CHECK(kfix::ScanReportToJson(empty, true) == kfix::ToJson(kfix::ScanReportToValue(empty, true), kfix::JsonStyle::kPretty) + "\n");
}

TEST_CASE("a workload whose pod template has the wrong shape is reported, never passed over in silence") {
  auto rules = kfix::RuleSet::Create(kfix::RulesConfig{});
  REQUIRE(rules.ok());
  const char* yaml = R"(apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  containers: 5
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template: [1]
---
apiVersion: v1
kind: Pod
metadata: {name: b}
spec:
  initContainers: [3]
  containers:
  - name: app
    image: app:1
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {containers: "5"}
)";
  kfix::ScanReport r = (*rules)->ScanText(yaml, "shapes.yaml");
  REQUIRE(r.warnings.size() == 3);
  CHECK(r.warnings[0].code() == kfix::StatusCode::kInvalidArgument);
  CHECK(r.warnings[0].location().line == 5);
  CHECK(r.warnings[0].location().pointer == "/spec/containers");
  CHECK(r.warnings[1].location().document == 1);
  CHECK(r.warnings[1].location().pointer == "/spec/template");
  CHECK(r.warnings[2].location().pointer == "/spec/initContainers/0");
  // The well-formed container of the third object is still checked.
  bool app_checked = false;
  for (const kfix::Finding& f : r.findings) app_checked = app_checked || f.container == "app";
  CHECK(app_checked);
  // Warnings reach the text output.
  CHECK(kfix::ScanReportToText(r).find("warning: shapes.yaml:5:") != std::string::npos);
}

TEST_CASE("LintIndex::Derived: each index built once, found by every thread, more index types than slots") {
  kfix::internal::LintIndex ctx;
  // 40 index types (more than the lock-free slots) looked up by 4 threads at
  // once, 200 times each: every lookup of a tag sees the one index built for
  // it, and each is built exactly once.
  static const char kTags[40] = {};
  std::atomic<int> builds{0};
  std::vector<std::vector<const int*>> seen(4, std::vector<const int*>(40, nullptr));
  std::atomic<bool> wrong{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        for (int k = 0; k < 40; ++k) {
          const int i = (k + t * 7) % 40;
          const int& index = ctx.Derived<int>(&kTags[i], [&] {
            ++builds;
            return i * 3;
          });
          if (index != i * 3) wrong = true;
          if (seen[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)] == nullptr) {
            seen[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)] = &index;
          } else if (seen[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)] != &index) {
            wrong = true;
          }
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  CHECK_FALSE(wrong.load());
  CHECK(builds.load() == 40);
  for (int i = 0; i < 40; ++i) {
    for (int t = 1; t < 4; ++t) CHECK(seen[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)] == seen[0][static_cast<std::size_t>(i)]);
  }
}
