// Audit canonical form, hashing and hex helpers.
#include <sodium.h>

#include <array>
#include <cmath>
#include <mutex>

#include "audit/crypto.hpp"
#include "kfix/audit.hpp"

namespace kfix {
namespace internal {

bool EnsureSodium() noexcept {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = sodium_init() >= 0; });
  return ok;
}

bool IsLowerHex(std::string_view s, std::size_t n) noexcept {
  static constexpr auto kTable = [] {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'f'; ++c) t[static_cast<std::size_t>(c)] = true;
    return t;
  }();
  if (s.size() != n) return false;
  bool ok = true;
  for (char c : s) ok &= kTable[static_cast<unsigned char>(c)];
  return ok;
}

static int HexNibble(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool DecodeHexInto(std::string_view hex, unsigned char* out, std::size_t out_size) noexcept {
  if (hex.size() != 2 * out_size) return false;
  for (std::size_t i = 0; i < out_size; ++i) {
    int hi = HexNibble(hex[2 * i]);
    int lo = HexNibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<unsigned char>((hi << 4) | lo);
  }
  return true;
}

}  // namespace internal

namespace {

bool IsEmptyish(const Value& v) {
  return v.is_null() || (v.is_object() && v.as_object().empty()) || (v.is_array() && v.as_array().empty());
}

Value Normalize(const Value& v) {
  switch (v.type()) {
    case Value::Type::kDouble: {
      double d = v.as_double();
      // Integral doubles inside the exactly representable int64 range become ints.
      if (std::isfinite(d) && std::trunc(d) == d && d >= -9007199254740992.0 && d <= 9007199254740992.0) {
        return Value(static_cast<std::int64_t>(d));
      }
      return Value(d);
    }
    case Value::Type::kArray: {
      Value::Array out;
      out.reserve(v.as_array().size());
      for (const Value& e : v.as_array()) out.push_back(Normalize(e));
      return Value(std::move(out));
    }
    case Value::Type::kObject: {
      Value::Object out;
      out.reserve(v.as_object().size());
      for (const Member& m : v.as_object()) {
        Value n = Normalize(m.value);
        if (IsEmptyish(n)) continue;
        out.push_back(Member{m.key, std::move(n)});
      }
      return Value(std::move(out));
    }
    default: {
      Value copy = v;
      copy.set_position(0, 0);
      return copy;
    }
  }
}

}  // namespace

Value AuditNormalize(const Value& value) { return Normalize(value); }

std::string AuditCanonicalJson(const Value& value) { return ToJson(Normalize(value), JsonStyle::kCanonical); }


std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0xf];
  }
  return out;
}

Result<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return InvalidArgumentError("hex string has odd length " + std::to_string(hex.size()));
  std::string out(hex.size() / 2, '\0');
  if (!internal::DecodeHexInto(hex, reinterpret_cast<unsigned char*>(out.data()), out.size())) {
    return InvalidArgumentError("hex string contains a non-hex character");
  }
  return out;
}

}  // namespace kfix
