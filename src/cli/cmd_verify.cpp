// kfix verify: vet one external patch (LLM or human; RFC 6902, one op, merge
// patch or a whole "after" object) against one manifest document.
// Exit codes: 0 accepted, 2 rejected, 1 error.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "kfix/engine.hpp"

namespace {

constexpr const char* kUsage =
    "usage: kfix verify --manifest FILE [--document N] --patch FILE|- [--check NAME] [--container NAME] "
    "[--config FILE] [--format json|text]";

int RunVerify(const std::vector<std::string>& raw) {
  const std::string cmd = "verify";
  kfix::cli::Args a(raw, {"manifest", "document", "patch", "check", "container", "config", "format"}, {});
  if (!a.ok()) return kfix::cli::UsageError(cmd, a.error() + "\n" + kUsage);
  if (!a.Has("manifest") || !a.Has("patch")) return kfix::cli::UsageError(cmd, std::string("--manifest and --patch are required\n") + kUsage);
  if (!a.positionals().empty()) return kfix::cli::UsageError(cmd, "unexpected argument " + a.positionals()[0]);
  std::string format = a.Get("format", "json");
  if (format != "json" && format != "text") return kfix::cli::UsageError(cmd, "--format must be json or text");
  int document = 0;
  if (a.Has("document")) {
    try {
      document = std::stoi(a.Get("document"));
    } catch (...) {
      document = -1;
    }
    if (document < 0) return kfix::cli::UsageError(cmd, "--document must be a non-negative integer");
  }
  kfix::EngineConfig config;
  if (!kfix::cli::LoadConfigFlag(cmd, a, &config)) return kfix::cli::kExitError;
  std::unique_ptr<kfix::Engine> engine;
  if (!kfix::cli::CreateEngine(cmd, std::move(config), &engine)) return kfix::cli::kExitError;
  kfix::Result<kfix::LoadedInputs> loaded = engine->Load({a.Get("manifest")});
  if (!loaded.ok()) return kfix::cli::Fail(cmd, loaded.status());
  for (const kfix::Status& e : loaded->load.errors) std::fprintf(stderr, "kfix verify: %s\n", e.ToString().c_str());
  auto patch_text = kfix::ReadFileToString(a.Get("patch"));
  if (!patch_text.ok()) return kfix::cli::Fail(cmd, patch_text.status());
  kfix::VerifyTarget target;
  target.document = document;
  target.check = a.Get("check");
  target.container = a.Get("container");
  kfix::Result<kfix::Verdict> verdict = engine->Verify(*loaded, *patch_text, target);
  if (!verdict.ok()) return kfix::cli::Fail(cmd, verdict.status());
  const kfix::Verdict& v = *verdict;
  if (format == "json") {
    std::string j = kfix::ToJson(kfix::VerdictToValue(v), kfix::JsonStyle::kPretty) + "\n";
    std::fwrite(j.data(), 1, j.size(), stdout);
  } else {
    std::printf("%s\n", v.accepted ? "accepted" : ("rejected: " + v.reason).c_str());
    for (const kfix::GateResult& g : v.gates)
      std::printf("  %-12s %s  %s\n", g.name.c_str(), g.passed ? "pass" : "FAIL", g.detail.c_str());
  }
  return v.accepted ? kfix::cli::kExitOk : kfix::cli::kExitFindings;
}

}  // namespace

KFIX_CLI_COMMAND("verify", "vet one external patch (LLM or human) through every gate", kUsage, RunVerify);
