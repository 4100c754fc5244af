// kfix report: the HTML report of a run directory. A surface only: the work
// is kfix::LoadRunDirectory and kfix::WriteHtmlReport (kfix/report.hpp).
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "kfix/report.hpp"

namespace {

constexpr const char* kUsage =
    "usage: kfix report --html OUT.html [--title TEXT] [--no-diffs] RUN_DIR\n"
    "\n"
    "Writes one self-contained HTML file (inline CSS, SVG and script; nothing fetched from the network)\n"
    "from the documents `kfix run --out RUN_DIR` wrote: summary counts, findings by check and severity,\n"
    "fix status by check with the refusing gate, the risk distribution and KEV share, the schedule vs\n"
    "FIFO curve, and a sortable, filterable findings table where each patch is shown as a diff of the\n"
    "object (read from the manifests named in fixes.json; --no-diffs shows the patch ops only).\n"
    "Exit: 0 written, 1 usage, unreadable run directory or write error.";

int RunReport(const std::vector<std::string>& raw) {
  const std::string cmd = "report";
  kfix::cli::Args a(raw, {"html", "title"}, {"no-diffs", "help"});
  if (!a.ok()) return kfix::cli::UsageError(cmd, a.error() + "\n" + kUsage);
  if (a.Has("help")) {
    std::printf("%s\n", kUsage);
    return kfix::cli::kExitOk;
  }
  if (a.positionals().size() != 1) return kfix::cli::UsageError(cmd, std::string("give one RUN_DIR\n") + kUsage);
  if (a.Get("html").empty()) return kfix::cli::UsageError(cmd, std::string("--html OUT.html is required\n") + kUsage);
  kfix::Result<kfix::RunDocuments> run = kfix::LoadRunDirectory(a.positionals()[0]);
  if (!run.ok()) {
    std::fprintf(stderr, "kfix report: %s\n", run.status().ToString().c_str());
    return kfix::cli::kExitError;
  }
  kfix::ReportOptions options;
  if (a.Has("title")) options.title = a.Get("title");
  options.diffs = !a.Has("no-diffs");
  if (kfix::Status s = kfix::WriteHtmlReport(*run, options, a.Get("html")); !s.ok()) {
    std::fprintf(stderr, "kfix report: %s\n", s.ToString().c_str());
    return kfix::cli::kExitError;
  }
  std::printf("wrote %s\n", a.Get("html").c_str());
  return kfix::cli::kExitOk;
}

}  // namespace

KFIX_CLI_COMMAND("report", "write the HTML report of a `kfix run --out` directory", kUsage, RunReport);
