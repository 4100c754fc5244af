// Fuzz target: the audit layer's parsers and verifiers.
//
// The whole input is fed
// (a) as a JSONL audit log to VerifyAuditLog, three ways: without keys, with
//     the fixed test key, and with receipts required;
// (b) as a kfix receipt to Receipt::Parse and VerifyJson over a fixed
//     payload, and as a k8s4claw receipt to ClawReceipt::Parse + ClawVerify.
//
// Checks:
// - no crash, hang or sanitizer report on any input;
// - every failed log verification names a line >= 1, carries a message and
//   the matching status code, and its line number is in the Status location;
// - the verified prefix (good_bytes) ends at a newline and re-verifies OK with
//   the same line count and last hash; an OK report covers the whole input;
// - stricter options never accept what looser ones reject (keys ⊆ no keys,
//   required receipts ⊆ keys);
// - a log verified with receipts required consists only of lines the library
//   itself signed with the test key (the reference logs below, from which the
//   seeds were written): a mutated signed log never verifies unless its bytes
//   are identical to signed lines;
// - a receipt that parses round-trips through ToJson/FromValue; a receipt that
//   verifies against the fixed payload is byte-identical to the one the
//   library signed; a check's Status code matches its failure.
//
// Seeds: tests/fuzz/corpus/audit/. `KFIX_FUZZ_AUDIT_WRITE_SEEDS=<dir>` makes
// the first call write the reference logs/receipts (and truncated / flipped
// variants) there, which is how the corpus was produced.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/audit.hpp"
#include "kfix/core.hpp"

namespace {

[[noreturn]] void Die(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_audit: %s\ninput (%zu bytes): %.*s\n", what, input.size(),
               static_cast<int>(input.size()), input.data());
  std::abort();
}

// RFC 8032 test vector 1 secret key: a fixed, public test key.
constexpr const char* kTestSeedHex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

struct Reference {
  std::shared_ptr<const kfix::SigningKey> key;
  kfix::KeyRing ring;
  kfix::Value payload;
  std::string receipt_json;           // Sign(key, payload).ToJson()
  std::set<std::string> signed_lines;  // every line the reference logs contain
  std::vector<std::string> logs;       // whole reference logs (signed and unsigned)
  std::string claw_json;               // a signed k8s4claw receipt
};

kfix::Value MustJson(std::string_view text) {
  kfix::Result<kfix::Value> v = kfix::ParseJson(text);
  if (!v.ok()) Die("reference JSON does not parse", text);
  return *v;
}

/// Builds one log in memory: `n` records, every 4th a Begin/Complete pair.
std::string BuildLog(int n, std::shared_ptr<const kfix::SigningKey> signer, std::int64_t clock_base_ms) {
  auto lines = std::make_shared<std::vector<std::string>>();
  auto counter = std::make_shared<std::int64_t>(clock_base_ms);
  kfix::AuditLogOptions opts;
  opts.clock = [counter] { return std::chrono::system_clock::time_point(std::chrono::milliseconds((*counter)++)); };
  opts.signer = std::move(signer);
  auto sink = std::make_unique<kfix::CallbackSink>([lines](const kfix::AuditEntry& e) {
    lines->push_back(e.line);
    return kfix::Status::Ok();
  });
  kfix::Result<std::unique_ptr<kfix::AuditLog>> log = kfix::AuditLog::Create(std::move(sink), std::move(opts));
  if (!log.ok()) Die("cannot create reference log", log.status().ToString());
  for (int i = 1; i <= n; ++i) {
    kfix::Value rec = kfix::Value::MakeObject();
    rec.Set("object", "default/web-" + std::to_string(i));
    rec.Set("check", i % 2 == 0 ? "run-as-non-root" : "no-read-only-root-fs");
    if (i % 3 == 0) rec.Set("patch", MustJson(R"([{"op":"add","path":"/a~1b","value":[1,2.5,"\u00e9",null,{}]}])"));
    if (i % 4 == 0) {
      kfix::Result<kfix::AuditEntry> b = (*log)->Begin("adapter.apply", rec);
      if (!b.ok()) Die("reference Begin failed", b.status().ToString());
      kfix::Result<kfix::AuditEntry> c = (*log)->Complete(b->seq, i % 8 == 0, MustJson(R"({"detail":"done"})"));
      if (!c.ok()) Die("reference Complete failed", c.status().ToString());
    } else {
      kfix::Result<kfix::AuditEntry> a = (*log)->Append("patch.accepted", rec);
      if (!a.ok()) Die("reference Append failed", a.status().ToString());
    }
  }
  std::string out;
  for (const std::string& l : *lines) out += l + "\n";
  return out;
}

void WriteSeed(const std::string& dir, const std::string& name, const std::string& bytes) {
  std::ofstream out(dir + "/" + name, std::ios::binary | std::ios::trunc);
  out << bytes;
}

void WriteSeeds(const Reference& ref, const std::string& dir) {
  for (std::size_t i = 0; i < ref.logs.size(); ++i) {
    const std::string& log = ref.logs[i];
    const std::string base = "log_" + std::to_string(i);
    WriteSeed(dir, base + ".jsonl", log);
    WriteSeed(dir, base + "_torn.jsonl", log.substr(0, log.size() * 2 / 3));
    std::string flipped = log;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x01);
    WriteSeed(dir, base + "_flipped.jsonl", flipped);
    std::size_t first_nl = log.find('\n');
    WriteSeed(dir, base + "_dropfirst.jsonl", log.substr(first_nl + 1));
  }
  WriteSeed(dir, "receipt.json", ref.receipt_json);
  WriteSeed(dir, "receipt_torn.json", ref.receipt_json.substr(0, ref.receipt_json.size() / 2));
  std::string flipped = ref.receipt_json;
  flipped[flipped.size() - 10] = flipped[flipped.size() - 10] == '0' ? '1' : '0';
  WriteSeed(dir, "receipt_badsig.json", flipped);
  WriteSeed(dir, "claw.json", ref.claw_json);
  WriteSeed(dir, "claw_torn.json", ref.claw_json.substr(0, ref.claw_json.size() - 3));
}

const Reference& Ref() {
  static const Reference* ref = [] {
    auto* r = new Reference();
    kfix::Result<kfix::SigningKey> key = kfix::SigningKey::FromSeedHex(kTestSeedHex);
    if (!key.ok()) Die("cannot load test key", key.status().ToString());
    r->key = std::make_shared<const kfix::SigningKey>(std::move(*key));
    r->ring.Add(r->key->public_key());
    r->payload = MustJson(R"({"check":"run-as-non-root","object":"default/web","empty":{},"n":2.0})");
    r->receipt_json = kfix::Sign(*r->key, r->payload).ToJson();
    r->logs.push_back(BuildLog(9, r->key, 1776679200000LL));
    r->logs.push_back(BuildLog(3, r->key, 0));
    r->logs.push_back(BuildLog(5, nullptr, 1776679200000LL));
    for (std::size_t i = 0; i < 2; ++i) {  // the signed ones
      std::string_view log = r->logs[i];
      while (!log.empty()) {
        std::size_t nl = log.find('\n');
        r->signed_lines.emplace(log.substr(0, nl));
        log.remove_prefix(nl + 1);
      }
    }
    kfix::ClawReceipt claw;
    claw.id = "rec_0123456789abcdef0123456789abcdef";
    claw.key = "rule-engine";
    claw.tool = "kubectl.patch";
    claw.params = MustJson(R"({"b":[1,"x"],"a":{"c":true}})");
    claw.target = "claw://default/web";
    claw.ts = "2026-04-20T10:00:00Z";
    kfix::ClawSign(*r->key, claw);
    r->claw_json = claw.ToJson();
    if (const char* dir = std::getenv("KFIX_FUZZ_AUDIT_WRITE_SEEDS"); dir != nullptr) WriteSeeds(*r, dir);
    return r;
  }();
  return *ref;
}

kfix::StatusCode ExpectedCode(kfix::AuditLogFailure f) {
  switch (f) {
    case kfix::AuditLogFailure::kNone: return kfix::StatusCode::kOk;
    case kfix::AuditLogFailure::kTornLastLine: return kfix::StatusCode::kParseError;
    case kfix::AuditLogFailure::kUnknownKey: return kfix::StatusCode::kNotFound;
    case kfix::AuditLogFailure::kIoError: return kfix::StatusCode::kIoError;
    default: return kfix::StatusCode::kVerificationFailed;
  }
}

std::int64_t CountLines(std::string_view text) {
  std::int64_t n = 0;
  for (char c : text) n += c == '\n' ? 1 : 0;
  return n;
}

kfix::AuditVerifyReport CheckLog(std::string_view text, const kfix::AuditVerifyOptions& opts) {
  kfix::AuditVerifyReport r = kfix::VerifyAuditLog(text, opts);
  if (r.good_bytes < 0 || static_cast<std::size_t>(r.good_bytes) > text.size()) Die("good_bytes out of range", text);
  if (r.good_bytes > 0 && text[static_cast<std::size_t>(r.good_bytes) - 1] != '\n') {
    Die("verified prefix does not end at a newline", text);
  }
  const std::string_view prefix = text.substr(0, static_cast<std::size_t>(r.good_bytes));
  if (r.lines_verified != CountLines(prefix)) Die("lines_verified does not match the verified prefix", text);
  if (r.ok()) {
    if (static_cast<std::size_t>(r.good_bytes) != text.size()) Die("OK report does not cover the input", text);
    if (!r.status().ok()) Die("OK report with a non-OK status", text);
    return r;
  }
  if (r.line < 1) Die("failure without a line number", text);
  if (r.line != r.lines_verified + 1) Die("failure line is not the first line after the verified prefix", text);
  if (r.message.empty()) Die("failure without a message", text);
  kfix::Status s = r.status("audit.jsonl");
  if (s.ok() || s.code() != ExpectedCode(r.failure)) Die("failure status has the wrong code", text);
  if (s.location().line != r.line) Die("failure status does not carry the line number", text);
  if (s.location().file != "audit.jsonl") Die("failure status does not carry the file", text);
  // The verified prefix verifies on its own, to the same position.
  kfix::AuditVerifyReport again = kfix::VerifyAuditLog(prefix, opts);
  if (!again.ok() || again.lines_verified != r.lines_verified || again.last_hash != r.last_hash ||
      again.last_seq != r.last_seq) {
    Die("the verified prefix does not re-verify to the same position", text);
  }
  return r;
}

void FuzzLog(std::string_view text) {
  const Reference& ref = Ref();
  kfix::AuditVerifyOptions plain;
  kfix::AuditVerifyOptions keyed;
  keyed.keys = ref.ring;
  kfix::AuditVerifyOptions strict = keyed;
  strict.require_receipts = true;

  kfix::AuditVerifyReport r_plain = CheckLog(text, plain);
  kfix::AuditVerifyReport r_keyed = CheckLog(text, keyed);
  kfix::AuditVerifyReport r_strict = CheckLog(text, strict);
  if (r_keyed.lines_verified > r_plain.lines_verified) Die("keyed verification accepts more than plain", text);
  if (r_strict.lines_verified > r_keyed.lines_verified) Die("strict verification accepts more than keyed", text);

  // Every line verified under required receipts was signed by the library.
  std::string_view rest = text.substr(0, static_cast<std::size_t>(r_strict.good_bytes));
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    if (ref.signed_lines.count(std::string(rest.substr(0, nl))) == 0) {
      Die("a line the library never signed verifies with receipts required", text);
    }
    rest.remove_prefix(nl + 1);
  }
}

kfix::StatusCode ExpectedCode(kfix::ReceiptFailure f) {
  switch (f) {
    case kfix::ReceiptFailure::kNone: return kfix::StatusCode::kOk;
    case kfix::ReceiptFailure::kMalformed: return kfix::StatusCode::kParseError;
    case kfix::ReceiptFailure::kUnknownKey: return kfix::StatusCode::kNotFound;
    default: return kfix::StatusCode::kVerificationFailed;
  }
}

void FuzzReceipt(std::string_view text) {
  const Reference& ref = Ref();
  kfix::Result<kfix::Receipt> parsed = kfix::Receipt::Parse(text);
  if (!parsed.ok()) {
    if (parsed.status().code() != kfix::StatusCode::kParseError) Die("receipt parse error is not kParseError", text);
    if (parsed.status().message().empty()) Die("receipt parse error without a message", text);
  } else {
    const std::string json = parsed->ToJson();
    kfix::Result<kfix::Receipt> again = kfix::Receipt::Parse(json);
    if (!again.ok() || again->ToJson() != json) Die("receipt does not round-trip through ToJson", text);
    kfix::Result<kfix::Receipt> from_value = kfix::Receipt::FromValue(parsed->ToValue());
    if (!from_value.ok() || from_value->ToJson() != json) Die("receipt does not round-trip through ToValue", text);
  }
  kfix::ReceiptCheck c = kfix::VerifyJson(text, ref.payload, ref.ring);
  if (c.status.code() != ExpectedCode(c.failure)) Die("receipt check status does not match its failure", text);
  if (!c.ok() && c.status.message().empty()) Die("receipt check failure without a message", text);
  if (parsed.ok() != (c.failure != kfix::ReceiptFailure::kMalformed)) {
    Die("VerifyJson and Receipt::Parse disagree on well-formedness", text);
  }
  if (c.ok() && parsed->ToJson() != ref.receipt_json) Die("a receipt the library never signed verifies", text);

  kfix::Result<kfix::ClawReceipt> claw = kfix::ClawReceipt::Parse(text);
  if (claw.ok()) {
    const std::string json = claw->ToJson();
    kfix::Result<kfix::ClawReceipt> again = kfix::ClawReceipt::Parse(json);
    if (!again.ok() || again->ToJson() != json) Die("claw receipt does not round-trip through ToJson", text);
    if (again->SignedBytes() != claw->SignedBytes()) Die("claw receipt round trip changes the signed bytes", text);
    kfix::ReceiptCheck cc = kfix::ClawVerify(*claw, ref.key->public_key());
    if (cc.status.code() != ExpectedCode(cc.failure)) Die("claw check status does not match its failure", text);
    if (cc.ok() && claw->SignedBytes() != kfix::ClawReceipt::Parse(ref.claw_json)->SignedBytes()) {
      Die("a claw receipt the library never signed verifies", text);
    }
  } else if (claw.status().code() != kfix::StatusCode::kParseError) {
    Die("claw parse error is not kParseError", text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  FuzzLog(text);
  FuzzReceipt(text);
  return 0;
}
