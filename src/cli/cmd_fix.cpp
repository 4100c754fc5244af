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
    "usage: kfix fix [--format json|text] [--config FILE] [--profile minimal|harden] [--context all|per-file]\n"
    "                [--write DIR | --in-place] [--diff] [--kustomize DIR] [--jobs N]\n"
    "                [--audit FILE --key PRIVATE_KEY] PATH...\n"
    "--context per-file: each file is its own lint context (cross-object checks and the guard's rescans\n"
    "      see that file only) and is loaded, fixed, written back and reported one at a time, so memory\n"
    "      follows the largest file, not the number of files (the same output as all at once).\n";

/// Stderr lines of one written file (notes, refusals, errors); true when it failed.
bool ReportWritten(const kfix::WrittenFile& f) {
  for (const std::string& n : f.notes) std::fprintf(stderr, "kfix fix: note: %s\n", n.c_str());
  for (const kfix::RenderRefusal& r : f.refused) {
    std::fprintf(stderr, "kfix fix: %s document %d%s: not applied (needs review): %s\n", f.input.c_str(), r.document,
                 r.item >= 0 ? (" item " + std::to_string(r.item)).c_str() : "", r.reason.c_str());
  }
  if (!f.status.ok()) std::fprintf(stderr, "kfix fix: %s\n", f.status.ToString().c_str());
  return !f.status.ok();
}

void PrintDiffSummary(const kfix::FixSummary& s) {
  std::fprintf(stderr, "kfix fix: %lld findings, %lld accepted, %lld rejected, %lld needs-review, %lld unfixable\n",
               static_cast<long long>(s.findings), static_cast<long long>(s.accepted),
               static_cast<long long>(s.rejected), static_cast<long long>(s.needs_review),
               static_cast<long long>(s.unfixable));
}

/// Held-back report text kept in memory, then in a temporary file.
constexpr std::size_t kSpool = 256u << 10;

/// `kfix fix --context per-file`: the engine hands over one file at a time
/// (written back already); each part goes to the report, diff, audit log
/// and overlay as it comes (docs/performance.md, "Streaming per file").
int RunFixPerFile(const kfix::Engine& engine, const kfix::cli::Args& a, const std::string& format,
                  const kfix::WriteBackOptions& wb, kfix::CallOptions call, kfix::AuditLog* audit) {
  const std::string cmd = "fix";
  int code = kfix::cli::kExitOk;
  const bool writing = wb.mode != kfix::WriteMode::kNone || wb.diff;
  kfix::FixWriteOptions fo;
  fo.jobs = call.jobs != 0 ? call.jobs : engine.config().scan.jobs;
  fo.spool_memory = kSpool;
  if (writing) fo.extra_arrays = {"writeBack"};
  const bool json = !a.Has("diff") && format == "json";
  std::unique_ptr<kfix::FixReportWriter> report;
  if (json) report = std::make_unique<kfix::FixReportWriter>(fo, kfix::cli::WriteStdout);
  kfix::DiffWriter diff(kfix::cli::WriteStdout, kSpool);
  // Text: the summary table and the errors at the end.
  std::vector<kfix::Status> errors;
  std::size_t objects_patched = 0;
  // Kustomize: the accepted object patches and what names each object, in
  // input order (the overlay is written at the end).
  kfix::FixReport overlay;
  std::vector<std::pair<std::size_t, std::size_t>> overlay_order;  // (input, index into overlay.objects)
  call.keep_sources = false;  // the engine keeps each file's text while it writes it back
  call.keep_trees = false;
  call.keep_patched = false;
  kfix::Result<kfix::FixSummary> summary = engine.FixPathsPerFile(
      a.positionals(), wb,
      [&](kfix::FileFixReport&& part) {
        const kfix::FixReport& r = part.report;
        for (const kfix::Status& e : r.errors) {
          std::fprintf(stderr, "kfix fix: %s\n", e.ToString().c_str());
          code = kfix::cli::kExitError;
        }
        if (audit) {
          if (kfix::Status s = engine.RecordAcceptedFixes(*audit, r); !s.ok()) return s;
        }
        for (const kfix::WrittenFile& f : part.written) {
          if (ReportWritten(f)) code = kfix::cli::kExitError;
        }
        if (wb.diff && !diff.Add(part)) return diff.status();
        if (report) {
          if (!report->Add(part)) return report->status();
          for (const kfix::WrittenFile& f : part.written) {
            kfix::WriteBackResult one;
            one.files.push_back(f);
            const kfix::Value entry = kfix::WriteBackResultToValue(one).Find("files")->as_array().front();
            if (!report->AddExtra("writeBack", part.written_index, entry)) return report->status();
          }
        }
        for (const kfix::ObjectFix& o : r.objects) objects_patched += o.accepted ? 1 : 0;
        errors.insert(errors.end(), r.errors.begin(), r.errors.end());
        if (a.Has("kustomize")) {
          for (std::size_t i = 0; i < r.objects.size(); ++i) {
            kfix::ObjectFix o = r.objects[i];
            if (!o.accepted) continue;
            o.object_index = overlay.manifests.size();
            overlay.manifests.push_back(r.manifests[r.objects[i].object_index]);
            overlay_order.emplace_back(part.object_inputs[i], overlay.objects.size());
            overlay.objects.push_back(std::move(o));
          }
        }
        return kfix::Status::Ok();
      },
      call);
  if (!summary.ok()) {
    std::fflush(stdout);
    return kfix::cli::Fail(cmd, summary.status());
  }
  if (a.Has("kustomize")) {
    std::stable_sort(overlay_order.begin(), overlay_order.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<kfix::ObjectFix> ordered;
    for (const auto& [input, index] : overlay_order) ordered.push_back(std::move(overlay.objects[index]));
    overlay.objects = std::move(ordered);
    if (kfix::Status s = engine.WriteKustomize(overlay, a.positionals(), a.Get("kustomize")); !s.ok()) {
      std::fprintf(stderr, "kfix fix: %s\n", s.ToString().c_str());
      code = kfix::cli::kExitError;
    }
  }
  if (a.Has("diff")) {
    if (!diff.Finish()) return kfix::cli::Fail(cmd, diff.status());
    PrintDiffSummary(*summary);
  } else if (report) {
    if (!report->Finish(*summary)) {
      std::fprintf(stderr, "kfix fix: cannot write the report to stdout\n");
      code = kfix::cli::kExitError;
    }
  } else {
    const std::string t = kfix::FixReportToText(*summary, objects_patched, errors);
    std::fwrite(t.data(), 1, t.size(), stdout);
  }
  std::fflush(stdout);
  return code;
}

int RunFix(const std::vector<std::string>& raw) {
  const std::string cmd = "fix";
  kfix::cli::Args a(raw, {"format", "config", "profile", "write", "jobs", "audit", "key", "kustomize", "context"},
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
  if (!kfix::cli::ContextFlag(cmd, a, &config)) return kfix::cli::kExitError;
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

  if (engine->config().scan.context == kfix::LintContext::kPerFile) {
    return RunFixPerFile(*engine, a, format, wb, call, audit.get());
  }

  // The files' texts are kept for rendering them back (Lists and their
  // other fields stay as written).
  call.keep_sources = a.Has("write") || a.Has("in-place") || a.Has("diff");
  call.keep_patched = false;  // nothing below reads ObjectFix::patched: write-back renders the patches
  // The JSON report: its results are written as each object is settled, not
  // kept (the audit log reads every result, so with --audit they are kept).
  const bool json_report = !a.Has("diff") && format == "json";
  std::unique_ptr<kfix::FixReportWriter> writer;
  if (json_report) {
    kfix::FixWriteOptions fo;
    fo.jobs = call.jobs != 0 ? call.jobs : engine->config().scan.jobs;
    fo.single_part = true;
    fo.spool_memory = kSpool;  // the objects, written while the results still are, wait here
    if (wb.mode != kfix::WriteMode::kNone || wb.diff) fo.extra_arrays = {"writeBack"};
    writer = std::make_unique<kfix::FixReportWriter>(fo, kfix::cli::WriteStdout);
    // The merged object fixes too, unless writing files back or a kustomize
    // overlay reads them: then both are rendered on the worker threads.
    if (!audit && wb.mode == kfix::WriteMode::kNone && !wb.diff && !a.Has("kustomize")) {
      call.writer = writer.get();
    } else if (!audit) {
      call.on_results = [w = writer.get()](std::vector<kfix::FixResult>&& results) { w->AddResults(results); };
    }
  }
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
        if (ReportWritten(f)) code = kfix::cli::kExitError;
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
    PrintDiffSummary(report.summary);
  } else if (json_report) {
    // The one report document (its results already written when streamed),
    // with write-back its writeBack member too.
    bool ok = writer->Add(report);
    if (write_back.is_array()) {
      for (const kfix::Value& e : write_back.as_array()) ok = ok && writer->AddExtra("writeBack", 0, e);
    }
    if (!ok || !writer->Finish(report.summary)) {
      std::fprintf(stderr, "kfix fix: cannot write the report to stdout\n");
      code = kfix::cli::kExitError;
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
