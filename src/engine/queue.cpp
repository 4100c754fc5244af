// Queue transitions as documents, with their audit records: the one
// implementation behind `kfix queue ...`, kfix_queue_* and kfix.Queue.
#include <utility>

#include "kfix/engine.hpp"

namespace kfix {
namespace {

Status Record(const QueueAudit& audit, std::string_view type, Value record) {
  if (audit.log == nullptr) return Status::Ok();
  record.Set("db", audit.db);
  Result<AuditEntry> e = audit.log->Append(type, record);
  return e.ok() ? Status::Ok() : e.status();
}

Result<Value> Transition(Queue& queue, std::int64_t id) {
  Result<QueueItem> item = queue.Get(id);
  if (!item.ok()) return item.status();
  Value out = Value::MakeObject();
  out.Set("schemaVersion", 1);
  out.Set("id", id);
  out.Set("state", QueueStateName(item->state));
  out.Set("attempts", item->attempts);
  return out;
}

}  // namespace

Result<QueueOptions> QueueOptionsFromValue(const Value& options) {
  QueueOptions opts;
  if (options.is_null()) return opts;
  if (!options.is_object()) return InvalidArgumentError("queue options must be a JSON object");
  for (const Member& m : options.as_object()) {
    if ((m.key != "maxAttempts" && m.key != "busyTimeoutMs") || !m.value.is_int() || m.value.as_int() < 1 ||
        m.value.as_int() > 1000000000) {
      return InvalidArgumentError("bad queue option \"" + m.key +
                                  "\" (expected maxAttempts / busyTimeoutMs, positive integers)");
    }
    (m.key == "maxAttempts" ? opts.max_attempts : opts.busy_timeout_ms) = static_cast<int>(m.value.as_int());
  }
  return opts;
}

Result<Value> QueueEnqueueReport(Queue& queue, const Value& fix_report, double now, const QueueAudit& audit) {
  Result<std::vector<EnqueueRequest>> reqs = EnqueueRequestsFromFixReport(fix_report);
  if (!reqs.ok()) return reqs.status();
  Value ids = Value::MakeArray();
  std::int64_t inserted = 0;
  std::int64_t duplicates = 0;
  for (const EnqueueRequest& r : *reqs) {
    Result<EnqueueResult> res = queue.Enqueue(r, now);
    if (!res.ok()) return res.status();
    ids.PushBack(res->id);
    (res->inserted ? inserted : duplicates) += 1;
  }
  Value out = Value::MakeObject();
  out.Set("schemaVersion", 1);
  out.Set("enqueued", inserted);
  out.Set("duplicates", duplicates);
  out.Set("ids", std::move(ids));
  KFIX_RETURN_IF_ERROR(Record(audit, "kfix.queue.enqueue", out));
  return out;
}

Result<Value> QueueLeaseNext(Queue& queue, std::string_view worker, double lease_seconds, double now,
                             const QueueAudit& audit) {
  if (!(lease_seconds > 0)) return InvalidArgumentError("lease_seconds must be positive");
  Result<std::optional<QueueItem>> lease = queue.Lease(worker, lease_seconds, now);
  if (!lease.ok()) return lease.status();
  if (!lease->has_value()) return Value();
  Value item = QueueItemToValue(**lease);
  Value record = Value::MakeObject();
  for (const char* k :
       {"id", "key", "patchHash", "check", "object", "attempts", "leaseOwner", "leaseToken", "leaseExpires"}) {
    if (const Value* f = item.Find(k)) record.Set(k, *f);
  }
  KFIX_RETURN_IF_ERROR(Record(audit, "kfix.queue.lease", std::move(record)));
  return item;
}

Result<Value> QueueAckItem(Queue& queue, std::int64_t id, std::int64_t lease_token, double now,
                           const QueueAudit& audit) {
  KFIX_RETURN_IF_ERROR(queue.Ack(id, now, lease_token));
  Result<Value> out = Transition(queue, id);
  if (!out.ok()) return out;
  KFIX_RETURN_IF_ERROR(Record(audit, "kfix.queue.ack", *out));
  return out;
}

Result<Value> QueueNackItem(Queue& queue, std::int64_t id, std::string_view reason, std::int64_t lease_token,
                            double now, const QueueAudit& audit) {
  KFIX_RETURN_IF_ERROR(queue.Nack(id, std::string(reason), now, lease_token));
  Result<Value> out = Transition(queue, id);
  if (!out.ok()) return out;
  Value record = *out;
  if (!reason.empty()) record.Set("reason", reason);
  KFIX_RETURN_IF_ERROR(Record(audit, "kfix.queue.nack", std::move(record)));
  return out;
}

Result<Value> QueueStatsDocument(Queue& queue, double now) {
  Result<QueueStats> st = queue.Stats(now);
  if (!st.ok()) return st.status();
  return QueueStatsToValue(*st);
}

Result<Value> QueueReprioritiseDocument(Queue& queue, const SchedulerConfig& config, double now) {
  Result<std::int64_t> n = queue.Reprioritise(config, now);
  if (!n.ok()) return n.status();
  Value out = Value::MakeObject();
  out.Set("schemaVersion", 1);
  out.Set("reprioritised", *n);
  return out;
}

Result<AuditVerifyOptions> AuditVerifyOptionsFromValue(const Value& options) {
  AuditVerifyOptions r;
  if (options.is_null()) return r;
  auto error = [](const std::string& message, const Value& at) {
    SourceLocation loc;
    loc.file = "options";
    loc.line = at.line();
    loc.column = at.column();
    return InvalidArgumentError(message, loc);
  };
  if (!options.is_object()) return error("audit verify options must be a JSON object", options);
  for (const Member& m : options.as_object()) {
    if (m.key == "publicKeys") {
      if (!m.value.is_array()) return error("\"publicKeys\" must be an array of hex keys", m.value);
      for (const Value& k : m.value.as_array()) {
        if (!k.is_string()) return error("\"publicKeys\" must be an array of hex keys", k);
        Result<PublicKey> key = PublicKey::FromHex(k.as_string());
        if (!key.ok()) return key.status();
        r.keys.Add(*key);
      }
    } else if (m.key == "requireReceipts") {
      if (!m.value.is_bool()) return error("\"requireReceipts\" must be a boolean", m.value);
      r.require_receipts = m.value.as_bool();
    } else if (m.key == "anchorSeq") {
      if (!m.value.is_int() || m.value.as_int() < 0) return error("\"anchorSeq\" must be >= 0", m.value);
      r.anchor_seq = m.value.as_int();
    } else if (m.key == "anchorHash") {
      if (!m.value.is_string()) return error("\"anchorHash\" must be a string", m.value);
      r.anchor_hash = m.value.as_string();
    } else {
      return error("unknown audit verify option \"" + m.key + "\"", m.value);
    }
  }
  return r;
}

}  // namespace kfix
