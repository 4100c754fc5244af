// Queue records: building enqueue requests from `kfix fix` JSON, and JSON views of items and stats.
#include <string>

#include "kfix/queue.hpp"

namespace kfix {
namespace {

SourceLocation At(const Value& v, std::size_t index) {
  SourceLocation l;
  l.line = v.line();
  l.column = v.column();
  l.pointer = "/results/" + std::to_string(index);
  return l;
}

Status StringField(const Value& rec, std::string_view key, std::size_t index, bool required, std::string& out) {
  const Value* v = rec.Find(key);
  if (v == nullptr || v->is_null()) {
    if (required) return ParseError("results[" + std::to_string(index) + "]." + std::string(key) + " is missing", At(rec, index));
    return Status::Ok();
  }
  if (!v->is_string()) {
    return ParseError("results[" + std::to_string(index) + "]." + std::string(key) + " must be a string, got " +
                          v->type_name(),
                      At(*v, index));
  }
  out = v->as_string();
  return Status::Ok();
}


}  // namespace

Result<std::vector<EnqueueRequest>> EnqueueRequestsFromFixReport(const Value& report) {
  if (!report.is_object()) return ParseError("fix report must be a JSON object with results[]");
  const Value* results = report.Find("results");
  if (results == nullptr || !results->is_array()) {
    SourceLocation l;
    l.line = report.line();
    return ParseError("fix report has no results array", l);
  }
  std::vector<EnqueueRequest> out;
  const Value::Array& arr = results->as_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const Value& rec = arr[i];
    if (!rec.is_object()) return ParseError("results[" + std::to_string(i) + "] is not an object", At(rec, i));
    const Value* status = rec.Find("status");
    if (status == nullptr || !status->is_string() || status->as_string() != "accepted") continue;
    EnqueueRequest r;
    KFIX_RETURN_IF_ERROR(StringField(rec, "check", i, true, r.check));
    KFIX_RETURN_IF_ERROR(StringField(rec, "policy", i, false, r.policy));
    KFIX_RETURN_IF_ERROR(StringField(rec, "file", i, false, r.file));
    KFIX_RETURN_IF_ERROR(StringField(rec, "container", i, false, r.container));
    for (auto [key, dst] : {std::pair<const char*, std::int32_t*>{"document", &r.document}, {"item", &r.item}}) {
      const Value* v = rec.Find(key);
      if (v == nullptr || v->is_null()) continue;
      if (!v->is_int()) {
        return ParseError("results[" + std::to_string(i) + "]." + key + " must be an integer", At(*v, i));
      }
      *dst = static_cast<std::int32_t>(v->as_int());
    }
    const Value* obj = rec.Find("object");
    if (obj == nullptr || !obj->is_object()) {
      return ParseError("results[" + std::to_string(i) + "].object must be an object {apiVersion, kind, namespace, name}",
                        At(obj != nullptr ? *obj : rec, i));
    }
    KFIX_RETURN_IF_ERROR(StringField(*obj, "apiVersion", i, false, r.object.api_version));
    KFIX_RETURN_IF_ERROR(StringField(*obj, "kind", i, true, r.object.kind));
    KFIX_RETURN_IF_ERROR(StringField(*obj, "namespace", i, false, r.object.namespace_));
    KFIX_RETURN_IF_ERROR(StringField(*obj, "name", i, true, r.object.name));
    const Value* patch = rec.Find("patch");
    if (patch == nullptr || !patch->is_array()) {
      return ParseError("results[" + std::to_string(i) + "].patch must be an RFC 6902 array",
                        At(patch != nullptr ? *patch : rec, i));
    }
    r.patch = *patch;
    const Value* risk = rec.Find("risk");
    const Value* kev = rec.Find("kev");
    if (risk != nullptr && risk->is_object()) {
      if (kev == nullptr) kev = risk->Find("kev");
      risk = risk->Find("risk");
    }
    if (risk != nullptr && !risk->is_null()) {
      if (!risk->is_number() || risk->as_number() < 0 || risk->as_number() > 100) {
        return ParseError("results[" + std::to_string(i) + "].risk must be a number in [0, 100]", At(*risk, i));
      }
      r.risk = risk->as_number();
    }
    if (kev != nullptr && !kev->is_null()) {
      if (!kev->is_bool()) return ParseError("results[" + std::to_string(i) + "].kev must be a boolean", At(*kev, i));
      r.kev = kev->as_bool();
    }
    r.record = rec;
    out.push_back(std::move(r));
  }
  return out;
}

Value QueueItemToValue(const QueueItem& it) {
  Value v = Value::MakeObject();
  v.Set("schemaVersion", 1);
  v.Set("id", it.id);
  v.Set("key", it.key);
  v.Set("patchHash", it.patch_hash);
  v.Set("state", QueueStateName(it.state));
  v.Set("attempts", it.attempts);
  v.Set("maxAttempts", it.max_attempts);
  v.Set("check", it.check);
  v.Set("policy", it.policy);
  v.Set("file", it.file);
  v.Set("object", ObjectRefToValue(it.object));
  v.Set("container", it.container);
  v.Set("patch", it.patch);
  v.Set("risk", it.risk);
  v.Set("kev", it.kev);
  v.Set("priority", it.priority);
  v.Set("enqueuedAt", it.enqueued_at);
  v.Set("updatedAt", it.updated_at);
  v.Set("leaseOwner", it.lease_owner);
  v.Set("leaseExpires", it.lease_expires);
  v.Set("leaseToken", it.lease_token);
  v.Set("lastError", it.last_error);
  v.Set("record", it.record);
  return v;
}

Value QueueStatsToValue(const QueueStats& s) {
  Value v = Value::MakeObject();
  v.Set("schemaVersion", 1);
  Value states = Value::MakeObject();
  for (const auto& [name, n] : s.by_state) states.Set(name, n);
  v.Set("states", std::move(states));
  v.Set("total", s.total);
  v.Set("outcomes", s.outcomes);
  return v;
}

Value QueueCheckToValue(const QueueCheck& c) {
  Value v = Value::MakeObject();
  v.Set("schemaVersion", 1);
  v.Set("ok", c.ok);
  Value problems = Value::MakeArray();
  for (const std::string& p : c.problems) problems.PushBack(p);
  v.Set("problems", std::move(problems));
  return v;
}

Value SalvageReportToValue(const SalvageReport& r) {
  Value v = Value::MakeObject();
  v.Set("schemaVersion", 1);
  v.Set("scanned", r.scanned);
  v.Set("copied", r.copied);
  v.Set("deadLettered", r.dead_lettered);
  Value ids = Value::MakeArray();
  for (std::int64_t id : r.unreadable) ids.PushBack(id);
  v.Set("unreadable", std::move(ids));
  v.Set("missing", r.missing);
  v.Set("outcomes", r.outcomes);
  v.Set("outcomesComplete", r.outcomes_complete);
  return v;
}

}  // namespace kfix
