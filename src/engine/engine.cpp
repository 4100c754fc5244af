// kfix::Engine (kfix/engine.hpp): every entry point of every surface.
#include "kfix/engine.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <utility>

namespace kfix {

struct Engine::State {
  EngineConfig config;
  std::shared_ptr<const RuleSet> rules;
  std::shared_ptr<const LoadedFeeds> feeds;
  std::unique_ptr<const RiskScorer> scorer;  // points into *feeds
};

Engine::Engine(std::shared_ptr<const State> state) : state_(std::move(state)) {}
Engine::~Engine() = default;

Result<Engine> Engine::Create(EngineConfig config) {
  try {
    auto state = std::make_shared<State>();
    Result<std::shared_ptr<const RuleSet>> rules = RuleSet::Create(config.rules);
    if (!rules.ok()) return rules.status();
    state->rules = std::move(*rules);
    const RiskFeedFiles& files = config.feeds;
    if (files.epss.empty() && files.kev.empty() && files.trivy.empty()) {
      state->feeds = std::make_shared<const LoadedFeeds>();
    } else {
      Result<LoadedFeeds> feeds = LoadRiskFeeds(files);
      if (!feeds.ok()) return feeds.status();
      state->feeds = std::make_shared<const LoadedFeeds>(std::move(*feeds));
    }
    state->scorer = std::make_unique<const RiskScorer>(config.risk, state->feeds->View());
    state->config = std::move(config);
    return Engine(std::move(state));
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kOutOfMemory, "Engine::Create: out of memory");
  } catch (const std::exception& e) {
    return InternalError(std::string("Engine::Create: ") + e.what());
  }
}

Result<Engine> Engine::FromText(std::string_view config_text, std::string_view source_name) {
  Result<EngineConfig> config = ParseEngineConfig(config_text, source_name);
  if (!config.ok()) return config.status();
  return Create(std::move(*config));
}

Result<Engine> Engine::FromFile(const std::string& path) {
  Result<EngineConfig> config = LoadEngineConfig(path);
  if (!config.ok()) return config.status();
  return Create(std::move(*config));
}

const EngineConfig& Engine::config() const noexcept { return state_->config; }
const std::shared_ptr<const RuleSet>& Engine::rules() const noexcept { return state_->rules; }
const std::shared_ptr<const LoadedFeeds>& Engine::feeds() const noexcept { return state_->feeds; }
const RiskScorer& Engine::scorer() const noexcept { return *state_->scorer; }

namespace {

int Jobs(const EngineConfig& config, const CallOptions& options) {
  return options.jobs != 0 ? options.jobs : config.scan.jobs;
}

}  // namespace

// ---- Loading ----------------------------------------------------------------

Result<LoadedInputs> Engine::Load(const std::vector<std::string>& paths, const CallOptions& options) const {
  if (paths.empty()) return InvalidArgumentError("no path given");
  LoadPathsOptions lo;
  lo.parse = state_->config.parse;
  lo.max_run_nodes = state_->config.max_run_nodes;
  lo.max_run_documents = state_->config.max_run_documents;
  lo.jobs = Jobs(state_->config, options);
  lo.keep_text = options.keep_sources;
  const RuleSet* rules = state_->rules.get();
  lo.skip = [rules](const std::string& f) { return rules->IsPathIgnored(f); };
  if (options.progress) {
    lo.progress = [&options](std::size_t done, std::size_t found) { options.progress("load", done, found); };
  }
  Result<std::vector<LoadedFile>> loaded = LoadPaths(paths, lo);
  if (!loaded.ok()) return loaded.status();
  LoadedInputs out;
  out.files = static_cast<std::int64_t>(loaded->size());
  if (options.keep_sources) {
    for (LoadedFile& f : *loaded) out.sources[f.path] = std::move(f.text);
  }
  out.load = MergeLoadedFiles(std::move(*loaded));
  return out;
}

LoadedInputs Engine::LoadText(std::string_view text, std::string_view source_name, const CallOptions& options) const {
  LoadedInputs out;
  out.load = LoadManifests(text, source_name, state_->config.parse);
  out.files = 1;
  if (options.keep_sources) out.sources[std::string(source_name)] = std::string(text);
  return out;
}

// ---- Scan -------------------------------------------------------------------

Result<ScanReport> Engine::ScanPaths(const std::vector<std::string>& paths, const CallOptions& options) const {
  if (paths.empty()) return InvalidArgumentError("no path given");
  ScanOptions so = state_->config.scan;
  so.jobs = Jobs(state_->config, options);
  // RuleSet::ScanPaths loads and frees the trees on the threads that built
  // them (the fast path). It reports a PATH that does not exist as the only
  // error of a report that read no file; the engine's rule makes it an error.
  ScanReport report = state_->rules->ScanPaths(paths, so, state_->config.parse);
  if (report.stats.files == 0 && report.stats.objects == 0 && report.errors.size() == 1 && report.warnings.empty()) {
    return report.errors.front();
  }
  return report;
}

ScanReport Engine::ScanText(std::string_view text, std::string_view source_name, const CallOptions& options) const {
  ScanOptions so = state_->config.scan;
  so.jobs = Jobs(state_->config, options);
  return state_->rules->ScanText(text, source_name, so, state_->config.parse);
}

ScanReport Engine::Scan(const LoadedInputs& inputs, const CallOptions& options) const {
  ScanOptions so = state_->config.scan;
  so.jobs = Jobs(state_->config, options);
  ScanReport report = state_->rules->Scan(inputs.load.manifests, so);
  report.errors.insert(report.errors.begin(), inputs.load.errors.begin(), inputs.load.errors.end());
  report.warnings.insert(report.warnings.begin(), inputs.load.warnings.begin(), inputs.load.warnings.end());
  report.stats.files = inputs.files;
  return report;
}

// ---- Fix --------------------------------------------------------------------

Result<FixReport> Engine::FixPaths(const std::vector<std::string>& paths, const CallOptions& options) const {
  if (options.writer != nullptr && (options.on_results || options.on_objects)) {
    return InvalidArgumentError("CallOptions: writer excludes on_results and on_objects");  // before any work
  }
  if (state_->config.scan.context == LintContext::kPerFile) return FixPathsJoined(paths, options);
  Result<LoadedInputs> inputs = Load(paths, options);
  if (!inputs.ok()) return inputs.status();
  return Fix(std::move(*inputs), options);
}

FixReport Engine::FixText(std::string_view text, std::string_view source_name, const CallOptions& options) const {
  return Fix(LoadText(text, source_name, options), options);
}

FixReport Engine::Fix(LoadedInputs inputs, const CallOptions& options) const {
  FixOptions fo;
  fo.jobs = Jobs(state_->config, options);
  fo.keep_patched = options.keep_patched;
  fo.on_results = options.on_results;
  fo.on_objects = options.on_objects;
  fo.writer = options.writer;
  if (options.progress) {
    fo.progress = [&options](std::size_t done, std::size_t total) { options.progress("fix", done, total); };
  }
  FixReport report = FixLoaded(std::move(inputs.load), inputs.files, state_->rules, state_->config.fix, fo);
  report.sources = std::move(inputs.sources);
  return report;
}

Result<FixReport> Engine::FixPathsJoined(const std::vector<std::string>& paths, const CallOptions& options) const {
  if (options.writer != nullptr) {
    // The parts' results and objects go to the writer as the callbacks
    // would receive them.
    CallOptions o = options;  // FixPaths has refused a writer with callbacks
    FixReportWriter* w = options.writer;
    o.writer = nullptr;
    o.on_results = [w](std::vector<FixResult>&& results) { w->AddResults(results); };
    o.on_objects = [w](std::vector<ObjectFix>&& objects, const std::vector<Manifest>& manifests) {
      w->AddObjects(objects, manifests);
    };
    return FixPathsJoined(paths, o);
  }
  // The parts of a per-file run joined into one report: results in report
  // order, objects and load errors in input order (as one load lists them).
  const auto t0 = std::chrono::steady_clock::now();
  FixReport out;
  struct Keyed {
    std::uint64_t key;
    std::size_t index;
  };
  std::vector<Keyed> object_keys, error_keys;
  std::vector<ObjectFix> objects;
  std::vector<Status> errors;
  std::uint64_t part = 0;
  CallOptions call = options;
  call.keep_trees = true;
  Result<FixSummary> summary = FixPathsPerFile(
      paths, WriteBackOptions(),
      [&](FileFixReport&& f) {
        FixReport& r = f.report;
        const std::size_t base = out.manifests.size();
        for (std::size_t i = 0; i < r.objects.size(); ++i) {
          r.objects[i].object_index += base;
          object_keys.push_back({f.object_inputs[i], objects.size()});
          objects.push_back(std::move(r.objects[i]));
        }
        for (std::size_t i = 0; i < r.errors.size(); ++i) {
          const std::uint64_t key = f.error_inputs[i] == FileFixReport::kNoInput ? (std::uint64_t{1} << 63) + part
                                                                                 : f.error_inputs[i];
          error_keys.push_back({key, errors.size()});
          errors.push_back(std::move(r.errors[i]));
        }
        ++part;
        for (FixResult& x : r.results) x.finding.object_index += base;
        if (options.on_results) {
          if (!r.results.empty()) options.on_results(std::move(r.results));
        } else {
          for (FixResult& x : r.results) out.results.push_back(std::move(x));
        }
        for (Finding& x : r.scan.findings) {
          x.object_index += base;
          out.scan.findings.push_back(std::move(x));
        }
        for (Finding& x : r.scan.ignored) {
          x.object_index += base;
          out.scan.ignored.push_back(std::move(x));
        }
        for (Status& x : r.scan.warnings) out.scan.warnings.push_back(std::move(x));
        out.scan.stats.files += r.scan.stats.files;
        out.scan.stats.objects += r.scan.stats.objects;
        out.scan.stats.findings += r.scan.stats.findings;
        out.scan.stats.ignored += r.scan.stats.ignored;
        for (const auto& [check, n] : r.scan.stats.by_check) out.scan.stats.by_check[check] += n;
        for (Manifest& m : r.manifests) out.manifests.push_back(std::move(m));
        for (auto& [file, text] : r.sources) out.sources[file] = std::move(text);
        return Status::Ok();
      },
      call);
  if (!summary.ok()) return summary.status();
  auto by_key = [](const Keyed& a, const Keyed& b) { return a.key < b.key; };
  std::stable_sort(object_keys.begin(), object_keys.end(), by_key);
  std::stable_sort(error_keys.begin(), error_keys.end(), by_key);
  for (const Keyed& k : object_keys) out.objects.push_back(std::move(objects[k.index]));
  for (const Keyed& k : error_keys) out.errors.push_back(std::move(errors[k.index]));
  if (options.on_objects && !out.objects.empty()) {
    options.on_objects(std::move(out.objects), out.manifests);
    out.objects.clear();
  }
  out.scan.errors = out.errors;
  out.summary = std::move(*summary);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.scan.stats.seconds = out.seconds;
  return out;
}

// ---- Propose ----------------------------------------------------------------

Result<FixReport> Engine::ProposePaths(const std::vector<std::string>& paths, const ProposeBackend& backend,
                                       const CallOptions& options) const {
  if (Status s = ValidateProposeConfig(backend.config ? *backend.config : state_->config.propose); !s.ok()) return s;
  Result<LoadedInputs> inputs = Load(paths, options);
  if (!inputs.ok()) return inputs.status();
  return Propose(std::move(*inputs), backend, options);
}

Result<FixReport> Engine::ProposeText(std::string_view text, std::string_view source_name,
                                      const ProposeBackend& backend, const CallOptions& options) const {
  return Propose(LoadText(text, source_name, options), backend, options);
}

Result<FixReport> Engine::Propose(LoadedInputs inputs, const ProposeBackend& backend,
                                  const CallOptions& options) const {
  const ProposeConfig& pc = backend.config ? *backend.config : state_->config.propose;
  if (Status s = ValidateProposeConfig(pc); !s.ok()) return s;
  FixOptions fo;
  fo.jobs = Jobs(state_->config, options);
  fo.record_proposer = true;
  if (options.progress) {
    fo.progress = [&options](std::size_t done, std::size_t total) { options.progress("fix", done, total); };
  }
  if (pc.mode == ProposeMode::kOpenAI) {
    auto model = std::make_shared<ModelProposer>();
    model->config = pc;
    if (backend.model) {
      model->transport = backend.model;
    } else if (backend.http) {
      Result<OpenAITransport> t = MakeOpenAITransport(pc, backend.http, backend.sleep);
      if (!t.ok()) return t.status();
      model->transport = std::move(t->transport);
    } else {
      return InvalidArgumentError("propose mode openai needs a model transport or an HTTP POST (ProposeBackend)");
    }
    fo.model = std::move(model);
  }
  FixReport report = FixLoaded(std::move(inputs.load), inputs.files, state_->rules, state_->config.fix, fo);
  report.sources = std::move(inputs.sources);
  return report;
}

// ---- Verify -----------------------------------------------------------------

Result<Verdict> Engine::Verify(const LoadedInputs& inputs, std::string_view patch_text,
                               const VerifyTarget& target) const {
  const std::vector<Manifest>& objects = inputs.load.manifests;
  std::size_t index = objects.size();
  for (std::size_t i = 0; i < objects.size(); ++i) {
    if (objects[i].document == target.document) {
      index = i;
      break;
    }
  }
  if (index == objects.size()) {
    for (const Status& e : inputs.load.errors) {
      if (e.location().document == target.document || e.location().document < 0) return e;
    }
    std::string where = objects.empty() ? std::string() : " of " + objects.front().file;
    if (objects.empty() && !inputs.load.errors.empty()) return inputs.load.errors.front();
    return NotFoundError("document " + std::to_string(target.document) + " not found" + where);
  }
  Result<std::unique_ptr<Guard>> guard = Guard::Create(state_->rules, state_->config.fix, objects);
  if (!guard.ok()) return guard.status();
  // The targeted finding, when a check is named: it must exist before.
  const Finding* finding = nullptr;
  if (!target.check.empty()) {
    for (const Finding& f : (*guard)->baseline().findings) {
      if (f.object_index == index && f.check == target.check &&
          (target.container.empty() || f.container == target.container)) {
        finding = &f;
        break;
      }
    }
    if (finding == nullptr) {
      return NotFoundError("no finding of check " + target.check +
                           (target.container.empty() ? "" : " on container " + target.container) + " in document " +
                           std::to_string(target.document));
    }
  }
  return (*guard)->VetText(index, patch_text, finding);
}

// ---- Risk and schedule ------------------------------------------------------

Result<RiskReport> Engine::ScorePaths(const std::vector<std::string>& paths, const CallOptions& options) const {
  (void)options;
  if (paths.empty()) return InvalidArgumentError("no path given");
  return ScanAndScore(*state_->rules, *state_->scorer, paths, state_->config.parse);
}

RiskReport Engine::ScoreText(std::string_view text, std::string_view source_name, const CallOptions& options) const {
  LoadedInputs inputs = LoadText(text, source_name, options);
  ScanReport scan = Scan(inputs, options);
  RiskReport report;
  report.results = ScoreFindings(*state_->scorer, scan.findings, inputs.load.manifests);
  report.errors = std::move(scan.errors);
  report.files = 1;
  report.objects = static_cast<std::int64_t>(inputs.load.manifests.size());
  return report;
}

ScheduleReport Engine::Rank(RiskReport risk) const {
  ScheduleReport out;
  // A batch scheduled at one instant: every item enqueued at t = 0, now = 0.
  const std::vector<ScheduleItem> items = ScheduleItemsFromFindings(risk.results, 0.0);
  out.ranked = Scheduler(state_->config.schedule).Rank(items, 0.0);
  out.risk = std::move(risk);
  return out;
}

SimulationReport Engine::Simulate(const RiskReport& risk, int top_k) const {
  const std::vector<ScheduleItem> items = ScheduleItemsFromFindings(risk.results, 0.0);
  return kfix::Simulate(items, Scheduler(state_->config.schedule), top_k, 0.0);
}

// ---- Run --------------------------------------------------------------------

namespace {

PipelineOptions RunOptions(const EngineConfig& config, const std::shared_ptr<const LoadedFeeds>& feeds,
                           const CallOptions& options) {
  PipelineOptions po;
  po.fix = config.fix;
  po.risk = config.risk;
  po.loaded_feeds = feeds;
  po.scheduler = config.schedule;
  po.now = options.now;
  po.jobs = Jobs(config, options);
  po.parse = config.parse;
  po.progress = options.progress;
  return po;
}

}  // namespace

Result<PipelineResult> Engine::Run(const std::vector<std::string>& paths, const CallOptions& options) const {
  // RunPipeline loads (timing the load stage) and runs the loop.
  return RunPipeline(paths, state_->rules, RunOptions(state_->config, state_->feeds, options));
}

Result<PipelineResult> Engine::RunText(std::string_view text, std::string_view source_name,
                                       const CallOptions& options) const {
  return Run(LoadText(text, source_name, options), options);
}

Result<PipelineResult> Engine::Run(LoadedInputs inputs, const CallOptions& options) const {
  return RunPipelineOnLoad(std::move(inputs.load), inputs.files, state_->rules,
                           RunOptions(state_->config, state_->feeds, options));
}

// ---- Audit ------------------------------------------------------------------

namespace {

Value AcceptedRecord(const EngineConfig& config, const FixReport& report, std::size_t result,
                     const PipelineResult* run, std::int64_t rank, double score) {
  Value record = FixResultToValue(report.results[result]);
  record.Set("profile", FixProfileName(config.fix.profile));
  if (run != nullptr && result < run->risk.size()) {
    record.Set("risk", RiskResultToValue(run->risk[result]));
    if (rank > 0) {
      record.Set("rank", rank);
      record.Set("score", score);
    }
  }
  return record;
}

}  // namespace

Value Engine::AcceptedFixRecord(const FixReport& report, std::size_t result, const PipelineResult* run) const {
  if (result >= report.results.size()) return Value();
  std::int64_t rank = 0;
  double score = 0.0;
  if (run != nullptr) {
    for (std::size_t i = 0; i < run->schedule.size(); ++i) {
      if (run->schedule[i].result == result) {
        rank = static_cast<std::int64_t>(i + 1);
        score = run->schedule[i].scored.score;
        break;
      }
    }
  }
  return AcceptedRecord(state_->config, report, result, run, rank, score);
}

Status Engine::RecordAcceptedFixes(AuditLog& log, const FixReport& report) const {
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    if (report.results[i].status != FixStatus::kAccepted) continue;
    Result<AuditEntry> e =
        log.Append("kfix.fix.accepted", AcceptedRecord(state_->config, report, i, nullptr, 0, 0.0));
    if (!e.ok()) return e.status();
  }
  return Status::Ok();
}

Status Engine::RecordRun(AuditLog& log, const PipelineResult& run) const {
  // In schedule order; the summary only after every record made it (a chain
  // must not skip records).
  for (std::size_t rank = 0; rank < run.schedule.size(); ++rank) {
    const ScheduledFix& sf = run.schedule[rank];
    if (sf.result >= run.fix.results.size()) continue;
    Result<AuditEntry> e =
        log.Append("kfix.fix.accepted", AcceptedRecord(state_->config, run.fix, sf.result, &run,
                                                       static_cast<std::int64_t>(rank + 1), sf.scored.score));
    if (!e.ok()) return e.status();
  }
  Result<AuditEntry> e = log.Append("kfix.run.completed", PipelineSummaryToValue(run));
  return e.ok() ? Status::Ok() : e.status();
}

// ---- Documents --------------------------------------------------------------

Value ScheduleReportToValue(const ScheduleReport& r, std::size_t top) {
  Value out = Value::MakeObject();
  out.Set("schemaVersion", 2);
  Value list = Value::MakeArray();
  const std::size_t limit = top == 0 ? r.ranked.size() : std::min(top, r.ranked.size());
  for (std::size_t i = 0; i < limit; ++i) {
    const ScoredItem& s = r.ranked[i];
    const ScoredFinding& f = r.risk.results[std::stoull(s.item.id)];
    Value v = Value::MakeObject();
    v.Set("rank", static_cast<std::int64_t>(i + 1));
    v.Set("score", s.score);
    v.Set("R", s.item.risk);
    v.Set("p", s.p);
    v.Set("Et", s.expected_seconds);
    v.Set("explore", s.explore);
    v.Set("waitHours", s.wait_hours);
    v.Set("kev", s.item.kev);
    v.Set("check", f.finding.check);
    v.Set("file", f.finding.file);
    v.Set("line", f.finding.line);
    v.Set("namespace", f.finding.object.namespace_);
    v.Set("kind", f.finding.object.kind);
    v.Set("name", f.finding.object.name);
    list.PushBack(std::move(v));
  }
  out.Set("items", std::move(list));
  Value errors = Value::MakeArray();
  for (const Status& e : r.risk.errors) errors.PushBack(StatusToValue(e));
  out.Set("errors", std::move(errors));
  return out;
}

Value PipelineRunToValue(const PipelineResult& r) {
  Value v = Value::MakeObject();
  v.Set("schemaVersion", 2);
  v.Set("findings", PipelineFindingsToValue(r));
  v.Set("fixes", PipelineFixesToValue(r));
  v.Set("risk", PipelineRiskToValue(r));
  v.Set("schedule", PipelineScheduleToValue(r));
  v.Set("summary", PipelineSummaryToValue(r));
  return v;
}

}  // namespace kfix
