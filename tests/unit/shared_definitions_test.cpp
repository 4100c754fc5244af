// One definition per fact, asked by every layer that needs it: SHA-256 and
// Kubernetes quantities (core), port names (core, detector and fixer), the
// unsafe-sysctl list (the check's configuration, read by the fixer) and
// "needs the lint context" (declared by the template, asked by the guard).
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/names_internal.hpp"
#include "core/quantity_internal.hpp"
#include "core/sha256_internal.hpp"
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

std::shared_ptr<const kfix::RuleSet> Rules(const char* yaml) {
  auto cfg = kfix::ParseRulesConfig(yaml, "cfg.yaml");
  REQUIRE(cfg.ok());
  auto rules = kfix::RuleSet::Create(*cfg);
  REQUIRE(rules.ok());
  return *rules;
}

const kfix::CheckInfo* CheckNamed(const std::vector<kfix::CheckInfo>& checks, const std::string& name) {
  for (const kfix::CheckInfo& c : checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("SHA-256: one implementation; streaming equals one-shot across block boundaries") {
  CHECK(kfix::Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>('a' + i % 26));
  for (std::size_t len : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 119u, 120u, 128u, 300u}) {
    const std::string whole = kfix::Sha256Hex(std::string_view(data).substr(0, len));
    for (std::size_t cut = 0; cut <= len; cut += (len > 70 ? 7 : 1)) {
      CAPTURE(len);
      CAPTURE(cut);
      CHECK(kfix::internal::Sha256Hex2(std::string_view(data).substr(0, cut),
                                       std::string_view(data).substr(cut, len - cut)) == whole);
    }
  }
}

TEST_CASE("quantities: the public parser and the detectors' parser are one grammar") {
  for (const char* text : {"100m", "1.5Gi", "2", "0.5", "1e3", "128M", "1u", "-1", "+2k", ".5", "5.", " 100m", "100m ",
                           "1Gb", "lots", "", "1e", "1e1234567", "1.2.3", "Ki"}) {
    CAPTURE(text);
    kfix::internal::Quantity q = kfix::internal::ParseQuantity(text);
    kfix::Result<double> pub = kfix::ParseQuantity(kfix::Value(text));
    CHECK(pub.ok() == q.ok);
    if (pub.ok()) CHECK(*pub == doctest::Approx(static_cast<double>(q.value)));
  }
  // Kubernetes' grammar: no surrounding spaces (the fixer's old parser trimmed them).
  CHECK_FALSE(kfix::ParseQuantity(kfix::Value(" 100m")).ok());
  CHECK(*kfix::ParseQuantity(kfix::Value(2)) == doctest::Approx(2.0));
  CHECK_FALSE(kfix::ParseQuantity(kfix::Value(true)).ok());
}

TEST_CASE("port names: what target-port flags is exactly what the fixer renames") {
  for (const char* name : {"http", "HTTP", "Http", "8080", "a-b", "-a", "a-", "a--b", "abcdefghijklmnop", "web_1", "x1"}) {
    CAPTURE(name);
    CHECK(kfix::internal::IsValidPortName(name) == kfix::internal::PortNameViolations(name).empty());
  }
  // End to end: the detector flags "Http", the fixer renames it, the rescan is clean.
  std::vector<kfix::Manifest> objs(1);
  objs[0].file = "d.yaml";
  objs[0].root = J(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"n"},
    "spec":{"selector":{"matchLabels":{"app":"d"}},"template":{"metadata":{"labels":{"app":"d"}},
    "spec":{"containers":[{"name":"c","image":"x:1","ports":[{"containerPort":8080,"name":"Http"}]}]}}}})");
  auto rules = Rules("checks:\n  doNotAutoAddDefaults: true\n  include: [invalid-target-ports]\n");
  kfix::FixReport report = kfix::FixObjects(objs, rules, kfix::FixConfig{});
  REQUIRE(report.results.size() == 1);
  CHECK(report.results[0].status == kfix::FixStatus::kAccepted);
  REQUIRE(report.objects.size() == 1);
  const kfix::Value* port = report.objects[0].patched.Find("spec")->Find("template")->Find("spec")->Find("containers");
  REQUIRE(port);
  CHECK(port->as_array()[0].Find("ports")->as_array()[0].Find("name")->as_string() == "http");
}

TEST_CASE("unsafe sysctls: the fixer removes what the configured check flags, not a hardcoded list") {
  auto rules = Rules(R"(checks:
  doNotAutoAddDefaults: true
  include: [my-sysctls]
customChecks:
  - name: my-sysctls
    template: unsafe-sysctls
    policy: unsafe_sysctls
    params:
      unsafeSysCtls: ["kernel.foo"]
)");
  std::vector<kfix::Manifest> objs(1);
  objs[0].file = "p.yaml";
  objs[0].root = J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"n"},
    "spec":{"securityContext":{"sysctls":[{"name":"kernel.foo.bar","value":"1"},{"name":"net.core.somaxconn","value":"1024"}]},
    "containers":[{"name":"c","image":"x:1"}]}})");
  // The pipeline: one finding (kernel.foo.bar), fixed; net.core.somaxconn (unsafe by default, not here) stays.
  kfix::FixReport report = kfix::FixObjects(objs, rules, kfix::FixConfig{});
  REQUIRE(report.results.size() == 1);
  CHECK(report.results[0].status == kfix::FixStatus::kAccepted);
  REQUIRE(report.objects.size() == 1);
  const kfix::Value* sysctls =
      report.objects[0].patched.Find("spec")->Find("securityContext")->Find("sysctls");
  REQUIRE(sysctls);
  REQUIRE(sysctls->as_array().size() == 1);
  CHECK(sysctls->as_array()[0].Find("name")->as_string() == "net.core.somaxconn");

  // A finding that does not name the sysctl (another detector's, by policy id):
  // the fixer asks the rule set for the check's list.
  kfix::Finding f;
  f.check = "my-sysctls";
  f.policy = "unsafe_sysctls";
  f.message = "resource specifies an unsafe sysctl";
  kfix::FixContext ctx = kfix::FixContext::Build(objs, rules);
  kfix::FixProposal p = kfix::ProposeFix(objs[0].root, f, kfix::FixConfig{}, &ctx);
  REQUIRE(p.status == kfix::ProposalStatus::kProposed);
  REQUIRE(p.patch.size() == 1);
  CHECK(p.patch[0].path.ToString() == "/spec/securityContext/sysctls/0");
  // Without a rule set: the built-in check's configured default (net. is unsafe, kernel.foo is not).
  f.check = "unsafe-sysctls";
  p = kfix::ProposeFix(objs[0].root, f, kfix::FixConfig{}, nullptr);
  REQUIRE(p.status == kfix::ProposalStatus::kProposed);
  REQUIRE(p.patch.size() == 1);
  CHECK(p.patch[0].path.ToString() == "/spec/securityContext/sysctls/1");
}

TEST_CASE("needs the lint context: declared per template by the catalog") {
  const auto& builtin = kfix::BuiltinChecks();
  for (const char* c : {"dangling-service", "dangling-ingress", "non-existent-service-account", "pdb-min-available",
                        "env-value-from", "non-isolated-pod", "access-to-secrets", "sorted-keys"}) {
    CAPTURE(c);
    const kfix::CheckInfo* info = CheckNamed(builtin, c);
    REQUIRE(info);
    CHECK(info->needs_lint_context);
  }
  for (const char* c : {"privileged-container", "run-as-non-root", "unsafe-sysctls", "latest-tag"}) {
    CAPTURE(c);
    const kfix::CheckInfo* info = CheckNamed(builtin, c);
    REQUIRE(info);
    CHECK_FALSE(info->needs_lint_context);
  }
  // A custom check inherits its template's declaration, whatever its name; a
  // declarative rule named like a cross-object check is still local.
  auto rules = Rules(R"(checks:
  doNotAutoAddDefaults: true
customChecks:
  - name: pods-behind-services
    template: dangling-service
kfixRules:
  - name: dangling-lookalike
    select: $containers.image
    matches: "/debug/"
    message: "debug image {value}"
)");
  const kfix::CheckInfo* custom = CheckNamed(rules->checks(), "pods-behind-services");
  REQUIRE(custom);
  CHECK(custom->needs_lint_context);
  const kfix::CheckInfo* rule = CheckNamed(rules->checks(), "dangling-lookalike");
  REQUIRE(rule);
  CHECK_FALSE(rule->needs_lint_context);

  // The guard asks: a patch that makes the Service match a Deployment of the
  // context passes the rescan gate only because the rescan sees the whole
  // context (the Service alone still selects nothing). The destructive gate
  // refuses selector changes; that is not what this test is about.
  std::vector<kfix::Manifest> objs(2);
  objs[0].root = J(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s","namespace":"n"},
    "spec":{"selector":{"app":"wrong"},"ports":[{"port":80}]}})");
  objs[1].root = J(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"n"},
    "spec":{"selector":{"matchLabels":{"app":"d"}},"template":{"metadata":{"labels":{"app":"d"}},
    "spec":{"containers":[{"name":"c","image":"x:1"}]}}}})");
  auto guard = kfix::Guard::Create(rules, kfix::FixConfig{}, objs);
  REQUIRE(guard.ok());
  const kfix::ScanReport& base = (*guard)->baseline();
  const kfix::Finding* target = nullptr;
  for (const kfix::Finding& f : base.findings) {
    if (f.check == "pods-behind-services") target = &f;
  }
  REQUIRE(target);
  auto patch = kfix::ParsePatch(std::string_view(R"([{"op":"replace","path":"/spec/selector/app","value":"d"}])"));
  REQUIRE(patch.ok());
  kfix::Verdict v = (*guard)->Vet(0, *patch, target);
  const kfix::GateResult* rescan = nullptr;
  for (const kfix::GateResult& gr : v.gates) {
    if (gr.name == "rescan") rescan = &gr;
  }
  REQUIRE(rescan);
  CAPTURE(rescan->detail);
  CHECK(rescan->passed);
}
