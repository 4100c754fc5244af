// `kfix gvisor` CLI: golden output (checked by hand; KFIX_UPDATE_GOLDEN=1
// rewrites), exit codes, tampered plans, preflight, audit.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "kfix/audit.hpp"
#include "kfix/core.hpp"

namespace {

const std::string kData = std::string(KFIX_SOURCE_DIR) + "/tests/data/gvisor/";
const std::string kGolden = std::string(KFIX_SOURCE_DIR) + "/tests/golden/gvisor/";
const std::string kNow = "--now 2026-05-01T12:00:00Z";

struct Run {
  int exit_code = -1;
  std::string out;
};

Run Kfix(const std::string& args, bool with_stderr = false) {
  Run r;
  std::string cmd = std::string(KFIX_CLI_PATH) + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null");
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

// Compares canonical JSON so formatting noise never fails the test.
void Golden(const std::string& name, const std::string& out) {
  const std::string path = kGolden + name;
  if (std::getenv("KFIX_UPDATE_GOLDEN") != nullptr) Write(path, out);
  auto got = kfix::ParseJson(out);
  REQUIRE_MESSAGE(got.ok(), out);
  auto want = kfix::ParseJson(ReadAll(path));
  REQUIRE_MESSAGE(want.ok(), path);
  CHECK(kfix::ToJson(*got, kfix::JsonStyle::kCanonical) == kfix::ToJson(*want, kfix::JsonStyle::kCanonical));
}

std::string TempDir() {
  char tmpl[] = "/tmp/kfix-gvisor-cli-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}

}  // namespace

TEST_CASE("kfix gvisor scan: golden JSON, exit 2 with an incompatible workload, 0 without") {
  Run r = Kfix("gvisor scan " + kData + "fixture9.yaml");
  CHECK(r.exit_code == 2);
  Golden("scan-fixture9.json", r.out);
  Run ok = Kfix("gvisor scan " + kData + "two-step.yaml");
  CHECK(ok.exit_code == 0);
  Run text = Kfix("gvisor scan --format text " + kData + "two-step.yaml");
  CHECK(text.out.find("2 workloads: 2 compatible, 0 review, 0 incompatible") != std::string::npos);
  CHECK(Kfix("gvisor scan " + kData + "does-not-exist.yaml").exit_code == 1);
  CHECK(Kfix("gvisor scan --format xml " + kData + "two-step.yaml").exit_code == 1);
  CHECK(Kfix("gvisor scan").exit_code == 1);
  Run help = Kfix("gvisor scan --help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("kfix gvisor plan") != std::string::npos);
}

TEST_CASE("kfix gvisor scan: overrides and facts files; bad files name file and line") {
  std::string dir = TempDir();
  Write(dir + "/ov.yaml", "overrides:\n  - id: host-path-mount\n    severity: info\n  - id: nope\n    severity: warn\n");
  Run r = Kfix("gvisor scan --overrides " + dir + "/ov.yaml " + kData + "fixture9.yaml");
  auto v = kfix::ParseJson(r.out);
  REQUIRE(v.ok());
  CHECK(v->Find("warnings")->size() == 1);
  for (const kfix::Value& w : v->Find("workloads")->as_array()) {
    if (w.Find("name")->as_string() == "log-reader") CHECK(w.Find("compatibility")->as_string() == "compatible");
  }
  Write(dir + "/bad.yaml", "overrides:\n  - id: ebpf\n    severity: [x\n");
  Run bad = Kfix("gvisor scan --overrides " + dir + "/bad.yaml " + kData + "fixture9.yaml", true);
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.find(dir + "/bad.yaml:") != std::string::npos);
  Write(dir + "/facts.yaml", "runsc: {version: release-20250101.0}\n");
  Write(dir + "/systemd.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: s}\nspec: {template: {spec: {containers: [{name: a, "
        "image: x, command: [/sbin/init]}]}}}\n");
  CHECK(Kfix("gvisor scan " + dir + "/systemd.yaml").exit_code == 0);
  CHECK(Kfix("gvisor scan --facts " + dir + "/facts.yaml " + dir + "/systemd.yaml").exit_code == 2);
  std::string cleanup = "rm -rf " + dir;
  CHECK(std::system(cleanup.c_str()) == 0);
}

TEST_CASE("kfix gvisor plan: golden plan, profiles, --out, options change the hash") {
  Run r = Kfix("gvisor plan --include-review " + kNow + " --cluster kind-test " + kData + "fixture9.yaml");
  REQUIRE(r.exit_code == 0);
  Golden("plan-fixture9-include-review.json", r.out);
  Run agentmoat = Kfix("gvisor plan --profile agentmoat-v1 --add-toleration " + kNow + " " + kData + "two-step.yaml");
  auto v = kfix::ParseJson(agentmoat.out);
  REQUIRE(v.ok());
  CHECK(v->FindPath({"metadata", "planHash"})->as_string() ==
        "e7814fabd8d8d795a4f52b0439cfef527fb58581635c901117d4b3e6f27302d2");
  auto hash = [](const std::string& out) {
    auto p = kfix::ParseJson(out);
    REQUIRE(p.ok());
    return p->FindPath({"metadata", "planHash"})->as_string();
  };
  const std::string base = hash(Kfix("gvisor plan " + kData + "fixture9.yaml").out);
  CHECK(hash(Kfix("gvisor plan --include-review " + kData + "fixture9.yaml").out) != base);
  CHECK(hash(Kfix("gvisor plan --add-toleration " + kData + "fixture9.yaml").out) != base);
  CHECK(hash(Kfix("gvisor plan --runtime-class kata " + kData + "fixture9.yaml").out) != base);
  CHECK(hash(Kfix("gvisor plan --profile agentmoat " + kData + "fixture9.yaml").out) != base);
  CHECK(hash(Kfix("gvisor plan --cluster other --now 2030-01-01T00:00:00Z " + kData + "fixture9.yaml").out) == base);
  CHECK(Kfix("gvisor plan --profile sha1 " + kData + "fixture9.yaml").exit_code == 1);
  std::string dir = TempDir();
  CHECK(Kfix("gvisor plan --out " + dir + "/p.json " + kData + "fixture9.yaml").exit_code == 0);
  CHECK(hash(ReadAll(dir + "/p.json")) == base);
  std::string cleanup = "rm -rf " + dir;
  CHECK(std::system(cleanup.c_str()) == 0);
}

TEST_CASE("kfix gvisor apply / rollback: golden envelopes, tampered plan, preflight, audit") {
  std::string dir = TempDir();
  const std::string plan = dir + "/plan.json";
  REQUIRE(Kfix("gvisor plan " + kNow + " --out " + plan + " " + kData + "two-step.yaml").exit_code == 0);
  Run dry = Kfix("gvisor apply " + kNow + " --plan " + plan + " --live " + kData + "live.yaml");
  CHECK(dry.exit_code == 0);
  Golden("apply-dry-run.json", dry.out);
  Run rb = Kfix("gvisor rollback " + kNow + " --plan " + plan + " --live " + kData + "live.yaml");
  CHECK(rb.exit_code == 0);
  Golden("rollback-unstamped.json", rb.out);
  CHECK(Kfix("gvisor apply --execute --plan " + plan).exit_code == 1);  // --execute needs --live
  CHECK(Kfix("gvisor apply --plan " + plan + " --live " + kData + "live.yaml --execute").exit_code == 0);

  // A tampered plan: exit 1 and the integrity message.
  std::string text = ReadAll(plan);
  std::size_t at = text.find("\"gvisor\"", text.find("\"steps\""));
  REQUIRE(at != std::string::npos);
  text.replace(at, 8, "\"runc\"");
  Write(dir + "/tampered.json", text);
  Run t = Kfix("gvisor apply --plan " + dir + "/tampered.json", true);
  CHECK(t.exit_code == 1);
  CHECK(t.out.find("failed its integrity check") != std::string::npos);
  CHECK(Kfix("gvisor rollback --plan " + dir + "/tampered.json").exit_code == 1);

  // Preflight: a missing RuntimeClass blocks apply with exit 5.
  Write(dir + "/facts.yaml", "runtimeClass: null\nnodes: []\n");
  Run pf = Kfix("gvisor apply --plan " + plan + " --facts " + dir + "/facts.yaml");
  CHECK(pf.exit_code == 5);
  auto pv = kfix::ParseJson(pf.out);
  REQUIRE(pv.ok());
  CHECK(pv->FindPath({"metadata", "preflight", "ready"})->as_bool() == false);
  CHECK(pv->FindPath({"spec", "preflightFindings"})->as_array()[0].Find("id")->as_string() == "runtimeclass-missing");
  CHECK(Kfix("gvisor apply --skip-preflight --plan " + plan + " --facts " + dir + "/facts.yaml").exit_code == 0);
  CHECK(Kfix("gvisor rollback --plan " + plan + " --facts " + dir + "/facts.yaml").exit_code == 1);

  // Audit: signed, chained lines for the plan and for every step, dry runs included.
  REQUIRE(Kfix("keygen --out " + dir + "/keys").exit_code == 0);
  const std::string audit = " --audit " + dir + "/audit.jsonl --key " + dir + "/keys/kfix.key ";
  REQUIRE(Kfix("gvisor plan" + audit + "--out " + dir + "/p2.json " + kData + "two-step.yaml").exit_code == 0);
  REQUIRE(Kfix("gvisor apply" + audit + "--plan " + dir + "/p2.json").exit_code == 0);
  REQUIRE(Kfix("gvisor rollback" + audit + "--plan " + dir + "/p2.json").exit_code == 0);
  std::string log = ReadAll(dir + "/audit.jsonl");
  CHECK(kfix::VerifyAuditLog(log).ok());
  std::size_t lines = 0;
  for (char c : log) lines += c == '\n';
  CHECK(lines == 5);
  CHECK(log.find("gvisor.apply.step") != std::string::npos);
  CHECK(log.find("gvisor.rollback.step") != std::string::npos);

  // Verify: the pods in the live state do not run gVisor yet.
  CHECK(Kfix("gvisor verify --plan " + plan + " --live " + kData + "live.yaml").exit_code == 4);
  CHECK(Kfix("gvisor nope").exit_code == 1);
  std::string cleanup = "rm -rf " + dir;
  CHECK(std::system(cleanup.c_str()) == 0);
}
