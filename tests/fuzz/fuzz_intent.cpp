// Fuzz target: the intent parser and the consumer (playbooks.md §2.5).
//
// The whole input is fed
// (a) to ParseIntent, and
// (b) as the claw.prismer.ai/ops-intent annotation of a fixed StatefulSet
//     with stored generation 500, through ConsumeIntent.
//
// Checks:
// - no crash, hang or sanitizer report on any input;
// - a parsed intent is one of the five actions, has generation > 0, a known
//   source, and its ToJson() re-parses to identical bytes;
// - consumption always clears the intent key, keeps every other annotation,
//   and moves the stored generation only on "execute", only upwards and only
//   to the intent's own generation (a rejected intent never moves it);
// - an executed patch applies to the object.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "kfix/actions.hpp"
#include "kfix/core.hpp"

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_intent: %s\n", what);
  std::abort();
}

const kfix::Value& Object() {
  static const kfix::Value object = [] {
    auto v = kfix::ParseYaml(R"(
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: my-claw
  namespace: team-a
  annotations:
    claw.prismer.ai/ops-intent-gen: "500"
    keep: me
spec:
  replicas: 1
  selector: {matchLabels: {app: c}}
  template:
    metadata: {labels: {app: c}}
    spec:
      containers:
      - name: runtime
        image: claw:1
        resources: {requests: {memory: 1Gi, cpu: 500m}, limits: {memory: 2Gi, cpu: "1"}}
)");
    if (!v.ok()) Fail("fixture");
    return *v;
  }();
  return object;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  kfix::Result<kfix::Intent> intent = kfix::ParseIntent(text);
  if (intent.ok()) {
    const auto& actions = kfix::IntentActions();
    bool known = false;
    for (const std::string& a : actions) known = known || a == intent->action;
    if (!known) Fail("parsed an action outside the allowlist");
    if (intent->generation <= 0) Fail("parsed a non-positive generation");
    if (intent->source != "rule-engine" && intent->source != "companion-claw") Fail("parsed an unknown source");
    auto again = kfix::ParseIntent(intent->ToJson());
    if (!again.ok() || again->ToJson() != intent->ToJson()) Fail("ToJson does not round-trip");
  }
  kfix::Value object = Object();
  object.Find("metadata")->Find("annotations")->Set(kfix::kIntentAnnotation, std::string(text));
  kfix::ConsumeOptions options;
  options.now = std::chrono::system_clock::time_point(std::chrono::seconds(1776679200));
  kfix::ConsumeResult r = kfix::ConsumeIntent(object, options);
  if (r.annotations.Find(kfix::kIntentAnnotation)) Fail("intent key not cleared");
  if (!r.annotations.Find("keep") || r.annotations.Find("keep")->as_string() != "me") Fail("lost an annotation");
  std::int64_t after = kfix::StoredGeneration(r.annotations);
  if (r.decision == kfix::IntentDecision::kExecute) {
    if (!intent.ok() || after != intent->generation || after <= 500) Fail("execute moved the generation wrongly");
    if (!kfix::ApplyPatchCopy(Object(), r.patch).ok()) Fail("executed patch does not apply");
  } else if (after != 500) {
    Fail("a skipped or rejected intent moved the generation");
  }
  (void)r.ToValue();
  return 0;
}
