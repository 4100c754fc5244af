// kfix schedule <rank|simulate> [--top K] [--exploration ucb|thompson|none] [--seed N]
//               [--fairness none|cap|round-robin] [--fairness-k K] [--fairness-top N]
//               [--epss FILE] [--kev FILE] [--trivy FILE]... [--attack] [--config FILE]
//               [--format json|markdown] PATH...
#include <cstdio>
#include <string>

#include "cli/command.hpp"
#include "kfix/risk.hpp"
#include "kfix/rules.hpp"
#include "kfix/schedule.hpp"

namespace {

int Fail(const kfix::Status& s) {
  std::fprintf(stderr, "kfix schedule: %s\n", s.ToString(true).c_str());
  return kfix::cli::kExitError;
}

bool ParseInt(const std::string& text, long long min, long long& out) {
  try {
    std::size_t used = 0;
    out = std::stoll(text, &used);
    return used == text.size() && out >= min;
  } catch (...) {
    return false;
  }
}

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

  kfix::SchedulerConfig cfg;
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
  if (a.Has("seed")) {
    if (!ParseInt(a.Get("seed"), 0, n)) return kfix::cli::UsageError("schedule", "--seed must be >= 0");
    cfg.seed = static_cast<std::uint64_t>(n);
  }
  if (a.Has("fairness-k")) {
    if (!ParseInt(a.Get("fairness-k"), 1, n)) return kfix::cli::UsageError("schedule", "--fairness-k must be >= 1");
    cfg.fairness_k = static_cast<int>(n);
  }
  if (a.Has("fairness-top")) {
    if (!ParseInt(a.Get("fairness-top"), 1, n)) return kfix::cli::UsageError("schedule", "--fairness-top must be >= 1");
    cfg.fairness_top_n = static_cast<int>(n);
  }
  long long top = 50;
  if (a.Has("top") && !ParseInt(a.Get("top"), 1, top)) return kfix::cli::UsageError("schedule", "--top must be >= 1");

  auto config = kfix::LoadRulesConfig(a.Get("config"));
  if (!config.ok()) return Fail(config.status());
  auto rules = kfix::RuleSet::Create(*config);
  if (!rules.ok()) return Fail(rules.status());
  auto feeds = kfix::LoadRiskFeeds(kfix::RiskFeedFiles{a.Get("epss"), a.Get("kev"), a.GetAll("trivy")});
  if (!feeds.ok()) return Fail(feeds.status());
  for (const kfix::Status& m : feeds->Malformed()) {
    std::fprintf(stderr, "kfix schedule: warning: %s\n", m.ToString().c_str());
  }
  kfix::RiskConfig rc;
  rc.attack_enabled = a.Has("attack");
  kfix::RiskScorer scorer(rc, feeds->View());
  auto report = kfix::ScanAndScore(**rules, scorer, paths);
  if (!report.ok()) return Fail(report.status());
  std::fprintf(stderr, "kfix schedule: %lld files, %lld objects, %zu findings, %zu load errors\n",
               static_cast<long long>(report->files), static_cast<long long>(report->objects),
               report->results.size(), report->errors.size());

  // A batch scheduled at one instant: every item enqueued at t = 0, now = 0.
  std::vector<kfix::ScheduleItem> items = kfix::ScheduleItemsFromFindings(report->results, 0.0);
  kfix::Scheduler scheduler(cfg);
  if (op == "simulate") {
    kfix::SimulationReport sim = kfix::Simulate(items, scheduler, static_cast<int>(top), 0.0);
    if (format == "json") {
      std::printf("%s\n", kfix::ToJson(kfix::SimulationReportToValue(sim), kfix::JsonStyle::kPretty).c_str());
    } else {
      std::printf("%s", kfix::SimulationReportToMarkdown(sim).c_str());
    }
    return kfix::cli::kExitOk;
  }
  std::vector<kfix::ScoredItem> ranked = scheduler.Rank(items, 0.0);
  kfix::Value out = kfix::Value::MakeObject();
  out.Set("schemaVersion", 1);
  kfix::Value list = kfix::Value::MakeArray();
  std::size_t limit = a.Has("top") ? static_cast<std::size_t>(top) : ranked.size();
  for (std::size_t i = 0; i < ranked.size() && i < limit; ++i) {
    const kfix::ScoredItem& s = ranked[i];
    const kfix::ScoredFinding& f = report->results[std::stoull(s.item.id)];
    kfix::Value v = kfix::Value::MakeObject();
    v.Set("rank", static_cast<std::int64_t>(i + 1));
    v.Set("score", s.score);
    v.Set("R", s.item.risk);
    v.Set("p", s.p);
    v.Set("Et", s.expected_seconds);
    v.Set("explore", s.explore);
    v.Set("waitHours", s.wait_hours);
    v.Set("kev", s.item.kev);
    v.Set("check", f.finding.check);
    v.Set("file", f.finding.file);
    v.Set("line", f.finding.line);
    v.Set("namespace", f.finding.object.namespace_);
    v.Set("kind", f.finding.object.kind);
    v.Set("name", f.finding.object.name);
    list.PushBack(std::move(v));
  }
  out.Set("items", std::move(list));
  std::printf("%s\n", kfix::ToJson(out, kfix::JsonStyle::kPretty).c_str());
  return kfix::cli::kExitOk;
}

}  // namespace

KFIX_CLI_COMMAND("schedule", "rank fixes, or compare the scheduler with FIFO on a batch (simulate)", kUsage, RunSchedule, "simulate", "rank");
