// Strict RFC 8259 JSON parser producing kfix::Value (with positions) and the
// JSON emitters (compact, pretty, canonical). See docs/canonical-json.md.
//
// The parser is iterative (an explicit stack of open containers), so the depth
// limit is an error and never a stack overflow; it scans strings in runs with a
// byte-class table and validates UTF-8 as it goes.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "core/json_internal.hpp"
#include "core/json_stream_internal.hpp"
#include "kfix/core.hpp"

namespace kfix {
namespace internal {
namespace {

// Byte classes inside a JSON string: 0 = stop (quote, backslash, control),
// 1 = plain ASCII, 2 = UTF-8 lead/continuation byte (validated separately).
constexpr std::array<std::uint8_t, 256> MakeStringClass() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (c < 0x20 || c == '"' || c == '\\') {
      t[static_cast<std::size_t>(c)] = 0;
    } else if (c < 0x80) {
      t[static_cast<std::size_t>(c)] = 1;
    } else {
      t[static_cast<std::size_t>(c)] = 2;
    }
  }
  return t;
}
constexpr std::array<std::uint8_t, 256> kStringClass = MakeStringClass();

// Length of the valid UTF-8 sequence starting at p (lead byte >= 0x80), or 0
// if it is invalid (RFC 3629 table 3-7: no overlongs, no surrogates).
inline std::size_t Utf8SequenceLength(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned char c = p[0];
  const std::size_t avail = static_cast<std::size_t>(end - p);
  auto cont = [](unsigned char b) { return (b & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) {
    return (avail >= 2 && cont(p[1])) ? 2 : 0;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (avail < 3) return 0;
    const unsigned char lo = (c == 0xE0) ? 0xA0 : 0x80;
    const unsigned char hi = (c == 0xED) ? 0x9F : 0xBF;
    if (p[1] < lo || p[1] > hi || !cont(p[2])) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (avail < 4) return 0;
    const unsigned char lo = (c == 0xF0) ? 0x90 : 0x80;
    const unsigned char hi = (c == 0xF4) ? 0x8F : 0xBF;
    if (p[1] < lo || p[1] > hi || !cont(p[2]) || !cont(p[3])) return 0;
    return 4;
  }
  return 0;
}

void AppendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int HexDigit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string DescribeByte(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7F) return std::string("'") + c + "'";
  static const char* kHex = "0123456789ABCDEF";
  std::string s = "byte 0x";
  s += kHex[u >> 4];
  s += kHex[u & 0xF];
  return s;
}

class JsonParser {
 public:
  JsonParser(std::string_view text, const ParseOptions& options, std::vector<Status>* warnings)
      : p_(text.data()),
        end_(text.data() + text.size()),
        line_start_(text.data()),
        options_(options),
        warnings_(warnings) {}

  Result<Value> Parse();

 private:
  struct Frame {
    Value value;
    bool is_object = false;
    std::string key;
    std::int32_t key_line = 0;
    std::int32_t key_column = 0;
    std::unique_ptr<std::unordered_map<std::string, std::size_t>> index;
  };

  std::int32_t Column() const noexcept {
    return static_cast<std::int32_t>((p_ - line_start_) - continuation_bytes_ + 1);
  }

  Status Error(StatusCode code, std::string message) const {
    SourceLocation loc;
    loc.line = line_;
    loc.column = Column();
    return Status(code, std::move(message), std::move(loc));
  }
  Status ErrorAt(StatusCode code, std::string message, std::int32_t line, std::int32_t column) const {
    SourceLocation loc;
    loc.line = line;
    loc.column = column;
    return Status(code, std::move(message), std::move(loc));
  }

  void SkipWhitespace() noexcept {
    while (p_ < end_) {
      const char c = *p_;
      if (c == ' ' || c == '\t' || c == '\r') {
        ++p_;
      } else if (c == '\n') {
        ++p_;
        ++line_;
        line_start_ = p_;
        continuation_bytes_ = 0;
      } else {
        break;
      }
    }
  }

  Status ParseString(std::string& out);
  Status ParseEscape(std::string& out);
  Status ParseNumber(Value& out);
  Status ParseKey(Frame& frame);
  Status InsertMember(Frame& frame, Value v);
  Status CountNode() {
    if (++nodes_ > options_.max_nodes) {
      return Error(StatusCode::kLimitExceeded,
                   "document has more than " + std::to_string(options_.max_nodes) + " nodes");
    }
    return Status();
  }

  const char* p_;
  const char* end_;
  const char* line_start_;
  std::int32_t line_ = 1;
  std::ptrdiff_t continuation_bytes_ = 0;  // UTF-8 continuation bytes since line_start_
  std::size_t nodes_ = 0;
  const ParseOptions& options_;
  std::vector<Status>* warnings_;
};

Status JsonParser::ParseEscape(std::string& out) {
  // p_ at the backslash.
  const std::int32_t line = line_;
  const std::int32_t column = Column();
  if (end_ - p_ < 2) return Error(StatusCode::kParseError, "unterminated escape sequence in string");
  const char e = p_[1];
  switch (e) {
    case '"': out.push_back('"'); p_ += 2; return Status();
    case '\\': out.push_back('\\'); p_ += 2; return Status();
    case '/': out.push_back('/'); p_ += 2; return Status();
    case 'b': out.push_back('\b'); p_ += 2; return Status();
    case 'f': out.push_back('\f'); p_ += 2; return Status();
    case 'n': out.push_back('\n'); p_ += 2; return Status();
    case 'r': out.push_back('\r'); p_ += 2; return Status();
    case 't': out.push_back('\t'); p_ += 2; return Status();
    case 'u': break;
    default:
      return Error(StatusCode::kParseError, "invalid escape sequence '\\" + std::string(1, e) + "' in string");
  }
  auto read_hex4 = [&](const char* at, std::uint32_t& cp) -> bool {
    if (end_ - at < 6) return false;
    cp = 0;
    for (int i = 2; i < 6; ++i) {
      const int d = HexDigit(at[i]);
      if (d < 0) return false;
      cp = (cp << 4) | static_cast<std::uint32_t>(d);
    }
    return true;
  };
  std::uint32_t cp = 0;
  if (!read_hex4(p_, cp)) {
    return ErrorAt(StatusCode::kParseError, "invalid \\u escape (expected 4 hex digits)", line, column);
  }
  p_ += 6;
  if (cp >= 0xDC00 && cp <= 0xDFFF) {
    return ErrorAt(StatusCode::kParseError, "lone low surrogate in \\u escape", line, column);
  }
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    std::uint32_t lo = 0;
    if (end_ - p_ < 6 || p_[0] != '\\' || p_[1] != 'u' || !read_hex4(p_, lo) || lo < 0xDC00 || lo > 0xDFFF) {
      return ErrorAt(StatusCode::kParseError, "lone high surrogate in \\u escape (expected a \\uDC00-\\uDFFF pair)",
                     line, column);
    }
    p_ += 6;
    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
  }
  AppendUtf8(out, cp);
  return Status();
}

Status JsonParser::ParseString(std::string& out) {
  // p_ at the opening quote.
  const std::int32_t open_line = line_;
  const std::int32_t open_column = Column();
  ++p_;
  for (;;) {
    const char* run = p_;
    while (p_ < end_) {
      const std::uint8_t cls = kStringClass[static_cast<unsigned char>(*p_)];
      if (cls == 1) {
        ++p_;
      } else if (cls == 2) {
        const std::size_t n = Utf8SequenceLength(reinterpret_cast<const unsigned char*>(p_),
                                                 reinterpret_cast<const unsigned char*>(end_));
        if (n == 0) {
          out.append(run, p_);
          return Error(StatusCode::kParseError, "invalid UTF-8 in string (" + DescribeByte(*p_) + ")");
        }
        p_ += n;
        continuation_bytes_ += static_cast<std::ptrdiff_t>(n - 1);
      } else {
        break;
      }
    }
    out.append(run, p_);
    if (out.size() > options_.max_scalar_bytes) {
      return ErrorAt(StatusCode::kLimitExceeded,
                     "string longer than " + std::to_string(options_.max_scalar_bytes) + " bytes", open_line,
                     open_column);
    }
    if (p_ >= end_) return ErrorAt(StatusCode::kParseError, "unterminated string", open_line, open_column);
    const char c = *p_;
    if (c == '"') {
      ++p_;
      return Status();
    }
    if (c == '\\') {
      KFIX_RETURN_IF_ERROR(ParseEscape(out));
      continue;
    }
    return Error(StatusCode::kParseError, "unescaped control character (" + DescribeByte(c) + ") in string");
  }
}

Status JsonParser::ParseNumber(Value& out) {
  const char* start = p_;
  const std::int32_t column = Column();
  auto digit = [&](const char* q) { return q < end_ && *q >= '0' && *q <= '9'; };
  if (*p_ == '-') ++p_;
  if (!digit(p_)) {
    return ErrorAt(StatusCode::kParseError, "invalid number (expected a digit after '-')", line_, column);
  }
  const char* int_begin = p_;
  if (*p_ == '0') {
    ++p_;
    if (digit(p_)) return ErrorAt(StatusCode::kParseError, "invalid number (leading zero)", line_, column);
  } else {
    while (digit(p_)) ++p_;
  }
  const char* int_end = p_;
  bool is_integer = true;
  const char* frac_begin = nullptr;
  const char* frac_end = nullptr;
  if (p_ < end_ && *p_ == '.') {
    is_integer = false;
    ++p_;
    if (!digit(p_)) return ErrorAt(StatusCode::kParseError, "invalid number (expected a digit after '.')", line_, column);
    frac_begin = p_;
    while (digit(p_)) ++p_;
    frac_end = p_;
  }
  const char* exp_begin = nullptr;
  if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
    is_integer = false;
    ++p_;
    if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (!digit(p_)) {
      return ErrorAt(StatusCode::kParseError, "invalid number (expected a digit in the exponent)", line_, column);
    }
    exp_begin = p_ - ((p_[-1] == '+' || p_[-1] == '-') ? 1 : 0);
    while (digit(p_)) ++p_;
  }
  if (static_cast<std::size_t>(p_ - start) > options_.max_scalar_bytes) {
    return ErrorAt(StatusCode::kLimitExceeded, "number longer than " + std::to_string(options_.max_scalar_bytes) + " bytes",
                   line_, column);
  }
  if (is_integer) {
    std::int64_t i = 0;
    auto [ptr, ec] = std::from_chars(start, p_, i);
    if (ec == std::errc() && ptr == p_) {
      out = Value(i);
      return Status();
    }
    // Too large for int64: fall through to double.
  }
  double d = 0;
  auto [ptr, ec] = std::from_chars(start, p_, d);
  if (ec == std::errc::result_out_of_range) {
    // Overflow (error) or underflow (rounds to zero)? Compare the decimal
    // order of the first significant digit plus the exponent.
    std::int64_t order = 0;
    bool found = false;
    for (const char* q = int_begin; q < int_end; ++q) {
      if (*q != '0') {
        order = static_cast<std::int64_t>(int_end - q) - 1;
        found = true;
        break;
      }
    }
    if (!found && frac_begin) {
      for (const char* q = frac_begin; q < frac_end; ++q) {
        if (*q != '0') {
          order = -static_cast<std::int64_t>(q - frac_begin) - 1;
          break;
        }
      }
    }
    std::int64_t exp = 0;
    if (exp_begin) {
      const char* q = exp_begin;
      bool neg = false;
      if (*q == '+' || *q == '-') neg = (*q++ == '-');
      for (; q < p_; ++q) {
        if (exp < 100000) exp = exp * 10 + (*q - '0');
      }
      if (neg) exp = -exp;
    }
    if (order + exp > 0) {
      return ErrorAt(StatusCode::kParseError, "number out of range for a double", line_, column);
    }
    out = Value(*start == '-' ? -0.0 : 0.0);
    return Status();
  }
  if (ec != std::errc() || ptr != p_) {
    return ErrorAt(StatusCode::kInternal, "number conversion failed", line_, column);
  }
  out = Value(d);
  return Status();
}

Status JsonParser::ParseKey(Frame& frame) {
  // p_ at the first non-blank character where a key is expected.
  if (p_ >= end_) return Error(StatusCode::kParseError, "unexpected end of input (expected an object key)");
  if (*p_ != '"') {
    return Error(StatusCode::kParseError, "unexpected " + DescribeByte(*p_) + " (expected a string object key)");
  }
  frame.key.clear();
  frame.key_line = line_;
  frame.key_column = Column();
  KFIX_RETURN_IF_ERROR(ParseString(frame.key));
  SkipWhitespace();
  if (p_ >= end_) return Error(StatusCode::kParseError, "unexpected end of input (expected ':')");
  if (*p_ != ':') return Error(StatusCode::kParseError, "unexpected " + DescribeByte(*p_) + " (expected ':')");
  ++p_;
  SkipWhitespace();
  return Status();
}

Status JsonParser::InsertMember(Frame& frame, Value v) {
  Value::Object& obj = frame.value.as_object();
  constexpr std::size_t kIndexThreshold = 16;
  std::size_t existing = obj.size();
  if (frame.index) {
    auto [it, inserted] = frame.index->emplace(frame.key, obj.size());
    if (!inserted) existing = it->second;
  } else {
    for (std::size_t i = 0; i < obj.size(); ++i) {
      if (obj[i].key == frame.key) {
        existing = i;
        break;
      }
    }
  }
  if (existing != obj.size()) {
    std::string msg = "duplicate key " + JsonQuote(frame.key);
    if (options_.strict_duplicate_keys) {
      return ErrorAt(StatusCode::kParseError, std::move(msg), frame.key_line, frame.key_column);
    }
    if (warnings_) {
      warnings_->push_back(ErrorAt(StatusCode::kParseError, msg + " (the last value wins)", frame.key_line,
                                   frame.key_column));
    }
    Member& m = obj[existing];
    m.value = std::move(v);
    m.key_line = frame.key_line;
    m.key_column = frame.key_column;
    return Status();
  }
  obj.push_back(Member{std::move(frame.key), std::move(v), frame.key_line, frame.key_column});
  if (!frame.index && obj.size() >= kIndexThreshold) {
    frame.index = std::make_unique<std::unordered_map<std::string, std::size_t>>();
    frame.index->reserve(obj.size() * 2);
    for (std::size_t i = 0; i < obj.size(); ++i) frame.index->emplace(obj[i].key, i);
  }
  return Status();
}

Result<Value> JsonParser::Parse() {
  if (static_cast<std::size_t>(end_ - p_) > options_.max_document_bytes) {
    return Status(StatusCode::kLimitExceeded,
                  "input of " + std::to_string(end_ - p_) + " bytes exceeds the limit of " +
                      std::to_string(options_.max_document_bytes) + " bytes");
  }
  // A UTF-8 byte order mark is ignored (RFC 8259 §8.1 allows it).
  if (end_ - p_ >= 3 && std::memcmp(p_, "\xEF\xBB\xBF", 3) == 0) {
    p_ += 3;
    line_start_ = p_;
  }
  SkipWhitespace();
  if (p_ >= end_) return Error(StatusCode::kParseError, "empty input (expected a JSON value)");

  std::vector<Frame> stack;
  Value root;
  for (;;) {
    // Expect a value at p_ (whitespace skipped).
    if (p_ >= end_) return Error(StatusCode::kParseError, "unexpected end of input (expected a value)");
    const std::int32_t line = line_;
    const std::int32_t column = Column();
    KFIX_RETURN_IF_ERROR(CountNode());
    Value v;
    const char c = *p_;
    if (c == '{' || c == '[') {
      if (stack.size() >= options_.max_depth) {
        return Error(StatusCode::kLimitExceeded,
                     "nesting deeper than " + std::to_string(options_.max_depth) + " levels");
      }
      ++p_;
      stack.emplace_back();
      Frame& f = stack.back();
      f.is_object = (c == '{');
      f.value = f.is_object ? Value::MakeObject() : Value::MakeArray();
      f.value.set_position(line, column);
      SkipWhitespace();
      const char close = f.is_object ? '}' : ']';
      if (p_ < end_ && *p_ == close) {
        ++p_;
        v = std::move(f.value);
        stack.pop_back();
      } else {
        if (f.is_object) KFIX_RETURN_IF_ERROR(ParseKey(f));
        continue;  // parse the first element / member value
      }
    } else if (c == '"') {
      std::string s;
      KFIX_RETURN_IF_ERROR(ParseString(s));
      v = Value(std::move(s));
      v.set_position(line, column);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      KFIX_RETURN_IF_ERROR(ParseNumber(v));
      v.set_position(line, column);
    } else if (c == 't' && end_ - p_ >= 4 && std::memcmp(p_, "true", 4) == 0) {
      p_ += 4;
      v = Value(true);
      v.set_position(line, column);
    } else if (c == 'f' && end_ - p_ >= 5 && std::memcmp(p_, "false", 5) == 0) {
      p_ += 5;
      v = Value(false);
      v.set_position(line, column);
    } else if (c == 'n' && end_ - p_ >= 4 && std::memcmp(p_, "null", 4) == 0) {
      p_ += 4;
      v.set_position(line, column);
    } else {
      return Error(StatusCode::kParseError, "unexpected " + DescribeByte(c) + " (expected a value)");
    }

    // `v` is complete: attach it to its parent, closing containers as needed.
    for (;;) {
      if (stack.empty()) {
        root = std::move(v);
        SkipWhitespace();
        if (p_ < end_) {
          return Error(StatusCode::kParseError, "unexpected " + DescribeByte(*p_) + " after the JSON value");
        }
        return root;
      }
      Frame& f = stack.back();
      if (f.is_object) {
        KFIX_RETURN_IF_ERROR(InsertMember(f, std::move(v)));
      } else {
        f.value.as_array().push_back(std::move(v));
      }
      SkipWhitespace();
      if (p_ >= end_) {
        return Error(StatusCode::kParseError,
                     std::string("unexpected end of input (expected ',' or '") + (f.is_object ? '}' : ']') + "')");
      }
      const char close = f.is_object ? '}' : ']';
      if (*p_ == ',') {
        ++p_;
        SkipWhitespace();
        if (f.is_object) KFIX_RETURN_IF_ERROR(ParseKey(f));
        break;  // parse the next value
      }
      if (*p_ == close) {
        ++p_;
        v = std::move(f.value);
        stack.pop_back();
        continue;
      }
      return Error(StatusCode::kParseError,
                   "unexpected " + DescribeByte(*p_) + " (expected ',' or '" + std::string(1, close) + "')");
    }
  }
}

// ---------------------------------------------------------------------------
// Emitter
// ---------------------------------------------------------------------------

constexpr double kTwoPow53 = 9007199254740992.0;

void AppendInt(std::string& out, std::int64_t i) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, i);
  (void)ec;
  out.append(buf, ptr);
}

void AppendNumber(std::string& out, const Value& v, JsonStyle style) {
  if (v.is_int()) {
    AppendInt(out, v.as_int());
    return;
  }
  const double d = v.as_double();
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  if (style == JsonStyle::kCanonical) {
    if (d == 0) {
      out.push_back('0');  // also -0.0
      return;
    }
    if (std::fabs(d) <= kTwoPow53 && std::trunc(d) == d) {
      AppendInt(out, static_cast<std::int64_t>(d));
      return;
    }
    AppendShortestDouble(out, d);
    return;
  }
  const std::size_t start = out.size();
  AppendShortestDouble(out, d);
  // Keep the value a double when re-read: "2" -> "2.0".
  if (out.find_first_of(".e", start) == std::string::npos) out += ".0";
}

void Indent(std::string& out, int depth) { out.append(static_cast<std::size_t>(depth) * 2, ' '); }

void Emit(std::string& out, const Value& v, JsonStyle style, int depth) {
  switch (v.type()) {
    case Value::Type::kNull: out += "null"; return;
    case Value::Type::kBool: out += v.as_bool() ? "true" : "false"; return;
    case Value::Type::kInt:
    case Value::Type::kDouble: AppendNumber(out, v, style); return;
    case Value::Type::kString: AppendJsonString(out, v.as_string()); return;
    case Value::Type::kArray: {
      const Value::Array& a = v.as_array();
      if (a.empty()) {
        out += "[]";
        return;
      }
      out.push_back('[');
      bool first = true;
      for (const Value& e : a) {
        if (!first) out.push_back(',');
        first = false;
        if (style == JsonStyle::kPretty) {
          out.push_back('\n');
          Indent(out, depth + 1);
        }
        Emit(out, e, style, depth + 1);
      }
      if (style == JsonStyle::kPretty) {
        out.push_back('\n');
        Indent(out, depth);
      }
      out.push_back(']');
      return;
    }
    case Value::Type::kObject: {
      const Value::Object& o = v.as_object();
      if (o.empty()) {
        out += "{}";
        return;
      }
      out.push_back('{');
      if (style == JsonStyle::kCanonical) {
        std::vector<const Member*> sorted;
        sorted.reserve(o.size());
        for (const Member& m : o) sorted.push_back(&m);
        // std::string compares as unsigned char: UTF-8 byte order == code point order.
        std::stable_sort(sorted.begin(), sorted.end(),
                         [](const Member* a, const Member* b) { return a->key < b->key; });
        bool first = true;
        for (const Member* m : sorted) {
          if (!first) out.push_back(',');
          first = false;
          AppendJsonString(out, m->key);
          out.push_back(':');
          Emit(out, m->value, style, depth + 1);
        }
        out.push_back('}');
        return;
      }
      bool first = true;
      for (const Member& m : o) {
        if (!first) out.push_back(',');
        first = false;
        if (style == JsonStyle::kPretty) {
          out.push_back('\n');
          Indent(out, depth + 1);
        }
        AppendJsonString(out, m.key);
        out.push_back(':');
        if (style == JsonStyle::kPretty) out.push_back(' ');
        Emit(out, m.value, style, depth + 1);
      }
      if (style == JsonStyle::kPretty) {
        out.push_back('\n');
        Indent(out, depth);
      }
      out.push_back('}');
      return;
    }
  }
}

}  // namespace

Result<Value> ParseJsonWithWarnings(std::string_view text, const ParseOptions& options,
                                    std::vector<Status>* warnings) {
  JsonParser parser(text, options, warnings);
  return parser.Parse();
}

std::size_t FindInvalidUtf8(std::string_view s) noexcept {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const auto* e = b + s.size();
  const auto* p = b;
  while (p < e) {
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const std::size_t n = Utf8SequenceLength(p, e);
    if (n == 0) return static_cast<std::size_t>(p - b);
    p += n;
  }
  return std::string_view::npos;
}

void AppendJsonString(std::string& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out.reserve(out.size() + s.size() + 2);
  out.push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* e = p + s.size();
  while (p < e) {
    const unsigned char* run = p;
    while (p < e && kStringClass[*p] == 1) ++p;
    out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
    if (p >= e) break;
    const unsigned char c = *p;
    if (c >= 0x80) {
      const std::size_t n = Utf8SequenceLength(p, e);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD for an invalid byte
        ++p;
      } else {
        out.append(reinterpret_cast<const char*>(p), n);
        p += n;
      }
      continue;
    }
    ++p;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
        break;
    }
  }
  out.push_back('"');
}

void AppendJsonAt(std::string& out, const Value& v, JsonStyle style, int depth) { Emit(out, v, style, depth); }

void AppendShortestDouble(std::string& out, double d) {
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, d);
  (void)ec;
  out.append(buf, ptr);
}

}  // namespace internal

Result<Value> ParseJson(std::string_view text, const ParseOptions& options) {
  return internal::ParseJsonWithWarnings(text, options, nullptr);
}

std::string ToJson(const Value& value, JsonStyle style) {
  std::string out;
  AppendJson(out, value, style);
  return out;
}

void AppendJson(std::string& out, const Value& value, JsonStyle style) {
  internal::Emit(out, value, style, 0);
}

std::string JsonQuote(std::string_view s) {
  std::string out;
  internal::AppendJsonString(out, s);
  return out;
}

}  // namespace kfix
