// Shared input handling of the typed-actions commands (see actions_io.hpp).
#include "cli/actions_io.hpp"

#include <cstdio>

#include "kfix/audit.hpp"

namespace kfix::cli {

namespace {

// Reads and loads FILE; prints the first error.
bool Load(const std::string& cmd, const std::string& path, LoadResult* out) {
  Result<std::string> text = ReadFileToString(path);
  if (!text.ok()) {
    UsageError(cmd, text.status().ToString());
    return false;
  }
  *out = LoadManifests(*text, path);
  if (!out->errors.empty()) {
    UsageError(cmd, out->errors.front().ToString());
    return false;
  }
  return true;
}

}  // namespace

bool ReadOneObject(const std::string& cmd, const std::string& path, Value* out) {
  LoadResult r;
  if (!Load(cmd, path, &r)) return false;
  if (r.manifests.size() != 1) {
    UsageError(cmd, path + ": expected exactly one object, found " + std::to_string(r.manifests.size()));
    return false;
  }
  *out = std::move(r.manifests.front().root);
  return true;
}

bool ReadObjects(const std::string& cmd, const std::string& path, std::vector<Value>* out) {
  LoadResult r;
  if (!Load(cmd, path, &r)) return false;
  for (Manifest& m : r.manifests) {
    const Value* items = m.root.Find("items");
    std::string_view kind = m.root.Find("kind") ? m.root.Find("kind")->string_or() : std::string_view();
    if (items && items->is_array() && kind.size() > 4 && kind.substr(kind.size() - 4) == "List") {
      for (const Value& i : items->as_array()) out->push_back(i);
    } else {
      out->push_back(std::move(m.root));
    }
  }
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
