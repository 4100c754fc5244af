// kfix/audit.hpp - the audit layer: Ed25519 receipts, keys, and a hash-chained
// JSONL audit log with durable appends.
//
// Formats, the genesis value, every verification error and the threat model
// are documented in docs/audit.md; JSON Schemas are in docs/json-schema/.
//
// * Receipts. `Sign(key, payload)` signs the *audit-canonical* bytes of a
//   payload (`AuditCanonicalJson`: kfix canonical JSON after dropping members
//   that are null, {} or [], so an empty member and an absent one sign the
//   same). A receipt carries `v` (1), `alg` ("ed25519"), `keyId` (first 16
//   lowercase hex digits of SHA-256 of the 32-byte public key),
//   `payloadSha256` (lowercase hex SHA-256 of the canonical bytes) and `sig`
//   (lowercase hex of the 64-byte Ed25519 signature). `Verify` reports why a
//   receipt does not hold as a distinct `ReceiptFailure`.
// * Keys. `SigningKey` holds secret material: it is non-copyable (a copy would
//   be one more buffer to track and wipe), zeroes its memory on destruction and
//   has no function that prints or serialises the secret except `SaveFile`,
//   which writes a new file with mode 0600. `LoadFile` refuses a key file that
//   group or others can read.
// * Audit log. One JSON object per line, each carrying its own hash, the hash
//   of the previous line (the first line links to `AuditGenesisHash()`), a
//   sequence number, a timestamp from the injected clock, the record and
//   optionally a receipt. `VerifyAuditLog` names the first bad line.
//
// Nothing here reads the wall clock or global randomness behind the caller's
// back: timestamps come from the `AuditClock` passed in; only
// `SigningKey::Generate` uses the OS random generator (libsodium).
//
// Thread safety: free functions are reentrant. `PublicKey`, `KeyRing`,
// `Receipt` and reports are plain values. A `SigningKey` may be used for
// signing from several threads at once (signing does not mutate it).
// `AuditLog` is thread-safe: appends are serialised by an internal mutex, so
// concurrent `Append` calls produce a valid chain in some order. Sinks are
// only called under that mutex.
//
// Example:
//   kfix::Result<kfix::SigningKey> key = kfix::SigningKey::LoadFile("kfix.key");
//   if (!key.ok()) return key.status();
//   kfix::Result<kfix::Receipt> r = kfix::Sign(*key, payload);
//   kfix::ReceiptCheck c = kfix::Verify(*r, payload, key->public_key());
//   if (!c.ok()) std::cerr << kfix::ReceiptFailureName(c.failure) << ": " << c.status.message();
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/status.hpp"

namespace kfix {

// ---------------------------------------------------------------------------
// Canonical payloads and hashing
// ---------------------------------------------------------------------------

/// The value kfix hashes and signs for `value`: recursively, object members
/// whose value is null, an empty object or an empty array (after their own
/// normalisation) are dropped, and doubles with an integral value that fits
/// int64 become integers. Array elements are kept (positions matter) but are
/// normalised inside. A top-level empty value stays as it is.
Value AuditNormalize(const Value& value);

/// `ToJson(AuditNormalize(value), JsonStyle::kCanonical)`: sorted keys,
/// compact, UTF-8, integers as integers, empty ≡ missing.
std::string AuditCanonicalJson(const Value& value);

/// Lowercase hex of raw bytes.
std::string HexEncode(std::string_view bytes);
/// Decodes hex (upper or lower case). kInvalidArgument on odd length or a
/// non-hex character.
Result<std::string> HexDecode(std::string_view hex);

// ---------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------

/// The only signature algorithm kfix writes: "ed25519".
inline constexpr const char* kReceiptAlgorithm = "ed25519";

/// An Ed25519 public key (32 bytes). A plain, copyable value.
class PublicKey {
 public:
  static constexpr std::size_t kSize = 32;

  /// From 32 raw bytes (kInvalidArgument otherwise).
  static Result<PublicKey> FromBytes(std::string_view raw);
  /// From 64 hex digits (kInvalidArgument otherwise).
  static Result<PublicKey> FromHex(std::string_view hex);
  /// Reads a public key file: `kfix-ed25519-public-v1 <64 hex>` or a bare 64
  /// hex digits (the form k8s4claw exports), surrounding whitespace ignored.
  /// kNotFound / kIoError when unreadable, kParseError when malformed.
  static Result<PublicKey> LoadFile(const std::string& path);

  /// Writes `kfix-ed25519-public-v1 <hex>\n` to a new file (mode 0644);
  /// refuses (kInvalidArgument) to overwrite an existing file.
  Status SaveFile(const std::string& path) const;

  /// 64 lowercase hex digits.
  std::string Hex() const;
  /// Key id: the first 16 lowercase hex digits of SHA-256 of the 32 raw bytes.
  std::string KeyId() const;
  const std::array<unsigned char, kSize>& bytes() const noexcept { return bytes_; }

  /// Checks a detached Ed25519 signature (64 raw bytes) over `message`.
  bool VerifyDetached(std::string_view message, std::string_view signature) const;

  friend bool operator==(const PublicKey& a, const PublicKey& b) noexcept { return a.bytes_ == b.bytes_; }

 private:
  friend class SigningKey;
  std::array<unsigned char, kSize> bytes_{};
};

/// An Ed25519 signing key. Holds secret material:
/// * non-copyable, so the secret lives in exactly one heap buffer that the
///   destructor wipes with sodium_memzero (moves transfer the buffer);
/// * no ToString / Hex / stream operator exists for the secret; error
///   messages never contain key bytes;
/// * `SaveFile` is the only way the secret leaves the object.
class SigningKey {
 public:
  static constexpr std::size_t kSeedSize = 32;
  static constexpr std::size_t kSignatureSize = 64;

  /// A fresh key from the OS random generator (libsodium).
  static Result<SigningKey> Generate();
  /// Deterministic key from a 32-byte seed (RFC 8032 "SECRET KEY").
  static Result<SigningKey> FromSeed(std::string_view seed);
  /// The same from 64 hex digits.
  static Result<SigningKey> FromSeedHex(std::string_view hex);
  /// Reads a private key file (`kfix-ed25519-secret-v1 <64 hex seed>` or a bare
  /// 64 hex seed). Refuses with kPermissionDenied, naming the path and the
  /// mode, a file that group or others may read or write (mode & 077).
  /// kNotFound when absent, kParseError when malformed.
  static Result<SigningKey> LoadFile(const std::string& path);

  SigningKey(SigningKey&&) noexcept = default;
  SigningKey& operator=(SigningKey&&) noexcept = default;
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  ~SigningKey();

  /// Writes the seed to a new file created with O_CREAT|O_EXCL and mode 0600
  /// (fchmod'ed, so the umask cannot widen it), then fsyncs it. Refuses
  /// (kInvalidArgument) to overwrite an existing file.
  Status SaveFile(const std::string& path) const;

  const PublicKey& public_key() const noexcept { return public_key_; }
  std::string KeyId() const { return public_key_.KeyId(); }

  /// Detached Ed25519 signature (64 raw bytes) over `message`; empty for a
  /// moved-from key (which verifies nothing).
  std::string SignDetached(std::string_view message) const;

 private:
  struct Secret;
  struct SecretDeleter {
    void operator()(Secret* s) const noexcept;
  };
  SigningKey() = default;

  std::unique_ptr<Secret, SecretDeleter> secret_;
  PublicKey public_key_;
};

/// Public keys by key id.
class KeyRing {
 public:
  void Add(const PublicKey& key);
  /// nullptr when no key has this id.
  const PublicKey* Find(std::string_view key_id) const noexcept;
  bool empty() const noexcept { return keys_.empty(); }
  std::size_t size() const noexcept { return keys_.size(); }

 private:
  std::vector<PublicKey> keys_;
  std::vector<std::string> ids_;  // KeyId() of keys_[i]
};

// ---------------------------------------------------------------------------
// Receipts
// ---------------------------------------------------------------------------

/// A kfix receipt. JSON members (canonical order): alg, keyId,
/// payloadSha256, sig, v.
struct Receipt {
  std::int64_t version = 1;
  std::string algorithm = kReceiptAlgorithm;
  std::string key_id;          ///< 16 lowercase hex
  std::string payload_sha256;  ///< 64 lowercase hex
  std::string signature;       ///< 128 lowercase hex

  Value ToValue() const;
  /// Canonical JSON of ToValue().
  std::string ToJson() const;
  /// Strict: every member present with the right type and shape, no unknown
  /// members. kParseError naming the member otherwise.
  static Result<Receipt> FromValue(const Value& value);
  static Result<Receipt> Parse(std::string_view json);
};

/// Why a receipt does not hold.
enum class ReceiptFailure {
  kNone = 0,            ///< valid
  kMalformed,           ///< not a receipt: bad JSON, missing/extra member, wrong shape, unknown version/alg (kParseError)
  kUnknownKey,          ///< keyId not in the key ring (kNotFound)
  kPayloadHashMismatch, ///< the payload's canonical SHA-256 differs from payloadSha256 (kVerificationFailed)
  kBadSignature,        ///< the payload matches but the signature does not verify (kVerificationFailed)
};
/// "ok", "malformed_receipt", "unknown_key", "payload_hash_mismatch", "bad_signature".
const char* ReceiptFailureName(ReceiptFailure failure) noexcept;

/// The outcome of a verification: `failure` and a matching Status
/// (kOk / kParseError / kNotFound / kVerificationFailed).
struct ReceiptCheck {
  ReceiptFailure failure = ReceiptFailure::kNone;
  Status status;
  bool ok() const noexcept { return failure == ReceiptFailure::kNone; }
};

/// Signs the audit-canonical bytes of `payload`.
Receipt Sign(const SigningKey& key, const Value& payload);
/// Signs raw bytes that are already canonical (the audit log uses this).
Receipt SignCanonicalBytes(const SigningKey& key, std::string_view canonical_bytes);

/// Checks in this order: shape (kMalformed), key (kUnknownKey), payload hash
/// (kPayloadHashMismatch), signature (kBadSignature).
ReceiptCheck Verify(const Receipt& receipt, const Value& payload, const KeyRing& keys);
ReceiptCheck Verify(const Receipt& receipt, const Value& payload, const PublicKey& key);
/// Same, parsing the receipt first (a parse failure is kMalformed).
ReceiptCheck VerifyJson(std::string_view receipt_json, const Value& payload, const KeyRing& keys);
ReceiptCheck VerifyCanonicalBytes(const Receipt& receipt, std::string_view canonical_bytes, const KeyRing& keys);

// ---------------------------------------------------------------------------
// Compatibility profile: the k8s4claw ("signet") receipt, playbooks.md §2.6
// ---------------------------------------------------------------------------

/// A k8s4claw receipt. JSON members in this order: v, id, key, tool, params
/// (omitted when empty), target, ts, sig. Signed bytes (UTF-8):
/// `v=<v>|id=<id>|key=<key>|tool=<tool>|target=<target>|ts=<ts>|params=<json>`
/// with <json> the compact, key-sorted Go encoding of params; an absent,
/// null or empty params encodes as `null` (kfix's empty ≡ missing rule,
/// which also fixes the reference's empty-map bug).
struct ClawReceipt {
  std::int64_t v = 1;
  std::string id;      ///< "rec_" + 32 lowercase hex
  std::string key;     ///< signer name, e.g. "rule-engine" (not a fingerprint)
  std::string tool;
  Value params;        ///< an object, or null
  std::string target;  ///< e.g. "claw://<ns>/<name>"
  std::string ts;      ///< RFC 3339 UTC, second precision
  std::string sig;     ///< 128 lowercase hex

  /// The exact bytes the profile signs.
  std::string SignedBytes() const;
  /// JSON with members in the reference order.
  std::string ToJson() const;
  static Result<ClawReceipt> Parse(std::string_view json);
};

/// Fills `receipt.sig`. `id` must be supplied by the caller (ids are inputs).
void ClawSign(const SigningKey& key, ClawReceipt& receipt);
/// kMalformed (sig not 128 hex, v != 1) or kBadSignature. With empty params
/// a signature over `params=null` or over `params={}` (what the reference
/// produces for an empty non-nil map) is accepted.
ReceiptCheck ClawVerify(const ClawReceipt& receipt, const PublicKey& key);

// ---------------------------------------------------------------------------
// Audit log
// ---------------------------------------------------------------------------

/// SHA-256 hex of "kfix-audit-genesis-v1": the `prev` of the first line.
const std::string& AuditGenesisHash();

/// The time source of an AuditLog. Must be callable from any thread.
using AuditClock = std::function<std::chrono::system_clock::time_point()>;
/// A clock reading std::chrono::system_clock; for hosts and the CLI (the
/// library never uses it implicitly).
AuditClock SystemAuditClock();
/// RFC 3339 UTC with milliseconds, e.g. "2026-04-20T10:00:00.000Z".
std::string FormatAuditTimestamp(std::chrono::system_clock::time_point t);

/// Two-phase entries: kInProgress before a mutating call, then kSucceeded or
/// kFailed referencing the first entry's seq. Plain records use kNone.
enum class AuditPhase { kNone, kInProgress, kSucceeded, kFailed };
/// "", "in_progress", "succeeded", "failed".
const char* AuditPhaseName(AuditPhase phase) noexcept;

/// One line of the log, as written.
struct AuditEntry {
  std::int64_t seq = 0;   ///< 1-based, +1 per line
  std::string type;       ///< caller's record type, e.g. "patch.accepted"
  AuditPhase phase = AuditPhase::kNone;
  std::int64_t ref = 0;   ///< seq of the in_progress entry (succeeded/failed), else 0
  std::string ts;         ///< FormatAuditTimestamp(clock())
  std::string prev;       ///< hash of the previous line (genesis for seq 1)
  std::string hash;       ///< this line's hash
  Value record;           ///< as given (normalised with AuditNormalize)
  std::optional<Receipt> receipt;
  std::string line;       ///< the exact bytes written, without the newline
};

/// Where lines go. Called under the AuditLog's mutex, one line at a time; a
/// non-OK status means the line was not durably stored, and the log does not
/// advance its chain.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual Status Write(const AuditEntry& entry) = 0;
};

/// Forwards each entry to a host callback (e.g. the host's own store).
class CallbackSink final : public AuditSink {
 public:
  using Callback = std::function<Status(const AuditEntry&)>;
  explicit CallbackSink(Callback callback) : callback_(std::move(callback)) {}
  Status Write(const AuditEntry& entry) override;

 private:
  Callback callback_;
};

/// Appends lines to a file: O_RDWR|O_APPEND|O_CREAT|O_CLOEXEC, mode 0600,
/// one write(2) of the whole line (+ newline) followed by fsync. The file is
/// held under an exclusive flock(2) while the sink lives, so two writers
/// (threads with separate sinks, or processes) cannot fork the chain; Open
/// fails with kIoError when another writer holds it. After a failed or short
/// write the sink refuses further writes (the file may end in a torn line;
/// reopen the log with `repair_torn_tail`). Use it through
/// AuditLog::OpenFile, which verifies and resumes the chain.
class FileSink final : public AuditSink {
 public:
  static Result<std::unique_ptr<FileSink>> Open(const std::string& path);
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;
  Status Write(const AuditEntry& entry) override;
  const std::string& path() const noexcept { return path_; }

 private:
  friend class AuditLog;
  FileSink(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  /// Truncates the file to `size` bytes and fsyncs (torn-tail repair).
  Status TruncateTo(std::int64_t size);
  int fd_ = -1;
  std::string path_;
  bool broken_ = false;
};

/// Where a chain continues from.
struct AuditChainState {
  std::int64_t next_seq = 1;
  std::string prev_hash = AuditGenesisHash();
};

struct AuditLogOptions {
  AuditClock clock;  ///< required
  /// When set, every line carries a receipt over its content (see docs).
  std::shared_ptr<const SigningKey> signer;
  /// OpenFile only: when the file ends in a torn line, truncate it to the
  /// last good line and append a "kfix.audit.repair" record describing what
  /// was dropped. Without it, opening such a file fails with kParseError.
  bool repair_torn_tail = false;
};

/// The audit writer. Thread-safe (one internal mutex around build + sink
/// write + chain advance).
class AuditLog {
 public:
  /// Opens (or creates, mode 0600) a JSONL log and resumes its chain from the
  /// last valid line. Refuses with kVerificationFailed a file whose chain is
  /// broken, with kParseError one ending in a torn line (unless
  /// repair_torn_tail), with kInvalidArgument a missing clock.
  static Result<std::unique_ptr<AuditLog>> OpenFile(const std::string& path, AuditLogOptions options);
  /// A log over any sink, continuing from `state` (genesis by default).
  static Result<std::unique_ptr<AuditLog>> Create(std::unique_ptr<AuditSink> sink, AuditLogOptions options,
                                                  AuditChainState state = {});

  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;
  ~AuditLog();

  /// Appends one record (an accepted patch, a plan step, ...). `type` must be
  /// 1..128 printable ASCII characters; `record` any value (normalised),
  /// nested at most 64 levels, with the whole line at most 8 MiB
  /// (kLimitExceeded otherwise, nothing written).
  Result<AuditEntry> Append(std::string_view type, const Value& record);
  /// Two-phase: writes phase "in_progress"; returns the entry (use its seq).
  Result<AuditEntry> Begin(std::string_view type, const Value& record);
  /// Writes phase "succeeded" or "failed" with ref = `begin_seq`. The type is
  /// the one of the Begin entry. kInvalidArgument if `begin_seq` is not an
  /// open in_progress entry of this log (since it was opened).
  Result<AuditEntry> Complete(std::int64_t begin_seq, bool succeeded, const Value& record);

  /// The chain position the next append continues from.
  AuditChainState state() const;

 private:
  struct Impl;
  explicit AuditLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Why a log does not verify. Status codes: kTornLastLine -> kParseError,
/// kUnknownKey -> kNotFound, kIoError -> kIoError, others -> kVerificationFailed.
enum class AuditLogFailure {
  kNone = 0,
  kTornLastLine,     ///< last line has no newline or does not parse: an interrupted append, not proof of tampering
  kMalformedLine,    ///< not a valid log line: bad JSON (not last), missing/ill-typed member, bad hash prefix
  kLineAltered,      ///< a line's content does not match its own hash
  kLineMissing,      ///< seq jumps forward and the skipped seq appears nowhere later: lines were removed
  kLinesReordered,   ///< seq jumps forward but the expected seq appears later: lines were reordered
  kLineInserted,     ///< seq goes backwards / repeats: a line was inserted (or replayed)
  kChainBroken,      ///< seq is right but prev does not match the previous line's hash (a rewritten line with a recomputed hash)
  kBadReference,     ///< succeeded/failed entry whose ref is not an open in_progress entry of the same type
  kMissingReceipt,   ///< signatures required but the line has none
  kBadReceipt,       ///< the line's receipt does not verify (altered, bad signature, malformed)
  kUnknownKey,       ///< the line's receipt is signed by a key not in the key ring
  kIoError,          ///< the file could not be read
};
/// "ok", "torn_last_line", "malformed_line", "line_altered", "line_missing",
/// "lines_reordered", "line_inserted", "chain_broken", "bad_reference",
/// "missing_receipt", "bad_receipt", "unknown_key", "io_error".
const char* AuditLogFailureName(AuditLogFailure failure) noexcept;

struct AuditVerifyOptions {
  /// Public keys for receipts. When non-empty, receipts present are checked.
  KeyRing keys;
  /// Every line must carry a receipt that verifies against `keys`.
  bool require_receipts = false;
  /// Optional anchor kept outside the log (e.g. AuditLog::state() stored by
  /// the host): the log must contain seq `anchor_seq` with hash
  /// `anchor_hash`. Detects truncation of the tail, which the chain alone
  /// cannot (0 = no anchor).
  std::int64_t anchor_seq = 0;
  std::string anchor_hash;
};

/// The result of walking a log.
struct AuditVerifyReport {
  AuditLogFailure failure = AuditLogFailure::kNone;
  std::int64_t line = 0;         ///< 1-based line of the failure (0 when ok)
  std::string message;           ///< what was expected and what was found
  std::int64_t lines_verified = 0;  ///< lines before the failure (all when ok)
  std::int64_t last_seq = 0;        ///< seq of the last verified line (0 if none)
  std::string last_hash;            ///< hash of the last verified line (genesis if none)
  std::int64_t good_bytes = 0;      ///< byte length of the verified prefix (for repair)

  bool ok() const noexcept { return failure == AuditLogFailure::kNone; }
  /// OK, or a Status with the code listed at AuditLogFailure and line set.
  Status status(std::string_view file = {}) const;
};

/// Walks `contents` (a whole log) and reports the first bad line.
AuditVerifyReport VerifyAuditLog(std::string_view contents, const AuditVerifyOptions& options = {});
/// Reads and walks a file (kIoError report when unreadable).
AuditVerifyReport VerifyAuditLogFile(const std::string& path, const AuditVerifyOptions& options = {});
/// The `kfix audit verify --json` document: {schemaVersion: 1, file (when
/// `file` is not empty), intact, reason, line, message, linesVerified,
/// lastSeq, lastHash}.
Value AuditVerifyReportToValue(const AuditVerifyReport& report, std::string_view file = {});

}  // namespace kfix
