// CLI command registry. Each `cmd_<name>.cpp` registers its command with
//
//   KFIX_CLI_COMMAND("name", "one-line summary", kUsage, RunName);
//   KFIX_CLI_COMMAND("name", "summary", kUsage, RunName, "sub1", "sub2");  // with subcommands
//
// `kUsage` (a constant expression, never empty: an empty one does not
// compile) is what `kfix name --help`, `kfix name -h` and `kfix help name`
// print on stdout with exit 0; main.cpp answers them before the command runs,
// so no command parses --help itself. Subcommands are listed by name; `kfix
// name sub --help` prints kUsage with the synopsis lines that name `sub` (and
// their continuation lines) first.
// main.cpp only dispatches. The CLI is a surface: it parses arguments, calls
// the public C++ API and prints. No logic lives here.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace kfix {
class AuditLog;
class Engine;
class Status;
class Value;
struct EngineConfig;
}  // namespace kfix

namespace kfix::cli {

/// Exit codes shared by all subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;     ///< usage, I/O, config errors
inline constexpr int kExitFindings = 2;  ///< findings at/above --fail-on (scan), tampered log (audit verify)

using CommandFn = std::function<int(const std::vector<std::string>& args)>;

/// A command's usage text: a non-empty constant expression (checked at
/// compile time, so a command cannot be registered without one).
class UsageText {
 public:
  consteval UsageText(const char* text) : text_(text) {  // NOLINT: implicit on purpose
    if (text == nullptr || text[0] == '\0') throw "a kfix command needs its usage text";
  }
  const char* c_str() const noexcept { return text_; }

 private:
  const char* text_;
};

struct Command {
  std::string name;
  std::string summary;
  std::string usage;
  CommandFn run;
  std::vector<std::string> subcommands;  ///< names; their help is `usage` with their lines first
};

std::vector<Command>& Registry();

struct Registrar {
  Registrar(std::string name, std::string summary, UsageText usage, CommandFn fn,
            std::initializer_list<const char*> subcommands = {}) {
    Registry().push_back(Command{std::move(name), std::move(summary), usage.c_str(), std::move(fn),
                                 std::vector<std::string>(subcommands.begin(), subcommands.end())});
  }
};

/// The help `kfix <command> [<subcommand>] --help` prints (usage text, ending
/// in a newline): the command's usage; for a subcommand, the same with the
/// synopsis lines that name it first.
std::string HelpText(const Command& command, std::string_view subcommand = {});

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
/// Reads `--config FILE` (or .kube-linter.yaml / .kube-linter.yml in the
/// working directory, or the defaults) into `*out`: the one configuration
/// document every surface reads (kfix/engine.hpp). Prints the error (with
/// the file's own line and column) and returns false.
bool LoadConfigFlag(const std::string& cmd, const Args& a, EngineConfig* out);
/// Applies `--context all|per-file` (when given) to the configuration's
/// scan.context; prints the usage error and returns false on another value.
bool ContextFlag(const std::string& cmd, const Args& a, EngineConfig* out);
/// Engine::Create(config) into `*out`; prints the error and returns false.
bool CreateEngine(const std::string& cmd, EngineConfig config, std::unique_ptr<Engine>* out);
/// Prints "kfix <cmd>: <status>" to stderr and returns kExitError.
int Fail(const std::string& cmd, const Status& status);
/// Writes `piece` to stdout; false when not all of it was written (the
/// sink the report writers stream through).
bool WriteStdout(std::string_view piece);
/// Parses an integer flag value in [lo, hi]; false when it is not one.
bool ParseIntFlag(const std::string& text, long long lo, long long hi, long long* out);
/// Parses a number flag value (all of the text); false when it is not one.
bool ParseNumberFlag(const std::string& text, double* out);

/// Appends one signed record when `log` is set. Prints the error and returns
/// false when the append fails.
bool AuditRecord(const std::string& cmd, AuditLog* log, std::string_view type, const Value& record);

}  // namespace kfix::cli

#define KFIX_CLI_CONCAT2(a, b) a##b
#define KFIX_CLI_CONCAT(a, b) KFIX_CLI_CONCAT2(a, b)
#define KFIX_CLI_COMMAND(name, summary, usage, fn, ...)                                                      \
  static ::kfix::cli::Registrar KFIX_CLI_CONCAT(kfix_cli_registrar_, __LINE__)(name, summary, usage, fn, \
                                                                               {__VA_ARGS__})
