// kfix run: the whole loop (scan → fix → guard → risk → schedule) over
// manifests, writing findings/fixes/risk/schedule/summary JSON into --out and
// printing the findings and a summary table. A surface only: the work is
// kfix::RunPipeline (kfix/pipeline.hpp).
#include <unistd.h>

#include <chrono>
#include <memory>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "kfix/engine.hpp"
#include "kfix/report.hpp"

namespace {

constexpr const char* kUsage =
    "usage: kfix run [--out DIR] [--html FILE] [--config FILE] [--profile minimal|harden] [--epss FILE] [--kev FILE]\n"
    "                [--images TRIVY_JSON]... [--attack] [--exploration ucb|thompson|none] [--seed N]\n"
    "                [--now SECONDS] [--jobs N] [--top N] [--format text|json] [--quiet]\n"
    "                [--audit FILE --key PRIVATE_KEY] PATH...\n"
    "\n"
    "Scans PATH... (files, directories, - for stdin) as one lint context, proposes a minimal RFC 6902\n"
    "patch per finding, vets every patch through the nine guard gates (rescan included), scores risk\n"
    "(EPSS/KEV from the feeds, image CVEs from Trivy reports) and ranks the accepted fixes.\n"
    "Writes DIR/{findings,fixes,risk,schedule,summary}.json and prints the findings and a summary\n"
    "(--format json prints summary.json instead). --html FILE also writes the HTML report (as `kfix report`);\n"
    "at least one of --out and --html is required. With --audit, every accepted fix (in schedule order,\n"
    "with its rank and risk) and the run's summary are appended as signed records to the audit log.\n"
    "A progress bar goes to stderr when it is a\n"
    "terminal; --quiet silences it. Exit: 0 done, 1 usage/I/O error or files that could not be loaded.";

/// A one-line progress bar on stderr, redrawn when the stage or percentage changes.
class ProgressBar {
 public:
  void Update(std::string_view stage, std::size_t done, std::size_t total) {
    const int pct = total == 0 ? 100 : static_cast<int>(done * 100 / total);
    if (stage == stage_ && pct == pct_) return;
    stage_ = std::string(stage);
    pct_ = pct;
    constexpr int kWidth = 30;
    const int fill = pct * kWidth / 100;
    std::string bar(static_cast<std::size_t>(fill), '#');
    bar.append(static_cast<std::size_t>(kWidth - fill), '.');
    std::fprintf(stderr, "\r%-5s [%s] %3d%%  %zu/%zu\033[K", stage_.c_str(), bar.c_str(), pct, done, total);
    std::fflush(stderr);
    drawn_ = true;
  }
  void Clear() {
    if (drawn_) std::fprintf(stderr, "\r\033[K");
    drawn_ = false;
  }

 private:
  std::string stage_;
  int pct_ = -1;
  bool drawn_ = false;
};

int RunRun(const std::vector<std::string>& raw) {
  const std::string cmd = "run";
  kfix::cli::Args a(raw,
                    {"out", "config", "profile", "epss", "kev", "images", "exploration", "seed", "now", "jobs", "top",
                     "format", "audit", "key", "html"},
                    {"attack", "quiet", "help"});
  if (!a.ok()) return kfix::cli::UsageError(cmd, a.error() + "\n" + kUsage);
  if (a.Has("help")) {
    std::printf("%s\n", kUsage);
    return kfix::cli::kExitOk;
  }
  if (a.positionals().empty()) return kfix::cli::UsageError(cmd, std::string("no PATH given\n") + kUsage);
  if (a.Get("out").empty() && a.Get("html").empty()) {
    return kfix::cli::UsageError(cmd, std::string("--out DIR or --html FILE is required\n") + kUsage);
  }
  const std::string format = a.Get("format", "text");
  if (format != "text" && format != "json") return kfix::cli::UsageError(cmd, "--format must be text or json");

  kfix::EngineConfig config;
  if (!kfix::cli::LoadConfigFlag(cmd, a, &config)) return kfix::cli::kExitError;
  kfix::CallOptions options;
  long long n = 0;
  if (a.Has("jobs")) {
    if (!kfix::cli::ParseIntFlag(a.Get("jobs"), 1, 256, &n)) {
      return kfix::cli::UsageError(cmd, "--jobs must be an integer in 1..256");
    }
    options.jobs = static_cast<int>(n);
  }
  long long top = 10;
  if (a.Has("top") && !kfix::cli::ParseIntFlag(a.Get("top"), 0, 1000000, &top)) {
    return kfix::cli::UsageError(cmd, "--top must be a non-negative integer");
  }
  if (a.Has("seed")) {
    if (!kfix::cli::ParseIntFlag(a.Get("seed"), 0, (1LL << 62), &n)) {
      return kfix::cli::UsageError(cmd, "--seed must be a non-negative integer");
    }
    config.schedule.seed = static_cast<std::uint64_t>(n);
  }
  if (a.Has("exploration")) {
    auto e = kfix::ParseExploration(a.Get("exploration"));
    if (!e.ok()) return kfix::cli::UsageError(cmd, e.status().message());
    config.schedule.exploration = *e;
  }
  if (a.Has("now")) {
    if (!kfix::cli::ParseNumberFlag(a.Get("now"), &options.now)) {
      return kfix::cli::UsageError(cmd, "--now must be a number of seconds");
    }
  } else {  // The CLI is the adapter that owns the clock.
    options.now = static_cast<double>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  }
  if (a.Has("profile")) {
    auto p = kfix::ParseFixProfile(a.Get("profile"));
    if (!p.ok()) return kfix::cli::UsageError(cmd, p.status().message());
    config.fix.profile = *p;
  }
  // Feed flags replace the configuration's risk feeds.
  if (a.Has("epss")) config.feeds.epss = a.Get("epss");
  if (a.Has("kev")) config.feeds.kev = a.Get("kev");
  if (a.Has("images")) config.feeds.trivy = a.GetAll("images");
  if (a.Has("attack")) config.risk.attack_enabled = true;

  std::unique_ptr<kfix::AuditLog> audit;
  if (!kfix::cli::OpenAuditFlags(cmd, a, &audit)) return kfix::cli::kExitError;
  std::unique_ptr<kfix::Engine> engine;
  if (!kfix::cli::CreateEngine(cmd, std::move(config), &engine)) return kfix::cli::kExitError;

  ProgressBar bar;
  const bool show_progress = !a.Has("quiet") && isatty(STDERR_FILENO) != 0;
  if (show_progress) {
    options.progress = [&bar](std::string_view stage, std::size_t done, std::size_t total) {
      bar.Update(stage, done, total);
    };
  }
  kfix::Result<kfix::PipelineResult> run = engine->Run(a.positionals(), options);
  bar.Clear();
  if (!run.ok()) {
    std::fprintf(stderr, "kfix run: %s\n", run.status().ToString().c_str());
    return kfix::cli::kExitError;
  }
  for (const kfix::Status& m : run->feeds->Malformed()) {
    std::fprintf(stderr, "kfix run: warning: %s\n", m.ToString().c_str());
  }
  for (const kfix::Status& e : run->fix.scan.errors) std::fprintf(stderr, "kfix run: %s\n", e.ToString().c_str());
  for (const kfix::Status& w : run->fix.scan.warnings) {
    std::fprintf(stderr, "kfix run: warning: %s\n", w.ToString().c_str());
  }

  int code = kfix::cli::kExitOk;
  if (!a.Get("out").empty()) {
    if (kfix::Status s = kfix::WritePipelineOutputs(*run, a.Get("out")); !s.ok()) {
      std::fprintf(stderr, "kfix run: %s\n", s.ToString().c_str());
      code = kfix::cli::kExitError;
    }
  }
  if (!a.Get("html").empty()) {
    kfix::ReportOptions report;
    report.objects = &run->fix.manifests;
    if (kfix::Status s = kfix::WriteHtmlReport(kfix::RunDocumentsFromPipeline(*run), report, a.Get("html")); !s.ok()) {
      std::fprintf(stderr, "kfix run: %s\n", s.ToString().c_str());
      code = kfix::cli::kExitError;
    }
  }
  if (audit) {
    // One signed record per accepted fix, in schedule order, then the summary.
    if (kfix::Status s = engine->RecordRun(*audit, *run); !s.ok()) {
      std::fprintf(stderr, "kfix %s: audit: %s\n", cmd.c_str(), s.ToString().c_str());
      code = kfix::cli::kExitError;
    }
  }
  if (format == "json") {
    std::printf("%s\n", kfix::ToJson(kfix::PipelineSummaryToValue(*run), kfix::JsonStyle::kPretty).c_str());
  } else {
    // The findings in kube-linter's text form, without its closing
    // "Error: found N lint errors" line (the table below counts them).
    std::string text = kfix::ScanReportToText(run->fix.scan, /*with_total=*/false);
    text += "\n";
    text += kfix::PipelineSummaryToText(*run, static_cast<std::size_t>(top));
    if (code == kfix::cli::kExitOk && !a.Get("out").empty()) {
      text += "\nwrote " + a.Get("out") + "/{findings,fixes,risk,schedule,summary}.json\n";
    }
    if (code == kfix::cli::kExitOk && !a.Get("html").empty()) text += "wrote " + a.Get("html") + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  if (!run->fix.scan.errors.empty()) code = kfix::cli::kExitError;
  return code;
}

}  // namespace

KFIX_CLI_COMMAND("run", "the whole loop: scan, fix, guard, risk and schedule into --out DIR", kUsage, RunRun);
