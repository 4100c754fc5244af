// kfix intent validate|consume: the k8s4claw intent allowlist and its
// generation guard (docs/playbooks-actions.md).
//   kfix intent validate FILE        -> {"valid", "error"}; exit 0 valid, 2 rejected, 1 I/O error
//   kfix intent consume --object FILE [--now TIME] [--pods FILE] [--container NAME]
//                       [--audit FILE --key PRIVATE_KEY]
//                                    -> {"decision", "annotations", "patch", "error"}; exit 0
#include <cstdio>
#include <memory>

#include "cli/actions_io.hpp"
#include "cli/command.hpp"
#include "kfix/actions.hpp"
#include "kfix/audit.hpp"
#include "kfix/engine.hpp"

namespace {

using kfix::cli::UsageError;

constexpr const char* kUsage =
    "usage: kfix intent validate FILE\n"
    "       kfix intent consume --object FILE [--now TIME] [--pods FILE] [--container NAME]\n"
    "                           [--audit FILE --key PRIVATE_KEY]\n"
    "\n"
    "validate  checks intent JSON (as stored in the claw.prismer.ai/ops-intent annotation) against the\n"
    "          five-action allowlist; prints {\"valid\", \"error\"}; exit 0 valid, 2 rejected, 1 I/O error.\n"
    "consume   applies the generation guard to the intent on the object (a workload or a Claw), clears\n"
    "          the intent annotation and builds the effect as an RFC 6902 patch vetted by the guard;\n"
    "          prints {\"decision\": \"execute|skip|reject\", \"annotations\", \"patch\", \"error\"}; exit 0.\n"
    "          --now      RFC 3339 time stamped by rollout-restart (default: the system clock)\n"
    "          --pods     the Claw's pods (YAML stream) for restart-pod (the oldest is deleted)\n"
    "          --container the container whose limits bump-memory/bump-cpu change (default runtime)\n"
    "          --audit/--key append the outcome to the signed, hash-chained audit log";

int Validate(const std::vector<std::string>& args) {
  kfix::cli::Args a(args, {}, {"help"});
  if (!a.ok()) return UsageError("intent validate", a.error());
  if (a.Has("help")) {
    std::printf("%s\n", kUsage);
    return kfix::cli::kExitOk;
  }
  if (a.positionals().size() != 1) return UsageError("intent validate", std::string("expected one FILE\n") + kUsage);
  kfix::Result<std::string> text = kfix::ReadInputFile(a.positionals()[0]);
  if (!text.ok()) return UsageError("intent validate", text.status().ToString());
  kfix::Value out = kfix::IntentValidateDocument(*text);
  kfix::cli::PrintJson(out);
  return out.Find("valid")->as_bool() ? kfix::cli::kExitOk : kfix::cli::kExitFindings;
}

int Consume(const std::vector<std::string>& args) {
  const std::string cmd = "intent consume";
  kfix::cli::Args a(args, {"object", "now", "pods", "container", "audit", "key"}, {"help"});
  if (!a.ok()) return UsageError(cmd, a.error());
  if (a.Has("help")) {
    std::printf("%s\n", kUsage);
    return kfix::cli::kExitOk;
  }
  if (!a.Has("object") || !a.positionals().empty()) return UsageError(cmd, std::string("--object FILE is required\n") + kUsage);
  kfix::ConsumeOptions options;
  if (!kfix::cli::ReadNow(cmd, a, false, &options.now)) return kfix::cli::kExitError;
  if (a.Has("container")) options.container = a.Get("container");
  kfix::Value object;
  if (!kfix::cli::ReadOneObject(cmd, a.Get("object"), &object)) return kfix::cli::kExitError;
  if (a.Has("pods") && !kfix::cli::ReadObjects(cmd, a.Get("pods"), &options.pods)) return kfix::cli::kExitError;
  std::unique_ptr<kfix::AuditLog> audit;
  if (!kfix::cli::OpenAuditFlags(cmd, a, &audit)) return kfix::cli::kExitError;
  kfix::ConsumeResult r = kfix::ConsumeIntent(object, options);
  kfix::cli::PrintJson(r.ToValue());
  return kfix::cli::AppendRecords(cmd, audit.get(), r.AuditRecords()) ? kfix::cli::kExitOk : kfix::cli::kExitError;
}

int RunIntent(const std::vector<std::string>& args) {
  if (args.empty()) return UsageError("intent", kUsage);
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::printf("%s\n", kUsage);
    return kfix::cli::kExitOk;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "validate") return Validate(rest);
  if (args[0] == "consume") return Consume(rest);
  return UsageError("intent", "unknown subcommand '" + args[0] + "'\n" + kUsage);
}

}  // namespace

KFIX_CLI_COMMAND("intent", "validate or consume a self-healing intent (five-action allowlist, generation guard)",
                 kUsage, RunIntent, "validate", "consume");
