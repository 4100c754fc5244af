// Scheduler throughput: ranking and simulating batches of synthetic findings.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "kfix/schedule.hpp"

namespace {

std::vector<kfix::ScheduleItem> MakeItems(std::size_t n) {
  static const char* kChecks[] = {"privileged-container", "latest-tag", "run-as-non-root", "unset-cpu-requirements",
                                  "env-var-secret", "no-read-only-root-fs", "host-network", "liveness-port"};
  static const double kRisk[] = {85, 50, 70, 40, 78, 40, 40, 45};
  std::mt19937_64 rng(42);
  std::vector<kfix::ScheduleItem> items(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t c = rng() % 8;
    items[i].id = std::to_string(i);
    items[i].arm = kChecks[c];
    items[i].group = "ns" + std::to_string(rng() % 50);
    items[i].risk = kRisk[c];
    items[i].kev = rng() % 20 == 0;
    items[i].enqueued_at = static_cast<double>(rng() % 86400);
  }
  return items;
}

kfix::Scheduler Trained(kfix::SchedulerConfig cfg) {
  kfix::Scheduler s(cfg);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) s.Observe("arm" + std::to_string(i % 8), rng() % 10 < 8, 5.0 + static_cast<double>(rng() % 20));
  return s;
}

void BM_RankUcb(benchmark::State& state) {
  auto items = MakeItems(static_cast<std::size_t>(state.range(0)));
  kfix::Scheduler s = Trained(kfix::SchedulerConfig{});
  for (auto _ : state) benchmark::DoNotOptimize(s.Rank(items, 90000));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RankUcb)->Arg(1000)->Arg(10000)->Arg(100000);

void BM_RankThompsonCapFairness(benchmark::State& state) {
  auto items = MakeItems(static_cast<std::size_t>(state.range(0)));
  kfix::SchedulerConfig cfg;
  cfg.exploration = kfix::Exploration::kThompson;
  cfg.seed = 1;
  cfg.fairness = kfix::Fairness::kCap;
  cfg.fairness_k = 2;
  cfg.fairness_top_n = 50;
  kfix::Scheduler s = Trained(cfg);
  for (auto _ : state) benchmark::DoNotOptimize(s.Rank(items, 90000));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RankThompsonCapFairness)->Arg(1000)->Arg(10000)->Arg(100000);

void BM_Simulate(benchmark::State& state) {
  auto items = MakeItems(static_cast<std::size_t>(state.range(0)));
  kfix::Scheduler s = Trained(kfix::SchedulerConfig{});
  for (auto _ : state) benchmark::DoNotOptimize(kfix::Simulate(items, s, 50, 90000));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Simulate)->Arg(10000);

}  // namespace

BENCHMARK_MAIN();
