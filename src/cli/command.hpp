// CLI command registry. Each `cmd_<name>.cpp` registers its subcommand with
// KFIX_CLI_COMMAND; main.cpp only dispatches. The CLI is a surface: it parses
// arguments, calls the public C++ API and prints. No logic lives here.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace kfix {
class AuditLog;
class Value;
}  // namespace kfix

namespace kfix::cli {

/// Exit codes shared by all subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;     ///< usage, I/O, config errors
inline constexpr int kExitFindings = 2;  ///< findings at/above --fail-on (scan), tampered log (audit verify)

using CommandFn = std::function<int(const std::vector<std::string>& args)>;

struct Command {
  std::string name;
  std::string summary;
  CommandFn run;
};

std::vector<Command>& Registry();

struct Registrar {
  Registrar(std::string name, std::string summary, CommandFn fn) {
    Registry().push_back(Command{std::move(name), std::move(summary), std::move(fn)});
  }
};

/// Minimal argument reader: flags `--name value`, `--name=value`, booleans
/// `--flag`, and positionals. Unknown flags are an error.
class Args {
 public:
  Args(const std::vector<std::string>& args, std::vector<std::string> value_flags,
       std::vector<std::string> bool_flags);
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  bool Has(const std::string& flag) const;
  std::string Get(const std::string& flag, const std::string& fallback = "") const;
  /// All values of a repeatable flag, in order.
  std::vector<std::string> GetAll(const std::string& flag) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
  std::vector<std::string> positionals_;
  std::string error_;
};

/// Hands `big` to the end of the process instead of freeing it now. A
/// command's last large result (a scan report is tens of thousands of heap
/// blocks) is released faster by the OS at exit than by one free per block;
/// git's UNLEAK and clang's -disable-free do the same. Kept reachable, so leak
/// checkers do not report it. Use only for data the command is done with.
template <typename T>
void KeepUntilExit(T&& big) {
  static auto* kept = new std::vector<std::shared_ptr<void>>();  // never destroyed, on purpose
  kept->push_back(std::make_shared<std::decay_t<T>>(std::forward<T>(big)));
}

/// Prints "kfix <cmd>: message" to stderr and returns kExitError.
int UsageError(const std::string& cmd, const std::string& message);

/// Opens the signed audit log of `--audit FILE --key PRIVATE_KEY` (both or
/// neither; neither leaves *out null). Opened before any work, so a bad key
/// or a tampered log fails fast. Prints the error and returns false.
bool OpenAuditFlags(const std::string& cmd, const Args& a, std::unique_ptr<AuditLog>* out);
/// Appends one signed record when `log` is set. Prints the error and returns
/// false when the append fails.
bool AuditRecord(const std::string& cmd, AuditLog* log, std::string_view type, const Value& record);

}  // namespace kfix::cli

#define KFIX_CLI_CONCAT2(a, b) a##b
#define KFIX_CLI_CONCAT(a, b) KFIX_CLI_CONCAT2(a, b)
#define KFIX_CLI_COMMAND(name, summary, fn) \
  static ::kfix::cli::Registrar KFIX_CLI_CONCAT(kfix_cli_registrar_, __LINE__)(name, summary, fn)
