// CEL values: scalars inline, strings/lists/maps/errors behind one shared
// payload; lists and maps may view a kfix::Value tree without copying it.
#include <charconv>
#include <cmath>
#include <cstdio>

#include "rules/cel/cel_internal.hpp"

namespace kfix::internal {

class CelPayload {
 public:
  virtual ~CelPayload() = default;
};

namespace {

struct TextPayload final : CelPayload {
  explicit TextPayload(std::string t, std::int32_t o = -1) : text(std::move(t)), offset(o) {}
  std::string text;
  std::int32_t offset;
};

struct ListPayload final : CelPayload {
  std::vector<CelVal> items;                 // owned
  const Value* array = nullptr;              // or a view of a Value array
  std::vector<const Value*> refs;            // or a list of trees
  bool views = false;
  bool as_double = false;
  std::size_t size() const { return array ? array->as_array().size() : views ? refs.size() : items.size(); }
};

struct MapPayload final : CelPayload {
  std::vector<std::pair<CelVal, CelVal>> entries;  // owned
  const Value* object = nullptr;                   // or a view of a Value object
  bool as_double = false;
  std::size_t size() const { return object ? object->as_object().size() : entries.size(); }
};

const std::string& EmptyString() {
  static const std::string kEmpty;
  return kEmpty;
}

bool IsNumber(CelVal::Kind k) {
  return k == CelVal::Kind::kInt || k == CelVal::Kind::kUint || k == CelVal::Kind::kDouble;
}

// Compares two numbers of any numeric kinds exactly: -1, 0, 1, or 2 when
// unordered (NaN).
int CompareNumbers(const CelVal& a, const CelVal& b) {
  using K = CelVal::Kind;
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (a.kind() == b.kind()) {
    if (a.kind() == K::kInt) return cmp(a.as_int(), b.as_int());
    if (a.kind() == K::kUint) return cmp(a.as_uint(), b.as_uint());
    if (std::isnan(a.as_double()) || std::isnan(b.as_double())) return 2;
    return cmp(a.as_double(), b.as_double());
  }
  if (a.kind() == K::kInt && b.kind() == K::kUint) {
    if (a.as_int() < 0) return -1;
    return cmp(static_cast<std::uint64_t>(a.as_int()), b.as_uint());
  }
  if (a.kind() == K::kUint && b.kind() == K::kInt) return -CompareNumbers(b, a);
  // One side is a double.
  const bool a_double = a.kind() == K::kDouble;
  const double d = a_double ? a.as_double() : b.as_double();
  const CelVal& other = a_double ? b : a;
  if (std::isnan(d)) return 2;
  int r;  // compare d with other
  if (other.kind() == K::kInt) {
    const std::int64_t i = other.as_int();
    if (d < -9223372036854775808.0) r = -1;
    else if (d >= 9223372036854775808.0) r = 1;
    else {
      const double t = std::trunc(d);
      const auto ti = static_cast<std::int64_t>(t);
      r = ti < i ? -1 : ti > i ? 1 : (d > t ? 1 : d < t ? -1 : 0);
    }
  } else {
    const std::uint64_t u = other.as_uint();
    if (d < 0) r = -1;
    else if (d >= 18446744073709551616.0) r = 1;
    else {
      const double t = std::trunc(d);
      const auto tu = static_cast<std::uint64_t>(t);
      r = tu < u ? -1 : tu > u ? 1 : (d > t ? 1 : 0);
    }
  }
  return a_double ? r : -r;
}

void AppendQuoted(std::string* out, std::string_view s, char quote, bool bytes) {
  out->push_back(quote);
  for (unsigned char c : s) {
    switch (c) {
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (c == static_cast<unsigned char>(quote)) {
          out->push_back('\\');
          out->push_back(static_cast<char>(c));
        } else if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back(quote);
}

}  // namespace

// Go's strconv.FormatFloat(d, 'g', -1, 64), which cel-go's string(double) uses.
std::string CelFormatDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  if (d == 0) return std::signbit(d) ? "-0" : "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // e.g. -1.2345e+06
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  std::size_t e = sci.find('e');
  std::string mant = sci.substr(0, e);
  int exp = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits.push_back(c);
  }
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {
    out.push_back(digits[0]);
    if (digits.size() > 1) {
      out.push_back('.');
      out.append(digits, 1, std::string::npos);
    }
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    return out + eb;
  }
  if (exp < 0) return out + "0." + std::string(static_cast<std::size_t>(-exp - 1), '0') + digits;
  const std::size_t point = static_cast<std::size_t>(exp) + 1;
  if (digits.size() <= point) return out + digits + std::string(point - digits.size(), '0');
  return out + digits.substr(0, point) + "." + digits.substr(point);
}

CelVal CelVal::Bool(bool b) {
  CelVal v;
  v.kind_ = Kind::kBool;
  v.b_ = b;
  return v;
}
CelVal CelVal::Int(std::int64_t i) {
  CelVal v;
  v.kind_ = Kind::kInt;
  v.i_ = i;
  return v;
}
CelVal CelVal::Uint(std::uint64_t u) {
  CelVal v;
  v.kind_ = Kind::kUint;
  v.u_ = u;
  return v;
}
CelVal CelVal::Double(double d) {
  CelVal v;
  v.kind_ = Kind::kDouble;
  v.d_ = d;
  return v;
}
CelVal CelVal::String(std::string s) {
  CelVal v;
  v.kind_ = Kind::kString;
  v.p_ = std::make_shared<TextPayload>(std::move(s));
  return v;
}
CelVal CelVal::Bytes(std::string b) {
  CelVal v;
  v.kind_ = Kind::kBytes;
  v.p_ = std::make_shared<TextPayload>(std::move(b));
  return v;
}
CelVal CelVal::Type(std::string name) {
  CelVal v;
  v.kind_ = Kind::kType;
  v.p_ = std::make_shared<TextPayload>(std::move(name));
  return v;
}
CelVal CelVal::Error(std::string message, std::int32_t offset) {
  CelVal v;
  v.kind_ = Kind::kError;
  v.p_ = std::make_shared<TextPayload>(std::move(message), offset);
  return v;
}
CelVal CelVal::List(std::vector<CelVal> items) {
  CelVal v;
  v.kind_ = Kind::kList;
  auto p = std::make_shared<ListPayload>();
  p->items = std::move(items);
  v.p_ = std::move(p);
  return v;
}
CelVal CelVal::Map(std::vector<std::pair<CelVal, CelVal>> entries) {
  CelVal v;
  v.kind_ = Kind::kMap;
  auto p = std::make_shared<MapPayload>();
  p->entries = std::move(entries);
  v.p_ = std::move(p);
  return v;
}
CelVal CelVal::ListOfValues(std::vector<const Value*> items, bool numbers_as_double) {
  CelVal v;
  v.kind_ = Kind::kList;
  auto p = std::make_shared<ListPayload>();
  p->refs = std::move(items);
  p->views = true;
  p->as_double = numbers_as_double;
  v.p_ = std::move(p);
  return v;
}

CelVal CelVal::FromValue(const Value& value, bool numbers_as_double) {
  switch (value.type()) {
    case Value::Type::kNull: return Null();
    case Value::Type::kBool: return Bool(value.as_bool());
    case Value::Type::kInt:
      return numbers_as_double ? Double(static_cast<double>(value.as_int())) : Int(value.as_int());
    case Value::Type::kDouble: return Double(value.as_double());
    case Value::Type::kString: return String(value.as_string());
    case Value::Type::kArray: {
      CelVal v;
      v.kind_ = Kind::kList;
      auto p = std::make_shared<ListPayload>();
      p->array = &value;
      p->as_double = numbers_as_double;
      v.p_ = std::move(p);
      return v;
    }
    case Value::Type::kObject: {
      CelVal v;
      v.kind_ = Kind::kMap;
      auto p = std::make_shared<MapPayload>();
      p->object = &value;
      p->as_double = numbers_as_double;
      v.p_ = std::move(p);
      return v;
    }
  }
  return Null();
}

const std::string& CelVal::text() const {
  if (kind_ == Kind::kString || kind_ == Kind::kBytes || kind_ == Kind::kType || kind_ == Kind::kError) {
    return static_cast<const TextPayload&>(*p_).text;
  }
  return EmptyString();
}

std::int32_t CelVal::error_offset() const noexcept {
  return kind_ == Kind::kError ? static_cast<const TextPayload&>(*p_).offset : -1;
}

std::size_t CelVal::size() const {
  if (kind_ == Kind::kList) return static_cast<const ListPayload&>(*p_).size();
  if (kind_ == Kind::kMap) return static_cast<const MapPayload&>(*p_).size();
  return 0;
}

CelVal CelVal::at(std::size_t i) const {
  const auto& l = static_cast<const ListPayload&>(*p_);
  if (l.array) return FromValue(l.array->as_array()[i], l.as_double);
  if (l.views) return FromValue(*l.refs[i], l.as_double);
  return l.items[i];
}

CelVal CelVal::key_at(std::size_t i) const {
  const auto& m = static_cast<const MapPayload&>(*p_);
  if (m.object) return String(m.object->as_object()[i].key);
  return m.entries[i].first;
}

CelVal CelVal::value_at(std::size_t i) const {
  const auto& m = static_cast<const MapPayload&>(*p_);
  if (m.object) return FromValue(m.object->as_object()[i].value, m.as_double);
  return m.entries[i].second;
}

bool CelVal::Find(const CelVal& key, CelVal* out) const {
  const auto& m = static_cast<const MapPayload&>(*p_);
  if (m.object) {
    if (key.kind() != Kind::kString) return false;
    const Value* v = m.object->Find(key.text());
    if (!v) return false;
    *out = FromValue(*v, m.as_double);
    return true;
  }
  for (const auto& [k, v] : m.entries) {
    CelVal eq = CelEquals(k, key);
    if (eq.is_bool() && eq.as_bool()) {
      *out = v;
      return true;
    }
  }
  return false;
}

const char* CelVal::type_name() const noexcept {
  switch (kind_) {
    case Kind::kNull: return "null_type";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kUint: return "uint";
    case Kind::kDouble: return "double";
    case Kind::kString: return "string";
    case Kind::kBytes: return "bytes";
    case Kind::kList: return "list";
    case Kind::kMap: return "map";
    case Kind::kType: return "type";
    case Kind::kError: return "error";
  }
  return "unknown";
}

std::string CelVal::DebugString() const {
  switch (kind_) {
    case Kind::kNull: return "null";
    case Kind::kBool: return b_ ? "true" : "false";
    case Kind::kInt: return std::to_string(i_);
    case Kind::kUint: return std::to_string(u_) + "u";
    case Kind::kDouble: {
      std::string s = CelFormatDouble(d_);
      if (s.find_first_of(".eIN") == std::string::npos) s += ".0";
      return s;
    }
    case Kind::kString: {
      std::string out;
      AppendQuoted(&out, text(), '"', false);
      return out;
    }
    case Kind::kBytes: {
      std::string out = "b";
      AppendQuoted(&out, text(), '"', true);
      return out;
    }
    case Kind::kType: return text();
    case Kind::kError: return "error: " + text();
    case Kind::kList: {
      std::string out = "[";
      for (std::size_t i = 0; i < size(); ++i) out += (i ? ", " : "") + at(i).DebugString();
      return out + "]";
    }
    case Kind::kMap: {
      std::string out = "{";
      for (std::size_t i = 0; i < size(); ++i) {
        out += (i ? ", " : "") + key_at(i).DebugString() + ": " + value_at(i).DebugString();
      }
      return out + "}";
    }
  }
  return "?";
}

Value CelVal::ToValue() const {
  switch (kind_) {
    case Kind::kNull: return Value();
    case Kind::kBool: return Value(b_);
    case Kind::kInt: return Value(i_);
    case Kind::kUint:
      return u_ <= static_cast<std::uint64_t>(INT64_MAX) ? Value(static_cast<std::int64_t>(u_))
                                                         : Value(static_cast<double>(u_));
    case Kind::kDouble: return Value(d_);
    case Kind::kString:
    case Kind::kBytes:
    case Kind::kType:
    case Kind::kError: return Value(text());
    case Kind::kList: {
      Value out = Value::MakeArray();
      for (std::size_t i = 0; i < size(); ++i) out.PushBack(at(i).ToValue());
      return out;
    }
    case Kind::kMap: {
      Value out = Value::MakeObject();
      for (std::size_t i = 0; i < size(); ++i) {
        CelVal k = key_at(i);
        out.Set(k.kind() == Kind::kString ? k.text() : k.DebugString(), value_at(i).ToValue());
      }
      return out;
    }
  }
  return Value();
}

CelVal CelEquals(const CelVal& a, const CelVal& b) {
  using K = CelVal::Kind;
  if (a.is_error()) return a;
  if (b.is_error()) return b;
  if (IsNumber(a.kind()) && IsNumber(b.kind())) return CelVal::Bool(CompareNumbers(a, b) == 0);
  if (a.kind() != b.kind()) return CelVal::Bool(false);
  switch (a.kind()) {
    case K::kNull: return CelVal::Bool(true);
    case K::kBool: return CelVal::Bool(a.as_bool() == b.as_bool());
    case K::kString:
    case K::kBytes:
    case K::kType: return CelVal::Bool(a.text() == b.text());
    case K::kList: {
      if (a.size() != b.size()) return CelVal::Bool(false);
      for (std::size_t i = 0; i < a.size(); ++i) {
        CelVal e = CelEquals(a.at(i), b.at(i));
        if (e.is_error() || !e.as_bool()) return e;
      }
      return CelVal::Bool(true);
    }
    case K::kMap: {
      if (a.size() != b.size()) return CelVal::Bool(false);
      for (std::size_t i = 0; i < a.size(); ++i) {
        CelVal other;
        if (!b.Find(a.key_at(i), &other)) return CelVal::Bool(false);
        CelVal e = CelEquals(a.value_at(i), other);
        if (e.is_error() || !e.as_bool()) return e;
      }
      return CelVal::Bool(true);
    }
    default: return CelVal::Bool(false);
  }
}

/// Ordering for <, <=, >, >=: -1/0/1, 2 for unordered (NaN), 3 when the
/// kinds have no ordering.
int CelCompare(const CelVal& a, const CelVal& b) {
  using K = CelVal::Kind;
  if (IsNumber(a.kind()) && IsNumber(b.kind())) return CompareNumbers(a, b);
  if (a.kind() != b.kind()) return 3;
  switch (a.kind()) {
    case K::kBool: return a.as_bool() == b.as_bool() ? 0 : (a.as_bool() ? 1 : -1);
    case K::kString:
    case K::kBytes: {
      int c = a.text().compare(b.text());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    default: return 3;
  }
}

}  // namespace kfix::internal
