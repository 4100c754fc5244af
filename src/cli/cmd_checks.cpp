// kfix checks list: the check catalog.
#include <cstdio>
#include <memory>

#include "cli/command.hpp"
#include "kfix/engine.hpp"

namespace {

constexpr const char* kUsage =
    "usage: kfix checks list [--format text|json|markdown] [--config FILE]\n"
    "Without --config: every built-in check (kube-linter's 63 and kfix's). With --config: the checks that\n"
    "configuration enables (custom checks and kfix rules included).\n";

int RunChecks(const std::vector<std::string>& args) {
  using namespace kfix::cli;
  Args a(args, {"format", "config"}, {"help"});
  if (!a.ok()) return UsageError("checks", a.error() + "\n" + kUsage);
  if (a.Has("help")) {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (a.positionals().size() != 1 || a.positionals()[0] != "list") {
    return UsageError("checks", std::string("expected the subcommand 'list'\n") + kUsage);
  }
  std::string format = a.Get("format", "text");
  std::vector<kfix::CheckInfo> checks = kfix::BuiltinChecks();
  if (a.Has("config")) {
    kfix::EngineConfig config;
    if (!LoadConfigFlag("checks", a, &config)) return kExitError;
    std::unique_ptr<kfix::Engine> engine;
    if (!CreateEngine("checks", std::move(config), &engine)) return kExitError;
    checks = engine->rules()->checks();
  }
  std::string out;
  if (format == "json") {
    out = kfix::ChecksToJson(checks);
  } else if (format == "markdown") {
    out = kfix::ChecksToMarkdown(checks);
  } else if (format == "text") {
    out = kfix::ChecksToText(checks);
  } else {
    return UsageError("checks", "unknown --format " + format);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace

KFIX_CLI_COMMAND("checks", "list the check catalog", kUsage, RunChecks, "list");
