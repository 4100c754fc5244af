// kfix fix: scan, propose minimal patches, vet them through every gate, and
// report (JSON or text), optionally writing patched manifests or a diff.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "kfix/engine.hpp"

namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: kfix fix [--format json|text] [--config FILE] [--profile minimal|harden] "
    "[--write DIR | --in-place] [--diff] [--kustomize DIR] [--jobs N] [--audit FILE --key PRIVATE_KEY] PATH...";

int RunFix(const std::vector<std::string>& raw) {
  const std::string cmd = "fix";
  kfix::cli::Args a(raw, {"format", "config", "profile", "write", "jobs", "audit", "key", "kustomize"},
                    {"diff", "in-place"});
  if (!a.ok()) return kfix::cli::UsageError(cmd, a.error() + "\n" + kUsage);
  if (a.positionals().empty()) return kfix::cli::UsageError(cmd, std::string("no PATH given\n") + kUsage);
  std::string format = a.Get("format", "json");
  if (format != "json" && format != "text") return kfix::cli::UsageError(cmd, "--format must be json or text");
  kfix::CallOptions call;
  if (a.Has("jobs")) {
    long long n = 0;
    if (!kfix::cli::ParseIntFlag(a.Get("jobs"), 1, 256, &n)) {
      return kfix::cli::UsageError(cmd, "--jobs must be an integer in 1..256");
    }
    call.jobs = static_cast<int>(n);
  }
  kfix::EngineConfig config;
  if (!kfix::cli::LoadConfigFlag(cmd, a, &config)) return kfix::cli::kExitError;
  if (a.Has("profile")) {
    auto p = kfix::ParseFixProfile(a.Get("profile"));
    if (!p.ok()) return kfix::cli::UsageError(cmd, p.status().message());
    config.fix.profile = *p;
  }
  std::unique_ptr<kfix::Engine> engine;
  if (!kfix::cli::CreateEngine(cmd, std::move(config), &engine)) return kfix::cli::kExitError;
  int code = kfix::cli::kExitOk;

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
  wb.jobs = call.jobs != 0 ? call.jobs : engine->config().scan.jobs;
  if (kfix::Status s = kfix::CheckWriteBack(a.positionals(), wb); !s.ok()) return kfix::cli::UsageError(cmd, s.ToString());
  if (a.Has("kustomize")) {
    kfix::WriteBackOptions k;
    k.mode = kfix::WriteMode::kDirectory;
    k.directory = a.Get("kustomize");
    if (kfix::Status s = kfix::CheckWriteBack(a.positionals(), k); !s.ok()) return kfix::cli::UsageError(cmd, s.ToString());
  }

  // The files' texts are kept for rendering them back (Lists and their
  // other fields stay as written).
  call.keep_sources = a.Has("write") || a.Has("in-place") || a.Has("diff");
  call.keep_patched = false;  // nothing below reads ObjectFix::patched: write-back renders the patches
  kfix::Result<kfix::FixReport> fixed = engine->FixPaths(a.positionals(), call);
  if (!fixed.ok()) return kfix::cli::Fail(cmd, fixed.status());
  const kfix::FixReport& report = *fixed;

  if (audit) {
    // One signed record per accepted patch.
    if (kfix::Status s = engine->RecordAcceptedFixes(*audit, report); !s.ok()) {
      std::fprintf(stderr, "kfix %s: audit: %s\n", cmd.c_str(), s.ToString().c_str());
      code = kfix::cli::kExitError;
    }
  }

  for (const kfix::Status& e : report.errors) std::fprintf(stderr, "kfix fix: %s\n", e.ToString().c_str());

  kfix::Value write_back;  // the report's "writeBack" member (null: nothing rendered)
  if (wb.mode != kfix::WriteMode::kNone || wb.diff) {
    auto written = engine->WriteBack(report, a.positionals(), wb);
    if (written.ok()) write_back = std::move(*kfix::WriteBackResultToValue(*written).Find("files"));
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
    if (kfix::Status s = engine->WriteKustomize(report, a.positionals(), a.Get("kustomize")); !s.ok()) {
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
    if (write_back.is_null()) {
      const int jobs = call.jobs != 0 ? call.jobs : engine->config().scan.jobs;
      if (!kfix::WriteFixReportJson(report, true, jobs, [](std::string_view piece) {
            return std::fwrite(piece.data(), 1, piece.size(), stdout) == piece.size();
          })) {
        std::fprintf(stderr, "kfix fix: cannot write the report to stdout\n");
        code = kfix::cli::kExitError;
      }
    } else {
      // With write-back (files on disk, so the report is small beside them):
      // the one report document plus its writeBack member.
      kfix::Value v = kfix::FixReportToValue(report);
      v.Set("writeBack", std::move(write_back));
      const std::string j = kfix::ToJson(v, kfix::JsonStyle::kPretty) + "\n";
      if (std::fwrite(j.data(), 1, j.size(), stdout) != j.size()) {
        std::fprintf(stderr, "kfix fix: cannot write the report to stdout\n");
        code = kfix::cli::kExitError;
      }
    }
  } else {
    std::string t = kfix::FixReportToText(report);
    std::fwrite(t.data(), 1, t.size(), stdout);
  }
  if (!report.errors.empty()) code = kfix::cli::kExitError;
  kfix::cli::KeepUntilExit(std::move(fixed));  // the objects and results go with the process
  return code;
}

}  // namespace

KFIX_CLI_COMMAND("fix", "propose, vet and apply minimal fixes for findings", kUsage, RunFix);
