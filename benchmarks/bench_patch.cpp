// JSON / JSON Patch throughput on generated Deployments: ParseJson, apply,
// diff and canonical emit, each next to nlohmann::json doing the same work.
//
//   ./build/benchmarks/bench_patch --benchmark_min_time=0.2
//
// The argument is the number of containers per Deployment (document size).
#include <benchmark/benchmark.h>

#include <string>

#include <nlohmann/json.hpp>

#include "kfix/core.hpp"

namespace {

std::string DeploymentJson(int containers) {
  std::string s =
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"prod",)"
      R"("labels":{"app":"web","tier":"frontend","team":"payments"},"annotations":{"owner":"sre@example.com"}},)"
      R"("spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},)"
      R"("spec":{"serviceAccountName":"web","containers":[)";
  for (int i = 0; i < containers; ++i) {
    if (i) s += ",";
    const std::string n = std::to_string(i);
    s += R"({"name":"c)" + n + R"(","image":"registry.example.com/team/app)" + n + R"(:1.25.)" + n +
         R"(","args":["--port=8080","--log-level=info"],"ports":[{"containerPort":8080,"protocol":"TCP"}],)"
         R"("env":[{"name":"MODE","value":"prod"},{"name":"RATIO","value":"0.75"}],)"
         R"("resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"cpu":"500m","memory":"128Mi"}},)"
         R"("livenessProbe":{"httpGet":{"path":"/healthz","port":8080},"initialDelaySeconds":5,"periodSeconds":10.5}})";
  }
  s += R"(]}}}})";
  return s;
}

// The kind of patch remediation proposes: guard, harden, add limits.
std::string RemediationPatch(int containers) {
  std::string p = R"([{"op":"test","path":"/kind","value":"Deployment"})";
  for (int i = 0; i < containers; ++i) {
    const std::string c = "/spec/template/spec/containers/" + std::to_string(i);
    p += R"(,{"op":"add","path":")" + c +
         R"(/securityContext","value":{"runAsNonRoot":true,"readOnlyRootFilesystem":true,"allowPrivilegeEscalation":false}})";
    p += R"(,{"op":"replace","path":")" + c + R"(/resources/limits/memory","value":"256Mi"})";
  }
  p += R"(,{"op":"add","path":"/spec/template/spec/automountServiceAccountToken","value":false}])";
  return p;
}

void BM_ParseJson(benchmark::State& state) {
  const std::string text = DeploymentJson(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto v = kfix::ParseJson(text);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseJson)->Arg(1)->Arg(8)->Arg(64);

void BM_ParseJson_Nlohmann(benchmark::State& state) {
  const std::string text = DeploymentJson(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto v = nlohmann::json::parse(text);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseJson_Nlohmann)->Arg(1)->Arg(8)->Arg(64);

void BM_ApplyPatch(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const kfix::Value doc = *kfix::ParseJson(DeploymentJson(n));
  const kfix::Patch patch = *kfix::ParsePatch(std::string_view(RemediationPatch(n)));
  for (auto _ : state) {
    auto out = kfix::ApplyPatchCopy(doc, patch);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * patch.size()));
}
BENCHMARK(BM_ApplyPatch)->Arg(1)->Arg(8)->Arg(64);

void BM_ApplyPatch_Nlohmann(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const nlohmann::json doc = nlohmann::json::parse(DeploymentJson(n));
  const nlohmann::json patch = nlohmann::json::parse(RemediationPatch(n));
  for (auto _ : state) {
    auto out = doc.patch(patch);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * patch.size()));
}
BENCHMARK(BM_ApplyPatch_Nlohmann)->Arg(1)->Arg(8)->Arg(64);

// In place, single op: no document copy (ApplyPatch's atomic fast path).
void BM_ApplyPatchSingleOpInPlace(benchmark::State& state) {
  kfix::Value doc = *kfix::ParseJson(DeploymentJson(static_cast<int>(state.range(0))));
  const kfix::Patch patch =
      *kfix::ParsePatch(std::string_view(R"([{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"x:1"}])"));
  for (auto _ : state) {
    kfix::Status s = kfix::ApplyPatch(doc, patch);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_ApplyPatchSingleOpInPlace)->Arg(1)->Arg(64);

// N `add` ops of distinct members of one object (and N more into objects
// below it): linear in N since the member index (was quadratic: 200,000 ops
// took ~24 s). Arg = N.
void BM_ApplyPatchManyAdds(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  kfix::Value doc = kfix::Value::MakeObject();
  doc.Set("a", kfix::Value::MakeObject());
  kfix::Patch patch;
  patch.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    kfix::PatchOp op;
    op.op = kfix::PatchOpType::kAdd;
    op.path = kfix::JsonPointer({"a", "k" + std::to_string(i)});
    op.value = kfix::Value(static_cast<std::int64_t>(i));
    patch.push_back(std::move(op));
  }
  for (auto _ : state) {
    auto out = kfix::ApplyPatchCopy(doc, patch);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_ApplyPatchManyAdds)->Arg(20000)->Arg(200000)->Unit(benchmark::kMillisecond);

void BM_Diff(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const kfix::Value from = *kfix::ParseJson(DeploymentJson(n));
  const kfix::Value to = *kfix::ApplyPatchCopy(from, *kfix::ParsePatch(std::string_view(RemediationPatch(n))));
  for (auto _ : state) {
    auto d = kfix::Diff(from, to);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_Diff)->Arg(1)->Arg(8)->Arg(64);

void BM_Diff_Nlohmann(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const nlohmann::json from = nlohmann::json::parse(DeploymentJson(n));
  const nlohmann::json to = from.patch(nlohmann::json::parse(RemediationPatch(n)));
  for (auto _ : state) {
    auto d = nlohmann::json::diff(from, to);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_Diff_Nlohmann)->Arg(1)->Arg(8)->Arg(64);

void BM_CanonicalEmit(benchmark::State& state) {
  const std::string text = DeploymentJson(static_cast<int>(state.range(0)));
  const kfix::Value doc = *kfix::ParseJson(text);
  std::string out;
  for (auto _ : state) {
    out.clear();
    kfix::AppendJson(out, doc, kfix::JsonStyle::kCanonical);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_CanonicalEmit)->Arg(1)->Arg(8)->Arg(64);

// nlohmann's dump() of a std::map-backed object is also key-sorted.
void BM_CanonicalEmit_Nlohmann(benchmark::State& state) {
  const nlohmann::json doc = nlohmann::json::parse(DeploymentJson(static_cast<int>(state.range(0))));
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out = doc.dump();
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_CanonicalEmit_Nlohmann)->Arg(1)->Arg(8)->Arg(64);

}  // namespace

BENCHMARK_MAIN();
