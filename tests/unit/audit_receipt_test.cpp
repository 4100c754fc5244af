// Receipts and keys: RFC 8032 vectors, canonical form, failure reasons, key
// files and their permissions, the k8s4claw compatibility profile.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "kfix/audit.hpp"

namespace fs = std::filesystem;

namespace {

struct Vector {
  std::string name, secret, pub, message, signature;
};

std::vector<Vector> LoadRfc8032() {
  std::ifstream in(std::string(KFIX_SOURCE_DIR) + "/tests/data/audit/rfc8032_ed25519.txt");
  REQUIRE(in.good());
  std::vector<Vector> out;
  std::string line;
  std::string* current = nullptr;
  auto trim = [](std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
    while (!s.empty() && s.front() == ' ') s.erase(0, 1);
    return s;
  };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') {
      current = nullptr;
      continue;
    }
    auto field = [&](const char* prefix, std::string Vector::*member) {
      std::string p = prefix;
      if (line.compare(0, p.size(), p) != 0) return false;
      current = &(out.back().*member);
      *current = trim(line.substr(p.size()));
      return true;
    };
    if (line.compare(0, 6, "name: ") == 0) {
      out.push_back(Vector{});
      out.back().name = line.substr(6);
      current = nullptr;
      continue;
    }
    REQUIRE(!out.empty());
    if (field("secret:", &Vector::secret) || field("public:", &Vector::pub) ||
        field("message:", &Vector::message) || field("signature:", &Vector::signature)) {
      continue;
    }
    REQUIRE(current != nullptr);  // continuation line
    *current += trim(line);
  }
  return out;
}

std::string Unhex(const std::string& hex) {
  kfix::Result<std::string> r = kfix::HexDecode(hex);
  REQUIRE(r.ok());
  return *r;
}

kfix::Value Json(std::string_view text) {
  kfix::Result<kfix::Value> v = kfix::ParseJson(text);
  REQUIRE_MESSAGE(v.ok(), v.status().ToString());
  return *v;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "kfix-audit-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const char* name) const { return (path / name).string(); }
};

kfix::SigningKey Rfc1Key() {
  kfix::Result<kfix::SigningKey> k =
      kfix::SigningKey::FromSeedHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  REQUIRE(k.ok());
  return std::move(*k);
}

}  // namespace

TEST_CASE("RFC 8032 Ed25519 vectors: TEST 1, 2, 3, 1024 and SHA(abc)") {
  std::vector<Vector> vectors = LoadRfc8032();
  REQUIRE(vectors.size() == 5);
  CHECK(vectors[3].message.size() == 2046);  // 1023 bytes
  CHECK(vectors[4].message.size() == 128);   // 64 bytes
  for (const Vector& v : vectors) {
    CAPTURE(v.name);
    kfix::Result<kfix::SigningKey> key = kfix::SigningKey::FromSeedHex(v.secret);
    REQUIRE(key.ok());
    CHECK(key->public_key().Hex() == v.pub);
    std::string message = Unhex(v.message);
    std::string sig = key->SignDetached(message);
    CHECK(kfix::HexEncode(sig) == v.signature);

    kfix::Result<kfix::PublicKey> pub = kfix::PublicKey::FromHex(v.pub);
    REQUIRE(pub.ok());
    CHECK(pub->VerifyDetached(message, Unhex(v.signature)));
    // Any flipped bit in the signature or message fails.
    std::string bad_sig = Unhex(v.signature);
    bad_sig[17] = static_cast<char>(bad_sig[17] ^ 0x01);
    CHECK_FALSE(pub->VerifyDetached(message, bad_sig));
    CHECK_FALSE(pub->VerifyDetached(message + "x", Unhex(v.signature)));
  }
}

TEST_CASE("SHA-256 helper and genesis value") {
  CHECK(kfix::Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(kfix::Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(kfix::AuditGenesisHash() == kfix::Sha256Hex("kfix-audit-genesis-v1"));
  CHECK(kfix::HexDecode("0g").status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK(kfix::HexDecode("abc").status().code() == kfix::StatusCode::kInvalidArgument);
}

TEST_CASE("audit canonical form: sorted, compact, integers, empty == missing") {
  CHECK(kfix::AuditCanonicalJson(Json(R"({"b": 1, "a": [1, 2.0, {"z": null}], "c": "x"})")) ==
        R"({"a":[1,2,{}],"b":1,"c":"x"})");
  // Empty object, empty array and null members canonicalise like absent ones, recursively.
  const std::string absent = kfix::AuditCanonicalJson(Json(R"({"tool":"bump-memory"})"));
  for (const char* variant : {R"({"tool":"bump-memory","params":{}})", R"({"tool":"bump-memory","params":null})",
                              R"({"tool":"bump-memory","params":[]})",
                              R"({"tool":"bump-memory","params":{"a":null,"b":{"c":[]}}})"}) {
    CAPTURE(variant);
    CHECK(kfix::AuditCanonicalJson(Json(variant)) == absent);
  }
  // Integral doubles are integers; others stay numbers; false and 0 and "" are not empty.
  CHECK(kfix::AuditCanonicalJson(Json(R"({"n":3.0,"m":0.5,"f":false,"z":0,"s":""})")) ==
        R"({"f":false,"m":0.5,"n":3,"s":"","z":0})");
  // A receipt over a payload with an empty member verifies against the payload without it.
  kfix::SigningKey key = Rfc1Key();
  kfix::Receipt r = kfix::Sign(key, Json(R"({"tool":"t","params":{}})"));
  CHECK(kfix::Verify(r, Json(R"({"tool":"t"})"), key.public_key()).ok());
  CHECK(kfix::Verify(r, Json(R"({"params":null,"tool":"t"})"), key.public_key()).ok());
}

TEST_CASE("receipt: sign, serialise, parse, verify") {
  kfix::SigningKey key = Rfc1Key();
  CHECK(key.KeyId() == kfix::Sha256Hex(Unhex(key.public_key().Hex())).substr(0, 16));
  CHECK(key.KeyId().size() == 16);
  kfix::Value payload = Json(R"({"op":"add","path":"/spec/x","value":{"n":1}})");
  kfix::Receipt r = kfix::Sign(key, payload);
  CHECK(r.version == 1);
  CHECK(r.algorithm == "ed25519");
  CHECK(r.key_id == key.KeyId());
  CHECK(r.payload_sha256 == kfix::Sha256Hex(kfix::AuditCanonicalJson(payload)));
  CHECK(r.signature.size() == 128);
  // Ed25519 is deterministic: same key + payload = same receipt.
  CHECK(kfix::Sign(key, payload).ToJson() == r.ToJson());

  std::string json = r.ToJson();
  CHECK(json.find("\"alg\":\"ed25519\"") != std::string::npos);
  kfix::Result<kfix::Receipt> parsed = kfix::Receipt::Parse(json);
  REQUIRE(parsed.ok());
  CHECK(parsed->ToJson() == json);

  kfix::KeyRing ring;
  ring.Add(key.public_key());
  kfix::ReceiptCheck ok = kfix::Verify(*parsed, payload, ring);
  CHECK(ok.ok());
  CHECK(ok.status.ok());
  CHECK(kfix::VerifyJson(json, payload, ring).ok());
  // Member order in the payload does not matter.
  CHECK(kfix::Verify(r, Json(R"({"value":{"n":1},"path":"/spec/x","op":"add"})"), ring).ok());
}

TEST_CASE("receipt: each failure has its own reason and status code") {
  kfix::SigningKey key = Rfc1Key();
  kfix::KeyRing ring;
  ring.Add(key.public_key());
  kfix::Value payload = Json(R"({"tool":"bump-memory","target":"768Mi"})");
  kfix::Receipt r = kfix::Sign(key, payload);

  SUBCASE("payload changed -> payload hash mismatch") {
    kfix::ReceiptCheck c = kfix::Verify(r, Json(R"({"tool":"bump-memory","target":"769Mi"})"), ring);
    CHECK(c.failure == kfix::ReceiptFailure::kPayloadHashMismatch);
    CHECK(c.status.code() == kfix::StatusCode::kVerificationFailed);
    CHECK(std::string(kfix::ReceiptFailureName(c.failure)) == "payload_hash_mismatch");
  }
  SUBCASE("signature changed -> bad signature") {
    kfix::Receipt bad = r;
    bad.signature[5] = bad.signature[5] == '0' ? '1' : '0';
    kfix::ReceiptCheck c = kfix::Verify(bad, payload, ring);
    CHECK(c.failure == kfix::ReceiptFailure::kBadSignature);
    CHECK(c.status.code() == kfix::StatusCode::kVerificationFailed);
  }
  SUBCASE("hash and payload both swapped consistently -> bad signature") {
    kfix::Value other = Json(R"({"tool":"delete-everything"})");
    kfix::Receipt forged = r;
    forged.payload_sha256 = kfix::Sha256Hex(kfix::AuditCanonicalJson(other));
    CHECK(kfix::Verify(forged, other, ring).failure == kfix::ReceiptFailure::kBadSignature);
  }
  SUBCASE("other key -> unknown key") {
    kfix::Result<kfix::SigningKey> other = kfix::SigningKey::Generate();
    REQUIRE(other.ok());
    CHECK(other->KeyId() != key.KeyId());
    kfix::ReceiptCheck c = kfix::Verify(kfix::Sign(*other, payload), payload, ring);
    CHECK(c.failure == kfix::ReceiptFailure::kUnknownKey);
    CHECK(c.status.code() == kfix::StatusCode::kNotFound);
    // Claiming a known key id with another key's signature is a bad signature.
    kfix::Receipt lying = kfix::Sign(*other, payload);
    lying.key_id = key.KeyId();
    CHECK(kfix::Verify(lying, payload, ring).failure == kfix::ReceiptFailure::kBadSignature);
  }
  SUBCASE("malformed receipts") {
    for (const char* text :
         {"not json", "[]", R"({"v":1})", R"({"alg":"ed25519","keyId":"00","payloadSha256":"00","sig":"00","v":1})",
          R"({"alg":"rsa","keyId":"0123456789abcdef","payloadSha256":"0000000000000000000000000000000000000000000000000000000000000000","sig":"00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000","v":1})"}) {
      CAPTURE(text);
      kfix::ReceiptCheck c = kfix::VerifyJson(text, payload, ring);
      CHECK(c.failure == kfix::ReceiptFailure::kMalformed);
      CHECK(c.status.code() == kfix::StatusCode::kParseError);
    }
    kfix::Value extra = r.ToValue();
    extra.Set("extra", 1);
    CHECK(kfix::Receipt::FromValue(extra).status().code() == kfix::StatusCode::kParseError);
    kfix::Receipt v2 = r;
    v2.version = 2;
    CHECK(kfix::Verify(v2, payload, ring).failure == kfix::ReceiptFailure::kMalformed);
  }
}

TEST_CASE("keys: files, permissions, no overwrite") {
  static_assert(!std::is_copy_constructible_v<kfix::SigningKey>);
  static_assert(!std::is_copy_assignable_v<kfix::SigningKey>);
  static_assert(std::is_nothrow_move_constructible_v<kfix::SigningKey>);
  TempDir dir;
  kfix::Result<kfix::SigningKey> key = kfix::SigningKey::Generate();
  REQUIRE(key.ok());
  const std::string key_path = dir / "kfix.key";
  const std::string pub_path = dir / "kfix.pub";
  ::umask(0);  // SaveFile must not depend on the umask
  REQUIRE(key->SaveFile(key_path).ok());
  ::umask(022);
  REQUIRE(key->public_key().SaveFile(pub_path).ok());
  struct stat sb {};
  REQUIRE(::stat(key_path.c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);

  kfix::Result<kfix::SigningKey> loaded = kfix::SigningKey::LoadFile(key_path);
  REQUIRE(loaded.ok());
  CHECK(loaded->public_key() == key->public_key());
  kfix::Result<kfix::PublicKey> pub = kfix::PublicKey::LoadFile(pub_path);
  REQUIRE(pub.ok());
  CHECK(*pub == key->public_key());
  // The file never contains the public key bytes as the secret (sanity) and is 64 hex + header.
  std::ifstream in(key_path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.rfind("kfix-ed25519-secret-v1 ", 0) == 0);

  SUBCASE("refuses to overwrite") {
    CHECK(key->SaveFile(key_path).code() == kfix::StatusCode::kInvalidArgument);
    CHECK(key->public_key().SaveFile(pub_path).code() == kfix::StatusCode::kInvalidArgument);
  }
  SUBCASE("group- or world-accessible key files are refused, naming path and mode") {
    for (mode_t mode : {0640, 0604, 0644, 0660, 0602}) {
      CAPTURE(mode);
      REQUIRE(::chmod(key_path.c_str(), mode) == 0);
      kfix::Result<kfix::SigningKey> r = kfix::SigningKey::LoadFile(key_path);
      CHECK(r.status().code() == kfix::StatusCode::kPermissionDenied);
      CHECK(r.status().message().find(key_path) != std::string::npos);
      char m[8];
      std::snprintf(m, sizeof m, "%04o", static_cast<unsigned>(mode));
      CHECK(r.status().message().find(m) != std::string::npos);
    }
    REQUIRE(::chmod(key_path.c_str(), 0400) == 0);
    CHECK(kfix::SigningKey::LoadFile(key_path).ok());
  }
  SUBCASE("errors never echo key material") {
    std::string seed_hex = text.substr(std::string("kfix-ed25519-secret-v1 ").size(), 64);
    REQUIRE(::chmod(key_path.c_str(), 0644) == 0);
    CHECK(kfix::SigningKey::LoadFile(key_path).status().ToString().find(seed_hex) == std::string::npos);
    // A private key given where a public key is expected is refused without echoing it.
    kfix::Result<kfix::PublicKey> wrong = kfix::PublicKey::LoadFile(key_path);
    CHECK(wrong.status().code() == kfix::StatusCode::kParseError);
    CHECK(wrong.status().message().find(seed_hex) == std::string::npos);
  }
  SUBCASE("missing and malformed files") {
    CHECK(kfix::SigningKey::LoadFile(dir / "nope.key").status().code() == kfix::StatusCode::kNotFound);
    CHECK(kfix::PublicKey::LoadFile(dir / "nope.pub").status().code() == kfix::StatusCode::kNotFound);
    const std::string junk = dir / "junk.key";
    {
      std::ofstream out(junk);
      out << "kfix-ed25519-secret-v1 zz\n";
    }
    REQUIRE(::chmod(junk.c_str(), 0600) == 0);
    CHECK(kfix::SigningKey::LoadFile(junk).status().code() == kfix::StatusCode::kParseError);
  }
  SUBCASE("bare 64-hex public key files (k8s4claw export) are accepted") {
    const std::string bare = dir / "bare.pub";
    {
      std::ofstream out(bare);
      out << "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a\n";
    }
    kfix::Result<kfix::PublicKey> p = kfix::PublicKey::LoadFile(bare);
    REQUIRE(p.ok());
    CHECK(*p == Rfc1Key().public_key());
  }
}

TEST_CASE("keys: moved-from signing key is empty, generated keys differ") {
  kfix::Result<kfix::SigningKey> a = kfix::SigningKey::Generate();
  kfix::Result<kfix::SigningKey> b = kfix::SigningKey::Generate();
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->public_key().Hex() != b->public_key().Hex());
  CHECK(a->public_key().Hex().size() == 64);
  kfix::SigningKey moved = std::move(*a);
  CHECK(moved.SignDetached("x").size() == 64);
  CHECK(kfix::SigningKey::FromSeedHex("00").status().code() == kfix::StatusCode::kInvalidArgument);
}

TEST_CASE("k8s4claw receipt profile: the playbooks.md §2.6 test vector") {
  kfix::SigningKey key = Rfc1Key();
  CHECK(key.public_key().Hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  kfix::ClawReceipt r;
  r.v = 1;
  r.id = "rec_00000000000000000000000000000000";
  r.key = "rule-engine";
  r.tool = "bump-memory";
  r.params = Json(R"({"target":"768Mi"})");
  r.target = "claw://default/my-claw";
  r.ts = "2026-04-20T10:00:00Z";
  CHECK(r.SignedBytes() ==
        "v=1|id=rec_00000000000000000000000000000000|key=rule-engine|tool=bump-memory|target=claw://default/"
        "my-claw|ts=2026-04-20T10:00:00Z|params={\"target\":\"768Mi\"}");
  kfix::ClawSign(key, r);
  CHECK(r.sig ==
        "25019f46470310ad654164083cc11faa33a97124e605a1af16d8606f2d3639b0fcb044b88f07bf8704bed81a9f50153f833d3f16cc8785c"
        "8add5741e9af65d09");
  CHECK(kfix::ClawVerify(r, key.public_key()).ok());

  // JSON round trip in the reference member order.
  std::string json = r.ToJson();
  CHECK(json.rfind(R"({"v":1,"id":"rec_00000000000000000000000000000000","key":"rule-engine","tool":"bump-memory",)"
                   R"("params":{"target":"768Mi"},"target":"claw://default/my-claw",)",
                   0) == 0);
  kfix::Result<kfix::ClawReceipt> parsed = kfix::ClawReceipt::Parse(json);
  REQUIRE(parsed.ok());
  CHECK(kfix::ClawVerify(*parsed, key.public_key()).ok());

  // Tampering with the tool fails (reference test "tamper tool -> false").
  kfix::ClawReceipt tampered = r;
  tampered.tool = "scale-replicas";
  kfix::ReceiptCheck c = kfix::ClawVerify(tampered, key.public_key());
  CHECK(c.failure == kfix::ReceiptFailure::kBadSignature);
  kfix::ClawReceipt mock = r;
  mock.sig = "mock";
  CHECK(kfix::ClawVerify(mock, key.public_key()).failure == kfix::ReceiptFailure::kMalformed);
}

TEST_CASE("k8s4claw profile: empty params sign and verify like absent params (reference bug fixed)") {
  kfix::SigningKey key = Rfc1Key();
  kfix::ClawReceipt r;
  r.id = "rec_0123456789abcdef0123456789abcdef";
  r.key = "rule-engine";
  r.tool = "restart-pod";
  r.params = kfix::Value::MakeObject();  // empty, non-nil
  r.target = "claw://default/my-claw";
  r.ts = "2026-04-20T10:00:00Z";
  CHECK(r.SignedBytes().substr(r.SignedBytes().size() - 12) == "|params=null");
  kfix::ClawSign(key, r);
  std::string json = r.ToJson();
  CHECK(json.find("params") == std::string::npos);  // omitted when empty
  kfix::Result<kfix::ClawReceipt> parsed = kfix::ClawReceipt::Parse(json);
  REQUIRE(parsed.ok());
  CHECK(parsed->params.is_null());
  CHECK(kfix::ClawVerify(*parsed, key.public_key()).ok());

  // A receipt made by the reference for an empty non-nil map signed "params={}"; it verifies too.
  std::string reference_bytes = r.SignedBytes();
  reference_bytes.replace(reference_bytes.size() - 4, 4, "{}");
  kfix::ClawReceipt from_reference = *parsed;
  from_reference.sig = kfix::HexEncode(key.SignDetached(reference_bytes));
  CHECK(from_reference.sig != r.sig);
  CHECK(kfix::ClawVerify(from_reference, key.public_key()).ok());
  // ... but not when params are not empty.
  from_reference.params = Json(R"({"a":"b"})");
  CHECK(kfix::ClawVerify(from_reference, key.public_key()).failure == kfix::ReceiptFailure::kBadSignature);
}

TEST_CASE("k8s4claw profile: Go string escaping of params") {
  kfix::ClawReceipt r;
  r.params = Json(R"({"b":"<a&b>","a":"line\nbreak\u2028"})");
  std::string bytes = r.SignedBytes();
  CHECK(bytes.substr(bytes.find("params=")) == R"(params={"a":"line\nbreak\u2028","b":"\u003ca\u0026b\u003e"})");
}
