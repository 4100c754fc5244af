// Report and catalog renderers: kfix JSON, SARIF 2.1.0, plain text,
// kube-linter-compatible JSON, and the checks catalog (JSON / Markdown / text).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <unordered_map>
#include <utility>

#include "core/json_internal.hpp"
#include "core/json_stream_internal.hpp"
#include "kfix/version.hpp"
#include "rules/internal.hpp"

namespace kfix {
namespace {

Value Obj() { return Value::MakeObject(); }
Value Arr() { return Value::MakeArray(); }

Value StringList(const std::vector<std::string>& l) {
  Value a = Arr();
  for (const std::string& s : l) a.PushBack(Value(s));
  return a;
}

const char* SarifLevel(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kInfo: return "note";
  }
  return "warning";
}

void SplitApiVersion(const std::string& api, std::string* group, std::string* version) {
  auto slash = api.find('/');
  if (slash == std::string::npos) {
    group->clear();
    *version = api;
  } else {
    *group = api.substr(0, slash);
    *version = api.substr(slash + 1);
  }
}

}  // namespace

Value FindingToValue(const Finding& f) {
  Value v = Obj();
  v.Set("check", f.check);
  v.Set("policy", f.policy);
  v.Set("severity", SeverityName(f.severity));
  v.Set("message", f.message);
  v.Set("remediation", f.remediation);
  v.Set("file", f.file);
  v.Set("document", f.document);
  if (f.item >= 0) v.Set("item", f.item);
  v.Set("line", f.line);
  v.Set("column", f.column);
  v.Set("pointer", f.pointer);
  v.Set("object", ObjectRefToValue(f.object));
  v.Set("container", f.container);
  if (!f.ignored_by.empty()) v.Set("ignoredBy", f.ignored_by);
  return v;
}

namespace {

Value StatsToValue(const ScanStats& st, std::size_t errors, bool include_time) {
  Value stats = Obj();
  stats.Set("files", st.files);
  stats.Set("objects", st.objects);
  stats.Set("findings", st.findings);
  stats.Set("ignored", st.ignored);
  stats.Set("errors", static_cast<std::int64_t>(errors));
  Value by = Obj();
  for (const auto& [k, n] : st.by_check) by.Set(k, n);
  stats.Set("byCheck", std::move(by));
  if (include_time) stats.Set("seconds", st.seconds);
  return stats;
}

}  // namespace

Value ScanReportToValue(const ScanReport& report, bool include_time) {
  Value root = Obj();
  root.Set("schemaVersion", 2);
  Value findings = Arr();
  for (const Finding& f : report.findings) findings.PushBack(FindingToValue(f));
  root.Set("findings", std::move(findings));
  Value ignored = Arr();
  for (const Finding& f : report.ignored) ignored.PushBack(FindingToValue(f));
  root.Set("ignored", std::move(ignored));
  Value errors = Arr();
  for (const Status& s : report.errors) errors.PushBack(StatusToValue(s));
  root.Set("errors", std::move(errors));
  Value warnings = Arr();
  for (const Status& s : report.warnings) warnings.PushBack(StatusToValue(s));
  root.Set("warnings", std::move(warnings));
  root.Set("stats", StatsToValue(report.stats, report.errors.size(), include_time));
  return root;
}

std::string ScanReportToJson(const ScanReport& report, bool pretty) {
  return ScanReportToJson(report, pretty, true);
}

namespace {

/// Writes the findings array exactly as Emit(FindingToValue...) would at
/// `depth` (the array's own depth), without building a Value per finding:
/// large reports spend most of their output time in those trees. The
/// punctuation, indentation and key before every field is one precomputed
/// string, and each check's remediation text (the same for all its findings)
/// is escaped once.
class FindingsWriter {
 public:
  FindingsWriter(std::string& out, bool pretty, int depth) : out_(out), pretty_(pretty) {
    const int d = depth + 2;  // a finding's fields (the array at depth, its items at depth + 1)
    for (int k = 0; k < kKeys; ++k) {
      const bool nested = k >= kApiVersion && k <= kName;
      const bool first = k == kCheck || k == kApiVersion;
      std::string& p = prefix_[k];
      if (!first) p.push_back(',');
      if (pretty_) {
        p.push_back('\n');
        p.append(static_cast<std::size_t>(nested ? d + 1 : d) * 2, ' ');
      }
      p.push_back('"');
      p += kKeyNames[k];
      p += pretty_ ? "\": " : "\":";
      if (k == kObject) p.push_back('{');
    }
    // A bracket on its own line at `at` (pretty), or just the bracket.
    auto bracket = [&](int at, char c) {
      std::string b;
      if (pretty_) b.append(1, '\n').append(static_cast<std::size_t>(at) * 2, ' ');
      b.push_back(c);
      return b;
    };
    item_open_ = bracket(depth + 1, '{');
    object_close_ = bracket(d, '}');
    item_close_ = bracket(depth + 1, '}');
  }

  /// One element of the findings array as JsonDocumentWriter takes it: a
  /// comma, then the finding (on its own lines when pretty).
  void Element(const Finding& f) {
    out_.push_back(',');
    One(f);
  }

 private:
  enum Key {
    kCheck, kPolicy, kSeverity, kMessage, kRemediation, kFile, kDocument, kItem, kLine, kColumn, kPointer,
    kObject, kApiVersion, kKind, kNamespace, kName, kContainer, kIgnoredBy, kKeys
  };
  static constexpr const char* kKeyNames[kKeys] = {
      "check", "policy", "severity", "message", "remediation", "file", "document", "item", "line", "column",
      "pointer", "object", "apiVersion", "kind", "namespace", "name", "container", "ignoredBy"};

  void Str(Key k, std::string_view v) {
    out_ += prefix_[k];
    internal::AppendJsonString(out_, v);
  }
  void Int(Key k, std::int64_t v) {
    out_ += prefix_[k];
    char buf[24];
    const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, static_cast<std::size_t>(r.ptr - buf));
  }
  /// The escaped remediation of `f`'s check, escaped on first use; a finding
  /// whose text differs from the cached one is escaped afresh.
  void Remediation(const Finding& f) {
    out_ += prefix_[kRemediation];
    auto it = remediation_.find(f.check);
    if (it == remediation_.end()) {
      std::string escaped;
      internal::AppendJsonString(escaped, f.remediation);
      it = remediation_.emplace(f.check, std::make_pair(f.remediation, std::move(escaped))).first;
    }
    if (it->second.first == f.remediation) {
      out_ += it->second.second;
    } else {
      internal::AppendJsonString(out_, f.remediation);
    }
  }
  void One(const Finding& f) {
    out_ += item_open_;
    Str(kCheck, f.check);
    Str(kPolicy, f.policy);
    Str(kSeverity, SeverityName(f.severity));
    Str(kMessage, f.message);
    Remediation(f);
    Str(kFile, f.file);
    Int(kDocument, f.document);
    if (f.item >= 0) Int(kItem, f.item);
    Int(kLine, f.line);
    Int(kColumn, f.column);
    Str(kPointer, f.pointer);
    out_ += prefix_[kObject];
    Str(kApiVersion, f.object.api_version);
    Str(kKind, f.object.kind);
    Str(kNamespace, f.object.namespace_);
    Str(kName, f.object.name);
    out_ += object_close_;
    Str(kContainer, f.container);
    if (!f.ignored_by.empty()) Str(kIgnoredBy, f.ignored_by);
    out_ += item_close_;
  }

  std::string& out_;
  bool pretty_;
  std::string prefix_[kKeys];
  std::string item_open_, object_close_, item_close_;
  std::unordered_map<std::string, std::pair<std::string, std::string>> remediation_;  // check -> (text, escaped)
};

}  // namespace

namespace {

/// RFC 3986 percent-encoding of a path: unreserved characters and '/' stay,
/// every other byte (spaces, '%', '#', '?', non-ASCII UTF-8) becomes %XX.
std::string PercentEncodePath(std::string_view path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

/// SARIF artifactLocation of an input path: an absolute path becomes a
/// file:// URI; a relative one stays relative to SRCROOT (the directory kfix
/// ran in, declared in run.originalUriBaseIds).
Value SarifArtifactLocation(const std::string& file) {
  Value art = Obj();
  if (!file.empty() && file.front() == '/') {
    art.Set("uri", "file://" + PercentEncodePath(file));
  } else {
    art.Set("uri", PercentEncodePath(file));
    art.Set("uriBaseId", "SRCROOT");
  }
  return art;
}

}  // namespace

namespace {

using internal::JsonDocumentWriter;
using internal::Spool;

/// The SARIF log with its results as the slot "results".
Value SarifShell(const RuleSet& rules, std::map<std::string, std::int64_t>* rule_index) {
  Value log = Obj();
  log.Set("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  log.Set("version", "2.1.0");
  Value run = Obj();
  Value driver = Obj();
  driver.Set("name", "kfix");
  driver.Set("version", VersionString());
  driver.Set("informationUri", "https://github.com/kfix/kfix");
  Value rule_list = Arr();
  for (const CheckInfo& c : rules.checks()) {
    (*rule_index)[c.name] = static_cast<std::int64_t>(rule_list.size());
    Value r = Obj();
    r.Set("id", c.name);
    Value sd = Obj();
    sd.Set("text", c.description);
    r.Set("shortDescription", sd);
    Value help = Obj();
    help.Set("text", c.remediation);
    r.Set("help", help);
    Value cfg = Obj();
    cfg.Set("level", SarifLevel(c.severity));
    r.Set("defaultConfiguration", cfg);
    Value props = Obj();
    props.Set("policy", c.policy);
    props.Set("template", c.template_name);
    r.Set("properties", props);
    rule_list.PushBack(std::move(r));
  }
  driver.Set("rules", std::move(rule_list));
  Value tool = Obj();
  tool.Set("driver", std::move(driver));
  run.Set("tool", std::move(tool));
  // Relative input paths are relative to the directory kfix ran in; its
  // absolute location is the consumer's to supply (kfix output stays the
  // same on every machine).
  Value base_ids = Obj();
  Value srcroot = Obj();
  Value srcroot_desc = Obj();
  srcroot_desc.Set("text", "The directory kfix scan ran in; relative input paths are relative to it.");
  srcroot.Set("description", std::move(srcroot_desc));
  base_ids.Set("SRCROOT", std::move(srcroot));
  run.Set("originalUriBaseIds", std::move(base_ids));
  run.Set("results", JsonDocumentWriter::Slot("results"));
  Value runs = Arr();
  runs.PushBack(std::move(run));
  log.Set("runs", std::move(runs));
  return log;
}

Value SarifResult(const Finding& f, const std::map<std::string, std::int64_t>& rule_index) {
  Value r = Obj();
  r.Set("ruleId", f.check);
  if (auto it = rule_index.find(f.check); it != rule_index.end()) r.Set("ruleIndex", it->second);
  r.Set("level", SarifLevel(f.severity));
  Value msg = Obj();
  msg.Set("text", f.message);
  r.Set("message", msg);
  Value loc = Obj();
  Value phys = Obj();
  phys.Set("artifactLocation", SarifArtifactLocation(f.file));
  Value region = Obj();
  region.Set("startLine", f.line > 0 ? f.line : 1);
  region.Set("startColumn", f.column > 0 ? f.column : 1);
  phys.Set("region", region);
  loc.Set("physicalLocation", phys);
  Value logical = Arr();
  Value l = Obj();
  l.Set("name", f.object.name);
  l.Set("kind", "object");
  l.Set("fullyQualifiedName", (f.object.namespace_.empty() ? std::string("<no namespace>") : f.object.namespace_) +
                                  "/" + f.object.name + " " + f.object.api_version + ", Kind=" + f.object.kind);
  Value lprops = Obj();
  lprops.Set("namespace", f.object.namespace_);
  std::string group, version;
  SplitApiVersion(f.object.api_version, &group, &version);
  lprops.Set("group", group);
  lprops.Set("version", version);
  lprops.Set("kind", f.object.kind);
  l.Set("properties", lprops);
  logical.PushBack(std::move(l));
  loc.Set("logicalLocations", std::move(logical));
  Value locs = Arr();
  locs.PushBack(std::move(loc));
  r.Set("locations", std::move(locs));
  Value props = Obj();
  props.Set("pointer", f.pointer);
  props.Set("container", f.container);
  props.Set("policy", f.policy);
  props.Set("document", f.document);
  r.Set("properties", props);
  return r;
}

std::string TextFinding(const Finding& f) {
  return f.file + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + ": (object: " +
         (f.object.namespace_.empty() ? std::string("<no namespace>") : f.object.namespace_) + "/" + f.object.name +
         " " + f.object.api_version + ", Kind=" + f.object.kind + ") " + f.message + " (check: " + f.check +
         ", remediation: " + f.remediation + ")\n";
}

/// kube-linter's Checks list and the Reports / Summary slots.
Value KubeLinterShell(const RuleSet& rules) {
  Value root = Obj();
  Value checks = Arr();
  for (const CheckInfo& c : rules.checks()) {
    Value v = Obj();
    v.Set("name", c.name);
    v.Set("description", c.description);
    v.Set("remediation", c.remediation);
    Value scope = Obj();
    scope.Set("objectKinds", StringList(c.object_kinds));
    v.Set("scope", scope);
    v.Set("template", c.template_name);
    v.Set("params", c.params);
    checks.PushBack(std::move(v));
  }
  root.Set("Checks", std::move(checks));
  root.Set("Reports", JsonDocumentWriter::Slot("Reports"));
  root.Set("Summary", JsonDocumentWriter::Slot("Summary"));
  return root;
}

Value KubeLinterReport(const Finding& f) {
  Value r = Obj();
  Value diag = Obj();
  diag.Set("Message", f.message);
  r.Set("Diagnostic", diag);
  r.Set("Check", f.check);
  r.Set("Remediation", f.remediation);
  Value obj = Obj();
  Value md = Obj();
  md.Set("FilePath", f.file);
  obj.Set("Metadata", md);
  Value k8s = Obj();
  k8s.Set("Namespace", f.object.namespace_);
  k8s.Set("Name", f.object.name);
  Value gvk = Obj();
  std::string group, version;
  SplitApiVersion(f.object.api_version, &group, &version);
  gvk.Set("Group", group);
  gvk.Set("Version", version);
  gvk.Set("Kind", f.object.kind);
  k8s.Set("GroupVersionKind", gvk);
  obj.Set("K8sObject", k8s);
  r.Set("Object", obj);
  return r;
}

/// kube-linter reports an object's findings check by check, each check's in
/// the order it found them; kfix's own order (by position) is kept across
/// objects (an object's findings are never split between parts).
std::vector<const Finding*> KubeLinterOrder(const std::vector<Finding>& findings) {
  std::vector<const Finding*> ordered;
  ordered.reserve(findings.size());
  for (const Finding& f : findings) ordered.push_back(&f);
  for (std::size_t b = 0; b < ordered.size();) {
    std::size_t e = b + 1;
    while (e < ordered.size() && ordered[e]->object_index == ordered[b]->object_index &&
           ordered[e]->file == ordered[b]->file) {
      ++e;
    }
    std::stable_sort(ordered.begin() + static_cast<std::ptrdiff_t>(b), ordered.begin() + static_cast<std::ptrdiff_t>(e),
                     [](const Finding* x, const Finding* y) {
                       if (x->check != y->check) return x->check < y->check;
                       return x->sequence < y->sequence;
                     });
    b = e;
  }
  return ordered;
}

constexpr std::uint64_t kAfterInputs = std::uint64_t{1} << 63;  // the scan's own warnings: after every load warning
constexpr std::size_t kPieceBytes = 1u << 20;

}  // namespace

struct ScanReportWriter::Impl {
  ScanWriteOptions options;
  const RuleSet* rules = nullptr;
  std::function<bool(std::string_view)> sink;
  std::unique_ptr<JsonDocumentWriter> doc;
  int findings_slot = -1, ignored_slot = -1, errors_slot = -1, warnings_slot = -1, late_slot = -1;
  std::map<std::string, std::int64_t> rule_index;  // sarif
  std::unique_ptr<Spool> text_errors, text_warnings, text_findings;  // text
  std::uint64_t parts = 0;
  std::size_t findings = 0, errors = 0;
  bool finished = false;
  Status status;

  std::size_t SpoolMemory() const { return options.spool_memory == 0 ? Spool::kUnlimited : options.spool_memory; }
  JsonStyle Style() const {
    return options.format == ScanFormat::kJson && !options.pretty ? JsonStyle::kCompact : JsonStyle::kPretty;
  }
  static std::uint64_t InputKey(const std::vector<std::size_t>& inputs, std::size_t i, std::uint64_t part) {
    if (inputs.empty()) return 0;
    return inputs[i] == FileScanReport::kNoInput ? kAfterInputs + part : inputs[i];
  }
  /// The positions 0..n-1 of a part's errors or warnings in the order a
  /// spool gives them back (by InputKey, equal keys as they came): a single
  /// part writes them directly in that order.
  static std::vector<std::size_t> InputOrder(const std::vector<std::size_t>& inputs, std::size_t n,
                                             std::uint64_t part) {
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    if (!inputs.empty()) {
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return InputKey(inputs, a, part) < InputKey(inputs, b, part);
      });
    }
    return order;
  }
  bool Fail(Status s) {
    if (status.ok()) status = std::move(s);
    return false;
  }
  bool Add(int slot, std::uint64_t key, std::string& text) {
    const bool ok = doc->Add(slot, key, text);
    text.clear();
    return ok || Fail(doc->status());
  }
  /// Findings through the fast writer into `slot`, a megabyte at a time.
  bool AddFindings(int slot, std::uint64_t key, const std::vector<Finding>& list) {
    if (list.empty()) return true;
    std::string text;
    FindingsWriter w(text, options.pretty, 1);
    for (const Finding& f : list) {
      w.Element(f);
      if (text.size() >= kPieceBytes && !Add(slot, key, text)) return false;
    }
    return Add(slot, key, text);
  }
  bool AddStatuses(int slot, const std::vector<Status>& list, const std::vector<std::size_t>& inputs,
                   std::uint64_t part) {
    for (std::size_t i : InputOrder(inputs, list.size(), part)) {
      if (!doc->AddValue(slot, InputKey(inputs, i, part), StatusToValue(list[i]))) return Fail(doc->status());
    }
    return true;
  }
  /// Text of the text format: held back in `spool` under `key`, or with a
  /// single part written to the sink (`all` false: only once it is a
  /// megabyte). Empties `text`.
  bool PutText(Spool& spool, std::uint64_t key, std::string& text, bool all) {
    if (text.empty() || (!all && text.size() < kPieceBytes)) return true;
    bool ok = true;
    if (options.single_part) {
      ok = sink(text) || Fail(IoError("cannot write the output"));
    } else if (Status s = spool.Add(key, text); !s.ok()) {
      ok = Fail(std::move(s));
    }
    text.clear();
    return ok;
  }
};

ScanReportWriter::ScanReportWriter(const ScanWriteOptions& options, const RuleSet* rules,
                                   std::function<bool(std::string_view)> sink)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.options = options;
  m.rules = rules;
  m.sink = std::move(sink);
  const std::size_t spool = m.SpoolMemory();
  switch (options.format) {
    case ScanFormat::kJson: {
      Value shell = ScanReportToValue(ScanReport(), options.include_time);
      for (const char* k : {"findings", "ignored", "errors", "warnings", "stats"}) {
        shell.Set(k, JsonDocumentWriter::Slot(k));
      }
      m.doc = std::make_unique<JsonDocumentWriter>(shell, m.Style(),
                                                   std::vector<std::string>{"findings", "ignored", "errors", "warnings"},
                                                   std::vector<std::string>{"stats"}, m.sink, spool);
      m.findings_slot = m.doc->SlotIndex("findings");
      m.ignored_slot = m.doc->SlotIndex("ignored");
      m.errors_slot = m.doc->SlotIndex("errors");
      m.warnings_slot = m.doc->SlotIndex("warnings");
      m.late_slot = m.doc->SlotIndex("stats");
      break;
    }
    case ScanFormat::kSarif:
      if (rules == nullptr) {
        m.status = InvalidArgumentError("a SARIF report needs the rule set");
        break;
      }
      m.doc = std::make_unique<JsonDocumentWriter>(SarifShell(*rules, &m.rule_index), JsonStyle::kPretty,
                                                   std::vector<std::string>{"results"}, std::vector<std::string>{},
                                                   m.sink, spool);
      m.findings_slot = m.doc->SlotIndex("results");
      break;
    case ScanFormat::kKubeLinterJson:
      if (rules == nullptr) {
        m.status = InvalidArgumentError("a kube-linter report needs the rule set");
        break;
      }
      m.doc = std::make_unique<JsonDocumentWriter>(KubeLinterShell(*rules), JsonStyle::kPretty,
                                                   std::vector<std::string>{"Reports"},
                                                   std::vector<std::string>{"Summary"}, m.sink, spool);
      m.findings_slot = m.doc->SlotIndex("Reports");
      m.late_slot = m.doc->SlotIndex("Summary");
      break;
    case ScanFormat::kText:
      m.text_errors = std::make_unique<Spool>(spool);
      m.text_warnings = std::make_unique<Spool>(spool);
      m.text_findings = std::make_unique<Spool>(spool);
      break;
  }
}

ScanReportWriter::~ScanReportWriter() = default;

Status ScanReportWriter::status() const { return impl_->status; }

bool ScanReportWriter::Add(const ScanReport& part, const std::vector<std::size_t>& error_inputs,
                           const std::vector<std::size_t>& warning_inputs) {
  Impl& m = *impl_;
  if (!m.status.ok() || m.finished) return false;
  const std::uint64_t seq = m.parts++;
  const bool whole = m.options.single_part;
  if (whole && seq > 0) return m.Fail(InvalidArgumentError("ScanReportWriter: a second part with single_part set"));
  m.findings += part.findings.size();
  m.errors += part.errors.size();
  // A whole report's ignored findings, errors and warnings follow its
  // findings directly (Advance), each section in the order a spool would
  // give it back.
  auto advance = [&] { return !whole || m.doc->Advance() || m.Fail(m.doc->status()); };
  switch (m.options.format) {
    case ScanFormat::kJson:
      return m.AddFindings(m.findings_slot, 0, part.findings) && advance() &&
             m.AddFindings(m.ignored_slot, seq, part.ignored) && advance() &&
             m.AddStatuses(m.errors_slot, part.errors, error_inputs, seq) && advance() &&
             m.AddStatuses(m.warnings_slot, part.warnings, warning_inputs, seq);
    case ScanFormat::kSarif:
      for (const Finding& f : part.findings) {
        if (!m.doc->AddValue(m.findings_slot, 0, SarifResult(f, m.rule_index))) return m.Fail(m.doc->status());
      }
      return true;
    case ScanFormat::kKubeLinterJson:
      for (const Finding* f : KubeLinterOrder(part.findings)) {
        if (!m.doc->AddValue(m.findings_slot, 0, KubeLinterReport(*f))) return m.Fail(m.doc->status());
      }
      return true;
    case ScanFormat::kText: {
      // Held back: each error and warning under its own key, the findings a
      // megabyte at a time. A single part writes them in order.
      std::string text;
      for (std::size_t i : Impl::InputOrder(error_inputs, part.errors.size(), seq)) {
        text += "error: " + part.errors[i].ToString() + "\n";
        if (!m.PutText(*m.text_errors, Impl::InputKey(error_inputs, i, seq), text, !whole)) return false;
      }
      for (std::size_t i : Impl::InputOrder(warning_inputs, part.warnings.size(), seq)) {
        text += "warning: " + part.warnings[i].ToString() + "\n";
        if (!m.PutText(*m.text_warnings, Impl::InputKey(warning_inputs, i, seq), text, !whole)) return false;
      }
      for (const Finding& f : part.findings) {
        text += TextFinding(f);
        if (!m.PutText(*m.text_findings, 0, text, false)) return false;
      }
      return m.PutText(*m.text_findings, 0, text, true);
    }
  }
  return true;
}

bool ScanReportWriter::Finish(const ScanStats& totals) {
  Impl& m = *impl_;
  if (!m.status.ok() || m.finished) return false;
  m.finished = true;
  switch (m.options.format) {
    case ScanFormat::kJson:
      m.doc->Set(m.late_slot, StatsToValue(totals, m.errors, m.options.include_time));
      break;
    case ScanFormat::kKubeLinterJson: {
      Value summary = Obj();
      summary.Set("ChecksStatus", m.findings == 0 ? "Passed" : "Failed");
      std::time_t now = std::time(nullptr);
      char buf[64];
      std::tm tm{};
      gmtime_r(&now, &tm);
      std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
      summary.Set("CheckEndTime", buf);
      summary.Set("KubeLinterVersion", std::string("kfix-") + VersionString());
      m.doc->Set(m.late_slot, std::move(summary));
      break;
    }
    case ScanFormat::kSarif:
      break;
    case ScanFormat::kText: {
      for (Spool* s : {m.text_errors.get(), m.text_warnings.get(), m.text_findings.get()}) {
        if (Status st = s->Drain(m.sink); !st.ok()) return m.Fail(std::move(st));
      }
      std::string out;
      if (m.findings == 0 && m.errors == 0) {
        out += "No lint errors found!\n";
      } else if (m.findings == 0) {
        // Not "No lint errors found!": what could not be read was not checked.
        out += "No lint errors found in what could be read; " + std::to_string(m.errors) +
               (m.errors == 1 ? " input error above.\n" : " input errors above.\n");
      } else {
        out += "\n";
        if (m.options.with_total) out += "Error: found " + std::to_string(m.findings) + " lint errors\n";
      }
      return m.sink(out) || m.Fail(IoError("cannot write the output"));
    }
  }
  if (!m.doc->Finish()) return m.Fail(m.doc->status());
  // Every JSON format ends with a newline.
  return m.sink("\n") || m.Fail(IoError("cannot write the output"));
}

namespace {

std::string WriteWhole(const ScanReport& report, const ScanWriteOptions& options, const RuleSet* rules) {
  std::string out;
  ScanWriteOptions o = options;
  o.single_part = true;
  ScanReportWriter w(o, rules, [&out](std::string_view piece) {
    out.append(piece);
    return true;
  });
  w.Add(report);
  w.Finish(report.stats);
  return out;
}

}  // namespace

std::string ScanReportToJson(const ScanReport& report, bool pretty, bool include_time) {
  ScanWriteOptions o;
  o.format = ScanFormat::kJson;
  o.pretty = pretty;
  o.include_time = include_time;
  return WriteWhole(report, o, nullptr);
}

std::string ScanReportToSarif(const ScanReport& report, const RuleSet& rules) {
  ScanWriteOptions o;
  o.format = ScanFormat::kSarif;
  return WriteWhole(report, o, &rules);
}

std::string ScanReportToText(const ScanReport& report, bool with_total) {
  ScanWriteOptions o;
  o.format = ScanFormat::kText;
  o.with_total = with_total;
  return WriteWhole(report, o, nullptr);
}

std::string ScanReportToKubeLinterJson(const ScanReport& report, const RuleSet& rules) {
  ScanWriteOptions o;
  o.format = ScanFormat::kKubeLinterJson;
  return WriteWhole(report, o, &rules);
}

Value CheckInfoToValue(const CheckInfo& c) {
  Value v = Obj();
  v.Set("name", c.name);
  v.Set("policy", c.policy);
  v.Set("severity", SeverityName(c.severity));
  v.Set("description", c.description);
  v.Set("remediation", c.remediation);
  v.Set("template", c.template_name);
  v.Set("objectKinds", StringList(c.object_kinds));
  v.Set("enabledByDefault", c.enabled_by_default);
  v.Set("kubeLinter", c.kube_linter);
  v.Set("custom", c.custom);
  v.Set("params", c.params);
  v.Set("notes", c.notes);
  return v;
}

std::string ChecksToJson(const std::vector<CheckInfo>& checks) {
  Value root = Obj();
  root.Set("schemaVersion", 1);
  Value list = Arr();
  for (const CheckInfo& c : checks) list.PushBack(CheckInfoToValue(c));
  root.Set("checks", std::move(list));
  return ToJson(root, JsonStyle::kPretty) + "\n";
}

std::string ChecksToMarkdown(const std::vector<CheckInfo>& checks) {
  std::string out =
      "# kfix checks\n\n"
      "Generated by `kfix checks list --format markdown`; do not edit by hand.\n\n";
  std::size_t kl = 0, kl_default = 0;
  for (const CheckInfo& c : checks) {
    kl += c.kube_linter ? 1 : 0;
    kl_default += (c.kube_linter && c.enabled_by_default) ? 1 : 0;
  }
  out += std::to_string(checks.size()) + " checks: " + std::to_string(kl) + " kube-linter built-ins (" +
         std::to_string(kl_default) + " enabled by default) and " + std::to_string(checks.size() - kl) +
         " kfix built-ins.\n\n";
  out += "| Check | Policy | Severity | Default | Kinds | Template |\n|---|---|---|---|---|---|\n";
  for (const CheckInfo& c : checks) {
    std::string kinds;
    for (std::size_t i = 0; i < c.object_kinds.size(); ++i) kinds += (i ? ", " : "") + c.object_kinds[i];
    out += "| [" + c.name + "](#" + c.name + ") | " + (c.policy.empty() ? "—" : c.policy) + " | " +
           SeverityName(c.severity) + " | " + (c.enabled_by_default ? "yes" : "no") + " | " + kinds + " | " +
           c.template_name + " |\n";
  }
  for (const CheckInfo& c : checks) {
    out += "\n## " + c.name + "\n\n";
    out += "- **Source**: " + std::string(c.kube_linter ? "kube-linter built-in" : c.custom ? "custom" : "kfix built-in") + "\n";
    out += "- **Enabled by default**: " + std::string(c.enabled_by_default ? "yes" : "no") + "\n";
    out += "- **Severity**: " + std::string(SeverityName(c.severity)) + "\n";
    out += "- **Policy**: " + (c.policy.empty() ? std::string("—") : "`" + c.policy + "`") + "\n";
    out += "- **Template**: `" + c.template_name + "`\n";
    out += "- **Parameters**: `" + ToJson(c.params, JsonStyle::kCanonical) + "`\n\n";
    out += "**Description**: " + c.description + "\n\n";
    out += "**Remediation**: " + c.remediation + "\n";
    if (!c.notes.empty()) out += "\n**Notes**: " + c.notes + "\n";
  }
  out += "\n# Templates\n\nThe templates custom checks (`customChecks:` in the configuration) can use, with their "
         "parameters.\n\n| Template | Kinds | Parameters | Description |\n|---|---|---|---|\n";
  for (const internal::TemplateInfo& t : internal::Templates()) {
    std::string kinds, params;
    for (std::size_t i = 0; i < t.kinds.size(); ++i) kinds += (i ? ", " : "") + t.kinds[i];
    for (std::size_t i = 0; i < t.params.size(); ++i) params += (i ? ", " : "") + ("`" + t.params[i] + "`");
    const std::string link = *t.notes ? std::string(" ([notes](#template-") + t.key + "))" : std::string();
    out += "| `" + std::string(t.key) + "`" + link + " | " + kinds + " | " +
           (params.empty() ? std::string("—") : params) + " | " + t.description + " |\n";
  }
  for (const internal::TemplateInfo& t : internal::Templates()) {
    if (*t.notes == '\0') continue;
    out += "\n## template " + std::string(t.key) + "\n\n" + t.notes + "\n";
  }
  return out;
}

std::string ChecksToText(const std::vector<CheckInfo>& checks) {
  std::string out;
  for (const CheckInfo& c : checks) {
    out += c.name + "\n";
    out += "  severity: " + std::string(SeverityName(c.severity)) + ", default: " +
           (c.enabled_by_default ? "yes" : "no") + ", policy: " + (c.policy.empty() ? "-" : c.policy) +
           ", template: " + c.template_name + "\n";
    out += "  description: " + c.description + "\n";
    out += "  remediation: " + c.remediation + "\n";
    if (!c.notes.empty()) out += "  notes: " + c.notes + "\n";
  }
  return out;
}

}  // namespace kfix
