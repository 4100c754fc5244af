// kfix risk [--epss FILE] [--kev FILE] [--trivy FILE]... [--attack] [--config FILE] [--format json|text] PATH...
#include <cstdio>
#include <string>

#include "cli/command.hpp"
#include "kfix/risk.hpp"
#include "kfix/rules.hpp"

namespace {

constexpr const char* kUsage =
    "usage: kfix risk [--epss FILE] [--kev FILE] [--trivy FILE]... [--attack] [--config FILE]\n"
    "                 [--format json|text] PATH...\n";

int Fail(const kfix::Status& s) {
  std::fprintf(stderr, "kfix risk: %s\n", s.ToString(true).c_str());
  return kfix::cli::kExitError;
}

int RunRisk(const std::vector<std::string>& args) {
  kfix::cli::Args a(args, {"epss", "kev", "trivy", "config", "format"}, {"attack", "help"});
  if (!a.ok()) return kfix::cli::UsageError("risk", a.error());
  if (a.Has("help") || a.positionals().empty()) {
    std::printf(
        "usage: kfix risk [--epss FILE] [--kev FILE] [--trivy FILE]... [--attack] [--config FILE]\n"
        "                 [--format json|text] PATH...\n");
    return a.Has("help") ? kfix::cli::kExitOk : kfix::cli::kExitError;
  }
  std::string format = a.Get("format", "json");
  if (format != "json" && format != "text") return kfix::cli::UsageError("risk", "--format must be json or text");
  auto config = kfix::LoadRulesConfig(a.Get("config"));
  if (!config.ok()) return Fail(config.status());
  auto rules = kfix::RuleSet::Create(*config);
  if (!rules.ok()) return Fail(rules.status());
  kfix::RiskFeedFiles files{a.Get("epss"), a.Get("kev"), a.GetAll("trivy")};
  auto feeds = kfix::LoadRiskFeeds(files);
  if (!feeds.ok()) return Fail(feeds.status());
  for (const kfix::Status& m : feeds->Malformed()) std::fprintf(stderr, "kfix risk: warning: %s\n", m.ToString().c_str());
  kfix::RiskConfig rc;
  rc.attack_enabled = a.Has("attack");
  kfix::RiskScorer scorer(rc, feeds->View());
  auto report = kfix::ScanAndScore(**rules, scorer, a.positionals());
  if (!report.ok()) return Fail(report.status());
  for (const kfix::Status& e : report->errors) std::fprintf(stderr, "kfix risk: %s\n", e.ToString(true).c_str());
  if (format == "json") {
    kfix::Value v = kfix::RiskReportToValue(*report);
    v.Set("feeds", feeds->ToValue());
    std::printf("%s\n", kfix::ToJson(v, kfix::JsonStyle::kPretty).c_str());
  } else {
    for (const kfix::ScoredFinding& s : report->results) {
      std::printf("%6.2f  %s:%d  %s  %s/%s", s.risk.risk, s.finding.file.c_str(), s.finding.line,
                  s.finding.check.c_str(), s.finding.object.kind.c_str(), s.finding.object.name.c_str());
      for (const kfix::RiskTerm& t : s.risk.terms) {
        if (t.value != 0) std::printf("  %s=%.2f", t.name.c_str(), t.value);
      }
      std::printf("\n");
    }
  }
  return report->errors.empty() ? kfix::cli::kExitOk : kfix::cli::kExitError;
}

}  // namespace

KFIX_CLI_COMMAND("risk", "score findings 0-100 (base weight, image CVEs with EPSS/KEV, optional ATT&CK)", kUsage, RunRisk);
