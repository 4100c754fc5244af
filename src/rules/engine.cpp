// The scan engine: configuration, check resolution, RuleSet::Create and Scan.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/parallel_internal.hpp"
#include "rules/internal.hpp"
#include "rules/rescan_internal.hpp"

namespace kfix {

const char* SeverityName(Severity s) noexcept {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kInfo: return "info";
  }
  return "unknown";
}

Result<Severity> ParseSeverity(std::string_view name) {
  if (name == "error") return Severity::kError;
  if (name == "warning") return Severity::kWarning;
  if (name == "info") return Severity::kInfo;
  return InvalidArgumentError("unknown severity \"" + std::string(name) + "\" (want error, warning or info)");
}

namespace {

using internal::CheckImpl;
using internal::Get;
using internal::IsObject;
using internal::ObjectInfo;

SourceLocation At(const std::string& source, const Value* v) {
  SourceLocation l;
  l.file = source;
  if (v) {
    l.line = v->line();
    l.column = v->column();
  }
  return l;
}

SourceLocation AtKey(const std::string& source, const Member& m) {
  SourceLocation l;
  l.file = source;
  l.line = m.key_line;
  l.column = m.key_column;
  return l;
}

Status ConfigError(const std::string& source, const Value* at, const std::string& message) {
  return ParseError(message, At(source, at));
}

Result<std::vector<std::string>> StringListField(const std::string& source, const Value* v, const char* what) {
  std::vector<std::string> out;
  if (!v || v->is_null()) return out;
  if (!v->is_array()) return ConfigError(source, v, std::string(what) + " must be a list of strings");
  for (const Value& e : v->as_array()) {
    if (!e.is_string()) return ConfigError(source, &e, std::string(what) + " entries must be strings");
    out.push_back(e.as_string());
  }
  return out;
}

Result<bool> BoolField(const std::string& source, const Value* v, const char* what) {
  if (!v || v->is_null()) return false;
  if (!v->is_bool()) return ConfigError(source, v, std::string(what) + " must be a boolean");
  return v->as_bool();
}

// A check ready to run.
struct Entry {
  CheckInfo info;
  std::shared_ptr<const CheckImpl> impl;
};

class RuleSetImpl final : public RuleSet {
 public:
  std::vector<Entry> entries;            // sorted by name
  std::vector<CheckInfo> infos;          // same order
  std::vector<std::string> ignore_paths; // as configured
  std::vector<std::string> ignore_paths_abs;

  /// The checks' declared reads, indexed (RescanAffected), built on first use.
  const internal::ReadIndex& Reads() const {
    std::call_once(reads_once_, [&] {
      std::vector<const internal::CheckReads*> reads;
      for (const Entry& e : entries) reads.push_back(e.info.needs_lint_context ? nullptr : &e.impl->reads());
      reads_ = std::make_unique<internal::ReadIndex>(reads);
    });
    return *reads_;
  }

  const std::vector<CheckInfo>& checks() const noexcept override { return infos; }

  bool IsEnabled(std::string_view check) const noexcept override {
    return std::any_of(infos.begin(), infos.end(), [&](const CheckInfo& c) { return c.name == check; });
  }

  bool IsPathIgnored(std::string_view file) const noexcept override {
    if (ignore_paths.empty() || file == "-") return false;
    std::string abs;
    try {
      abs = std::filesystem::absolute(std::filesystem::path(std::string(file))).lexically_normal().string();
    } catch (...) {
      abs = std::string(file);
    }
    for (std::size_t i = 0; i < ignore_paths.size(); ++i) {
      if (internal::GlobMatch(ignore_paths[i], file) || internal::GlobMatch(ignore_paths_abs[i], abs)) return true;
    }
    return false;
  }

  // The public entry points never throw: an exception (allocation failure,
  // a bug) becomes an error in the report.
  ScanReport Scan(const std::vector<Manifest>& objects, const ScanOptions& options) const override {
    return Guard([&] { return ScanImpl(objects, options); });
  }
  ScanReport ScanPaths(const std::vector<std::string>& paths, const ScanOptions& options,
                       const ParseOptions& parse) const override {
    return Guard([&] { return ScanPathsImpl(paths, options, parse); });
  }
  ScanReport ScanText(std::string_view text, std::string_view source_name, const ScanOptions& options,
                      const ParseOptions& parse) const override {
    return Guard([&] { return ScanTextImpl(text, source_name, options, parse); });
  }
  /// `containers`, when given, receives per finding of the report the container it was reported in
  /// (ScanWithContainers).
  ScanReport ScanImpl(const std::vector<Manifest>& objects, const ScanOptions& options,
                      std::vector<std::int32_t>* containers = nullptr) const;

 private:
  template <typename F>
  static ScanReport Guard(F&& f) {
    try {
      return f();
    } catch (const std::bad_alloc&) {
      ScanReport r;
      r.errors.push_back(Status(StatusCode::kOutOfMemory, "scan: out of memory"));
      return r;
    } catch (const std::exception& e) {
      ScanReport r;
      r.errors.push_back(InternalError(std::string("scan: ") + e.what()));
      return r;
    }
  }

  ScanReport ScanPathsImpl(const std::vector<std::string>& paths, const ScanOptions& options,
                           const ParseOptions& parse) const;
  ScanReport ScanTextImpl(std::string_view text, std::string_view source_name, const ScanOptions& options,
                          const ParseOptions& parse) const;

  mutable std::once_flag reads_once_;
  mutable std::unique_ptr<internal::ReadIndex> reads_;
};

bool FindingLess(const Finding& a, const Finding& b) {
  if (a.file != b.file) return a.file < b.file;
  if (a.document != b.document) return a.document < b.document;
  if (a.item != b.item) return a.item < b.item;
  if (a.line != b.line) return a.line < b.line;
  if (a.column != b.column) return a.column < b.column;
  if (a.check != b.check) return a.check < b.check;
  if (a.message != b.message) return a.message < b.message;
  if (a.pointer != b.pointer) return a.pointer < b.pointer;
  if (a.container != b.container) return a.container < b.container;
  return a.object_index < b.object_index;
}

/// A finding as the parallel pass of a scan keeps it until the report's order
/// is known: the hit, its check and its position, without the texts every
/// finding of the same check and object shares (check, policy, remediation,
/// file, object identity). Those are filled in once, as the finding is put in
/// the report, so a scan never holds each finding twice (a third of the size
/// of a Finding; the move into the report used to double the findings' size at
/// the scan's peak).
struct PendingFinding {
  internal::Hit hit;
  const Entry* entry = nullptr;
  std::int32_t line = 0;
  std::int32_t column = 0;
  std::int32_t sequence = 0;
  std::string ignored_by;
};

/// FindingLess for two findings of the same object (same file, document and
/// item): gives exactly the outcome FindingLess gives for their findings.
bool PendingLess(const PendingFinding& a, const PendingFinding& b) {
  if (a.line != b.line) return a.line < b.line;
  if (a.column != b.column) return a.column < b.column;
  if (a.entry->info.name != b.entry->info.name) return a.entry->info.name < b.entry->info.name;
  if (a.hit.message != b.hit.message) return a.hit.message < b.hit.message;
  if (a.hit.pointer != b.hit.pointer) return a.hit.pointer < b.hit.pointer;
  return a.hit.container < b.hit.container;
}

/// A check's hit, positioned in `root`, as a pending finding.
PendingFinding MakePending(internal::Hit& h, const Entry& e, const Value& root, std::int32_t sequence,
                           const std::string& ignored_by) {
  PendingFinding p;
  internal::Locate(root, h.pointer, &p.line, &p.column);
  p.hit = std::move(h);
  p.entry = &e;
  p.sequence = sequence;
  p.ignored_by = ignored_by;
  return p;
}

/// The finding a pending one stands for, of object `index` (`m`).
Finding PendingToFinding(PendingFinding& p, const Manifest& m, std::size_t index, const ObjectRef& ref) {
  Finding f;
  f.sequence = p.sequence;
  f.check = p.entry->info.name;
  f.policy = p.entry->info.policy;
  f.severity = p.entry->info.severity;
  f.message = std::move(p.hit.message);
  f.remediation = p.entry->info.remediation;
  f.file = m.file;
  f.document = m.document;
  f.item = m.item;
  f.line = p.line;
  f.column = p.column;
  f.pointer = std::move(p.hit.pointer);
  f.object = ref;
  f.container = std::move(p.hit.container);
  f.object_index = index;
  f.ignored_by = std::move(p.ignored_by);
  return f;
}

/// Shape problems of a workload that keep its pod template from being
/// checked (a pod spec that is not a mapping, a container list that is not a
/// sequence of mappings): Kubernetes would reject the object, and kube-linter
/// reports it as undecodable. Reported as warnings, so the object is never
/// passed over in silence.
void PodShapeWarnings(const ObjectInfo& obj, std::vector<Status>* out) {
  const std::optional<WorkloadView>& view = obj.workload;
  if (!view) return;
  const Manifest& m = *obj.manifest;
  auto warn = [&](const Value& node, const std::string& pointer, const std::string& what,
                  const char* skipped = "its containers were not checked") {
    SourceLocation l;
    l.file = m.file;
    l.document = m.document;
    l.item = m.item;
    l.line = node.line();
    l.column = node.column();
    l.pointer = pointer;
    out->push_back(Status(StatusCode::kInvalidArgument,
                          std::string(obj.kind) + " \"" + std::string(obj.name) + "\": " + pointer + " is " + what +
                              "; " + skipped,
                          std::move(l)));
  };
  const Value* node = &m.root;
  std::string pointer;
  for (const std::string& t : view->pod_spec_pointer.tokens()) {
    const Value* next = node->is_object() ? node->Find(t) : nullptr;
    pointer += "/" + t;
    if (!next || next->is_null()) return;  // absent: the checks report what is missing
    if (!next->is_object()) {
      warn(*next, pointer, std::string(next->type_name()) + ", not a mapping");
      return;
    }
    node = next;
  }
  for (ContainerGroup g : {ContainerGroup::kInit, ContainerGroup::kRegular, ContainerGroup::kEphemeral}) {
    const Value* list = node->Find(ContainerGroupField(g));
    const std::string at = pointer + "/" + ContainerGroupField(g);
    if (!list || list->is_null()) continue;
    if (!list->is_array()) {
      warn(*list, at, std::string(list->type_name()) + ", not a sequence");
      continue;
    }
    for (std::size_t i = 0; i < list->as_array().size(); ++i) {
      const Value& c = list->as_array()[i];
      if (!c.is_object()) warn(c, at + "/" + std::to_string(i), std::string(c.type_name()) + ", not a mapping",
                               "that entry was not checked");
    }
  }
}

ScanReport RuleSetImpl::ScanImpl(const std::vector<Manifest>& objects, const ScanOptions& options,
                                  std::vector<std::int32_t>* containers) const {
  auto t0 = std::chrono::steady_clock::now();
  ScanReport report;
  const std::size_t n = objects.size();
  std::vector<ObjectInfo> objs(n);
  std::vector<char> skip(n, 0);
  int threads = internal::ThreadCount(options.jobs, n);
  const std::size_t grain = internal::SmallItemGrain(n, threads);  // every pass below is one over small objects
  internal::ParallelFor(
      n, threads,
      [&](std::size_t i) {
        internal::FillObjectInfo(objects[i], i, &objs[i]);
        if (!ignore_paths.empty() && IsPathIgnored(objects[i].file)) skip[i] = 1;
      },
      grain);

  // Lint contexts.
  std::vector<internal::LintIndex> contexts;
  std::vector<std::size_t> context_of(n, 0);
  if (options.context == LintContext::kPerFile) {
    std::map<std::string_view, std::size_t> by_file;
    std::vector<std::vector<const ObjectInfo*>> members;
    for (std::size_t i = 0; i < n; ++i) {
      if (skip[i]) continue;
      auto [it, inserted] = by_file.emplace(objects[i].file, members.size());
      if (inserted) members.emplace_back();
      members[it->second].push_back(&objs[i]);
      context_of[i] = it->second;
    }
    contexts.resize(members.size());
    for (std::size_t c = 0; c < members.size(); ++c) contexts[c].Build(std::move(members[c]));
  } else {
    std::vector<const ObjectInfo*> all;
    all.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (!skip[i]) all.push_back(&objs[i]);
    }
    contexts.resize(1);
    contexts[0].Build(std::move(all));
  }

  std::vector<std::vector<PendingFinding>> found(n), suppressed(n);
  std::vector<std::vector<Status>> shape(n);
  internal::ParallelFor(n, threads, [&](std::size_t i) {
    if (skip[i]) return;
    // Built in this task's own vectors and stored once at the end: the
    // neighbouring objects' lists share cache lines and are filled by the
    // other threads.
    std::vector<Status> object_shape;
    std::vector<PendingFinding> object_found, object_suppressed;
    PodShapeWarnings(objs[i], &object_shape);
    const ObjectInfo& obj = objs[i];
    const internal::LintIndex& ctx = contexts[context_of[i]];
    std::vector<internal::Hit> hits;
    for (const Entry& e : entries) {
      if (!internal::KindsMatch(e.info.object_kinds, obj)) continue;
      hits.clear();
      internal::Sink sink(&hits, &obj.current_container);
      e.impl->Run(obj, ctx, sink);
      if (hits.empty()) continue;
      std::string ignored_by = internal::IgnoredBy(obj, e.info.name);
      std::int32_t sequence = 0;
      for (internal::Hit& h : hits) {
        (ignored_by.empty() ? object_found : object_suppressed)
            .push_back(MakePending(h, e, objects[i].root, sequence++, ignored_by));
      }
    }
    if (containers) {  // the same permutation as before findings were kept pending (by index)
      std::vector<std::size_t> perm(object_found.size());
      for (std::size_t k = 0; k < perm.size(); ++k) perm[k] = k;
      std::sort(perm.begin(), perm.end(),
                [&](std::size_t a, std::size_t b) { return PendingLess(object_found[a], object_found[b]); });
      std::vector<PendingFinding> sorted;
      sorted.reserve(perm.size());
      for (std::size_t k : perm) sorted.push_back(std::move(object_found[k]));
      object_found = std::move(sorted);
    } else {
      std::sort(object_found.begin(), object_found.end(), PendingLess);
    }
    std::sort(object_suppressed.begin(), object_suppressed.end(), PendingLess);
    shape[i] = std::move(object_shape);
    found[i] = std::move(object_found);
    suppressed[i] = std::move(object_suppressed);
  }, grain);
  // The checks have run: the lint contexts and the objects' facts are freed
  // before the findings are filled in (the scan's peak).
  std::vector<internal::LintIndex>().swap(contexts);
  std::vector<ObjectInfo>().swap(objs);

  // Order objects by (file, document, item), then emit each object's
  // findings (sorted among themselves on the worker threads): the same order as one global sort by
  // (object rank, FindingLess), without moving every finding through it.
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Manifest& x = objects[a];
    const Manifest& y = objects[b];
    if (x.file != y.file) return x.file < y.file;
    if (x.document != y.document) return x.document < y.document;
    if (x.item != y.item) return x.item < y.item;
    return a < b;
  });
  std::size_t total_found = 0, total_suppressed = 0;
  for (std::size_t i = 0; i < n; ++i) {
    total_found += found[i].size();
    total_suppressed += suppressed[i].size();
    if (!skip[i]) ++report.stats.objects;
  }
  // Each object's findings get their slots in that order; they are filled
  // in on the worker threads (the texts they share are copied then).
  std::vector<std::size_t> found_at(n, 0), ignored_at(n, 0);
  {
    std::size_t f = 0, g = 0;
    for (std::size_t i : order) {
      for (Status& w : shape[i]) report.warnings.push_back(std::move(w));
      found_at[i] = f;
      ignored_at[i] = g;
      f += found[i].size();
      g += suppressed[i].size();
    }
  }
  report.findings.resize(total_found);
  report.ignored.resize(total_suppressed);
  if (containers) containers->assign(total_found, -1);
  internal::ParallelFor(n, threads, [&](std::size_t i) {
    if (found[i].empty() && suppressed[i].empty()) return;
    const ObjectRef ref = objects[i].Ref();
    for (std::size_t k = 0; k < found[i].size(); ++k) {
      PendingFinding& p = found[i][k];
      if (containers) (*containers)[found_at[i] + k] = p.hit.container_index;
      report.findings[found_at[i] + k] = PendingToFinding(p, objects[i], i, ref);
    }
    for (std::size_t k = 0; k < suppressed[i].size(); ++k) {
      report.ignored[ignored_at[i] + k] = PendingToFinding(suppressed[i][k], objects[i], i, ref);
    }
    // Each object's list is freed as soon as it is in the report.
    std::vector<PendingFinding>().swap(found[i]);
    std::vector<PendingFinding>().swap(suppressed[i]);
  }, grain);
  report.stats.findings = static_cast<std::int64_t>(report.findings.size());
  report.stats.ignored = static_cast<std::int64_t>(report.ignored.size());
  for (const Finding& f : report.findings) ++report.stats.by_check[f.check];
  {
    // Distinct files: `order` is sorted by file, so equal names are adjacent.
    std::int64_t files = 0;
    const std::string* last = nullptr;
    for (std::size_t i : order) {
      if (skip[i]) continue;
      if (!last || *last != objects[i].file) ++files;
      last = &objects[i].file;
    }
    report.stats.files = files;
  }
  report.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

ScanReport RuleSetImpl::ScanPathsImpl(const std::vector<std::string>& paths, const ScanOptions& options,
                                  const ParseOptions& parse) const {
  auto t0 = std::chrono::steady_clock::now();
  ScanReport report;
  LoadPathsOptions lo;
  lo.parse = parse;
  lo.jobs = options.jobs;
  lo.skip = [this](const std::string& f) { return IsPathIgnored(f); };
  Result<std::vector<LoadedFile>> loaded = LoadPaths(paths, lo);
  if (!loaded.ok()) {
    report.errors.push_back(loaded.status());
    return report;
  }
  std::vector<Manifest> all;
  std::vector<int> built_by;  // the loading thread of each object
  std::size_t total = 0;
  int workers = 1;
  for (const LoadedFile& l : *loaded) {
    total += l.result.manifests.size();
    workers = std::max(workers, l.worker + 1);
  }
  all.reserve(total);
  built_by.reserve(total);
  for (LoadedFile& l : *loaded) {
    for (Manifest& m : l.result.manifests) {
      all.push_back(std::move(m));
      built_by.push_back(l.worker);
    }
    for (Status& s : l.result.errors) report.errors.push_back(std::move(s));
    for (Status& s : l.result.warnings) report.warnings.push_back(std::move(s));
  }
  const std::size_t files = loaded->size();
  loaded->clear();
  ScanReport scanned = ScanImpl(all, options);
  // Freeing thousands of object trees is a measurable tail. Each tree is
  // freed by the same worker number that built it: two threads freeing into
  // each other's allocator arenas contend on the arena locks and gain nothing.
  internal::ParallelFor(static_cast<std::size_t>(workers), workers, [&](std::size_t w) {
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (static_cast<std::size_t>(built_by[i]) == w) all[i].root = Value();
    }
  });
  report.findings = std::move(scanned.findings);
  report.ignored = std::move(scanned.ignored);
  for (Status& w : scanned.warnings) report.warnings.push_back(std::move(w));
  report.stats = std::move(scanned.stats);
  report.stats.files = static_cast<std::int64_t>(files);
  report.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

ScanReport RuleSetImpl::ScanTextImpl(std::string_view text, std::string_view source_name, const ScanOptions& options,
                                 const ParseOptions& parse) const {
  auto t0 = std::chrono::steady_clock::now();
  LoadResult loaded = LoadManifests(text, source_name, parse);
  ScanReport report = ScanImpl(loaded.manifests, options);
  report.errors = std::move(loaded.errors);
  loaded.warnings.insert(loaded.warnings.end(), std::make_move_iterator(report.warnings.begin()),
                         std::make_move_iterator(report.warnings.end()));
  report.warnings = std::move(loaded.warnings);
  report.stats.files = 1;
  report.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

bool ValidCheckName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

Result<Entry> CompileCustomCheck(const Value& spec, const std::string& source) {
  if (!spec.is_object()) return ConfigError(source, &spec, "customChecks entries must be mappings");
  for (const Member& m : spec.as_object()) {
    static constexpr const char* kKnown[] = {"name", "description", "remediation", "template", "params", "scope",
                                             "severity", "policy"};
    if (std::none_of(std::begin(kKnown), std::end(kKnown), [&](const char* k) { return m.key == k; })) {
      return ParseError("unknown field \"" + m.key + "\" in custom check", AtKey(source, m));
    }
  }
  Entry e;
  std::string name(internal::Str(spec.Find("name")));
  if (!ValidCheckName(name)) {
    return ConfigError(source, spec.Find("name") ? spec.Find("name") : &spec,
                       "custom check name \"" + name + "\" must match [a-zA-Z0-9-_]+");
  }
  std::string tmpl(internal::Str(spec.Find("template")));
  const internal::TemplateInfo* t = internal::FindTemplate(tmpl);
  if (!t) {
    return ConfigError(source, spec.Find("template") ? spec.Find("template") : &spec,
                       "custom check \"" + name + "\": unknown template \"" + tmpl + "\"");
  }
  const Value* params = spec.Find("params");
  Value params_v = params && params->is_object() ? *params : Value::MakeObject();
  if (params && !params->is_null() && !params->is_object()) {
    return ConfigError(source, params, "custom check \"" + name + "\": params must be a mapping");
  }
  internal::Params p(&params_v);
  for (const Member& m : params_v.as_object()) {
    bool known = std::any_of(t->params.begin(), t->params.end(), [&](const std::string& k) {
      return k.size() == m.key.size() &&
             std::equal(k.begin(), k.end(), m.key.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); });
    });
    if (!known) {
      return ParseError("custom check \"" + name + "\": template \"" + tmpl + "\" has no parameter \"" + m.key + "\"",
                        AtKey(source, m));
    }
  }
  auto impl = t->factory(p);
  if (!impl.ok()) {
    Status s = impl.status();
    SourceLocation loc = s.location().line ? s.location() : At(source, params ? params : &spec);
    loc.file = source;
    return ParseError("custom check \"" + name + "\": " + s.message(), loc);
  }
  e.impl = std::shared_ptr<const CheckImpl>(std::move(*impl));
  e.info.name = name;
  e.info.description = std::string(internal::Str(spec.Find("description")));
  e.info.remediation = std::string(internal::Str(spec.Find("remediation")));
  e.info.template_name = tmpl;
  e.info.needs_lint_context = t->needs_lint_context;
  e.info.params = params_v;
  e.info.custom = true;
  e.info.enabled_by_default = true;
  e.info.policy = std::string(internal::Str(spec.Find("policy")));
  e.info.severity = Severity::kWarning;
  if (const Value* sev = spec.Find("severity")) {
    auto s = ParseSeverity(internal::Str(sev));
    if (!s.ok()) return ConfigError(source, sev, "custom check \"" + name + "\": " + s.status().message());
    e.info.severity = *s;
  }
  e.info.object_kinds = t->kinds;
  if (const Value* kinds = Get(spec.Find("scope"), "objectKinds")) {
    auto list = StringListField(source, kinds, "scope.objectKinds");
    if (!list.ok()) return list.status();
    if (!list->empty()) e.info.object_kinds = *list;
  }
  e.info.notes = "custom check from " + (source.empty() ? std::string("configuration") : source);
  return e;
}

const Value* IncludeItem(const Value& raw, std::size_t index) {
  const Value* list = Get(raw.Find("checks"), "include");
  if (!list || !list->is_array() || index >= list->as_array().size()) return nullptr;
  return &list->as_array()[index];
}

}  // namespace

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

Result<RulesConfig> ParseRulesConfig(std::string_view yaml_text, std::string_view source_name) {
  std::string source(source_name);
  auto parsed = ParseYaml(yaml_text);
  if (!parsed.ok()) {
    Status s = parsed.status();
    SourceLocation loc = s.location();
    loc.file = source;
    return ParseError("configuration: " + s.message(), loc);
  }
  return RulesConfigFromValue(std::move(*parsed), source_name);
}

Result<RulesConfig> RulesConfigFromValue(Value root, std::string_view source_name) {
  std::string source(source_name);
  RulesConfig cfg;
  cfg.source = source;
  if (root.is_null()) root = Value::MakeObject();
  if (!root.is_object()) return ConfigError(source, &root, "configuration must be a mapping");
  for (const Member& m : root.as_object()) {
    if (m.key != "checks" && m.key != "customChecks" && m.key != "kfixRules" && m.key != "policies") {
      return ParseError("unknown configuration key \"" + m.key + "\" (want checks, customChecks, kfixRules, policies)",
                        AtKey(source, m));
    }
  }
  if (const Value* checks = root.Find("checks"); checks && !checks->is_null()) {
    if (!checks->is_object()) return ConfigError(source, checks, "checks must be a mapping");
    for (const Member& m : checks->as_object()) {
      if (m.key == "include") {
        auto l = StringListField(source, &m.value, "checks.include");
        if (!l.ok()) return l.status();
        cfg.include = std::move(*l);
      } else if (m.key == "exclude") {
        auto l = StringListField(source, &m.value, "checks.exclude");
        if (!l.ok()) return l.status();
        cfg.exclude = std::move(*l);
      } else if (m.key == "ignorePaths") {
        auto l = StringListField(source, &m.value, "checks.ignorePaths");
        if (!l.ok()) return l.status();
        cfg.ignore_paths = std::move(*l);
      } else if (m.key == "addAllBuiltIn") {
        auto b = BoolField(source, &m.value, "checks.addAllBuiltIn");
        if (!b.ok()) return b.status();
        cfg.add_all_built_in = *b;
      } else if (m.key == "doNotAutoAddDefaults") {
        auto b = BoolField(source, &m.value, "checks.doNotAutoAddDefaults");
        if (!b.ok()) return b.status();
        cfg.do_not_auto_add_defaults = *b;
      } else {
        return ParseError("unknown key \"checks." + m.key + "\"", AtKey(source, m));
      }
    }
  }
  for (const char* list : {"customChecks", "kfixRules", "policies"}) {
    const Value* v = root.Find(list);
    if (v && !v->is_null() && !v->is_array()) return ConfigError(source, v, std::string(list) + " must be a list");
  }
  if (const auto* policies = internal::Arr(root.Find("policies"))) {
    for (const Value& p : *policies) {
      if (p.is_string()) {
        cfg.policy_files.push_back(p.as_string());
      } else if (!p.is_object()) {
        return ConfigError(source, &p,
                           "policies entries must be file names or ValidatingAdmissionPolicy / binding / parameter "
                           "objects");
      }
    }
  }
  cfg.raw = std::move(root);
  return cfg;
}

const std::vector<CheckInfo>& BuiltinChecks() {
  static const std::vector<CheckInfo> kChecks = [] {
    std::vector<CheckInfo> out;
    for (const internal::BuiltinSpec& s : internal::BuiltinSpecs()) out.push_back(s.info);
    return out;
  }();
  return kChecks;
}

Result<std::shared_ptr<const RuleSet>> RuleSet::Create(const RulesConfig& config) {
  try {
    auto rs = std::make_shared<RuleSetImpl>();
    const std::string& source = config.source;
    std::map<std::string, Entry> available;  // built-ins and custom, by name
    for (const internal::BuiltinSpec& s : internal::BuiltinSpecs()) {
      const internal::TemplateInfo* t = internal::FindTemplate(s.info.template_name);
      if (!t) return InternalError("built-in check " + s.info.name + " uses unknown template " + s.info.template_name);
      internal::Params p(&s.info.params);
      auto impl = t->factory(p);
      if (!impl.ok()) return InternalError("built-in check " + s.info.name + ": " + impl.status().message());
      Entry e;
      e.info = s.info;
      e.impl = std::shared_ptr<const CheckImpl>(std::move(*impl));
      available.emplace(s.info.name, std::move(e));
    }
    std::vector<std::string> enabled;
    auto enable = [&](const std::string& name) {
      if (std::find(enabled.begin(), enabled.end(), name) == enabled.end()) enabled.push_back(name);
    };
    if (!config.do_not_auto_add_defaults) {
      for (const auto& [name, e] : available) {
        if (e.info.enabled_by_default) enable(name);
      }
    }
    if (config.add_all_built_in) {
      for (const auto& [name, e] : available) {
        if (e.info.kube_linter) enable(name);
      }
    }
    // Custom checks (kube-linter templates) and declarative kfix rules.
    if (const auto* custom = internal::Arr(config.raw.Find("customChecks"))) {
      for (const Value& spec : *custom) {
        auto e = CompileCustomCheck(spec, source);
        if (!e.ok()) return e.status();
        if (available.count(e->info.name)) {
          return ConfigError(source, spec.Find("name"), "custom check \"" + e->info.name + "\" duplicates an existing check");
        }
        std::string name = e->info.name;
        available.emplace(name, std::move(*e));
        enable(name);
      }
    }
    if (const auto* rules = internal::Arr(config.raw.Find("kfixRules"))) {
      for (const Value& rule : *rules) {
        Entry e;
        auto impl = internal::CompileKfixRule(rule, source, &e.info);
        if (!impl.ok()) return impl.status();
        if (available.count(e.info.name)) {
          return ConfigError(source, rule.Find("name"), "kfix rule \"" + e.info.name + "\" duplicates an existing check");
        }
        e.impl = std::shared_ptr<const CheckImpl>(std::move(*impl));
        std::string name = e.info.name;
        bool on = e.info.enabled_by_default;
        available.emplace(name, std::move(e));
        if (on) enable(name);  // `enabled: false` rules can still be included by name
      }
    }
    // ValidatingAdmissionPolicies: one check per policy.
    if (!config.policy_files.empty() || config.raw.Find("policies")) {
      auto policies = internal::CompilePolicies(config.policy_files, config.raw.Find("policies"), source);
      if (!policies.ok()) return policies.status();
      for (internal::PolicyEntry& p : *policies) {
        if (available.count(p.info.name)) {
          return InvalidArgumentError("ValidatingAdmissionPolicy \"" + p.info.name +
                                      "\" has the name of an existing check");
        }
        Entry e;
        e.info = std::move(p.info);
        e.impl = std::shared_ptr<const CheckImpl>(std::move(p.impl));
        std::string name = e.info.name;
        available.emplace(name, std::move(e));
        enable(name);
      }
    }
    for (std::size_t i = 0; i < config.include.size(); ++i) {
      const std::string& name = config.include[i];
      if (!available.count(name)) {
        return ConfigError(source, IncludeItem(config.raw, i), "included check \"" + name + "\" does not exist");
      }
      enable(name);
    }
    for (const std::string& name : config.exclude) {
      enabled.erase(std::remove(enabled.begin(), enabled.end(), name), enabled.end());
    }
    std::sort(enabled.begin(), enabled.end());
    for (const std::string& name : enabled) {
      Entry& e = available.at(name);
      rs->infos.push_back(e.info);
      rs->entries.push_back(std::move(e));
    }
    rs->ignore_paths = config.ignore_paths;
    for (const std::string& g : config.ignore_paths) {
      std::string abs = g;
      try {
        if (!g.empty() && g[0] != '/') abs = (std::filesystem::current_path() / g).lexically_normal().string();
      } catch (...) {
      }
      rs->ignore_paths_abs.push_back(abs);
    }
    return std::shared_ptr<const RuleSet>(std::move(rs));
  } catch (const std::exception& e) {
    return InternalError(std::string("RuleSet::Create: ") + e.what());
  }
}

// ---------------------------------------------------------------------------
// The guard's affected-only rescan (rules/rescan_internal.hpp)
// ---------------------------------------------------------------------------

bool internal::ScanWithContainers(const RuleSet& rules, const std::vector<Manifest>& objects,
                                  const ScanOptions& options, ScanReport* report,
                                  std::vector<std::int32_t>* containers) {
  const auto* rs = dynamic_cast<const RuleSetImpl*>(&rules);
  if (!rs) return false;
  try {
    *report = rs->ScanImpl(objects, options, containers);
  } catch (const std::exception&) {
    *report = rules.Scan(objects, options);  // the same failure, reported as Scan reports it
    containers->assign(report->findings.size(), -1);
  }
  return true;
}

std::optional<std::vector<Finding>> internal::RescanAffected(const RuleSet& rules, const Manifest& patched,
                                                             const Patch& patch, const RescanBaseline& before,
                                                             const ReadsOverride* overrides, RescanStats* stats) {
  const auto* rs = dynamic_cast<const RuleSetImpl*>(&rules);
  // With ignorePaths the original and the rescanned copy (another file name) may be skipped differently.
  if (!rs || !rs->ignore_paths.empty()) return std::nullopt;
  try {
    ObjectInfo obj;
    FillObjectInfo(patched, 0, &obj);
    LintIndex ctx;  // the per-file context of the copy: the object alone
    ctx.Build({&obj});
    // The rule set's index, or one with the overrides (tests).
    std::unique_ptr<ReadIndex> overridden;
    if (overrides) {
      std::vector<const CheckReads*> reads;
      for (const Entry& e : rs->entries) {
        auto it = overrides->find(e.info.name);
        reads.push_back(e.info.needs_lint_context ? nullptr : it != overrides->end() ? &it->second : &e.impl->reads());
      }
      overridden = std::make_unique<ReadIndex>(reads);
    }
    ReadIndex::Result touched;
    (overridden ? *overridden : rs->Reads()).Touched(patch, obj, &touched);
    const std::vector<Finding>& base = *before.findings;
    std::vector<Finding> out;
    std::vector<Hit> hits;
    std::vector<std::pair<std::int32_t, std::size_t>> order;  // partial checks: (container, position in out)
    ObjectRef ref;
    bool have_ref = false;
    auto carry = [&](const Finding& b) {
      Finding f = b;
      f.file = patched.file;
      f.document = patched.document;
      f.item = patched.item;
      f.object_index = 0;
      out.push_back(std::move(f));
    };
    for (std::size_t ci = 0; ci < rs->entries.size(); ++ci) {
      const Entry& e = rs->entries[ci];
      if (e.info.needs_lint_context) continue;  // rescanned within the whole context by the guard
      if (!KindsMatch(e.info.object_kinds, obj)) continue;
      const ReadIndex::Affect affect = touched.affect[ci];
      if (affect == ReadIndex::Affect::kNone) {
        for (std::uint32_t k : *before.of_object) {
          if (base[k].check == e.info.name) carry(base[k]);
        }
        if (stats) ++stats->carried;
        continue;
      }
      const bool partial = affect == ReadIndex::Affect::kContainers;
      const char* mask = partial ? touched.Mask(ci) : nullptr;
      if (stats) ++(partial ? stats->partial : stats->run);
      hits.clear();
      obj.container_mask = mask;
      Sink sink(&hits, &obj.current_container);
      e.impl->Run(obj, ctx, sink);
      obj.container_mask = nullptr;
      const std::size_t first = out.size();
      order.clear();
      if (partial) {  // the other containers' findings, as before
        for (std::uint32_t k : *before.of_object) {
          const std::int32_t c = (*before.containers)[k];
          if (base[k].check != e.info.name || c < 0 || mask[static_cast<std::size_t>(c)]) continue;
          order.emplace_back(c, out.size());
          carry(base[k]);
        }
        // In the order the check reported them (sequence), so that renumbering below keeps it.
        std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
          return out[a.second].sequence < out[b.second].sequence;
        });
      }
      if (hits.empty() && !partial) continue;
      const std::string ignored_by = hits.empty() ? std::string() : IgnoredBy(obj, e.info.name);
      if (!ignored_by.empty()) continue;  // suppressed: not findings (and none carried: the annotations are unchanged)
      if (!hits.empty() && !have_ref) {
        ref = patched.Ref();
        have_ref = true;
      }
      for (Hit& h : hits) {
        if (partial) order.emplace_back(h.container_index, out.size());
        PendingFinding p = MakePending(h, e, patched.root, static_cast<std::int32_t>(out.size() - first), ignored_by);
        out.push_back(PendingToFinding(p, patched, 0, ref));
      }
      if (partial) {  // numbered in container order, as a run over every container would report them
        std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (std::size_t k = 0; k < order.size(); ++k) out[order[k].second].sequence = static_cast<std::int32_t>(k);
      }
    }
    std::sort(out.begin(), out.end(), FindingLess);
    return out;
  } catch (const std::exception&) {
    return std::nullopt;  // the caller's full scan reports the failure
  }
}

}  // namespace kfix
