// The gVisor migration playbook: every table and vector of playbooks.md §1.13.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "kfix/audit.hpp"
#include "kfix/core.hpp"
#include "kfix/gvisor.hpp"

namespace gv = kfix::gvisor;

namespace {

const std::string kData = std::string(KFIX_SOURCE_DIR) + "/tests/data/gvisor/";

std::vector<kfix::Manifest> Load(const std::string& yaml) {
  kfix::LoadResult r = kfix::LoadManifests(yaml, "test.yaml");
  REQUIRE(r.errors.empty());
  return r.manifests;
}

std::vector<kfix::Manifest> LoadPath(const std::string& file) {
  kfix::LoadResult r = kfix::LoadFile(kData + file);
  REQUIRE(r.errors.empty());
  return r.manifests;
}

// A Deployment "app" in "default" whose pod spec is `spec` (flow YAML) and
// whose own metadata carries `annotations`.
std::string Deployment(const std::string& spec, const std::string& annotations = "{}") {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, namespace: default, annotations: " +
         annotations + "}\nspec:\n  template:\n    spec: " + spec + "\n";
}

gv::WorkloadResult ClassifyOne(const std::string& yaml, const gv::ClassifyOptions& o = {}) {
  gv::ScanOptions so;
  so.classify = o;
  gv::CompatibilityReport r = gv::ScanWorkloads(Load(yaml), so);
  REQUIRE(r.workloads.size() == 1);
  return r.workloads[0];
}

std::vector<std::string> Ids(const gv::WorkloadResult& r) {
  std::vector<std::string> ids;
  for (const gv::Reason& reason : r.reasons) ids.push_back(reason.rule_id);
  return ids;
}

const gv::Reason* FindReason(const gv::WorkloadResult& r, const std::string& id) {
  for (const gv::Reason& reason : r.reasons) {
    if (reason.rule_id == id) return &reason;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the catalogue: 15 rules with stable ids and default severities, in id order") {
  const auto& rules = gv::Rules();
  REQUIRE(rules.size() == 15);
  std::vector<std::string> ids;
  for (const auto& r : rules) ids.push_back(r.id);
  CHECK(ids == std::vector<std::string>{"ebpf", "fuse-mount", "gpu-passthrough", "host-ipc", "host-network",
                                        "host-path-mount", "host-pid", "io-uring", "kvm-nested", "network-throughput",
                                        "perf-events", "privileged", "raw-socket", "syscall-heavy", "systemd-init"});
  auto sev = [](const char* id) { return gv::FindRule(id)->default_severity; };
  for (const char* id : {"raw-socket", "host-network", "host-pid", "host-ipc", "privileged", "ebpf", "kvm-nested"})
    CHECK(sev(id) == gv::Severity::kError);
  for (const char* id : {"host-path-mount", "gpu-passthrough", "fuse-mount", "io-uring", "perf-events", "systemd-init"})
    CHECK(sev(id) == gv::Severity::kWarn);
  CHECK(sev("network-throughput") == gv::Severity::kInfo);
  CHECK(sev("syscall-heavy") == gv::Severity::kInfo);
  CHECK(gv::FindRule("nope") == nullptr);
}

TEST_CASE("classifier table (playbooks.md §1.13)") {
  struct Case {
    std::string spec, annotations;
    gv::Compatibility verdict;
    std::vector<std::string> ids;
  };
  using C = gv::Compatibility;
  const std::vector<Case> cases = {
      {"{containers: [{name: a, image: busybox}]}", "{}", C::kCompatible, {}},
      {"{hostNetwork: true, containers: [{name: a, image: busybox}]}", "{}", C::kIncompatible, {"host-network"}},
      {"{hostPID: true, containers: [{name: a, image: busybox}]}", "{}", C::kIncompatible, {"host-pid"}},
      {"{containers: [{name: a, image: busybox, securityContext: {privileged: true}}]}", "{}", C::kIncompatible,
       {"privileged"}},
      {"{containers: [{name: a, image: busybox, securityContext: {capabilities: {add: [NET_RAW]}}}]}", "{}",
       C::kIncompatible, {"raw-socket"}},
      {"{containers: [{name: a, image: cuda, resources: {limits: {nvidia.com/gpu: 1}}}]}", "{}", C::kReview,
       {"gpu-passthrough"}},
      {"{containers: [{name: a, image: busybox}], volumes: [{name: v, hostPath: {path: /var/log}}]}", "{}", C::kReview,
       {"host-path-mount"}},
      {"{containers: [{name: a, image: busybox}], volumes: [{name: v, hostPath: {path: /dev/kvm}}]}", "{}",
       C::kIncompatible, {"host-path-mount", "kvm-nested"}},
      {"{containers: [{name: a, image: 'nginx:alpine'}]}", "{}", C::kCompatible, {"network-throughput"}},
      {"{containers: [{name: a, image: 'cilium/cilium:v1.14.4'}]}", "{}", C::kIncompatible, {"ebpf"}},
      {"{hostNetwork: true, containers: [{name: a, image: cuda, resources: {limits: {nvidia.com/gpu: 1}}}]}", "{}",
       C::kIncompatible, {"gpu-passthrough", "host-network"}},
      {"{containers: [{name: a, image: busybox}]}", "{agentmoat.io/uses-iouring: 'true'}", C::kReview, {"io-uring"}},
      {"{containers: [{name: a, image: fedora, command: [/sbin/init]}]}", "{}", C::kReview, {"systemd-init"}},
      {"{containers: [{name: a, image: 'registry.access.redhat.com/ubi9/ubi-init:9.6'}]}", "{}", C::kReview,
       {"systemd-init"}},
      {"{containers: [{name: a, image: busybox}]}", "{agentmoat.io/runs-systemd: 'true'}", C::kReview,
       {"systemd-init"}},
      {"{containers: [{name: a, image: busybox, command: [/sbin/tini, '--', /app]}]}", "{}", C::kCompatible, {}},
      {"{containers: [{name: a, image: fedora, command: [/usr/lib/systemd/systemd], securityContext: {privileged: "
       "true}}]}",
       "{}", C::kIncompatible, {"privileged", "systemd-init"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.spec);
    gv::WorkloadResult r = ClassifyOne(Deployment(c.spec, c.annotations));
    CHECK(r.compatibility == c.verdict);
    CHECK(Ids(r) == c.ids);
    CHECK_FALSE(r.recommendation.empty());
  }
}

TEST_CASE("recommendations and overhead texts are the fixed strings") {
  gv::WorkloadResult bad = ClassifyOne(Deployment(
      "{hostNetwork: true, hostPID: true, containers: [{name: a, image: 'redis:7'}]}"));
  CHECK(bad.recommendation == "Do not migrate to gVisor: 2 blocking issues. See reasons.");
  CHECK(bad.overhead == "Syscall-heavy: 5-10x latency in pathological cases");
  gv::WorkloadResult review = ClassifyOne(Deployment(
      "{containers: [{name: a, image: 'envoy', resources: {requests: {nvidia.com/gpu: 1}}}], volumes: [{name: v, "
      "hostPath: {path: /x}}]}"));
  CHECK(review.recommendation == "Review before migration: 2 potential issues.");
  CHECK(review.overhead == "Network throughput: 20-40%");
  gv::WorkloadResult both = ClassifyOne(Deployment("{containers: [{name: a, image: redis}, {name: b, image: nginx}]}"));
  CHECK(both.overhead == "Network throughput: 20-40%");  // network-throughput wins
  CHECK(both.recommendation == "Safe to migrate: set spec.runtimeClassName: gvisor on this workload.");
  CHECK(ClassifyOne(Deployment("{containers: [{name: a, image: busybox}]}")).overhead.empty());
}

TEST_CASE("rule details: init containers count, ephemeral do not, capabilities exact, hints case-insensitive") {
  CHECK(Ids(ClassifyOne(Deployment(
            "{initContainers: [{name: i, image: x, securityContext: {capabilities: {add: [BPF]}}}], containers: []}"))) ==
        std::vector<std::string>{"ebpf"});
  CHECK(Ids(ClassifyOne(Deployment(
            "{ephemeralContainers: [{name: e, image: x, securityContext: {privileged: true}}], containers: []}")))
            .empty());
  CHECK(Ids(ClassifyOne(Deployment("{containers: [{name: a, image: x, securityContext: {capabilities: {add: "
                                   "[CAP_NET_RAW, net_raw]}}}]}")))
            .empty());
  CHECK(Ids(ClassifyOne(Deployment("{containers: [{name: a, image: 'Docker.io/Library/NGINX:1'}]}"))) ==
        std::vector<std::string>{"network-throughput"});
  CHECK(Ids(ClassifyOne(Deployment("{containers: [{name: a, image: x, securityContext: {capabilities: {add: "
                                   "[SYS_ADMIN]}}}]}"))) == std::vector<std::string>{"perf-events"});
  CHECK(Ids(ClassifyOne(Deployment(
            "{containers: [{name: a, image: x}], volumes: [{name: v, csi: {driver: gcsFUSE.csi.storage.gke.io}}]}"))) ==
        std::vector<std::string>{"fuse-mount"});
  CHECK(Ids(ClassifyOne(Deployment("{containers: [{name: a, image: x, env: [{name: AGENTMOAT_USES_FUSE, value: "
                                   "'true'}]}]}"))) == std::vector<std::string>{"fuse-mount"});
  CHECK(Ids(ClassifyOne(Deployment("{containers: [{name: a, image: x}]}", "{agentmoat.io/needs-raw-socket: 'true'}"))) ==
        std::vector<std::string>{"raw-socket"});
  // The controller's own annotations count, not the pod template's.
  CHECK(Ids(ClassifyOne("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    metadata: "
                        "{annotations: {agentmoat.io/uses-iouring: 'true'}}\n    spec: {containers: [{name: a, image: "
                        "x}]}\n"))
            .empty());
  // systemd-init looks at main containers only.
  CHECK(Ids(ClassifyOne(Deployment("{initContainers: [{name: i, image: x, command: [/sbin/init]}], containers: "
                                   "[{name: a, image: x}]}")))
            .empty());
}

TEST_CASE("systemd PID 1 detection: command[0], else args[0], else image hints") {
  auto c = [](const std::string& yaml) { return *kfix::ParseYaml(yaml); };
  CHECK(gv::RunsSystemdAsPid1(c("{image: x, command: [/sbin/init]}")));
  CHECK(gv::RunsSystemdAsPid1(c("{image: x, command: [/usr/sbin/init]}")));
  CHECK(gv::RunsSystemdAsPid1(c("{image: x, command: [/lib/systemd/systemd]}")));
  CHECK(gv::RunsSystemdAsPid1(c("{image: x, args: [/usr/lib/systemd/systemd, --system]}")));
  CHECK_FALSE(gv::RunsSystemdAsPid1(c("{image: x, command: [/sbin/tini, --, /sbin/init]}")));
  CHECK_FALSE(gv::RunsSystemdAsPid1(c("{image: x, command: [dumb-init], args: [/sbin/init]}")));
  CHECK_FALSE(gv::RunsSystemdAsPid1(c("{image: x, command: [catatonit]}")));
  CHECK(gv::RunsSystemdAsPid1(c("{image: 'quay.io/x/ubi8-init:8'}")));
  CHECK(gv::RunsSystemdAsPid1(c("{image: 'x/UBI10-INIT'}")));
  // A command wins over the image hint.
  CHECK_FALSE(gv::RunsSystemdAsPid1(c("{image: 'ubi9/ubi-init', command: [/bin/sh]}")));
}

TEST_CASE("override file: severity only, unknown ids warn, malformed YAML errors with file:line") {
  auto o = gv::ParseRuleOverrides(
      "overrides:\n  - id: host-path-mount\n    severity: info\n    description: ignored\n    source: team\n",
      "ov.yaml");
  REQUIRE(o.ok());
  CHECK(o->warnings.empty());
  gv::ClassifyOptions co;
  co.overrides = &*o;
  gv::WorkloadResult r =
      ClassifyOne(Deployment("{containers: [{name: a, image: x}], volumes: [{name: v, hostPath: {path: /var/log}}]}"), co);
  CHECK(r.compatibility == gv::Compatibility::kCompatible);
  REQUIRE(r.reasons.size() == 1);  // paper trail: kept at the new severity
  CHECK(r.reasons[0].severity == gv::Severity::kInfo);
  CHECK(r.reasons[0].description == gv::FindRule("host-path-mount")->description);

  auto unknown = gv::ParseRuleOverrides("overrides:\n  - id: made-up\n    severity: error\n", "ov.yaml");
  REQUIRE(unknown.ok());
  CHECK(unknown->warnings.size() == 1);
  CHECK(unknown->severity.empty());
  CHECK(unknown->warnings[0].location().line == 2);

  auto skipped = gv::ParseRuleOverrides(
      "overrides:\n  - severity: warn\n  - id: ebpf\n    severity: fatal\n  - id: ebpf\n    severity: warn\n", "ov.yaml");
  REQUIRE(skipped.ok());
  CHECK(skipped->warnings.size() == 2);
  CHECK(skipped->warnings[0].message() == "override entry missing id, skipped");
  CHECK(skipped->severity.at("ebpf") == gv::Severity::kWarn);

  auto bad = gv::ParseRuleOverrides("overrides:\n  - id: ebpf\n    severity: [unclosed\n", "ov.yaml");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == kfix::StatusCode::kParseError);
  CHECK(bad.status().location().file == "ov.yaml");
  CHECK(bad.status().location().line >= 3);
  auto shape = gv::ParseRuleOverrides("overrides: {id: ebpf}\n", "ov.yaml");
  REQUIRE_FALSE(shape.ok());
  CHECK(shape.status().code() == kfix::StatusCode::kParseError);
  CHECK(gv::ParseRuleOverrides("", "empty.yaml").ok());
}

TEST_CASE("refinement: gpu-passthrough over GPU node groups; MIG requests are always errors") {
  const std::string gpu = Deployment("{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: 1}}}]}");
  const std::string mig = Deployment("{containers: [{name: a, image: x, resources: {limits: {nvidia.com/mig-1g.5gb: 1}}}]}");
  CHECK(FindReason(ClassifyOne(mig), "gpu-passthrough")->severity == gv::Severity::kError);
  auto facts = [](const std::string& nodes, const std::string& drivers) {
    auto f = gv::ParseClusterFacts("runsc: {version: release-20260901.0" + drivers + "}\nnodes: " + nodes, "f.yaml");
    REQUIRE(f.ok());
    return *f;
  };
  auto node = [](const std::string& name, const std::string& product, const std::string& driver) {
    std::string labels = "{nvidia.com/gpu.present: 'true'";
    if (!product.empty()) labels += ", nvidia.com/gpu.product: " + product;
    if (!driver.empty()) labels += ", nvidia.com/cuda.driver-version.full: '" + driver + "'";
    return "{metadata: {name: " + name + ", labels: " + labels + "}}}";
  };
  auto severity = [&](const gv::ClusterFacts& f) {
    gv::ClassifyOptions o;
    o.facts = &f;
    return FindReason(ClassifyOne(gpu, o), "gpu-passthrough")->severity;
  };
  const std::string listed = ", nvproxyDrivers: ['550.54.15']";
  CHECK(severity(facts("[]", listed)) == gv::Severity::kWarn);  // no GPU nodes: unchanged
  CHECK(severity(facts("[" + node("a", "NVIDIA-A100-SXM4-40GB", "550.54.15") + "]", listed)) == gv::Severity::kInfo);
  CHECK(severity(facts("[" + node("a", "NVIDIA-A100-SXM4-40GB", "550.54.15") + "," + node("b", "Tesla-V100", "550.54.15") +
                       "]",
                       listed)) == gv::Severity::kWarn);
  CHECK(severity(facts("[" + node("a", "NVIDIA-L4", "550.54.15") + "]", "")) == gv::Severity::kWarn);  // unconfirmed
  CHECK(severity(facts("[" + node("a", "NVIDIA-L4", "470.1") + "]", listed)) == gv::Severity::kError);  // driver-bad
  CHECK(severity(facts("[" + node("a", "", "") + "]", listed)) == gv::Severity::kWarn);                 // unknown
  CHECK(severity(facts("[" + node("a", "NVIDIA-L40", "550.54.15") + "]", listed)) == gv::Severity::kError);  // L40 != L4
  // MIG wins over facts, and refinement is deterministic.
  gv::ClusterFacts ready = facts("[" + node("a", "NVIDIA-H100-80GB-HBM3", "550.54.15") + "]", listed);
  gv::ClassifyOptions o;
  o.facts = &ready;
  CHECK(FindReason(ClassifyOne(mig, o), "gpu-passthrough")->severity == gv::Severity::kError);
  CHECK(kfix::ToJson(gv::ToValue(ClassifyOne(gpu, o))) == kfix::ToJson(gv::ToValue(ClassifyOne(gpu, o))));
  CHECK(FindReason(ClassifyOne(gpu, o), "gpu-passthrough")->description.find("Refined") != std::string::npos);
}

TEST_CASE("refinement: systemd-init over the runsc version") {
  const std::string y = Deployment("{containers: [{name: a, image: x, command: [/sbin/init]}]}");
  auto sev = [&](const std::string& facts_yaml) {
    auto f = gv::ParseClusterFacts(facts_yaml, "f.yaml");
    REQUIRE(f.ok());
    gv::ClassifyOptions o;
    o.facts = &*f;
    return *FindReason(ClassifyOne(y, o), "systemd-init");
  };
  CHECK(FindReason(ClassifyOne(y), "systemd-init")->description == gv::FindRule("systemd-init")->description);
  gv::Reason unknown = sev("nodes: []");
  CHECK(unknown.severity == gv::Severity::kWarn);
  CHECK(unknown.description.find("unknown") != std::string::npos);
  CHECK(sev("runsc: {version: 'v1.2'}").severity == gv::Severity::kWarn);
  CHECK(sev("runsc: {version: release-20260830.9}").severity == gv::Severity::kError);
  gv::Reason current = sev("runsc: {version: release-20260831.0}");
  CHECK(current.severity == gv::Severity::kWarn);
  CHECK(current.description.find("in-sandbox-cgroup=v2") != std::string::npos);
  CHECK(sev("runsc: {version: release-20270101.3}").severity == gv::Severity::kWarn);
}

TEST_CASE("extraction: owners, precedence through ownerReferences, system namespaces, sort order") {
  const std::string yaml = R"(
apiVersion: v1
kind: Pod
metadata:
  name: web-abc-1
  namespace: b
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-abc, controller: true}]
spec: {containers: [{name: a, image: x}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: loose
  namespace: b
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: other}]
spec: {containers: [{name: a, image: x}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-abc, namespace: b}
spec: {template: {spec: {containers: [{name: a, image: x}]}}}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: nightly-123
  namespace: a
  ownerReferences: [{kind: CronJob, name: nightly, controller: true}]
spec: {template: {spec: {containers: [{name: a, image: x}]}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: a}
spec: {jobTemplate: {spec: {template: {spec: {hostPID: true, containers: [{name: a, image: 'redis'}]}}}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: b}
spec: {template: {spec: {initContainers: [{name: i, image: init:1}], containers: [{name: a, image: main:1}]}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: proxy, namespace: kube-system}
spec: {template: {spec: {containers: [{name: a, image: x}]}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: flannel, namespace: kube-flannel}
spec: {template: {spec: {containers: [{name: a, image: x}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: b}
spec: {template: {spec: {containers: [{name: dup, image: x}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: nons}
spec: {template: {spec: {containers: [{name: a, image: x}]}}}
)";
  std::vector<kfix::Manifest> objects = Load(yaml);
  gv::ExtractResult r = gv::ExtractWorkloads(objects);
  std::vector<std::string> rows;
  for (const gv::Workload& w : r.workloads) rows.push_back(w.namespace_ + "/" + w.kind + "/" + w.name);
  CHECK(rows == std::vector<std::string>{"a/CronJob/nightly", "b/Deployment/web", "b/Pod/loose", "default/Deployment/nons"});
  CHECK(r.skipped_owned == 2);
  CHECK(r.skipped_system == 2);
  REQUIRE(r.warnings.size() == 1);  // the duplicate web
  CHECK(r.warnings[0].location().line > 0);
  CHECK(r.workloads[1].image_refs == std::vector<std::string>{"init:1", "main:1"});
  CHECK(r.workloads[0].pod_spec.Find("hostPID") != nullptr);  // CronJob pod spec path
  gv::ExtractOptions all;
  all.include_system = true;
  CHECK(gv::ExtractWorkloads(objects, all).workloads.size() == 6);
  CHECK(gv::IsSystemNamespace("kube-anything"));
  CHECK_FALSE(gv::IsSystemNamespace("kubeflow"));
}

TEST_CASE("planner: the 9-workload fixture, default and includeReview") {
  std::vector<kfix::Manifest> in = LoadPath("fixture9.yaml");
  gv::CompatibilityReport report = gv::ScanWorkloads(in);
  CHECK(report.incompatible == 3);
  CHECK(report.review == 2);
  CHECK(report.compatible == 4);
  const std::string before = kfix::ToJson(gv::ToValue(report));

  gv::MigrationPlan plan = gv::BuildPlan(report, {}, {});
  CHECK(plan.summary.total == 9);
  CHECK(plan.summary.included == 2);
  CHECK(plan.summary.excluded == 7);
  REQUIRE(plan.steps.size() == 2);
  CHECK(plan.steps[0].target.name == "web");
  CHECK(plan.steps[0].risk_score == 2);
  CHECK(plan.steps[0].order == 1);
  CHECK(plan.steps[0].wait_for == "Ready");
  CHECK(plan.steps[0].notes == "flagged: network-throughput");
  CHECK(plan.steps[0].runtime_class_name == "gvisor");
  CHECK_FALSE(plan.steps[0].add_toleration);
  CHECK(plan.steps[1].target.name == "cache");
  CHECK(plan.steps[1].risk_score == 6);
  int incompatible = 0, review = 0, gated = 0;
  for (const gv::ExcludedWorkload& e : plan.excluded) {
    if (e.reason.rfind("workload is incompatible: ", 0) == 0) ++incompatible;
    if (e.reason.rfind("workload needs review (use --include-review to plan anyway): ", 0) == 0) ++review;
    if (e.reason.rfind("cannot patch in place: ", 0) == 0) {
      ++gated;
      CHECK(e.compatibility == gv::Compatibility::kCompatible);
    }
  }
  CHECK(incompatible == 3);
  CHECK(review == 2);
  CHECK(gated == 2);
  CHECK(kfix::ToJson(gv::ToValue(report)) == before);  // input not mutated

  gv::PlanOptions o;
  o.include_review = true;
  gv::MigrationPlan with_review = gv::BuildPlan(report, o, {});
  CHECK(with_review.summary.included == 4);
  CHECK(with_review.summary.excluded == 5);
  std::vector<std::string> order;
  std::vector<std::int64_t> scores;
  for (const gv::Step& s : with_review.steps) {
    order.push_back(s.target.name);
    scores.push_back(s.risk_score);
  }
  CHECK(order == std::vector<std::string>{"web", "gpu-worker", "log-reader", "cache"});
  CHECK(scores == std::vector<std::int64_t>{2, 2, 5, 6});

  gv::PlanOptions kata;
  kata.runtime_class_name = "kata";
  for (const gv::Step& s : gv::BuildPlan(report, kata, {}).steps) CHECK(s.runtime_class_name == "kata");
  gv::PlanOptions empty_rc;
  empty_rc.runtime_class_name = "";
  CHECK(gv::BuildPlan(report, empty_rc, {}).options.runtime_class_name == "gvisor");
}

TEST_CASE("risk scores and the tie-break") {
  auto result = [](std::string kind, std::string ns, std::string name, std::vector<gv::Severity> sevs,
                   std::vector<std::string> ids = {}) {
    gv::WorkloadResult r;
    r.kind = std::move(kind);
    r.namespace_ = std::move(ns);
    r.name = std::move(name);
    for (std::size_t i = 0; i < sevs.size(); ++i)
      r.reasons.push_back({i < ids.size() ? ids[i] : "w" + std::to_string(i), sevs[i], "", ""});
    return r;
  };
  using S = gv::Severity;
  CHECK(gv::RiskScore(result("Deployment", "a", "a", {})) == 0);
  CHECK(gv::RiskScore(result("StatefulSet", "a", "a", {S::kWarn})) == 7);
  CHECK(gv::RiskScore(result("DaemonSet", "a", "a", {S::kWarn, S::kWarn})) == 6);
  CHECK(gv::RiskScore(result("DaemonSet", "a", "a", {S::kWarn, S::kWarn, S::kWarn})) == 6);
  CHECK(gv::RiskScore(result("Pod", "a", "a", {})) == 1);
  CHECK(gv::RiskScore(result("ReplicationController", "a", "a", {})) == 1);
  CHECK(gv::RiskScore(result("CronJob", "a", "a", {S::kInfo, S::kInfo}, {"network-throughput", "syscall-heavy"})) == 3);
  gv::CompatibilityReport report;
  report.workloads = {result("Deployment", "ns2", "z", {}), result("Deployment", "ns1", "y", {}),
                      result("Deployment", "ns1", "a", {})};
  gv::MigrationPlan plan = gv::BuildPlan(report, {}, {});
  REQUIRE(plan.steps.size() == 3);
  CHECK(plan.steps[0].target.namespace_ + "/" + plan.steps[0].target.name == "ns1/a");
  CHECK(plan.steps[1].target.namespace_ + "/" + plan.steps[1].target.name == "ns1/y");
  CHECK(plan.steps[2].target.namespace_ + "/" + plan.steps[2].target.name == "ns2/z");
  CHECK(plan.steps[2].order == 3);
}

TEST_CASE("plan hash: the agentmoat test vector, determinism, options, nil == empty") {
  gv::CompatibilityReport report = gv::ScanWorkloads(LoadPath("two-step.yaml"));
  gv::PlanOptions legacy;
  legacy.add_toleration = true;  // the version where every step carried addToleration: true
  gv::MigrationPlan plan = gv::BuildPlan(report, legacy, {}, gv::HashProfile::kAgentmoatV1);
  const std::string bytes = gv::PlanHashBytes(plan.steps, plan.options, gv::HashProfile::kAgentmoatV1);
  CHECK(bytes ==
        R"({"steps":[{"order":1,"target":{"kind":"Deployment","namespace":"default","name":"web"},"action":"set-runtime-class","runtimeClassName":"gvisor","addToleration":true,"waitFor":"Ready","riskScore":2,"notes":"flagged: network-throughput"},{"order":2,"target":{"kind":"StatefulSet","namespace":"data","name":"cache"},"action":"set-runtime-class","runtimeClassName":"gvisor","addToleration":true,"waitFor":"Ready","riskScore":6,"notes":"flagged: syscall-heavy"}],"options":{"runtimeClassName":"gvisor"}})");
  CHECK(plan.plan_hash == "e7814fabd8d8d795a4f52b0439cfef527fb58581635c901117d4b3e6f27302d2");
  // The newest layout carries the option too, so it hashes differently.
  CHECK(gv::PlanHash(plan.steps, plan.options, gv::HashProfile::kAgentmoat) != plan.plan_hash);

  for (gv::HashProfile p : {gv::HashProfile::kKfix, gv::HashProfile::kAgentmoat, gv::HashProfile::kAgentmoatV1}) {
    CAPTURE(gv::HashProfileName(p));
    gv::MigrationPlan a = gv::BuildPlan(report, {}, {"2026-01-01T00:00:00Z", "one"}, p);
    gv::MigrationPlan b = gv::BuildPlan(report, {}, {"2027-06-01T00:00:00Z", "two"}, p);
    CHECK(a.plan_hash == b.plan_hash);  // metadata is not hashed
    CHECK(a.plan_hash.size() == 64);
    CHECK(gv::PlanHash(a.steps, a.options, p) == a.plan_hash);
    std::vector<gv::Step> none;
    CHECK(gv::PlanHash(none, a.options, p) == gv::PlanHash(std::vector<gv::Step>{}, a.options, p));
  }
  const std::string base = gv::BuildPlan(report, {}, {}).plan_hash;
  gv::PlanOptions o;
  o.include_review = true;
  CHECK(gv::BuildPlan(report, o, {}).plan_hash != base);
  o = {};
  o.add_toleration = true;
  CHECK(gv::BuildPlan(report, o, {}).plan_hash != base);
  o = {};
  o.batch_size = 2;
  CHECK(gv::BuildPlan(report, o, {}).plan_hash != base);
  o = {};
  o.max_parallel = 3;
  CHECK(gv::BuildPlan(report, o, {}).plan_hash != base);
  o = {};
  o.runtime_class_name = "kata";
  CHECK(gv::BuildPlan(report, o, {}).plan_hash != base);
  // The kfix profile is JCS over {"steps","options"}: sorted keys, compact.
  const std::string kbytes = gv::PlanHashBytes({}, {}, gv::HashProfile::kKfix);
  CHECK(kbytes == R"({"options":{"addToleration":false,"batchSize":0,"includeReview":false,"maxParallel":0,"runtimeClassName":"gvisor"}})");
  CHECK(gv::PlanHashBytes({}, {}, gv::HashProfile::kAgentmoat) == R"({"steps":[],"options":{"runtimeClassName":"gvisor"}})");
  // Go's string escaping in the agentmoat profile: HTML characters, controls, invalid UTF-8.
  gv::Step odd;
  odd.order = 1;
  odd.target = {"Deployment", "ns", "a<b>&\x01\xff"};
  odd.risk_score = 0;
  CHECK(gv::PlanHashBytes({odd}, {}, gv::HashProfile::kAgentmoat) ==
        R"({"steps":[{"order":1,"target":{"kind":"Deployment","namespace":"ns","name":"a\u003cb\u003e\u0026\u0001\ufffd"},"action":"set-runtime-class","addToleration":false,"riskScore":0}],"options":{"runtimeClassName":"gvisor"}})");
}

TEST_CASE("plan hash is stable under any reordering of the input documents") {
  std::vector<kfix::Manifest> in = LoadPath("fixture9.yaml");
  // Two more objects named like existing ones but different (as in a folder of
  // unrelated charts): which one is used must not depend on the order either.
  for (kfix::Manifest& m : Load(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec: {template: {spec: {hostNetwork: true, containers: [{name: web, image: "nginx:1.25"}]}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache, namespace: data}
spec: {template: {spec: {containers: [{name: redis, image: "redis:7"}, {name: m, image: memcached}]}}}
)"))
    in.push_back(std::move(m));
  gv::PlanOptions o;
  o.include_review = true;
  const std::string want = gv::BuildPlan(gv::ScanWorkloads(in), o, {}).plan_hash;
  const std::string want_default = gv::BuildPlan(gv::ScanWorkloads(in), {}, {}).plan_hash;
  std::mt19937 rng(12345);
  for (int i = 0; i < 50; ++i) {
    std::shuffle(in.begin(), in.end(), rng);
    CHECK(gv::BuildPlan(gv::ScanWorkloads(in), o, {}).plan_hash == want);
    CHECK(gv::BuildPlan(gv::ScanWorkloads(in), {}, {}).plan_hash == want_default);
  }
}

TEST_CASE("loader: round trip, and a plan edited after hashing is refused") {
  gv::PlanOptions o;
  o.include_review = true;
  for (gv::HashProfile p : {gv::HashProfile::kKfix, gv::HashProfile::kAgentmoat}) {
    gv::MigrationPlan plan = gv::BuildPlan(gv::ScanWorkloads(LoadPath("fixture9.yaml")), o, {"t", "c"}, p);
    const std::string json = kfix::ToJson(gv::ToValue(plan), kfix::JsonStyle::kPretty);
    auto loaded = gv::ParsePlan(json, "plan.json");
    REQUIRE(loaded.ok());
    CHECK(kfix::ToJson(gv::ToValue(*loaded)) == kfix::ToJson(gv::ToValue(plan)));
    auto as_yaml = gv::ParsePlan(kfix::ToYaml(gv::ToValue(plan)), "plan.yaml");
    REQUIRE(as_yaml.ok());
    CHECK(as_yaml->plan_hash == plan.plan_hash);

    kfix::Value edited = gv::ToValue(plan);
    kfix::Value* step = &edited.Find("spec")->Find("steps")->as_array()[0];
    step->Set("runtimeClassName", "runc");
    auto refused = gv::ParsePlan(kfix::ToJson(edited), "plan.json");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == kfix::StatusCode::kVerificationFailed);
    CHECK(refused.status().message().find("failed its integrity check") != std::string::npos);
    // An edited option is caught as well; an empty hash is allowed.
    kfix::Value opt = gv::ToValue(plan);
    opt.Find("spec")->Find("options")->Set("addToleration", true);
    CHECK(gv::ParsePlan(kfix::ToJson(opt), "p").status().code() == kfix::StatusCode::kVerificationFailed);
    opt.Find("metadata")->Set("planHash", "");
    CHECK(gv::ParsePlan(kfix::ToJson(opt), "p").ok());
  }
  // A zero-step plan round-trips as an absent list.
  gv::MigrationPlan empty = gv::BuildPlan({}, {}, {});
  kfix::Value v = gv::ToValue(empty);
  v.Find("spec")->Erase("steps");
  CHECK(gv::ParsePlan(kfix::ToJson(v), "p").ok());
  auto wrong_kind = gv::ParsePlan("kind: ApplyResult\n", "p.yaml");
  CHECK(wrong_kind.status().code() == kfix::StatusCode::kParseError);
  auto bad_type = gv::ParsePlan("kind: MigrationPlan\nspec:\n  steps:\n    - order: one\n", "p.yaml");
  REQUIRE_FALSE(bad_type.ok());
  CHECK(bad_type.status().location().line == 4);
}

namespace {

std::vector<kfix::Manifest> FakeCluster() {
  std::vector<kfix::Manifest> c = LoadPath("two-step.yaml");
  for (kfix::Manifest& m : Load("apiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n---\napiVersion: v1\nkind: "
                                "Namespace\nmetadata: {name: data, annotations: {team: db}}\n"))
    c.push_back(std::move(m));
  return c;
}

std::string StampOf(const std::vector<kfix::Manifest>& cluster, const std::string& ns) {
  for (const kfix::Manifest& m : cluster) {
    if (m.root.Find("kind")->as_string() != "Namespace") continue;
    if (m.root.FindPath({"metadata", "name"})->as_string() != ns) continue;
    const kfix::Value* a = m.root.FindPath({"metadata", "annotations", gv::kStampAnnotation});
    return a != nullptr ? a->as_string() : "";
  }
  return "<no namespace>";
}

const kfix::Value* RuntimeClassOf(const std::vector<kfix::Manifest>& cluster, const std::string& name) {
  for (const kfix::Manifest& m : cluster) {
    if (m.root.FindPath({"metadata", "name"})->as_string() == name && m.root.Find("kind")->as_string() != "Namespace")
      return m.root.FindPath({"spec", "template", "spec", "runtimeClassName"});
  }
  return nullptr;
}

gv::StepStatus StatusOf(const gv::RunResult& r, std::size_t i) { return r.steps.at(i).status; }

}  // namespace

TEST_CASE("applier against a fake cluster: dry run, apply, idempotent re-run, rollback, foreign stamps") {
  std::vector<kfix::Manifest> cluster = FakeCluster();
  gv::MigrationPlan plan = gv::BuildPlan(gv::ScanWorkloads(LoadPath("two-step.yaml")), {}, {});
  gv::RunOptions o;
  o.live = &cluster;

  // Dry run: no mutation, but every step carries its patch.
  gv::RunResult dry = gv::Apply(plan, o);
  CHECK(dry.dry_run);
  CHECK(dry.kind == "ApplyResult");
  REQUIRE(dry.steps.size() == 2);
  for (const gv::StepResult& s : dry.steps) {
    CHECK(s.status == gv::StepStatus::kApplied);
    CHECK(kfix::PatchToJson(s.patch) == R"([{"op":"add","path":"/spec/template/spec/runtimeClassName","value":"gvisor"}])");
    CHECK(s.gates.size() == 9);
  }
  CHECK(dry.exit_code == gv::ExitCode::kOk);
  CHECK(StampOf(cluster, "default").empty());

  // Real apply: both namespaces stamped after the adapter ran the patches.
  o.dry_run = false;
  gv::RunResult applied = gv::Apply(plan, o);
  CHECK(applied.summary.applied == 2);
  REQUIRE(applied.stamps.size() == 2);
  REQUIRE(gv::ApplyRunToObjects(applied, cluster).ok());
  CHECK(StampOf(cluster, "default") == plan.plan_hash);
  CHECK(StampOf(cluster, "data") == plan.plan_hash);
  CHECK(RuntimeClassOf(cluster, "web")->as_string() == "gvisor");

  // Second apply: already applied, no controller patches, nothing to stamp.
  gv::RunResult again = gv::Apply(plan, o);
  CHECK(again.summary.already_applied == 2);
  for (const gv::StepResult& s : again.steps) CHECK(s.patch.empty());
  CHECK(again.stamps.empty());
  CHECK(again.exit_code == gv::ExitCode::kOk);

  // Rollback: test + remove of runtimeClassName, stamps cleared; results in plan order.
  gv::RunResult back = gv::Rollback(plan, o);
  CHECK(back.kind == "RollbackResult");
  REQUIRE(back.steps.size() == 2);
  CHECK(back.steps[0].order == 1);
  CHECK(back.steps[1].order == 2);
  CHECK(back.summary.applied == 2);
  CHECK(kfix::PatchToJson(back.steps[1].patch) ==
        R"([{"op":"test","path":"/spec/template/spec/runtimeClassName","value":"gvisor"},{"op":"remove","path":"/spec/template/spec/runtimeClassName"}])");
  REQUIRE(gv::ApplyRunToObjects(back, cluster).ok());
  CHECK(StampOf(cluster, "default").empty());
  CHECK(StampOf(cluster, "data").empty());
  CHECK(RuntimeClassOf(cluster, "web") == nullptr);
  // data's other annotation survives the unstamping.
  bool team_kept = false;
  for (const kfix::Manifest& m : cluster)
    if (const kfix::Value* t = m.root.FindPath({"metadata", "annotations", "team"})) team_kept = t->as_string() == "db";
  CHECK(team_kept);

  gv::RunResult back_again = gv::Rollback(plan, o);
  CHECK(back_again.summary.already_applied == 2);
  CHECK(back_again.stamps.empty());

  // A namespace stamped by another plan: skipped, and its stamp survives.
  REQUIRE(gv::ApplyRunToObjects(gv::Apply(plan, o), cluster).ok());
  for (kfix::Manifest& m : cluster) {
    if (m.root.Find("kind")->as_string() == "Namespace" && m.root.FindPath({"metadata", "name"})->as_string() == "data")
      m.root.Find("metadata")->Find("annotations")->Set(gv::kStampAnnotation, "ffff");
  }
  for (kfix::Manifest& m : cluster) {  // pretend default was never stamped either
    if (m.root.Find("kind")->as_string() == "Namespace" && m.root.FindPath({"metadata", "name"})->as_string() == "default")
      m.root.Find("metadata")->Find("annotations")->Erase(gv::kStampAnnotation);
  }
  gv::RunResult foreign = gv::Rollback(plan, o);
  CHECK(foreign.summary.skipped == 1);
  CHECK(foreign.summary.already_applied == 1);
  CHECK(StatusOf(foreign, 1) == gv::StepStatus::kSkipped);
  CHECK(foreign.steps[1].error.find("different plan") != std::string::npos);
  CHECK(foreign.stamps.empty());
  REQUIRE(gv::ApplyRunToObjects(foreign, cluster).ok());
  CHECK(StampOf(cluster, "data") == "ffff");
  CHECK(foreign.exit_code == gv::ExitCode::kOk);
}

TEST_CASE("applier: namespaces de-duplicated, failures keep a namespace unstamped, exit codes") {
  std::vector<kfix::Manifest> objects = Load(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: a, namespace: shop}
spec: {template: {spec: {containers: [{name: a, image: x}], tolerations: [{key: other, operator: Exists}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: b, namespace: shop}
spec: {template: {spec: {containers: [{name: a, image: x}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: c, namespace: tools}
spec: {template: {spec: {containers: [{name: a, image: x}]}}}
)");
  gv::PlanOptions po;
  po.add_toleration = true;
  gv::MigrationPlan plan = gv::BuildPlan(gv::ScanWorkloads(objects), po, {});
  REQUIRE(plan.steps.size() == 3);
  // Live state: a and b exist, c is gone; no Namespace objects.
  std::vector<kfix::Manifest> live(objects.begin(), objects.begin() + 2);
  gv::RunOptions o;
  o.live = &live;
  o.dry_run = false;
  gv::RunResult r = gv::Apply(plan, o);
  CHECK(r.namespaces == std::vector<std::string>{"shop", "tools"});
  CHECK(r.summary.applied == 2);
  CHECK(r.summary.failed == 1);
  CHECK(r.exit_code == gv::ExitCode::kPartial);
  REQUIRE(r.stamps.size() == 1);
  CHECK(r.stamps[0].namespace_ == "shop");
  // a has a toleration list: guarded append; b has none: the list is added.
  CHECK(kfix::PatchToJson(r.steps[0].patch).find(R"({"op":"test","path":"/spec/template/spec/tolerations")") !=
        std::string::npos);
  CHECK(kfix::PatchToJson(r.steps[0].patch).find(R"("path":"/spec/template/spec/tolerations/-")") != std::string::npos);
  CHECK(kfix::PatchToJson(r.steps[1].patch).find(R"({"op":"add","path":"/spec/template/spec/tolerations","value":[{"key":"runtime")") !=
        std::string::npos);
  std::vector<kfix::Manifest> none;
  o.live = &none;
  CHECK(gv::Apply(plan, o).exit_code == gv::ExitCode::kError);  // every step failed

  // Patches: unsupported kind and empty runtime class are step errors.
  gv::Step bad;
  bad.target = {"ReplicaSet", "a", "b"};
  bad.runtime_class_name = "gvisor";
  CHECK(gv::BuildStepPatches(bad, nullptr).status().code() == kfix::StatusCode::kInvalidArgument);
  bad.target.kind = "CronJob";
  bad.runtime_class_name = "";
  CHECK_FALSE(gv::BuildStepPatches(bad, nullptr).ok());
  bad.runtime_class_name = "gvisor";
  CHECK(gv::BuildStepPatches(bad, nullptr)->forward[0].path.ToString() ==
        "/spec/jobTemplate/spec/template/spec/runtimeClassName");
}

TEST_CASE("preflight blocks apply with exit 5; rollback never runs it") {
  auto facts = gv::ParseClusterFacts(R"(
runtimeClassName: gvisor
runtimeClass: null
nodes: [{metadata: {name: n1}}]
)", "facts.yaml");
  REQUIRE(facts.ok());
  gv::PreflightReport pf = gv::Preflight(*facts, "gvisor");
  CHECK_FALSE(pf.ready);
  REQUIRE(!pf.findings.empty());
  CHECK(pf.findings[0].id == "runtimeclass-missing");
  gv::MigrationPlan plan = gv::BuildPlan(gv::ScanWorkloads(LoadPath("two-step.yaml")), {}, {});
  gv::RunOptions o;
  o.facts = &*facts;
  o.dry_run = false;
  gv::RunResult r = gv::Apply(plan, o);
  CHECK(r.exit_code == gv::ExitCode::kPreflightBlocked);
  CHECK(r.summary.skipped == 2);
  CHECK(r.stamps.empty());
  REQUIRE(r.preflight.has_value());
  o.skip_preflight = true;
  CHECK(gv::Apply(plan, o).exit_code == gv::ExitCode::kOk);
  o.skip_preflight = false;
  CHECK_FALSE(gv::Rollback(plan, o).preflight.has_value());

  auto good = gv::ParseClusterFacts(R"(
runtimeClass:
  apiVersion: node.k8s.io/v1
  kind: RuntimeClass
  metadata: {name: gvisor}
  handler: runsc
  scheduling:
    nodeSelector: {sandbox: gvisor}
    tolerations: [{key: sandbox, operator: Exists, effect: NoSchedule}]
nodes:
  - metadata: {name: n1, labels: {sandbox: gvisor, eks.amazonaws.com/compute-type: auto}}
    spec: {taints: [{key: sandbox, value: gvisor, effect: NoSchedule}]}
    status: {conditions: [{type: Ready, status: 'True'}]}
  - metadata: {name: n2, labels: {sandbox: gvisor}}
    spec: {taints: [{key: runtime, value: gvisor, effect: NoSchedule}]}
    status: {conditions: [{type: Ready, status: 'True'}], nodeInfo: {osImage: 'Bottlerocket OS 1.19'}}
  - metadata: {name: n3}
nvproxyProbe: {status: skipped, message: no GPU nodes}
)", "facts.yaml");
  REQUIRE(good.ok());
  gv::PreflightReport ok = gv::Preflight(*good, "gvisor");
  CHECK(ok.ready);
  std::vector<std::string> ids;
  for (const auto& f : ok.findings) ids.push_back(f.id + ":" + gv::SeverityName(f.severity));
  CHECK(ids == std::vector<std::string>{"bottlerocket-nodes:warn", "eks-auto-mode-nodes:warn", "nvproxy-probe-skipped:warn",
                                        "runtimeclass-taint-without-toleration:warn", "runtimeclass-no-overhead:info"});
  // With the plan's toleration, n2's taint is tolerated.
  gv::PreflightReport tolerated = gv::Preflight(*good, "gvisor", true);
  for (const auto& f : tolerated.findings) CHECK(f.id != "runtimeclass-taint-without-toleration");
  // A RuntimeClass of another name counts as missing.
  CHECK(gv::Preflight(*good, "kata").findings[0].id == "runtimeclass-missing");

  auto bad = gv::ParseClusterFacts("nodes: {a: 1}\n", "facts.yaml");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().location().line == 1);
  CHECK(gv::ParseClusterFacts("runsc: {version: 3}\n", "f").status().code() == kfix::StatusCode::kParseError);
  CHECK(gv::ParseClusterFacts("bogus: 1\n", "f").status().code() == kfix::StatusCode::kParseError);
}

TEST_CASE("every apply and rollback step is audited, dry run included; the plan too") {
  std::vector<kfix::AuditEntry> lines;
  kfix::AuditLogOptions ao;
  ao.clock = [] { return std::chrono::system_clock::time_point{}; };
  auto seed = std::string(32, '\x07');
  auto key = kfix::SigningKey::FromSeed(seed);
  REQUIRE(key.ok());
  ao.signer = std::make_shared<const kfix::SigningKey>(std::move(*key));
  auto log = kfix::AuditLog::Create(std::make_unique<kfix::CallbackSink>([&](const kfix::AuditEntry& e) {
                                      lines.push_back(e);
                                      return kfix::Status::Ok();
                                    }),
                                    std::move(ao));
  REQUIRE(log.ok());
  gv::MigrationPlan plan = gv::BuildPlan(gv::ScanWorkloads(LoadPath("two-step.yaml")), {}, {});
  REQUIRE(gv::AuditPlan(**log, plan).ok());
  gv::RunOptions o;
  o.audit = log->get();
  gv::RunResult r = gv::Apply(plan, o);
  CHECK(r.warnings.empty());
  gv::Rollback(plan, o);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].type == "gvisor.plan");
  CHECK(lines[1].type == "gvisor.apply.step");
  CHECK(lines[1].record.Find("dryRun")->as_bool());
  CHECK(lines[1].record.Find("planHash")->as_string() == plan.plan_hash);
  CHECK(lines[3].type == "gvisor.rollback.step");
  // Without a live state the rollback is shown as if this plan were applied.
  CHECK(lines[3].record.Find("status")->as_string() == "applied");
  CHECK(lines[3].record.Find("patch") != nullptr);
  for (const auto& l : lines) CHECK(l.receipt.has_value());
  std::string all;
  for (const auto& l : lines) all += l.line + "\n";
  CHECK(kfix::VerifyAuditLog(all).ok());
}

TEST_CASE("verify over supplied pods") {
  std::vector<kfix::Manifest> live = LoadPath("two-step.yaml");
  for (kfix::Manifest& m : Load(R"(
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: default, labels: {app: web}}
spec: {runtimeClassName: gvisor, nodeName: n1, containers: [{name: a, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: cache-0, namespace: data, labels: {app: cache}}
spec: {containers: [{name: a, image: x}]}
)"))
    live.push_back(std::move(m));
  gv::MigrationPlan plan = gv::BuildPlan(gv::ScanWorkloads(LoadPath("two-step.yaml")), {}, {});
  gv::VerifyReport r = gv::Verify(plan, live);
  REQUIRE(r.steps.size() == 2);
  CHECK(r.steps[0].status == gv::VerifyStatus::kOk);
  CHECK(r.steps[0].pods == 1);
  CHECK(r.steps[1].status == gv::VerifyStatus::kMismatch);
  CHECK(r.exit_code == gv::ExitCode::kVerifyFailed);
  auto facts = gv::ParseClusterFacts(
      "runtimeClass: {metadata: {name: gvisor}, scheduling: {nodeSelector: {sandbox: gvisor}}}\nnodes: [{metadata: {name: "
      "n1}}]\n",
      "f");
  REQUIRE(facts.ok());
  CHECK(gv::Verify(plan, live, &*facts).steps[0].status == gv::VerifyStatus::kMismatch);  // n1 lacks the label
  std::vector<kfix::Manifest> empty;
  CHECK(gv::Verify(plan, empty).error == 2);
}

TEST_CASE("the options document: one schema for every surface") {
  auto o = gv::ParseOptions(R"({"includeSystem": true, "includeReview": true, "addToleration": true,
    "runtimeClassName": "kata", "profile": "agentmoat", "batchSize": 2, "maxParallel": 1,
    "generatedAt": "2026-01-01T00:00:00Z", "cluster": "prod", "execute": true, "skipPreflight": true,
    "overrides": [{"id": "host-path-mount", "severity": "info"}],
    "facts": {"runsc": {"version": "release-20260901.0"}}})",
                            "opts.json");
  REQUIRE(o.ok());
  CHECK(o->extract.include_system);
  CHECK(o->plan.include_review);
  CHECK(o->plan.add_toleration);
  CHECK(o->plan.runtime_class_name == "kata");
  CHECK(o->profile == gv::HashProfile::kAgentmoat);
  CHECK(o->plan.batch_size == 2);
  CHECK(o->metadata.cluster == "prod");
  REQUIRE(o->overrides.has_value());
  CHECK(o->overrides->severity.at("host-path-mount") == gv::Severity::kInfo);
  REQUIRE(o->facts.has_value());
  CHECK(o->facts->runsc_version == "release-20260901.0");
  gv::RunOptions ro = o->run_options(nullptr);
  CHECK_FALSE(ro.dry_run);
  CHECK(ro.skip_preflight);
  CHECK(ro.facts == &*o->facts);
  CHECK(o->scan_options().classify.overrides == &*o->overrides);
  CHECK(gv::ParseOptions("", "o").ok());
  auto unknown = gv::ParseOptions("{\"inclueReview\": true}", "opts.json");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().location().file == "opts.json");
  CHECK(unknown.status().location().line == 1);
  CHECK(gv::ParseOptions("{\"profile\": \"md5\"}", "o").status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK(gv::ParseOptions("{\"runtimeClassName\": \"\"}", "o").status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK(gv::ParseOptions("{\"batchSize\": -1}", "o").status().code() == kfix::StatusCode::kParseError);
  auto bad_facts = gv::ParseOptions("includeReview: true\nfacts:\n  nodes: 3\n", "o.yaml");
  REQUIRE_FALSE(bad_facts.ok());
  CHECK(bad_facts.status().location().line == 3);
}
