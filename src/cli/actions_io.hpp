// Shared input handling of the typed-actions commands (kfix intent, kfix
// action, kfix incidents): reading one object or a stream of objects, --now,
// printing and the audit records. Surface code only: no decisions here.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "kfix/actions.hpp"

namespace kfix::cli {

/// Reads FILE ("-" = stdin) as exactly one YAML/JSON object. On failure
/// prints "kfix <cmd>: <file>:<line>: cause" and returns false.
bool ReadOneObject(const std::string& cmd, const std::string& path, Value* out);
/// Reads FILE as a stream of objects; `kind: List` and `*List` objects with
/// `items` are expanded. Prints and returns false on any error.
bool ReadObjects(const std::string& cmd, const std::string& path, std::vector<Value>* out);
/// Parses --now (RFC 3339); without the flag, `required` decides between an
/// error and the system clock. Prints and returns false on error.
bool ReadNow(const std::string& cmd, const Args& a, bool required, ActionTime* out);
/// Pretty JSON + newline on stdout.
void PrintJson(const Value& v);
/// Appends the records when --audit/--key are given (log may be null).
bool AppendRecords(const std::string& cmd, AuditLog* log, const std::vector<ActionAuditRecord>& records);

}  // namespace kfix::cli
