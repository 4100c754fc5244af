// kfix action validate|step: operator-approved SRE actions (KarsSREAction)
// and their state machine (docs/playbooks-actions.md).
//   kfix action validate FILE [--target FILE] [--now TIME]
//        -> {"valid", "error", "plan"}; exit 0 valid, 2 rejected, 1 I/O error
//   kfix action step --action FILE --now TIME [--snapshot FILE] [--audit FILE --key PRIVATE_KEY]
//        -> {"phase", "status", "effects"}; exit 0
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
    "usage: kfix action validate FILE [--target FILE] [--now TIME]\n"
    "       kfix action step --action FILE --now TIME [--snapshot FILE] [--audit FILE --key PRIVATE_KEY]\n"
    "\n"
    "validate  applies the admission rules and the controller's validation to a KarsSREAction manifest\n"
    "          and prints {\"valid\", \"error\", \"plan\"} (the RFC 6902 patch or the explicit delete, the\n"
    "          one-shot binding); exit 0 valid, 2 rejected, 1 I/O error. --target is the live object\n"
    "          (resolves PatchDeploymentImage's container index and RolloutRestart's annotations);\n"
    "          --now stamps RolloutRestart (default: the system clock).\n"
    "step      runs one reconcile of the state machine at --now (RFC 3339) over the action and its\n"
    "          current status; --snapshot is a YAML stream of the namespace's Deployments, Events\n"
    "          (and ResourceQuotas for quota deletes); without it, recovery counts as pending.\n"
    "          Prints {\"phase\", \"status\", \"effects\"}; exit 0. --audit/--key record transitions.";

int Validate(const std::vector<std::string>& args) {
  const std::string cmd = "action validate";
  kfix::cli::Args a(args, {"target", "now"}, {"help"});
  if (!a.ok()) return UsageError(cmd, a.error());
  if (a.Has("help")) {
    std::printf("%s\n", kUsage);
    return kfix::cli::kExitOk;
  }
  if (a.positionals().size() != 1) return UsageError(cmd, std::string("expected one FILE\n") + kUsage);
  kfix::ActionTime now;
  if (!kfix::cli::ReadNow(cmd, a, false, &now)) return kfix::cli::kExitError;
  kfix::Value target;
  if (a.Has("target") && !kfix::cli::ReadOneObject(cmd, a.Get("target"), &target)) return kfix::cli::kExitError;
  kfix::Result<std::string> text = kfix::ReadInputFile(a.positionals()[0]);
  if (!text.ok()) return UsageError(cmd, text.status().ToString());
  kfix::SreValidation v =
      kfix::ValidateSreActionText(*text, a.positionals()[0], a.Has("target") ? &target : nullptr, now);
  kfix::cli::PrintJson(v.document);
  return v.valid ? kfix::cli::kExitOk : kfix::cli::kExitFindings;
}

int Step(const std::vector<std::string>& args) {
  const std::string cmd = "action step";
  kfix::cli::Args a(args, {"action", "now", "snapshot", "audit", "key"}, {"help"});
  if (!a.ok()) return UsageError(cmd, a.error());
  if (a.Has("help")) {
    std::printf("%s\n", kUsage);
    return kfix::cli::kExitOk;
  }
  if (!a.Has("action") || !a.positionals().empty()) return UsageError(cmd, std::string("--action FILE is required\n") + kUsage);
  kfix::ActionTime now;
  if (!kfix::cli::ReadNow(cmd, a, true, &now)) return kfix::cli::kExitError;
  kfix::Result<std::string> text = kfix::ReadInputFile(a.Get("action"));
  if (!text.ok()) return UsageError(cmd, text.status().ToString());
  kfix::Result<kfix::SreAction> action = kfix::LoadSreAction(*text, a.Get("action"));
  if (!action.ok()) return UsageError(cmd, action.status().ToString());
  std::vector<kfix::Value> snapshot;
  if (a.Has("snapshot") && !kfix::cli::ReadObjects(cmd, a.Get("snapshot"), &snapshot)) return kfix::cli::kExitError;
  std::unique_ptr<kfix::AuditLog> audit;
  if (!kfix::cli::OpenAuditFlags(cmd, a, &audit)) return kfix::cli::kExitError;
  kfix::SreStep step = kfix::StepSreAction(*action, now, a.Has("snapshot") ? &snapshot : nullptr);
  kfix::cli::PrintJson(step.ToValue());
  return kfix::cli::AppendRecords(cmd, audit.get(), step.AuditRecords(*action)) ? kfix::cli::kExitOk
                                                                                        : kfix::cli::kExitError;
}

int RunAction(const std::vector<std::string>& args) {
  if (args.empty()) return UsageError("action", kUsage);
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::printf("%s\n", kUsage);
    return kfix::cli::kExitOk;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "validate") return Validate(rest);
  if (args[0] == "step") return Step(rest);
  return UsageError("action", "unknown subcommand '" + args[0] + "'\n" + kUsage);
}

}  // namespace

KFIX_CLI_COMMAND("action", "validate or step an operator-approved SRE action (KarsSREAction)",
                 kUsage, RunAction, "validate", "step");
