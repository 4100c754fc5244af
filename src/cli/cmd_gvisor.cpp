// kfix gvisor scan|plan|apply|rollback|verify: the gVisor migration playbook
// (docs/playbooks-gvisor.md). A shim: parse flags, call kfix/gvisor.hpp, print.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "kfix/audit.hpp"
#include "kfix/core.hpp"
#include "kfix/engine.hpp"
#include "kfix/gvisor.hpp"

namespace {

using namespace kfix::cli;
namespace gv = kfix::gvisor;

constexpr const char* kUsage =
    "usage: kfix gvisor scan [--format json|text] [--facts FILE] [--overrides FILE] [--include-system]\n"
    "                        [--jobs N] PATH...\n"
    "       kfix gvisor plan [--include-review] [--add-toleration] [--runtime-class NAME]\n"
    "                        [--profile kfix|agentmoat|agentmoat-v1] [--out FILE] [--facts FILE]\n"
    "                        [--overrides FILE] [--include-system] [--cluster NAME] [--now RFC3339]\n"
    "                        [--audit LOG --key KEY] PATH...\n"
    "       kfix gvisor apply --plan FILE [--live PATH...] [--facts FILE] [--skip-preflight] [--execute]\n"
    "                        [--cluster NAME] [--now RFC3339] [--audit LOG --key KEY]\n"
    "       kfix gvisor rollback --plan FILE [--live PATH...] [--execute] [--cluster NAME] [--now RFC3339]\n"
    "                        [--audit LOG --key KEY]\n"
    "       kfix gvisor verify --plan FILE --live PATH... [--facts FILE]\n"
    "\n"
    "scan      classify workloads for runc -> gVisor; JSON {schemaVersion, workloads, warnings}.\n"
    "          Exit 2 when a workload is incompatible, 0 otherwise, 1 on errors.\n"
    "plan      a MigrationPlan with metadata.planHash, to stdout or --out. Exit 0, 1 on errors.\n"
    "apply     the ApplyResult envelope: each step's status and RFC 6902 patch, namespace stamps\n"
    "          (agentmoat.io/plan-hash) and preflight findings. Dry run unless --execute, which only\n"
    "          marks the envelope for an adapter (examples/adapters/) and needs --live.\n"
    "rollback  the RollbackResult envelope (steps in reverse, results in plan order); without\n"
    "          --live every namespace is assumed stamped by this plan.\n"
    "verify    compare the pods in --live with the plan.\n"
    "\n"
    "PATH: files, directories (walked for *.yaml, *.yml, *.json) or - for stdin; --live may be\n"
    "repeated and PATHs after the flags are live paths too. Live state = the cluster's objects\n"
    "(workloads, Namespaces with their stamps, Pods), e.g. from kubectl get -o yaml.\n"
    "Exit (apply/rollback/verify): 0 ok, 1 error or tampered plan or every step failed,\n"
    "3 partial, 4 verify mismatch, 5 preflight blocked (nothing mutated).\n";

int Fail(const std::string& cmd, const kfix::Status& s) { return UsageError("gvisor " + cmd, s.ToString()); }

void Print(const kfix::Value& v) {
  std::string out = kfix::ToJson(v, kfix::JsonStyle::kPretty) + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

// The engine the playbook runs on (the default checks: the guard's rescan gate).
bool MakeEngine(const std::string& cmd, std::unique_ptr<kfix::Engine>* out) {
  return CreateEngine("gvisor " + cmd, kfix::EngineConfig{}, out);
}

// Loads PATHs through the engine; prints every load error (the documents
// before a parse error still load). Returns false when an input could not be
// read (missing path, unreadable file).
bool LoadInputs(const kfix::Engine& engine, const std::string& cmd, const std::vector<std::string>& paths, int jobs,
                kfix::LoadedInputs* out) {
  kfix::CallOptions call;
  call.jobs = jobs;
  auto loaded = engine.Load(paths, call);
  if (!loaded.ok()) {
    Fail(cmd, loaded.status());
    return false;
  }
  *out = std::move(*loaded);
  for (const kfix::Status& e : out->load.errors) {
    std::fprintf(stderr, "kfix gvisor %s: %s\n", cmd.c_str(), e.ToString().c_str());
  }
  return kfix::FirstInputReadError(*out).ok();
}

bool ParseJobs(const Args& a, int* jobs) {
  *jobs = 1;
  if (!a.Has("jobs")) return true;
  char* end = nullptr;
  std::string j = a.Get("jobs");
  long n = std::strtol(j.c_str(), &end, 10);
  if (j.empty() || *end != '\0' || n < 1 || n > 256) return false;
  *jobs = static_cast<int>(n);
  return true;
}

std::string Now(const Args& a) {
  return a.Has("now") ? a.Get("now") : kfix::FormatAuditTimestamp(kfix::SystemAuditClock()());
}

// The playbook's options from the flags (the same Options the C ABI and
// Python read from a document): --facts, --overrides, --include-system,
// --include-review, --add-toleration, --runtime-class, --profile, --cluster,
// --now, --execute, --skip-preflight.
bool ReadOptions(const std::string& cmd, const Args& a, gv::Options* o) {
  if (a.Has("facts")) {
    auto f = gv::LoadClusterFacts(a.Get("facts"));
    if (!f.ok()) {
      Fail(cmd, f.status());
      return false;
    }
    o->facts = std::move(*f);
  }
  if (a.Has("overrides")) {
    auto ov = gv::LoadRuleOverrides(a.Get("overrides"));
    if (!ov.ok()) {
      Fail(cmd, ov.status());
      return false;
    }
    o->overrides = std::move(*ov);
  }
  o->extract.include_system = a.Has("include-system");
  o->plan.include_review = a.Has("include-review");
  o->plan.add_toleration = a.Has("add-toleration");
  if (a.Has("runtime-class")) {
    if (a.Get("runtime-class").empty()) {
      UsageError("gvisor " + cmd, "--runtime-class needs a name");
      return false;
    }
    o->plan.runtime_class_name = a.Get("runtime-class");
  }
  if (a.Has("profile")) {
    auto p = gv::ParseHashProfile(a.Get("profile"));
    if (!p) {
      UsageError("gvisor " + cmd, "--profile must be kfix, agentmoat or agentmoat-v1");
      return false;
    }
    o->profile = *p;
  }
  o->metadata.generated_at = Now(a);
  o->metadata.cluster = a.Get("cluster");
  o->execute = a.Has("execute");
  o->skip_preflight = a.Has("skip-preflight");
  return true;
}

int Scan(const std::vector<std::string>& raw) {
  Args a(raw, {"format", "facts", "overrides", "jobs"}, {"include-system", "help"});
  if (!a.ok()) return UsageError("gvisor scan", a.error() + "\n" + kUsage);
  if (a.Has("help")) return std::fputs(kUsage, stdout), kExitOk;
  std::string format = a.Get("format", "json");
  if (format != "json" && format != "text") return UsageError("gvisor scan", "--format must be json or text");
  int jobs = 1;
  if (!ParseJobs(a, &jobs)) return UsageError("gvisor scan", "--jobs wants a number 1..256");
  if (a.positionals().empty()) return UsageError("gvisor scan", std::string("no PATH given\n") + kUsage);
  gv::Options o;
  if (!ReadOptions("scan", a, &o)) return kExitError;
  std::unique_ptr<kfix::Engine> engine;
  if (!MakeEngine("scan", &engine)) return kExitError;
  kfix::LoadedInputs loaded;
  if (!LoadInputs(*engine, "scan", a.positionals(), jobs, &loaded)) return kExitError;
  gv::CompatibilityReport report = engine->GvisorScan(loaded, o);
  if (format == "json") {
    Print(gv::ToValue(report));
  } else {
    std::string t = gv::ToText(report);
    std::fwrite(t.data(), 1, t.size(), stdout);
  }
  int rc = static_cast<int>(report.exit_code());
  KeepUntilExit(std::move(loaded));
  return rc;
}

int Plan(const std::vector<std::string>& raw) {
  Args a(raw, {"runtime-class", "profile", "out", "facts", "overrides", "cluster", "now", "audit", "key", "jobs"},
         {"include-review", "add-toleration", "include-system", "help"});
  if (!a.ok()) return UsageError("gvisor plan", a.error() + "\n" + kUsage);
  if (a.Has("help")) return std::fputs(kUsage, stdout), kExitOk;
  int jobs = 1;
  if (!ParseJobs(a, &jobs)) return UsageError("gvisor plan", "--jobs wants a number 1..256");
  if (a.positionals().empty()) return UsageError("gvisor plan", std::string("no PATH given\n") + kUsage);
  std::unique_ptr<kfix::AuditLog> audit;
  if (!OpenAuditFlags("gvisor plan", a, &audit)) return kExitError;
  gv::Options o;
  if (!ReadOptions("plan", a, &o)) return kExitError;
  std::unique_ptr<kfix::Engine> engine;
  if (!MakeEngine("plan", &engine)) return kExitError;
  kfix::LoadedInputs loaded;
  if (!LoadInputs(*engine, "plan", a.positionals(), jobs, &loaded)) return kExitError;
  kfix::Engine::GvisorPlanResult planned = engine->GvisorPlan(loaded, o, audit.get());
  for (const kfix::Status& w : planned.warnings) std::fprintf(stderr, "kfix gvisor plan: warning: %s\n", w.ToString().c_str());
  if (!planned.audit_status.ok()) std::fprintf(stderr, "kfix gvisor plan: audit: %s\n", planned.audit_status.ToString().c_str());
  std::string text = kfix::ToJson(gv::ToValue(planned.plan), kfix::JsonStyle::kPretty) + "\n";
  if (a.Has("out")) {
    FILE* f = std::fopen(a.Get("out").c_str(), "wb");
    if (f == nullptr || std::fwrite(text.data(), 1, text.size(), f) != text.size() || std::fclose(f) != 0) {
      return UsageError("gvisor plan", "cannot write " + a.Get("out"));
    }
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  return kExitOk;
}

int Run(const std::string& cmd, const std::vector<std::string>& raw) {
  const bool apply = cmd == "apply";
  const bool verify = cmd == "verify";
  std::vector<std::string> value_flags = {"plan", "live", "facts", "cluster", "now", "audit", "key", "jobs"};
  std::vector<std::string> bool_flags = {"execute", "help"};
  if (apply) bool_flags.push_back("skip-preflight");
  Args a(raw, value_flags, bool_flags);
  const std::string name = "gvisor " + cmd;
  if (!a.ok()) return UsageError(name, a.error() + "\n" + kUsage);
  if (a.Has("help")) return std::fputs(kUsage, stdout), kExitOk;
  if (!a.Has("plan")) return UsageError(name, std::string("--plan FILE is required\n") + kUsage);
  std::vector<std::string> live_paths = a.GetAll("live");
  for (const std::string& p : a.positionals()) live_paths.push_back(p);
  if (a.Has("execute") && live_paths.empty())
    return UsageError(name, "--execute needs --live (stamps and toleration preconditions are read from it)");
  if (verify && live_paths.empty()) return UsageError(name, "--live PATH is required");
  if (verify && (a.Has("execute") || a.Has("audit"))) return UsageError(name, "verify takes no --execute or --audit");
  if (!apply && !verify && a.Has("facts")) return UsageError(name, "rollback never runs the preflight: no --facts");
  int jobs = 1;
  if (!ParseJobs(a, &jobs)) return UsageError(name, "--jobs wants a number 1..256");
  std::unique_ptr<kfix::AuditLog> audit;
  if (!OpenAuditFlags(name, a, &audit)) return kExitError;
  auto plan = gv::LoadPlan(a.Get("plan"));
  if (!plan.ok()) return Fail(cmd, plan.status());
  gv::Options opts;
  if (!ReadOptions(cmd, a, &opts)) return kExitError;
  std::unique_ptr<kfix::Engine> engine;
  if (!MakeEngine(cmd, &engine)) return kExitError;
  kfix::LoadedInputs live;
  if (!live_paths.empty() && !LoadInputs(*engine, cmd, live_paths, jobs, &live)) return kExitError;
  if (verify) {
    gv::VerifyReport r = engine->GvisorVerify(*plan, live, opts);
    Print(gv::ToValue(r));
    return static_cast<int>(r.exit_code);
  }
  const kfix::LoadedInputs* live_state = live_paths.empty() ? nullptr : &live;
  gv::RunResult r = apply ? engine->GvisorApply(*plan, live_state, opts, audit.get())
                          : engine->GvisorRollback(*plan, live_state, opts, audit.get());
  for (const kfix::Status& w : r.warnings) std::fprintf(stderr, "kfix %s: warning: %s\n", name.c_str(), w.ToString().c_str());
  Print(gv::ToValue(r));
  return static_cast<int>(r.exit_code);
}

int RunGvisor(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? kExitError : kExitOk;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  const std::string& sub = args[0];
  if (sub == "scan") return Scan(rest);
  if (sub == "plan") return Plan(rest);
  if (sub == "apply" || sub == "rollback" || sub == "verify") return Run(sub, rest);
  return UsageError("gvisor", "unknown subcommand '" + sub + "'\n" + kUsage);
}

}  // namespace

KFIX_CLI_COMMAND("gvisor", "gVisor migration: scan, plan (hashed), apply / rollback envelopes, verify", kUsage, RunGvisor, "scan", "plan", "apply", "rollback", "verify");
