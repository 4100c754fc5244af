// YAML loading: libyaml's event API (yaml_parser_parse) -> kfix::Value with
// 1-based positions, YAML 1.1 scalar resolution as sigs.k8s.io/yaml (go-yaml
// v2) applies it, anchors/aliases/merge keys, limits, and the manifest view
// (documents, `kind: List` expansion, JSON routing). Rules and limits are
// listed in docs/yaml-semantics.md.
//
// Design: one pass over the event stream with an explicit stack of open
// collections (no recursion, so the depth limit is an error, not a stack
// overflow). Scalars are resolved with a switch on the first byte; strings
// are built once and moved into the tree.
#include <yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/json_internal.hpp"
#include "core/yaml_internal.hpp"
#include "kfix/core.hpp"

namespace kfix {
namespace internal {
namespace {

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

// --- Scalar resolution -------------------------------------------------------

// go-yaml v2 resolve_table hints: 'S' sign, 'D' digit, 'M' map-only, '.' float.
constexpr std::array<char, 256> MakeHintTable() {
  std::array<char, 256> t{};
  t[static_cast<unsigned char>('+')] = 'S';
  t[static_cast<unsigned char>('-')] = 'S';
  for (char c = '0'; c <= '9'; ++c) t[static_cast<unsigned char>(c)] = 'D';
  for (char c : std::string_view("yYnNtTfFoO~")) t[static_cast<unsigned char>(c)] = 'M';
  t[static_cast<unsigned char>('.')] = '.';
  return t;
}
constexpr std::array<char, 256> kHint = MakeHintTable();

enum class MapHit { kNone, kTrue, kFalse, kNull, kNaN, kPosInf, kNegInf };

// go-yaml v2's resolve_map (exact spellings only).
MapHit LookupResolveMap(std::string_view s) noexcept {
  auto any = [&](std::initializer_list<std::string_view> l) {
    for (std::string_view x : l) {
      if (s == x) return true;
    }
    return false;
  };
  if (s.empty()) return MapHit::kNull;
  switch (s[0]) {
    case 'y': case 'Y':
      return any({"y", "Y", "yes", "Yes", "YES"}) ? MapHit::kTrue : MapHit::kNone;
    case 'n': case 'N':
      if (any({"n", "N", "no", "No", "NO"})) return MapHit::kFalse;
      return any({"null", "Null", "NULL"}) ? MapHit::kNull : MapHit::kNone;
    case 't': case 'T':
      return any({"true", "True", "TRUE"}) ? MapHit::kTrue : MapHit::kNone;
    case 'f': case 'F':
      return any({"false", "False", "FALSE"}) ? MapHit::kFalse : MapHit::kNone;
    case 'o': case 'O':
      if (any({"on", "On", "ON"})) return MapHit::kTrue;
      return any({"off", "Off", "OFF"}) ? MapHit::kFalse : MapHit::kNone;
    case '~':
      return s.size() == 1 ? MapHit::kNull : MapHit::kNone;
    case '.':
      if (any({".nan", ".NaN", ".NAN"})) return MapHit::kNaN;
      return any({".inf", ".Inf", ".INF"}) ? MapHit::kPosInf : MapHit::kNone;
    case '+':
      return any({"+.inf", "+.Inf", "+.INF"}) ? MapHit::kPosInf : MapHit::kNone;
    case '-':
      return any({"-.inf", "-.Inf", "-.INF"}) ? MapHit::kNegInf : MapHit::kNone;
    default:
      return MapHit::kNone;
  }
}

Value FromMapHit(MapHit h) {
  switch (h) {
    case MapHit::kTrue: return Value(true);
    case MapHit::kFalse: return Value(false);
    case MapHit::kNaN: return Value(std::numeric_limits<double>::quiet_NaN());
    case MapHit::kPosInf: return Value(std::numeric_limits<double>::infinity());
    case MapHit::kNegInf: return Value(-std::numeric_limits<double>::infinity());
    default: return Value();
  }
}

// Go's strconv.ParseInt(s, 0, 64) then ParseUint(s, 0, 64), on text without
// underscores. Sets `out` to an int (or a double for the uint64-only range).
bool ParseGoIntBase0(std::string_view s, Value& out) noexcept {
  std::size_t i = 0;
  const std::size_t n = s.size();
  bool neg = false;
  bool sign = false;
  if (i < n && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    sign = true;
    ++i;
  }
  if (i >= n) return false;
  unsigned base = 10;
  if (s[i] == '0' && i + 1 < n) {
    const char c = s[i + 1];
    if (c == 'x' || c == 'X') {
      base = 16;
      i += 2;
    } else if (c == 'o' || c == 'O') {
      base = 8;
      i += 2;
    } else if (c == 'b' || c == 'B') {
      base = 2;
      i += 2;
    } else {
      base = 8;
      i += 1;
    }
    if (i >= n) return false;
  }
  std::uint64_t acc = 0;
  bool overflow = false;
  for (; i < n; ++i) {
    const char c = s[i];
    unsigned d;
    if (c >= '0' && c <= '9') {
      d = static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<unsigned>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = static_cast<unsigned>(c - 'A' + 10);
    } else {
      return false;
    }
    if (d >= base) return false;
    if (acc > (std::numeric_limits<std::uint64_t>::max() - d) / base) overflow = true;
    acc = acc * base + d;
  }
  constexpr std::uint64_t kMaxI64 = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (overflow) return false;
  if (neg) {
    if (acc > kMaxI64 + 1) return false;
    out = Value(acc == kMaxI64 + 1 ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(acc));
    return true;
  }
  if (acc <= kMaxI64) {
    out = Value(static_cast<std::int64_t>(acc));
    return true;
  }
  if (sign) return false;  // ParseUint takes no sign
  out = Value(static_cast<double>(acc));
  return true;
}

// go-yaml v2's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool MatchesYamlFloat(std::string_view s) noexcept {
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto digits = [&]() {
    std::size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < n && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < n && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == n;
}

// Go's strconv.ParseFloat on text already known to match MatchesYamlFloat
// (or a '.'-led decimal). Overflow to +-Inf is a failure (ErrRange).
bool ParseDecimalFloat(std::string_view s, double& out) noexcept {
  std::string_view body = s;
  bool neg = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  double d = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), d, std::chars_format::general);
  if (ptr != body.data() + body.size()) return false;
  if (ec == std::errc::result_out_of_range) {
    // Decide overflow vs underflow with strtod (rare path).
    char buf[128];
    if (body.size() >= sizeof buf) return false;
    std::memcpy(buf, body.data(), body.size());
    buf[body.size()] = '\0';
    d = std::strtod(buf, nullptr);
    if (std::isinf(d)) return false;
  } else if (ec != std::errc()) {
    return false;
  }
  if (std::isinf(d)) return false;
  out = neg ? -d : d;
  return true;
}

// Float-or-int resolution for a text whose first byte is a digit or sign.
bool ResolveNumber(std::string_view in, Value& out) {
  std::string_view plain = in;
  std::string tmp;
  if (in.find('_') != std::string_view::npos) {
    tmp.reserve(in.size());
    for (char c : in) {
      if (c != '_') tmp.push_back(c);
    }
    plain = tmp;
  }
  if (ParseGoIntBase0(plain, out)) return true;
  if (MatchesYamlFloat(plain)) {
    double d = 0;
    if (ParseDecimalFloat(plain, d)) {
      out = Value(d);
      return true;
    }
  }
  return false;
}

// Returns true and sets `out` when `in` resolves to a non-string.
bool ResolveNonString(std::string_view in, Value& out) {
  const char hint = in.empty() ? 'N' : kHint[static_cast<unsigned char>(in[0])];
  if (hint == 0) return false;
  const MapHit hit = LookupResolveMap(in);
  if (hit != MapHit::kNone) {
    out = FromMapHit(hit);
    return true;
  }
  switch (hint) {
    case '.': {
      // Not in the map: maybe a plain float such as ".5" or ".5e3".
      if (!MatchesYamlFloat(in)) return false;
      double d = 0;
      if (ParseDecimalFloat(in, d)) {
        out = Value(d);
        return true;
      }
      return false;
    }
    case 'D':
    case 'S':
      return ResolveNumber(in, out);
    default:
      return false;
  }
}

// Go strconv.FormatFloat(f, 'g', -1, 32).
std::string FormatGoFloat32(double value) {
  if (std::isnan(value)) return ".nan";
  const float f = static_cast<float>(value);
  if (std::isinf(f)) return f > 0 ? ".inf" : "-.inf";
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  (void)ec;
  std::string_view sci(buf, static_cast<std::size_t>(ptr - buf));
  std::string out;
  if (!sci.empty() && sci[0] == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  const std::size_t epos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, epos)) {
    if (c != '.') digits.push_back(c);
  }
  int exp = 0;
  {
    std::string_view e = sci.substr(epos + 1);
    bool eneg = false;
    if (!e.empty() && (e[0] == '+' || e[0] == '-')) {
      eneg = e[0] == '-';
      e.remove_prefix(1);
    }
    std::from_chars(e.data(), e.data() + e.size(), exp);
    if (eneg) exp = -exp;
  }
  if (digits == "0") return out + "0";
  const int nd = static_cast<int>(digits.size());
  const int dp = exp + 1;
  if (exp < -4 || exp >= 6) {
    out.push_back(digits[0]);
    if (nd > 1) {
      out.push_back('.');
      out.append(digits, 1, std::string::npos);
    }
    out.push_back('e');
    out.push_back(exp < 0 ? '-' : '+');
    const int ax = exp < 0 ? -exp : exp;
    if (ax < 10) out.push_back('0');
    out += std::to_string(ax);
    return out;
  }
  if (dp <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-dp), '0');
    out += digits;
  } else if (dp >= nd) {
    out += digits;
    out.append(static_cast<std::size_t>(dp - nd), '0');
  } else {
    out.append(digits, 0, static_cast<std::size_t>(dp));
    out.push_back('.');
    out.append(digits, static_cast<std::size_t>(dp), std::string::npos);
  }
  return out;
}

// --- Positions -----------------------------------------------------------------

std::int32_t ToPos(std::size_t zero_based) noexcept {
  return zero_based >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())
             ? std::numeric_limits<std::int32_t>::max()
             : static_cast<std::int32_t>(zero_based + 1);
}

// 1-based line/column (columns in code points) of a byte offset.
void LineColumnOfOffset(std::string_view text, std::size_t offset, std::int32_t& line, std::int32_t& column) {
  offset = std::min(offset, text.size());
  std::size_t l = 0;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++l;
      line_start = i + 1;
    }
  }
  std::size_t col = 0;
  for (std::size_t i = line_start; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++col;
  }
  line = ToPos(l);
  column = ToPos(col);
}

std::string TypeWord(const Value& v) {
  switch (v.type()) {
    case Value::Type::kArray: return "a sequence";
    case Value::Type::kObject: return "a mapping";
    case Value::Type::kString: return "a string";
    case Value::Type::kBool: return "a boolean";
    case Value::Type::kNull: return "null";
    default: return "a number";
  }
}

// --- The event-driven builder ---------------------------------------------------

struct Anchor {
  Value value;
  std::size_t nodes = 0;
  std::size_t height = 0;  // 0 for a scalar, 1 + tallest child for a collection
};

struct MergeSource {
  std::size_t insert_at = 0;  // index in the explicit members
  Value value;                // an object or an array of objects
};

// An open collection. Its children live on the builder's scratch stacks from
// `start` on, and become one exactly-sized vector when the collection closes.
struct Frame {
  std::size_t start = 0;
  std::int32_t line = 0;
  std::int32_t column = 0;
  std::size_t height = 1;
  bool is_map = false;
  bool have_key = false;
  bool key_is_merge = false;
  std::string key;
  std::int32_t key_line = 0;
  std::int32_t key_column = 0;
  std::string anchor;
  std::size_t nodes_at_start = 0;
  std::vector<MergeSource> merges;
  std::unique_ptr<std::unordered_map<std::string, std::size_t>> index;  // for large maps
};

constexpr std::size_t kLinearKeyScan = 24;

class YamlBuilder {
 public:
  YamlBuilder(std::string_view text, std::string_view file, const ParseOptions& options,
              const YamlDocumentFn& on_document, std::vector<Status>& errors, std::vector<Status>& warnings)
      : text_(text), file_(file), options_(options), on_document_(on_document), errors_(errors),
        warnings_(warnings) {}

  std::int32_t Run();

 private:
  SourceLocation Loc(std::int32_t line, std::int32_t column) const {
    SourceLocation l;
    l.file = std::string(file_);
    l.line = line;
    l.column = column;
    l.document = document_;
    return l;
  }
  SourceLocation Loc(const yaml_mark_t& m) const { return Loc(ToPos(m.line), ToPos(m.column)); }

  // Records a per-document error and skips the rest of the document.
  void Fail(Status s) {
    AddError(std::move(s));
    skipping_ = true;
    ClearStacks();
  }
  // Errors past ParseOptions::max_errors stop the stream: a file of millions
  // of broken documents must not keep millions of messages.
  void AddError(Status s) {
    if (errors_.size() >= options_.max_errors) {
      if (!abort_stream_) {
        SourceLocation l = s.location();
        errors_.push_back(LimitExceededError("more than " + std::to_string(options_.max_errors) +
                                                 " errors (limits.maxErrorsPerFile / ParseOptions::max_errors); the rest of the stream was not read",
                                             std::move(l)));
      }
      abort_stream_ = true;
      return;
    }
    errors_.push_back(std::move(s));
  }
  void AddWarning(Status s) {
    if (warnings_.size() >= options_.max_errors) {
      ++dropped_warnings_;
      return;
    }
    warnings_.push_back(std::move(s));
  }

 public:
  std::size_t total_nodes() const { return total_nodes_; }

 private:
  bool CountNodes(std::size_t n, const yaml_mark_t& mark) {
    nodes_ += n;
    total_nodes_ += n;
    if (total_nodes_ > options_.max_total_nodes) {
      Fail(LimitExceededError("the file has more than " + std::to_string(options_.max_total_nodes) +
                                  " nodes (limits.maxNodesPerFile / ParseOptions::max_total_nodes); the rest of the stream was not read",
                              Loc(mark)));
      abort_stream_ = true;
      return false;
    }
    if (nodes_ > options_.max_nodes) {
      Fail(LimitExceededError("document has more than " + std::to_string(options_.max_nodes) +
                                  " nodes (limits.maxNodesPerDocument / ParseOptions::max_nodes)",
                              Loc(mark)));
      return false;
    }
    return true;
  }

  void OnScalar(const yaml_event_t& e);
  void OnAlias(const yaml_event_t& e);
  void OnCollectionStart(const yaml_event_t& e, bool is_map);
  void OnCollectionEnd(const yaml_event_t& e);
  // Attaches a complete node to the open collection (or completes the root).
  void Attach(Value&& v, const yaml_mark_t& mark, std::size_t height = 0);
  void SetKey(Frame& f, std::string&& key, bool is_merge, const yaml_mark_t& mark);
  void InsertMember(Frame& f, Value&& v, const yaml_mark_t& mark);
  bool ApplyMerges(Frame& f, Value::Object& explicit_members, const yaml_mark_t& mark);
  bool ResolveTagged(const yaml_event_t& e, std::string_view text, Value& out);
  void StoreAnchor(const yaml_char_t* anchor, const Value& v, std::size_t nodes) {
    Anchor& a = anchors_[reinterpret_cast<const char*>(anchor)];
    a.value = v;
    a.nodes = nodes;
    a.height = 0;
  }
  void StoreAnchor(const std::string& anchor, const Value& v, std::size_t nodes, std::size_t height) {
    Anchor& a = anchors_[anchor];
    a.value = v;
    a.nodes = nodes;
    a.height = height;
  }
  void SyntaxError(const yaml_parser_t& p);
  void DepthExceeded(const yaml_event_t& e);
  void ClearStacks() {
    frames_.clear();
    members_.clear();
    values_.clear();
  }

  std::string_view text_;
  std::string_view file_;
  const ParseOptions& options_;
  const YamlDocumentFn& on_document_;
  std::vector<Status>& errors_;
  std::vector<Status>& warnings_;

  std::vector<Frame> frames_;
  std::vector<Member> members_;  // scratch: members of the open mappings
  std::vector<Value> values_;    // scratch: elements of the open sequences
  std::unordered_map<std::string, Anchor> anchors_;
  std::int32_t documents_ = 0;
  std::int32_t document_ = -1;
  std::size_t nodes_ = 0;
  std::size_t alias_nodes_ = 0;
  bool skipping_ = false;
  bool abort_stream_ = false;
  std::size_t total_nodes_ = 0;
  std::size_t dropped_warnings_ = 0;
  // Open collections in libyaml's event stream, counted even while a failed
  // document is being skipped: the depth limit must hold there too.
  std::size_t raw_depth_ = 0;
};

void YamlBuilder::DepthExceeded(const yaml_event_t& e) {
  // libyaml spends time proportional to the open flow collections on every
  // token (its simple-key stack), so deep flow nesting is quadratic: the
  // stream stops here instead of skipping to the next document. This holds
  // while a failed document is skipped too (`{{{...` fails as a complex key
  // first and used to run on unbounded).
  Status s = LimitExceededError("nesting deeper than limits.maxDepth / ParseOptions::max_depth (" + std::to_string(options_.max_depth) +
                                    "); the rest of the stream was not read",
                                Loc(e.start_mark));
  if (skipping_) {
    AddError(std::move(s));
  } else {
    Fail(std::move(s));
  }
  abort_stream_ = true;
}

void YamlBuilder::SyntaxError(const yaml_parser_t& p) {
  std::string msg = "YAML syntax error: ";
  msg += p.problem ? p.problem : "unknown error";
  SourceLocation loc;
  if (p.error == YAML_READER_ERROR) {
    std::int32_t line = 0;
    std::int32_t col = 0;
    LineColumnOfOffset(text_, p.problem_offset, line, col);
    loc = Loc(line, col);
    if (p.problem_value != -1) {
      char buf[32];
      std::snprintf(buf, sizeof buf, " (byte 0x%02X at offset %zu)", static_cast<unsigned>(p.problem_value) & 0xFFu,
                    p.problem_offset);
      msg += buf;
    }
  } else if (p.error == YAML_MEMORY_ERROR) {
    AddError(Status(StatusCode::kOutOfMemory, "libyaml ran out of memory", Loc(0, 0)));
    return;
  } else {
    loc = Loc(p.problem_mark);
    if (p.context) {
      // One position for the error (loc); the construct it happened in is
      // named with where it starts: "... in the flow sequence that starts at 1:4".
      std::string what = p.context;
      for (const char* prefix : {"while parsing ", "while scanning "}) {
        if (what.rfind(prefix, 0) == 0) what.erase(0, std::char_traits<char>::length(prefix));
      }
      if (what.rfind("a ", 0) == 0) what.replace(0, 2, "the ");
      if (what.rfind("an ", 0) == 0) what.replace(0, 3, "the ");
      msg += " in " + what + " that starts at " + std::to_string(p.context_mark.line + 1) + ":" +
             std::to_string(p.context_mark.column + 1);
    }
  }
  if (document_ < 0) loc.document = -1;
  AddError(ParseError(std::move(msg), std::move(loc)));
}

bool YamlBuilder::ResolveTagged(const yaml_event_t& e, std::string_view text, Value& out) {
  std::string_view tag(reinterpret_cast<const char*>(e.data.scalar.tag));
  std::string_view short_tag = tag;
  if (tag.substr(0, kTagPrefix.size()) == kTagPrefix) {
    short_tag = tag.substr(kTagPrefix.size());
  } else {
    // "!" (non-specific), local tags (!foo) and unknown URIs: the text as a string.
    out = Value(std::string(text));
    return true;
  }
  auto bad = [&](const char* want) {
    Fail(ParseError("cannot decode `" + std::string(text.substr(0, 64)) + "` as !!" + want, Loc(e.start_mark)));
    return false;
  };
  if (short_tag == "str" || short_tag == "binary" || short_tag == "timestamp") {
    out = Value(std::string(text));
    return true;
  }
  Value r;
  if (!ResolveNonString(text, r)) r = Value(std::string(text));
  if (short_tag == "int") {
    // go-yaml accepts only int-tagged resolutions (int64 or uint64 range).
    std::string plain;
    for (char c : text) {
      if (c != '_') plain.push_back(c);
    }
    Value iv;
    if (!text.empty() && kHint[static_cast<unsigned char>(text[0])] != 0 && ParseGoIntBase0(plain, iv)) {
      out = std::move(iv);
      return true;
    }
    return bad("int");
  }
  if (short_tag == "float") {
    if (r.is_number()) {
      out = Value(r.as_number());
      return true;
    }
    return bad("float");
  }
  if (short_tag == "bool") {
    if (r.is_bool()) {
      out = std::move(r);
      return true;
    }
    return bad("bool");
  }
  if (short_tag == "null") {
    if (r.is_null()) {
      out = Value();
      return true;
    }
    return bad("null");
  }
  // !!map, !!seq, !!merge, other yaml.org tags on a scalar: keep the text.
  out = Value(std::string(text));
  return true;
}

void YamlBuilder::SetKey(Frame& f, std::string&& key, bool is_merge, const yaml_mark_t& mark) {
  f.have_key = true;
  f.key_is_merge = is_merge;
  f.key = std::move(key);
  f.key_line = ToPos(mark.line);
  f.key_column = ToPos(mark.column);
}

void YamlBuilder::InsertMember(Frame& f, Value&& v, const yaml_mark_t& mark) {
  f.have_key = false;
  if (f.key_is_merge) {
    const bool ok_map = v.is_object();
    bool ok_seq = v.is_array();
    if (ok_seq) {
      for (const Value& x : v.as_array()) ok_seq = ok_seq && x.is_object();
    }
    if (!ok_map && !ok_seq) {
      Fail(ParseError("merge key `<<` needs a mapping or a sequence of mappings, got " + TypeWord(v),
                      Loc(f.key_line, f.key_column)));
      return;
    }
    f.merges.push_back(MergeSource{members_.size() - f.start, std::move(v)});
    return;
  }
  const std::size_t end = members_.size();
  std::size_t found = end;
  if (f.index) {
    auto it = f.index->find(f.key);
    if (it != f.index->end()) found = it->second;
  } else {
    for (std::size_t i = f.start; i < end; ++i) {
      if (members_[i].key == f.key) {
        found = i;
        break;
      }
    }
  }
  if (found != end) {
    Member& m = members_[found];
    std::string msg = "duplicate key \"" + f.key + "\" (first at line " + std::to_string(m.key_line) +
                      ", again at line " + std::to_string(f.key_line) + ")";
    if (options_.strict_duplicate_keys) {
      Fail(ParseError(std::move(msg), Loc(f.key_line, f.key_column)));
      return;
    }
    AddWarning(ParseError(msg + "; the last value wins", Loc(f.key_line, f.key_column)));
    m.value = std::move(v);
    m.key_line = f.key_line;
    m.key_column = f.key_column;
    return;
  }
  (void)mark;
  if (f.index) {
    f.index->emplace(f.key, end);
  } else if (end - f.start >= kLinearKeyScan) {
    f.index = std::make_unique<std::unordered_map<std::string, std::size_t>>();
    for (std::size_t i = f.start; i < end; ++i) f.index->emplace(members_[i].key, i);
    f.index->emplace(f.key, end);
  }
  members_.push_back(Member{std::move(f.key), std::move(v), f.key_line, f.key_column});
  f.key.clear();
}

bool YamlBuilder::ApplyMerges(Frame& f, Value::Object& explicit_members, const yaml_mark_t& mark) {
  // Keys already taken (views into explicit_members and f.merges, both stable here).
  std::unordered_set<std::string_view> seen;
  for (const Member& m : explicit_members) seen.insert(m.key);
  // Collect merged members: earlier sources win, explicit keys win over all.
  std::vector<std::pair<std::size_t, Member>> merged;
  auto take = [&](std::size_t at, const Value& src) {
    for (const Member& m : src.as_object()) {
      if (!seen.insert(m.key).second) continue;
      merged.emplace_back(at, m);
    }
  };
  for (const MergeSource& s : f.merges) {
    if (s.value.is_object()) {
      take(s.insert_at, s.value);
    } else {
      for (const Value& x : s.value.as_array()) take(s.insert_at, x);
    }
  }
  if (merged.empty()) return true;
  Value::Object out;
  out.reserve(explicit_members.size() + merged.size());
  std::size_t mi = 0;
  for (std::size_t i = 0; i <= explicit_members.size(); ++i) {
    while (mi < merged.size() && merged[mi].first == i) out.push_back(std::move(merged[mi++].second));
    if (i < explicit_members.size()) out.push_back(std::move(explicit_members[i]));
  }
  explicit_members = std::move(out);
  return CountNodes(0, mark);
}

void YamlBuilder::Attach(Value&& v, const yaml_mark_t& mark, std::size_t height) {
  if (frames_.empty()) {
    on_document_(document_, std::move(v));
    return;
  }
  Frame& f = frames_.back();
  f.height = std::max(f.height, height + 1);
  if (!f.is_map) {
    values_.push_back(std::move(v));
    return;
  }
  if (!f.have_key) {
    // A key that came from an alias (scalar keys take the fast path in OnScalar).
    std::string key;
    if (v.is_string()) {
      key = std::move(v.as_string());
    } else if (!ScalarKeyText(v, key)) {
      Fail(ParseError(std::string("unsupported mapping key: ") + TypeWord(v) + " (keys must be scalars)",
                      Loc(mark)));
      return;
    }
    SetKey(f, std::move(key), false, mark);
    return;
  }
  InsertMember(f, std::move(v), mark);
}

void YamlBuilder::OnScalar(const yaml_event_t& e) {
  const auto& sc = e.data.scalar;
  if (sc.length > options_.max_scalar_bytes) {
    Fail(LimitExceededError("scalar of " + std::to_string(sc.length) + " bytes exceeds limits.maxScalarBytes / ParseOptions::max_scalar_bytes (" +
                                std::to_string(options_.max_scalar_bytes) + ")",
                            Loc(e.start_mark)));
    return;
  }
  if (!CountNodes(1, e.start_mark)) return;
  std::string_view text(reinterpret_cast<const char*>(sc.value), sc.length);
  const bool plain = sc.style == YAML_PLAIN_SCALAR_STYLE || sc.style == YAML_ANY_SCALAR_STYLE;
  const bool untagged = sc.tag == nullptr;

  // Key position: produce the key text directly.
  if (!frames_.empty() && frames_.back().is_map && !frames_.back().have_key) {
    Frame& f = frames_.back();
    std::string key;
    bool is_merge = false;
    if (untagged && plain) {
      Value r;
      bool resolved = false;
      if (text == "<<") {
        is_merge = true;
        key.assign(text);
      } else if (!(resolved = ResolveNonString(text, r))) {
        key.assign(text);
      } else if (!ScalarKeyText(r, key)) {
        Fail(ParseError("unsupported mapping key: null (`" + std::string(text) + "`)", Loc(e.start_mark)));
        return;
      }
      if (sc.anchor) StoreAnchor(sc.anchor, resolved ? r : Value(key), 1);
    } else if (untagged) {
      key.assign(text);
      if (sc.anchor) StoreAnchor(sc.anchor, Value(key), 1);
    } else {
      std::string_view tag(reinterpret_cast<const char*>(sc.tag));
      if (tag == "tag:yaml.org,2002:merge" && text == "<<") {
        is_merge = true;
        key.assign(text);
      } else {
        Value r;
        if (!ResolveTagged(e, text, r)) return;
        if (r.is_string()) {
          key = std::move(r.as_string());
        } else if (!ScalarKeyText(r, key)) {
          Fail(ParseError("unsupported mapping key: null", Loc(e.start_mark)));
          return;
        }
      }
      if (sc.anchor) StoreAnchor(sc.anchor, Value(key), 1);
    }
    SetKey(f, std::move(key), is_merge, e.start_mark);
    return;
  }

  Value v;
  if (untagged) {
    if (!plain || !ResolveNonString(text, v)) v = Value(std::string(text));
  } else if (!ResolveTagged(e, text, v)) {
    return;
  }
  v.set_position(ToPos(e.start_mark.line), ToPos(e.start_mark.column));
  if (sc.anchor) StoreAnchor(sc.anchor, v, 1);
  Attach(std::move(v), e.start_mark);
}

void YamlBuilder::OnAlias(const yaml_event_t& e) {
  const char* name = reinterpret_cast<const char*>(e.data.alias.anchor);
  auto it = anchors_.find(name);
  if (it == anchors_.end()) {
    Fail(ParseError(std::string("unknown anchor '") + name + "' referenced", Loc(e.start_mark)));
    return;
  }
  const Anchor& a = it->second;
  alias_nodes_ += a.nodes;
  if (alias_nodes_ > options_.max_alias_expansion) {
    Fail(LimitExceededError("alias expansion exceeds limits.maxAliasExpansion / ParseOptions::max_alias_expansion (" +
                                std::to_string(options_.max_alias_expansion) + " nodes) at alias '" + name + "'",
                            Loc(e.start_mark)));
    return;
  }
  if (!CountNodes(a.nodes, e.start_mark)) return;
  if (frames_.size() + a.height > options_.max_depth) {
    Fail(LimitExceededError("alias '" + std::string(name) + "' nests deeper than limits.maxDepth / ParseOptions::max_depth (" +
                                std::to_string(options_.max_depth) + ")",
                            Loc(e.start_mark)));
    return;
  }
  if (!frames_.empty() && frames_.back().is_map && !frames_.back().have_key && !a.value.is_string() &&
      (a.value.is_array() || a.value.is_object())) {
    Fail(ParseError("unsupported mapping key: alias '" + std::string(name) + "' refers to " + TypeWord(a.value),
                    Loc(e.start_mark)));
    return;
  }
  Value v = a.value;
  const std::size_t height = a.height;
  v.set_position(ToPos(e.start_mark.line), ToPos(e.start_mark.column));
  Attach(std::move(v), e.start_mark, height);
}

void YamlBuilder::OnCollectionStart(const yaml_event_t& e, bool is_map) {
  if (!frames_.empty() && frames_.back().is_map && !frames_.back().have_key) {
    Fail(ParseError(std::string("unsupported mapping key: ") + (is_map ? "a mapping" : "a sequence") +
                        " (complex keys are not supported; keys must be scalars)",
                    Loc(e.start_mark)));
    return;
  }
  const std::size_t start = nodes_;
  if (!CountNodes(1, e.start_mark)) return;
  Frame& f = frames_.emplace_back();
  f.is_map = is_map;
  f.nodes_at_start = start;
  f.start = is_map ? members_.size() : values_.size();
  f.line = ToPos(e.start_mark.line);
  f.column = ToPos(e.start_mark.column);
  const yaml_char_t* anchor = is_map ? e.data.mapping_start.anchor : e.data.sequence_start.anchor;
  if (anchor) f.anchor.assign(reinterpret_cast<const char*>(anchor));
}

void YamlBuilder::OnCollectionEnd(const yaml_event_t& e) {
  Frame& f = frames_.back();
  Value v;
  if (f.is_map) {
    const auto first = members_.begin() + static_cast<std::ptrdiff_t>(f.start);
    Value::Object obj(std::make_move_iterator(first), std::make_move_iterator(members_.end()));
    members_.erase(first, members_.end());
    if (!f.merges.empty() && !ApplyMerges(f, obj, e.start_mark)) return;
    v = Value(std::move(obj));
  } else {
    const auto first = values_.begin() + static_cast<std::ptrdiff_t>(f.start);
    Value::Array arr(std::make_move_iterator(first), std::make_move_iterator(values_.end()));
    values_.erase(first, values_.end());
    v = Value(std::move(arr));
  }
  v.set_position(f.line, f.column);
  const std::size_t height = f.height;
  const yaml_mark_t mark{0, static_cast<std::size_t>(f.line - 1), static_cast<std::size_t>(f.column - 1)};
  if (!f.anchor.empty()) {
    // Anchored copies cost memory like expansions do: same budget, so nested
    // anchors (`&a [&b [&c [...]]]`) cannot multiply a large input.
    const std::size_t nodes = nodes_ - f.nodes_at_start;
    alias_nodes_ += nodes;
    if (alias_nodes_ > options_.max_alias_expansion) {
      Fail(LimitExceededError("anchored and aliased nodes exceed limits.maxAliasExpansion / ParseOptions::max_alias_expansion (" +
                                  std::to_string(options_.max_alias_expansion) + ") at anchor '" + f.anchor + "'",
                              Loc(mark)));
      return;
    }
    StoreAnchor(f.anchor, v, nodes, height);
  }
  frames_.pop_back();
  Attach(std::move(v), mark, height);
}

std::int32_t YamlBuilder::Run() {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) {
    errors_.push_back(Status(StatusCode::kOutOfMemory, "cannot initialise libyaml", Loc(0, 0)));
    return 0;
  }
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text_.data()), text_.size());
  frames_.reserve(16);
  members_.reserve(64);
  values_.reserve(32);
  yaml_event_t e;
  bool done = false;
  while (!done && !abort_stream_) {
    if (!yaml_parser_parse(&parser, &e)) {
      SyntaxError(parser);
      break;
    }
    switch (e.type) {
      case YAML_STREAM_END_EVENT:
        done = true;
        break;
      case YAML_DOCUMENT_START_EVENT:
        if (static_cast<std::size_t>(documents_) >= options_.max_documents) {
          document_ = documents_;
          AddError(LimitExceededError("the file has more than " + std::to_string(options_.max_documents) +
                                          " documents (limits.maxDocumentsPerFile / ParseOptions::max_documents); the rest of the stream was not read",
                                      Loc(e.start_mark)));
          abort_stream_ = true;
          break;
        }
        document_ = documents_++;
        anchors_.clear();
        ClearStacks();
        nodes_ = 0;
        alias_nodes_ = 0;
        raw_depth_ = 0;
        skipping_ = false;
        break;
      case YAML_SCALAR_EVENT:
        if (!skipping_) OnScalar(e);
        break;
      case YAML_ALIAS_EVENT:
        if (!skipping_) OnAlias(e);
        break;
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT:
        if (++raw_depth_ > options_.max_depth) {
          DepthExceeded(e);
          break;
        }
        if (!skipping_) OnCollectionStart(e, e.type == YAML_MAPPING_START_EVENT);
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        if (raw_depth_ > 0) --raw_depth_;
        if (!skipping_) OnCollectionEnd(e);
        break;
      default:
        break;
    }
    yaml_event_delete(&e);
  }
  yaml_parser_delete(&parser);
  ClearStacks();
  anchors_.clear();
  if (dropped_warnings_ > 0) {
    SourceLocation l;
    l.file = std::string(file_);
    warnings_.push_back(ParseError(std::to_string(dropped_warnings_) + " more warnings not kept (limits.maxErrorsPerFile / ParseOptions::max_errors = " +
                                       std::to_string(options_.max_errors) + ")",
                                   std::move(l)));
  }
  return documents_;
}

}  // namespace

// --- Public-internal helpers --------------------------------------------------------

Value ResolvePlainScalar(std::string_view text) {
  Value v;
  if (ResolveNonString(text, v)) return v;
  return Value(std::string(text));
}

bool PlainScalarStaysString(std::string_view text) {
  Value v;
  return !ResolveNonString(text, v);
}

bool ScalarKeyText(const Value& v, std::string& out) {
  switch (v.type()) {
    case Value::Type::kString: out = v.as_string(); return true;
    case Value::Type::kBool: out = v.as_bool() ? "true" : "false"; return true;
    case Value::Type::kInt: out = std::to_string(v.as_int()); return true;
    case Value::Type::kDouble: {
      const double d = v.as_double();
      // uint64-range integers arrive as doubles; sigs.k8s.io/yaml prints them as integers.
      if (d >= 9223372036854775808.0 && d < 18446744073709551616.0 && d == std::floor(d)) {
        out = std::to_string(static_cast<std::uint64_t>(d));
        return true;
      }
      out = FormatGoFloat32(d);
      return true;
    }
    default: return false;
  }
}

std::int32_t LoadYamlStream(std::string_view text, std::string_view file, const ParseOptions& options,
                            const YamlDocumentFn& on_document, std::vector<Status>& errors,
                            std::vector<Status>& warnings, std::size_t* nodes) {
  if (text.size() > options.max_document_bytes) {
    SourceLocation l;
    l.file = std::string(file);
    errors.push_back(LimitExceededError("input of " + std::to_string(text.size()) +
                                            " bytes exceeds limits.maxFileBytes / ParseOptions::max_document_bytes (" +
                                            std::to_string(options.max_document_bytes) + ")",
                                        std::move(l)));
    return 0;
  }
  YamlBuilder b(text, file, options, on_document, errors, warnings);
  const std::int32_t documents = b.Run();
  if (nodes != nullptr) *nodes = b.total_nodes();
  return documents;
}

}  // namespace internal

// --- Manifests --------------------------------------------------------------------------

namespace {

// Nodes of a tree as the loaders count them (collections, scalars and keys).
std::size_t CountTreeNodes(const Value& v) {
  std::size_t n = 1;
  if (v.is_array()) {
    for (const Value& x : v.as_array()) n += CountTreeNodes(x);
  } else if (v.is_object()) {
    for (const Member& m : v.as_object()) n += 1 + CountTreeNodes(m.value);
  }
  return n;
}

// Adds one document root to `r` (List expansion, require_objects).
void AddRoot(LoadResult& r, std::string_view file, std::int32_t document, Value&& root, const ParseOptions& options) {
  if (root.is_null()) return;  // empty document: counted, skipped
  auto loc = [&](const Value& v, std::int32_t item) {
    SourceLocation l;
    l.file = std::string(file);
    l.line = v.line();
    l.column = v.column();
    l.document = document;
    l.item = item;
    return l;
  };
  if (!root.is_object()) {
    if (options.require_objects) {
      r.errors.push_back(ParseError("document " + std::to_string(document) + " is " + internal::TypeWord(root) +
                                        ", not a mapping (a Kubernetes object)",
                                    loc(root, -1)));
      return;
    }
    r.manifests.push_back(Manifest{std::string(file), document, -1, std::move(root)});
    return;
  }
  const Value* kind = root.Find("kind");
  if (options.expand_lists && kind && kind->is_string() && kind->as_string() == "List") {
    Value* items = root.Find("items");
    if (items == nullptr || items->is_null()) return;  // an empty List
    if (!items->is_array()) {
      r.errors.push_back(ParseError("`kind: List` has `items` that is " + internal::TypeWord(*items) +
                                        ", not a sequence",
                                    loc(*items, -1)));
      return;
    }
    std::int32_t i = 0;
    for (Value& item : items->as_array()) {
      if (!item.is_object() && options.require_objects) {
        r.errors.push_back(ParseError("`kind: List` item " + std::to_string(i) + " is " +
                                          internal::TypeWord(item) + ", not a mapping",
                                      loc(item, i)));
      } else if (!item.is_null()) {
        r.manifests.push_back(Manifest{std::string(file), document, i, std::move(item)});
      }
      ++i;
    }
    return;
  }
  r.manifests.push_back(Manifest{std::string(file), document, -1, std::move(root)});
}

}  // namespace

LoadResult LoadYaml(std::string_view text, std::string_view file, const ParseOptions& options) {
  LoadResult r;
  r.documents = internal::LoadYamlStream(
      text, file, options,
      [&](std::int32_t document, Value&& root) { AddRoot(r, file, document, std::move(root), options); }, r.errors,
      r.warnings, &r.nodes);
  return r;
}

LoadResult LoadManifests(std::string_view text, std::string_view file, const ParseOptions& options) {
  std::size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  if (i >= text.size() || (text[i] != '{' && text[i] != '[')) return LoadYaml(text, file, options);

  LoadResult r;
  std::vector<Status> warnings;
  const std::string_view json = text.substr(0, 3) == "\xEF\xBB\xBF" ? text.substr(3) : text;
  ParseOptions json_options = options;  // one JSON document is the whole file
  json_options.max_nodes = std::min(options.max_nodes, options.max_total_nodes);
  Result<Value> parsed = internal::ParseJsonWithWarnings(json, json_options, &warnings);
  if (!parsed.ok()) {
    // Flow-style YAML also starts with `{`/`[`: accept it when YAML loads it cleanly.
    LoadResult y = LoadYaml(text, file, options);
    if (y.errors.empty()) return y;
    SourceLocation l;
    l.file = std::string(file);
    l.document = 0;
    r.errors.push_back(parsed.status().WithDefaultLocation(l));
    r.documents = 1;
    return r;
  }
  SourceLocation base;
  base.file = std::string(file);
  base.document = 0;
  for (Status& w : warnings) r.warnings.push_back(w.WithDefaultLocation(base));
  r.documents = 1;
  r.nodes = CountTreeNodes(*parsed);
  if (warnings.size() > options.max_errors) warnings.resize(options.max_errors);
  Value root = std::move(*parsed);
  if (root.is_array()) {
    std::int32_t idx = 0;
    for (Value& item : root.as_array()) {
      if (!item.is_object()) {
        if (options.require_objects) {
          SourceLocation l = base;
          l.line = item.line();
          l.column = item.column();
          l.item = idx;
          r.errors.push_back(ParseError("JSON array element " + std::to_string(idx) + " is " +
                                            internal::TypeWord(item) + ", not an object",
                                        std::move(l)));
        } else {
          r.manifests.push_back(Manifest{std::string(file), 0, idx, std::move(item)});
        }
      } else {
        r.manifests.push_back(Manifest{std::string(file), 0, idx, std::move(item)});
      }
      ++idx;
    }
    return r;
  }
  AddRoot(r, file, 0, std::move(root), options);
  return r;
}

LoadResult LoadFile(const std::string& path, const ParseOptions& options) { return LoadFile(path, options, nullptr); }

LoadResult LoadFile(const std::string& path, const ParseOptions& options, std::string* text_out) {
  Result<std::string> text = ReadFileToString(path, options.max_document_bytes);
  if (!text.ok()) {
    LoadResult r;
    SourceLocation l;
    l.file = path;
    r.errors.push_back(text.status().WithDefaultLocation(l));
    return r;
  }
  LoadResult r = LoadManifests(*text, path, options);
  if (text_out != nullptr) *text_out = std::move(*text);
  return r;
}

Result<Value> ParseYaml(std::string_view text, const ParseOptions& options) {
  ParseOptions o = options;
  o.require_objects = false;
  o.expand_lists = false;
  std::vector<Status> errors;
  std::vector<Status> warnings;
  Value result;
  std::int32_t count = 0;
  const std::int32_t docs = internal::LoadYamlStream(
      text, "", o,
      [&](std::int32_t, Value&& root) {
        if (count++ == 0) result = std::move(root);
      },
      errors, warnings);
  if (!errors.empty()) return errors.front();
  if (docs > 1) {
    return ParseError("expected one YAML document, found " + std::to_string(docs));
  }
  if (o.strict_duplicate_keys && !warnings.empty()) return warnings.front();
  return result;
}

}  // namespace kfix
