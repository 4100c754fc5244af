// Compatibility profile: k8s4claw ("signet") Ed25519 receipts (playbooks.md §2.6).
#include <sodium.h>

#include <algorithm>

#include "audit/crypto.hpp"
#include "audit/go_json.hpp"
#include "kfix/audit.hpp"

namespace kfix {

namespace internal {

/// Go encoding/json string escaping (HTMLEscape on, Go >= 1.22 short escapes).
void AppendGoString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // Multi-byte UTF-8: validate; invalid bytes become \ufffd as in Go.
    std::size_t len = (c >= 0xf0 && c <= 0xf4) ? 4 : (c >= 0xe0) ? 3 : (c >= 0xc2 && c <= 0xdf) ? 2 : 0;
    bool valid = len != 0 && i + len <= s.size();
    std::uint32_t cp = 0;
    if (valid) {
      cp = len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
      for (std::size_t k = 1; k < len; ++k) {
        auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xc0) != 0x80) {
          valid = false;
          break;
        }
        cp = (cp << 6) | (cc & 0x3fu);
      }
      if (valid && ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
                    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))) {
        valid = false;
      }
    }
    if (!valid) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (cp == 0x2028 || cp == 0x2029) {
      out += cp == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  out += '"';
}

}  // namespace internal

namespace {

using internal::AppendGoString;

/// Go's encoding of a decoded JSON value (maps with sorted keys), compact.
void AppendGoJson(std::string& out, const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull: out += "null"; break;
    case Value::Type::kBool: out += v.as_bool() ? "true" : "false"; break;
    case Value::Type::kInt: out += std::to_string(v.as_int()); break;
    case Value::Type::kDouble: out += ToJson(v, JsonStyle::kCanonical); break;
    case Value::Type::kString: AppendGoString(out, v.as_string()); break;
    case Value::Type::kArray: {
      out += '[';
      bool first = true;
      for (const Value& e : v.as_array()) {
        if (!first) out += ',';
        first = false;
        AppendGoJson(out, e);
      }
      out += ']';
      break;
    }
    case Value::Type::kObject: {
      std::vector<const Member*> members;
      for (const Member& m : v.as_object()) members.push_back(&m);
      std::sort(members.begin(), members.end(), [](const Member* a, const Member* b) { return a->key < b->key; });
      out += '{';
      bool first = true;
      for (const Member* m : members) {
        if (!first) out += ',';
        first = false;
        AppendGoString(out, m->key);
        out += ':';
        AppendGoJson(out, m->value);
      }
      out += '}';
      break;
    }
  }
}

bool ParamsEmpty(const Value& p) {
  return p.is_null() || (p.is_object() && p.as_object().empty());
}

}  // namespace

std::string ClawReceipt::SignedBytes() const {
  std::string out = "v=" + std::to_string(v) + "|id=" + id + "|key=" + key + "|tool=" + tool + "|target=" + target +
                    "|ts=" + ts + "|params=";
  if (ParamsEmpty(params)) {
    out += "null";
  } else {
    AppendGoJson(out, params);
  }
  return out;
}

std::string ClawReceipt::ToJson() const {
  std::string out = "{\"v\":" + std::to_string(v) + ",\"id\":";
  AppendGoString(out, id);
  out += ",\"key\":";
  AppendGoString(out, key);
  out += ",\"tool\":";
  AppendGoString(out, tool);
  if (!ParamsEmpty(params)) {
    out += ",\"params\":";
    AppendGoJson(out, params);
  }
  out += ",\"target\":";
  AppendGoString(out, target);
  out += ",\"ts\":";
  AppendGoString(out, ts);
  out += ",\"sig\":";
  AppendGoString(out, sig);
  out += '}';
  return out;
}

Result<ClawReceipt> ClawReceipt::Parse(std::string_view json) {
  Result<Value> parsed = ParseJson(json);
  if (!parsed.ok()) return ParseError("claw receipt is not valid JSON: " + parsed.status().ToString());
  const Value& o = *parsed;
  if (!o.is_object()) return ParseError("claw receipt must be a JSON object");
  ClawReceipt r;
  for (const Member& m : o.as_object()) {
    if (m.key == "v") {
      if (!m.value.is_int()) return ParseError("claw receipt member \"v\" must be an integer");
      r.v = m.value.as_int();
      continue;
    }
    if (m.key == "params") {
      if (!m.value.is_object() && !m.value.is_null()) return ParseError("claw receipt member \"params\" must be an object");
      r.params = m.value;
      continue;
    }
    std::string* field = m.key == "id"       ? &r.id
                         : m.key == "key"    ? &r.key
                         : m.key == "tool"   ? &r.tool
                         : m.key == "target" ? &r.target
                         : m.key == "ts"     ? &r.ts
                         : m.key == "sig"    ? &r.sig
                                             : nullptr;
    if (field == nullptr) return ParseError("claw receipt has unknown member \"" + m.key + "\"");
    if (!m.value.is_string()) return ParseError("claw receipt member \"" + m.key + "\" must be a string");
    *field = m.value.as_string();
  }
  for (const char* k : {"v", "id", "key", "tool", "target", "ts", "sig"}) {
    if (o.Find(k) == nullptr) return ParseError(std::string("claw receipt is missing member \"") + k + "\"");
  }
  return r;
}

void ClawSign(const SigningKey& key, ClawReceipt& receipt) {
  receipt.sig = HexEncode(key.SignDetached(receipt.SignedBytes()));
}

ReceiptCheck ClawVerify(const ClawReceipt& receipt, const PublicKey& key) {
  ReceiptCheck c;
  if (receipt.v != 1) {
    c.failure = ReceiptFailure::kMalformed;
    c.status = ParseError("unsupported claw receipt version " + std::to_string(receipt.v));
    return c;
  }
  unsigned char sig[crypto_sign_BYTES];
  if (!internal::IsLowerHex(receipt.sig, 2 * sizeof sig) || !internal::DecodeHexInto(receipt.sig, sig, sizeof sig)) {
    c.failure = ReceiptFailure::kMalformed;
    c.status = ParseError("claw receipt sig must be 128 lowercase hex digits");
    return c;
  }
  const std::string_view sig_view(reinterpret_cast<const char*>(sig), sizeof sig);
  bool valid = key.VerifyDetached(receipt.SignedBytes(), sig_view);
  if (!valid && ParamsEmpty(receipt.params)) {
    // The reference signs an empty, non-nil params map as "{}" (and omits it
    // from the JSON); accept those receipts too: same meaning, no params.
    std::string bytes = receipt.SignedBytes();
    bytes.replace(bytes.size() - 4, 4, "{}");
    valid = key.VerifyDetached(bytes, sig_view);
  }
  if (!valid) {
    c.failure = ReceiptFailure::kBadSignature;
    c.status = VerificationFailedError("bad signature: claw receipt " + receipt.id + " does not verify");
  }
  return c;
}

}  // namespace kfix
