// kfix fix: scan, propose minimal patches, vet them through every gate, and
// report (JSON or text), optionally writing patched manifests or a diff.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "kfix/audit.hpp"
#include "kfix/guard.hpp"
#include "kfix/pipeline.hpp"
#include "kfix/remediate.hpp"
#include "kfix/rules.hpp"

namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: kfix fix [--format json|text] [--config FILE] [--profile minimal|harden] "
    "[--write DIR | --in-place] [--diff] [--kustomize DIR] [--jobs N] [--audit FILE --key PRIVATE_KEY] PATH...";

/// Loads the rules and fix configuration from one file (or the defaults).
bool LoadConfigs(const std::string& cmd, const std::string& path, kfix::RulesConfig& rules_config,
                 kfix::FixConfig& fix_config, int& exit_code) {
  auto rc = kfix::LoadRulesConfig(path);
  if (!rc.ok()) {
    exit_code = kfix::cli::UsageError(cmd, rc.status().ToString());
    return false;
  }
  rules_config = std::move(*rc);
  if (!path.empty()) {
    auto text = kfix::ReadFileToString(path);
    if (!text.ok()) {
      exit_code = kfix::cli::UsageError(cmd, text.status().ToString());
      return false;
    }
    auto fc = kfix::ParseFixConfig(*text, path);
    if (!fc.ok()) {
      exit_code = kfix::cli::UsageError(cmd, fc.status().ToString());
      return false;
    }
    fix_config = std::move(*fc);
  }
  return true;
}

int RunFix(const std::vector<std::string>& raw) {
  const std::string cmd = "fix";
  kfix::cli::Args a(raw, {"format", "config", "profile", "write", "jobs", "audit", "key", "kustomize"},
                    {"diff", "in-place"});
  if (!a.ok()) return kfix::cli::UsageError(cmd, a.error() + "\n" + kUsage);
  if (a.positionals().empty()) return kfix::cli::UsageError(cmd, std::string("no PATH given\n") + kUsage);
  std::string format = a.Get("format", "json");
  if (format != "json" && format != "text") return kfix::cli::UsageError(cmd, "--format must be json or text");
  int jobs = 1;
  if (a.Has("jobs")) {
    try {
      jobs = std::stoi(a.Get("jobs"));
    } catch (...) {
      jobs = 0;
    }
    if (jobs < 1 || jobs > 256) return kfix::cli::UsageError(cmd, "--jobs must be an integer in 1..256");
  }
  kfix::RulesConfig rules_config;
  kfix::FixConfig fix_config;
  int code = kfix::cli::kExitOk;
  if (!LoadConfigs(cmd, a.Get("config"), rules_config, fix_config, code)) return code;
  if (a.Has("profile")) {
    auto p = kfix::ParseFixProfile(a.Get("profile"));
    if (!p.ok()) return kfix::cli::UsageError(cmd, p.status().message());
    fix_config.profile = *p;
  }
  auto rules = kfix::RuleSet::Create(rules_config);
  if (!rules.ok()) return kfix::cli::UsageError(cmd, rules.status().ToString());

  // The audit log (opened before any work so a bad key fails fast).
  std::unique_ptr<kfix::AuditLog> audit;
  if (!kfix::cli::OpenAuditFlags(cmd, a, &audit)) return kfix::cli::kExitError;

  // Refuse impossible writes before doing any work.
  kfix::WriteBackOptions wb;
  if (a.Has("write") && a.Has("in-place")) return kfix::cli::UsageError(cmd, "--write and --in-place exclude each other");
  if (a.Has("write")) {
    wb.mode = kfix::WriteMode::kDirectory;
    wb.directory = a.Get("write");
  } else if (a.Has("in-place")) {
    wb.mode = kfix::WriteMode::kInPlace;
  }
  wb.diff = a.Has("diff");
  if (kfix::Status s = kfix::CheckWriteBack(a.positionals(), wb); !s.ok()) return kfix::cli::UsageError(cmd, s.ToString());
  if (a.Has("kustomize")) {
    kfix::WriteBackOptions k;
    k.mode = kfix::WriteMode::kDirectory;
    k.directory = a.Get("kustomize");
    if (kfix::Status s = kfix::CheckWriteBack(a.positionals(), k); !s.ok()) return kfix::cli::UsageError(cmd, s.ToString());
  }

  kfix::FixOptions options;
  options.jobs = jobs;
  kfix::FixReport report = kfix::FixPaths(a.positionals(), *rules, fix_config, options);

  if (audit) {
    // One signed record per accepted patch.
    kfix::Value fix_report = kfix::FixReportToValue(report);
    const kfix::Value* results = fix_report.Find("results");
    for (std::size_t i = 0; results && i < report.results.size(); ++i) {
      if (report.results[i].status != kfix::FixStatus::kAccepted) continue;
      kfix::Value record = results->as_array()[i];
      record.Set("profile", kfix::FixProfileName(fix_config.profile));
      if (!kfix::cli::AuditRecord(cmd, audit.get(), "kfix.fix.accepted", record)) {
        code = kfix::cli::kExitError;
        break;
      }
    }
  }

  for (const kfix::Status& e : report.errors) std::fprintf(stderr, "kfix fix: %s\n", e.ToString().c_str());

  if (wb.mode != kfix::WriteMode::kNone || wb.diff) {
    auto written = kfix::WriteBack(report, a.positionals(), wb);
    if (!written.ok()) {
      std::fprintf(stderr, "kfix fix: %s\n", written.status().ToString().c_str());
      code = kfix::cli::kExitError;
    } else {
      std::fwrite(written->diff.data(), 1, written->diff.size(), stdout);
      for (const kfix::WrittenFile& f : written->files) {
        for (const std::string& n : f.notes) std::fprintf(stderr, "kfix fix: note: %s\n", n.c_str());
        for (const kfix::RenderRefusal& r : f.refused) {
          std::fprintf(stderr, "kfix fix: %s document %d%s: not applied (needs review): %s\n", f.input.c_str(),
                       r.document, r.item >= 0 ? (" item " + std::to_string(r.item)).c_str() : "", r.reason.c_str());
        }
        if (!f.status.ok()) {
          std::fprintf(stderr, "kfix fix: %s\n", f.status.ToString().c_str());
          code = kfix::cli::kExitError;
        }
      }
    }
  }
  if (a.Has("kustomize")) {
    if (kfix::Status s = kfix::WriteKustomizeOverlay(report, a.positionals(), a.Get("kustomize")); !s.ok()) {
      std::fprintf(stderr, "kfix fix: %s\n", s.ToString().c_str());
      code = kfix::cli::kExitError;
    }
  }
  if (a.Has("diff")) {
    const kfix::FixSummary& s = report.summary;
    std::fprintf(stderr, "kfix fix: %lld findings, %lld accepted, %lld rejected, %lld needs-review, %lld unfixable\n",
                 static_cast<long long>(s.findings), static_cast<long long>(s.accepted),
                 static_cast<long long>(s.rejected), static_cast<long long>(s.needs_review),
                 static_cast<long long>(s.unfixable));
  } else if (format == "json") {
    std::string j = kfix::FixReportToJson(report, true);
    std::fwrite(j.data(), 1, j.size(), stdout);
  } else {
    std::string t = kfix::FixReportToText(report);
    std::fwrite(t.data(), 1, t.size(), stdout);
  }
  if (!report.errors.empty()) code = kfix::cli::kExitError;
  return code;
}

}  // namespace

KFIX_CLI_COMMAND("fix", "propose, vet and apply minimal fixes for findings", kUsage, RunFix);
