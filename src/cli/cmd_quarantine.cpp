// kfix quarantine plan|apply|reverify: the container-escape response
// (playbooks.md §3.2-§3.7, docs/playbooks-escape.md). Findings in, one JSON
// record per line out. The CLI reads the wall clock (or --now) and runs the
// optional --executor adapter; every gate is the library's.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "kfix/audit.hpp"
#include "kfix/core.hpp"
#include "kfix/engine.hpp"
#include "kfix/escape.hpp"

namespace {

namespace esc = kfix::escape;
using kfix::cli::UsageError;

constexpr int kExitGate = 2;  ///< apply: the process-level approval gate refused

constexpr const char* kUsage =
    "usage: kfix quarantine plan --findings FILE [--cluster PATH]... [--mode quarantine|pod-kill|node-drain]\n"
    "       kfix quarantine apply --findings FILE --cluster PATH... --incident ID --approver NAME\n"
    "                             [--second-approver NAME] --cluster-name NAME --allowed-clusters A,B\n"
    "                             [--mode ...] [--audit LOG --key KEY] [--executor CMD]\n"
    "       kfix quarantine reverify --findings FILE --cluster PATH... [--mode ...] [--node NAME]\n"
    "\n"
    "FILE holds detection findings as JSON lines (OCSF 2004 or native; '-' = stdin); only findings of\n"
    "detect-container-escape-k8s are used, others are skipped with a warning. --cluster takes YAML/JSON\n"
    "streams or directories of live objects as `kubectl get -o yaml` prints them (Pods with labels and\n"
    "spec.nodeName, workloads, Nodes, NetworkPolicies).\n"
    "\n"
    "plan      one remediation_plan (or skip) record per finding; nothing is written.\n"
    "apply     checks incident, approver, cluster name, allow-list (listed) and, for node-drain, a second\n"
    "          approver different from the first: on failure exits 2 before anything is recorded. Then per\n"
    "          finding: the remediation_audit `in_progress` envelope (appended to the signed log with\n"
    "          --audit/--key) before the mutating step, the step itself through --executor CMD (run with\n"
    "          /bin/sh -c, the in_progress remediation_action record on stdin, exit 0 = done), then the\n"
    "          `success`/`failure` envelope and the remediation_action record. Without --executor the\n"
    "          action is handed off: the record stays in_progress for an adapter to apply.\n"
    "reverify  one remediation_verification record per finding (verified, drift or unreachable), plus a\n"
    "          drift finding (OCSF 2004) after each drift. --node names the drained node when the\n"
    "          evicted pod is gone. A --cluster path that cannot be read makes every record unreachable.\n"
    "\n"
    "  --now MS   the time to record (ms since the Unix epoch) instead of the wall clock\n"
    "\n"
    "Exit: 0 done (skips included), 1 usage or input error, 2 approval gate refused (apply).";

bool ParseNow(const std::string& text, kfix::AuditClock* clock) {
  if (text.empty()) {
    *clock = kfix::SystemAuditClock();
    return true;
  }
  char* end = nullptr;
  errno = 0;
  long long ms = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || *end != '\0' || ms < 0) return false;
  auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
  *clock = [t] { return t; };
  return true;
}

// Runs CMD with the record on stdin; OK when it exits 0. Its stdout goes to
// our stderr so that stdout stays JSON lines.
kfix::Status RunExecutor(const std::string& cmd, const esc::RemediationRecord& record) {
  std::string input = kfix::ToJson(esc::RemediationRecordToValue(record)) + "\n";
  int in[2];
  if (pipe(in) != 0) return kfix::IoError(std::string("executor: pipe: ") + std::strerror(errno));
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return kfix::IoError(std::string("executor: fork: ") + std::strerror(errno));
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(2, 1);
    close(in[0]);
    close(in[1]);
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(in[0]);
  std::size_t off = 0;
  while (off < input.size()) {
    ssize_t n = write(in[1], input.data() + off, input.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the executor stopped reading; its exit status decides
    off += static_cast<std::size_t>(n);
  }
  close(in[1]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return kfix::Status::Ok();
  if (WIFEXITED(status)) {
    return kfix::Status(kfix::StatusCode::kIoError, "executor exited with status " + std::to_string(WEXITSTATUS(status)));
  }
  return kfix::Status(kfix::StatusCode::kIoError, "executor killed by signal " + std::to_string(WTERMSIG(status)));
}

int Run(const std::string& sub, const std::vector<std::string>& args) {
  const std::string cmd = "quarantine " + sub;
  kfix::cli::Args a(args,
                    {"findings", "cluster", "mode", "incident", "approver", "second-approver", "cluster-name",
                     "allowed-clusters", "audit", "key", "executor", "node", "now"},
                    {"help"});
  if (!a.ok()) return UsageError(cmd, a.error());
  if (a.Has("help")) {
    std::printf("%s\n", kUsage);
    return kfix::cli::kExitOk;
  }
  if (!a.positionals().empty()) return UsageError(cmd, "unexpected argument '" + a.positionals()[0] + "'");
  const bool apply = sub == "apply", reverify = sub == "reverify";
  for (const char* f : {"incident", "approver", "second-approver", "cluster-name", "allowed-clusters", "audit", "key",
                        "executor"}) {
    if (!apply && a.Has(f)) return UsageError(cmd, std::string("--") + f + " is only for apply");
  }
  if (!reverify && a.Has("node")) return UsageError(cmd, "--node is only for reverify");
  if (!a.Has("findings")) return UsageError(cmd, "--findings FILE is required");
  if ((apply || reverify) && !a.Has("cluster")) return UsageError(cmd, "--cluster PATH is required");

  kfix::QuarantineRequest request;
  request.operation = apply ? esc::Operation::kApply : reverify ? esc::Operation::kReverify : esc::Operation::kPlan;
  auto mode = esc::ParseActionMode(a.Get("mode", "quarantine"));
  if (!mode.ok()) return UsageError(cmd, mode.status().message());
  request.options.mode = *mode;
  request.options.node_name = a.Get("node");
  if (!ParseNow(a.Get("now"), &request.options.clock)) {
    return UsageError(cmd, "--now takes milliseconds since the Unix epoch");
  }

  if (apply) {
    request.approval.incident_id = a.Get("incident");
    request.approval.approver = a.Get("approver");
    request.approval.second_approver = a.Get("second-approver");
    request.approval.cluster_name = a.Get("cluster-name");
    request.approval.allowed_clusters = esc::SplitClusterList(a.Get("allowed-clusters"));
    // The process-level gate, before anything is read, opened or written.
    kfix::Status gate = esc::CheckApplyGate(request.approval, request.options.mode);
    if (!gate.ok()) {
      std::fprintf(stderr, "kfix %s: refused: %s\n", cmd.c_str(), gate.message().c_str());
      return kExitGate;
    }
  }

  auto text = kfix::ReadInputFile(a.Get("findings"));
  if (!text.ok()) return UsageError(cmd, text.status().ToString());
  esc::FindingsInput input = esc::ParseFindings(*text, a.Get("findings"));
  for (const kfix::Status& e : input.errors) std::fprintf(stderr, "kfix %s: %s\n", cmd.c_str(), e.ToString().c_str());

  auto cluster = kfix::QuarantineCluster(kfix::LoadClusterSnapshot(a.GetAll("cluster")), request.operation);
  if (!cluster.ok()) return UsageError(cmd, cluster.status().ToString());

  std::unique_ptr<kfix::AuditLog> log;
  if (apply) {
    if (!kfix::cli::OpenAuditFlags(cmd, a, &log)) return kfix::cli::kExitError;
    request.audit = log.get();
    if (a.Has("executor")) {
      std::signal(SIGPIPE, SIG_IGN);
      std::string exec_cmd = a.Get("executor");
      request.executor = [exec_cmd](const esc::RemediationRecord& r) { return RunExecutor(exec_cmd, r); };
    }
  }
  esc::RunResult result = kfix::Quarantine(input, *cluster, request);
  for (const kfix::Status& w : result.warnings) {
    std::fprintf(stderr, "kfix %s: warning: %s\n", cmd.c_str(), w.ToString().c_str());
  }
  std::string out = esc::JsonLines(result);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (!result.status.ok()) {
    std::fprintf(stderr, "kfix %s: %s\n", cmd.c_str(), result.status.ToString(true).c_str());
    return result.status.code() == kfix::StatusCode::kPermissionDenied ? kExitGate : kfix::cli::kExitError;
  }
  return kfix::cli::kExitOk;
}

int RunQuarantine(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::printf("%s\n", kUsage);
    return args.empty() ? kfix::cli::kExitError : kfix::cli::kExitOk;
  }
  const std::string& sub = args[0];
  if (sub != "plan" && sub != "apply" && sub != "reverify") {
    return UsageError("quarantine", "unknown subcommand '" + sub + "' (plan, apply or reverify)");
  }
  return Run(sub, std::vector<std::string>(args.begin() + 1, args.end()));
}

}  // namespace

KFIX_CLI_COMMAND("quarantine", "plan, apply (gated, audited) and re-verify container-escape quarantines", kUsage, RunQuarantine, "plan", "apply", "reverify");
