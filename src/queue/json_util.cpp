#include "queue/json_util.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

namespace kfix::internal {
namespace {

void Quote(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

void Append(std::string& out, const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull: out += "null"; break;
    case Value::Type::kBool: out += v.as_bool() ? "true" : "false"; break;
    case Value::Type::kInt: out += std::to_string(v.as_int()); break;
    case Value::Type::kDouble: {
      double d = v.as_double();
      if (!std::isfinite(d)) {
        out += "null";
        break;
      }
      char buf[64];
      auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), d);
      out.append(buf, ec == std::errc() ? ptr : buf);
      break;
    }
    case Value::Type::kString: Quote(out, v.as_string()); break;
    case Value::Type::kArray: {
      out.push_back('[');
      bool first = true;
      for (const Value& e : v.as_array()) {
        if (!first) out.push_back(',');
        first = false;
        Append(out, e);
      }
      out.push_back(']');
      break;
    }
    case Value::Type::kObject: {
      std::vector<const Member*> members;
      for (const Member& m : v.as_object()) members.push_back(&m);
      // Byte order of UTF-8 equals code point order.
      std::sort(members.begin(), members.end(), [](const Member* a, const Member* b) { return a->key < b->key; });
      out.push_back('{');
      bool first = true;
      for (const Member* m : members) {
        if (!first) out.push_back(',');
        first = false;
        Quote(out, m->key);
        out.push_back(':');
        Append(out, m->value);
      }
      out.push_back('}');
      break;
    }
  }
}

Value FromNlohmann(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return Value();
    case nlohmann::json::value_t::boolean: return Value(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return Value(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      auto u = j.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(INT64_MAX)) return Value(static_cast<std::int64_t>(u));
      return Value(static_cast<double>(u));
    }
    case nlohmann::json::value_t::number_float: return Value(j.get<double>());
    case nlohmann::json::value_t::string: return Value(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      Value a = Value::MakeArray();
      for (const auto& e : j) a.PushBack(FromNlohmann(e));
      return a;
    }
    case nlohmann::json::value_t::object: {
      Value o = Value::MakeObject();
      for (auto it = j.begin(); it != j.end(); ++it) o.Set(it.key(), FromNlohmann(it.value()));
      return o;
    }
    default: return Value();
  }
}

}  // namespace

std::string CanonicalJson(const Value& v) {
  std::string out;
  Append(out, v);
  return out;
}

Result<Value> ParseStoredJson(std::string_view text) {
  try {
    return FromNlohmann(nlohmann::json::parse(text.begin(), text.end()));
  } catch (const std::exception& e) {
    return ParseError(std::string("stored JSON is corrupt: ") + e.what());
  }
}

}  // namespace kfix::internal
