// Fuzz target: vetting of external (LLM or human) patch text.
//
// The whole input is handed to Guard::VetText as the proposal for a fixed
// Deployment with known findings (privileged container, missing resources,
// latest tag, ...), with and without a target finding. ExtractPatch is the
// most exposed parser kfix has: code fences, prose, JSON, YAML, merge
// patches and whole objects all come in through it.
//
// Checks:
// - no crash, hang or sanitizer report on any input;
// - every verdict lists the nine gates in order, and `accepted` is exactly
//   "every gate passed"; a rejected verdict names a reason;
// - an accepted verdict's patch is structurally valid, applies to the
//   object, yields exactly `patched`, removes no container, never sets
//   privileged / allowPrivilegeEscalation / host* to true, and (with a
//   target) leaves that finding gone on a fresh rescan.
//
// Seeds: tests/fuzz/corpus/vet/.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/guard.hpp"
#include "kfix/rules.hpp"

namespace {

[[noreturn]] void Die(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_vet: %s\ninput (%zu bytes): %.*s\n", what, input.size(), static_cast<int>(input.size()),
               input.data());
  std::abort();
}

constexpr const char* kManifest = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      initContainers:
      - name: init
        image: busybox:1.36
      containers:
      - name: app
        image: nginx:latest
        ports:
        - {name: http, containerPort: 8080}
        securityContext:
          privileged: true
        volumeMounts:
        - {name: data, mountPath: /data}
      volumes:
      - name: data
        emptyDir: {}
)";

struct Fixture {
  std::shared_ptr<const kfix::RuleSet> rules;
  std::unique_ptr<kfix::Guard> guard;
  std::vector<kfix::Finding> findings;
};

const Fixture& Get() {
  static const Fixture* f = [] {
    auto* fx = new Fixture();
    auto rules = kfix::RuleSet::Create(kfix::RulesConfig{});
    if (!rules.ok()) std::abort();
    fx->rules = *rules;
    kfix::LoadResult lr = kfix::LoadManifests(kManifest, "web.yaml");
    if (!lr.errors.empty() || lr.manifests.size() != 1) std::abort();
    auto guard = kfix::Guard::Create(fx->rules, kfix::FixConfig{}, lr.manifests);
    if (!guard.ok()) std::abort();
    fx->guard = std::move(*guard);
    fx->findings = fx->guard->baseline().findings;
    if (fx->findings.empty()) std::abort();
    return fx;
  }();
  return *f;
}

bool HasTrue(const kfix::Value& v, std::string_view key) {
  if (v.is_object()) {
    for (const kfix::Member& m : v.as_object()) {
      if (m.key == key && m.value.is_bool() && m.value.as_bool()) return true;
      if (HasTrue(m.value, key)) return true;
    }
  } else if (v.is_array()) {
    for (const kfix::Value& e : v.as_array()) {
      if (HasTrue(e, key)) return true;
    }
  }
  return false;
}

std::size_t Containers(const kfix::Value& obj) {
  auto view = kfix::ViewWorkload(obj);
  return view ? view->containers.size() : 0;
}

void CheckVerdict(const kfix::Verdict& v, const kfix::Finding* target, std::string_view input) {
  static constexpr const char* kGates[] = {"structure", "apply",  "destructive", "privilege", "namespace",
                                           "schema",    "rescan", "idempotence", "budget"};
  if (v.gates.size() != 9) Die("verdict does not list nine gates", input);
  bool all = true;
  for (std::size_t i = 0; i < 9; ++i) {
    if (v.gates[i].name != kGates[i]) Die("gates out of order", input);
    all = all && v.gates[i].passed;
  }
  if (v.accepted != all) Die("accepted != every gate passed", input);
  if (!v.accepted) {
    if (v.reason.empty()) Die("rejected without a reason", input);
    return;
  }
  const Fixture& fx = Get();
  const kfix::Value& before = fx.guard->objects()[0].root;
  auto after = kfix::ApplyPatchCopy(before, v.patch);
  if (!after.ok()) Die("accepted patch does not apply", input);
  if (*after != v.patched) Die("accepted patch does not yield `patched`", input);
  if (Containers(*after) != Containers(before)) Die("accepted patch changes the container count", input);
  // The fixture starts privileged: an accepted patch may keep that, never add
  // another escalation.
  for (const char* k : {"allowPrivilegeEscalation", "hostNetwork", "hostPID", "hostIPC"}) {
    if (HasTrue(*after, k)) Die("accepted patch raises privileges", input);
  }
  if (target) {
    kfix::Manifest m = fx.guard->objects()[0];
    m.root = *after;
    for (const kfix::Finding& f : fx.rules->Scan({m}).findings) {
      if (f.check == target->check && f.container == target->container && f.message == target->message)
        Die("accepted patch leaves its target finding", input);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (1u << 16)) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const Fixture& fx = Get();
  CheckVerdict(fx.guard->VetText(0, input, nullptr), nullptr, input);
  // A target chosen by the input's length, so every finding gets its turn.
  const kfix::Finding& target = fx.findings[size % fx.findings.size()];
  CheckVerdict(fx.guard->VetText(0, input, &target), &target, input);
  // Out-of-range object index: a clean refusal.
  kfix::Verdict out = fx.guard->VetText(7, input, nullptr);
  if (out.accepted || out.reason.empty()) Die("out-of-range object accepted", input);
  return 0;
}
