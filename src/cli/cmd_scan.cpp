// kfix scan: detect misconfigurations (the kube-linter catalog plus kfix checks).
#include <cstdio>
#include <iostream>

#include "cli/command.hpp"
#include "kfix/engine.hpp"

namespace {

constexpr const char* kUsage =
    "usage: kfix scan [--format text|json|sarif|kube-linter-json] [--config FILE] [--jobs N]\n"
    "                 [--fail-on error|warning|info] [--context all|per-file] [--fail-on-invalid]\n"
    "                 [--include CHECK]... [--exclude CHECK]... [--add-all-built-in]\n"
    "                 [--do-not-auto-add-defaults] [--policy FILE]... [--no-timing] PATH...\n"
    "--policy FILE: Kubernetes ValidatingAdmissionPolicies (with their bindings and parameter objects)\n"
    "      evaluated offline; each failed validation is a finding of the check named after the policy.\n"
    "PATH: files, directories (walked recursively for *.yaml, *.yml, *.json) or - for stdin.\n"
    "Exit: 0 no finding at/above --fail-on (default info), 2 findings, 1 usage/I/O/config error\n"
    "      (parse errors too with --fail-on-invalid).\n";

int RunScan(const std::vector<std::string>& args) {
  using namespace kfix::cli;
  Args a(args, {"format", "config", "jobs", "fail-on", "context", "include", "exclude", "policy"},
         {"fail-on-invalid", "no-timing", "add-all-built-in", "do-not-auto-add-defaults", "help"});
  if (!a.ok()) return UsageError("scan", a.error() + "\n" + kUsage);
  if (a.Has("help")) {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  std::string format = a.Get("format", "text");
  if (format != "text" && format != "json" && format != "sarif" && format != "kube-linter-json") {
    return UsageError("scan", "unknown --format " + format);
  }
  kfix::Severity fail_on = kfix::Severity::kInfo;
  if (a.Has("fail-on")) {
    auto s = kfix::ParseSeverity(a.Get("fail-on"));
    if (!s.ok()) return UsageError("scan", s.status().message());
    fail_on = *s;
  }
  kfix::EngineConfig config;
  if (!LoadConfigFlag("scan", a, &config)) return kExitError;
  if (!ContextFlag("scan", a, &config)) return kExitError;
  if (a.Has("jobs")) {
    long long n = 0;
    if (!ParseIntFlag(a.Get("jobs"), 1, 256, &n)) return UsageError("scan", "--jobs wants a number 1..256");
    config.scan.jobs = static_cast<int>(n);
  }
  if (a.positionals().empty()) return UsageError("scan", std::string("no PATH given\n") + kUsage);
  for (const std::string& c : a.GetAll("include")) config.rules.include.push_back(c);
  for (const std::string& c : a.GetAll("exclude")) config.rules.exclude.push_back(c);
  for (const std::string& p : a.GetAll("policy")) config.rules.policy_files.push_back(p);
  if (a.Has("add-all-built-in")) config.rules.add_all_built_in = true;
  if (a.Has("do-not-auto-add-defaults")) config.rules.do_not_auto_add_defaults = true;
  std::unique_ptr<kfix::Engine> engine;
  if (!CreateEngine("scan", std::move(config), &engine)) return kExitError;
  const kfix::RuleSet& rules = *engine->rules();

  kfix::ScanWriteOptions wo;
  wo.format = format == "json"    ? kfix::ScanFormat::kJson
              : format == "sarif" ? kfix::ScanFormat::kSarif
              : format == "text"  ? kfix::ScanFormat::kText
                                  : kfix::ScanFormat::kKubeLinterJson;
  wo.include_time = !a.Has("no-timing");
  // What a format holds back until the end (docs/performance.md) stays in
  // memory up to this, then goes to a temporary file.
  wo.spool_memory = 1u << 20;
  // One lint context is one part: nothing is held back then.
  wo.single_part = engine->config().scan.context != kfix::LintContext::kPerFile;
  kfix::ScanReportWriter writer(wo, &rules, kfix::cli::WriteStdout);
  // The formats without an errors section name each input error on stderr.
  const bool errors_to_stderr = format != "json" && format != "text";
  bool io_error = false, invalid = false, over = false;
  std::vector<kfix::Status> late_errors;  // the whole report's, printed after it (as before streaming)
  auto note = [&](const kfix::ScanReport& part, bool stream_errors) {
    for (const kfix::Status& e : part.errors) {
      if (e.code() == kfix::StatusCode::kIoError || e.code() == kfix::StatusCode::kNotFound ||
          e.code() == kfix::StatusCode::kPermissionDenied) {
        io_error = true;
      } else {
        invalid = true;
      }
      if (errors_to_stderr && stream_errors) std::fprintf(stderr, "kfix scan: %s\n", e.ToString().c_str());
    }
    for (const kfix::Finding& f : part.findings) {
      if (static_cast<int>(f.severity) <= static_cast<int>(fail_on)) over = true;
    }
  };
  if (engine->config().scan.context == kfix::LintContext::kPerFile) {
    // One file at a time: each file's trees are freed before the next ones
    // are loaded and its part of the report is written as it comes.
    kfix::Result<kfix::ScanStats> totals = engine->ScanPathsPerFile(a.positionals(), [&](kfix::FileScanReport&& f) {
      note(f.report, true);
      return writer.Add(f) ? kfix::Status::Ok() : writer.status();
    });
    if (!totals.ok()) return Fail("scan", totals.status());
    if (!writer.Finish(*totals)) return Fail("scan", writer.status());
  } else {
    kfix::Result<kfix::ScanReport> scanned = engine->ScanPaths(a.positionals());
    if (!scanned.ok()) return Fail("scan", scanned.status());
    kfix::ScanReport report = std::move(*scanned);
    note(report, false);
    if (!writer.Add(report) || !writer.Finish(report.stats)) return Fail("scan", writer.status());
    if (errors_to_stderr) late_errors = std::move(report.errors);
    KeepUntilExit(std::move(report));
  }
  std::fflush(stdout);
  for (const kfix::Status& e : late_errors) std::fprintf(stderr, "kfix scan: %s\n", e.ToString().c_str());
  if (io_error || (invalid && a.Has("fail-on-invalid"))) return kExitError;
  return over ? kExitFindings : kExitOk;
}

}  // namespace

KFIX_CLI_COMMAND("scan", "detect misconfigurations (kube-linter checks + kfix checks)", kUsage, RunScan);
