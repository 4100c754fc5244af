// --audit FILE --key PRIVATE_KEY, shared by the subcommands that record
// what they do in the signed, hash-chained audit log (fix, run, queue).
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.hpp"
#include "kfix/audit.hpp"

namespace kfix::cli {

bool OpenAuditFlags(const std::string& cmd, const Args& a, std::unique_ptr<AuditLog>* out) {
  out->reset();
  if (a.Has("audit") != a.Has("key")) {
    UsageError(cmd, "--audit and --key go together");
    return false;
  }
  if (!a.Has("audit")) return true;
  auto key = SigningKey::LoadFile(a.Get("key"));
  if (!key.ok()) {
    UsageError(cmd, key.status().ToString());
    return false;
  }
  AuditLogOptions options;
  options.clock = SystemAuditClock();
  options.signer = std::make_shared<const SigningKey>(std::move(*key));
  auto log = AuditLog::OpenFile(a.Get("audit"), std::move(options));
  if (!log.ok()) {
    UsageError(cmd, log.status().ToString());
    return false;
  }
  *out = std::move(*log);
  return true;
}

bool AuditRecord(const std::string& cmd, AuditLog* log, std::string_view type, const Value& record) {
  if (log == nullptr) return true;
  auto entry = log->Append(type, record);
  if (entry.ok()) return true;
  std::fprintf(stderr, "kfix %s: audit: %s\n", cmd.c_str(), entry.status().ToString().c_str());
  return false;
}

}  // namespace kfix::cli
