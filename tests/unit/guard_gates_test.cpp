// The nine gates: a good patch passes all of them; each gate rejects what it
// is there to reject.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "guard/extract_internal.hpp"
#include "guard_fake_rules.hpp"
#include "kfix/guard.hpp"
#include "kfix/pipeline.hpp"

namespace {

kfix::Value J(const char* text) {
  auto v = kfix::ParseJson(text);
  REQUIRE(v.ok());
  return *v;
}

kfix::Patch P(const char* text) {
  auto p = kfix::ParsePatch(std::string_view(text));
  REQUIRE(p.ok());
  return *p;
}

const char* kDeploy = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},
  "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
  "spec":{"serviceAccountName":"web-sa","volumes":[{"name":"data","emptyDir":{}}],
   "containers":[{"name":"app","image":"shop/web:1.2.3","ports":[{"containerPort":8080,"name":"http"},{"containerPort":9090}],
                  "readinessProbe":{"httpGet":{"port":"http"}},
                  "volumeMounts":[{"name":"data","mountPath":"/data"}],
                  "securityContext":{"privileged":true,"readOnlyRootFilesystem":true}}],
   "ephemeralContainers":[{"name":"dbg","image":"busybox:1.36","securityContext":{"readOnlyRootFilesystem":true}}]}}}})";

struct Fixture {
  std::unique_ptr<kfix::Guard> guard;
  kfix::Finding target;
  explicit Fixture(const char* object = kDeploy, kfix::FixConfig config = {}, bool with_rules = true) {
    std::vector<kfix::Manifest> objs(2);
    objs[0].file = "web.yaml";
    objs[0].root = J(object);
    objs[1].root = J(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shop"},
                       "spec":{"selector":{"app":"web"},"ports":[{"port":80,"targetPort":9090}]}})");
    std::shared_ptr<const kfix::RuleSet> rules;
    if (with_rules) rules = std::make_shared<kfixtest::FakeRules>();
    auto g = kfix::Guard::Create(rules, config, objs);
    REQUIRE(g.ok());
    guard = std::move(*g);
    target.check = "privileged-container";
    target.container = "app";
    target.message = "container \"app\" is privileged";
    target.object_index = 0;
  }
  kfix::Verdict Vet(const char* patch, bool with_target = true) {
    return guard->Vet(0, P(patch), with_target ? &target : nullptr);
  }
};

const kfix::GateResult& GateNamed(const kfix::Verdict& v, const std::string& name) {
  for (const auto& g : v.gates) {
    if (g.name == name) return g;
  }
  FAIL("gate not found: " << name);
  return v.gates.front();
}

const char* kGood = R"([{"op":"replace","path":"/spec/template/spec/containers/0/securityContext/privileged","value":false}])";

}  // namespace

TEST_CASE("a targeted fix passes all nine gates, in order") {
  Fixture fx;
  kfix::Verdict v = fx.Vet(kGood);
  CHECK(v.accepted);
  CHECK(v.reason.empty());
  REQUIRE(v.gates.size() == 9);
  const char* names[] = {"structure", "apply",  "destructive", "privilege", "namespace",
                         "schema",    "rescan", "idempotence", "budget"};
  for (std::size_t i = 0; i < 9; ++i) {
    CHECK(v.gates[i].name == names[i]);
    CHECK(v.gates[i].passed);
  }
  CHECK(v.patched.is_object());
}

TEST_CASE("gate 1 structure: op allowlist, '-' placement, empty patch, whole-object ops") {
  Fixture fx;
  auto mv = fx.Vet(R"([{"op":"move","from":"/spec/replicas","path":"/spec/x"}])");
  CHECK_FALSE(mv.accepted);
  CHECK_FALSE(GateNamed(mv, "structure").passed);
  CHECK(mv.reason.rfind("structure:", 0) == 0);
  CHECK_FALSE(GateNamed(mv, "apply").passed);  // skipped
  CHECK_FALSE(fx.Vet(R"([{"op":"add","path":"/spec/-/x","value":1}])").accepted);
  CHECK_FALSE(fx.Vet(R"([{"op":"remove","path":"/spec/template/spec/containers/-"}])").accepted);
  CHECK_FALSE(fx.Vet("[]").accepted);
  CHECK_FALSE(fx.Vet(R"([{"op":"replace","path":"","value":{}}])").accepted);
}

TEST_CASE("gate 2 apply: a missing path fails atomically") {
  Fixture fx;
  auto v = fx.Vet(R"([{"op":"replace","path":"/spec/template/spec/containers/0/securityContext/privileged","value":false},
                      {"op":"replace","path":"/spec/template/spec/containers/3/image","value":"x:1"}])");
  CHECK_FALSE(v.accepted);
  CHECK_FALSE(GateNamed(v, "apply").passed);
  CHECK(v.patched.is_null());
}

TEST_CASE("gate 3 destructive") {
  Fixture fx;
  SUBCASE("removing a container") {
    auto v = fx.Vet(R"([{"op":"remove","path":"/spec/template/spec/containers/0"}])", false);
    CHECK_FALSE(GateNamed(v, "destructive").passed);
  }
  SUBCASE("renaming the object") {
    auto v = fx.Vet(R"([{"op":"replace","path":"/metadata/name","value":"other"}])", false);
    CHECK_FALSE(GateNamed(v, "destructive").passed);
  }
  SUBCASE("changing the namespace or kind") {
    CHECK_FALSE(GateNamed(fx.Vet(R"([{"op":"replace","path":"/metadata/namespace","value":"x"}])", false), "destructive").passed);
    CHECK_FALSE(GateNamed(fx.Vet(R"([{"op":"replace","path":"/kind","value":"StatefulSet"}])", false), "destructive").passed);
    CHECK_FALSE(GateNamed(fx.Vet(R"([{"op":"replace","path":"/apiVersion","value":"apps/v1beta1"}])", false), "destructive").passed);
  }
  SUBCASE("an image change outside the pin policy") {
    auto v = fx.Vet(R"([{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"shop/web:latest"}])", false);
    CHECK_FALSE(GateNamed(v, "destructive").passed);
  }
  SUBCASE("a service-account regression to default") {
    auto v = fx.Vet(R"([{"op":"replace","path":"/spec/template/spec/serviceAccountName","value":"default"}])", false);
    CHECK_FALSE(GateNamed(v, "destructive").passed);
    auto w = fx.Vet(R"([{"op":"remove","path":"/spec/template/spec/serviceAccountName"}])", false);
    CHECK_FALSE(GateNamed(w, "destructive").passed);
  }
  SUBCASE("a service account that does not exist") {
    auto v = fx.Vet(R"([{"op":"replace","path":"/spec/template/spec/serviceAccountName","value":"ghost"}])", false);
    CHECK_FALSE(GateNamed(v, "destructive").passed);
  }
  SUBCASE("removing a port a probe uses (by name) or a Service targets (by number)") {
    auto v = fx.Vet(R"([{"op":"remove","path":"/spec/template/spec/containers/0/ports/0"}])", false);
    CHECK_FALSE(GateNamed(v, "destructive").passed);
    auto w = fx.Vet(R"([{"op":"remove","path":"/spec/template/spec/containers/0/ports/1"}])", false);
    CHECK_FALSE(GateNamed(w, "destructive").passed);
  }
  SUBCASE("removing a volume still mounted") {
    auto v = fx.Vet(R"([{"op":"remove","path":"/spec/template/spec/volumes/0"}])", false);
    CHECK_FALSE(GateNamed(v, "destructive").passed);
  }
}

TEST_CASE("gate 3 allows an image change under the configured pin") {
  kfix::FixConfig c;
  c.image_pins["shop/web"] = "shop/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  Fixture fx(kDeploy, c);
  auto v = fx.Vet(R"([{"op":"replace","path":"/spec/template/spec/containers/0/image",
                      "value":"shop/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}])", false);
  CHECK(GateNamed(v, "destructive").passed);
}

TEST_CASE("gate 4 privilege: never raises privileges") {
  Fixture fx;
  for (const char* patch : {
           R"([{"op":"add","path":"/spec/template/spec/hostNetwork","value":true}])",
           R"([{"op":"add","path":"/spec/template/spec/hostPID","value":true}])",
           R"([{"op":"add","path":"/spec/template/spec/containers/0/securityContext/capabilities","value":{"add":["NET_ADMIN"]}}])",
           R"([{"op":"add","path":"/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation","value":true}])",
           R"([{"op":"add","path":"/spec/template/spec/containers/0/securityContext/runAsUser","value":0}])",
           R"([{"op":"replace","path":"/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem","value":false}])",
           R"([{"op":"add","path":"/spec/template/spec/ephemeralContainers/0/securityContext/privileged","value":true}])",
           R"([{"op":"add","path":"/spec/template/spec/volumes/-","value":{"name":"host","hostPath":{"path":"/"}}}])",
       }) {
    CAPTURE(patch);
    auto v = fx.Vet(patch, false);
    CHECK_FALSE(v.accepted);
    CHECK_FALSE(GateNamed(v, "privilege").passed);
  }
}

TEST_CASE("gate 5 protected namespaces: exact and prefix, case-insensitive, explicit allow") {
  std::string obj(kDeploy);
  auto with_ns = [&](const std::string& ns) {
    std::string o = obj;
    o.replace(o.find("\"shop\""), 6, "\"" + ns + "\"");
    return o;
  };
  for (const char* ns : {"kube-system", "KUBE-PUBLIC", "linkerd", "linkerd-viz", "istio-system"}) {
    CAPTURE(ns);
    std::string o = with_ns(ns);
    Fixture fx(o.c_str());
    auto v = fx.Vet(kGood, false);
    CHECK_FALSE(GateNamed(v, "namespace").passed);
  }
  std::string ok = with_ns("kube-systemd");
  Fixture fine(ok.c_str());
  CHECK(GateNamed(fine.Vet(kGood, false), "namespace").passed);
  kfix::FixConfig c;
  c.allowed_namespaces = {"Kube-System"};
  std::string ks = with_ns("kube-system");
  Fixture allowed(ks.c_str(), c);
  CHECK(GateNamed(allowed.Vet(kGood, false), "namespace").passed);
}

TEST_CASE("gate 6 schema: unknown fields, wrong types, fields ephemeral containers cannot carry") {
  Fixture fx;
  auto typo = fx.Vet(R"([{"op":"add","path":"/spec/template/spec/containers/0/securityContext/privilegd","value":false}])", false);
  CHECK_FALSE(GateNamed(typo, "schema").passed);
  CHECK(GateNamed(typo, "schema").detail.find("privilegd") != std::string::npos);
  auto type = fx.Vet(R"([{"op":"replace","path":"/spec/template/spec/containers/0/securityContext/privileged","value":"no"}])", false);
  CHECK_FALSE(GateNamed(type, "schema").passed);
  auto deep = fx.Vet(R"([{"op":"add","path":"/spec/template/spec/containers/0/resources","value":{"limits":{"cpu":"1"},"limit":{}}}])", false);
  CHECK_FALSE(GateNamed(deep, "schema").passed);
  auto eph = fx.Vet(R"([{"op":"add","path":"/spec/template/spec/ephemeralContainers/0/resources","value":{"limits":{"cpu":"1"}}}])", false);
  CHECK_FALSE(GateNamed(eph, "schema").passed);
  auto ok = fx.Vet(R"([{"op":"add","path":"/spec/template/metadata/labels/app.kubernetes.io~1name","value":"web"}])", false);
  CHECK(GateNamed(ok, "schema").passed);
}

TEST_CASE("gate 7 rescan: the target must be gone and nothing new may appear") {
  Fixture fx;
  // Fixes nothing about the target.
  auto v = fx.Vet(R"([{"op":"add","path":"/spec/template/spec/containers/0/securityContext/runAsNonRoot","value":true}])");
  CHECK_FALSE(GateNamed(v, "rescan").passed);
  CHECK(GateNamed(v, "rescan").detail.find("still present") != std::string::npos);
  // Fixes the target but introduces a new finding.
  auto w = fx.Vet(R"([{"op":"replace","path":"/spec/template/spec/containers/0/securityContext","value":{"privileged":false}}])");
  CHECK_FALSE(GateNamed(w, "rescan").passed);
  CHECK(GateNamed(w, "rescan").detail.find("new finding") != std::string::npos);
  REQUIRE(w.new_findings.size() == 1);
  CHECK(w.new_findings[0].check == "no-read-only-root-fs");
  // Without a rule set the gate says so and passes.
  Fixture norules(kDeploy, {}, false);
  auto n = norules.Vet(kGood);
  CHECK(GateNamed(n, "rescan").passed);
  CHECK(GateNamed(n, "rescan").detail.find("skipped") != std::string::npos);
}

TEST_CASE("gate 8 idempotence: the generator must have nothing left to do") {
  const char* two = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
    "spec":{"containers":[{"name":"a","image":"a:1","securityContext":{"privileged":true,"readOnlyRootFilesystem":true}},
                          {"name":"b","image":"b:1","securityContext":{"privileged":true,"readOnlyRootFilesystem":true}}]}})";
  Fixture fx(two, {}, false);
  fx.target.container = "";  // a pod-wide finding: every container must be fixed
  auto v = fx.Vet(R"([{"op":"replace","path":"/spec/containers/0/securityContext/privileged","value":false}])");
  CHECK_FALSE(GateNamed(v, "idempotence").passed);
  auto w = fx.Vet(R"([{"op":"replace","path":"/spec/containers/0/securityContext/privileged","value":false},
                      {"op":"replace","path":"/spec/containers/1/securityContext/privileged","value":false}])");
  CHECK(GateNamed(w, "idempotence").passed);
}

TEST_CASE("gate 9 budget") {
  kfix::FixConfig c;
  c.max_ops = 1;
  Fixture fx(kDeploy, c);
  auto v = fx.Vet(R"([{"op":"replace","path":"/spec/template/spec/containers/0/securityContext/privileged","value":false},
                      {"op":"add","path":"/spec/template/spec/containers/0/securityContext/runAsNonRoot","value":true}])", false);
  CHECK_FALSE(GateNamed(v, "budget").passed);
  CHECK(GateNamed(fx.Vet(kGood), "budget").passed);
}

TEST_CASE("gate 9 budget is settled before the patch is applied (and, for text, parsed)") {
  kfix::FixConfig c;
  c.max_ops = 16;
  Fixture fx(kDeploy, c);
  // 200,000 adds: refused by the budget; nothing was applied.
  std::string text = "[";
  kfix::Patch patch;
  for (int i = 0; i < 200000; ++i) {
    const std::string path = "/metadata/labels/k" + std::to_string(i);
    text += std::string(i ? "," : "") + R"({"op":"add","path":")" + path + R"(","value":"v"})";
    kfix::PatchOp op;
    op.path = *kfix::JsonPointer::Parse(path);
    op.value = kfix::Value("v");
    patch.push_back(std::move(op));
  }
  text += "]";
  patch.insert(patch.begin(), kfix::ParsePatch(std::string_view(R"([{"op":"add","path":"/metadata/labels","value":{}}])"))->front());
  kfix::Verdict v = fx.guard->Vet(0, patch, nullptr);
  CHECK_FALSE(v.accepted);
  CHECK(v.reason.rfind("budget: ", 0) == 0);
  CHECK(v.patched.is_null());
  CHECK(GateNamed(v, "apply").detail.rfind("skipped", 0) == 0);
  REQUIRE(v.gates.size() == 9);
  CHECK(v.gates.back().name == "budget");
  kfix::Verdict t = fx.guard->VetText(0, text, nullptr);
  CHECK_FALSE(t.accepted);
  CHECK(t.reason.find("budget: 200000 ops, budget 16") == 0);
  CHECK(t.patch.empty());  // not even parsed
  REQUIRE(t.gates.size() == 9);
  // At the budget exactly (and in a code fence, as YAML flow with comments
  // and quoted braces) the patch is vetted as usual.
  std::string at = "```\n[";
  for (int i = 0; i < 16; ++i) {
    at += std::string(i ? ", " : "") + "{op: add, path: '/spec/template/metadata/labels/a" + std::to_string(i) +
          "', value: '{x}, {y}'}  # {not an op}\n";
  }
  at += "]\n```";
  CHECK(*kfix::internal::CountPatchOps(at) == 16);
  kfix::Verdict ok = fx.guard->VetText(0, at, nullptr);
  CHECK_MESSAGE(GateNamed(ok, "budget").passed, ok.reason);
  CHECK(GateNamed(ok, "apply").passed);
  CHECK_FALSE(kfix::internal::CountPatchOps("{\"op\":\"add\"}").has_value());
  CHECK(*kfix::internal::CountPatchOps(R"([{"a":"[{\"}"}, {"b":[{}]}])") == 2);
}

TEST_CASE("the fix pipeline: per-finding results, merged object patch, summary") {
  std::vector<kfix::Manifest> objs(2);
  objs[0].file = "a.yaml";
  objs[0].root = J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"apps"},
    "spec":{"containers":[{"name":"a","image":"a:1","securityContext":{"privileged":true}},
                          {"name":"b","image":"b:1"}]}})");
  objs[1].file = "a.yaml";
  objs[1].document = 1;
  objs[1].root = J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"sys","namespace":"kube-system"},
    "spec":{"containers":[{"name":"c","image":"c:1","securityContext":{"readOnlyRootFilesystem":true,"privileged":true}}]}})");
  auto rules = std::make_shared<kfixtest::FakeRules>();
  for (int jobs : {1, 2}) {
    kfix::FixOptions opt;
    opt.jobs = jobs;
    kfix::FixReport r = kfix::FixObjects(objs, rules, {}, opt);
    // Pod p: privileged a, ro a, ro b -> 3 findings; pod sys: privileged c (protected namespace).
    REQUIRE(r.results.size() == 4);
    CHECK(r.summary.findings == 4);
    CHECK(r.summary.accepted == 3);
    CHECK(r.summary.rejected == 1);
    CHECK(r.summary.median_ops == 1.0);
    CHECK(r.summary.max_ops == 1);
    for (const auto& res : r.results) {
      if (res.finding.object_index == 1) {
        CHECK(res.status == kfix::FixStatus::kRejected);
        CHECK(res.reason.rfind("namespace:", 0) == 0);
      } else {
        CHECK(res.status == kfix::FixStatus::kAccepted);
      }
    }
    REQUIRE(r.objects.size() == 1);
    const kfix::ObjectFix& of = r.objects[0];
    CHECK(of.accepted);
    CHECK(of.patch.size() == 3);
    // The merged result has no finding left.
    std::vector<kfix::Manifest> after(1);
    after[0].root = of.patched;
    CHECK(rules->Scan(after).findings.empty());
    // JSON report shape.
    kfix::Value j = kfix::FixReportToValue(r);
    CHECK(j.Find("schemaVersion")->as_int() == 2);
    CHECK(j.Find("results")->size() == 4);
    const kfix::Value& first = j.Find("results")->as_array()[0];
    for (const char* k : {"file", "document", "check", "policy", "object", "container", "line", "status",
                          "reason", "patch", "gates"})
      CHECK(first.Find(k) != nullptr);
    CHECK(first.Find("item") == nullptr);  // only objects inside a kind: List carry "item"
    // Without the patched copies: the same results, patches and report, `patched` null.
    kfix::FixOptions lean = opt;
    lean.keep_patched = false;
    kfix::FixReport r2 = kfix::FixObjects(objs, rules, {}, lean);
    REQUIRE(r2.objects.size() == 1);
    CHECK(r2.objects[0].patched.is_null());
    CHECK(kfix::PatchToJson(r2.objects[0].patch) == kfix::PatchToJson(of.patch));
    CHECK(kfix::FixReportToJson(r2) == kfix::FixReportToJson(r));
    const kfix::Value* sum = j.Find("summary");
    for (const char* k : {"findings", "accepted", "rejected", "needs_review", "unfixable", "median_ops", "max_ops", "by_check"})
      CHECK(sum->Find(k) != nullptr);
    CHECK(kfix::FixReportToText(r).find("TOTAL") != std::string::npos);
  }
}
