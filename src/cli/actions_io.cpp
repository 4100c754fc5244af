// Shared argument handling of the typed-actions commands (see actions_io.hpp):
// the files are read here and decoded by the engine (kfix/engine.hpp).
#include "cli/actions_io.hpp"

#include <cstdio>

#include "kfix/audit.hpp"
#include "kfix/engine.hpp"

namespace kfix::cli {

bool ReadOneObject(const std::string& cmd, const std::string& path, Value* out) {
  Result<std::string> text = ReadInputFile(path);
  Result<Value> object = text.ok() ? LoadOneObject(*text, path) : Result<Value>(text.status());
  if (!object.ok()) {
    UsageError(cmd, object.status().ToString());
    return false;
  }
  *out = std::move(*object);
  return true;
}

bool ReadObjects(const std::string& cmd, const std::string& path, std::vector<Value>* out) {
  Result<std::string> text = ReadInputFile(path);
  Result<std::vector<Value>> objects =
      text.ok() ? LoadObjectStream(*text, path) : Result<std::vector<Value>>(text.status());
  if (!objects.ok()) {
    UsageError(cmd, objects.status().ToString());
    return false;
  }
  for (Value& v : *objects) out->push_back(std::move(v));
  return true;
}

bool ReadNow(const std::string& cmd, const Args& a, bool required, ActionTime* out) {
  if (!a.Has("now")) {
    if (required) {
      UsageError(cmd, "--now TIME (RFC 3339, e.g. 2026-04-20T10:00:00Z) is required");
      return false;
    }
    *out = std::chrono::system_clock::now();
    return true;
  }
  Result<ActionTime> t = ParseRfc3339(a.Get("now"));
  if (!t.ok()) {
    UsageError(cmd, "--now: " + t.status().message());
    return false;
  }
  *out = *t;
  return true;
}

void PrintJson(const Value& v) { std::printf("%s\n", ToJson(v, JsonStyle::kPretty).c_str()); }

bool AppendRecords(const std::string& cmd, AuditLog* log, const std::vector<ActionAuditRecord>& records) {
  for (const ActionAuditRecord& r : records) {
    if (!AuditRecord(cmd, log, r.type, r.record)) return false;
  }
  return true;
}

}  // namespace kfix::cli
