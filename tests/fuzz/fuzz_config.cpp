// Fuzz target: configuration files (`.kube-linter.yaml` with kube-linter's
// customChecks and kfix's declarative rules, and the `fix:` section).
//
// The whole input is parsed as a rules configuration and as a fix
// configuration. A configuration that parses is compiled (RuleSet::Create)
// and, when it compiles, run over a fixed set of manifests.
//
// Checks:
// - no crash, hang or sanitizer report on any input;
// - every refusal carries a non-empty message and a non-OK code;
// - a compiled rule set scans deterministically (two scans, same findings)
//   and every finding names an enabled check and a line >= 1;
// - a fix configuration that parses round-trips: FixConfigToValue of it
//   parses again to the same value.
//
// Seeds: tests/fuzz/corpus/config/.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "kfix/core.hpp"
#include "kfix/remediate.hpp"
#include "kfix/rules.hpp"

namespace {

[[noreturn]] void Die(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_config: %s\ninput (%zu bytes): %.*s\n", what, input.size(),
               static_cast<int>(input.size()), input.data());
  std::abort();
}

constexpr const char* kManifests = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, annotations: {owner: team-a}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: nginx:latest
        env: [{name: A, value: "1"}, {name: A, value: "2"}]
        resources: {requests: {cpu: 1, memory: 64Mi}}
        securityContext: {privileged: true}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: other}
  ports: [{port: 80, targetPort: http}]
)";

const std::vector<kfix::Manifest>& Objects() {
  static const std::vector<kfix::Manifest>* objects = [] {
    kfix::LoadResult lr = kfix::LoadManifests(kManifests, "fixture.yaml");
    if (!lr.errors.empty()) std::abort();
    return new std::vector<kfix::Manifest>(std::move(lr.manifests));
  }();
  return *objects;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (1u << 16)) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  auto config = kfix::ParseRulesConfig(input, "fuzz.kube-linter.yaml");
  if (!config.ok()) {
    if (config.status().message().empty()) Die("rules config refused without a message", input);
  } else {
    config->policy_files.clear();  // never read files named by the input (inline policies are still compiled)
    auto rules = kfix::RuleSet::Create(*config);
    if (!rules.ok()) {
      if (rules.status().ok() || rules.status().message().empty()) Die("rule set refused without a message", input);
    } else {
      std::set<std::string> enabled;
      for (const kfix::CheckInfo& c : (*rules)->checks()) enabled.insert(c.name);
      kfix::ScanReport a = (*rules)->Scan(Objects());
      kfix::ScanReport b = (*rules)->Scan(Objects());
      if (a.findings.size() != b.findings.size()) Die("scan is not deterministic", input);
      for (std::size_t i = 0; i < a.findings.size(); ++i) {
        const kfix::Finding& f = a.findings[i];
        if (f.check != b.findings[i].check || f.message != b.findings[i].message || f.line != b.findings[i].line)
          Die("scan is not deterministic", input);
        if (!enabled.count(f.check)) Die("finding of a check that is not enabled", input);
        if (f.line < 1) Die("finding without a line", input);
      }
    }
  }

  auto fix = kfix::ParseFixConfig(input, "fuzz.yaml");
  if (!fix.ok()) {
    if (fix.status().message().empty()) Die("fix config refused without a message", input);
  } else {
    kfix::Value v = kfix::FixConfigToValue(*fix);
    auto again = kfix::FixConfigFromValue(v, "roundtrip");
    if (!again.ok()) Die("FixConfigToValue output does not parse again", input);
    if (kfix::FixConfigToValue(*again) != v) Die("fix config does not round-trip", input);
  }
  return 0;
}
