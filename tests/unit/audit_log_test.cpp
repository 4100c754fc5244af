// Audit log: chain format, tamper detection and location, torn tails, resume
// and repair, two-phase entries, line receipts, sinks, thread safety.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "kfix/audit.hpp"

namespace fs = std::filesystem;
using kfix::AuditLogFailure;

namespace {

/// A deterministic clock: 2026-04-20T10:00:00.000Z, +1 ms per reading.
kfix::AuditClock FakeClock() {
  auto counter = std::make_shared<std::atomic<std::int64_t>>(0);
  return [counter] {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(1776679200000LL + counter->fetch_add(1)));
  };
}

kfix::Value Json(std::string_view text) {
  kfix::Result<kfix::Value> v = kfix::ParseJson(text);
  REQUIRE_MESSAGE(v.ok(), v.status().ToString());
  return *v;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "kfix-auditlog-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const char* name) const { return (path / name).string(); }
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

/// Builds a log in memory through a CallbackSink; returns the lines (no
/// newlines). `small` keeps records short (the 1,000-line test walks the log
/// thousands of times).
std::vector<std::string> BuildLog(int n, std::shared_ptr<const kfix::SigningKey> signer = nullptr,
                                  bool small = false) {
  auto lines = std::make_shared<std::vector<std::string>>();
  kfix::AuditLogOptions opts;
  opts.clock = FakeClock();
  opts.signer = std::move(signer);
  auto sink = std::make_unique<kfix::CallbackSink>([lines](const kfix::AuditEntry& e) {
    lines->push_back(e.line);
    return kfix::Status::Ok();
  });
  kfix::Result<std::unique_ptr<kfix::AuditLog>> log = kfix::AuditLog::Create(std::move(sink), std::move(opts));
  REQUIRE(log.ok());
  for (int i = 1; i <= n; ++i) {
    kfix::Value rec = kfix::Value::MakeObject();
    if (!small) {
      rec.Set("patch", Json(R"([{"op":"add","path":"/spec/template/spec/securityContext/runAsNonRoot","value":true}])"));
    }
    rec.Set("object", "default/web-" + std::to_string(i));
    rec.Set("check", i % 3 == 0 ? "run-as-non-root" : "no-read-only-root-fs");
    if (i % 7 == 0) {
      kfix::Result<kfix::AuditEntry> b = (*log)->Begin("adapter.apply", rec);
      REQUIRE(b.ok());
      ++i;
      if (i > n) break;
      REQUIRE((*log)->Complete(b->seq, i % 2 == 0, Json(R"({"detail":"done"})")).ok());
    } else {
      REQUIRE((*log)->Append("patch.accepted", rec).ok());
    }
  }
  REQUIRE(static_cast<int>(lines->size()) == n);
  return *lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    out += l;
    out += '\n';
  }
  return out;
}

/// Writes a line the way the library does, for forging tests: canonical
/// object, hash over it, "hash" member first.
std::string ForgeLine(const kfix::Value& object_without_hash) {
  std::string body = kfix::AuditCanonicalJson(object_without_hash);
  return "{\"hash\":\"" + kfix::Sha256Hex(body) + "\"," + body.substr(1);
}

kfix::Value LineObject(const std::string& line) {
  kfix::Value v = Json(line);
  v.Erase("hash");
  return v;
}

}  // namespace

TEST_CASE("timestamps come from the injected clock in RFC 3339 UTC") {
  using std::chrono::milliseconds;
  using std::chrono::system_clock;
  CHECK(kfix::FormatAuditTimestamp(system_clock::time_point(milliseconds(0))) == "1970-01-01T00:00:00.000Z");
  CHECK(kfix::FormatAuditTimestamp(system_clock::time_point(milliseconds(1776679200000LL))) ==
        "2026-04-20T10:00:00.000Z");
  CHECK(kfix::FormatAuditTimestamp(system_clock::time_point(milliseconds(951868799999LL))) ==
        "2000-02-29T23:59:59.999Z");
  CHECK(kfix::FormatAuditTimestamp(system_clock::time_point(milliseconds(-1))) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("log line format: hash first, prev chain from genesis, seq, ts, type, record") {
  std::vector<std::string> lines = BuildLog(3);
  kfix::Value first = Json(lines[0]);
  CHECK(first.Find("prev")->as_string() == kfix::AuditGenesisHash());
  CHECK(first.Find("seq")->as_int() == 1);
  CHECK(first.Find("ts")->as_string() == "2026-04-20T10:00:00.000Z");
  CHECK(first.Find("type")->as_string() == "patch.accepted");
  CHECK(first.Find("record")->Find("object")->as_string() == "default/web-1");
  CHECK(lines[0].rfind("{\"hash\":\"", 0) == 0);
  // hash = SHA-256 of the line without its hash member.
  CHECK(first.Find("hash")->as_string() == kfix::Sha256Hex(kfix::AuditCanonicalJson(LineObject(lines[0]))));
  // Lines are canonical JSON.
  CHECK(kfix::ToJson(first, kfix::JsonStyle::kCanonical) == lines[0]);
  kfix::Value second = Json(lines[1]);
  CHECK(second.Find("prev")->as_string() == first.Find("hash")->as_string());
  CHECK(second.Find("seq")->as_int() == 2);
  CHECK(second.Find("ts")->as_string() == "2026-04-20T10:00:00.001Z");

  kfix::AuditVerifyReport r = kfix::VerifyAuditLog(Join(lines));
  CHECK(r.ok());
  CHECK(r.lines_verified == 3);
  CHECK(r.last_seq == 3);
  CHECK(r.last_hash == Json(lines[2]).Find("hash")->as_string());
  CHECK(kfix::VerifyAuditLog("").ok());  // an empty log is valid
}

TEST_CASE("flipping any single byte of any line of a 1,000-line log is detected and located") {
  const std::vector<std::string> lines = BuildLog(1000, nullptr, /*small=*/true);
  const std::string log = Join(lines);
  REQUIRE(kfix::VerifyAuditLog(log).ok());
  std::vector<std::size_t> starts;
  std::size_t off = 0;
  for (const std::string& l : lines) {
    starts.push_back(off);
    off += l.size() + 1;
  }
  std::mt19937 rng(12345);
  std::string mutated = log;
  int checked = 0;
  // A flip inside line i must be reported at line i. Damage that leaves the
  // final line unparsable (a flip in the last line, or in the newline that
  // separates it from the line before) is reported as a torn last line,
  // still located at the first damaged line.
  auto check_flip = [&](std::size_t line_index, std::size_t byte_in_line, unsigned char mask) {
    const std::size_t at = starts[line_index] + byte_in_line;
    mutated[at] = static_cast<char>(mutated[at] ^ mask);
    kfix::AuditVerifyReport r = kfix::VerifyAuditLog(mutated);
    mutated[at] = log[at];
    ++checked;
    const bool tail = line_index + 1 == lines.size() ||
                      (line_index + 2 == lines.size() && byte_in_line == lines[line_index].size());
    if (r.ok() || r.line != static_cast<std::int64_t>(line_index + 1) ||
        !(r.failure == AuditLogFailure::kLineAltered || r.failure == AuditLogFailure::kMalformedLine ||
          (tail && r.failure == AuditLogFailure::kTornLastLine))) {
      FAIL("line " << line_index + 1 << " byte " << byte_in_line << " mask " << int(mask) << ": got "
                   << kfix::AuditLogFailureName(r.failure) << " at line " << r.line << ": " << r.message);
    }
  };
  // Every line: one random byte (its newline included) with a random non-zero mask.
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::size_t pos = std::uniform_int_distribution<std::size_t>(0, lines[i].size())(rng);
    auto mask = static_cast<unsigned char>(std::uniform_int_distribution<int>(1, 255)(rng));
    check_flip(i, pos, mask);
  }
  // The newline of every 50th line, and of the last two.
  for (std::size_t i = 0; i < lines.size(); i += 50) check_flip(i, lines[i].size(), 0x01);
  check_flip(998, lines[998].size(), 0x01);
  check_flip(999, lines[999].size(), 0x01);
  // Every byte of a few lines (first, an in_progress one, a succeeded/failed one).
  for (std::size_t i : {std::size_t{0}, std::size_t{6}, std::size_t{7}}) {
    for (std::size_t b = 0; b <= lines[i].size(); ++b) check_flip(i, b, 0x20);
  }
  CHECK(checked > 1500);
  CHECK(mutated == log);
}

TEST_CASE("removed, swapped and inserted lines are detected and located") {
  const std::vector<std::string> lines = BuildLog(60);
  auto verify = [](const std::vector<std::string>& l, kfix::AuditVerifyOptions o = {}) {
    return kfix::VerifyAuditLog(Join(l), o);
  };
  SUBCASE("removal") {
    for (std::size_t k : {0, 1, 30, 58}) {
      CAPTURE(k);
      std::vector<std::string> l = lines;
      l.erase(l.begin() + static_cast<std::ptrdiff_t>(k));
      kfix::AuditVerifyReport r = verify(l);
      CHECK(r.failure == AuditLogFailure::kLineMissing);
      CHECK(r.line == static_cast<std::int64_t>(k + 1));
      CHECK(r.status().code() == kfix::StatusCode::kVerificationFailed);
      CHECK(r.status().location().line == static_cast<std::int32_t>(k + 1));
    }
    std::vector<std::string> l = lines;
    l.erase(l.begin() + 10, l.begin() + 13);
    kfix::AuditVerifyReport r = verify(l);
    CHECK(r.failure == AuditLogFailure::kLineMissing);
    CHECK(r.line == 11);
    CHECK(r.message.find("3 lines") != std::string::npos);
  }
  SUBCASE("truncating the tail needs an anchor") {
    std::vector<std::string> l(lines.begin(), lines.end() - 2);
    CHECK(verify(l).ok());  // the chain alone cannot see a shorter log
    kfix::AuditVerifyOptions o;
    o.anchor_seq = 60;
    o.anchor_hash = Json(lines[59]).Find("hash")->as_string();
    CHECK(verify(lines, o).ok());
    kfix::AuditVerifyReport r = verify(l, o);
    CHECK(r.failure == AuditLogFailure::kLineMissing);
    CHECK(r.line == 59);
  }
  SUBCASE("swap") {
    for (std::size_t k : {0, 20, 58}) {
      CAPTURE(k);
      std::vector<std::string> l = lines;
      std::swap(l[k], l[k + 1]);
      kfix::AuditVerifyReport r = verify(l);
      CHECK(r.failure == AuditLogFailure::kLinesReordered);
      CHECK(r.line == static_cast<std::int64_t>(k + 1));
    }
  }
  SUBCASE("insertion of a copied line") {
    std::vector<std::string> l = lines;
    l.insert(l.begin() + 40, lines[5]);
    kfix::AuditVerifyReport r = verify(l);
    CHECK(r.failure == AuditLogFailure::kLineInserted);
    CHECK(r.line == 41);
    std::vector<std::string> dup = lines;
    dup.insert(dup.begin() + 12, lines[11]);  // replayed right after itself
    CHECK(verify(dup).failure == AuditLogFailure::kLineInserted);
    CHECK(verify(dup).line == 13);
  }
  SUBCASE("insertion of a forged, self-consistent line") {
    // Takes line 21's place with a valid hash and prev: seen at the next line (seq 21 again).
    kfix::Value forged = LineObject(lines[20]);
    forged.Set("record", Json(R"({"object":"forged"})"));
    std::vector<std::string> l = lines;
    l.insert(l.begin() + 20, ForgeLine(forged));
    kfix::AuditVerifyReport r = verify(l);
    CHECK(r.failure == AuditLogFailure::kLineInserted);
    CHECK(r.line == 22);
  }
  SUBCASE("insertion of garbage") {
    std::vector<std::string> l = lines;
    l.insert(l.begin() + 3, "{\"hello\":1}");
    CHECK(verify(l).failure == AuditLogFailure::kMalformedLine);
    CHECK(verify(l).line == 4);
    l[3] = "";
    CHECK(verify(l).failure == AuditLogFailure::kMalformedLine);
  }
  SUBCASE("a line rewritten with a recomputed hash breaks the link to the next line") {
    kfix::Value changed = LineObject(lines[30]);
    changed.Set("record", Json(R"({"object":"rewritten"})"));
    std::vector<std::string> l = lines;
    l[30] = ForgeLine(changed);
    kfix::AuditVerifyReport r = verify(l);
    CHECK(r.failure == AuditLogFailure::kChainBroken);
    CHECK(r.line == 32);
  }
  SUBCASE("a first line that does not start from genesis") {
    kfix::Value first = LineObject(lines[0]);
    first.Set("prev", kfix::Sha256Hex("other"));
    std::vector<std::string> l = {ForgeLine(first)};
    CHECK(verify(l).failure == AuditLogFailure::kChainBroken);
    CHECK(verify(l).line == 1);
  }
}

TEST_CASE("a torn last line is reported as torn, not as tampering") {
  const std::vector<std::string> lines = BuildLog(5);
  const std::string log = Join(lines);
  SUBCASE("no trailing newline (partial append)") {
    std::string torn = log + lines[4].substr(0, 40);
    kfix::AuditVerifyReport r = kfix::VerifyAuditLog(torn);
    CHECK(r.failure == AuditLogFailure::kTornLastLine);
    CHECK(r.line == 6);
    CHECK(r.lines_verified == 5);
    CHECK(r.good_bytes == static_cast<std::int64_t>(log.size()));
    CHECK(r.status().code() == kfix::StatusCode::kParseError);
    // Even a complete last line without its newline is torn.
    CHECK(kfix::VerifyAuditLog(log.substr(0, log.size() - 1)).failure == AuditLogFailure::kTornLastLine);
  }
  SUBCASE("unparsable last line") {
    std::string torn = log + std::string(30, '\0') + "\n";
    kfix::AuditVerifyReport r = kfix::VerifyAuditLog(torn);
    CHECK(r.failure == AuditLogFailure::kTornLastLine);
    CHECK(r.line == 6);
  }
  SUBCASE("the same bytes in the middle are tampering") {
    std::vector<std::string> l = lines;
    l.insert(l.begin() + 2, lines[4].substr(0, 40));
    kfix::AuditVerifyReport r = kfix::VerifyAuditLog(Join(l));
    CHECK(r.failure == AuditLogFailure::kMalformedLine);
    CHECK(r.line == 3);
    CHECK(r.status().code() == kfix::StatusCode::kVerificationFailed);
  }
}

TEST_CASE("two-phase entries reference their in_progress entry") {
  auto lines = std::make_shared<std::vector<std::string>>();
  kfix::AuditLogOptions opts;
  opts.clock = FakeClock();
  auto log = kfix::AuditLog::Create(std::make_unique<kfix::CallbackSink>([lines](const kfix::AuditEntry& e) {
                                      lines->push_back(e.line);
                                      return kfix::Status::Ok();
                                    }),
                                    std::move(opts));
  REQUIRE(log.ok());
  kfix::Result<kfix::AuditEntry> begin = (*log)->Begin("quarantine.apply", Json(R"({"ns":"prod","pod":"p"})"));
  REQUIRE(begin.ok());
  CHECK(begin->phase == kfix::AuditPhase::kInProgress);
  kfix::Result<kfix::AuditEntry> other = (*log)->Begin("quarantine.apply", Json(R"({"ns":"prod","pod":"q"})"));
  REQUIRE(other.ok());
  kfix::Result<kfix::AuditEntry> done = (*log)->Complete(begin->seq, true, Json(R"({"status":"success"})"));
  REQUIRE(done.ok());
  CHECK(done->phase == kfix::AuditPhase::kSucceeded);
  CHECK(done->ref == begin->seq);
  CHECK(done->type == "quarantine.apply");
  CHECK((*log)->Complete(other->seq, false, Json(R"({"error":"forbidden"})")).ok());
  // Completing twice, or an unknown seq, is refused and writes nothing.
  CHECK((*log)->Complete(begin->seq, true, kfix::Value()).status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK((*log)->Complete(99, true, kfix::Value()).status().code() == kfix::StatusCode::kInvalidArgument);
  REQUIRE(lines->size() == 4);
  kfix::Value l3 = Json((*lines)[2]);
  CHECK(l3.Find("phase")->as_string() == "succeeded");
  CHECK(l3.Find("ref")->as_int() == 1);
  CHECK(Json((*lines)[0]).Find("phase")->as_string() == "in_progress");
  CHECK(kfix::VerifyAuditLog(Join(*lines)).ok());

  // A forged completion of an entry that is not open is a bad reference.
  kfix::Value forged = LineObject((*lines)[3]);
  forged.Set("prev", Json((*lines)[3]).Find("hash")->as_string());
  forged.Set("seq", 5);
  forged.Set("ref", 1);  // already completed by line 3
  std::vector<std::string> l = *lines;
  l.push_back(ForgeLine(forged));
  kfix::AuditVerifyReport r = kfix::VerifyAuditLog(Join(l));
  CHECK(r.failure == AuditLogFailure::kBadReference);
  CHECK(r.line == 5);
}

TEST_CASE("line receipts: signed logs verify, forged lines are pinned to their line") {
  kfix::Result<kfix::SigningKey> key = kfix::SigningKey::FromSeedHex(
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  REQUIRE(key.ok());
  auto signer = std::make_shared<const kfix::SigningKey>(std::move(*key));
  std::vector<std::string> lines = BuildLog(30, signer);
  kfix::AuditVerifyOptions opts;
  opts.keys.Add(signer->public_key());
  opts.require_receipts = true;
  CHECK(kfix::VerifyAuditLog(Join(lines), opts).ok());
  kfix::Value first = Json(lines[0]);
  REQUIRE(first.Find("receipt") != nullptr);
  CHECK(first.Find("receipt")->Find("keyId")->as_string() == signer->KeyId());

  SUBCASE("rewritten line with recomputed hash: the receipt no longer matches, at that line") {
    kfix::Value changed = LineObject(lines[10]);
    changed.Set("record", Json(R"({"object":"rewritten"})"));
    lines[10] = ForgeLine(changed);
    kfix::AuditVerifyReport r = kfix::VerifyAuditLog(Join(lines), opts);
    CHECK(r.failure == AuditLogFailure::kBadReceipt);
    CHECK(r.line == 11);
    // Without keys only the chain is checked, and the break shows at the next line.
    CHECK(kfix::VerifyAuditLog(Join(lines)).failure == AuditLogFailure::kChainBroken);
  }
  SUBCASE("unknown key") {
    kfix::AuditVerifyOptions other;
    kfix::Result<kfix::SigningKey> k2 = kfix::SigningKey::Generate();
    REQUIRE(k2.ok());
    other.keys.Add(k2->public_key());
    kfix::AuditVerifyReport r = kfix::VerifyAuditLog(Join(lines), other);
    CHECK(r.failure == AuditLogFailure::kUnknownKey);
    CHECK(r.line == 1);
    CHECK(r.status().code() == kfix::StatusCode::kNotFound);
  }
  SUBCASE("unsigned lines when receipts are required") {
    std::vector<std::string> plain = BuildLog(3);
    kfix::AuditVerifyReport r = kfix::VerifyAuditLog(Join(plain), opts);
    CHECK(r.failure == AuditLogFailure::kMissingReceipt);
    CHECK(r.line == 1);
  }
}

TEST_CASE("file log: created 0600, resumes its chain, durable lines") {
  TempDir dir;
  const std::string path = dir / "audit.jsonl";
  kfix::AuditClock clock = FakeClock();
  {
    kfix::AuditLogOptions o;
    o.clock = clock;
    auto log = kfix::AuditLog::OpenFile(path, std::move(o));
    REQUIRE(log.ok());
    REQUIRE((*log)->Append("plan.step", Json(R"({"step":1})")).ok());
    REQUIRE((*log)->Begin("adapter.apply", Json(R"({"step":2})")).ok());
    CHECK((*log)->state().next_seq == 3);
  }
  struct stat sb {};
  REQUIRE(::stat(path.c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  {
    kfix::AuditLogOptions o;
    o.clock = clock;
    auto log = kfix::AuditLog::OpenFile(path, std::move(o));
    REQUIRE(log.ok());
    CHECK((*log)->state().next_seq == 3);
    // The in_progress entry written before reopening can still be completed.
    kfix::Result<kfix::AuditEntry> e = (*log)->Complete(2, true, Json(R"({"ok":true})"));
    REQUIRE(e.ok());
    CHECK(e->seq == 3);
  }
  kfix::AuditVerifyReport r = kfix::VerifyAuditLogFile(path);
  CHECK(r.ok());
  CHECK(r.lines_verified == 3);
  {
    // One writer at a time: a second writer on the same file is refused, not forked.
    kfix::AuditLogOptions o1, o2;
    o1.clock = clock;
    o2.clock = clock;
    auto first = kfix::AuditLog::OpenFile(path, std::move(o1));
    REQUIRE(first.ok());
    CHECK(kfix::AuditLog::OpenFile(path, std::move(o2)).status().code() == kfix::StatusCode::kIoError);
  }
  CHECK(kfix::VerifyAuditLogFile(dir / "missing.jsonl").failure == AuditLogFailure::kIoError);

  SUBCASE("a tampered file is refused for append") {
    std::string text = ReadFile(path);
    text[text.find("\"step\":1") + 7] = '9';
    WriteFile(path, text);
    kfix::AuditLogOptions o;
    o.clock = clock;
    CHECK(kfix::AuditLog::OpenFile(path, std::move(o)).status().code() == kfix::StatusCode::kVerificationFailed);
  }
  SUBCASE("a torn tail is refused, then repaired on request and the repair recorded") {
    const std::string good = ReadFile(path);
    WriteFile(path, good + "{\"hash\":\"0123");
    kfix::AuditLogOptions o;
    o.clock = clock;
    kfix::Result<std::unique_ptr<kfix::AuditLog>> refused = kfix::AuditLog::OpenFile(path, o);
    CHECK(refused.status().code() == kfix::StatusCode::kParseError);
    CHECK(refused.status().location().line == 4);
    CHECK(ReadFile(path) == good + "{\"hash\":\"0123");  // untouched
    o.repair_torn_tail = true;
    kfix::Result<std::unique_ptr<kfix::AuditLog>> repaired = kfix::AuditLog::OpenFile(path, o);
    REQUIRE(repaired.ok());
    REQUIRE((*repaired)->Append("plan.step", Json(R"({"step":3})")).ok());
    std::string text = ReadFile(path);
    CHECK(text.rfind(good, 0) == 0);
    kfix::AuditVerifyReport after = kfix::VerifyAuditLogFile(path);
    CHECK(after.ok());
    CHECK(after.lines_verified == 5);
    kfix::Value repair = Json(text.substr(good.size(), text.find('\n', good.size()) - good.size()));
    CHECK(repair.Find("type")->as_string() == "kfix.audit.repair");
    CHECK(repair.Find("seq")->as_int() == 4);
    CHECK(repair.Find("record")->Find("droppedBytes")->as_int() == 13);
    CHECK(repair.Find("record")->Find("droppedSha256")->as_string() == kfix::Sha256Hex("{\"hash\":\"0123"));
  }
}

TEST_CASE("sinks: failures do not advance the chain; records are normalised; types are checked") {
  auto lines = std::make_shared<std::vector<std::string>>();
  auto fail = std::make_shared<bool>(false);
  kfix::AuditLogOptions opts;
  opts.clock = FakeClock();
  auto log = kfix::AuditLog::Create(std::make_unique<kfix::CallbackSink>([lines, fail](const kfix::AuditEntry& e) {
                                      if (*fail) return kfix::IoError("store unavailable");
                                      lines->push_back(e.line);
                                      return kfix::Status::Ok();
                                    }),
                                    std::move(opts));
  REQUIRE(log.ok());
  REQUIRE((*log)->Append("a", Json(R"({"x":1,"empty":{},"none":null})")).ok());
  *fail = true;
  CHECK((*log)->Append("a", Json(R"({"x":2})")).status().code() == kfix::StatusCode::kIoError);
  *fail = false;
  kfix::Result<kfix::AuditEntry> e = (*log)->Append("a", Json(R"({"x":3})"));
  REQUIRE(e.ok());
  CHECK(e->seq == 2);
  CHECK(kfix::VerifyAuditLog(Join(*lines)).ok());
  CHECK(Json((*lines)[0]).Find("record")->size() == 1);

  CHECK((*log)->Append("", kfix::Value()).status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK((*log)->Append("bad\ntype", kfix::Value()).status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK((*log)->Append(std::string(129, 'a'), kfix::Value()).status().code() == kfix::StatusCode::kInvalidArgument);
  // Control characters in records are escaped: one record is always one line.
  REQUIRE((*log)->Append("a", Json(R"({"msg":"line1\nline2\r{\"seq\":1}"})")).ok());
  CHECK(lines->back().find('\n') == std::string::npos);
  CHECK(kfix::VerifyAuditLog(Join(*lines)).ok());

  // Records the verifier could not parse back are refused up front.
  kfix::Value deep = Json(R"({"leaf":1})");  // non-empty, or normalisation would drop it all
  for (int i = 0; i < 70; ++i) {
    kfix::Value outer = kfix::Value::MakeObject();
    outer.Set("k", std::move(deep));
    deep = std::move(outer);
  }
  CHECK((*log)->Append("a", deep).status().code() == kfix::StatusCode::kLimitExceeded);
  kfix::Value deepest_ok = Json(R"({"leaf":1})");
  for (int i = 1; i < 64; ++i) {
    kfix::Value outer = kfix::Value::MakeObject();
    outer.Set("k", std::move(deepest_ok));
    deepest_ok = std::move(outer);
  }
  CHECK((*log)->Append("a", deepest_ok).ok());  // 64 levels: accepted, and verified below
  kfix::Value big = kfix::Value::MakeObject();
  big.Set("blob", std::string(9u << 20, 'x'));
  CHECK((*log)->Append("a", big).status().code() == kfix::StatusCode::kLimitExceeded);
  std::size_t before = lines->size();
  REQUIRE((*log)->Append("a", Json(R"({"after":"limits"})")).ok());
  CHECK(lines->size() == before + 1);
  CHECK(kfix::VerifyAuditLog(Join(*lines)).ok());

  kfix::AuditLogOptions no_clock;
  CHECK(kfix::AuditLog::Create(std::make_unique<kfix::CallbackSink>(nullptr), std::move(no_clock))
            .status()
            .code() == kfix::StatusCode::kInvalidArgument);
}

TEST_CASE("the writer is thread-safe: concurrent appends form one valid chain") {
  TempDir dir;
  const std::string path = dir / "mt.jsonl";
  kfix::AuditLogOptions o;
  o.clock = FakeClock();
  auto log = kfix::AuditLog::OpenFile(path, std::move(o));
  REQUIRE(log.ok());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        kfix::Value rec = kfix::Value::MakeObject();
        rec.Set("thread", t);
        rec.Set("i", i);
        if (!(*log)->Append("mt", rec).ok()) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  CHECK(failures.load() == 0);
  kfix::AuditVerifyReport r = kfix::VerifyAuditLogFile(path);
  CHECK(r.ok());
  CHECK(r.lines_verified == 100);
}
