// The durable fix queue for the C ABI and Python (see internal/queue_ops.hpp):
// a mutex around the engine's queue transitions (kfix/engine.hpp).
#include "internal/queue_ops.hpp"

#include <utility>

#include "kfix/engine.hpp"

namespace kfix::capi {

Result<std::unique_ptr<QueueHandle>> OpenQueue(const std::string& path, const Value& options) {
  Result<QueueOptions> opts = QueueOptionsFromValue(options);
  if (!opts.ok()) return opts.status();
  Result<std::unique_ptr<Queue>> q = Queue::Open(path, *opts);
  if (!q.ok()) return q.status();
  auto h = std::make_unique<QueueHandle>();
  h->queue = std::move(*q);
  return h;
}

Result<Value> QueueEnqueueFixReport(QueueHandle& q, const Value& fix_report, double now) {
  std::lock_guard<std::mutex> lock(q.mu);
  return QueueEnqueueReport(*q.queue, fix_report, now);
}

Result<Value> QueueLease(QueueHandle& q, std::string_view worker, double lease_seconds, double now) {
  std::lock_guard<std::mutex> lock(q.mu);
  return QueueLeaseNext(*q.queue, worker, lease_seconds, now);
}

Result<Value> QueueFinish(QueueHandle& q, std::int64_t id, std::int64_t lease_token, const std::string* reason,
                          double now) {
  std::lock_guard<std::mutex> lock(q.mu);
  return reason == nullptr ? QueueAckItem(*q.queue, id, lease_token, now)
                           : QueueNackItem(*q.queue, id, *reason, lease_token, now);
}

Result<Value> QueueStatsValue(QueueHandle& q, double now) {
  std::lock_guard<std::mutex> lock(q.mu);
  return QueueStatsDocument(*q.queue, now);
}

}  // namespace kfix::capi
