// The durable fix queue for the C ABI and Python (see internal/queue_ops.hpp).
// NOTE(surfaces): the result documents mirror src/cli/cmd_queue.cpp.
#include "internal/queue_ops.hpp"

#include <utility>

namespace kfix::capi {

Result<std::unique_ptr<QueueHandle>> OpenQueue(const std::string& path, const Value& options) {
  QueueOptions opts;
  if (!options.is_null()) {
    if (!options.is_object()) return InvalidArgumentError("queue options must be a JSON object");
    for (const Member& m : options.as_object()) {
      if ((m.key != "maxAttempts" && m.key != "busyTimeoutMs") || !m.value.is_int() || m.value.as_int() < 1 ||
          m.value.as_int() > 1000000000) {
        return InvalidArgumentError("bad queue option \"" + m.key +
                                    "\" (expected maxAttempts / busyTimeoutMs, positive integers)");
      }
      (m.key == "maxAttempts" ? opts.max_attempts : opts.busy_timeout_ms) = static_cast<int>(m.value.as_int());
    }
  }
  Result<std::unique_ptr<Queue>> q = Queue::Open(path, opts);
  if (!q.ok()) return q.status();
  auto h = std::make_unique<QueueHandle>();
  h->queue = std::move(*q);
  return h;
}

Result<Value> QueueEnqueueFixReport(QueueHandle& q, const Value& fix_report, double now) {
  Result<std::vector<EnqueueRequest>> reqs = EnqueueRequestsFromFixReport(fix_report);
  if (!reqs.ok()) return reqs.status();
  std::lock_guard<std::mutex> lock(q.mu);
  Value ids = Value::MakeArray();
  std::int64_t inserted = 0;
  std::int64_t duplicates = 0;
  for (const EnqueueRequest& r : *reqs) {
    Result<EnqueueResult> res = q.queue->Enqueue(r, now);
    if (!res.ok()) return res.status();
    ids.PushBack(res->id);
    (res->inserted ? inserted : duplicates) += 1;
  }
  Value out = Value::MakeObject();
  out.Set("schemaVersion", 1);
  out.Set("enqueued", inserted);
  out.Set("duplicates", duplicates);
  out.Set("ids", std::move(ids));
  return out;
}

Result<Value> QueueLease(QueueHandle& q, std::string_view worker, double lease_seconds, double now) {
  if (!(lease_seconds > 0)) return InvalidArgumentError("lease_seconds must be positive");
  std::lock_guard<std::mutex> lock(q.mu);
  Result<std::optional<QueueItem>> lease = q.queue->Lease(worker, lease_seconds, now);
  if (!lease.ok()) return lease.status();
  if (!lease->has_value()) return Value();
  return QueueItemToValue(**lease);
}

Result<Value> QueueFinish(QueueHandle& q, std::int64_t id, std::int64_t lease_token, const std::string* reason,
                          double now) {
  std::lock_guard<std::mutex> lock(q.mu);
  Status s = reason == nullptr ? q.queue->Ack(id, now, lease_token) : q.queue->Nack(id, *reason, now, lease_token);
  if (!s.ok()) return s;
  Result<QueueItem> item = q.queue->Get(id);
  if (!item.ok()) return item.status();
  Value out = Value::MakeObject();
  out.Set("schemaVersion", 1);
  out.Set("id", id);
  out.Set("state", QueueStateName(item->state));
  out.Set("attempts", item->attempts);
  return out;
}

Result<Value> QueueStatsValue(QueueHandle& q, double now) {
  std::lock_guard<std::mutex> lock(q.mu);
  Result<kfix::QueueStats> st = q.queue->Stats(now);
  if (!st.ok()) return st.status();
  return QueueStatsToValue(*st);
}

}  // namespace kfix::capi
