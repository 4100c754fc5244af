// CLI: kfix intent validate|consume, kfix action validate|step, kfix
// incidents triage — the exact output shapes and exit codes other tools
// depend on.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "kfix/audit.hpp"
#include "kfix/core.hpp"

namespace fs = std::filesystem;

namespace {

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Run Cli(const std::string& args) {
  static int n = 0;
  std::string err_path = (fs::temp_directory_path() / ("kfix-actions-cli-" + std::to_string(::getpid()) + "-" +
                                                       std::to_string(n++) + ".err"))
                             .string();
  std::string cmd = std::string(KFIX_CLI_PATH) + " " + args + " 2>" + err_path;
  Run r;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, got);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_path);
  r.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  fs::remove(err_path);
  return r;
}

std::string Data(const char* name) { return std::string(KFIX_SOURCE_DIR) + "/tests/data/actions/" + name; }

kfix::Value Json(const std::string& text) {
  auto v = kfix::ParseJson(text);
  REQUIRE_MESSAGE(v.ok(), text);
  return *v;
}

std::vector<std::string> Keys(const kfix::Value& v) {
  std::vector<std::string> k;
  for (const kfix::Member& m : v.as_object()) k.push_back(m.key);
  return k;
}

}  // namespace

TEST_CASE("kfix intent validate: {valid, error}; exit 0 valid, 2 rejected, 1 I/O error") {
  Run ok = Cli("intent validate " + Data("intent-valid.json"));
  CHECK(ok.exit_code == 0);
  kfix::Value v = Json(ok.out);
  CHECK(Keys(v) == std::vector<std::string>{"valid", "error"});
  CHECK(v.Find("valid")->as_bool());
  CHECK(v.Find("error")->as_string().empty());
  Run bad = Cli("intent validate " + Data("intent-set-image.json"));
  CHECK(bad.exit_code == 2);
  kfix::Value b = Json(bad.out);
  CHECK(!b.Find("valid")->as_bool());
  CHECK(b.Find("error")->as_string().find("set-image") != std::string::npos);
  Run missing = Cli("intent validate " + Data("does-not-exist.json"));
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("does-not-exist.json") != std::string::npos);
  CHECK(Cli("intent validate").exit_code == 1);
  CHECK(Cli("intent --help").exit_code == 0);
  CHECK(Cli("intent validate --help").out.find("usage: kfix intent") != std::string::npos);
}

TEST_CASE("kfix intent consume: {decision, annotations, patch, error}; exit 0") {
  Run r = Cli("intent consume --object " + Data("claw-statefulset.yaml") + " --now 2026-04-20T10:00:00Z");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  kfix::Value v = Json(r.out);
  CHECK(Keys(v) == std::vector<std::string>{"decision", "annotations", "patch", "error"});
  CHECK(v.Find("decision")->as_string() == "execute");
  CHECK(v.Find("annotations")->Find("claw.prismer.ai/ops-intent") == nullptr);
  CHECK(v.Find("annotations")->Find("claw.prismer.ai/ops-intent-gen")->as_string() == "100");
  CHECK(v.Find("annotations")->Find("team")->as_string() == "payments");
  CHECK(kfix::ToJson(*v.Find("patch")) ==
        R"([{"op":"replace","path":"/spec/template/spec/containers/0/resources/limits/memory","value":"2Gi"}])");
  Run bad_now = Cli("intent consume --object " + Data("claw-statefulset.yaml") + " --now 2026-04-20");
  CHECK(bad_now.exit_code == 1);
  CHECK(bad_now.err.find("--now") != std::string::npos);
  CHECK(bad_now.err.find("RFC 3339") != std::string::npos);
  CHECK(Cli("intent consume --object " + Data("nope.yaml")).exit_code == 1);
  CHECK(Cli("intent consume").exit_code == 1);
}

TEST_CASE("kfix action validate: {valid, error, plan}; exit 0 valid, 2 rejected") {
  Run ok = Cli("action validate " + Data("action-scale.yaml"));
  REQUIRE_MESSAGE(ok.exit_code == 0, ok.err);
  kfix::Value v = Json(ok.out);
  CHECK(Keys(v) == std::vector<std::string>{"valid", "error", "plan"});
  CHECK(v.Find("valid")->as_bool());
  const kfix::Value* plan = v.Find("plan");
  CHECK(plan->Find("operation")->as_string() == "patch");
  CHECK(kfix::ToJson(*plan->Find("patch")) == R"([{"op":"replace","path":"/spec/replicas","value":2}])");
  CHECK(plan->FindPath({"binding", "name"})->as_string() == "kars-sre-write-abc123");
  Run bad = Cli("action validate " + Data("action-scale-100.yaml"));
  CHECK(bad.exit_code == 2);
  kfix::Value b = Json(bad.out);
  CHECK(!b.Find("valid")->as_bool());
  CHECK(b.Find("plan")->is_null());
  CHECK(b.Find("error")->as_string().find("[0, 50]") != std::string::npos);
  CHECK(Cli("action validate " + Data("nope.yaml")).exit_code == 1);
  CHECK(Cli("action validate " + Data("intent-valid.json")).exit_code == 2);  // not a KarsSREAction
}

TEST_CASE("kfix action step: {phase, status, effects}; exit 0; audit records") {
  Run r = Cli("action step --action " + Data("action-scale.yaml") + " --now 2026-04-20T10:00:30Z");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  kfix::Value v = Json(r.out);
  CHECK(Keys(v) == std::vector<std::string>{"phase", "status", "effects"});
  CHECK(v.Find("phase")->as_string() == "Applied");
  CHECK(v.FindPath({"status", "appliedAt"})->as_string() == "2026-04-20T10:00:30Z");
  const auto& effects = v.Find("effects")->as_array();
  REQUIRE(effects.size() == 4);
  CHECK(effects[0].Find("kind")->as_string() == "create-binding");
  CHECK(effects[1].Find("kind")->as_string() == "apply");
  CHECK(effects[2].Find("kind")->as_string() == "delete-binding");
  CHECK(effects[3].Find("kind")->as_string() == "requeue");
  CHECK(effects[3].FindPath({"detail", "seconds"})->as_int() == 10);
  // Feed the status back with a recovered snapshot 5 min later.
  fs::path dir = fs::temp_directory_path() / ("kfix-actions-step-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ifstream src(Data("action-scale.yaml"));
  kfix::Value manifest =
      *kfix::ParseYaml(std::string(std::istreambuf_iterator<char>(src), std::istreambuf_iterator<char>()));
  manifest.Set("status", *v.Find("status"));
  std::string applied = (dir / "applied.json").string();
  std::ofstream(applied) << kfix::ToJson(manifest);
  Run rec = Cli("action step --action " + applied + " --now 2026-04-20T10:05:00Z --snapshot " + Data("snapshot-recovered.yaml"));
  REQUIRE_MESSAGE(rec.exit_code == 0, rec.err);
  CHECK(Json(rec.out).Find("phase")->as_string() == "Recovered");
  // Without --snapshot recovery is pending.
  CHECK(Json(Cli("action step --action " + applied + " --now 2026-04-20T10:05:00Z").out).Find("phase")->as_string() ==
        "Applied");
  // Audit: the transition is appended to the signed log.
  std::string key = (dir / "keys" / "kfix.key").string();
  std::string log = (dir / "audit.jsonl").string();
  REQUIRE(Cli("keygen --out " + (dir / "keys").string()).exit_code == 0);
  Run audited = Cli("action step --action " + Data("action-scale.yaml") + " --now 2026-04-20T10:00:30Z --audit " + log +
                    " --key " + key);
  CHECK(audited.exit_code == 0);
  std::ifstream lin(log);
  std::string text((std::istreambuf_iterator<char>(lin)), std::istreambuf_iterator<char>());
  CHECK(text.find("sre.approval") != std::string::npos);
  CHECK(text.find("sre.transition") != std::string::npos);
  CHECK(kfix::VerifyAuditLog(text).ok());
  CHECK(Cli("action step --action " + Data("action-scale.yaml")).exit_code == 1);  // --now is required
  fs::remove_all(dir);
}

TEST_CASE("kfix incidents triage: decisions and the next state") {
  Run prime = Cli("incidents triage --events " + Data("events-burst.yaml") + " --now 2026-04-20T10:00:05Z");
  REQUIRE_MESSAGE(prime.exit_code == 0, prime.err);
  kfix::Value p = Json(prime.out);
  CHECK(p.Find("priming")->as_bool());
  CHECK(p.FindPath({"alerts", "sent"})->as_array().empty());
  Run r = Cli("incidents triage --events " + Data("events-burst.yaml") + " --now 2026-04-20T10:00:05Z --state " +
              Data("watcher-state-primed.json"));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  kfix::Value v = Json(r.out);
  CHECK(v.Find("new_actions")->as_array().size() == 2);
  CHECK(v.Find("reused_actions")->as_array().empty());
  CHECK(v.FindPath({"alerts", "sent"})->as_array().size() == 2);
  CHECK(v.FindPath({"alerts", "suppressed"})->as_array().empty());
  CHECK(v.Find("filtered")->as_int() == 1);
  CHECK(v.Find("next_state")->Find("primed")->as_bool());
  CHECK(v.Find("new_actions")->as_array()[0].FindPath({"spec", "action", "type"})->as_string() == "DeleteResourceQuota");
  CHECK(Cli("incidents triage --events " + Data("events-burst.yaml")).exit_code == 1);
  CHECK(Cli("incidents triage --events " + Data("events-burst.yaml") + " --now x --state " +
            Data("watcher-state-primed.json")).exit_code == 1);
  CHECK(Cli("incidents triage --events " + Data("events-burst.yaml") + " --now 2026-04-20T10:00:05Z --state " +
            Data("intent-valid.json")).exit_code == 1);
}
