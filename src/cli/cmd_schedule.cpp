// kfix schedule <rank|simulate> [--top K] [--exploration ucb|thompson|none] [--seed N]
//               [--fairness none|cap|round-robin] [--fairness-k K] [--fairness-top N]
//               [--epss FILE] [--kev FILE] [--trivy FILE]... [--attack] [--config FILE]
//               [--format json|markdown] PATH...
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.hpp"
#include "kfix/engine.hpp"

namespace {

constexpr const char* kUsage =
    "usage: kfix schedule simulate|rank [--top K] [--exploration ucb|thompson|none] [--seed N]\n"
    "         [--fairness none|cap|round-robin] [--fairness-k K] [--fairness-top N]\n"
    "         [--epss FILE] [--kev FILE] [--trivy FILE]... [--attack] [--config FILE]\n"
    "         [--format json|markdown] PATH...";

int RunSchedule(const std::vector<std::string>& args) {
  kfix::cli::Args a(args,
                    {"top", "exploration", "seed", "fairness", "fairness-k", "fairness-top", "epss", "kev", "trivy",
                     "config", "format"},
                    {"attack", "help"});
  if (!a.ok()) return kfix::cli::UsageError("schedule", a.error());
  if (a.Has("help")) {
    std::printf("%s\n", kUsage);
    return kfix::cli::kExitOk;
  }
  if (a.positionals().size() < 2) return kfix::cli::UsageError("schedule", kUsage);
  const std::string op = a.positionals()[0];
  if (op != "simulate" && op != "rank") return kfix::cli::UsageError("schedule", "unknown operation \"" + op + "\"");
  std::vector<std::string> paths(a.positionals().begin() + 1, a.positionals().end());
  std::string format = a.Get("format", op == "simulate" ? "markdown" : "json");
  if (format != "json" && format != "markdown") {
    return kfix::cli::UsageError("schedule", "--format must be json or markdown");
  }

  kfix::EngineConfig config;
  if (!kfix::cli::LoadConfigFlag("schedule", a, &config)) return kfix::cli::kExitError;
  kfix::SchedulerConfig& cfg = config.schedule;
  long long n = 0;
  if (a.Has("exploration")) {
    auto e = kfix::ParseExploration(a.Get("exploration"));
    if (!e.ok()) return kfix::cli::UsageError("schedule", e.status().message());
    cfg.exploration = *e;
  }
  if (a.Has("fairness")) {
    auto f = kfix::ParseFairness(a.Get("fairness"));
    if (!f.ok()) return kfix::cli::UsageError("schedule", f.status().message());
    cfg.fairness = *f;
  }
  constexpr long long kMax = (1LL << 31) - 1;
  if (a.Has("seed")) {
    if (!kfix::cli::ParseIntFlag(a.Get("seed"), 0, kMax, &n)) return kfix::cli::UsageError("schedule", "--seed must be >= 0");
    cfg.seed = static_cast<std::uint64_t>(n);
  }
  if (a.Has("fairness-k")) {
    if (!kfix::cli::ParseIntFlag(a.Get("fairness-k"), 1, kMax, &n)) {
      return kfix::cli::UsageError("schedule", "--fairness-k must be >= 1");
    }
    cfg.fairness_k = static_cast<int>(n);
  }
  if (a.Has("fairness-top")) {
    if (!kfix::cli::ParseIntFlag(a.Get("fairness-top"), 1, kMax, &n)) {
      return kfix::cli::UsageError("schedule", "--fairness-top must be >= 1");
    }
    cfg.fairness_top_n = static_cast<int>(n);
  }
  long long top = 50;
  if (a.Has("top") && !kfix::cli::ParseIntFlag(a.Get("top"), 1, kMax, &top)) {
    return kfix::cli::UsageError("schedule", "--top must be >= 1");
  }
  // Feed flags replace the configuration's risk feeds.
  if (a.Has("epss")) config.feeds.epss = a.Get("epss");
  if (a.Has("kev")) config.feeds.kev = a.Get("kev");
  if (a.Has("trivy")) config.feeds.trivy = a.GetAll("trivy");
  if (a.Has("attack")) config.risk.attack_enabled = true;
  std::unique_ptr<kfix::Engine> engine;
  if (!kfix::cli::CreateEngine("schedule", std::move(config), &engine)) return kfix::cli::kExitError;
  for (const kfix::Status& m : engine->feeds()->Malformed()) {
    std::fprintf(stderr, "kfix schedule: warning: %s\n", m.ToString().c_str());
  }
  kfix::Result<kfix::RiskReport> report = engine->ScorePaths(paths);
  if (!report.ok()) return kfix::cli::Fail("schedule", report.status());
  std::fprintf(stderr, "kfix schedule: %lld files, %lld objects, %zu findings, %zu load errors\n",
               static_cast<long long>(report->files), static_cast<long long>(report->objects),
               report->results.size(), report->errors.size());
  if (op == "simulate") {
    kfix::SimulationReport sim = engine->Simulate(*report, static_cast<int>(top));
    if (format == "json") {
      std::printf("%s\n", kfix::ToJson(kfix::SimulationReportToValue(sim), kfix::JsonStyle::kPretty).c_str());
    } else {
      std::printf("%s", kfix::SimulationReportToMarkdown(sim).c_str());
    }
    return kfix::cli::kExitOk;
  }
  const std::size_t limit = a.Has("top") ? static_cast<std::size_t>(top) : 0;
  kfix::Value out = kfix::ScheduleReportToValue(engine->Rank(std::move(*report)), limit);
  std::printf("%s\n", kfix::ToJson(out, kfix::JsonStyle::kPretty).c_str());
  return kfix::cli::kExitOk;
}

}  // namespace

KFIX_CLI_COMMAND("schedule", "rank fixes, or compare the scheduler with FIFO on a batch (simulate)", kUsage, RunSchedule, "simulate", "rank");
