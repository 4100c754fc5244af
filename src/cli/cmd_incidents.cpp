// kfix incidents triage: one poll of the SRE incident watcher
// (docs/playbooks-actions.md).
//   kfix incidents triage --events FILE --now TIME [--state FILE] [--audit FILE --key PRIVATE_KEY]
//        -> {"priming", "incidents", "new_actions", "reused_actions", "alerts": {"sent", "suppressed"},
//            "filtered", "deduplicated", "next_state"}; exit 0
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
    "usage: kfix incidents triage --events FILE --now TIME [--state FILE] [--audit FILE --key PRIVATE_KEY]\n"
    "\n"
    "Runs one poll of the incident watcher over Kubernetes Events (a YAML/JSON stream or an EventList)\n"
    "at --now (RFC 3339). --state is the previous run's \"next_state\" (its \"actions\" may also list the\n"
    "current KarsSREAction manifests, for CR reuse and dedupe); without it the poll primes (absorbs\n"
    "events without alerting). Prints the decisions: new actions to create, reused actions, alerts\n"
    "sent and suppressed, and the next state. Exit 0; 1 on I/O or parse errors.";

int Triage(const std::vector<std::string>& args) {
  const std::string cmd = "incidents triage";
  kfix::cli::Args a(args, {"events", "now", "state", "audit", "key"}, {"help"});
  if (!a.ok()) return UsageError(cmd, a.error());
  if (a.Has("help")) {
    std::printf("%s\n", kUsage);
    return kfix::cli::kExitOk;
  }
  if (!a.Has("events") || !a.positionals().empty()) return UsageError(cmd, std::string("--events FILE is required\n") + kUsage);
  kfix::ActionTime now;
  if (!kfix::cli::ReadNow(cmd, a, true, &now)) return kfix::cli::kExitError;
  std::vector<kfix::Value> events;
  if (!kfix::cli::ReadObjects(cmd, a.Get("events"), &events)) return kfix::cli::kExitError;
  kfix::WatcherState state;
  if (a.Has("state")) {
    kfix::Value doc;
    if (!kfix::cli::ReadOneObject(cmd, a.Get("state"), &doc)) return kfix::cli::kExitError;
    kfix::Result<kfix::WatcherState> s = kfix::WatcherStateFromDocument(doc, a.Get("state"));
    if (!s.ok()) return UsageError(cmd, s.status().ToString());
    state = std::move(*s);
  }
  std::unique_ptr<kfix::AuditLog> audit;
  if (!kfix::cli::OpenAuditFlags(cmd, a, &audit)) return kfix::cli::kExitError;
  kfix::TriageResult r = kfix::Triage(events, state, now);
  kfix::cli::PrintJson(r.ToValue());
  return kfix::cli::AppendRecords(cmd, audit.get(), r.AuditRecords()) ? kfix::cli::kExitOk : kfix::cli::kExitError;
}

int RunIncidents(const std::vector<std::string>& args) {
  if (args.empty()) return UsageError("incidents", kUsage);
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::printf("%s\n", kUsage);
    return kfix::cli::kExitOk;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "triage") return Triage(rest);
  return UsageError("incidents", "unknown subcommand '" + args[0] + "'\n" + kUsage);
}

}  // namespace

KFIX_CLI_COMMAND("incidents", "triage Kubernetes warning events into SRE actions and rate-limited alerts",
                 kUsage, RunIncidents, "triage");
