// Per-file streaming (docs/performance.md, "Streaming per file"): scan and
// fix one lint context per file, each file's trees freed before the next
// window of files is loaded, results handed over in report order.
#include <algorithm>
#include <chrono>
#include <map>
#include <utility>

#include "engine/stream_internal.hpp"
#include "kfix/engine.hpp"
#include "pipeline/write_back_internal.hpp"

namespace kfix {
namespace internal {

Result<PerFileRun> PlanPerFileRun(const std::vector<std::string>& paths,
                                  const std::function<bool(const std::string&)>& skip) {
  Result<std::vector<std::string>> expanded = ExpandPaths(paths);
  if (!expanded.ok()) return expanded.status();
  PerFileRun run;
  for (std::string& f : *expanded) {
    if (skip && skip(f)) continue;
    run.inputs.push_back(std::move(f));
  }
  // Report order is by path (findings sort by file first); one path named
  // twice is one lint context, as when everything is scanned at once.
  run.order.resize(run.inputs.size());
  for (std::size_t i = 0; i < run.order.size(); ++i) run.order[i] = i;
  std::stable_sort(run.order.begin(), run.order.end(),
                   [&](std::size_t a, std::size_t b) { return run.inputs[a] < run.inputs[b]; });
  for (std::size_t k = 0; k < run.order.size(); ++k) {
    if (run.groups.empty() || run.File(run.groups.back()) != run.inputs[run.order[k]]) run.groups.push_back({k, k});
    run.groups.back().end = k + 1;
  }
  return run;
}

LoadedGroup LoadGroup(const PerFileRun& run, const InputGroup& group, const LoadPathsOptions& options,
                      RunCounters& counters) {
  LoadedGroup out;
  if (options.keep_text) out.texts.resize(group.end - group.begin);
  for (std::size_t k = group.begin; k < group.end; ++k) {
    const std::size_t input = run.order[k];
    LoadResult r = LoadUnderRunLimits(run.inputs[input], options, counters,
                                      options.keep_text ? &out.texts[k - group.begin] : nullptr);
    for (Manifest& m : r.manifests) {
      out.load.manifests.push_back(std::move(m));
      out.manifest_inputs.push_back(input);
    }
    for (Status& e : r.errors) {
      out.load.errors.push_back(std::move(e));
      out.error_inputs.push_back(input);
    }
    for (Status& w : r.warnings) {
      out.load.warnings.push_back(std::move(w));
      out.warning_inputs.push_back(input);
    }
    out.load.documents += r.documents;
    out.load.nodes += r.nodes;
  }
  return out;
}

}  // namespace internal

namespace {

int StreamJobs(const EngineConfig& config, const CallOptions& options) {
  return options.jobs != 0 ? options.jobs : config.scan.jobs;
}

LoadPathsOptions StreamLoadOptions(const EngineConfig& config) {
  LoadPathsOptions lo;
  lo.parse = config.parse;
  lo.max_run_nodes = config.max_run_nodes;
  lo.max_run_documents = config.max_run_documents;
  return lo;
}

}  // namespace

Result<ScanStats> Engine::ScanPathsPerFile(const std::vector<std::string>& paths, const ScanFileSink& sink,
                                           const CallOptions& options) const {
  if (paths.empty()) return InvalidArgumentError("no path given");
  const auto t0 = std::chrono::steady_clock::now();
  const RuleSet& rules = *this->rules();
  Result<internal::PerFileRun> run =
      internal::PlanPerFileRun(paths, [&rules](const std::string& f) { return rules.IsPathIgnored(f); });
  if (!run.ok()) return run.status();
  const LoadPathsOptions lo = StreamLoadOptions(config());
  internal::RunCounters counters;
  ScanOptions so;
  so.context = LintContext::kPerFile;
  so.jobs = 1;  // the files are the parallel unit
  ScanStats totals;
  totals.files = static_cast<std::int64_t>(run->inputs.size());
  Status st = internal::StreamGroups<FileScanReport>(
      *run, StreamJobs(config(), options),
      [&](const internal::InputGroup& group) {
        internal::LoadedGroup g = internal::LoadGroup(*run, group, lo, counters);
        FileScanReport out;
        out.file = run->File(group);
        out.report = rules.Scan(g.load.manifests, so);
        g.load.manifests.clear();  // the trees go before the result waits for its turn
        std::vector<Status> scanned_errors = std::move(out.report.errors);
        std::vector<Status> shape_warnings = std::move(out.report.warnings);
        out.report.errors = std::move(g.load.errors);
        out.error_inputs = std::move(g.error_inputs);
        for (Status& e : scanned_errors) {
          out.report.errors.push_back(std::move(e));
          out.error_inputs.push_back(FileScanReport::kNoInput);
        }
        out.report.warnings = std::move(g.load.warnings);
        out.warning_inputs = std::move(g.warning_inputs);
        for (Status& w : shape_warnings) {
          out.report.warnings.push_back(std::move(w));
          out.warning_inputs.push_back(FileScanReport::kNoInput);
        }
        out.report.stats.files = static_cast<std::int64_t>(group.end - group.begin);
        return out;
      },
      [&](FileScanReport&& part) {
        const ScanStats& s = part.report.stats;
        totals.objects += s.objects;
        totals.findings += s.findings;
        totals.ignored += s.ignored;
        for (const auto& [check, n] : s.by_check) totals.by_check[check] += n;
        return sink(std::move(part));
      });
  if (!st.ok()) return st;
  totals.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return totals;
}

namespace {

/// What names an object (apiVersion, kind, metadata.name / namespace, the
/// root's position): all a fix report keeps of a tree once it is written back.
Value NamingSkeleton(const Value& root) {
  Value out = Value::MakeObject();
  out.set_position(root.line(), root.column());
  if (!root.is_object()) return out;
  for (const char* k : {"apiVersion", "kind"}) {
    if (const Value* v = root.Find(k)) out.Set(k, *v);
  }
  if (const Value* md = root.Find("metadata"); md != nullptr && md->is_object()) {
    Value m = Value::MakeObject();
    m.set_position(md->line(), md->column());
    for (const char* k : {"name", "namespace"}) {
      if (const Value* v = md->Find(k)) m.Set(k, *v);
    }
    out.Set("metadata", std::move(m));
  }
  return out;
}

/// The run's summary from its parts: counts and by-check tables add up; the
/// median and maximum of accepted patch sizes come from every part's results.
class SummaryTotals {
 public:
  void Add(const FixReport& part) {
    const FixSummary& p = part.summary;
    s_.findings += p.findings;
    s_.accepted += p.accepted;
    s_.rejected += p.rejected;
    s_.needs_review += p.needs_review;
    s_.unfixable += p.unfixable;
    for (const auto& [check, counts] : p.by_check) {
      for (const auto& [k, n] : counts) s_.by_check[check][k] += n;
    }
    for (const FixResult& r : part.results) {
      if (r.status == FixStatus::kAccepted) ++ops_[r.patch.size()];
    }
  }
  FixSummary Take() {
    std::int64_t n = 0;
    for (const auto& [size, count] : ops_) n += count;
    auto nth = [&](std::int64_t k) {  // the k-th smallest (0-based)
      for (const auto& [size, count] : ops_) {
        if (k < count) return static_cast<double>(size);
        k -= count;
      }
      return 0.0;
    };
    if (n > 0) {
      s_.median_ops = n % 2 ? nth(n / 2) : (nth(n / 2 - 1) + nth(n / 2)) / 2.0;
      s_.max_ops = static_cast<std::int64_t>(ops_.rbegin()->first);
    }
    return std::move(s_);
  }

 private:
  FixSummary s_;
  std::map<std::size_t, std::int64_t> ops_;  // accepted patch size -> results
};

}  // namespace

Result<FixSummary> Engine::FixPathsPerFile(const std::vector<std::string>& paths, const WriteBackOptions& write_back,
                                           const FixFileSink& sink, const CallOptions& options) const {
  if (paths.empty()) return InvalidArgumentError("no path given");
  const bool writing = write_back.mode != WriteMode::kNone || write_back.diff;
  WriteBackOptions wb = write_back;
  wb.parse = config().parse;
  internal::WriteBackLayout layout;
  std::vector<std::size_t> by_path;  // layout positions sorted by path (no second copy of the paths)
  if (writing) {
    if (Status s = CheckWriteBack(paths, wb); !s.ok()) return s;
    Result<internal::WriteBackLayout> l = internal::MakeWriteBackLayout(paths);
    if (!l.ok()) return l.status();
    layout = std::move(*l);
    by_path.resize(layout.files.size());
    for (std::size_t i = 0; i < by_path.size(); ++i) by_path[i] = i;
    std::sort(by_path.begin(), by_path.end(),
              [&](std::size_t a, std::size_t b) { return layout.files[a] < layout.files[b]; });
  }
  const RuleSet& rules = *this->rules();
  Result<internal::PerFileRun> run =
      internal::PlanPerFileRun(paths, [&rules](const std::string& f) { return rules.IsPathIgnored(f); });
  if (!run.ok()) return run.status();
  LoadPathsOptions lo = StreamLoadOptions(config());
  lo.keep_text = options.keep_sources || writing;
  internal::RunCounters counters;
  FixOptions fo;
  fo.jobs = 1;  // the files are the parallel unit
  fo.keep_patched = options.keep_patched;
  SummaryTotals totals;
  std::vector<char> written(layout.files.size(), 0);
  auto layout_position = [&](const std::string& file) -> std::size_t {
    auto it = std::lower_bound(by_path.begin(), by_path.end(), file,
                               [&](std::size_t i, const std::string& f) { return layout.files[i] < f; });
    return it != by_path.end() && layout.files[*it] == file ? *it : layout.files.size();
  };
  auto settle = [&](FileFixReport& out) {
    if (writing) {
      out.written_index = layout_position(out.file);
      if (out.written_index < layout.files.size()) {
        out.written.push_back(internal::WriteBackFile(out.report, out.written_index, layout, wb, &out.diff));
      }
    }
    if (!options.keep_trees) {
      for (Manifest& m : out.report.manifests) m.root = NamingSkeleton(m.root);
    }
    if (!options.keep_sources) out.report.sources.clear();
  };
  Status st = internal::StreamGroups<FileFixReport>(
      *run, StreamJobs(config(), options),
      [&](const internal::InputGroup& group) {
        internal::LoadedGroup g = internal::LoadGroup(*run, group, lo, counters);
        FileFixReport out;
        out.file = run->File(group);
        out.report = FixLoaded(std::move(g.load), static_cast<std::int64_t>(group.end - group.begin), this->rules(),
                               config().fix, fo);
        out.error_inputs = std::move(g.error_inputs);
        out.error_inputs.resize(out.report.errors.size(), FileFixReport::kNoInput);  // FixLoaded puts load errors first
        for (const ObjectFix& o : out.report.objects) out.object_inputs.push_back(g.manifest_inputs[o.object_index]);
        if (lo.keep_text && !g.texts.empty()) out.report.sources[run->File(group)] = std::move(g.texts.front());
        settle(out);
        return out;
      },
      [&](FileFixReport&& part) {
        totals.Add(part.report);
        if (writing && part.written_index < written.size()) written[part.written_index] = 1;
        return sink(std::move(part));
      });
  if (!st.ok()) return st;
  // Inputs that ignorePaths leaves out are written back too (WriteBack()
  // walks every input): unchanged, after the others.
  for (std::size_t i = 0; i < layout.files.size(); ++i) {
    if (written[i]) continue;
    FileFixReport out;
    out.file = layout.files[i];
    settle(out);
    if (Status s = sink(std::move(out)); !s.ok()) return s;
  }
  return totals.Take();
}

}  // namespace kfix
