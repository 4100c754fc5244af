// Fuzz target: the CEL evaluator (src/rules/cel/).
//
// The input is an expression. It is compiled twice (strict and with the
// kube-linter template's lenient has()); a program that compiles is
// evaluated against a fixed object and object list, with ints and with JSON
// doubles, under a small cost budget.
//
// Checks:
// - no crash, hang or sanitizer report on any input (the parser bounds
//   nesting, the interpreter charges every step to the budget);
// - every refusal is kInvalidArgument with a "LINE:COLUMN: " prefix that
//   lies inside the expression;
// - evaluation is deterministic (two runs, same result text), and an error
//   result renders with a position or none, never a crash.
//
// Seeds: tests/fuzz/corpus/cel/.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "kfix/core.hpp"
#include "rules/cel/cel_internal.hpp"

namespace {

[[noreturn]] void Die(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_cel: %s\ninput (%zu bytes): %.*s\n", what, input.size(), static_cast<int>(input.size()),
               input.data());
  std::abort();
}

constexpr const char* kObjects = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod, labels: {app: web}, annotations: {a: "1"}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    spec:
      containers:
      - {name: app, image: "registry.example.com/web:1", ports: [{containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: prod}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
)";

const kfix::LoadResult& Objects() {
  static const kfix::LoadResult* loaded = [] {
    auto* r = new kfix::LoadResult(kfix::LoadManifests(kObjects, "fixture.yaml"));
    if (!r->errors.empty() || r->manifests.size() != 2) std::abort();
    return r;
  }();
  return *loaded;
}

void CheckRefusal(const kfix::Status& s, std::string_view input) {
  if (s.code() != kfix::StatusCode::kInvalidArgument) Die("refusal is not kInvalidArgument", input);
  const std::string& m = s.message();
  std::size_t colon = m.find(':');
  if (colon == std::string::npos || colon == 0) Die("refusal without LINE:", input);
  const long line = std::strtol(m.c_str(), nullptr, 10);
  long lines = 1;
  for (char c : input) lines += c == '\n';
  if (line < 1 || line > lines) Die("refusal names a line outside the expression", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const kfix::LoadResult& objs = Objects();
  std::vector<const kfix::Value*> all;
  for (const auto& m : objs.manifests) all.push_back(&m.root);
  kfix::internal::CelLimits limits;
  limits.cost_budget = 20000;
  for (bool lenient : {false, true}) {
    kfix::internal::CelCompileOptions options;
    options.variables = {"object", "objects"};
    options.lenient_has = lenient;
    auto program = kfix::internal::CelProgram::Compile(input, options);
    if (!program.ok()) {
      CheckRefusal(program.status(), input);
      continue;
    }
    for (bool as_double : {false, true}) {
      const std::vector<std::pair<std::string, kfix::internal::CelVal>> bindings = {
          {"object", kfix::internal::CelVal::FromValue(objs.manifests[0].root, as_double)},
          {"objects", kfix::internal::CelVal::ListOfValues(all, as_double)}};
      kfix::internal::CelVal a = (*program)->Evaluate(bindings, limits);
      kfix::internal::CelVal b = (*program)->Evaluate(bindings, limits);
      const std::string ta = a.is_error() ? (*program)->ErrorText(a) : a.DebugString();
      const std::string tb = b.is_error() ? (*program)->ErrorText(b) : b.DebugString();
      if (ta != tb) Die("evaluation is not deterministic", input);
      if (!a.is_error()) (void)a.ToValue();
    }
  }
  return 0;
}
