// Container-escape playbook (kfix/escape.hpp): detection over generated audit
// and runtime events, and quarantine planning over generated findings.
//   BM_Detect/N       N events: per pod a create, a privileged patch, an exec by
//                     a service account and two Falco/Tracee signals
//   BM_DetectExecs/N  N exec events on one pod after one deploy (r4's
//                     recent-deployer lookup is indexed per pod: linear, not N^2)
//   BM_Plan/N         N findings against N pods on 64 nodes, node-drain mode
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/escape.hpp"

namespace esc = kfix::escape;

namespace {

std::string Events(int n) {
  std::string out;
  const long long base = 1775798400000;
  for (int i = 0; i < n / 5; ++i) {
    std::string pod = "api-" + std::to_string(i);
    std::string t = std::to_string(base + i * 1000LL);
    out += R"({"class_uid":6003,"time":)" + t + R"(,"actor":{"user":{"name":"alice"}},"api":{"operation":"create"},"resources":[{"type":"pods","name":")" + pod + R"(","namespace":"payments"}]})" "\n";
    out += R"({"class_uid":6003,"time":)" + t + R"(,"actor":{"user":{"name":"ci"}},"api":{"operation":"patch"},"resources":[{"type":"pods","name":")" + pod + R"(","namespace":"payments"}],"unmapped":{"k8s":{"request_object":{"spec":{"containers":[{"name":"a","securityContext":{"privileged":true}}]}}}}})" "\n";
    out += R"({"class_uid":6003,"time":)" + t + R"(,"actor":{"user":{"name":"system:serviceaccount:payments:x"}},"api":{"operation":"create"},"resources":[{"type":"pods","name":")" + pod + R"(","namespace":"payments","subresource":"exec"}]})" "\n";
    out += R"({"source":"falco","time":)" + t + R"(,"rule":"Terminal shell in container","output_fields":{"container.id":"c)" + std::to_string(i) + R"(","k8s.ns.name":"payments","k8s.pod.name":")" + pod + R"("}})" "\n";
    out += R"({"source":"tracee","ts":)" + t + R"(,"eventName":"container_drift","container":{"id":"c)" + std::to_string(i) + R"("},"kubernetes":{"namespace":"payments","podName":")" + pod + R"("}})" "\n";
  }
  return out;
}

void BM_Detect(benchmark::State& state) {
  std::string text = Events(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    esc::DetectResult r = esc::Detect({{"events", text}}, {});
    benchmark::DoNotOptimize(r.findings.size());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Detect)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_DetectExecs(benchmark::State& state) {
  std::string text = R"({"class_uid":6003,"time":1,"actor":{"user":{"name":"alice"}},"api":{"operation":"create"},"resources":[{"type":"pods","name":"p","namespace":"n"}]})" "\n";
  for (int i = 0; i < state.range(0); ++i) {
    text += R"({"class_uid":6003,"time":)" + std::to_string(2 + i) + R"(,"actor":{"user":{"name":"u)" + std::to_string(i) + R"("}},"api":{"operation":"create"},"resources":[{"type":"pods","name":"p","namespace":"n","subresource":"exec"}]})" "\n";
  }
  for (auto _ : state) {
    esc::DetectResult r = esc::Detect({{"events", text}}, {});
    benchmark::DoNotOptimize(r.findings.size());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_DetectExecs)->Arg(1000)->Arg(20000)->Unit(benchmark::kMillisecond);

void BM_Plan(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  esc::ClusterSnapshot cluster;
  std::vector<esc::InputFinding> findings;
  for (int i = 0; i < n; ++i) {
    std::string pod = "api-" + std::to_string(i);
    kfix::Value p = kfix::ParseJson(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + pod +
                                    R"(","namespace":"payments","labels":{"app":")" + pod + R"("}},"spec":{"nodeName":"node-)" +
                                    std::to_string(i % 64) + R"("}})")
                        .value();
    cluster.AddObject(p);
    esc::InputFinding f;
    f.producer = esc::kDetectorSkill;
    f.finding_uid = "det-" + std::to_string(i);
    f.observables = {{"namespace", "payments"}, {"pod.name", pod}};
    findings.push_back(std::move(f));
  }
  esc::RunOptions options;
  options.mode = esc::ActionMode::kNodeDrain;
  auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1775800000000));
  options.clock = [t] { return t; };
  for (auto _ : state) {
    esc::RunResult r = esc::Plan(findings, cluster, options);
    benchmark::DoNotOptimize(r.records.size());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Plan)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
