// kfix/pipeline.hpp - the fix pipeline behind `kfix fix` (FixObjects,
// FixPaths: scan, propose, vet every patch through the guard's gates, merge
// per object) and the whole loop in one call, as `kfix run` does it:
//
//   load → scan → fix → guard (nine gates, rescan) → risk → schedule
//
// RunPipeline() loads every file of `paths` (ExpandPaths semantics) as one
// lint context, scans it, proposes and vets a minimal patch per finding
// (FixObjects below), scores every finding's risk (kfix/risk.hpp,
// with the EPSS/KEV/Trivy feeds named in the options) and ranks the accepted
// fixes with the scheduler (kfix/schedule.hpp, priors only: nothing has been
// learned yet in a fresh run). WritePipelineOutputs() writes the five
// documents of `kfix run --out DIR`:
//
//   findings.json  the scan report (rules' JSON report, no timings)
//   fixes.json     the fix report, each result carrying its `risk` object, so
//                  `kfix queue enqueue --results fixes.json` queues the
//                  accepted fixes with their real risk
//   risk.json      every finding's risk with its term breakdown, plus the
//                  feeds that were used
//   schedule.json  the accepted fixes, best first, with score components
//   summary.json   integer counts (findings, accepted, rejected, needs_review,
//                  unfixable, ...) and breakdowns by check, severity and risk
//                  band; `timing_seconds` is the only non-deterministic part
//
// Determinism: for the same inputs, configuration and `now`, every document
// except summary.json's `timing_seconds` is byte-identical for any `jobs`.
// Schemas: docs/json-schema/pipeline-*.schema.json; prose: docs/pipeline.md.
//
// Errors: a PATH that does not exist, or a feed file that cannot be read or
// parsed, fails the whole call (nothing is half-done). Files that fail to
// load are not fatal: they are listed in findings.json `errors` and counted
// in summary.json `errors`, and the rest of the run goes on.
//
// Thread safety: RunPipeline is reentrant; `options.progress` calls are
// serialised but may come from worker threads.
//
// Example:
//   auto rules = kfix::RuleSet::Create(kfix::RulesConfig{});
//   kfix::PipelineOptions options;
//   options.now = 1.7e9;  // the caller's clock (seconds)
//   kfix::Result<kfix::PipelineResult> run = kfix::RunPipeline({"deploy/"}, *rules, options);
//   if (!run.ok()) return run.status();
//   kfix::Status written = kfix::WritePipelineOutputs(*run, "out/");
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/guard.hpp"
#include "kfix/propose.hpp"
#include "kfix/remediate.hpp"
#include "kfix/risk.hpp"
#include "kfix/rules.hpp"
#include "kfix/schedule.hpp"
#include "kfix/status.hpp"

namespace kfix {

// ---------------------------------------------------------------------------
// The fix pipeline (`kfix fix`)
// ---------------------------------------------------------------------------

enum class FixStatus { kAccepted, kRejected, kNeedsReview, kUnfixable };
/// "accepted", "rejected", "needs-review", "unfixable".
const char* FixStatusName(FixStatus s) noexcept;

/// One finding's fix.
struct FixResult {
  Finding finding;
  FixStatus status = FixStatus::kUnfixable;
  std::string reason;
  Patch patch;                   ///< relative to the object; a suggestion for needs-review
  std::vector<OpRole> roles;     ///< parallel to patch
  std::vector<GateResult> gates; ///< empty unless the patch was vetted
  /// Propose runs (Engine::Propose, `kfix propose`): "llm" when the patch
  /// (or the final refusal) is the model's, "rules" when it is kfix's
  /// generator's; "" for `kfix fix` (the report then has no proposer keys).
  std::string proposer;
  /// Propose runs: every vetted proposal for this finding, in order (model
  /// answers first, then the rules fallback). Its size is `attempts` in JSON.
  std::vector<ProposeAttempt> attempts;
};

/// The merged patch of one object (all accepted fixes together).
struct ObjectFix {
  std::size_t object_index = 0;
  Patch patch;
  bool accepted = false;          ///< the merged patch passed every gate again
  std::string reason;
  std::vector<GateResult> gates;
  Value patched;                  ///< the fully patched object when the patch applied (FixOptions::keep_patched)
};

/// One proposer's share of a propose run. Counts over findings, unless named
/// attempts; latency and tokens over its attempts.
struct ProposerSummary {
  std::int64_t findings = 0;   ///< findings it proposed at least one patch for
  std::int64_t accepted = 0;   ///< findings settled with its accepted patch
  std::int64_t rejected = 0;   ///< findings whose final (refused) proposal was its
  std::int64_t fallbacks = 0;  ///< llm: findings handed to the rules after the model
  std::int64_t attempts = 0, refused = 0, errors = 0;  ///< attempts: all, refused by a gate, no answer
  std::map<std::string, std::int64_t> refused_by_gate;  ///< gate -> refused attempts
  double median_ops = 0.0;     ///< over its accepted per-finding patches
  std::int64_t requests = 0, prompt_tokens = 0, completion_tokens = 0;
  double latency_ms_median = 0.0, latency_ms_p95 = 0.0, latency_ms_total = 0.0;
};

struct FixSummary {
  std::int64_t findings = 0, accepted = 0, rejected = 0, needs_review = 0, unfixable = 0;
  double median_ops = 0.0;        ///< over accepted per-finding patches
  std::int64_t max_ops = 0;
  /// Per check: {findings, accepted, rejected, needs_review, unfixable}.
  std::map<std::string, std::map<std::string, std::int64_t>> by_check;
  /// Propose runs: "rules" or "openai" ("" for `kfix fix`) and the model.
  std::string mode;
  std::string model;
  /// Propose runs: metrics per proposer ("llm", "rules"), the comparison
  /// table of docs/propose.md.
  std::map<std::string, ProposerSummary> by_proposer;
};

struct FixReport {
  std::vector<FixResult> results;   ///< one per finding, in finding order (scan.findings order)
  std::vector<ObjectFix> objects;   ///< one per object with at least one accepted fix
  std::vector<Manifest> manifests;  ///< the input objects (for writing)
  std::vector<Status> errors;       ///< load errors
  FixSummary summary;
  ScanReport scan;                  ///< the baseline scan the fixes answer (findings, ignored, warnings, stats)
  double seconds = 0.0;
  /// file -> the file's text as loaded, when the caller kept it (Engine with
  /// CallOptions::keep_sources); used to render fixed files back.
  std::map<std::string, std::string> sources;
};

class FixReportWriter;

struct FixOptions {
  int jobs = 1;  ///< threads for loading and fixing (<= 0: one per hardware thread); results are identical for any value
  /// Called after each object with findings is settled: (objects done, objects
  /// to do). Calls are serialised (never concurrent) but may come from worker
  /// threads; keep it cheap. Empty: no calls.
  std::function<void(std::size_t done, std::size_t total)> progress;
  /// Propose runs: tag every result with its proposer and attempts, and with
  /// a model set, ask it first for every finding (ProposeConfig: attempts,
  /// rules fallback). Null model: the rules proposer (as `kfix fix`).
  bool record_proposer = false;
  std::shared_ptr<const ModelProposer> model;
  /// Fill ObjectFix::patched (a copy of every fixed object). False leaves it
  /// null and saves that memory: write-back, kustomize overlays and the JSON
  /// report work from the patches (the kfix tool does not keep them).
  bool keep_patched = true;
  /// Streams the per-finding results instead of keeping them: each result
  /// is handed over once its object is settled, in finding order (batches of
  /// consecutive findings; calls never overlap but may come from worker
  /// threads), and FixReport::results and FixReport::scan.findings (each
  /// result carries its finding) come back empty while the summary and
  /// scan.stats still count every one. Memory then holds the results not yet handed
  /// over (with one thread, only the current object's), not all of them.
  std::function<void(std::vector<FixResult>&& results)> on_results;
  /// Streams the merged per-object fixes (the elements of FixReport::objects)
  /// instead of keeping them: each is handed over once it and every object
  /// before it are settled, in the order FixReport::objects has, with the
  /// run's objects (`manifests`, which ObjectFix::object_index indexes; valid
  /// during the call). Calls never overlap each other or on_results' calls
  /// but may come from worker threads; FixReport::objects comes back empty.
  /// Not used by propose runs (record_proposer).
  std::function<void(std::vector<ObjectFix>&& objects, const std::vector<Manifest>& manifests)> on_objects;
  /// Streams the results and the merged per-object fixes straight into this
  /// writer (AddResults / AddObjects order and bytes) instead of keeping them:
  /// each object's results and fix are rendered on the worker thread that
  /// settled it, while they are still in that thread's cache, and appended
  /// in order (FixReportWriter::AddRenderedResults / AddRenderedObjects).
  /// FixReport::results, ::objects and ::scan.findings come back empty; the
  /// summary still counts every result. It takes the place of on_results and
  /// on_objects: setting it with either is an error (kInvalidArgument in
  /// FixReport::errors, nothing fixed). The writer must outlive the call and
  /// is used by no one else during it. Not used by propose runs.
  FixReportWriter* writer = nullptr;
};

/// Scans one lint context, proposes and vets a fix per finding, merges the
/// accepted fixes per object and vets the merged patch again.
FixReport FixObjects(std::vector<Manifest> objects, std::shared_ptr<const RuleSet> rules,
                     const FixConfig& config, const FixOptions& options = {});
/// Fixes loaded objects (one lint context) and makes the load's errors and
/// warnings the report's (`errors`, `scan.errors`, `scan.warnings`, before
/// any of the scan's own); `files` is the number of files read (< 0: the
/// distinct files of the objects, as FixObjects counts them). The one place
/// a load is joined to a fix: FixPaths, RunPipeline and the Engine use it.
FixReport FixLoaded(LoadResult loaded, std::int64_t files, std::shared_ptr<const RuleSet> rules,
                    const FixConfig& config, const FixOptions& options = {});
/// Loads paths (files, directories, "-") as one lint context and fixes them.
FixReport FixPaths(const std::vector<std::string>& paths, std::shared_ptr<const RuleSet> rules,
                   const FixConfig& config, const FixOptions& options = {});

/// JSON report (docs/json-schema/fix-report.schema.json).
Value FixReportToValue(const FixReport& report);
/// One entry of the report's "results" (the finding, status, patch, gates).
Value FixResultToValue(const FixResult& result);
std::string FixReportToJson(const FixReport& report, bool pretty = true);
/// Same bytes, the results written on `jobs` threads (<= 0: one per hardware thread).
std::string FixReportToJson(const FixReport& report, bool pretty, int jobs);
/// The same bytes handed to `sink` piece by piece as they are made (about a
/// megabyte at a time), so the text is never held whole. Stops at the first
/// piece `sink` refuses (returns false) and then returns false.
bool WriteFixReportJson(const FixReport& report, bool pretty, int jobs,
                        const std::function<bool(std::string_view piece)>& sink);
/// Human summary table.
std::string FixReportToText(const FixReport& report);
/// The same table from a summary, the number of objects whose merged patch
/// passed, and the errors.
std::string FixReportToText(const FixSummary& summary, std::size_t objects_patched, const std::vector<Status>& errors);
/// A unified line diff (LCS) of two texts with `context` lines around changes.
std::string UnifiedDiff(std::string_view before, std::string_view after, std::string_view before_name,
                        std::string_view after_name, int context = 3);

// ---------------------------------------------------------------------------
// Write-back (`kfix fix --write DIR | --in-place | --diff | --kustomize DIR`)
// docs/write-back.md
// ---------------------------------------------------------------------------

/// Where write-back puts the fixed files.
enum class WriteMode {
  kNone,       ///< write nothing (a diff may still be produced)
  kDirectory,  ///< mirror the inputs under `directory` (unfixed files copied byte-identical)
  kInPlace,    ///< replace each fixed input atomically (unfixed inputs are not touched)
};

struct WriteBackOptions {
  WriteMode mode = WriteMode::kNone;
  std::string directory;  ///< kDirectory: the output directory
  bool diff = false;      ///< build a unified diff (a/ and b/ prefixes) against the original bytes
  ParseOptions parse;     ///< the options the inputs were loaded with
  /// Threads that read, render and diff the files (<= 0: one per hardware
  /// thread); files are written in input order, the same bytes for any value.
  int jobs = 1;
};

/// One input file's outcome.
struct WrittenFile {
  std::string input;   ///< the input path (ExpandPaths form)
  std::string output;  ///< where it was written; "" when not written
  bool fixed = false;  ///< at least one accepted object patch changed its bytes
  Status status;       ///< why it was not rendered or written (then nothing was written for it)
  std::vector<std::string> notes;      ///< places re-emitted instead of edited in place
  std::vector<RenderRefusal> refused;  ///< objects left unchanged (needs review)
  std::string text;    ///< the rendered bytes (RenderFixedFiles)
};

struct WriteBackResult {
  std::vector<WrittenFile> files;  ///< every input file, in ExpandPaths order
  std::string diff;                ///< the unified diff of all fixed files (when asked)
  /// Files, output paths and errors; ok() when every file went through.
  bool ok() const noexcept;
};

/// One lint context of a per-file fix run (Engine::FixPathsPerFile), handed
/// over once it is settled (and, when asked, written back).
struct FileFixReport {
  static constexpr std::size_t kNoInput = static_cast<std::size_t>(-1);
  std::string file;
  /// This context's results (finding order), objects, errors, summary and
  /// baseline scan. Unless the run keeps the trees, each manifest's tree is
  /// cut down to what names the object (apiVersion, kind, metadata.name and
  /// namespace, its position): enough for the JSON report, audit records
  /// and kustomize targets, not for rendering.
  FixReport report;
  /// The input (position in ExpandPaths order) of each report.errors entry
  /// (kNoInput: not a load error) and of each report.objects entry. The
  /// whole report lists objects and load errors in input order; the writer
  /// restores it. Empty: the report's own order.
  std::vector<std::size_t> error_inputs, object_inputs;
  /// Write-back of this file when the run was asked for it: its entry (as
  /// in WriteBackResult::files), its place in that list, and its part of
  /// the diff.
  std::vector<WrittenFile> written;
  std::size_t written_index = 0;
  std::string diff;
};

/// How FixReportWriter writes.
struct FixWriteOptions {
  bool pretty = true;
  /// Threads that build the results' JSON (<= 0: one per hardware thread);
  /// the bytes are the same for any value.
  int jobs = 1;
  /// Array members after "summary" that the caller fills with AddExtra()
  /// (the kfix tool's "writeBack").
  std::vector<std::string> extra_arrays;
  /// Bytes each held-back section keeps in memory before it moves to an
  /// unnamed temporary file. 0 = no limit.
  std::size_t spool_memory = 0;
  /// The writer gets exactly one Add(): the whole report. Nothing is held
  /// back then: its objects and errors are written as they are built, right
  /// after its results (the same bytes, without a copy of those sections in
  /// memory). A second Add() fails.
  bool single_part = false;
};

/// Writes the fix report document part by part: Add() each lint context's
/// report in report order, then Finish(). The one serialiser of the JSON fix
/// report: FixReportToJson / WriteFixReportJson hand it the whole report as
/// one part, `kfix fix --context per-file` one file at a time, with the same
/// bytes. Results are written as they come; objects and errors (which
/// follow them in the document) are held back, in memory up to
/// `spool_memory` and then in a temporary file, and written by Finish() in
/// input order with the summary. The document ends with a newline.
class FixReportWriter {
 public:
  FixReportWriter(const FixWriteOptions& options, std::function<bool(std::string_view)> sink);
  ~FixReportWriter();
  FixReportWriter(const FixReportWriter&) = delete;
  FixReportWriter& operator=(const FixReportWriter&) = delete;
  bool Add(const FixReport& part, const std::vector<std::size_t>& error_inputs = {},
           const std::vector<std::size_t>& object_inputs = {});
  /// Results written ahead of the next part's own (FixOptions::on_results
  /// hands them over this way); the part then comes without them.
  bool AddResults(const std::vector<FixResult>& results);
  /// Objects written ahead of the next part's own, like AddResults
  /// (FixOptions::on_objects hands them over this way, with the manifests
  /// their object_index points into); they are held back until the results
  /// are complete, and the part then comes without them.
  bool AddObjects(const std::vector<ObjectFix>& objects, const std::vector<Manifest>& manifests);
  /// The two halves of AddResults / AddObjects, for callers that build the
  /// elements on several threads and append them in order (FixOptions::writer):
  /// Render*() appends the text of the elements [first, first + n) to `to`,
  /// and AddRendered*() writes such text. Texts added in element order write
  /// the same bytes as AddResults / AddObjects of those elements; text that
  /// does not start as Render*() starts it fails with kInvalidArgument.
  /// Render*() only reads the writer's fixed settings: any number of threads
  /// may call it at once, also while one thread calls the other methods.
  void RenderResults(const FixResult* first, std::size_t n, std::string& to) const;
  void RenderObjects(const ObjectFix* first, std::size_t n, const std::vector<Manifest>& manifests,
                     std::string& to) const;
  bool AddRenderedResults(std::string_view text);
  bool AddRenderedObjects(std::string_view text);
  bool Add(const FileFixReport& part) { return Add(part.report, part.error_inputs, part.object_inputs); }
  /// One element of an extra array, written in key order.
  bool AddExtra(std::string_view member, std::uint64_t key, const Value& element);
  /// Writes the rest with the run's summary. Call once.
  bool Finish(const FixSummary& summary);
  Status status() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};


/// Writes the unified diff of a per-file write-back (FileFixReport::diff)
/// in input order (FileFixReport::written_index), whatever order the parts
/// come in: the same bytes as WriteBackResult::diff. The diffs are held (in
/// memory up to `spool_memory` bytes, 0 = no limit, then in an unnamed
/// temporary file) and written by Finish().
class DiffWriter {
 public:
  DiffWriter(std::function<bool(std::string_view)> sink, std::size_t spool_memory = 0);
  ~DiffWriter();
  DiffWriter(const DiffWriter&) = delete;
  DiffWriter& operator=(const DiffWriter&) = delete;
  bool Add(const FileFixReport& part);
  bool Finish();
  Status status() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Checks, before any work, that write-back can go through: no input is
/// "-" (stdin has no bytes to edit), no two inputs map to the same output
/// (`a/web.yaml b/web.yaml` with --write), no output is an input.
/// Errors: kInvalidArgument naming the paths.
Status CheckWriteBack(const std::vector<std::string>& paths, const WriteBackOptions& options);

/// Renders every input file with its accepted object patches as text edits on
/// its original bytes (RenderPatches) and writes it as `options` says, each
/// write through WriteFileSafely (no symlinks, inputs protected, temp +
/// fsync + rename, modes kept). Files with load errors are not written.
/// Returns CheckWriteBack()'s error or a result with one entry per file.
Result<WriteBackResult> WriteBack(const FixReport& report, const std::vector<std::string>& paths,
                                  const WriteBackOptions& options);

/// The files of `report` that have accepted object patches, rendered as
/// WriteBack renders them but written nowhere: one entry per file, sorted by
/// name, `text` the new bytes (`fixed` false when the patches left them
/// unchanged) or `status` saying why the file could not be rendered. The
/// original bytes are FixReport::sources when kept, else the file as it is
/// now. Never kInvalidArgument for stdin when its text was kept.
Result<std::vector<WrittenFile>> RenderFixedFiles(const FixReport& report, const ParseOptions& parse);

/// Writes a kustomize overlay to `directory`: kustomization.yaml listing the
/// inputs as `resources` (relative paths) and, per object with an accepted
/// patch, a `patches` entry with its target (group, version, kind, name,
/// namespace) and a JSON 6902 patch file `patches/NNN-<kind>-<name>.json`.
/// `kubectl kustomize DIR` then renders the fixed objects. Errors:
/// kInvalidArgument (stdin input, an object without kind or name, two
/// objects with the same target), kIoError / kPermissionDenied from writing.
Status WriteKustomizeOverlay(const FixReport& report, const std::vector<std::string>& paths,
                             const std::string& directory);



/// Progress of a run: `stage` is "load" (files), "fix" (objects with
/// findings) or "risk" (findings); `done` of `total` units of that stage.
using PipelineProgress = std::function<void(std::string_view stage, std::size_t done, std::size_t total)>;

struct PipelineOptions {
  FixConfig fix;                ///< generators, gates, protected namespaces, max_ops
  RiskConfig risk;              ///< term weights
  RiskFeedFiles feeds;          ///< EPSS CSV, KEV JSON, Trivy reports (any may be empty)
  /// Feeds loaded once by the caller (e.g. an engine reused for many runs);
  /// when set, `feeds` is ignored.
  std::shared_ptr<const LoadedFeeds> loaded_feeds;
  SchedulerConfig scheduler;    ///< priors, exploration, fairness
  double now = 0.0;             ///< the caller's clock (seconds): enqueue time of every scheduled fix
  int jobs = 1;                 ///< threads for loading and fixing (<= 0: one per hardware thread); results identical for any value
  ParseOptions parse;           ///< YAML limits
  PipelineProgress progress;    ///< optional
};

/// One accepted fix in schedule order.
struct ScheduledFix {
  std::size_t result = 0;  ///< index into PipelineResult::fix.results (and ::risk)
  ScoredItem scored;       ///< score and its components; scored.item.id is `result` in decimal
};

/// Counts of a run. The five status counts add up to `findings`.
struct PipelineSummary {
  std::int64_t files = 0, objects = 0;
  std::int64_t findings = 0, accepted = 0, rejected = 0, needs_review = 0, unfixable = 0;
  std::int64_t ignored = 0;            ///< suppressed by ignore annotations (not in `findings`)
  std::int64_t errors = 0, warnings = 0;  ///< load errors / caveats
  std::int64_t objects_patched = 0;    ///< objects whose merged patch passed every gate again
  std::int64_t scheduled = 0;          ///< == accepted
  std::int64_t kev_findings = 0;       ///< findings whose workload has an image CVE in KEV
  double median_ops = 0.0;
  std::int64_t max_ops = 0;
  double max_risk = 0.0, mean_risk = 0.0;
  /// Risk bands by value: "critical" ≥ 90, "high" ≥ 70, "medium" ≥ 40, "low" < 40.
  std::map<std::string, std::int64_t> by_risk_band;
  std::map<std::string, std::int64_t> by_severity;  ///< SeverityName -> findings
  /// check -> {findings, accepted, rejected, needs_review, unfixable}
  std::map<std::string, std::map<std::string, std::int64_t>> by_check;
  /// Wall-clock seconds per stage ("load", "fix", "risk", "schedule", "total").
  std::map<std::string, double> timing_seconds;
};

struct PipelineResult {
  FixReport fix;                    ///< scan (fix.scan), per-finding fixes, merged object patches, inputs
  std::vector<RiskResult> risk;     ///< parallel to fix.results
  std::shared_ptr<const LoadedFeeds> feeds;  ///< the feeds the risk terms used (never null after a run)
  std::vector<ScheduledFix> schedule;  ///< accepted fixes, best first
  SchedulerConfig scheduler;        ///< configuration the schedule was ranked with
  double now = 0.0;
  PipelineSummary summary;
};

/// Runs the loop over `paths`. See the file comment for errors.
Result<PipelineResult> RunPipeline(const std::vector<std::string>& paths, std::shared_ptr<const RuleSet> rules,
                                   const PipelineOptions& options);
/// Same over objects already loaded (one lint context).
Result<PipelineResult> RunPipelineOnObjects(std::vector<Manifest> objects, std::shared_ptr<const RuleSet> rules,
                                            const PipelineOptions& options);
/// Same over a load already done (one lint context): its errors and warnings
/// are the run's (findings.json, fixes.json, risk.json, summary.json count
/// them) and `files` is the number of files it read.
Result<PipelineResult> RunPipelineOnLoad(LoadResult loaded, std::int64_t files, std::shared_ptr<const RuleSet> rules,
                                         const PipelineOptions& options);

/// The five documents (schemaVersion 2; summary.json 1).
Value PipelineFindingsToValue(const PipelineResult& r);
Value PipelineFixesToValue(const PipelineResult& r);
Value PipelineRiskToValue(const PipelineResult& r);
Value PipelineScheduleToValue(const PipelineResult& r);
Value PipelineSummaryToValue(const PipelineResult& r);

/// Writes findings.json, fixes.json, risk.json, schedule.json and
/// summary.json (pretty JSON, newline-terminated) into `dir`, creating it.
/// Each file is written to a temporary name and renamed, so a reader never
/// sees a half-written document. kIoError names the file that failed.
Status WritePipelineOutputs(const PipelineResult& r, const std::string& dir);

/// The summary table `kfix run` prints: counts per status, risk bands, the
/// checks with most findings and the head of the schedule (`top` rows).
std::string PipelineSummaryToText(const PipelineResult& r, std::size_t top = 10);

}  // namespace kfix
