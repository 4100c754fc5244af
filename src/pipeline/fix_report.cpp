// Fix report serialisation and the unified line diff.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "core/json_internal.hpp"
#include "core/json_stream_internal.hpp"
#include "core/parallel_internal.hpp"
#include "guard/verdict_internal.hpp"
#include "kfix/pipeline.hpp"
#include "pipeline/documents_internal.hpp"

namespace kfix {

namespace {

Value RolesValue(const std::vector<OpRole>& roles) {
  Value arr = Value::MakeArray();
  for (OpRole r : roles) arr.PushBack(r == OpRole::kTarget ? "target" : "hardening");
  return arr;
}

}  // namespace

Value FixResultToValue(const FixResult& r) {
  const Finding& f = r.finding;
  Value e = Value::MakeObject();
  e.Set("file", f.file);
  e.Set("document", f.document);
  if (f.item >= 0) e.Set("item", f.item);
  e.Set("check", f.check);
  e.Set("policy", f.policy);
  e.Set("object", ObjectRefToValue(f.object));
  e.Set("container", f.container);
  e.Set("line", f.line);
  e.Set("message", f.message);
  e.Set("status", FixStatusName(r.status));
  e.Set("reason", r.reason);
  e.Set("patch", PatchToValue(r.patch));
  e.Set("opRoles", RolesValue(r.roles));
  e.Set("gates", internal::GatesToValue(r.gates));
  if (!r.proposer.empty()) {
    e.Set("proposer", r.proposer);
    e.Set("attempts", static_cast<std::int64_t>(r.attempts.size()));
    Value log = Value::MakeArray();
    for (const ProposeAttempt& a : r.attempts) {
      Value x = Value::MakeObject();
      x.Set("attempt", a.number);
      x.Set("proposer", a.proposer);
      x.Set("outcome", a.outcome);
      x.Set("gate", a.gate);
      x.Set("detail", a.detail);
      x.Set("ops", static_cast<std::int64_t>(a.ops));
      x.Set("requests", a.requests);
      x.Set("promptTokens", a.prompt_tokens);
      x.Set("completionTokens", a.completion_tokens);
      x.Set("latencyMs", a.seconds * 1000.0);
      log.PushBack(std::move(x));
    }
    e.Set("attemptLog", std::move(log));
  }
  return e;
}

Value internal::ByCheckToValue(const std::map<std::string, std::map<std::string, std::int64_t>>& by_check) {
  Value by = Value::MakeObject();
  for (const auto& [check, counts] : by_check) {
    Value c = Value::MakeObject();
    for (const char* k : {"findings", "accepted", "rejected", "needs_review", "unfixable"}) {
      auto it = counts.find(k);
      c.Set(k, it == counts.end() ? std::int64_t{0} : it->second);
    }
    by.Set(check, std::move(c));
  }
  return by;
}

namespace {

Value ProposerSummaryToValue(const ProposerSummary& p) {
  Value v = Value::MakeObject();
  v.Set("findings", p.findings);
  v.Set("accepted", p.accepted);
  v.Set("rejected", p.rejected);
  v.Set("fallbacks", p.fallbacks);
  v.Set("attempts", p.attempts);
  v.Set("refused", p.refused);
  v.Set("errors", p.errors);
  Value gates = Value::MakeObject();
  for (const auto& [gate, n] : p.refused_by_gate) gates.Set(gate, n);
  v.Set("refused_by_gate", std::move(gates));
  v.Set("median_ops", p.median_ops);
  v.Set("requests", p.requests);
  v.Set("prompt_tokens", p.prompt_tokens);
  v.Set("completion_tokens", p.completion_tokens);
  Value latency = Value::MakeObject();
  latency.Set("median", p.latency_ms_median);
  latency.Set("p95", p.latency_ms_p95);
  latency.Set("total", p.latency_ms_total);
  v.Set("latency_ms", std::move(latency));
  return v;
}

Value ObjectFixToValue(const std::vector<Manifest>& manifests, const ObjectFix& o) {
  Value e = Value::MakeObject();
  if (o.object_index < manifests.size()) {
    const Manifest& m = manifests[o.object_index];
    e.Set("file", m.file);
    e.Set("document", m.document);
    if (m.item >= 0) e.Set("item", m.item);
    e.Set("object", ObjectRefToValue(m.Ref()));
  }
  e.Set("accepted", o.accepted);
  e.Set("reason", o.reason);
  e.Set("patch", PatchToValue(o.patch));
  e.Set("gates", internal::GatesToValue(o.gates));
  return e;
}

Value FixSummaryToValue(const FixSummary& s) {
  Value sum = Value::MakeObject();
  sum.Set("findings", s.findings);
  sum.Set("accepted", s.accepted);
  sum.Set("rejected", s.rejected);
  sum.Set("needs_review", s.needs_review);
  sum.Set("unfixable", s.unfixable);
  sum.Set("median_ops", s.median_ops);
  sum.Set("max_ops", s.max_ops);
  sum.Set("by_check", internal::ByCheckToValue(s.by_check));
  if (!s.mode.empty()) {
    sum.Set("mode", s.mode);
    if (!s.model.empty()) sum.Set("model", s.model);
    Value proposers = Value::MakeObject();
    for (const auto& [name, p] : s.by_proposer) proposers.Set(name, ProposerSummaryToValue(p));
    sum.Set("proposers", std::move(proposers));
  }
  return sum;
}

/// The report document with "results" and "objects" left empty: their
/// elements are FixResultToValue / ObjectFixToValue, filled in by
/// FixReportToValue.
Value FixReportShell(const FixReport& report) {
  Value root = Value::MakeObject();
  root.Set("schemaVersion", 2);
  root.Set("results", Value::MakeArray());
  root.Set("objects", Value::MakeArray());
  Value errors = Value::MakeArray();
  for (const Status& s : report.errors) errors.PushBack(StatusToValue(s));
  root.Set("errors", std::move(errors));
  root.Set("summary", FixSummaryToValue(report.summary));
  return root;
}

}  // namespace

Value FixReportToValue(const FixReport& report) {
  Value root = FixReportShell(report);
  Value::Array& results = root.Find("results")->as_array();
  results.reserve(report.results.size());
  for (const FixResult& r : report.results) results.push_back(FixResultToValue(r));
  Value::Array& objects = root.Find("objects")->as_array();
  objects.reserve(report.objects.size());
  for (const ObjectFix& o : report.objects) objects.push_back(ObjectFixToValue(report.manifests, o));
  return root;
}

std::string FixReportToJson(const FixReport& report, bool pretty) { return FixReportToJson(report, pretty, 1); }

namespace {

using internal::JsonDocumentWriter;

constexpr std::uint64_t kAfterInputs = std::uint64_t{1} << 63;  // errors that are not a file's load errors

}  // namespace

struct FixReportWriter::Impl {
  FixWriteOptions options;
  std::function<bool(std::string_view)> sink;
  std::unique_ptr<JsonDocumentWriter> doc;
  int results = -1, objects = -1, errors = -1, summary = -1;
  std::uint64_t parts = 0;
  bool finished = false;
  Status status;

  bool Fail(Status s) {
    if (status.ok()) status = std::move(s);
    return false;
  }
  /// One element of array `slot`, as the document writes it (ElementPrefix
  /// first). Reads only what is fixed when the writer is made.
  void Render(int slot, const Value& element, std::string& to) const {
    to += doc->ElementPrefix(slot);
    internal::AppendJsonAt(to, element, doc->style(), doc->ElementDepth(slot));
  }
  /// Text from Render<title>() appended to array `slot` (`what`: the array's
  /// name, `title` the same capitalised, as in the method names).
  bool AddRendered(int slot, std::string_view text, const char* what, const char* title) {
    if (!status.ok() || finished) return false;
    if (options.single_part && parts > 0) {
      return Fail(InvalidArgumentError(std::string("FixReportWriter: ") + what + " after the single part"));
    }
    const std::string& prefix = doc->ElementPrefix(slot);
    if (!text.empty() && text.substr(0, prefix.size()) != prefix) {
      return Fail(InvalidArgumentError(std::string("FixReportWriter: AddRendered") + title + " takes text from Render" +
                                       title));
    }
    return doc->Add(slot, 0, text) || Fail(doc->status());
  }
  bool Add(int slot, std::uint64_t key, std::string& text) {
    const bool ok = doc->Add(slot, key, text);
    text.clear();
    return ok || Fail(doc->status());
  }
  /// Elements 0..n-1 of `slot` (`element(i)` builds one), serialised a chunk
  /// at a time on `jobs` threads (a window of 4 chunks per thread) and written
  /// in order, all with key 0.
  template <typename Element>
  bool AddElements(int slot, std::size_t n, Element&& element) {
    auto write = [&](std::string& to, std::size_t i) { Render(slot, element(i), to); };
    const int threads = internal::ThreadCount(options.jobs, n);
    std::string text;
    if (threads <= 1 || n < 256) {
      for (std::size_t i = 0; i < n; ++i) {
        write(text, i);
        if (text.size() >= internal::kResultsPieceBytes && !Add(slot, 0, text)) return false;
      }
      return Add(slot, 0, text);
    }
    const std::size_t chunk = 64;
    const std::size_t chunks = (n + chunk - 1) / chunk;
    const std::size_t window = 4 * static_cast<std::size_t>(threads);
    std::vector<std::string> texts(std::min(window, chunks));
    for (std::size_t first = 0; first < chunks; first += window) {
      const std::size_t count = std::min(window, chunks - first);
      internal::ParallelFor(count, internal::ThreadCount(threads, count), [&](std::size_t k) {
        std::string& t = texts[k];
        t.clear();
        const std::size_t begin = (first + k) * chunk;
        for (std::size_t i = begin; i < std::min(n, begin + chunk); ++i) write(t, i);
      });
      for (std::size_t k = 0; k < count; ++k) {
        if (!Add(slot, 0, texts[k])) return false;
      }
    }
    return true;
  }
  bool AddResults(const std::vector<FixResult>& list) {
    return AddElements(results, list.size(), [&](std::size_t i) { return FixResultToValue(list[i]); });
  }
};

FixReportWriter::FixReportWriter(const FixWriteOptions& options, std::function<bool(std::string_view)> sink)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.options = options;
  m.sink = std::move(sink);
  Value shell = Value::MakeObject();
  shell.Set("schemaVersion", 2);
  std::vector<std::string> arrays = {"results", "objects", "errors"};
  for (const std::string& k : arrays) shell.Set(k, JsonDocumentWriter::Slot(k));
  shell.Set("summary", JsonDocumentWriter::Slot("summary"));
  for (const std::string& k : options.extra_arrays) {
    shell.Set(k, JsonDocumentWriter::Slot(k));
    arrays.push_back(k);
  }
  m.doc = std::make_unique<JsonDocumentWriter>(
      shell, options.pretty ? JsonStyle::kPretty : JsonStyle::kCompact, arrays, std::vector<std::string>{"summary"},
      m.sink, options.spool_memory == 0 ? internal::Spool::kUnlimited : options.spool_memory);
  m.results = m.doc->SlotIndex("results");
  m.objects = m.doc->SlotIndex("objects");
  m.errors = m.doc->SlotIndex("errors");
  m.summary = m.doc->SlotIndex("summary");
}

FixReportWriter::~FixReportWriter() = default;

Status FixReportWriter::status() const { return impl_->status; }

bool FixReportWriter::Add(const FixReport& part, const std::vector<std::size_t>& error_inputs,
                          const std::vector<std::size_t>& object_inputs) {
  Impl& m = *impl_;
  if (!m.status.ok() || m.finished) return false;
  const std::uint64_t seq = m.parts++;
  const bool whole = m.options.single_part;
  if (whole && seq > 0) return m.Fail(InvalidArgumentError("FixReportWriter: a second part with single_part set"));
  if (!m.AddResults(part.results)) return false;
  // A whole report's objects and errors follow its results directly.
  if (whole && !m.doc->Advance()) return m.Fail(m.doc->status());
  if (object_inputs.empty()) {
    if (!m.AddElements(m.objects, part.objects.size(),
                       [&](std::size_t i) { return ObjectFixToValue(part.manifests, part.objects[i]); })) {
      return false;
    }
  } else {
    for (std::size_t i = 0; i < part.objects.size(); ++i) {
      if (!m.doc->AddValue(m.objects, object_inputs[i], ObjectFixToValue(part.manifests, part.objects[i]))) {
        return m.Fail(m.doc->status());
      }
    }
  }
  if (whole && !m.doc->Advance()) return m.Fail(m.doc->status());
  for (std::size_t i = 0; i < part.errors.size(); ++i) {
    std::uint64_t key = 0;
    if (!error_inputs.empty()) {
      key = error_inputs[i] == FileFixReport::kNoInput ? kAfterInputs + seq : error_inputs[i];
    }
    if (!m.doc->AddValue(m.errors, key, StatusToValue(part.errors[i]))) return m.Fail(m.doc->status());
  }
  return true;
}

bool FixReportWriter::AddResults(const std::vector<FixResult>& results) {
  Impl& m = *impl_;
  if (!m.status.ok() || m.finished) return false;
  if (m.options.single_part && m.parts > 0) {
    return m.Fail(InvalidArgumentError("FixReportWriter: results after the single part"));
  }
  return m.AddResults(results);
}

bool FixReportWriter::AddObjects(const std::vector<ObjectFix>& objects, const std::vector<Manifest>& manifests) {
  Impl& m = *impl_;
  if (!m.status.ok() || m.finished) return false;
  if (m.options.single_part && m.parts > 0) {
    return m.Fail(InvalidArgumentError("FixReportWriter: objects after the single part"));
  }
  return m.AddElements(m.objects, objects.size(),
                       [&](std::size_t i) { return ObjectFixToValue(manifests, objects[i]); });
}

void FixReportWriter::RenderResults(const FixResult* first, std::size_t n, std::string& to) const {
  for (std::size_t i = 0; i < n; ++i) impl_->Render(impl_->results, FixResultToValue(first[i]), to);
}

void FixReportWriter::RenderObjects(const ObjectFix* first, std::size_t n, const std::vector<Manifest>& manifests,
                                    std::string& to) const {
  for (std::size_t i = 0; i < n; ++i) impl_->Render(impl_->objects, ObjectFixToValue(manifests, first[i]), to);
}

bool FixReportWriter::AddRenderedResults(std::string_view text) {
  return impl_->AddRendered(impl_->results, text, "results", "Results");
}

bool FixReportWriter::AddRenderedObjects(std::string_view text) {
  return impl_->AddRendered(impl_->objects, text, "objects", "Objects");
}

bool FixReportWriter::AddExtra(std::string_view member, std::uint64_t key, const Value& element) {
  Impl& m = *impl_;
  if (!m.status.ok() || m.finished) return false;
  const int slot = m.doc->SlotIndex(member);
  if (slot < 0) return m.Fail(InvalidArgumentError("the fix report has no member " + std::string(member)));
  return m.doc->AddValue(slot, key, element) || m.Fail(m.doc->status());
}

bool FixReportWriter::Finish(const FixSummary& summary) {
  Impl& m = *impl_;
  if (!m.status.ok() || m.finished) return false;
  m.finished = true;
  m.doc->Set(m.summary, FixSummaryToValue(summary));
  if (!m.doc->Finish()) return m.Fail(m.doc->status());
  return m.sink("\n") || m.Fail(IoError("cannot write the output"));  // the document ends with a newline
}

struct DiffWriter::Impl {
  std::function<bool(std::string_view)> sink;
  internal::Spool spool;
  Status status;
  explicit Impl(std::size_t memory) : spool(memory == 0 ? internal::Spool::kUnlimited : memory) {}
};

DiffWriter::DiffWriter(std::function<bool(std::string_view)> sink, std::size_t spool_memory)
    : impl_(std::make_unique<Impl>(spool_memory)) {
  impl_->sink = std::move(sink);
}

DiffWriter::~DiffWriter() = default;

bool DiffWriter::Add(const FileFixReport& part) {
  if (impl_->status.ok()) impl_->status = impl_->spool.Add(part.written_index, part.diff);
  return impl_->status.ok();
}

bool DiffWriter::Finish() {
  if (impl_->status.ok()) impl_->status = impl_->spool.Drain(impl_->sink);
  return impl_->status.ok();
}

Status DiffWriter::status() const { return impl_->status; }

std::string FixReportToJson(const FixReport& report, bool pretty, int jobs) {
  std::string out;
  WriteFixReportJson(report, pretty, jobs, [&out](std::string_view piece) {
    out.append(piece);
    return true;
  });
  return out;
}

bool WriteFixReportJson(const FixReport& report, bool pretty, int jobs,
                        const std::function<bool(std::string_view piece)>& sink) {
  FixWriteOptions o;
  o.pretty = pretty;
  o.jobs = jobs;
  o.single_part = true;
  bool ok = true;
  FixReportWriter w(o, [&](std::string_view piece) {
    ok = ok && sink(piece);
    return ok;
  });
  return w.Add(report) && w.Finish(report.summary) && ok;
}

std::string FixReportToText(const FixReport& report) {
  return FixReportToText(report.summary,
                         static_cast<std::size_t>(std::count_if(report.objects.begin(), report.objects.end(),
                                                                [](const ObjectFix& o) { return o.accepted; })),
                         report.errors);
}

std::string FixReportToText(const FixSummary& s, std::size_t objects_patched, const std::vector<Status>& errors) {
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-36s %8s %8s %8s %8s %8s\n", "CHECK", "FINDINGS", "ACCEPTED", "REJECTED", "REVIEW",
                "UNFIXABLE");
  out += buf;
  auto get = [](const std::map<std::string, std::int64_t>& m, const char* k) {
    auto it = m.find(k);
    return static_cast<long long>(it == m.end() ? 0 : it->second);
  };
  for (const auto& [check, c] : s.by_check) {
    std::snprintf(buf, sizeof buf, "%-36s %8lld %8lld %8lld %8lld %8lld\n", check.c_str(), get(c, "findings"),
                  get(c, "accepted"), get(c, "rejected"), get(c, "needs_review"), get(c, "unfixable"));
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "%-36s %8lld %8lld %8lld %8lld %8lld\n", "TOTAL", static_cast<long long>(s.findings),
                static_cast<long long>(s.accepted), static_cast<long long>(s.rejected),
                static_cast<long long>(s.needs_review), static_cast<long long>(s.unfixable));
  out += buf;
  std::snprintf(buf, sizeof buf, "median ops %.1f, max ops %lld, %zu objects patched\n", s.median_ops,
                static_cast<long long>(s.max_ops), objects_patched);
  out += buf;
  for (const Status& e : errors) out += "error: " + e.ToString() + "\n";
  return out;
}

// ---------------------------------------------------------------------------
// Unified diff (LCS over lines)
// ---------------------------------------------------------------------------

namespace {

std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t nl = s.find('\n', start);
    if (nl == std::string_view::npos) {
      out.push_back(s.substr(start));  // the last line, without a newline
      break;
    }
    out.push_back(s.substr(start, nl + 1 - start));  // lines keep their newline, so a missing one is a change
    start = nl + 1;
  }
  return out;
}

}  // namespace

std::string UnifiedDiff(std::string_view before, std::string_view after, std::string_view before_name,
                        std::string_view after_name, int context) {
  std::vector<std::string_view> a = SplitLines(before), b = SplitLines(after);
  // Trim the common prefix and suffix, then LCS on the middle.
  std::size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  std::size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  std::size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  // Edit script: ' ' keep, '-' delete, '+' insert, with line indices.
  struct Edit {
    char kind;
    std::size_t ai, bi;
  };
  std::vector<Edit> script;
  for (std::size_t i = 0; i < pre; ++i) script.push_back({' ', i, i});
  if (n * m <= 4'000'000) {
    std::vector<std::vector<std::uint32_t>> L(n + 1, std::vector<std::uint32_t>(m + 1, 0));
    for (std::size_t i = n; i-- > 0;) {
      for (std::size_t j = m; j-- > 0;) {
        L[i][j] = a[pre + i] == b[pre + j] ? L[i + 1][j + 1] + 1 : std::max(L[i + 1][j], L[i][j + 1]);
      }
    }
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) {
        script.push_back({' ', pre + i, pre + j});
        ++i;
        ++j;
      } else if (i < n && (j == m || L[i + 1][j] >= L[i][j + 1])) {
        script.push_back({'-', pre + i, pre + j});
        ++i;
      } else {
        script.push_back({'+', pre + i, pre + j});
        ++j;
      }
    }
  } else {  // too large for the table: delete all, insert all
    for (std::size_t i = 0; i < n; ++i) script.push_back({'-', pre + i, pre});
    for (std::size_t j = 0; j < m; ++j) script.push_back({'+', pre + n, pre + j});
  }
  for (std::size_t k = 0; k < suf; ++k) script.push_back({' ', pre + n + k, pre + m + k});

  std::string out;
  bool any = std::any_of(script.begin(), script.end(), [](const Edit& e) { return e.kind != ' '; });
  if (!any) return out;
  out += "--- " + std::string(before_name) + "\n+++ " + std::string(after_name) + "\n";
  const std::size_t ctx = static_cast<std::size_t>(std::max(0, context));
  std::size_t k = 0;
  while (k < script.size()) {
    // Find the next change.
    while (k < script.size() && script[k].kind == ' ') ++k;
    if (k >= script.size()) break;
    std::size_t start = k >= ctx ? k - ctx : 0;
    // Extend the hunk while changes are within 2*ctx of each other.
    std::size_t end = k;
    std::size_t last_change = k;
    while (end < script.size()) {
      if (script[end].kind != ' ') last_change = end;
      if (end - last_change > 2 * ctx) break;
      ++end;
    }
    std::size_t stop = std::min(script.size(), last_change + ctx + 1);
    std::size_t a_start = script[start].ai, b_start = script[start].bi, a_len = 0, b_len = 0;
    std::string body;
    auto line = [&](char sign, std::string_view l) {
      body.push_back(sign);
      body.append(l);
      if (l.empty() || l.back() != '\n') body.append("\n\\ No newline at end of file\n");
    };
    for (std::size_t x = start; x < stop; ++x) {
      const Edit& e = script[x];
      if (e.kind == ' ') {
        ++a_len;
        ++b_len;
        line(' ', a[e.ai]);
      } else if (e.kind == '-') {
        ++a_len;
        line('-', a[e.ai]);
      } else {
        ++b_len;
        line('+', b[e.bi]);
      }
    }
    char hdr[96];
    std::snprintf(hdr, sizeof hdr, "@@ -%zu,%zu +%zu,%zu @@\n", a_len ? a_start + 1 : a_start, a_len,
                  b_len ? b_start + 1 : b_start, b_len);
    out += hdr;
    out += body;
    k = stop;
  }
  return out;
}

}  // namespace kfix
