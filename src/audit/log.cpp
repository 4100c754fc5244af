// Hash-chained JSONL audit log: writer, sinks, verifier.
//
// Line layout (docs/audit.md): the canonical JSON of the entry object with
// members hash, phase?, prev, receipt?, record?, ref?, seq, ts, type. Since
// "hash" sorts first, every line starts with {"hash":"<64 hex>", and the hash
// is SHA-256 of the line without that member: "{" + line[75:].
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include "audit/crypto.hpp"
#include "kfix/audit.hpp"

namespace kfix {

namespace {

constexpr std::string_view kHashPrefix = "{\"hash\":\"";
constexpr std::size_t kHashStart = 9;         // after {"hash":"
constexpr std::size_t kBodyStart = 9 + 64 + 2;  // after the closing quote and comma
constexpr std::size_t kMaxTypeLength = 128;
constexpr const char* kRepairType = "kfix.audit.repair";
// Records must stay well inside what the verifier's JSON parser accepts
// (ParseOptions defaults: depth 128, 16 MiB per scalar, 64 MiB per document),
// otherwise a legitimate append would make the log unverifiable.
constexpr std::size_t kMaxRecordDepth = 64;
constexpr std::size_t kMaxLineBytes = 8u << 20;

std::size_t Depth(const Value& v) {
  std::size_t d = 0;
  if (v.is_array()) {
    for (const Value& e : v.as_array()) d = std::max(d, Depth(e));
    return d + 1;
  }
  if (v.is_object()) {
    for (const Member& m : v.as_object()) d = std::max(d, Depth(m.value));
    return d + 1;
  }
  return 0;
}

std::string ErrnoText(int err) { return std::strerror(err); }

Status ReadWholeFile(const std::string& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return NotFoundError(path + ": audit log not found");
    return IoError(path + ": cannot open audit log: " + ErrnoText(err));
  }
  out->clear();
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return IoError(path + ": read failed: " + ErrnoText(err));
    }
    if (n == 0) break;
    out->append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return Status::Ok();
}

Result<AuditPhase> PhaseFromName(std::string_view s) {
  if (s == "in_progress") return AuditPhase::kInProgress;
  if (s == "succeeded") return AuditPhase::kSucceeded;
  if (s == "failed") return AuditPhase::kFailed;
  return ParseError("unknown phase \"" + std::string(s) + "\"");
}

Status CheckType(std::string_view type) {
  if (type.empty() || type.size() > kMaxTypeLength) {
    return InvalidArgumentError("audit record type must be 1.." + std::to_string(kMaxTypeLength) + " characters");
  }
  for (char c : type) {
    if (c < 0x20 || c > 0x7e) return InvalidArgumentError("audit record type must be printable ASCII");
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Verifier
// ---------------------------------------------------------------------------

struct Walk {
  AuditVerifyReport report;
  std::map<std::int64_t, std::string> open;  // in_progress seq -> type
};

/// A parsed, self-consistent line.
struct ParsedLine {
  Value object;
  std::int64_t seq = 0;
  std::string prev;
  std::string hash;
  std::string type;
  AuditPhase phase = AuditPhase::kNone;
  std::int64_t ref = 0;
  const Value* receipt = nullptr;
};

/// Validates member shapes. Returns an error message or "".
std::string ReadMembers(ParsedLine& p) {
  if (!p.object.is_object()) return "line is not a JSON object";
  bool has_seq = false, has_prev = false, has_ts = false, has_type = false, has_hash = false;
  for (const Member& m : p.object.as_object()) {
    const Value& v = m.value;
    if (m.key == "hash") {
      if (!v.is_string()) return "\"hash\" must be a string";
      p.hash = v.as_string();
      has_hash = true;
    } else if (m.key == "seq") {
      if (!v.is_int() || v.as_int() < 1) return "\"seq\" must be a positive integer";
      p.seq = v.as_int();
      has_seq = true;
    } else if (m.key == "prev") {
      if (!v.is_string() || !internal::IsLowerHex(v.as_string(), 64)) return "\"prev\" must be 64 lowercase hex digits";
      p.prev = v.as_string();
      has_prev = true;
    } else if (m.key == "ts") {
      if (!v.is_string()) return "\"ts\" must be a string";
      has_ts = true;
    } else if (m.key == "type") {
      if (!v.is_string() || !CheckType(v.as_string()).ok()) return "\"type\" must be 1..128 printable ASCII characters";
      p.type = v.as_string();
      has_type = true;
    } else if (m.key == "phase") {
      if (!v.is_string()) return "\"phase\" must be a string";
      Result<AuditPhase> ph = PhaseFromName(v.as_string());
      if (!ph.ok()) return ph.status().message();
      p.phase = *ph;
    } else if (m.key == "ref") {
      if (!v.is_int() || v.as_int() < 1) return "\"ref\" must be a positive integer";
      p.ref = v.as_int();
    } else if (m.key == "receipt") {
      p.receipt = &v;
    } else if (m.key == "record") {
      // any value
    } else {
      return "unknown member \"" + m.key + "\"";
    }
  }
  if (!has_hash) return "missing member \"hash\"";
  if (!has_seq) return "missing member \"seq\"";
  if (!has_prev) return "missing member \"prev\"";
  if (!has_ts) return "missing member \"ts\"";
  if (!has_type) return "missing member \"type\"";
  bool completes = p.phase == AuditPhase::kSucceeded || p.phase == AuditPhase::kFailed;
  if (completes && p.ref == 0) return "a succeeded/failed entry needs \"ref\"";
  if (!completes && p.ref != 0) return "\"ref\" is only allowed on succeeded/failed entries";
  return {};
}

/// The top-level seq of a line, or 0 when it does not parse.
std::int64_t PeekSeq(std::string_view line) {
  Result<Value> v = ParseJson(line);
  if (!v.ok() || !v->is_object()) return 0;
  const Value* s = v->Find("seq");
  return (s != nullptr && s->is_int()) ? s->as_int() : 0;
}

bool SeqAppearsIn(std::string_view rest, std::int64_t seq) {
  std::size_t pos = 0;
  while (pos < rest.size()) {
    std::size_t nl = rest.find('\n', pos);
    std::string_view line = rest.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (PeekSeq(line) == seq) return true;
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return false;
}

void Fail(Walk& w, AuditLogFailure f, std::int64_t line, std::string message) {
  w.report.failure = f;
  w.report.line = line;
  w.report.message = std::move(message);
}

Walk WalkLog(std::string_view contents, const AuditVerifyOptions& options) {
  Walk w;
  AuditVerifyReport& r = w.report;
  r.last_hash = AuditGenesisHash();
  bool check_receipts = !options.keys.empty() || options.require_receipts;
  std::size_t pos = 0;
  std::int64_t line_no = 0;
  while (pos < contents.size()) {
    ++line_no;
    std::size_t nl = contents.find('\n', pos);
    if (nl == std::string_view::npos) {
      Fail(w, AuditLogFailure::kTornLastLine, line_no,
           "last line has no terminating newline (" + std::to_string(contents.size() - pos) +
               " bytes): an interrupted append");
      return w;
    }
    std::string_view line = contents.substr(pos, nl - pos);
    bool is_last = nl + 1 == contents.size();
    std::string_view rest = contents.substr(nl + 1);

    ParsedLine p;
    {
      Result<Value> parsed = ParseJson(line);
      if (!parsed.ok()) {
        if (is_last) {
          Fail(w, AuditLogFailure::kTornLastLine, line_no,
               "last line does not parse (an interrupted append or a damaged tail): " + parsed.status().message());
        } else {
          Fail(w, AuditLogFailure::kMalformedLine, line_no, "line does not parse: " + parsed.status().message());
        }
        return w;
      }
      p.object = std::move(*parsed);
    }
    if (std::string problem = ReadMembers(p); !problem.empty()) {
      Fail(w, AuditLogFailure::kMalformedLine, line_no, problem);
      return w;
    }
    if (line.size() <= kBodyStart || line.substr(0, kHashStart) != kHashPrefix ||
        line.substr(kHashStart, 64) != p.hash || line.substr(kHashStart + 64, 2) != "\",") {
      Fail(w, AuditLogFailure::kMalformedLine, line_no, "line does not start with {\"hash\":\"<64 hex>\",");
      return w;
    }
    std::string actual = internal::Sha256Hex2("{", line.substr(kBodyStart));
    if (actual != p.hash) {
      Fail(w, AuditLogFailure::kLineAltered, line_no,
           "line content does not match its hash (recorded " + p.hash + ", content hashes to " + actual + ")");
      return w;
    }
    const std::int64_t expected = r.last_seq + 1;
    if (p.seq > expected) {
      if (SeqAppearsIn(rest, expected)) {
        Fail(w, AuditLogFailure::kLinesReordered, line_no,
             "expected seq " + std::to_string(expected) + ", found " + std::to_string(p.seq) + "; seq " +
                 std::to_string(expected) + " appears later: lines were reordered");
      } else {
        std::int64_t missing = p.seq - expected;
        Fail(w, AuditLogFailure::kLineMissing, line_no,
             "expected seq " + std::to_string(expected) + ", found " + std::to_string(p.seq) + ": " +
                 std::to_string(missing) + (missing == 1 ? " line was" : " lines were") + " removed before this line");
      }
      return w;
    }
    if (p.seq < expected) {
      Fail(w, AuditLogFailure::kLineInserted, line_no,
           "expected seq " + std::to_string(expected) + ", found " + std::to_string(p.seq) +
               " again: a line was inserted (or replayed) at this line or just before it");
      return w;
    }
    if (p.prev != r.last_hash) {
      Fail(w, AuditLogFailure::kChainBroken, line_no,
           "prev " + p.prev + " does not match the hash of the previous line (" + r.last_hash +
               "): this line or the previous one was rewritten with a recomputed hash, or a line was inserted");
      return w;
    }
    if (p.phase == AuditPhase::kInProgress) {
      w.open[p.seq] = p.type;
    } else if (p.phase != AuditPhase::kNone) {
      auto it = w.open.find(p.ref);
      if (it == w.open.end() || it->second != p.type) {
        Fail(w, AuditLogFailure::kBadReference, line_no,
             std::string(AuditPhaseName(p.phase)) + " entry refers to seq " + std::to_string(p.ref) +
                 ", which is not an open in_progress entry of type \"" + p.type + "\"");
        return w;
      }
      w.open.erase(it);
    }
    if (p.receipt == nullptr) {
      if (options.require_receipts) {
        Fail(w, AuditLogFailure::kMissingReceipt, line_no, "line has no receipt and receipts are required");
        return w;
      }
    } else if (check_receipts) {
      Result<Receipt> receipt = Receipt::FromValue(*p.receipt);
      if (!receipt.ok()) {
        Fail(w, AuditLogFailure::kBadReceipt, line_no, "malformed receipt: " + receipt.status().message());
        return w;
      }
      Value unsigned_part = p.object;
      unsigned_part.Erase("hash");
      unsigned_part.Erase("receipt");
      ReceiptCheck c = VerifyCanonicalBytes(*receipt, AuditCanonicalJson(unsigned_part), options.keys);
      if (!c.ok()) {
        Fail(w, c.failure == ReceiptFailure::kUnknownKey ? AuditLogFailure::kUnknownKey : AuditLogFailure::kBadReceipt,
             line_no, c.status.message());
        return w;
      }
    }
    if (options.anchor_seq == p.seq && !options.anchor_hash.empty() && options.anchor_hash != p.hash) {
      Fail(w, AuditLogFailure::kChainBroken, line_no,
           "anchor mismatch: seq " + std::to_string(p.seq) + " hashes to " + p.hash + ", the anchor says " +
               options.anchor_hash + ": the log was rewritten up to here");
      return w;
    }
    r.last_seq = p.seq;
    r.last_hash = p.hash;
    r.lines_verified += 1;
    r.good_bytes = static_cast<std::int64_t>(nl + 1);
    pos = nl + 1;
  }
  if (options.anchor_seq > r.last_seq) {
    Fail(w, AuditLogFailure::kLineMissing, line_no + 1,
         "log ends at seq " + std::to_string(r.last_seq) + " but the anchor records seq " +
             std::to_string(options.anchor_seq) + ": the tail was truncated");
  }
  return w;
}

Status FsyncDirOf(const std::string& path) {
  std::string dir = ".";
  if (std::size_t slash = path.rfind('/'); slash != std::string::npos) dir = slash == 0 ? "/" : path.substr(0, slash);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError(dir + ": cannot open directory: " + ErrnoText(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL) return IoError(dir + ": fsync failed: " + ErrnoText(err));
  return Status::Ok();
}

}  // namespace

// ---------------------------------------------------------------------------
// Names, genesis, time
// ---------------------------------------------------------------------------

const std::string& AuditGenesisHash() {
  static const std::string genesis = Sha256Hex("kfix-audit-genesis-v1");
  return genesis;
}

const char* AuditPhaseName(AuditPhase phase) noexcept {
  switch (phase) {
    case AuditPhase::kNone: return "";
    case AuditPhase::kInProgress: return "in_progress";
    case AuditPhase::kSucceeded: return "succeeded";
    case AuditPhase::kFailed: return "failed";
  }
  return "";
}

const char* AuditLogFailureName(AuditLogFailure failure) noexcept {
  switch (failure) {
    case AuditLogFailure::kNone: return "ok";
    case AuditLogFailure::kTornLastLine: return "torn_last_line";
    case AuditLogFailure::kMalformedLine: return "malformed_line";
    case AuditLogFailure::kLineAltered: return "line_altered";
    case AuditLogFailure::kLineMissing: return "line_missing";
    case AuditLogFailure::kLinesReordered: return "lines_reordered";
    case AuditLogFailure::kLineInserted: return "line_inserted";
    case AuditLogFailure::kChainBroken: return "chain_broken";
    case AuditLogFailure::kBadReference: return "bad_reference";
    case AuditLogFailure::kMissingReceipt: return "missing_receipt";
    case AuditLogFailure::kBadReceipt: return "bad_receipt";
    case AuditLogFailure::kUnknownKey: return "unknown_key";
    case AuditLogFailure::kIoError: return "io_error";
  }
  return "unknown";
}

AuditClock SystemAuditClock() {
  return [] { return std::chrono::system_clock::now(); };
}

std::string FormatAuditTimestamp(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const std::int64_t ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::int64_t days = ms / 86400000;
  std::int64_t rem = ms % 86400000;
  if (rem < 0) {
    rem += 86400000;
    days -= 1;
  }
  // Civil from days (H. Hinnant's algorithm).
  std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = yoe + era * 400;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y += 1;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(rem / 3600000),
                static_cast<long long>(rem / 60000 % 60), static_cast<long long>(rem / 1000 % 60),
                static_cast<long long>(rem % 1000));
  return buf;
}

// ---------------------------------------------------------------------------
// Verification API
// ---------------------------------------------------------------------------

Status AuditVerifyReport::status(std::string_view file) const {
  if (ok()) return Status::Ok();
  SourceLocation loc;
  loc.file = std::string(file);
  loc.line = static_cast<std::int32_t>(line);
  std::string msg = std::string(AuditLogFailureName(failure)) + ": " + message;
  switch (failure) {
    case AuditLogFailure::kTornLastLine: return ParseError(std::move(msg), std::move(loc));
    case AuditLogFailure::kUnknownKey: return NotFoundError(std::move(msg), std::move(loc));
    case AuditLogFailure::kIoError: return IoError(std::move(msg), std::move(loc));
    default: return VerificationFailedError(std::move(msg), std::move(loc));
  }
}

AuditVerifyReport VerifyAuditLog(std::string_view contents, const AuditVerifyOptions& options) {
  return WalkLog(contents, options).report;
}

Value AuditVerifyReportToValue(const AuditVerifyReport& r, std::string_view file) {
  Value v = Value::MakeObject();
  v.Set("schemaVersion", 1);
  if (!file.empty()) v.Set("file", file);
  v.Set("intact", r.ok());
  v.Set("reason", AuditLogFailureName(r.failure));
  v.Set("line", r.line);
  v.Set("message", r.message);
  v.Set("linesVerified", r.lines_verified);
  v.Set("lastSeq", r.last_seq);
  v.Set("lastHash", r.last_hash);
  return v;
}

AuditVerifyReport VerifyAuditLogFile(const std::string& path, const AuditVerifyOptions& options) {
  std::string contents;
  Status st = ReadWholeFile(path, &contents);
  if (!st.ok()) {
    AuditVerifyReport r;
    r.failure = AuditLogFailure::kIoError;
    r.message = st.message();
    r.last_hash = AuditGenesisHash();
    return r;
  }
  return VerifyAuditLog(contents, options);
}

// ---------------------------------------------------------------------------
// Sinks
// ---------------------------------------------------------------------------

Status CallbackSink::Write(const AuditEntry& entry) {
  if (!callback_) return InvalidArgumentError("audit callback sink has no callback");
  return callback_(entry);
}

Result<std::unique_ptr<FileSink>> FileSink::Open(const std::string& path) {
  bool created = true;
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) {
    created = false;
    fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  }
  if (fd < 0) return IoError(path + ": cannot open audit log for append: " + ErrnoText(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (err == EWOULDBLOCK) {
      ::close(fd);
      return IoError(path + ": audit log is locked by another writer");
    }
    // Filesystems without flock support: proceed without the lock.
  }
  if (created) {
    Status st = FsyncDirOf(path);
    if (!st.ok()) {
      ::close(fd);
      return st;
    }
  }
  return std::unique_ptr<FileSink>(new FileSink(fd, path));
}

Status FileSink::TruncateTo(std::int64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0 || ::fsync(fd_) != 0) {
    return IoError(path_ + ": truncating the torn tail failed: " + ErrnoText(errno));
  }
  return Status::Ok();
}

FileSink::~FileSink() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileSink::Write(const AuditEntry& entry) {
  if (broken_) {
    return IoError(path_ + ": an earlier append failed; the log may end in a torn line (reopen with repair)");
  }
  std::string buf;
  buf.reserve(entry.line.size() + 1);
  buf += entry.line;
  buf += '\n';
  std::size_t off = 0;
  while (off < buf.size()) {
    ssize_t n = ::write(fd_, buf.data() + off, buf.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      broken_ = off > 0;
      return IoError(path_ + ": append failed: " + ErrnoText(errno));
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd_) != 0) {
    broken_ = true;
    return IoError(path_ + ": fsync failed: " + ErrnoText(errno));
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// AuditLog
// ---------------------------------------------------------------------------

struct AuditLog::Impl {
  std::mutex mu;
  std::unique_ptr<AuditSink> sink;
  AuditClock clock;
  std::shared_ptr<const SigningKey> signer;
  AuditChainState state;
  std::map<std::int64_t, std::string> open;  // in_progress seq -> type

  Result<AuditEntry> AppendLocked(std::string_view type, AuditPhase phase, std::int64_t ref, const Value& record) {
    KFIX_RETURN_IF_ERROR(CheckType(type));
    AuditEntry e;
    e.seq = state.next_seq;
    e.type = std::string(type);
    e.phase = phase;
    e.ref = ref;
    e.ts = FormatAuditTimestamp(clock());
    e.prev = state.prev_hash;
    e.record = AuditNormalize(record);
    if (Depth(e.record) > kMaxRecordDepth) {
      return LimitExceededError("audit record nests deeper than " + std::to_string(kMaxRecordDepth) + " levels");
    }

    Value o = Value::MakeObject();
    if (phase != AuditPhase::kNone) o.Set("phase", AuditPhaseName(phase));
    o.Set("prev", e.prev);
    o.Set("record", e.record);
    if (ref != 0) o.Set("ref", ref);
    o.Set("seq", e.seq);
    o.Set("ts", e.ts);
    o.Set("type", e.type);
    std::string body = AuditCanonicalJson(o);
    if (signer) {
      e.receipt = SignCanonicalBytes(*signer, body);
      o.Set("receipt", e.receipt->ToValue());
      body = AuditCanonicalJson(o);
    }
    e.hash = Sha256Hex(body);
    e.line.reserve(kBodyStart + body.size());
    e.line += kHashPrefix;
    e.line += e.hash;
    e.line += "\",";
    e.line.append(body, 1, std::string::npos);
    if (e.line.size() > kMaxLineBytes) {
      return LimitExceededError("audit line would be " + std::to_string(e.line.size()) + " bytes (limit " +
                                std::to_string(kMaxLineBytes) + ")");
    }

    KFIX_RETURN_IF_ERROR(sink->Write(e));
    state.next_seq += 1;
    state.prev_hash = e.hash;
    if (phase == AuditPhase::kInProgress) open[e.seq] = e.type;
    return e;
  }
};

AuditLog::AuditLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AuditLog::~AuditLog() = default;

Result<std::unique_ptr<AuditLog>> AuditLog::Create(std::unique_ptr<AuditSink> sink, AuditLogOptions options,
                                                   AuditChainState state) {
  if (!options.clock) return InvalidArgumentError("AuditLogOptions.clock is required");
  if (!sink) return InvalidArgumentError("audit sink is null");
  if (state.next_seq < 1 || !internal::IsLowerHex(state.prev_hash, 64)) {
    return InvalidArgumentError("audit chain state needs next_seq >= 1 and a 64-hex prev_hash");
  }
  auto impl = std::make_unique<Impl>();
  impl->sink = std::move(sink);
  impl->clock = std::move(options.clock);
  impl->signer = std::move(options.signer);
  impl->state = std::move(state);
  return std::unique_ptr<AuditLog>(new AuditLog(std::move(impl)));
}

Result<std::unique_ptr<AuditLog>> AuditLog::OpenFile(const std::string& path, AuditLogOptions options) {
  if (!options.clock) return InvalidArgumentError("AuditLogOptions.clock is required");
  // Lock first, then read: nobody can append between verification and resume.
  Result<std::unique_ptr<FileSink>> sink = FileSink::Open(path);
  if (!sink.ok()) return sink.status();
  std::string contents;
  KFIX_RETURN_IF_ERROR(ReadWholeFile(path, &contents));
  Walk w = WalkLog(contents, {});
  std::optional<Value> repair_record;
  if (!w.report.ok()) {
    if (w.report.failure != AuditLogFailure::kTornLastLine) {
      return Status(StatusCode::kVerificationFailed,
                    "refusing to append to a log that does not verify: " + w.report.status(path).ToString());
    }
    if (!options.repair_torn_tail) {
      SourceLocation loc;
      loc.file = path;
      loc.line = static_cast<std::int32_t>(w.report.line);
      return ParseError("refusing to append after a torn last line: " + w.report.message +
                            "; reopen with repair to truncate it",
                        std::move(loc));
    }
    std::string_view dropped = std::string_view(contents).substr(static_cast<std::size_t>(w.report.good_bytes));
    Value rec = Value::MakeObject();
    rec.Set("reason", AuditLogFailureName(w.report.failure));
    rec.Set("line", w.report.line);
    rec.Set("droppedBytes", static_cast<std::int64_t>(dropped.size()));
    rec.Set("droppedSha256", Sha256Hex(dropped));
    rec.Set("message", w.report.message);
    repair_record = std::move(rec);
    KFIX_RETURN_IF_ERROR((*sink)->TruncateTo(w.report.good_bytes));
  }
  AuditChainState state;
  state.next_seq = w.report.last_seq + 1;
  state.prev_hash = w.report.last_hash;
  Result<std::unique_ptr<AuditLog>> log = Create(std::move(*sink), std::move(options), state);
  if (!log.ok()) return log.status();
  (*log)->impl_->open = std::move(w.open);
  if (repair_record) {
    Result<AuditEntry> e = (*log)->Append(kRepairType, *repair_record);
    if (!e.ok()) return e.status();
  }
  return log;
}

Result<AuditEntry> AuditLog::Append(std::string_view type, const Value& record) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->AppendLocked(type, AuditPhase::kNone, 0, record);
}

Result<AuditEntry> AuditLog::Begin(std::string_view type, const Value& record) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->AppendLocked(type, AuditPhase::kInProgress, 0, record);
}

Result<AuditEntry> AuditLog::Complete(std::int64_t begin_seq, bool succeeded, const Value& record) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->open.find(begin_seq);
  if (it == impl_->open.end()) {
    return InvalidArgumentError("seq " + std::to_string(begin_seq) + " is not an open in_progress entry of this log");
  }
  std::string type = it->second;
  Result<AuditEntry> e =
      impl_->AppendLocked(type, succeeded ? AuditPhase::kSucceeded : AuditPhase::kFailed, begin_seq, record);
  if (e.ok()) impl_->open.erase(begin_seq);
  return e;
}

AuditChainState AuditLog::state() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->state;
}

}  // namespace kfix
