// The HTML report: one self-contained file (inline CSS, SVG and script).
// See kfix/report.hpp for the contract.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/guard.hpp"
#include "kfix/report.hpp"
#include "report/internal.hpp"

namespace kfix {
namespace {

using internal::AppendEscaped;
using internal::Fmt;
using internal::Sanitize;

// ---- Reading the documents ---------------------------------------------------

std::string Str(const Value& obj, std::string_view key) {
  if (!obj.is_object()) return {};
  const Value* v = obj.Find(key);
  if (v == nullptr) return {};
  if (v->is_string()) return Sanitize(v->as_string());
  if (v->is_number()) return Fmt(v->as_number());
  if (v->is_bool()) return v->as_bool() ? "true" : "false";
  return {};
}

double Num(const Value& obj, std::string_view key, double fallback = 0.0) {
  if (!obj.is_object()) return fallback;
  const Value* v = obj.Find(key);
  return v != nullptr && v->is_number() ? v->as_number() : fallback;
}

const Value::Array& Arr(const Value& obj, std::string_view key) {
  static const Value::Array kEmpty;
  if (!obj.is_object()) return kEmpty;
  const Value* v = obj.Find(key);
  return v != nullptr && v->is_array() ? v->as_array() : kEmpty;
}

/// "Kind/namespace/name" of an `object` member ({apiVersion, kind, namespace, name}).
std::string ObjectLabel(const Value& result) {
  const Value* o = result.is_object() ? result.Find("object") : nullptr;
  if (o == nullptr || !o->is_object()) return {};
  std::string s = Str(*o, "kind");
  const std::string ns = Str(*o, "namespace");
  s += "/";
  if (!ns.empty()) s += ns + "/";
  s += Str(*o, "name");
  return s;
}

/// Identity of an object in the run: file, document, item (-1 or absent = not in a List).
using ObjectKey = std::tuple<std::string, std::int64_t, std::int64_t>;

ObjectKey KeyOf(const Value& result) {
  return {Str(result, "file"), static_cast<std::int64_t>(Num(result, "document", -1)),
          static_cast<std::int64_t>(Num(result, "item", -1))};
}

struct Row {
  std::string severity, check, message, object, container, file, status, reason, gate;
  std::int64_t line = 0;
  double risk = -1.0;  ///< -1: not scored
  bool kev = false;
  std::int64_t ops = 0;
  std::int64_t diff = -1;  ///< index into the diffs array
};

/// The first gate that did not pass, or "".
std::string RefusingGate(const Value& result, std::string* detail) {
  for (const Value& g : Arr(result, "gates")) {
    const Value* passed = g.Find("passed");
    if (passed != nullptr && passed->is_bool() && !passed->as_bool()) {
      if (detail != nullptr) *detail = Str(g, "detail");
      return Str(g, "name");
    }
  }
  return {};
}

// ---- Diffs -------------------------------------------------------------------

class DiffSource {
 public:
  DiffSource(const RunDocuments& run, const ReportOptions& options) : options_(options) {
    if (!options.diffs) return;
    if (options.objects != nullptr) {
      for (const Manifest& m : *options.objects) Index(m);
      return;
    }
    std::set<std::string> files;
    for (const Value& r : Arr(run.fixes, "results")) {
      if (!Arr(r, "patch").empty()) files.insert(Str(r, "file"));
    }
    for (const std::string& file : files) {
      if (file.empty() || file == "-") {
        unread_.push_back(file.empty() ? "(unnamed input)" : "- (stdin)");
        continue;
      }
      LoadResult loaded = LoadFile(file);
      if (!loaded.errors.empty() && loaded.manifests.empty()) {
        unread_.push_back(file + ": " + Sanitize(loaded.errors.front().message()));
        continue;
      }
      auto owned = std::make_shared<std::vector<Manifest>>(std::move(loaded.manifests));
      for (const Manifest& m : *owned) Index(m);
      owned_.push_back(std::move(owned));
    }
  }

  /// The diff of `result`'s patch on its object, or "" with `why` set.
  std::string DiffFor(const Value& result, std::string* why) {
    const Value* patch_json = result.Find("patch");
    if (patch_json == nullptr || !patch_json->is_array() || patch_json->as_array().empty()) return {};
    auto it = objects_.find(KeyOf(result));
    if (it == objects_.end()) {
      *why = "object not available: the patch ops are shown instead";
      return {};
    }
    Result<Patch> patch = ParsePatch(*patch_json);
    if (!patch.ok()) {
      *why = "patch not readable: " + Sanitize(patch.status().message());
      return {};
    }
    Result<Value> after = ApplyPatchCopy(*it->second, *patch);
    if (!after.ok()) {
      *why = "patch does not apply to the object as read now (file changed since the run?): " +
             Sanitize(after.status().message());
      return {};
    }
    std::string& before = before_yaml_[it->first];
    if (before.empty()) before = ToYaml(*it->second);
    const std::string file = std::get<0>(it->first);
    return Sanitize(UnifiedDiff(before, ToYaml(*after), "a/" + file, "b/" + file, options_.diff_context));
  }

  const std::vector<std::string>& unread() const { return unread_; }

 private:
  void Index(const Manifest& m) { objects_.emplace(ObjectKey{m.file, m.document, m.item}, &m.root); }

  const ReportOptions& options_;
  std::map<ObjectKey, const Value*> objects_;
  std::map<ObjectKey, std::string> before_yaml_;
  std::vector<std::shared_ptr<std::vector<Manifest>>> owned_;
  std::vector<std::string> unread_;
};

/// The ops of a patch, one per line, when no diff can be drawn.
std::string OpsText(const Value& result) {
  std::string out;
  for (const Value& op : Arr(result, "patch")) {
    out += Str(op, "op");
    out += ' ';
    out += Str(op, "path");
    if (const Value* v = op.Find("value")) {
      out += " = ";
      out += Sanitize(ToJson(*v));
    }
    if (const Value* from = op.Find("from"); from != nullptr && from->is_string()) {
      out += " from " + Sanitize(from->as_string());
    }
    out += '\n';
  }
  return out;
}

// ---- Statistics ----------------------------------------------------------------

struct CheckStats {
  std::int64_t findings = 0, accepted = 0, needs_review = 0, unfixable = 0, rejected = 0;
  std::map<std::string, std::int64_t> refused_by_gate;
  std::string severity;
};

struct Stats {
  std::vector<Row> rows;
  std::vector<std::string> diffs;
  std::map<std::string, CheckStats> checks;
  std::map<std::string, std::int64_t> gates;  ///< refusals per gate, all checks
  std::vector<double> policy_risk;            ///< accepted fixes' risk in schedule order
  std::vector<double> fifo_risk;              ///< the same fixes in input order
  std::int64_t kev = 0, scored = 0;
  std::int64_t risk_bins[10] = {};
  std::int64_t risk_bins_kev[10] = {};
};

Stats Collect(const RunDocuments& run, const ReportOptions& options, std::vector<std::string>& unread) {
  Stats st;
  const Value::Array& results = Arr(run.fixes, "results");
  const Value::Array& findings = Arr(run.findings, "findings");
  std::map<std::string, std::string> severity_of_check;
  for (const Value& f : findings) severity_of_check.emplace(Str(f, "check"), Str(f, "severity"));
  const bool parallel = findings.size() == results.size();

  DiffSource source(run, options);
  unread = source.unread();
  st.rows.reserve(results.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    const Value& r = results[i];
    Row row;
    row.check = Str(r, "check");
    if (parallel && Str(findings[i], "check") == row.check) {
      row.severity = Str(findings[i], "severity");
    } else if (auto it = severity_of_check.find(row.check); it != severity_of_check.end()) {
      row.severity = it->second;
    }
    row.message = Str(r, "message");
    row.object = ObjectLabel(r);
    row.container = Str(r, "container");
    row.file = Str(r, "file");
    row.line = static_cast<std::int64_t>(Num(r, "line"));
    row.status = Str(r, "status");
    std::string detail;
    row.gate = RefusingGate(r, &detail);
    row.reason = Str(r, "reason");
    if (row.reason.empty() && !row.gate.empty()) row.reason = row.gate + ": " + detail;
    row.ops = static_cast<std::int64_t>(Arr(r, "patch").size());
    if (const Value* risk = r.Find("risk"); risk != nullptr && risk->is_object()) {
      row.risk = Num(*risk, "risk", -1.0);
      const Value* kev = risk->Find("kev");
      row.kev = kev != nullptr && kev->is_bool() && kev->as_bool();
    }
    if (row.ops > 0) {
      std::string why;
      std::string diff = options.diffs ? source.DiffFor(r, &why) : std::string();
      if (diff.empty()) {
        diff = (why.empty() ? std::string() : "# " + why + "\n") + OpsText(r);
      }
      row.diff = static_cast<std::int64_t>(st.diffs.size());
      st.diffs.push_back(std::move(diff));
    }

    CheckStats& cs = st.checks[row.check];
    if (cs.severity.empty()) cs.severity = row.severity;
    ++cs.findings;
    if (row.status == "accepted") {
      ++cs.accepted;
    } else if (row.status == "needs-review" || row.status == "needs_review") {
      ++cs.needs_review;
    } else if (row.status == "unfixable") {
      ++cs.unfixable;
    } else if (row.status == "rejected") {
      ++cs.rejected;
      const std::string gate = row.gate.empty() ? std::string("other") : row.gate;
      ++cs.refused_by_gate[gate];
      ++st.gates[gate];
    }
    if (row.risk >= 0) {
      ++st.scored;
      const int bin = std::clamp(static_cast<int>(row.risk / 10.0), 0, 9);
      ++st.risk_bins[bin];
      if (row.kev) {
        ++st.kev;
        ++st.risk_bins_kev[bin];
      }
    }
    st.rows.push_back(std::move(row));
  }

  // Schedule vs FIFO: the scheduled fixes in rank order, and the same fixes
  // in input (result index) order.
  std::vector<std::pair<double, double>> by_result;  // (result index, risk)
  for (const Value& item : Arr(run.schedule, "items")) {
    const double risk = Num(item, "risk");
    st.policy_risk.push_back(risk);
    by_result.emplace_back(Num(item, "result"), risk);
  }
  std::stable_sort(by_result.begin(), by_result.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [index, risk] : by_result) st.fifo_risk.push_back(risk);
  return st;
}

// ---- SVG charts ---------------------------------------------------------------

const char* SeverityColor(std::string_view s) {
  if (s == "error") return "#c0392b";
  if (s == "warning") return "#e08e0b";
  if (s == "info") return "#2980b9";
  return "#7f8c8d";
}

/// Colors for refusing gates, stable by name.
const char* GateColor(std::string_view gate) {
  static constexpr const char* kShades[] = {"#8e1b10", "#b03a2e", "#cb4335", "#e74c3c", "#f1948a", "#922b21",
                                            "#6e2c00", "#a04000", "#d35400"};
  static constexpr std::string_view kGates[] = {"structure", "apply",       "destructive", "privilege", "namespace",
                                                "schema",    "rescan",      "idempotence", "budget"};
  for (std::size_t i = 0; i < std::size(kGates); ++i) {
    if (gate == kGates[i]) return kShades[i];
  }
  return "#641e16";
}

constexpr const char* kAccepted = "#27ae60";
constexpr const char* kReview = "#f4d03f";
constexpr const char* kUnfixable = "#95a5a6";

void Rect(std::string& out, double x, double y, double w, double h, const char* fill, const std::string& title) {
  out += "<rect x=\"" + Fmt(x) + "\" y=\"" + Fmt(y) + "\" width=\"" + Fmt(w) + "\" height=\"" + Fmt(h) +
         "\" fill=\"" + fill + "\"><title>";
  AppendEscaped(out, title);
  out += "</title></rect>";
}

void Text(std::string& out, double x, double y, const std::string& s, const char* extra = "") {
  out += "<text x=\"" + Fmt(x) + "\" y=\"" + Fmt(y) + "\"" + extra + ">";
  AppendEscaped(out, s);
  out += "</text>";
}

/// Checks ordered by findings (desc), then name; at most `limit`.
std::vector<std::pair<std::string, const CheckStats*>> TopChecks(const Stats& st, std::size_t limit) {
  std::vector<std::pair<std::string, const CheckStats*>> v;
  for (const auto& [name, cs] : st.checks) v.emplace_back(name, &cs);
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.second->findings > b.second->findings; });
  if (v.size() > limit) v.resize(limit);
  return v;
}

constexpr std::size_t kChartChecks = 25;

std::string FindingsByCheckSvg(const Stats& st) {
  const auto top = TopChecks(st, kChartChecks);
  const double bar_h = 18, gap = 4, label_w = 250, chart_w = 380, top_pad = 6;
  const double h = top_pad + static_cast<double>(top.size()) * (bar_h + gap) + 4;
  std::int64_t max = 1;
  for (const auto& [name, cs] : top) max = std::max(max, cs->findings);
  std::string out = "<svg class=\"chart\" id=\"chart-checks\" role=\"img\" viewBox=\"0 0 " +
                    Fmt(label_w + chart_w + 60) + " " + Fmt(h) + "\" aria-label=\"Findings by check\">";
  double y = top_pad;
  for (const auto& [name, cs] : top) {
    Text(out, label_w - 6, y + bar_h - 5, name, " text-anchor=\"end\"");
    const double w = chart_w * static_cast<double>(cs->findings) / static_cast<double>(max);
    Rect(out, label_w, y, std::max(w, 1.0), bar_h, SeverityColor(cs->severity),
         name + ": " + std::to_string(cs->findings) + " findings (" + cs->severity + ")");
    Text(out, label_w + w + 4, y + bar_h - 5, std::to_string(cs->findings));
    y += bar_h + gap;
  }
  out += "</svg>";
  return out;
}

std::string SeveritySvg(const Value& summary, const Stats& st) {
  std::map<std::string, std::int64_t> sev;
  if (const Value* s = summary.Find("by_severity"); s != nullptr && s->is_object()) {
    for (const Member& m : s->as_object()) {
      if (m.value.is_number()) sev[m.key] = static_cast<std::int64_t>(m.value.as_number());
    }
  } else {
    for (const Row& r : st.rows) ++sev[r.severity];
  }
  std::int64_t total = 0;
  for (const auto& [k, n] : sev) total += n;
  const double w = 600, h = 28;
  std::string out = "<svg class=\"chart\" id=\"chart-severity\" role=\"img\" viewBox=\"0 0 " + Fmt(w) + " " +
                    Fmt(h + 22) + "\" aria-label=\"Findings by severity\">";
  double x = 0;
  for (const char* name : {"error", "warning", "info"}) {
    auto it = sev.find(name);
    if (it == sev.end() || it->second == 0 || total == 0) continue;
    const double bw = w * static_cast<double>(it->second) / static_cast<double>(total);
    Rect(out, x, 0, bw, h, SeverityColor(name), std::string(name) + ": " + std::to_string(it->second));
    if (bw > 60) Text(out, x + 6, h - 9, std::string(name) + " " + std::to_string(it->second), " class=\"inv\"");
    x += bw;
  }
  Text(out, 0, h + 16, std::to_string(total) + " findings: " + std::to_string(sev["error"]) + " error, " +
                           std::to_string(sev["warning"]) + " warning, " + std::to_string(sev["info"]) + " info");
  out += "</svg>";
  return out;
}

std::string StatusByCheckSvg(const Stats& st) {
  const auto top = TopChecks(st, kChartChecks);
  const double bar_h = 18, gap = 4, label_w = 250, chart_w = 380, top_pad = 6;
  std::int64_t max = 1;
  for (const auto& [name, cs] : top) max = std::max(max, cs->findings);
  const double h = top_pad + static_cast<double>(top.size()) * (bar_h + gap) + 4;
  std::string out = "<svg class=\"chart\" id=\"chart-status\" role=\"img\" viewBox=\"0 0 " +
                    Fmt(label_w + chart_w + 120) + " " + Fmt(h) + "\" aria-label=\"Fix status by check\">";
  double y = top_pad;
  for (const auto& [name, cs] : top) {
    Text(out, label_w - 6, y + bar_h - 5, name, " text-anchor=\"end\"");
    double x = label_w;
    auto seg = [&](std::int64_t n, const char* color, const std::string& what) {
      if (n <= 0) return;
      const double w = chart_w * static_cast<double>(n) / static_cast<double>(max);
      Rect(out, x, y, w, bar_h, color, name + ": " + std::to_string(n) + " " + what);
      x += w;
    };
    seg(cs->accepted, kAccepted, "accepted");
    seg(cs->needs_review, kReview, "need review");
    seg(cs->unfixable, kUnfixable, "unfixable");
    for (const auto& [gate, n] : cs->refused_by_gate) seg(n, GateColor(gate), "refused by the " + gate + " gate");
    Text(out, x + 4, y + bar_h - 5,
         std::to_string(cs->accepted) + "/" + std::to_string(cs->findings) + " accepted");
    y += bar_h + gap;
  }
  out += "</svg>";
  return out;
}

std::string StatusLegend(const Stats& st) {
  std::string out = "<div class=\"legend\">";
  auto item = [&](const char* color, const std::string& label) {
    out += "<span><i style=\"background:";
    out += color;
    out += "\"></i>";
    AppendEscaped(out, label);
    out += "</span>";
  };
  item(kAccepted, "accepted");
  item(kReview, "needs review");
  item(kUnfixable, "unfixable");
  for (const auto& [gate, n] : st.gates) item(GateColor(gate), "refused: " + gate + " (" + std::to_string(n) + ")");
  out += "</div>";
  return out;
}

std::string RiskSvg(const Stats& st) {
  const double w = 600, h = 180, pad_t = 16, pad_l = 40, pad_b = 30, bw = (w - pad_l) / 10.0;
  std::int64_t max = 1;
  for (std::int64_t n : st.risk_bins) max = std::max(max, n);
  std::string out = "<svg class=\"chart\" id=\"chart-risk\" role=\"img\" viewBox=\"0 0 " + Fmt(w) + " " +
                    Fmt(h + pad_t + pad_b) + "\" aria-label=\"Risk distribution\"><g transform=\"translate(0," + Fmt(pad_t) + ")\">";
  for (int i = 0; i < 10; ++i) {
    const double x = pad_l + i * bw + 2;
    const double total_h = h * static_cast<double>(st.risk_bins[i]) / static_cast<double>(max);
    const double kev_h = h * static_cast<double>(st.risk_bins_kev[i]) / static_cast<double>(max);
    const std::string range = std::to_string(i * 10) + "-" + std::to_string(i * 10 + 10);
    if (total_h - kev_h > 0) {
      Rect(out, x, h - total_h, bw - 4, total_h - kev_h, "#5d6d7e",
           "risk " + range + ": " + std::to_string(st.risk_bins[i] - st.risk_bins_kev[i]) + " without KEV");
    }
    if (kev_h > 0) {
      Rect(out, x, h - kev_h, bw - 4, kev_h, "#922b21",
           "risk " + range + ": " + std::to_string(st.risk_bins_kev[i]) + " with an image CVE in KEV");
    }
    if (st.risk_bins[i] > 0) {
      Text(out, x + (bw - 4) / 2, h - total_h - 3, std::to_string(st.risk_bins[i]), " text-anchor=\"middle\"");
    }
    Text(out, x + (bw - 4) / 2, h + 16, std::to_string(i * 10), " text-anchor=\"middle\"");
  }
  Text(out, pad_l, h + 28, "risk (0-100)");
  out += "</g></svg>";
  return out;
}

/// Cumulative share of the total risk removed after each position.
std::vector<double> Cumulative(const std::vector<double>& risks) {
  double total = 0;
  for (double r : risks) total += r;
  std::vector<double> out;
  out.reserve(risks.size());
  double acc = 0;
  for (double r : risks) {
    acc += r;
    out.push_back(total > 0 ? acc / total : 1.0);
  }
  return out;
}

/// 1-based position at which `share` of the risk is removed (0 when empty).
std::size_t PositionFor(const std::vector<double>& cumulative, double share) {
  for (std::size_t i = 0; i < cumulative.size(); ++i) {
    if (cumulative[i] + 1e-12 >= share) return i + 1;
  }
  return cumulative.size();
}

double MeanShare(const std::vector<double>& cumulative) {
  if (cumulative.empty()) return 0.0;
  double s = 0;
  for (double c : cumulative) s += c;
  return s / static_cast<double>(cumulative.size());
}

std::string Polyline(const std::vector<double>& cum, double x0, double y0, double w, double h, const char* color,
                     const char* id) {
  std::string pts = Fmt(x0) + "," + Fmt(y0 + h);
  const std::size_t n = cum.size();
  // At most ~600 points: enough for the width of the chart.
  const std::size_t step = std::max<std::size_t>(1, n / 600);
  for (std::size_t i = 0; i < n; i += step) {
    pts += " " + Fmt(x0 + w * static_cast<double>(i + 1) / static_cast<double>(n)) + "," + Fmt(y0 + h - h * cum[i]);
  }
  if (n > 0 && (n - 1) % step != 0) pts += " " + Fmt(x0 + w) + "," + Fmt(y0 + h - h * cum.back());
  return std::string("<polyline id=\"") + id + "\" fill=\"none\" stroke=\"" + color +
         "\" stroke-width=\"2\" points=\"" + pts + "\"/>";
}

std::string ScheduleSvg(const Stats& st, std::string& caption) {
  const std::vector<double> policy = Cumulative(st.policy_risk);
  const std::vector<double> fifo = Cumulative(st.fifo_risk);
  const double w = 600, h = 220, x0 = 44, y0 = 8, pw = w - x0 - 10, ph = h - 40;
  std::string out = "<svg class=\"chart\" id=\"chart-schedule\" role=\"img\" viewBox=\"0 0 " + Fmt(w) + " " +
                    Fmt(h) + "\" aria-label=\"Cumulative risk removed: schedule vs FIFO\">";
  for (int i = 0; i <= 4; ++i) {
    const double y = y0 + ph - ph * i / 4.0;
    out += "<line x1=\"" + Fmt(x0) + "\" x2=\"" + Fmt(x0 + pw) + "\" y1=\"" + Fmt(y) + "\" y2=\"" + Fmt(y) +
           "\" stroke=\"#ddd\"/>";
    Text(out, x0 - 4, y + 4, std::to_string(i * 25) + "%", " text-anchor=\"end\"");
  }
  out += Polyline(fifo, x0, y0, pw, ph, "#7f8c8d", "curve-fifo");
  out += Polyline(policy, x0, y0, pw, ph, "#1f618d", "curve-policy");
  Text(out, x0, y0 + ph + 16, "1");
  Text(out, x0 + pw, y0 + ph + 16, std::to_string(policy.size()), " text-anchor=\"end\"");
  Text(out, x0 + pw / 2, y0 + ph + 30, "position in the queue (accepted fixes)", " text-anchor=\"middle\"");
  out += "</svg>";
  const std::size_t n = policy.size();
  caption = n == 0 ? std::string("No accepted fix was scheduled.")
                   : "Half of the risk is removed after " + std::to_string(PositionFor(policy, 0.5)) + " of " +
                         std::to_string(n) + " fixes in the scheduler's order, after " +
                         std::to_string(PositionFor(fifo, 0.5)) + " in FIFO order; mean share removed per position " +
                         Fmt(100.0 * MeanShare(policy)) + "% vs " + Fmt(100.0 * MeanShare(fifo)) + "%.";
  return out;
}

// ---- Sections -------------------------------------------------------------------

void Tile(std::string& out, const Value& summary, const char* key, const char* label) {
  const Value* v = summary.Find(key);
  if (v == nullptr || !v->is_number()) return;
  out += "<div class=\"tile\" data-key=\"";
  out += key;
  out += "\"><div class=\"n\">" + Fmt(v->as_number()) + "</div><div class=\"l\">";
  out += label;
  out += "</div></div>";
}

void SummarySection(std::string& out, const RunDocuments& run, const Stats& st) {
  out += "<section id=\"summary\"><h2>Summary</h2><div class=\"tiles\">";
  const Value& s = run.summary;
  Tile(out, s, "files", "files");
  Tile(out, s, "objects", "objects");
  Tile(out, s, "findings", "findings");
  Tile(out, s, "accepted", "fixes accepted");
  Tile(out, s, "rejected", "fixes refused");
  Tile(out, s, "needs_review", "need review");
  Tile(out, s, "unfixable", "unfixable");
  Tile(out, s, "ignored", "ignored");
  Tile(out, s, "errors", "load errors");
  Tile(out, s, "warnings", "warnings");
  Tile(out, s, "objects_patched", "objects patched");
  Tile(out, s, "kev_findings", "findings with KEV");
  Tile(out, s, "median_ops", "median ops per fix");
  Tile(out, s, "max_risk", "max risk");
  out += "</div>";
  const double findings = Num(s, "findings");
  if (findings > 0) {
    out += "<p class=\"note\">" + Fmt(100.0 * Num(s, "accepted") / findings) +
           "% of findings have an accepted fix; KEV share of scored findings: " +
           (st.scored > 0 ? Fmt(100.0 * static_cast<double>(st.kev) / static_cast<double>(st.scored)) : "0") +
           "%.</p>";
  }
  out += "</section>";
}

void ErrorsSection(std::string& out, const RunDocuments& run, const std::vector<std::string>& unread) {
  const Value::Array& errors = Arr(run.fixes, "errors");
  if (errors.empty() && unread.empty()) return;
  out += "<section id=\"errors\"><h2>Inputs that could not be read</h2><ul>";
  for (const Value& e : errors) {
    out += "<li class=\"err\">";
    if (e.is_string()) {
      AppendEscaped(out, Sanitize(e.as_string()));
    } else {
      std::string where = Str(e, "file");
      if (const double line = Num(e, "line"); line > 0) where += ":" + Fmt(line);
      AppendEscaped(out, where.empty() ? Str(e, "message") : where + ": " + Str(e, "message"));
    }
    out += "</li>";
  }
  for (const std::string& u : unread) {
    out += "<li class=\"warn\">diffs not drawn for ";
    AppendEscaped(out, u);
    out += "</li>";
  }
  out += "</ul></section>";
}

/// gVisor verdicts per namespace (the output of `kfix gvisor scan --format json`).
void GvisorSection(std::string& out, const Value& doc) {
  std::map<std::string, std::map<std::string, std::int64_t>> per_ns;
  for (const Value& w : Arr(doc, "workloads")) ++per_ns[Str(w, "namespace")][Str(w, "compatibility")];
  out += "<section id=\"gvisor\"><h2>gVisor compatibility by namespace</h2>";
  out += "<table class=\"small\"><thead><tr><th>namespace</th><th>compatible</th><th>review</th>"
         "<th>incompatible</th></tr></thead><tbody>";
  for (auto& [ns, counts] : per_ns) {
    out += "<tr><td>";
    AppendEscaped(out, ns.empty() ? std::string("(none)") : ns);
    out += "</td><td>" + std::to_string(counts["compatible"]) + "</td><td>" + std::to_string(counts["review"]) +
           "</td><td>" + std::to_string(counts["incompatible"]) + "</td></tr>";
  }
  out += "</tbody></table></section>";
}

/// Quarantine records (the JSON lines of `kfix quarantine plan|apply`).
void QuarantineSection(std::string& out, const Value& records) {
  std::map<std::string, std::int64_t> by_status;
  for (const Value& r : records.as_array()) ++by_status[Str(r, "status")];
  out += "<section id=\"quarantine\"><h2>Container-escape quarantine</h2><p class=\"note\">";
  bool first = true;
  for (const auto& [status, n] : by_status) {
    if (!first) out += ", ";
    first = false;
    AppendEscaped(out, std::to_string(n) + " " + status);
  }
  out += "</p><table class=\"small\"><thead><tr><th>finding</th><th>status</th><th>target</th><th>mode</th>"
         "<th>policy</th></tr></thead><tbody>";
  for (const Value& r : records.as_array()) {
    const Value* t = r.Find("target");
    const Value empty;
    const Value& target = t != nullptr ? *t : empty;
    out += "<tr><td>";
    AppendEscaped(out, Str(r, "finding_uid"));
    out += "</td><td>";
    AppendEscaped(out, Str(r, "status"));
    out += "</td><td>";
    AppendEscaped(out, Str(target, "namespace") + "/" + Str(target, "resource_type") + "/" + Str(target, "resource_name"));
    out += "</td><td>";
    AppendEscaped(out, Str(r, "action_mode"));
    out += "</td><td>";
    AppendEscaped(out, Str(r, "policy_name"));
    out += "</td></tr>";
  }
  out += "</tbody></table></section>";
}

/// Typed SRE actions proposed by the incident watcher (`kfix incidents triage`).
void IncidentsSection(std::string& out, const Value& doc) {
  const std::size_t incidents = Arr(doc, "incidents").size();
  const Value::Array& proposed = Arr(doc, "new_actions");
  const Value* alerts = doc.Find("alerts");
  const std::size_t sent = alerts != nullptr ? Arr(*alerts, "sent").size() : 0;
  const std::size_t suppressed = alerts != nullptr ? Arr(*alerts, "suppressed").size() : 0;
  out += "<section id=\"incidents\"><h2>Typed actions from incidents</h2><p class=\"note\">";
  AppendEscaped(out, std::to_string(incidents) + " incidents, " + std::to_string(proposed.size()) +
                         " new actions awaiting approval, " + std::to_string(Arr(doc, "reused_actions").size()) +
                         " reused, alerts " + std::to_string(sent) + " sent / " + std::to_string(suppressed) +
                         " suppressed.");
  out += "</p><table class=\"small\"><thead><tr><th>namespace</th><th>action</th><th>parameters</th></tr></thead>"
         "<tbody>";
  for (const Value& a : proposed) {
    const Value* md = a.Find("metadata");
    const Value* spec = a.Find("spec");
    const Value* action = spec != nullptr ? spec->Find("action") : nullptr;
    const Value* params = action != nullptr ? action->Find("params") : nullptr;
    out += "<tr><td>";
    AppendEscaped(out, md != nullptr ? Str(*md, "namespace") : std::string());
    out += "</td><td>";
    AppendEscaped(out, action != nullptr ? Str(*action, "type") : std::string());
    out += "</td><td><code>";
    AppendEscaped(out, params != nullptr ? Sanitize(ToJson(*params)) : std::string());
    out += "</code></td></tr>";
  }
  out += "</tbody></table></section>";
}

// ---- The table's data --------------------------------------------------------------

std::string TableData(const Stats& st) {
  Value rows = Value::MakeArray();
  rows.as_array().reserve(st.rows.size());
  for (const Row& r : st.rows) {
    Value row = Value::MakeArray();
    Value::Array& a = row.as_array();
    a.reserve(12);
    a.emplace_back(r.severity);
    a.emplace_back(r.check);
    a.emplace_back(r.container.empty() ? r.object : r.object + "[" + r.container + "]");
    a.emplace_back(r.file);
    a.emplace_back(r.line);
    a.emplace_back(r.status);
    a.emplace_back(r.reason);
    a.emplace_back(r.risk >= 0 ? Value(r.risk) : Value(nullptr));
    a.emplace_back(r.kev);
    a.emplace_back(r.ops);
    a.emplace_back(r.diff);
    a.emplace_back(r.message);
    rows.PushBack(std::move(row));
  }
  Value diffs = Value::MakeArray();
  for (const std::string& d : st.diffs) diffs.PushBack(Value(d));
  Value data = Value::MakeObject();
  data.Set("rows", std::move(rows));
  data.Set("diffs", std::move(diffs));
  std::string json = ToJson(data);
  // Inside <script>: '<' only occurs in strings, where \u003c is the same
  // character, so "</script>" and "<!--" cannot end or confuse the block.
  std::string out;
  out.reserve(json.size() + json.size() / 64);
  for (char c : json) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

Result<std::string> RenderHtmlReport(const RunDocuments& run, const ReportOptions& options) {
  if (!run.summary.is_object()) return InvalidArgumentError("report: the run's summary document is missing");
  if (!run.fixes.is_object()) return InvalidArgumentError("report: the run's fixes document is missing");
  std::vector<std::string> unread;
  const Stats st = Collect(run, options, unread);

  std::string out;
  out.reserve(64 * 1024 + st.rows.size() * 400);
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\"><title>";
  AppendEscaped(out, Sanitize(options.title));
  out += "</title><style>";
  out += internal::kReportCss;
  out += "</style></head><body><header><h1>";
  AppendEscaped(out, Sanitize(options.title));
  out += "</h1><p class=\"sub\">";
  if (const double now = Num(run.schedule, "now", 0); now > 0) {
    out += "run at " + internal::Rfc3339(now) + " &middot; ";
  }
  out += "schema version " + Str(run.summary, "schemaVersion") + "</p></header><main>";

  SummarySection(out, run, st);
  ErrorsSection(out, run, unread);

  out += "<section id=\"by-check\"><h2>Findings by check</h2>";
  if (st.checks.size() > kChartChecks) {
    out += "<p class=\"note\">The " + std::to_string(kChartChecks) + " checks with most findings of " +
           std::to_string(st.checks.size()) + ".</p>";
  }
  out += FindingsByCheckSvg(st);
  out += "<h3>By severity</h3>" + SeveritySvg(run.summary, st) + "</section>";

  out += "<section id=\"status\"><h2>Fix status by check</h2>"
         "<p class=\"note\">Each bar splits a check's findings into accepted fixes, fixes that need review, "
         "findings without a generator, and fixes refused, by the gate that refused them.</p>";
  out += StatusLegend(st) + StatusByCheckSvg(st) + "</section>";

  out += "<section id=\"risk\"><h2>Risk distribution</h2><p class=\"note\">Findings by risk score (10-point bins); "
         "dark red: the workload runs an image with a CVE in CISA's KEV catalogue (" +
         std::to_string(st.kev) + " of " + std::to_string(st.scored) + ").</p>" + RiskSvg(st) + "</section>";

  std::string caption;
  const std::string schedule_svg = ScheduleSvg(st, caption);
  out += "<section id=\"schedule\"><h2>Schedule vs FIFO</h2><p class=\"note\">Share of the total risk of the "
         "accepted fixes removed after each position: <b class=\"c-policy\">scheduler's order</b> against "
         "<b class=\"c-fifo\">FIFO (input) order</b>.</p>" +
         schedule_svg + "<p class=\"caption\" id=\"schedule-caption\">";
  AppendEscaped(out, caption);
  out += "</p></section>";

  for (const auto& [name, doc] : run.extras) {
    if (name == "gvisor.json") GvisorSection(out, doc);
    if (name == "quarantine.jsonl" && doc.is_array()) QuarantineSection(out, doc);
    if (name == "incidents.json") IncidentsSection(out, doc);
  }

  out += "<section id=\"findings\"><h2>Findings</h2><div class=\"controls\">"
         "<input id=\"filter\" type=\"search\" placeholder=\"filter: check, object, file, reason...\" "
         "aria-label=\"filter findings\"> <select id=\"status-filter\" aria-label=\"status\">"
         "<option value=\"\">any status</option><option>accepted</option><option>rejected</option>"
         "<option>needs-review</option><option>unfixable</option></select> "
         "<span id=\"shown\"></span></div><table id=\"findings-table\" data-total=\"" +
         std::to_string(st.rows.size()) +
         "\"><thead><tr><th data-col=\"0\">severity</th><th data-col=\"1\">check</th>"
         "<th data-col=\"2\">object</th><th data-col=\"3\">file:line</th><th data-col=\"5\">status</th>"
         "<th data-col=\"6\">reason</th><th data-col=\"7\" class=\"num\">risk</th>"
         "<th data-col=\"9\" class=\"num\">ops</th></tr></thead><tbody></tbody></table>"
         "<button id=\"more\" type=\"button\" hidden></button>"
         "<noscript><p>The findings table needs JavaScript; the same data is in fixes.json.</p></noscript>"
         "</section></main>";
  out += "<script type=\"application/json\" id=\"kfix-data\">";
  out += TableData(st);
  out += "</script><script>";
  out += internal::kReportScript;
  out += "</script></body></html>\n";
  return out;
}

}  // namespace kfix
