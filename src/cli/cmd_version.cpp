// kfix version
#include <cstdio>

#include "cli/command.hpp"
#include "kfix/version.hpp"

namespace {

constexpr const char* kUsage =
    "usage: kfix version [--json]\n";
int RunVersion(const std::vector<std::string>& args) {
  kfix::cli::Args a(args, {}, {"json"});
  if (!a.ok()) return kfix::cli::UsageError("version", a.error());
  if (a.Has("json")) {
    std::printf("{\"schemaVersion\":1,\"version\":\"%s\",\"versionNumber\":%d}\n", kfix::VersionString(),
                kfix::VersionNumber());
  } else {
    std::printf("kfix %s\n", kfix::VersionString());
  }
  return kfix::cli::kExitOk;
}
}  // namespace

KFIX_CLI_COMMAND("version", "print the version", kUsage, RunVersion);
