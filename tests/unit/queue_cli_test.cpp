// `kfix queue` CLI: enqueue from a fix report (idempotent), lease (exit 3 when empty), ack, nack, stats.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "kfix/core.hpp"

namespace {

struct Run {
  int exit_code = -1;
  std::string out;
};

Run Kfix(const std::string& args) {
  Run r;
  std::string cmd = std::string(KFIX_CLI_PATH) + " " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

kfix::Value Json(const std::string& text) {
  auto v = kfix::ParseJson(text);
  REQUIRE(v.ok());
  return *v;
}

}  // namespace

TEST_CASE("kfix queue end to end") {
  char dir_tmpl[] = "/tmp/kfix-queue-cli-XXXXXX";
  REQUIRE(mkdtemp(dir_tmpl) != nullptr);
  std::string dir = dir_tmpl;
  std::string db = dir + "/q.db", results = dir + "/fix.json";
  {
    std::ofstream out(results);
    out << R"({"schemaVersion":1,"results":[
 {"check":"privileged-container","policy":"no_privileged","file":"a.yaml","document":0,
  "object":{"apiVersion":"apps/v1","kind":"Deployment","namespace":"prod","name":"web"},"container":"app",
  "status":"accepted","patch":[{"op":"replace","path":"/spec/template/spec/containers/0/securityContext/privileged","value":false}],
  "risk":{"risk":85}},
 {"check":"latest-tag","policy":"no_latest_tag","object":{"apiVersion":"v1","kind":"Pod","namespace":"dev","name":"p"},
  "status":"accepted","patch":[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.25"}],"risk":50},
 {"check":"latest-tag","status":"refused","object":{"kind":"Pod","name":"x"}}
]})";
  }
  Run e1 = Kfix("queue --db " + db + " enqueue --results " + results);
  REQUIRE(e1.exit_code == 0);
  kfix::Value v1 = Json(e1.out);
  CHECK(v1.Find("schemaVersion")->as_int() == 1);
  CHECK(v1.Find("enqueued")->as_int() == 2);
  Run e2 = Kfix("queue --db " + db + " enqueue --results " + results);
  CHECK(Json(e2.out).Find("duplicates")->as_int() == 2);

  Run l1 = Kfix("queue --db " + db + " lease --worker w1 --lease-seconds 600");
  REQUIRE(l1.exit_code == 0);
  kfix::Value item = Json(l1.out);
  CHECK(item.Find("check")->as_string() == "privileged-container");  // riskier first
  CHECK(item.Find("state")->as_string() == "leased");
  CHECK(item.Find("record")->Find("container")->as_string() == "app");
  std::int64_t id1 = item.Find("id")->as_int();

  Run l2 = Kfix("queue --db " + db + " lease --worker w2");
  REQUIRE(l2.exit_code == 0);
  std::int64_t id2 = Json(l2.out).Find("id")->as_int();
  CHECK(Kfix("queue --db " + db + " lease").exit_code == 3);

  CHECK(Kfix("queue --db " + db + " ack " + std::to_string(id1)).exit_code == 0);
  CHECK(Kfix("queue --db " + db + " ack " + std::to_string(id1)).exit_code == 1);
  Run n = Kfix("queue --db " + db + " nack " + std::to_string(id2) + " --reason 'dry-run failed'");
  REQUIRE(n.exit_code == 0);
  CHECK(Json(n.out).Find("state")->as_string() == "queued");

  Run st = Kfix("queue --db " + db + " stats");
  REQUIRE(st.exit_code == 0);
  kfix::Value sv = Json(st.out);
  CHECK(sv.Find("schemaVersion")->as_int() == 1);
  CHECK(sv.Find("states")->Find("acked")->as_int() == 1);
  CHECK(sv.Find("states")->Find("queued")->as_int() == 1);
  CHECK(sv.Find("total")->as_int() == 2);

  CHECK(Kfix("queue --db " + db + " reprioritise --exploration thompson --seed 3").exit_code == 0);
  // Usage errors.
  CHECK(Kfix("queue enqueue --results " + results).exit_code == 1);
  CHECK(Kfix("queue --db " + db + " ack notanumber").exit_code == 1);
  CHECK(Kfix("queue --db " + db + " frobnicate").exit_code == 1);
  CHECK(Kfix("queue --db " + db + " enqueue --results " + dir + "/missing.json").exit_code == 1);
  for (const char* f : {"/q.db", "/q.db-wal", "/q.db-shm", "/fix.json"}) std::remove((dir + f).c_str());
  rmdir(dir.c_str());
}
