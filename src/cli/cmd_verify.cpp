// kfix verify: vet one external patch (LLM or human; RFC 6902, one op, merge
// patch or a whole "after" object) against one manifest document.
// Exit codes: 0 accepted, 2 rejected, 1 error.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "kfix/guard.hpp"
#include "kfix/remediate.hpp"
#include "kfix/rules.hpp"

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
  std::string config_path = a.Get("config");
  auto rc = kfix::LoadRulesConfig(config_path);
  if (!rc.ok()) return kfix::cli::UsageError(cmd, rc.status().ToString());
  kfix::FixConfig fix_config;
  if (!config_path.empty()) {
    auto text = kfix::ReadFileToString(config_path);
    if (!text.ok()) return kfix::cli::UsageError(cmd, text.status().ToString());
    auto fc = kfix::ParseFixConfig(*text, config_path);
    if (!fc.ok()) return kfix::cli::UsageError(cmd, fc.status().ToString());
    fix_config = std::move(*fc);
  }
  auto rules = kfix::RuleSet::Create(*rc);
  if (!rules.ok()) return kfix::cli::UsageError(cmd, rules.status().ToString());

  kfix::LoadResult loaded = kfix::LoadFile(a.Get("manifest"));
  for (const kfix::Status& e : loaded.errors) std::fprintf(stderr, "kfix verify: %s\n", e.ToString().c_str());
  std::size_t index = loaded.manifests.size();
  for (std::size_t i = 0; i < loaded.manifests.size(); ++i) {
    if (loaded.manifests[i].document == document) {
      index = i;
      break;
    }
  }
  if (index == loaded.manifests.size())
    return kfix::cli::UsageError(cmd, "document " + std::to_string(document) + " not found in " + a.Get("manifest"));

  auto patch_text = kfix::ReadFileToString(a.Get("patch"));
  if (!patch_text.ok()) return kfix::cli::UsageError(cmd, patch_text.status().ToString());

  auto guard = kfix::Guard::Create(*rules, fix_config, loaded.manifests);
  if (!guard.ok()) return kfix::cli::UsageError(cmd, guard.status().ToString());
  // The targeted finding, when a check is named: it must exist before.
  const kfix::Finding* target = nullptr;
  if (a.Has("check")) {
    for (const kfix::Finding& f : (*guard)->baseline().findings) {
      if (f.object_index == index && f.check == a.Get("check") &&
          (!a.Has("container") || f.container == a.Get("container"))) {
        target = &f;
        break;
      }
    }
    if (!target)
      return kfix::cli::UsageError(cmd, "no finding of check " + a.Get("check") + " on document " +
                                            std::to_string(document));
  }
  kfix::Verdict v = (*guard)->VetText(index, *patch_text, target);
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
