// kfix/engine.hpp - the one engine under every surface.
//
// A `kfix::Engine` is built from ONE configuration document (YAML or JSON
// text, or a file): kube-linter's `.kube-linter.yaml` keys plus kfix's own
// sections. The schema is the same for the C++ API, the `kfix --config FILE`
// CLI, the C ABI (`kfix_engine_new`) and Python (`kfix.Engine`); see
// docs/config.md. Every member is optional:
//
//   checks:        {include: [...], exclude: [...], addAllBuiltIn: bool,
//                   doNotAutoAddDefaults: bool, ignorePaths: [...]}
//   customChecks:  [...kube-linter custom checks...]
//   kfixRules:     [...declarative kfix rules (docs/rules.md)...]
//   policies:      [FILE | object...]  ValidatingAdmissionPolicies (+ bindings
//                   and parameter objects) evaluated offline (docs/policies.md)
//   scan:          {context: all | per-file, jobs: N}
//   fix:           {...FixConfig: profile, cpuRequest, imagePins, maxOps, ...}
//   risk:          {epss: FILE, kev: FILE, trivy: [FILE...], attack: bool}
//   schedule:      {exploration: ucb | thompson | none, fairness: none | cap |
//                   round-robin, seed: N, fairnessK: N, fairnessTop: N}
//   propose:       {mode: rules | openai, endpoint, model, apiKeyEnv,
//                   maxAttempts, timeoutSeconds, retries, backoffSeconds,
//                   maxBackoffSeconds, concurrency, maxRequests, maxTokens,
//                   maxCompletionTokens, temperature, fallback: rules | none}
//                   (docs/propose.md)
//
// Errors in the document name the caller's own text: file (or the given
// source name), line and column of the offending key or value, as written.
// An unknown top-level key lists every valid section.
//
// The engine owns loading (paths, text, stdin; with ParseOptions), scan,
// fix, verify, run (the whole loop), risk, schedule, the audit records of
// accepted fixes and queue transitions, and the rendering of fixed files.
// Surfaces parse their arguments, call it and print or convert the result.
//
// Thread safety: an Engine is immutable after Create(); copies share the same
// state and every member function is const and safe to call from any number
// of threads at once. Results are plain values owned by the caller.
//
// Errors: nothing here throws. Paths that do not exist are errors (Result)
// in every path entry point (Load, ScanPaths, FixPaths, ScorePaths, Run);
// files that exist but cannot be read or parsed are data: they are listed in
// the result's `errors` and the rest goes on.
//
// Example:
//   kfix::Result<kfix::Engine> engine = kfix::Engine::FromText(R"({"checks": {"addAllBuiltIn": true}})");
//   if (!engine.ok()) return engine.status();   // "config:1:2: ..." on a bad document
//   kfix::Result<kfix::ScanReport> scan = engine->ScanPaths({"deploy/"});
//   if (!scan.ok()) return scan.status();
//   std::string json = kfix::ToJson(kfix::ToValue(*scan), kfix::JsonStyle::kPretty);
#pragma once

#include <cstddef>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/actions.hpp"
#include "kfix/audit.hpp"
#include "kfix/core.hpp"
#include "kfix/escape.hpp"
#include "kfix/guard.hpp"
#include "kfix/gvisor.hpp"
#include "kfix/pipeline.hpp"
#include "kfix/propose.hpp"
#include "kfix/queue.hpp"
#include "kfix/remediate.hpp"
#include "kfix/risk.hpp"
#include "kfix/rules.hpp"
#include "kfix/schedule.hpp"
#include "kfix/status.hpp"

namespace kfix {

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

/// The parsed configuration document. Fill it in directly, or parse one with
/// ParseEngineConfig() / LoadEngineConfig() and adjust fields (the CLI applies
/// its flags this way) before Engine::Create().
struct EngineConfig {
  RulesConfig rules;         ///< checks, customChecks, kfixRules, policies (raw tree kept with the caller's positions)
  ScanOptions scan;          ///< scan: context and jobs (jobs <= 0: one thread per hardware thread)
  FixConfig fix;             ///< fix:
  RiskConfig risk;           ///< risk.attack (term weights keep their defaults)
  RiskFeedFiles feeds;       ///< risk.epss / risk.kev / risk.trivy (loaded once by Create)
  SchedulerConfig schedule;  ///< schedule:
  ProposeConfig propose;     ///< propose: (Engine::Propose, `kfix propose`)
  ParseOptions parse;        ///< limits for every load (limits: maxFileBytes, maxDepth, ... per file)
  /// limits.maxRunNodes / maxRunDocuments: caps over all files of one call
  /// (LoadPathsOptions::max_run_nodes / max_run_documents).
  std::size_t max_run_nodes = LoadPathsOptions{}.max_run_nodes;
  std::size_t max_run_documents = LoadPathsOptions{}.max_run_documents;
  std::string source;        ///< where the document came from ("" = built-in defaults)
};

/// The valid top-level keys of the document, in documentation order:
/// checks, customChecks, kfixRules, policies, scan, fix, risk, schedule, propose, limits.
const std::vector<std::string>& EngineConfigSections();

/// Parses a configuration document: JSON when the first non-blank character
/// is `{`, YAML otherwise (empty text = defaults). `source_name` names the
/// text in errors ("config" when empty). Positions are the text's own.
Result<EngineConfig> ParseEngineConfig(std::string_view text, std::string_view source_name = "config");
/// Same from an already-parsed tree (null = defaults); positions are the tree's.
Result<EngineConfig> EngineConfigFromValue(const Value& document, std::string_view source_name = "config");
/// Reads and parses `path`. With an empty path, looks for .kube-linter.yaml
/// then .kube-linter.yml in the working directory, else returns defaults.
Result<EngineConfig> LoadEngineConfig(const std::string& path);

// ---------------------------------------------------------------------------
// Engine
// ---------------------------------------------------------------------------

/// Options of one call. Everything else comes from the engine's configuration.
struct CallOptions {
  /// Threads; 0 = the configuration's scan.jobs; < 0 = one per hardware
  /// thread. Results are identical for any value.
  int jobs = 0;
  /// The caller's clock (seconds): enqueue time of scheduled fixes (Run).
  double now = 0.0;
  /// Keep each input file's text in FixReport::sources, so Render and
  /// WriteBack edit the bytes that were scanned (and stdin can be rendered).
  bool keep_sources = false;
  /// Fix / FixPaths: fill ObjectFix::patched (FixOptions::keep_patched); the
  /// kfix tool turns it off (nothing it writes reads the patched copies).
  bool keep_patched = true;
  /// FixPathsPerFile: keep each object's whole tree in the file's report
  /// (false: cut down to what names the object once the file is written
  /// back, so the file's trees are freed before the sink sees it).
  bool keep_trees = true;
  /// Fix / FixPaths / FixText: stream the per-finding results
  /// (FixOptions::on_results): handed over in finding order, not kept
  /// (FixReport::results and scan.findings come back empty; the summary
  /// counts them all).
  /// With scan.context per-file each file's results come as one call.
  std::function<void(std::vector<FixResult>&& results)> on_results;
  /// Fix / FixPaths / FixText: stream the merged per-object fixes
  /// (FixOptions::on_objects; FixReport::objects comes back empty). With
  /// scan.context per-file they come as one call at the end, in input order.
  std::function<void(std::vector<ObjectFix>&& objects, const std::vector<Manifest>& manifests)> on_objects;
  /// Fix / FixPaths / FixText: stream the results and the per-object fixes
  /// into this report writer (FixOptions::writer: rendered on the worker
  /// threads, appended in order; FixReport::results and ::objects come back
  /// empty). Excludes on_results and on_objects: FixPaths fails with
  /// kInvalidArgument, Fix and FixText report it in FixReport::errors. With
  /// scan.context per-file each file's results are added as one batch and
  /// the objects at the end, in input order.
  FixReportWriter* writer = nullptr;
  /// Progress of Run / FixPaths: "load", "fix", "risk" (optional; calls are
  /// serialised but may come from worker threads).
  PipelineProgress progress;
};

/// Inputs loaded as one lint context.
struct LoadedInputs {
  LoadResult load;          ///< objects, errors and warnings of every file, in file order
  std::int64_t files = 0;   ///< files read (directories expanded, ignorePaths skipped)
  std::map<std::string, std::string> sources;  ///< file -> text (CallOptions::keep_sources)
};

/// What `kfix verify` targets.
struct VerifyTarget {
  std::int32_t document = 0;  ///< document index in the manifest text/file
  std::string check;          ///< with a check: that finding must exist and the rescan gate targets it
  std::string container;      ///< narrows `check` to one container
};

/// Scored findings ranked by the engine's scheduler (a batch at one instant).
struct ScheduleReport {
  RiskReport risk;                  ///< every finding with its risk (ranked items index risk.results)
  std::vector<ScoredItem> ranked;   ///< best first; item.id is the index into risk.results
};

/// Where a propose run's model answers come from (kfix/propose.hpp). The
/// rules mode needs neither.
struct ProposeBackend {
  /// Used as is when set (tests, callers with their own client).
  ModelTransport model;
  /// Otherwise: the OpenAI-compatible client over this POST
  /// (MakeOpenAITransport with the configuration's `propose:` section).
  HttpPost http;
  /// Waits between HTTP retries (default: the calling thread sleeps).
  std::function<void(double seconds)> sleep;
  /// Replaces the configuration's `propose:` section for this call (the
  /// Python keyword arguments); checked like it.
  std::optional<ProposeConfig> config;
};

class Engine {
 public:
  /// Builds an engine: resolves the checks (RuleSet::Create) and loads the
  /// risk feeds once. Errors name the configuration's source and position.
  static Result<Engine> Create(EngineConfig config = {});
  /// ParseEngineConfig() + Create().
  static Result<Engine> FromText(std::string_view config_text, std::string_view source_name = "config");
  /// LoadEngineConfig() + Create().
  static Result<Engine> FromFile(const std::string& path);

  Engine(const Engine&) = default;
  Engine(Engine&&) noexcept = default;
  Engine& operator=(const Engine&) = default;
  Engine& operator=(Engine&&) noexcept = default;
  ~Engine();

  const EngineConfig& config() const noexcept;
  const std::shared_ptr<const RuleSet>& rules() const noexcept;
  const std::shared_ptr<const LoadedFeeds>& feeds() const noexcept;
  const RiskScorer& scorer() const noexcept;

  // Loading ------------------------------------------------------------------
  /// Loads files, directories and "-" (stdin) as one lint context
  /// (ExpandPaths order, ignorePaths skipped, the engine's ParseOptions).
  Result<LoadedInputs> Load(const std::vector<std::string>& paths, const CallOptions& options = {}) const;
  /// Loads manifest text (YAML or JSON) named `source_name` (one file).
  LoadedInputs LoadText(std::string_view text, std::string_view source_name, const CallOptions& options = {}) const;

  // Scan ---------------------------------------------------------------------
  Result<ScanReport> ScanPaths(const std::vector<std::string>& paths, const CallOptions& options = {}) const;
  ScanReport ScanText(std::string_view text, std::string_view source_name, const CallOptions& options = {}) const;
  /// Scans loaded inputs (load errors and warnings become the report's).
  ScanReport Scan(const LoadedInputs& inputs, const CallOptions& options = {}) const;

  // Per-file streaming (docs/performance.md, "Streaming per file") -----------
  /// Called once per lint context of a per-file run, on the calling thread,
  /// in report order (by file name); a non-OK status stops the run and is
  /// returned.
  using ScanFileSink = std::function<Status(FileScanReport&& file)>;
  /// ScanPaths() with each file its own lint context (whatever scan.context
  /// says), streamed: a file is loaded, scanned and handed to `sink`, and its
  /// trees are freed before the sink sees it. With N jobs, N files are
  /// loaded and scanned at a time and at most 4N scanned files wait to be
  /// handed over in order, so memory follows the largest files, not their
  /// number. Feeding every part to a ScanReportWriter gives the bytes of
  /// ScanPaths() with scan.context per-file, for any jobs. Returns the
  /// totals (files read, objects, findings, ignored, by check, seconds).
  /// Errors: a PATH that does not exist (before anything is sunk), the
  /// sink's own. limits.maxRunNodes / maxRunDocuments count every file of
  /// the run, as in Load().
  Result<ScanStats> ScanPathsPerFile(const std::vector<std::string>& paths, const ScanFileSink& sink,
                                     const CallOptions& options = {}) const;

  /// Called once per lint context of a per-file fix run, on the calling
  /// thread, in report order; a non-OK status stops the run and is returned.
  using FixFileSink = std::function<Status(FileFixReport&& file)>;
  /// FixPaths() with each file its own lint context, streamed like
  /// ScanPathsPerFile(): a file is loaded, scanned, fixed (every patch
  /// vetted by the guard within the file), and, when `write_back` asks for
  /// it (a mode or a diff), rendered and written as WriteBack() does (its
  /// entry and diff in the FileFixReport) before `sink` sees it; with
  /// CallOptions::keep_trees false its trees are freed then. Inputs that
  /// ignorePaths leaves out are still written back (copied unchanged with
  /// --write), each as a part with an empty report after the others.
  /// Feeding every part to a FixReportWriter gives the bytes of FixPaths()
  /// with scan.context per-file. Returns the run's summary. Errors:
  /// CheckWriteBack()'s, a PATH that does not exist (before anything is
  /// sunk), the sink's own. Not for propose runs.
  Result<FixSummary> FixPathsPerFile(const std::vector<std::string>& paths, const WriteBackOptions& write_back,
                                     const FixFileSink& sink, const CallOptions& options = {}) const;

  // Fix ----------------------------------------------------------------------
  /// With scan.context per-file, each file is its own lint context (the
  /// parts of FixPathsPerFile() joined, trees kept); else all files are one.
  Result<FixReport> FixPaths(const std::vector<std::string>& paths, const CallOptions& options = {}) const;
  FixReport FixText(std::string_view text, std::string_view source_name, const CallOptions& options = {}) const;
  /// Fixes loaded inputs (consumed): the `kfix fix` report.
  FixReport Fix(LoadedInputs inputs, const CallOptions& options = {}) const;

  // Propose (docs/propose.md) ---------------------------------------------------
  /// Fix with the configuration's proposer (`propose.mode`): rules, or an
  /// OpenAI-compatible model asked first for every finding, each answer
  /// vetted by the same gates and rescan as a rules patch, refusals fed back
  /// up to propose.maxAttempts, the rules proposal as fallback. The report is
  /// Fix()'s with each result's proposer and attempts and per-proposer
  /// metrics in the summary. Errors (before any work): a path that does not
  /// exist, an invalid `propose` configuration, openai mode without a
  /// backend, the API key variable unset.
  Result<FixReport> ProposePaths(const std::vector<std::string>& paths, const ProposeBackend& backend,
                                 const CallOptions& options = {}) const;
  Result<FixReport> ProposeText(std::string_view text, std::string_view source_name, const ProposeBackend& backend,
                                const CallOptions& options = {}) const;
  /// Proposes for loaded inputs (consumed).
  Result<FixReport> Propose(LoadedInputs inputs, const ProposeBackend& backend, const CallOptions& options = {}) const;

  // Verify -------------------------------------------------------------------
  /// Vets external patch text (RFC 6902, one op, merge patch, a whole object,
  /// in code fences or prose) against one document of `inputs` through every
  /// gate. A rejected patch is a verdict; errors: the document is missing
  /// (its load error when it failed to load, else kNotFound), or `check`
  /// names no finding on it (kNotFound).
  Result<Verdict> Verify(const LoadedInputs& inputs, std::string_view patch_text,
                         const VerifyTarget& target = {}) const;

  // Risk and schedule --------------------------------------------------------
  /// Scans each file as its own lint context and scores every finding.
  Result<RiskReport> ScorePaths(const std::vector<std::string>& paths, const CallOptions& options = {}) const;
  /// Scans the text as one lint context and scores every finding.
  RiskReport ScoreText(std::string_view text, std::string_view source_name, const CallOptions& options = {}) const;
  /// Ranks scored findings with the engine's scheduler (enqueued and ranked at t = 0).
  ScheduleReport Rank(RiskReport risk) const;
  /// Scheduler vs FIFO on the scored findings (`kfix schedule simulate`).
  SimulationReport Simulate(const RiskReport& risk, int top_k) const;

  // Run (the whole loop) ---------------------------------------------------------
  Result<PipelineResult> Run(const std::vector<std::string>& paths, const CallOptions& options = {}) const;
  Result<PipelineResult> RunText(std::string_view text, std::string_view source_name,
                                 const CallOptions& options = {}) const;
  /// Runs over loaded inputs (consumed).
  Result<PipelineResult> Run(LoadedInputs inputs, const CallOptions& options = {}) const;

  // Audit --------------------------------------------------------------------
  /// The `kfix.fix.accepted` record of fix report result `result`: the result
  /// as in the fix report plus "profile"; with `run`, also its "risk",
  /// "rank" and "score" from the schedule.
  Value AcceptedFixRecord(const FixReport& report, std::size_t result, const PipelineResult* run = nullptr) const;
  /// Appends one `kfix.fix.accepted` record per accepted fix (report order).
  /// Stops at the first failed append and returns its error.
  Status RecordAcceptedFixes(AuditLog& log, const FixReport& report) const;
  /// Appends the accepted fixes of a run in schedule order, then
  /// `kfix.run.completed` with the summary (not after a failed append).
  Status RecordRun(AuditLog& log, const PipelineResult& run) const;

  // Write-back (docs/write-back.md) -------------------------------------------
  /// The files of `report` with accepted patches, rendered as text edits on
  /// their original bytes (comments, quoting, styles kept) and written
  /// nowhere; see RenderFixedFiles(). The original bytes are the kept sources
  /// (CallOptions::keep_sources) or the files as they are now.
  Result<std::vector<WrittenFile>> Render(const FixReport& report) const;
  /// Renders and writes every input file as `options` says (a mirror
  /// directory, in place, and/or a diff); see kfix::WriteBack(). The parse
  /// options are the engine's. Errors: kInvalidArgument before anything is
  /// written (stdin, two inputs at one output, an output that is an input).
  Result<WriteBackResult> WriteBack(const FixReport& report, const std::vector<std::string>& paths,
                                    WriteBackOptions options) const;
  /// Writes a kustomize overlay of the accepted patches; see
  /// kfix::WriteKustomizeOverlay().
  Status WriteKustomize(const FixReport& report, const std::vector<std::string>& paths,
                        const std::string& directory) const;
  /// The `kfix_engine_render` / Python `FixResult.render()` document of
  /// Render(): {schemaVersion, files: [{file, fixed, text, notes, refused,
  /// error}]} (one entry per file with accepted patches, sorted by name).
  Result<Value> RenderDocument(const FixReport& report) const;

  // gVisor migration playbook (docs/playbooks-gvisor.md) ------------------------
  // The commands of `kfix gvisor`, `kfix_gvisor_*` and `kfix.gvisor`: inputs
  // are loaded with Load()/LoadText() (workloads for scan and plan, the live
  // state for apply, rollback and verify); options are the playbook's one
  // options document (gvisor::ParseOptions). The guard's rescan gate uses the
  // engine's checks.
  /// Classifies the workloads of `inputs`. Load errors that are not read
  /// failures (see IsInputReadError) come first in the report's warnings.
  gvisor::CompatibilityReport GvisorScan(const LoadedInputs& inputs, const gvisor::Options& options) const;
  /// Scans and plans; the scan's warnings are returned beside the plan (they
  /// are not part of it). With `audit`, appends the "gvisor.plan" record; a
  /// failed append is returned in `audit_status` (the plan stands).
  struct GvisorPlanResult {
    gvisor::MigrationPlan plan;
    std::vector<Status> warnings;
    Status audit_status;
  };
  GvisorPlanResult GvisorPlan(const LoadedInputs& inputs, const gvisor::Options& options,
                              AuditLog* audit = nullptr) const;
  /// Apply / rollback envelopes over the live state (`live` null: not
  /// supplied). Each step is appended to `audit` when given.
  gvisor::RunResult GvisorApply(const gvisor::MigrationPlan& plan, const LoadedInputs* live,
                                const gvisor::Options& options, AuditLog* audit = nullptr) const;
  gvisor::RunResult GvisorRollback(const gvisor::MigrationPlan& plan, const LoadedInputs* live,
                                   const gvisor::Options& options, AuditLog* audit = nullptr) const;
  /// Compares the pods of `live` with the plan.
  gvisor::VerifyReport GvisorVerify(const gvisor::MigrationPlan& plan, const LoadedInputs& live,
                                    const gvisor::Options& options) const;
  // The document calls of the C ABI and Python (one function per command,
  // so both surfaces run exactly the same code):
  /// Load() that fails on the first input that could not be read.
  Result<LoadedInputs> LoadReadable(const std::vector<std::string>& paths, const CallOptions& options = {}) const;
  /// The MigrationPlan document; inputs with a document that did not load
  /// are refused (its load error), and so is a failed audit append.
  Result<Value> GvisorPlanDocument(const LoadedInputs& inputs, const gvisor::Options& options,
                                   AuditLog* audit = nullptr) const;
  enum class GvisorCommand { kApply, kRollback, kVerify };
  /// The apply / rollback / verify document of plan text (ParsePlan: an
  /// edited plan is kVerificationFailed) over live text (null: not
  /// supplied; required by verify). Live text must load entirely.
  Result<Value> GvisorRunDocument(GvisorCommand command, std::string_view plan, const std::string_view* live,
                                  const gvisor::Options& options, AuditLog* audit = nullptr) const;

 private:
  struct State;
  explicit Engine(std::shared_ptr<const State> state);
  /// FixPaths() with scan.context per-file: FixPathsPerFile()'s parts joined.
  Result<FixReport> FixPathsJoined(const std::vector<std::string>& paths, const CallOptions& options) const;
  std::shared_ptr<const State> state_;
};

// ---------------------------------------------------------------------------
// Queue transitions (the documents of `kfix queue ...`, kfix_queue_*, Python)
// ---------------------------------------------------------------------------

/// Where queue transitions are recorded: each successful enqueue, lease, ack
/// and nack appends `kfix.queue.<op>` (with "db": `db`) when `log` is set.
struct QueueAudit {
  AuditLog* log = nullptr;
  std::string db;
};

/// Parses queue options {"maxAttempts": N, "busyTimeoutMs": N} (null = defaults).
Result<QueueOptions> QueueOptionsFromValue(const Value& options);
/// Enqueues the accepted fixes of a fix report document (`kfix fix --format
/// json` or `kfix run` fixes.json): {schemaVersion, enqueued, duplicates, ids}.
Result<Value> QueueEnqueueReport(Queue& queue, const Value& fix_report, double now, const QueueAudit& audit = {});
/// Leases the best item: QueueItemToValue, or null when nothing is queued.
Result<Value> QueueLeaseNext(Queue& queue, std::string_view worker, double lease_seconds, double now,
                             const QueueAudit& audit = {});
/// {schemaVersion, id, state, attempts} after the ack.
Result<Value> QueueAckItem(Queue& queue, std::int64_t id, std::int64_t lease_token, double now,
                           const QueueAudit& audit = {});
/// Same after a nack with `reason`.
Result<Value> QueueNackItem(Queue& queue, std::int64_t id, std::string_view reason, std::int64_t lease_token,
                            double now, const QueueAudit& audit = {});
/// QueueStatsToValue of Stats(now).
Result<Value> QueueStatsDocument(Queue& queue, double now);
/// {schemaVersion, reprioritised}.
Result<Value> QueueReprioritiseDocument(Queue& queue, const SchedulerConfig& config, double now);

// ---------------------------------------------------------------------------
// Audit verification and receipts (kfix audit verify --json, kfix_audit_verify)
// ---------------------------------------------------------------------------

/// Verification options as a document: {"publicKeys": [hex], "requireReceipts":
/// bool, "anchorSeq": n, "anchorHash": hex} (null = defaults).
Result<AuditVerifyOptions> AuditVerifyOptionsFromValue(const Value& options);


// ---------------------------------------------------------------------------
// Playbook inputs (shared by the gVisor, container-escape and typed-actions
// commands of every surface)
// ---------------------------------------------------------------------------

/// True for a load error that fails a playbook command (the input could not
/// be read: kIoError, kNotFound, kPermissionDenied); other load errors (a
/// document that does not parse) are reported and the rest goes on.
bool IsInputReadError(const Status& status) noexcept;
/// The first read failure among `inputs`' load errors (OK when none).
Status FirstInputReadError(const LoadedInputs& inputs);

/// Reads a file ("-" = stdin) whole. Errors name the file.
Result<std::string> ReadInputFile(const std::string& path);
/// Exactly one YAML/JSON object from `text` named `name`. Errors: the first
/// load error (file:line:column), or kInvalidArgument "<name>: expected
/// exactly one object, found N".
Result<Value> LoadOneObject(std::string_view text, std::string_view name);
/// The objects of a YAML/JSON stream; a `kind: List` (or any `*List` kind)
/// with `items` is expanded. Errors: the first load error.
Result<std::vector<Value>> LoadObjectStream(std::string_view text, std::string_view name);
/// The objects of a JSON-like value: an array of objects, a `*List` object
/// with items, or one object. `what` names the value in errors.
Result<std::vector<Value>> ObjectsFromValue(const Value& value, std::string_view what);
/// kInvalidArgument naming the first member of `options` (an object, or
/// null) not in `allowed`; kInvalidArgument when it is another type.
Status CheckOptionMembers(const Value& options, std::initializer_list<std::string_view> allowed);
/// An RFC 3339 time member of an options document (`member` absent: nullopt).
Result<std::optional<std::chrono::system_clock::time_point>> TimeMember(const Value& options, std::string_view member,
                                                                        std::string_view what = "options");

// ---------------------------------------------------------------------------
// Container-escape response (docs/playbooks-escape.md): `kfix escape detect`,
// `kfix quarantine plan|apply|reverify`, kfix_escape_* / kfix_quarantine_*,
// Python kfix.escape
// ---------------------------------------------------------------------------

/// `kfix escape detect`. An unset clock reads the wall clock (time of
/// findings whose events carry none).
escape::DetectResult EscapeDetect(const std::vector<escape::EventSource>& sources, escape::DetectOptions options);
/// Reads each path ("-" = stdin) as one event source, in order.
Result<std::vector<escape::EventSource>> ReadEventSources(const std::vector<std::string>& paths);
/// The findings as the JSON lines `kfix escape detect` prints.
std::string EscapeDetectToJsonLines(const escape::DetectResult& result, escape::FindingFormat format);
/// The document of the C ABI and Python: {schemaVersion, findings: [each
/// line's object], errors: [status], events}.
Value EscapeDetectToValue(const escape::DetectResult& result, escape::FindingFormat format);

/// The document calls of the C ABI and Python for the escape commands:
/// options documents in (null = defaults), the documents above out.
Result<Value> EscapeDetectDocument(std::string_view events, std::string_view source_name, const Value& options);
/// `cluster` null: no live objects.
Result<Value> QuarantineDocument(escape::Operation op, std::string_view findings, std::string_view findings_name,
                                 const std::string_view* cluster, const Value& options, AuditLog* audit = nullptr);

/// One quarantine command: the operation, its options and, for apply, the
/// approval, the audit log and the executor (none: hand-off).
struct QuarantineRequest {
  escape::Operation operation = escape::Operation::kPlan;
  escape::RunOptions options;      ///< an unset clock reads the wall clock
  escape::ApplyRequest approval;   ///< apply only
  AuditLog* audit = nullptr;       ///< apply only: the two-phase envelopes
  escape::ActionExecutor executor; ///< apply only; empty = hand-off (records stay in_progress)
};
/// The live objects of `paths` as a snapshot. A load error is returned
/// (reverify turns it into an unreachable cluster, see LoadQuarantineCluster).
Result<escape::ClusterSnapshot> LoadClusterSnapshot(const std::vector<std::string>& paths);
/// The same from text (a `kubectl get -o yaml` stream named `name`).
Result<escape::ClusterSnapshot> ClusterSnapshotFromText(std::string_view text, std::string_view name);
/// The snapshot a command reads: for reverify a load failure makes the
/// cluster unreachable (every record `unreachable`); for plan and apply it
/// is returned as the error.
Result<escape::ClusterSnapshot> QuarantineCluster(Result<escape::ClusterSnapshot> loaded, escape::Operation op);
/// Runs plan, apply (CheckApplyGate first: its refusal is the result's
/// status, nothing recorded) or reverify.
escape::RunResult Quarantine(const escape::FindingsInput& findings, const escape::ClusterSnapshot& cluster,
                             const QuarantineRequest& request);
/// The request of an options document: RunOptionsFromValue and, for apply,
/// ApplyRequestFromValue (one document carries both).
Result<QuarantineRequest> QuarantineRequestFromValue(const Value& options, escape::Operation op);
/// The document of the C ABI and Python: {schemaVersion, records: [each
/// line's object, as `kfix quarantine` prints them], errors: [bad finding
/// lines], warnings: [skipped findings], status: null or the fatal error}.
Value QuarantineToValue(const escape::FindingsInput& findings, const escape::RunResult& result);

// ---------------------------------------------------------------------------
// Typed actions (docs/playbooks-actions.md): `kfix intent`, `kfix action`,
// `kfix incidents`, kfix_intent_* / kfix_action_* / kfix_incidents_*,
// Python kfix.actions
// ---------------------------------------------------------------------------

/// `kfix intent validate`: {"valid", "error"} of intent JSON.
Value IntentValidateDocument(std::string_view intent_json);
/// Consume options from a document {"now": RFC 3339 (absent: the wall
/// clock, as the CLI), "container": name, "pods": [objects] or a List}.
Result<ConsumeOptions> ConsumeOptionsFromValue(const Value& options);
/// `kfix action validate` options {"now": RFC 3339 (absent: the wall
/// clock), "target": the live object}.
struct SreValidateRequest {
  ActionTime now{};
  std::optional<Value> target;
};
Result<SreValidateRequest> SreValidateRequestFromValue(const Value& options);

/// `kfix action validate`: admission, the controller's validation and the plan.
struct SreValidation {
  bool valid = false;
  Value document;  ///< {"valid", "error", "plan"}
};
/// `text` is the KarsSREAction manifest named `name`; `target` the live
/// object (optional).
SreValidation ValidateSreActionText(std::string_view text, std::string_view name, const Value* target,
                                    ActionTime now);

/// `kfix action step`'s action: exactly one KarsSREAction object read from
/// `text` named `name` (ParseSreAction). Shape errors name `name`.
Result<SreAction> LoadSreAction(std::string_view text, std::string_view name);
/// Options of a step from a document {"now": RFC 3339 (required),
/// "snapshot": [objects] or a List (absent or null: could not list)}.
struct SreStepRequest {
  ActionTime now{};
  std::optional<std::vector<Value>> snapshot;
};
Result<SreStepRequest> SreStepRequestFromValue(const Value& options);

/// `kfix incidents triage` state from a document (null = a fresh, priming
/// watcher). Errors name `name`.
Result<WatcherState> WatcherStateFromDocument(const Value& state, std::string_view name);
/// `kfix incidents triage` options {"now": RFC 3339 (required), "state": the
/// previous next_state (absent or null: the poll primes)}.
struct TriageRequest {
  ActionTime now{};
  WatcherState state;
};
Result<TriageRequest> TriageRequestFromValue(const Value& options);

/// The document calls of the C ABI and Python for the typed-actions
/// commands: input text and an options document in (the requests above),
/// the command's document out; `audit` gets the records `--audit` appends.
Result<Value> IntentConsumeDocument(std::string_view object, const Value& options, AuditLog* audit = nullptr);
Result<Value> ActionValidateDocument(std::string_view action, const Value& options);
Result<Value> ActionStepDocument(std::string_view action, const Value& options, AuditLog* audit = nullptr);
Result<Value> IncidentsTriageDocument(std::string_view events, const Value& options, AuditLog* audit = nullptr);

// ---------------------------------------------------------------------------
// Documents: one ToValue per result type (docs/json-schema/)
// ---------------------------------------------------------------------------

/// Write-back options as a document (C ABI, Python): {"write": DIR} or
/// {"inPlace": true}, and "diff": bool. Both "write" and "inPlace", unknown
/// members or wrong types: kInvalidArgument.
Result<WriteBackOptions> WriteBackOptionsFromValue(const Value& options);
/// {schemaVersion, files: [{file, output, fixed, notes, refused, error}],
/// diff}: what WriteBack did to every input file.
Value WriteBackResultToValue(const WriteBackResult& result);

/// Every document kfix emits goes through these; JSON text from ToJson() is
/// always valid UTF-8 (invalid input bytes become U+FFFD, see docs/config.md).
inline Value ToValue(const Status& s) { return StatusToValue(s); }
inline Value ToValue(const ScanReport& r) { return ScanReportToValue(r); }
inline Value ToValue(const FixReport& r) { return FixReportToValue(r); }
inline Value ToValue(const Verdict& v) { return VerdictToValue(v); }
inline Value ToValue(const RiskReport& r) { return RiskReportToValue(r); }
inline Value ToValue(const SimulationReport& r) { return SimulationReportToValue(r); }
inline Value ToValue(const AuditVerifyReport& r) { return AuditVerifyReportToValue(r); }
/// `kfix schedule rank`: {schemaVersion, items: [{rank, score, R, p, Et,
/// explore, waitHours, kev, check, file, line, namespace, kind, name}],
/// errors}; `top` limits the items (0 = all).
Value ScheduleReportToValue(const ScheduleReport& r, std::size_t top = 0);
inline Value ToValue(const ScheduleReport& r) { return ScheduleReportToValue(r); }
/// The run document: {schemaVersion, findings, fixes, risk, schedule,
/// summary}, each member what `kfix run --out` writes to <member>.json.
Value PipelineRunToValue(const PipelineResult& r);
inline Value ToValue(const PipelineResult& r) { return PipelineRunToValue(r); }
/// `kfix parse --format json`: {schemaVersion, objects, errors, warnings}.
inline Value ToValue(const LoadResult& r) { return LoadResultToValue(r); }

}  // namespace kfix
