// The `kfix run` loop: load → scan → fix → guard → risk → schedule.
#include "kfix/pipeline.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <utility>

#include "core/parallel_internal.hpp"
#include "pipeline/documents_internal.hpp"

namespace kfix {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

SourceLocation At(std::string file) {
  SourceLocation l;
  l.file = std::move(file);
  return l;
}

double Since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Serialises progress calls from worker threads.
class ProgressSink {
 public:
  explicit ProgressSink(const PipelineProgress& fn) : fn_(fn) {}
  void operator()(std::string_view stage, std::size_t done, std::size_t total) {
    if (!fn_) return;
    std::lock_guard<std::mutex> lock(mu_);
    fn_(stage, done, total);
  }

 private:
  const PipelineProgress& fn_;
  std::mutex mu_;
};

const char* RiskBand(double risk) {
  if (risk >= 90.0) return "critical";
  if (risk >= 70.0) return "high";
  if (risk >= 40.0) return "medium";
  return "low";
}


/// Fills the summary from the fix report, risk and schedule.
void Summarise(PipelineResult& r) {
  PipelineSummary& s = r.summary;
  const FixSummary& fs = r.fix.summary;
  s.files = r.fix.scan.stats.files;
  s.objects = static_cast<std::int64_t>(r.fix.manifests.size());
  s.findings = fs.findings;
  s.accepted = fs.accepted;
  s.rejected = fs.rejected;
  s.needs_review = fs.needs_review;
  s.unfixable = fs.unfixable;
  s.ignored = static_cast<std::int64_t>(r.fix.scan.ignored.size());
  s.errors = static_cast<std::int64_t>(r.fix.scan.errors.size());
  s.warnings = static_cast<std::int64_t>(r.fix.scan.warnings.size());
  s.objects_patched = static_cast<std::int64_t>(
      std::count_if(r.fix.objects.begin(), r.fix.objects.end(), [](const ObjectFix& o) { return o.accepted; }));
  s.scheduled = static_cast<std::int64_t>(r.schedule.size());
  s.median_ops = fs.median_ops;
  s.max_ops = fs.max_ops;
  s.by_check = fs.by_check;
  for (const char* band : {"critical", "high", "medium", "low"}) s.by_risk_band[band] = 0;
  double sum = 0.0;
  for (std::size_t i = 0; i < r.fix.results.size(); ++i) {
    const RiskResult& risk = r.risk[i];
    ++s.by_severity[SeverityName(r.fix.results[i].finding.severity)];
    ++s.by_risk_band[RiskBand(risk.risk)];
    if (risk.kev) ++s.kev_findings;
    s.max_risk = std::max(s.max_risk, risk.risk);
    sum += risk.risk;
  }
  if (!r.fix.results.empty()) {
    s.mean_risk = std::round(sum / static_cast<double>(r.fix.results.size()) * 100.0) / 100.0;
  }
}

Result<PipelineResult> Finish(PipelineResult r, const PipelineOptions& options, ProgressSink& progress,
                              Clock::time_point t_start, double load_seconds) {
  r.summary.timing_seconds["load"] = load_seconds;
  // Risk.
  Clock::time_point t = Clock::now();
  const RiskScorer scorer(options.risk, r.feeds->View());
  const std::size_t n = r.fix.results.size();
  r.risk.resize(n);
  std::atomic<std::size_t> scored{0};
  internal::ParallelFor(n, internal::ThreadCount(options.jobs, n), [&](std::size_t i) {
    const Finding& f = r.fix.results[i].finding;
    const Value& object = r.fix.manifests[f.object_index].root;
    r.risk[i] = scorer.Score(f, WorkloadImages(object, f.container));
    const std::size_t done = scored.fetch_add(1) + 1;
    if (done % 256 == 0 || done == n) progress("risk", done, n);
  });
  r.summary.timing_seconds["risk"] = Since(t);
  // Schedule the accepted fixes.
  t = Clock::now();
  std::vector<ScheduleItem> items;
  for (std::size_t i = 0; i < n; ++i) {
    const FixResult& fr = r.fix.results[i];
    if (fr.status != FixStatus::kAccepted) continue;
    ScheduleItem item;
    item.id = std::to_string(i);
    item.arm = fr.finding.check;
    item.group = fr.finding.object.namespace_;
    item.risk = r.risk[i].risk;
    item.kev = r.risk[i].kev;
    item.enqueued_at = options.now;
    items.push_back(std::move(item));
  }
  r.scheduler = options.scheduler;
  r.now = options.now;
  const Scheduler scheduler(options.scheduler);
  for (ScoredItem& s : scheduler.Rank(items, options.now)) {
    ScheduledFix sf;
    sf.result = static_cast<std::size_t>(std::stoull(s.item.id));
    sf.scored = std::move(s);
    r.schedule.push_back(std::move(sf));
  }
  r.summary.timing_seconds["schedule"] = Since(t);
  r.summary.timing_seconds["fix"] = r.fix.seconds;
  Summarise(r);
  r.summary.timing_seconds["total"] = Since(t_start);
  return r;
}

Status LoadFeeds(const PipelineOptions& options, std::shared_ptr<const LoadedFeeds>& out) {
  if (options.loaded_feeds) {
    out = options.loaded_feeds;
    return Status();
  }
  if (options.feeds.epss.empty() && options.feeds.kev.empty() && options.feeds.trivy.empty()) {
    out = std::make_shared<const LoadedFeeds>();
    return Status();
  }
  Result<LoadedFeeds> feeds = LoadRiskFeeds(options.feeds);
  if (!feeds.ok()) return feeds.status();
  out = std::make_shared<const LoadedFeeds>(std::move(*feeds));
  return Status();
}

Status WriteAtomically(const fs::path& path, const std::string& text) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return IoError("cannot create " + tmp.string(), At(tmp.string()));
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) return IoError("cannot write " + tmp.string(), At(tmp.string()));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return IoError("cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message(),
                   At(path.string()));
  }
  return Status();
}

}  // namespace

namespace {

/// The loop after loading: feeds, fix (with the load's errors), risk, schedule.
Result<PipelineResult> RunLoaded(LoadResult loaded, std::int64_t files, std::shared_ptr<const RuleSet> rules,
                                 const PipelineOptions& options, Clock::time_point t0, double load_seconds) {
  if (!rules) return InvalidArgumentError("RunPipeline: no rule set");
  PipelineResult r;
  if (Status s = LoadFeeds(options, r.feeds); !s.ok()) return s;
  ProgressSink progress(options.progress);
  FixOptions fo;
  fo.jobs = options.jobs;
  fo.progress = [&progress](std::size_t done, std::size_t total) { progress("fix", done, total); };
  r.fix = FixLoaded(std::move(loaded), files, std::move(rules), options.fix, fo);
  return Finish(std::move(r), options, progress, t0, load_seconds);
}

}  // namespace

Result<PipelineResult> RunPipelineOnObjects(std::vector<Manifest> objects, std::shared_ptr<const RuleSet> rules,
                                            const PipelineOptions& options) {
  LoadResult loaded;
  loaded.manifests = std::move(objects);
  return RunLoaded(std::move(loaded), -1, std::move(rules), options, Clock::now(), 0.0);
}

Result<PipelineResult> RunPipelineOnLoad(LoadResult loaded, std::int64_t files, std::shared_ptr<const RuleSet> rules,
                                         const PipelineOptions& options) {
  return RunLoaded(std::move(loaded), files, std::move(rules), options, Clock::now(), 0.0);
}

Result<PipelineResult> RunPipeline(const std::vector<std::string>& paths, std::shared_ptr<const RuleSet> rules,
                                   const PipelineOptions& options) {
  const Clock::time_point t0 = Clock::now();
  if (!rules) return InvalidArgumentError("RunPipeline: no rule set");
  if (paths.empty()) return InvalidArgumentError("RunPipeline: no path given");
  // Feeds first: a bad feed file fails before any work is done.
  std::shared_ptr<const LoadedFeeds> feeds;
  if (Status s = LoadFeeds(options, feeds); !s.ok()) return s;
  PipelineOptions with_feeds = options;
  with_feeds.loaded_feeds = std::move(feeds);
  ProgressSink progress(options.progress);

  // Load every file (in parallel, starting during the directory walk; in
  // file order).
  LoadPathsOptions lo;
  lo.parse = options.parse;
  lo.jobs = options.jobs;
  lo.skip = [&rules](const std::string& f) { return rules->IsPathIgnored(f); };
  lo.progress = [&progress](std::size_t done, std::size_t found) { progress("load", done, found); };
  Result<std::vector<LoadedFile>> loaded = LoadPaths(paths, lo);
  if (!loaded.ok()) return loaded.status();
  const auto nfiles = static_cast<std::int64_t>(loaded->size());
  LoadResult all = MergeLoadedFiles(std::move(*loaded));
  const double load_seconds = Since(t0);
  return RunLoaded(std::move(all), nfiles, std::move(rules), with_feeds, t0, load_seconds);
}

// ---------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------

Value PipelineFindingsToValue(const PipelineResult& r) { return ScanReportToValue(r.fix.scan, /*include_time=*/false); }

Value PipelineFixesToValue(const PipelineResult& r) {
  Value v = FixReportToValue(r.fix);
  if (Value* results = v.Find("results"); results != nullptr && results->is_array()) {
    Value::Array& a = results->as_array();
    for (std::size_t i = 0; i < a.size() && i < r.risk.size(); ++i) a[i].Set("risk", RiskResultToValue(r.risk[i]));
  }
  return v;
}

Value PipelineRiskToValue(const PipelineResult& r) {
  RiskReport report;
  report.results.reserve(r.fix.results.size());
  for (std::size_t i = 0; i < r.fix.results.size(); ++i) report.results.push_back({r.fix.results[i].finding, r.risk[i]});
  report.errors = r.fix.scan.errors;
  report.files = r.fix.scan.stats.files;
  report.objects = static_cast<std::int64_t>(r.fix.manifests.size());
  return RiskReportToValue(report, *r.feeds);
}

Value PipelineScheduleToValue(const PipelineResult& r) {
  Value v = Value::MakeObject();
  v.Set("schemaVersion", 2);
  v.Set("now", r.now);
  Value cfg = Value::MakeObject();
  cfg.Set("alpha", r.scheduler.alpha);
  cfg.Set("epsilon", r.scheduler.epsilon);
  cfg.Set("kevWeight", r.scheduler.kev_weight);
  cfg.Set("exploreWeight", r.scheduler.explore_weight);
  cfg.Set("exploration", ExplorationName(r.scheduler.exploration));
  cfg.Set("ucbBeta", r.scheduler.ucb_beta);
  cfg.Set("seed", static_cast<std::int64_t>(r.scheduler.seed));
  cfg.Set("priorAccept", r.scheduler.prior_accept);
  cfg.Set("priorReject", r.scheduler.prior_reject);
  cfg.Set("priorSeconds", r.scheduler.prior_seconds);
  cfg.Set("fairness", FairnessName(r.scheduler.fairness));
  cfg.Set("fairnessK", static_cast<std::int64_t>(r.scheduler.fairness_k));
  cfg.Set("fairnessTopN", static_cast<std::int64_t>(r.scheduler.fairness_top_n));
  v.Set("config", std::move(cfg));
  Value items = Value::MakeArray();
  std::int64_t rank = 0;
  for (const ScheduledFix& sf : r.schedule) {
    const FixResult& fr = r.fix.results[sf.result];
    const Finding& f = fr.finding;
    Value e = Value::MakeObject();
    e.Set("rank", ++rank);
    e.Set("result", static_cast<std::int64_t>(sf.result));
    e.Set("check", f.check);
    e.Set("policy", f.policy);
    e.Set("file", f.file);
    e.Set("document", f.document);
    if (f.item >= 0) e.Set("item", f.item);
    e.Set("line", f.line);
    e.Set("object", ObjectRefToValue(f.object));
    e.Set("container", f.container);
    e.Set("risk", sf.scored.item.risk);
    e.Set("kev", sf.scored.item.kev);
    e.Set("score", sf.scored.score);
    e.Set("p", sf.scored.p);
    e.Set("expectedSeconds", sf.scored.expected_seconds);
    e.Set("explore", sf.scored.explore);
    e.Set("waitHours", sf.scored.wait_hours);
    e.Set("patch", PatchToValue(fr.patch));
    items.PushBack(std::move(e));
  }
  v.Set("items", std::move(items));
  return v;
}

Value PipelineSummaryToValue(const PipelineResult& r) {
  const PipelineSummary& s = r.summary;
  Value v = Value::MakeObject();
  v.Set("schemaVersion", 1);
  v.Set("files", s.files);
  v.Set("objects", s.objects);
  v.Set("findings", s.findings);
  v.Set("accepted", s.accepted);
  v.Set("rejected", s.rejected);
  v.Set("needs_review", s.needs_review);
  v.Set("unfixable", s.unfixable);
  v.Set("ignored", s.ignored);
  v.Set("errors", s.errors);
  v.Set("warnings", s.warnings);
  v.Set("objects_patched", s.objects_patched);
  v.Set("scheduled", s.scheduled);
  v.Set("kev_findings", s.kev_findings);
  v.Set("median_ops", s.median_ops);
  v.Set("max_ops", s.max_ops);
  v.Set("max_risk", s.max_risk);
  v.Set("mean_risk", s.mean_risk);
  Value bands = Value::MakeObject();
  for (const char* band : {"critical", "high", "medium", "low"}) {
    auto it = s.by_risk_band.find(band);
    bands.Set(band, it == s.by_risk_band.end() ? std::int64_t{0} : it->second);
  }
  v.Set("by_risk_band", std::move(bands));
  Value sev = Value::MakeObject();
  for (const auto& [name, count] : s.by_severity) sev.Set(name, count);
  v.Set("by_severity", std::move(sev));
  v.Set("by_check", internal::ByCheckToValue(s.by_check));
  Value feeds = Value::MakeObject();
  const LoadedFeeds& lf = *r.feeds;
  feeds.Set("epss", lf.has_epss ? Value(lf.epss.source) : Value());
  feeds.Set("kev", lf.has_kev ? Value(lf.kev.source) : Value());
  feeds.Set("images", lf.has_images ? Value(static_cast<std::int64_t>(lf.images.by_image.size())) : Value());
  v.Set("feeds", std::move(feeds));
  Value timing = Value::MakeObject();
  for (const auto& [stage, seconds] : s.timing_seconds) timing.Set(stage, std::round(seconds * 1e6) / 1e6);
  v.Set("timing_seconds", std::move(timing));
  return v;
}

Status WritePipelineOutputs(const PipelineResult& r, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir, ec)) {
    return IoError("cannot create output directory " + dir + (ec ? ": " + ec.message() : ""), At(dir));
  }
  const std::pair<const char*, Value (*)(const PipelineResult&)> docs[] = {
      {"findings.json", PipelineFindingsToValue}, {"fixes.json", PipelineFixesToValue},
      {"risk.json", PipelineRiskToValue},         {"schedule.json", PipelineScheduleToValue},
      {"summary.json", PipelineSummaryToValue},
  };
  for (const auto& [name, render] : docs) {
    std::string text = ToJson(render(r), JsonStyle::kPretty);
    text.push_back('\n');
    if (Status s = WriteAtomically(fs::path(dir) / name, text); !s.ok()) return s;
  }
  return Status();
}

std::string PipelineSummaryToText(const PipelineResult& r, std::size_t top) {
  const PipelineSummary& s = r.summary;
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "kfix run: %lld files, %lld objects, %lld findings (%lld ignored), %lld load errors\n\n",
                static_cast<long long>(s.files), static_cast<long long>(s.objects),
                static_cast<long long>(s.findings), static_cast<long long>(s.ignored),
                static_cast<long long>(s.errors));
  out += buf;
  auto pct = [&](std::int64_t n) {
    return s.findings == 0 ? 0.0 : 100.0 * static_cast<double>(n) / static_cast<double>(s.findings);
  };
  out += "STATUS         COUNT      %\n";
  const std::pair<const char*, std::int64_t> rows[] = {{"accepted", s.accepted},
                                                       {"rejected", s.rejected},
                                                       {"needs-review", s.needs_review},
                                                       {"unfixable", s.unfixable}};
  for (const auto& [name, n] : rows) {
    std::snprintf(buf, sizeof buf, "%-12s %7lld %6.1f\n", name, static_cast<long long>(n), pct(n));
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "%-12s %7lld\n\n", "total", static_cast<long long>(s.findings));
  out += buf;
  std::snprintf(buf, sizeof buf,
                "patches: median %.1f ops, max %lld; %lld objects patched (merged patch re-vetted)\n",
                s.median_ops, static_cast<long long>(s.max_ops), static_cast<long long>(s.objects_patched));
  out += buf;
  auto band = [&](const char* b) {
    auto it = s.by_risk_band.find(b);
    return static_cast<long long>(it == s.by_risk_band.end() ? 0 : it->second);
  };
  std::snprintf(buf, sizeof buf,
                "risk: critical %lld, high %lld, medium %lld, low %lld (max %.2f, mean %.2f, KEV %lld)\n",
                band("critical"), band("high"), band("medium"), band("low"), s.max_risk, s.mean_risk,
                static_cast<long long>(s.kev_findings));
  out += buf;
  if (!r.schedule.empty()) {
    std::snprintf(buf, sizeof buf, "\nSCHEDULE (first %zu of %zu accepted fixes)\n", std::min(top, r.schedule.size()),
                  r.schedule.size());
    out += buf;
    std::snprintf(buf, sizeof buf, "%4s %6s %8s %3s  %-32s %s\n", "RANK", "RISK", "SCORE", "OPS", "CHECK",
                  "OBJECT (FILE:LINE)");
    out += buf;
    for (std::size_t i = 0; i < r.schedule.size() && i < top; ++i) {
      const ScheduledFix& sf = r.schedule[i];
      const FixResult& fr = r.fix.results[sf.result];
      const Finding& f = fr.finding;
      std::string object = f.object.kind + "/" + (f.object.namespace_.empty() ? "" : f.object.namespace_ + "/") +
                           f.object.name + (f.container.empty() ? "" : "[" + f.container + "]");
      std::snprintf(buf, sizeof buf, "%4zu %6.2f %8.3f %3zu  %-32s %s (%s:%d)\n", i + 1, sf.scored.item.risk,
                    sf.scored.score, fr.patch.size(), f.check.c_str(), object.c_str(), f.file.c_str(), f.line);
      out += buf;
    }
  }
  return out;
}

}  // namespace kfix
