// kfix escape detect: container-escape detection over Kubernetes audit events
// (OCSF 1.8 API Activity or native api_activity) and Falco/Tracee runtime
// events; findings as JSON lines (playbooks.md §3.1, docs/playbooks-escape.md).
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "kfix/core.hpp"
#include "kfix/engine.hpp"
#include "kfix/escape.hpp"

namespace {

constexpr const char* kUsage =
    "usage: kfix escape detect [--format ocsf|native] [--known-operator NAME]... [EVENTS...]\n"
    "\n"
    "Reads JSON lines (files, or '-' / nothing for stdin) of OCSF 1.8 API Activity (class 6003),\n"
    "native api_activity records or Falco/Tracee runtime events, runs rules r1-r5 (risky spec patch,\n"
    "hostPath injection, ephemeral container, unexpected exec, runtime fusion) and prints one finding\n"
    "per line: OCSF Detection Finding (class 2004, the default) or the native detection_finding.\n"
    "\n"
    "  --format F           ocsf (default) or native\n"
    "  --known-operator N   actor or group whose exec is benign (repeatable; system:masters always is)\n"
    "\n"
    "Lines that cannot be used are reported on stderr as FILE:LINE: cause and skipped.\n"
    "Exit: 0 done (even with skipped lines), 1 usage error or unreadable input.";

int Detect(const std::vector<std::string>& args) {
  kfix::cli::Args a(args, {"format", "known-operator"}, {"help"});
  if (!a.ok()) return kfix::cli::UsageError("escape detect", a.error());
  if (a.Has("help")) {
    std::printf("%s\n", kUsage);
    return kfix::cli::kExitOk;
  }
  kfix::escape::DetectOptions options;
  auto format = kfix::escape::ParseFindingFormat(a.Get("format", "ocsf"));
  if (!format.ok()) return kfix::cli::UsageError("escape detect", format.status().message());
  for (const std::string& op : a.GetAll("known-operator")) options.known_operators.push_back(op);
  std::vector<std::string> paths = a.positionals();
  if (paths.empty()) paths.push_back("-");
  auto sources = kfix::ReadEventSources(paths);
  if (!sources.ok()) return kfix::cli::UsageError("escape detect", sources.status().ToString());
  kfix::escape::DetectResult result = kfix::EscapeDetect(*sources, options);
  for (const kfix::Status& e : result.errors) {
    std::fprintf(stderr, "kfix escape detect: %s\n", e.ToString().c_str());
  }
  std::string out = kfix::EscapeDetectToJsonLines(result, *format);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kfix::cli::kExitOk;
}

int RunEscape(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::printf("%s\n", kUsage);
    return args.empty() ? kfix::cli::kExitError : kfix::cli::kExitOk;
  }
  if (args[0] == "detect") return Detect(std::vector<std::string>(args.begin() + 1, args.end()));
  return kfix::cli::UsageError("escape", "unknown subcommand '" + args[0] + "'\n" + kUsage);
}

}  // namespace

KFIX_CLI_COMMAND("escape", "detect container-escape attempts in audit and runtime events", kUsage, RunEscape, "detect");
