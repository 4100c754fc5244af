// capi/internal/queue_ops.hpp - the durable fix queue as seen by the C ABI
// and the Python module (same JSON documents as `kfix queue ...`).
//
// Thread safety: a QueueHandle serialises calls on its queue with a mutex, so
// one handle may be used from several threads; several processes may open
// the same database (SQLite WAL, leases).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "kfix/core.hpp"
#include "kfix/queue.hpp"
#include "kfix/status.hpp"

namespace kfix::capi {

struct QueueHandle {
  std::unique_ptr<Queue> queue;
  std::mutex mu;
};

/// Opens a queue; options {"maxAttempts": 3, "busyTimeoutMs": 10000} (null = defaults).
Result<std::unique_ptr<QueueHandle>> OpenQueue(const std::string& path, const Value& options);
/// Enqueues the accepted fixes of a `kfix fix` report:
/// {schemaVersion, enqueued, duplicates, ids}.
Result<Value> QueueEnqueueFixReport(QueueHandle& q, const Value& fix_report, double now);
/// The leased item (QueueItemToValue), or null when nothing is queued.
Result<Value> QueueLease(QueueHandle& q, std::string_view worker, double lease_seconds, double now);
/// Ack (reason == nullptr) or nack; {schemaVersion, id, state, attempts}.
Result<Value> QueueFinish(QueueHandle& q, std::int64_t id, std::int64_t lease_token, const std::string* reason,
                          double now);
/// QueueStatsToValue.
Result<Value> QueueStatsValue(QueueHandle& q, double now);

}  // namespace kfix::capi
