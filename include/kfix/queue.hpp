// kfix/queue.hpp - a durable work queue of verified fixes (SQLite).
//
// States:  queued --lease--> leased --ack--> acked
//                              |  \--nack / lease expiry--> queued (attempts < max_attempts)
//                              \-----------------------------> dead   (attempts >= max_attempts)
//
// * Durability: WAL journal, synchronous=FULL, a busy timeout; every
//   transition is one BEGIN IMMEDIATE transaction. A process killed at any
//   instant (SIGKILL) loses no committed item, and an acked item is never
//   leased again (tests/queue_kill proves both by killing workers at random
//   points).
// * Idempotent enqueue: the key is sha256 of the canonical JSON of
//   [apiVersion, kind, namespace, name, check, patch_hash], where patch_hash
//   is sha256 of the patch's canonical JSON. Enqueueing the same key again
//   returns the existing id and changes nothing.
// * Leases carry a visibility timeout: an expired lease returns the item to
//   `queued` (counting the attempt) at the next Lease/Stats/Reprioritise. Each
//   lease gets a fresh token; Ack/Nack with a token only succeed for that
//   lease (token 0 = whatever lease is current and unexpired).
// * Priority: Lease takes the highest `priority` (ties: lowest id).
//   Enqueue sets it to the scheduler's prior score of the item
//   (kfix/schedule.hpp with default priors); Reprioritise() re-ranks all
//   queued items with a Scheduler that has learned from the recorded
//   outcomes (every ack is an accepted outcome, every nack a rejected one,
//   with the leased duration).
// * The clock is injected: every operation takes `now` (seconds, any fixed
//   epoch; the CLI uses Unix time). Nothing reads the system time.
//
// Thread safety: a Queue object is used by one thread at a time. Any number of
// processes/objects may open the same database file concurrently.
//
// Example:
//   auto q = kfix::Queue::Open("fixes.db");
//   if (!q.ok()) return q.status();
//   auto lease = (*q)->Lease("worker-1", 300, now);
//   if (lease.ok() && lease->has_value()) { Apply(**lease); (*q)->Ack((*lease)->id, now, (*lease)->lease_token); }
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/schedule.hpp"
#include "kfix/status.hpp"

namespace kfix {

enum class QueueState { kQueued, kLeased, kAcked, kDead };
/// "queued", "leased", "acked", "dead".
const char* QueueStateName(QueueState s) noexcept;

/// What to enqueue: one accepted fix.
struct EnqueueRequest {
  ObjectRef object;
  std::string check;
  std::string policy;
  std::string file;
  std::int32_t document = 0;
  std::int32_t item = -1;
  std::string container;
  Value patch = Value::MakeArray();   ///< RFC 6902 array
  double risk = 40.0;                 ///< 0-100
  bool kev = false;
  Value record = Value::MakeObject(); ///< the whole source record, kept verbatim (returned by Lease)
};

/// One queue row.
struct QueueItem {
  std::int64_t id = 0;
  std::string key;         ///< idempotency key (hex sha256)
  std::string patch_hash;  ///< hex sha256 of the patch's canonical JSON
  ObjectRef object;
  std::string check;
  std::string policy;
  std::string file;
  std::string container;
  Value patch;
  Value record;
  QueueState state = QueueState::kQueued;
  std::int64_t attempts = 0;     ///< leases so far
  std::int64_t max_attempts = 0;
  double risk = 0.0;
  bool kev = false;
  double priority = 0.0;
  double enqueued_at = 0.0;
  double updated_at = 0.0;
  std::string lease_owner;       ///< "" unless leased
  double lease_expires = 0.0;    ///< 0 unless leased
  std::int64_t lease_token = 0;  ///< 0 unless leased
  std::string last_error;        ///< reason of the last nack / "lease expired"
};

struct EnqueueResult {
  std::int64_t id = 0;
  bool inserted = false;  ///< false: the key was already queued (nothing changed)
};

struct QueueOptions {
  int max_attempts = 3;          ///< leases before an item goes dead
  int busy_timeout_ms = 10000;   ///< SQLite busy timeout
  SchedulerConfig scheduler;     ///< priors used for the enqueue priority
};

struct QueueStats {
  std::map<std::string, std::int64_t> by_state;  ///< every state name present, 0 when empty
  std::int64_t total = 0;
  std::int64_t outcomes = 0;  ///< recorded ack/nack outcomes
};

/// What `PRAGMA integrity_check` found (Queue::Check).
struct QueueCheck {
  bool ok = false;
  std::vector<std::string> problems;  ///< SQLite's messages, at most 100; empty when ok
};

/// What Queue::Salvage copied.
struct SalvageReport {
  std::int64_t scanned = 0;        ///< rows read from the damaged file
  std::int64_t copied = 0;         ///< rows copied as they were (a leased one is queued again)
  std::int64_t dead_lettered = 0;  ///< rows read but not decodable: copied as `dead` with the reason
  std::vector<std::int64_t> unreadable;  ///< ids whose row could not be read at all
  /// ids up to the highest one the file names that have no row: gaps (ids
  /// are handed out densely, so usually rows lost with a damaged page)
  std::int64_t missing = 0;
  std::int64_t outcomes = 0;       ///< recorded outcomes copied
  bool outcomes_complete = false;  ///< false when the outcome table could not be read to its end
};

class Queue {
 public:
  /// Opens (creating if needed) the database at `path`. kIoError when the
  /// file cannot be opened, is not a kfix queue, or fails SQLite's
  /// `PRAGMA quick_check` (a damaged file: see Salvage()).
  static Result<std::unique_ptr<Queue>> Open(const std::string& path, const QueueOptions& options = {});
  /// Runs SQLite's `PRAGMA integrity_check` on the file (read-only).
  static Result<QueueCheck> Check(const std::string& path);
  /// Copies every readable item of a damaged queue file `from` into a new
  /// queue file `to` (which must not exist), keeping ids: decodable rows as
  /// they were (leased ones queued again), rows that are read but cannot be
  /// decoded as dead letters with the reason, plus the recorded outcomes.
  /// Rows are looked up one id at a time, so a damaged page loses only the
  /// rows on it (listed in `unreadable`).
  static Result<SalvageReport> Salvage(const std::string& from, const std::string& to,
                                       const QueueOptions& options = {});
  virtual ~Queue() = default;

  virtual Result<EnqueueResult> Enqueue(const EnqueueRequest& request, double now) = 0;
  /// Leases the best queued item for `lease_seconds`; nullopt when none is
  /// queued. Expired leases are reclaimed first. A queued row that cannot be
  /// decoded (damaged JSON or state) is moved to `dead` with last_error
  /// "undecodable row: queue item N: ..." and the next item is leased.
  virtual Result<std::optional<QueueItem>> Lease(std::string_view worker, double lease_seconds, double now) = 0;
  /// Marks a leased item done. kNotFound: unknown id, not leased, lease
  /// expired or token mismatch (the item may have been leased by someone else).
  virtual Status Ack(std::int64_t id, double now, std::int64_t lease_token = 0) = 0;
  /// Gives a leased item back: queued again, or dead after max_attempts.
  virtual Status Nack(std::int64_t id, std::string_view reason, double now, std::int64_t lease_token = 0) = 0;
  /// Re-ranks queued items with `config` after replaying the recorded
  /// outcomes; returns how many items were re-prioritised.
  virtual Result<std::int64_t> Reprioritise(const SchedulerConfig& config, double now) = 0;
  /// Counts per state (only the four known ones: a row whose state is
  /// damaged is moved to `dead` first, with the reason).
  virtual Result<QueueStats> Stats(double now) = 0;
  virtual Result<QueueItem> Get(std::int64_t id) = 0;
};

/// Builds enqueue requests from a `kfix fix` JSON report: every element of
/// `results[]` with `status == "accepted"` and an array `patch`. Fields read:
/// check, policy, file, document, item, object{apiVersion, kind, namespace,
/// name}, container, patch, risk (a number or an object with a number
/// `risk`), kev (bool, or risk.kev). Records with a wrong shape are errors
/// naming the results index and line.
Result<std::vector<EnqueueRequest>> EnqueueRequestsFromFixReport(const Value& report);

/// The item as JSON (schemaVersion 1): {id, key, patchHash, state, attempts,
/// maxAttempts, check, policy, file, object, container, patch, risk, kev,
/// priority, enqueuedAt, updatedAt, leaseOwner, leaseExpires, leaseToken,
/// lastError, record}.
Value QueueItemToValue(const QueueItem& item);
Value QueueStatsToValue(const QueueStats& stats);
/// {schemaVersion, ok, problems[]} (`kfix queue --db F check`).
Value QueueCheckToValue(const QueueCheck& check);
/// {schemaVersion, scanned, copied, deadLettered, unreadable[], missing, outcomes,
/// outcomesComplete} (`kfix queue --db F --salvage NEW`).
Value SalvageReportToValue(const SalvageReport& report);

}  // namespace kfix
