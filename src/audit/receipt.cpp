// kfix receipts: Ed25519 over audit-canonical payload bytes.
#include <sodium.h>

#include "audit/crypto.hpp"
#include "kfix/audit.hpp"

namespace kfix {

namespace {

ReceiptCheck Fail(ReceiptFailure f, std::string message) {
  ReceiptCheck c;
  c.failure = f;
  switch (f) {
    case ReceiptFailure::kMalformed: c.status = ParseError(std::move(message)); break;
    case ReceiptFailure::kUnknownKey: c.status = NotFoundError(std::move(message)); break;
    default: c.status = VerificationFailedError(std::move(message)); break;
  }
  return c;
}

/// Empty string when the receipt is well-formed, else what is wrong.
std::string ShapeProblem(const Receipt& r) {
  if (r.version != 1) return "unsupported receipt version " + std::to_string(r.version) + " (expected 1)";
  if (r.algorithm != kReceiptAlgorithm) return "unsupported algorithm \"" + r.algorithm + "\" (expected ed25519)";
  if (!internal::IsLowerHex(r.key_id, 16)) return "keyId must be 16 lowercase hex digits";
  if (!internal::IsLowerHex(r.payload_sha256, 64)) return "payloadSha256 must be 64 lowercase hex digits";
  if (!internal::IsLowerHex(r.signature, 128)) return "sig must be 128 lowercase hex digits";
  return {};
}

}  // namespace

const char* ReceiptFailureName(ReceiptFailure failure) noexcept {
  switch (failure) {
    case ReceiptFailure::kNone: return "ok";
    case ReceiptFailure::kMalformed: return "malformed_receipt";
    case ReceiptFailure::kUnknownKey: return "unknown_key";
    case ReceiptFailure::kPayloadHashMismatch: return "payload_hash_mismatch";
    case ReceiptFailure::kBadSignature: return "bad_signature";
  }
  return "unknown";
}

Value Receipt::ToValue() const {
  Value v = Value::MakeObject();
  v.Set("alg", algorithm);
  v.Set("keyId", key_id);
  v.Set("payloadSha256", payload_sha256);
  v.Set("sig", signature);
  v.Set("v", version);
  return v;
}

std::string Receipt::ToJson() const { return kfix::ToJson(ToValue(), JsonStyle::kCanonical); }

Result<Receipt> Receipt::FromValue(const Value& value) {
  if (!value.is_object()) return ParseError(std::string("receipt must be a JSON object, got ") + value.type_name());
  Receipt r;
  int seen = 0;
  for (const Member& m : value.as_object()) {
    auto str = [&](std::string* out) -> Status {
      if (!m.value.is_string()) return ParseError("receipt member \"" + m.key + "\" must be a string");
      *out = m.value.as_string();
      ++seen;
      return Status::Ok();
    };
    if (m.key == "alg") {
      KFIX_RETURN_IF_ERROR(str(&r.algorithm));
    } else if (m.key == "keyId") {
      KFIX_RETURN_IF_ERROR(str(&r.key_id));
    } else if (m.key == "payloadSha256") {
      KFIX_RETURN_IF_ERROR(str(&r.payload_sha256));
    } else if (m.key == "sig") {
      KFIX_RETURN_IF_ERROR(str(&r.signature));
    } else if (m.key == "v") {
      if (!m.value.is_int()) return ParseError("receipt member \"v\" must be an integer");
      r.version = m.value.as_int();
      ++seen;
    } else {
      return ParseError("receipt has unknown member \"" + m.key + "\"");
    }
  }
  if (seen != 5) {
    for (const char* k : {"alg", "keyId", "payloadSha256", "sig", "v"}) {
      if (value.Find(k) == nullptr) return ParseError(std::string("receipt is missing member \"") + k + "\"");
    }
    return ParseError("receipt has duplicate members");
  }
  if (std::string p = ShapeProblem(r); !p.empty()) return ParseError("receipt: " + p);
  return r;
}

Result<Receipt> Receipt::Parse(std::string_view json) {
  Result<Value> v = ParseJson(json);
  if (!v.ok()) return ParseError("receipt is not valid JSON: " + v.status().ToString());
  return FromValue(*v);
}

Receipt SignCanonicalBytes(const SigningKey& key, std::string_view canonical_bytes) {
  Receipt r;
  r.key_id = key.KeyId();
  r.payload_sha256 = Sha256Hex(canonical_bytes);
  r.signature = HexEncode(key.SignDetached(canonical_bytes));
  return r;
}

Receipt Sign(const SigningKey& key, const Value& payload) {
  return SignCanonicalBytes(key, AuditCanonicalJson(payload));
}

ReceiptCheck VerifyCanonicalBytes(const Receipt& receipt, std::string_view canonical_bytes, const KeyRing& keys) {
  if (std::string p = ShapeProblem(receipt); !p.empty()) return Fail(ReceiptFailure::kMalformed, "malformed receipt: " + p);
  const PublicKey* key = keys.Find(receipt.key_id);
  if (key == nullptr) {
    return Fail(ReceiptFailure::kUnknownKey, "unknown key: no public key with id " + receipt.key_id);
  }
  std::string hash = Sha256Hex(canonical_bytes);
  if (hash != receipt.payload_sha256) {
    return Fail(ReceiptFailure::kPayloadHashMismatch,
                "payload hash mismatch: receipt has " + receipt.payload_sha256 + ", payload hashes to " + hash);
  }
  unsigned char sig[crypto_sign_BYTES];
  if (!internal::DecodeHexInto(receipt.signature, sig, sizeof sig) ||
      !key->VerifyDetached(canonical_bytes, std::string_view(reinterpret_cast<const char*>(sig), sizeof sig))) {
    return Fail(ReceiptFailure::kBadSignature, "bad signature: the signature does not verify with key " + receipt.key_id);
  }
  return ReceiptCheck{};
}

ReceiptCheck Verify(const Receipt& receipt, const Value& payload, const KeyRing& keys) {
  return VerifyCanonicalBytes(receipt, AuditCanonicalJson(payload), keys);
}

ReceiptCheck Verify(const Receipt& receipt, const Value& payload, const PublicKey& key) {
  KeyRing ring;
  ring.Add(key);
  return Verify(receipt, payload, ring);
}

ReceiptCheck VerifyJson(std::string_view receipt_json, const Value& payload, const KeyRing& keys) {
  Result<Receipt> r = Receipt::Parse(receipt_json);
  if (!r.ok()) return Fail(ReceiptFailure::kMalformed, "malformed receipt: " + r.status().message());
  return Verify(*r, payload, keys);
}

}  // namespace kfix
