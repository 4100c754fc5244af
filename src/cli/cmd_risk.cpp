// kfix risk [--epss FILE] [--kev FILE] [--trivy FILE]... [--attack] [--config FILE] [--format json|text] PATH...
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.hpp"
#include "kfix/engine.hpp"

namespace {

constexpr const char* kUsage =
    "usage: kfix risk [--epss FILE] [--kev FILE] [--trivy FILE]... [--attack] [--config FILE]\n"
    "                 [--format json|text] PATH...\n";

int RunRisk(const std::vector<std::string>& args) {
  const std::string cmd = "risk";
  kfix::cli::Args a(args, {"epss", "kev", "trivy", "config", "format"}, {"attack", "help"});
  if (!a.ok()) return kfix::cli::UsageError(cmd, a.error());
  if (a.Has("help") || a.positionals().empty()) {
    std::fputs(kUsage, stdout);
    return a.Has("help") ? kfix::cli::kExitOk : kfix::cli::kExitError;
  }
  std::string format = a.Get("format", "json");
  if (format != "json" && format != "text") return kfix::cli::UsageError(cmd, "--format must be json or text");
  kfix::EngineConfig config;
  if (!kfix::cli::LoadConfigFlag(cmd, a, &config)) return kfix::cli::kExitError;
  // Feed flags replace the configuration's risk feeds.
  if (a.Has("epss")) config.feeds.epss = a.Get("epss");
  if (a.Has("kev")) config.feeds.kev = a.Get("kev");
  if (a.Has("trivy")) config.feeds.trivy = a.GetAll("trivy");
  if (a.Has("attack")) config.risk.attack_enabled = true;
  std::unique_ptr<kfix::Engine> engine;
  if (!kfix::cli::CreateEngine(cmd, std::move(config), &engine)) return kfix::cli::kExitError;
  for (const kfix::Status& m : engine->feeds()->Malformed()) {
    std::fprintf(stderr, "kfix risk: warning: %s\n", m.ToString().c_str());
  }
  kfix::Result<kfix::RiskReport> report = engine->ScorePaths(a.positionals());
  if (!report.ok()) return kfix::cli::Fail(cmd, report.status());
  for (const kfix::Status& e : report->errors) std::fprintf(stderr, "kfix risk: %s\n", e.ToString().c_str());
  if (format == "json") {
    kfix::Value v = kfix::RiskReportToValue(*report, *engine->feeds());
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
