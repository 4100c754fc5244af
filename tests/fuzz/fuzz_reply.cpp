// Fuzz target: a model's reply on its way into kfix (kfix/propose.hpp).
//
// The input is used three ways:
// - as a chat-completions HTTP body (ParseChatCompletionsResponse);
// - as free text for the redactor of a fixed Deployment that holds secrets
//   (env values, a token in args) and for FindTokenLikeSpans;
// - as the model's answer in Engine::ProposeText (one attempt, no rules
//   fallback), through extraction, placeholder restoring and every gate.
//
// Checks:
// - no crash, hang or sanitizer report on any input;
// - token spans are in bounds, sorted and disjoint;
// - RedactText never lets a known secret value through;
// - an answer accepted as the model's passed all nine gates, is vetted on the
//   real object (placeholders restored: none is left in the patch) and never
//   removes the container;
// - no request handed to the transport carries a secret value.
//
// Seeds: tests/fuzz/corpus/reply/.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "kfix/engine.hpp"
#include "kfix/propose.hpp"

namespace {

[[noreturn]] void Die(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_reply: %s\ninput (%zu bytes): %.*s\n", what, input.size(), static_cast<int>(input.size()),
               input.data());
  std::abort();
}

constexpr const char* kPassword = "s3cr3t-Passw0rd-xyz";
constexpr const char* kToken = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";

constexpr const char* kManifest = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: nginx:1.25
        args: ["--token=ghp_abcdefghijklmnopqrstuvwxyz0123456789"]
        env:
        - {name: DB_PASSWORD, value: s3cr3t-Passw0rd-xyz}
        securityContext: {privileged: true}
)";

struct Fixture {
  kfix::Engine engine;
  kfix::Redactor redactor;
};

const Fixture& Get() {
  static const Fixture* f = [] {
    auto engine = kfix::Engine::FromText(
        R"({"checks": {"doNotAutoAddDefaults": true, "include": ["privileged-container", "no-read-only-root-fs"]},
            "propose": {"mode": "openai", "endpoint": "http://127.0.0.1:9", "model": "m", "apiKeyEnv": "",
                        "maxAttempts": 1, "fallback": "none"}})");
    if (!engine.ok()) std::abort();
    auto object = kfix::ParseYaml(kManifest);
    if (!object.ok()) std::abort();
    return new Fixture{*engine, kfix::Redactor::ForObject(*object)};
  }();
  return *f;
}

bool HasPlaceholder(const kfix::Value& v) {
  switch (v.type()) {
    case kfix::Value::Type::kString: return v.as_string().find("<redacted:1>") != std::string::npos ||
                                            v.as_string().find("<redacted:2>") != std::string::npos;
    case kfix::Value::Type::kArray:
      for (const kfix::Value& e : v.as_array()) {
        if (HasPlaceholder(e)) return true;
      }
      return false;
    case kfix::Value::Type::kObject:
      for (const kfix::Member& m : v.as_object()) {
        if (HasPlaceholder(m.value)) return true;
      }
      return false;
    default: return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const Fixture& fx = Get();

  (void)kfix::ParseChatCompletionsResponse(input);

  std::size_t end = 0;
  for (const auto& [at, n] : kfix::FindTokenLikeSpans(input)) {
    if (at < end || n == 0 || at + n > input.size()) Die("token spans out of bounds, unsorted or overlapping", input);
    end = at + n;
  }
  if (fx.redactor.Leaks(fx.redactor.RedactText(input))) Die("RedactText let a secret through", input);

  bool leaked = false;
  kfix::ProposeBackend backend;
  backend.model = [&](const kfix::ModelRequest& r) -> kfix::Result<kfix::ModelReply> {
    for (const kfix::ChatMessage& m : r.messages) {
      if (m.content.find(kPassword) != std::string::npos || m.content.find(kToken) != std::string::npos) leaked = true;
    }
    kfix::ModelReply reply;
    reply.text = std::string(input);
    return reply;
  };
  kfix::CallOptions call;
  call.jobs = 1;
  auto report = fx.engine.ProposeText(kManifest, "web.yaml", backend, call);
  if (!report.ok()) Die("ProposeText failed", input);
  if (leaked) Die("a secret value reached the transport", input);
  for (const kfix::FixResult& r : report->results) {
    if (r.proposer != "llm" || r.status != kfix::FixStatus::kAccepted) continue;
    if (r.gates.size() != 9) Die("accepted without nine gates", input);
    for (const kfix::GateResult& g : r.gates) {
      if (!g.passed) Die("accepted with a failed gate", input);
    }
    for (const kfix::PatchOp& op : r.patch) {
      if (HasPlaceholder(op.value)) Die("a placeholder was left in an accepted patch", input);
      if (op.op == kfix::PatchOpType::kRemove && op.path.ToString() == "/spec/template/spec/containers/0") {
        Die("accepted a container removal", input);
      }
    }
  }
  return 0;
}
