// Unit tests for the remediation layer: targeting, configuration, quantities,
// patch merging and refusals.
#include <doctest/doctest.h>

#include <string>

#include "kfix/core.hpp"
#include "kfix/guard.hpp"
#include "kfix/pipeline.hpp"
#include "kfix/remediate.hpp"
#include "kfix/rules.hpp"

namespace {

kfix::Value J(const char* text) {
  auto v = kfix::ParseJson(text);
  REQUIRE(v.ok());
  return *v;
}

kfix::Finding F(std::string check, std::string container = "", std::string message = "") {
  kfix::Finding f;
  f.check = std::move(check);
  f.container = std::move(container);
  f.message = std::move(message);
  return f;
}

const char* kTwoContainers = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
  "spec":{"selector":{"matchLabels":{"app":"d"}},"template":{"metadata":{"labels":{"app":"d"}},
  "spec":{"initContainers":[{"name":"init","image":"i:1","securityContext":{"privileged":true}}],
          "containers":[{"name":"a","image":"a:1","securityContext":{"privileged":true}},
                        {"name":"b","image":"b:1","securityContext":{"privileged":true}}]}}}})";

}  // namespace

TEST_CASE("a finding naming a container fixes that container only") {
  kfix::Value obj = J(kTwoContainers);
  auto p = kfix::ProposeFix(obj, F("privileged-container", "b"), {});
  REQUIRE(p.status == kfix::ProposalStatus::kProposed);
  REQUIRE(p.patch.size() == 1);
  CHECK(p.patch[0].path.ToString() == "/spec/template/spec/containers/1/securityContext/privileged");
}

TEST_CASE("a finding pointer selects the container even without a name") {
  kfix::Value obj = J(kTwoContainers);
  kfix::Finding f = F("privileged-container");
  f.pointer = "/spec/template/spec/initContainers/0/securityContext/privileged";
  auto p = kfix::ProposeFix(obj, f, {});
  REQUIRE(p.patch.size() == 1);
  CHECK(p.patch[0].path.ToString() == "/spec/template/spec/initContainers/0/securityContext/privileged");
}

TEST_CASE("a policy-level finding without a container fixes every container, init included") {
  kfix::Value obj = J(kTwoContainers);
  kfix::Finding f = F("cap-sys-admin");
  f.policy = "drop_cap_sys_admin";
  auto p = kfix::ProposeFix(obj, F("no_privileged"), {});
  REQUIRE(p.status == kfix::ProposalStatus::kProposed);
  CHECK(p.patch.size() == 3);
  auto q = kfix::ProposeFix(obj, f, {});
  REQUIRE(q.status == kfix::ProposalStatus::kProposed);
  CHECK(q.patch.size() == 3);  // one drop list per container
  auto after = kfix::ApplyPatchCopy(obj, q.patch);
  REQUIRE(after.ok());
  CHECK(kfix::ProposeFix(*after, f, {}).status == kfix::ProposalStatus::kNothingToDo);
}

TEST_CASE("unknown checks are unfixable with a reason; cross-object checks need review") {
  kfix::Value obj = J(kTwoContainers);
  auto u = kfix::ProposeFix(obj, F("some-custom-check"), {});
  CHECK(u.status == kfix::ProposalStatus::kUnfixable);
  CHECK(u.reason.find("some-custom-check") != std::string::npos);
  auto sa = kfix::ProposeFix(obj, F("non-existent-service-account"), {});
  CHECK(sa.status == kfix::ProposalStatus::kNeedsReview);
  CHECK(sa.patch.empty());
  CHECK_FALSE(sa.auto_applicable);
}

TEST_CASE("disabled checks become needs-review") {
  kfix::FixConfig c;
  c.disabled_checks.insert("privileged-container");
  auto p = kfix::ProposeFix(J(kTwoContainers), F("privileged-container", "a"), c);
  CHECK(p.status == kfix::ProposalStatus::kNeedsReview);
  CHECK(p.patch.empty());
}

TEST_CASE("a null securityContext is replaced, a scalar one is refused") {
  kfix::Value obj = J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
    "spec":{"containers":[{"name":"a","image":"a:1","securityContext":null}]}})");
  auto p = kfix::ProposeFix(obj, F("no-read-only-root-fs", "a"), {});
  REQUIRE(p.patch.size() == 1);
  CHECK(p.patch[0].op == kfix::PatchOpType::kReplace);
  CHECK(p.patch[0].path.ToString() == "/spec/containers/0/securityContext");
  kfix::Value bad = J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
    "spec":{"containers":[{"name":"a","image":"a:1","securityContext":"oops"}]}})");
  auto q = kfix::ProposeFix(bad, F("no-read-only-root-fs", "a"), {});
  CHECK(q.status == kfix::ProposalStatus::kUnfixable);
  CHECK(q.reason.find("not a mapping") != std::string::npos);
}

TEST_CASE("non-mapping list entries keep container indices exact") {
  kfix::Value obj = J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
    "spec":{"containers":["junk",{"name":"a","image":"a:1","securityContext":{"privileged":true}}]}})");
  auto p = kfix::ProposeFix(obj, F("privileged-container", "a"), {});
  REQUIRE(p.patch.size() == 1);
  CHECK(p.patch[0].path.ToString() == "/spec/containers/1/securityContext/privileged");
}

TEST_CASE("ParseQuantity") {
  CHECK(*kfix::ParseQuantity(kfix::Value("100m")) == doctest::Approx(0.1));
  CHECK(*kfix::ParseQuantity(kfix::Value("1.5Gi")) == doctest::Approx(1.5 * 1073741824.0));
  CHECK(*kfix::ParseQuantity(kfix::Value(2)) == doctest::Approx(2.0));
  CHECK(*kfix::ParseQuantity(kfix::Value("1e3")) == doctest::Approx(1000.0));
  CHECK(*kfix::ParseQuantity(kfix::Value("128M")) == doctest::Approx(128e6));
  CHECK_FALSE(kfix::ParseQuantity(kfix::Value("lots")).ok());
  CHECK_FALSE(kfix::ParseQuantity(kfix::Value("1Qi")).ok());
  CHECK_FALSE(kfix::ParseQuantity(kfix::Value(true)).ok());
}

TEST_CASE("FixConfig from JSON and errors naming the key") {
  auto c = kfix::ParseFixConfig(R"({"fix":{"profile":"harden","cpuRequest":"250m","runAsUser":4242,
      "imagePins":{"nginx":"nginx:1.27.1"},"protectedNamespaces":["prod*"],"maxOps":4}})", "cfg.json");
  REQUIRE(c.ok());
  CHECK(c->profile == kfix::FixProfile::kHarden);
  CHECK(c->cpu_request == "250m");
  CHECK(c->run_as_user == 4242);
  CHECK(c->image_pins.at("nginx") == "nginx:1.27.1");
  CHECK(c->protected_namespaces == std::vector<std::string>{"prod*"});
  CHECK(c->max_ops == 4);
  CHECK(c->memory_limit == "256Mi");  // untouched default
  auto bad = kfix::ParseFixConfig(R"({"fix":{"cpuRequets":"1"}})", "cfg.json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("cpuRequets") != std::string::npos);
  auto type = kfix::ParseFixConfig(R"({"fix":{"runAsUser":"root"}})", "cfg.json");
  REQUIRE_FALSE(type.ok());
  CHECK(type.status().message().find("runAsUser") != std::string::npos);
  auto prof = kfix::ParseFixConfig(R"({"fix":{"profile":"max"}})", "cfg.json");
  CHECK_FALSE(prof.ok());
  CHECK_FALSE(kfix::ParseFixConfig("{not json", "cfg.json").ok());
  auto defaults = kfix::ParseFixConfig(R"({"checks":{"addAllBuiltIn":true}})", "cfg.json");
  REQUIRE(defaults.ok());
  CHECK(defaults->profile == kfix::FixProfile::kMinimal);
  // Round trip through the value form.
  auto again = kfix::FixConfigFromValue(kfix::FixConfigToValue(*c), "x");
  REQUIRE(again.ok());
  CHECK(again->cpu_request == "250m");
  CHECK(again->image_pins == c->image_pins);
}

TEST_CASE("MergePatches folds adds of the same parent and detects conflicts") {
  auto a = kfix::ParsePatch(std::string_view(R"([{"op":"add","path":"/spec/containers/0/securityContext","value":{"runAsNonRoot":true}}])"));
  auto b = kfix::ParsePatch(std::string_view(R"([{"op":"add","path":"/spec/containers/0/securityContext","value":{"readOnlyRootFilesystem":true}}])"));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto m = kfix::MergePatches({*a, *b});
  REQUIRE(m.ok());
  REQUIRE(m->size() == 1);
  CHECK((*m)[0].value == J(R"({"runAsNonRoot":true,"readOnlyRootFilesystem":true})"));
  auto c = kfix::ParsePatch(std::string_view(R"([{"op":"add","path":"/spec/containers/0/securityContext/runAsNonRoot","value":false}])"));
  REQUIRE(c.ok());
  auto conflict = kfix::MergePatches({*a, *c});
  REQUIRE_FALSE(conflict.ok());
  CHECK(conflict.status().code() == kfix::StatusCode::kPatchConflict);
  // Identical ops are kept once.
  auto same = kfix::MergePatches({*a, *a});
  REQUIRE(same.ok());
  CHECK(same->size() == 1);
}

TEST_CASE("MergePatches orders array element removals from the highest index") {
  kfix::Value obj = J(R"({"spec":{"l":["a","b","c","d"]}})");
  auto r0 = kfix::ParsePatch(std::string_view(R"([{"op":"remove","path":"/spec/l/0"}])"));
  auto r2 = kfix::ParsePatch(std::string_view(R"([{"op":"remove","path":"/spec/l/2"}])"));
  REQUIRE(r0.ok());
  REQUIRE(r2.ok());
  auto m = kfix::MergePatches({*r0, *r2});
  REQUIRE(m.ok());
  auto after = kfix::ApplyPatchCopy(obj, *m);
  REQUIRE(after.ok());
  CHECK(*after == J(R"({"spec":{"l":["b","d"]}})"));
  auto edit = kfix::ParsePatch(std::string_view(R"([{"op":"replace","path":"/spec/l/0","value":"z"}])"));
  REQUIRE(edit.ok());
  CHECK_FALSE(kfix::MergePatches({*r0, *edit}).ok());
}

TEST_CASE("FixContext indexes service accounts and service target ports") {
  std::vector<kfix::Manifest> objs(3);
  objs[0].root = J(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"robot","namespace":"ci"}})");
  objs[1].root = J(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s","namespace":"ci"},
                      "spec":{"ports":[{"port":80,"targetPort":"http"},{"port":9000}]}})");
  objs[2].root = J(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"creds","namespace":"ci"}})");
  kfix::FixContext ctx = kfix::FixContext::Build(objs);
  CHECK(ctx.HasServiceAccount("ci", "robot"));
  CHECK(ctx.HasServiceAccount("", "robot"));
  CHECK_FALSE(ctx.HasServiceAccount("prod", "robot"));
  CHECK(ctx.HasServiceAccount("prod", "default"));
  CHECK(ctx.service_target_ports.count("ci/http"));
  CHECK(ctx.service_target_ports.count("ci/9000"));
  CHECK(ctx.secrets.count("ci/creds"));
}

TEST_CASE("the auto-fixable list covers the default kube-linter checks with safe fixes") {
  for (const char* c : {"privileged-container", "no-read-only-root-fs", "run-as-non-root", "unset-cpu-requirements",
                        "unset-memory-requirements", "host-network", "host-pid", "host-ipc", "drop-net-raw-capability",
                        "privilege-escalation-container", "job-ttl-seconds-after-finished", "no-anti-affinity",
                        "pdb-unhealthy-pod-eviction-policy", "deprecated-service-account-field", "unsafe-sysctls"}) {
    CAPTURE(c);
    CHECK(kfix::HasAutoFix(c));
  }
  CHECK_FALSE(kfix::HasAutoFix("dangling-service"));
  CHECK_FALSE(kfix::HasAutoFix("latest-tag"));
  CHECK_FALSE(kfix::HasAutoFix("no-extensions-v1beta"));
}

namespace {

// Fixes `yaml` with the default catalog and configuration, and returns the
// result of the (single) finding of `check`.
kfix::FixResult FixOne(const char* yaml, const std::string& check) {
  kfix::LoadResult lr = kfix::LoadManifests(yaml, "t.yaml");
  REQUIRE(lr.errors.empty());
  auto rules = kfix::RuleSet::Create(kfix::RulesConfig{});
  REQUIRE(rules.ok());
  kfix::FixReport report = kfix::FixObjects(std::move(lr.manifests), *rules, kfix::FixConfig{});
  const kfix::FixResult* found = nullptr;
  for (const kfix::FixResult& r : report.results) {
    if (r.finding.check == check) {
      REQUIRE(found == nullptr);
      found = &r;
    }
  }
  REQUIRE(found != nullptr);
  return *found;
}

}  // namespace

TEST_CASE("mismatching-selector: a ReplicationController gets a plain label-map selector") {
  kfix::FixResult r = FixOne(R"(apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec:
  template:
    metadata: {labels: {name: rc}}
    spec:
      containers: [{name: c, image: "c:1"}]
)", "mismatching-selector");
  REQUIRE(r.status == kfix::FixStatus::kAccepted);
  REQUIRE(r.patch.size() == 1);
  CHECK(r.patch[0].path.ToString() == "/spec/selector");
  CHECK(kfix::ToJson(r.patch[0].value) == R"({"name":"rc"})");
}

TEST_CASE("mismatching-selector: a ReplicationController map selector is aligned, not read as matchLabels") {
  kfix::FixResult r = FixOne(R"(apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec:
  selector: {name: rc}
  template:
    metadata: {labels: {name: other}}
    spec:
      containers: [{name: c, image: "c:1"}]
)", "mismatching-selector");
  REQUIRE(r.status == kfix::FixStatus::kAccepted);
  REQUIRE(r.patch.size() == 1);
  CHECK(r.patch[0].path.ToString() == "/spec/template/metadata/labels/name");
  CHECK(r.patch[0].value.string_or() == "rc");
}

TEST_CASE("mismatching-selector: met matchExpressions stay, an unmet In takes its first value") {
  kfix::FixResult r = FixOne(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector:
    matchLabels: {app: d}
    matchExpressions:
    - {key: tier, operator: In, values: [web, api]}
    - {key: canary, operator: DoesNotExist}
  template:
    metadata: {labels: {app: x}}
    spec:
      containers: [{name: c, image: "c:1"}]
)", "mismatching-selector");
  REQUIRE(r.status == kfix::FixStatus::kAccepted);
  REQUIRE(r.patch.size() == 2);
  CHECK(r.patch[0].path.ToString() == "/spec/template/metadata/labels/app");
  CHECK(r.patch[1].path.ToString() == "/spec/template/metadata/labels/tier");
  CHECK(r.patch[1].value.string_or() == "web");
}

TEST_CASE("mismatching-selector: an unmet DoesNotExist needs review (it would remove a label)") {
  kfix::FixResult r = FixOne(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector:
    matchExpressions:
    - {key: canary, operator: DoesNotExist}
  template:
    metadata: {labels: {app: d, canary: "yes"}}
    spec:
      containers: [{name: c, image: "c:1"}]
)", "mismatching-selector");
  CHECK(r.status == kfix::FixStatus::kNeedsReview);
  CHECK(r.reason.find("canary DoesNotExist") != std::string::npos);
}

TEST_CASE("invalid-target-ports: an invalid port on an ephemeral container is removed, not renamed") {
  kfix::FixResult r = FixOne(R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: "c:1"
  ephemeralContainers:
  - name: debug
    image: "busybox:1"
    ports: [{name: "8080", containerPort: 8080}]
)", "invalid-target-ports");
  REQUIRE(r.status == kfix::FixStatus::kAccepted);
  REQUIRE(r.patch.size() == 1);
  CHECK(r.patch[0].op == kfix::PatchOpType::kRemove);
  CHECK(r.patch[0].path.ToString() == "/spec/ephemeralContainers/0/ports");
}

TEST_CASE("FixObjects refuses an invalid configuration with a reason and keeps the objects") {
  kfix::LoadResult lr = kfix::LoadManifests(kTwoContainers, "d.json");
  REQUIRE(lr.manifests.size() == 1);
  auto rules = kfix::RuleSet::Create(kfix::RulesConfig{});
  REQUIRE(rules.ok());
  kfix::FixConfig bad;
  bad.max_ops = 0;
  kfix::FixReport r = kfix::FixObjects(std::move(lr.manifests), *rules, bad);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code() == kfix::StatusCode::kInvalidArgument);
  CHECK(r.results.empty());
  REQUIRE(r.manifests.size() == 1);  // nothing lost
  CHECK(r.manifests[0].root.FindPath({"metadata", "name"})->as_string() == "d");
}
