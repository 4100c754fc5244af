// ToYaml: block-style YAML that keeps key order and quotes every string that
// would not load back as the same string, so LoadYaml(ToYaml(v)) == v
// (see docs/yaml-semantics.md, "Emitting").
//
// Thread safety: reentrant.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/yaml_internal.hpp"
#include "kfix/core.hpp"

namespace kfix {
namespace {

// libyaml refuses implicit keys longer than 1024 characters.
constexpr std::size_t kMaxImplicitKey = 1000;

bool IsIndicatorStart(char c) {
  switch (c) {
    case '-': case '?': case ':': case ',': case '[': case ']': case '{': case '}': case '#': case '&':
    case '*': case '!': case '|': case '>': case '\'': case '"': case '%': case '@': case '`': case '.':
    case ' ':
      return true;
    default:
      return false;
  }
}

// True when `s` can be written as a plain scalar and load back as the same string.
bool CanBePlain(std::string_view s) {
  if (s.empty() || IsIndicatorStart(s[0]) || s.back() == ' ' || s.back() == ':') return false;
  if (s == "<<") return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7F) return false;  // controls, tabs, newlines, DEL, non-ASCII: quote
    if (c == ':' && i + 1 < s.size() && s[i + 1] == ' ') return false;
    if (c == '#' && i > 0 && s[i - 1] == ' ') return false;
  }
  return internal::PlainScalarStaysString(s);
}

// Decodes one UTF-8 sequence; returns its length (0 = invalid).
std::size_t DecodeUtf8(std::string_view s, std::size_t i, std::uint32_t& cp) {
  const auto c = static_cast<unsigned char>(s[i]);
  auto cont = [&](std::size_t k) { return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80; };
  auto cb = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[i + k]) & 0x3F); };
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF && cont(1)) {
    cp = ((c & 0x1Fu) << 6) | cb(1);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
    cp = ((c & 0x0Fu) << 12) | (cb(1) << 6) | cb(2);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    cp = ((c & 0x07u) << 18) | (cb(1) << 12) | (cb(2) << 6) | cb(3);
    if (cp < 0x10000 || cp > 0x10FFFF) return 0;
    return 4;
  }
  return 0;
}

void AppendHexEscape(std::string& out, char kind, std::uint32_t cp, int digits) {
  static const char* kHex = "0123456789ABCDEF";
  out.push_back('\\');
  out.push_back(kind);
  for (int i = digits - 1; i >= 0; --i) out.push_back(kHex[(cp >> (4 * i)) & 0xF]);
}

// YAML double-quoted scalar; escapes everything libyaml would not accept raw.
void AppendDoubleQuoted(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    std::uint32_t cp = 0;
    std::size_t n = DecodeUtf8(s, i, cp);
    if (n == 0) {
      cp = 0xFFFD;  // invalid UTF-8 cannot be represented
      n = 1;
    }
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case 0: out += "\\0"; break;
      default: {
        const bool printable = (cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA0 && cp <= 0xD7FF) ||
                               (cp >= 0xE000 && cp <= 0xFFFD && cp != 0xFEFF) || (cp >= 0x10000 && cp <= 0x10FFFF);
        if (!printable || cp == 0x2028 || cp == 0x2029) {
          if (cp <= 0xFF) {
            AppendHexEscape(out, 'x', cp, 2);
          } else if (cp <= 0xFFFF) {
            AppendHexEscape(out, 'u', cp, 4);
          } else {
            AppendHexEscape(out, 'U', cp, 8);
          }
        } else if (n == 1 && cp == 0xFFFD) {
          out += "\xEF\xBF\xBD";
        } else {
          out.append(s.substr(i, n));
        }
        break;
      }
    }
    i += n;
  }
  out.push_back('"');
}

void AppendString(std::string& out, std::string_view s) {
  if (CanBePlain(s)) {
    out.append(s);
  } else {
    AppendDoubleQuoted(out, s);
  }
}

void AppendScalar(std::string& out, const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull: out += "null"; break;
    case Value::Type::kBool: out += v.as_bool() ? "true" : "false"; break;
    case Value::Type::kInt: out += std::to_string(v.as_int()); break;
    case Value::Type::kDouble: {
      const double d = v.as_double();
      if (std::isnan(d)) {
        out += ".nan";
      } else if (std::isinf(d)) {
        out += d > 0 ? ".inf" : "-.inf";
      } else {
        char buf[32];
        auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, d);
        (void)ec;
        std::string_view t(buf, static_cast<std::size_t>(ptr - buf));
        out.append(t);
        if (t.find_first_of(".e") == std::string_view::npos) out += ".0";
      }
      break;
    }
    case Value::Type::kString: AppendString(out, v.as_string()); break;
    case Value::Type::kArray: out += "[]"; break;
    case Value::Type::kObject: out += "{}"; break;
  }
}

bool IsNonEmptyCollection(const Value& v) { return (v.is_array() || v.is_object()) && v.size() > 0; }

void Indent(std::string& out, std::size_t n) { out.append(n, ' '); }

void EmitNode(std::string& out, const Value& v, std::size_t indent, const internal::YamlBlockStyle& style,
              bool first_inline);

void EmitKey(std::string& out, const std::string& key) {
  if (key.size() > kMaxImplicitKey) {
    out += "? ";
    AppendDoubleQuoted(out, key);
    out += "\n";
  } else {
    AppendString(out, key);
  }
}

// Members of a non-empty object; the first is written at the current position
// when `first_inline` (after "- "), the rest at `indent`.
void EmitObject(std::string& out, const Value::Object& obj, std::size_t indent, bool first_inline,
                const internal::YamlBlockStyle& style) {
  bool first = true;
  for (const Member& m : obj) {
    if (!(first && first_inline)) Indent(out, indent);
    first = false;
    const bool explicit_key = m.key.size() > kMaxImplicitKey;
    EmitKey(out, m.key);
    if (explicit_key) Indent(out, indent);
    out += ':';
    if (IsNonEmptyCollection(m.value)) {
      out += '\n';
      EmitNode(out, m.value, indent + (m.value.is_object() ? style.indent : style.sequence_indent), style, false);
    } else {
      out += ' ';
      AppendScalar(out, m.value);
      out += '\n';
    }
  }
}

void EmitArray(std::string& out, const Value::Array& arr, std::size_t indent, bool first_inline,
               const internal::YamlBlockStyle& style) {
  bool first = true;
  for (const Value& e : arr) {
    if (!(first && first_inline)) Indent(out, indent);
    first = false;
    out += '-';
    const std::size_t item = indent + style.item_offset;
    if (e.is_object() && e.size() > 0) {
      out.append(style.item_offset - 1, ' ');
      EmitNode(out, e, item, style, true);
    } else if (e.is_array() && e.size() > 0) {
      out += '\n';
      EmitNode(out, e, item, style, false);
    } else {
      out += ' ';
      AppendScalar(out, e);
      out += '\n';
    }
  }
}

void EmitNode(std::string& out, const Value& v, std::size_t indent, const internal::YamlBlockStyle& style,
              bool first_inline) {
  if (v.is_object() && v.size() > 0) {
    EmitObject(out, v.as_object(), indent, first_inline, style);
  } else if (v.is_array() && v.size() > 0) {
    EmitArray(out, v.as_array(), indent, first_inline, style);
  } else {
    if (!first_inline) Indent(out, indent);
    AppendScalar(out, v);
    out += '\n';
  }
}

}  // namespace

std::string ToYaml(const Value& value) {
  std::string out;
  EmitNode(out, value, 0, internal::YamlBlockStyle{}, false);
  return out;
}

namespace internal {

void AppendYamlBlock(std::string& out, const Value& value, std::size_t indent, bool first_inline,
                     const YamlBlockStyle& style) {
  EmitNode(out, value, indent, style, first_inline);
}

void AppendYamlScalar(std::string& out, const Value& value) { AppendScalar(out, value); }

void AppendYamlDoubleQuoted(std::string& out, std::string_view s) { AppendDoubleQuoted(out, s); }

bool YamlCanBePlain(std::string_view s) { return CanBePlain(s); }

}  // namespace internal

}  // namespace kfix
