#include "playbooks/escape/util.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "kfix/audit.hpp"

namespace kfix::escape::internal {

std::string Short8(std::string_view s) { return Sha256Hex(s).substr(0, 8); }

std::string HashId(std::string_view prefix, std::string_view material, std::size_t n) {
  return std::string(prefix) + Sha256Hex(material).substr(0, n);
}

bool Truthy(const Value* v) noexcept {
  if (v == nullptr) return false;
  switch (v->type()) {
    case Value::Type::kNull: return false;
    case Value::Type::kBool: return v->as_bool();
    case Value::Type::kInt: return v->as_int() != 0;
    case Value::Type::kDouble: return v->as_double() != 0.0;
    case Value::Type::kString: return !v->as_string().empty();
    case Value::Type::kArray:
    case Value::Type::kObject: return v->size() != 0;
  }
  return false;
}

std::string PyStr(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull: return "None";
    case Value::Type::kBool: return v.as_bool() ? "True" : "False";
    case Value::Type::kInt: return std::to_string(v.as_int());
    case Value::Type::kString: return v.as_string();
    default: return ToJson(v, JsonStyle::kCompact);
  }
}

std::string StrOr(const Value* v) { return Truthy(v) ? PyStr(*v) : std::string(); }

std::int64_t SafeInt(const Value* v) noexcept {
  if (v == nullptr) return 0;
  switch (v->type()) {
    case Value::Type::kBool: return v->as_bool() ? 1 : 0;
    case Value::Type::kInt: return v->as_int();
    case Value::Type::kDouble: {
      double d = v->as_double();
      if (!std::isfinite(d) || d >= 9.2e18 || d <= -9.2e18) return 0;
      return static_cast<std::int64_t>(d);
    }
    case Value::Type::kString: {
      // int("  42 ") works in Python; "4.2" and "" do not.
      std::string s = Trim(v->as_string());
      if (s.empty() || s.size() > 19) return 0;
      std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
      if (i == s.size()) return 0;
      std::int64_t out = 0;
      for (; i < s.size(); ++i) {
        char c = s[i];
        if (c < '0' || c > '9') return 0;
        out = out * 10 + (c - '0');
      }
      return s[0] == '-' ? -out : out;
    }
    default: return 0;
  }
}

const Value* PathValue(const Value& obj, std::string_view path) {
  if (!obj.is_object()) return nullptr;
  if (const Value* direct = obj.Find(path)) return direct;
  const Value* current = &obj;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t dot = path.find('.', start);
    std::string_view part = path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    const Value* next = current->is_object() ? current->Find(part) : nullptr;
    if (next == nullptr) {
      if (current->is_object()) return current->Find(path.substr(start));
      return nullptr;
    }
    current = next;
    if (dot == std::string_view::npos) return current;
    start = dot + 1;
  }
  return current;
}

std::string FirstText(const Value& obj, std::initializer_list<std::string_view> paths) {
  for (std::string_view p : paths) {
    const Value* v = PathValue(obj, p);
    if (v == nullptr || v->is_null()) continue;
    std::string text = Trim(PyStr(*v));
    if (!text.empty()) return text;
  }
  return {};
}

static const Value* Typed(std::vector<std::string>& problems, const Value* parent, std::string_view key,
                          std::string_view where, bool want_object) {
  if (parent == nullptr || !parent->is_object()) return nullptr;
  const Value* v = parent->Find(key);
  if (!Truthy(v)) return nullptr;
  if (want_object ? v->is_object() : v->is_array()) return v;
  std::string name = where.empty() ? std::string(key) : std::string(where) + "." + std::string(key);
  problems.push_back("member `" + name + "` is " + WithArticle(*v) + ", expected " +
                     (want_object ? "an object" : "an array"));
  return nullptr;
}

const Value* TypeDiag::Obj(const Value* parent, std::string_view key, std::string_view where) {
  return Typed(problems, parent, key, where, true);
}
const Value* TypeDiag::Arr(const Value* parent, std::string_view key, std::string_view where) {
  return Typed(problems, parent, key, where, false);
}

std::string PyJsonQuote(std::string_view s) {
  std::string out = "\"";
  auto u = [&out](unsigned cp) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", cp);
    out += buf;
  };
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20 || c == 0x7f) u(c);
          else out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    // Decode UTF-8 (the JSON parser only lets valid UTF-8 through; anything
    // else is escaped byte by byte as U+FFFD would hide it).
    unsigned cp = 0;
    std::size_t len = 0;
    if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; len = 2; }
    else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; len = 3; }
    else if ((c & 0xF8) == 0xF0) { cp = c & 0x07; len = 4; }
    if (len == 0 || i + len > s.size()) { u(0xFFFD); ++i; continue; }
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      u(0xD800 + (cp >> 10));
      u(0xDC00 + (cp & 0x3FF));
    } else {
      u(cp);
    }
  }
  out += "\"";
  return out;
}

std::int64_t ToMs(std::chrono::system_clock::time_point t) noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

static std::tm Gm(std::chrono::system_clock::time_point t) {
  std::int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

std::string FormatUtc(std::chrono::system_clock::time_point t, const char* format) {
  std::tm tm = Gm(t);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

std::string IsoFormatUtc(std::chrono::system_clock::time_point t) {
  std::int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::int64_t frac = ((us % 1000000) + 1000000) % 1000000;
  std::string out = FormatUtc(t, "%Y-%m-%dT%H:%M:%S");
  if (frac != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    out += buf;
  }
  return out + "+00:00";
}

std::string Clip(std::string_view s) {
  constexpr std::size_t kMax = 80;
  if (s.size() <= kMax) return std::string(s);
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "... (" + std::to_string(s.size()) + " bytes)";
}

std::string WithArticle(const Value& v) {
  std::string name = v.type_name();
  bool vowel = !name.empty() && std::string_view("aeiou").find(name[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + name;
}

std::string Show(const Value& v) { return Clip(ToJson(v, JsonStyle::kCompact)); }

Value OcsfFindingHead(int severity_id, std::int64_t time, std::string_view uid, std::string_view feature,
                      const std::vector<std::string>& labels) {
  Value v = Value::MakeObject();
  v.Set("activity_id", 1);
  v.Set("category_uid", 2);
  v.Set("category_name", "Findings");
  v.Set("class_uid", 2004);
  v.Set("class_name", "Detection Finding");
  v.Set("type_uid", 200401);
  v.Set("severity_id", severity_id);
  v.Set("status_id", 1);
  v.Set("time", time);
  Value md = Value::MakeObject();
  md.Set("version", "1.8.0");
  md.Set("uid", uid);
  Value product = Value::MakeObject();
  product.Set("name", "kfix");
  product.Set("vendor_name", "kfix");
  Value f = Value::MakeObject();
  f.Set("name", feature);
  product.Set("feature", std::move(f));
  md.Set("product", std::move(product));
  md.Set("labels", Strings(labels));
  v.Set("metadata", std::move(md));
  return v;
}

Value ObservablesValue(const std::vector<Observable>& observables) {
  Value arr = Value::MakeArray();
  for (const Observable& o : observables) {
    Value v = Value::MakeObject();
    v.Set("name", o.name);
    v.Set("type", "Other");
    v.Set("value", o.value);
    arr.PushBack(std::move(v));
  }
  return arr;
}

Value SelectorValue(const Selector& selector) {
  Value v = Value::MakeObject();
  for (const auto& [k, val] : selector) v.Set(k, val);
  return v;
}

Value Strings(const std::vector<std::string>& items) {
  Value v = Value::MakeArray();
  for (const std::string& s : items) v.PushBack(s);
  return v;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Trim(std::string_view s) {
  const char* ws = " \t\n\r\f\v";
  std::size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  std::size_t e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace kfix::escape::internal
