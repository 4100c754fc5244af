// `kfix risk` and `kfix schedule` CLIs over small manifests and the sample feeds.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "kfix/core.hpp"

namespace {

const std::string kData = std::string(KFIX_SOURCE_DIR) + "/tests/data/risk/";

struct Run {
  int exit_code = -1;
  std::string out;
};

Run Kfix(const std::string& args) {
  Run r;
  std::string cmd = std::string(KFIX_CLI_PATH) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// stdout only (the commands print warnings/progress on stderr).
Run KfixOut(const std::string& args) {
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

const kfix::Value* FindResult(const kfix::Value& results, const std::string& check) {
  for (const kfix::Value& r : results.as_array()) {
    if (r.Find("check")->as_string() == check) return &r;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("kfix risk scores findings with feeds and reports malformed feed rows") {
  Run r = KfixOut("risk --epss " + kData + "epss_sample.csv.gz --kev " + kData + "kev_sample.json --trivy " + kData +
                  "trivy_nginx.json " + kData + "manifests");
  REQUIRE(r.exit_code == 0);
  auto v = kfix::ParseJson(r.out);
  REQUIRE(v.ok());
  CHECK(v->Find("schemaVersion")->as_int() == 2);
  const kfix::Value* feeds = v->Find("feeds");
  REQUIRE(feeds != nullptr);
  CHECK(feeds->Find("epss")->Find("modelVersion")->as_string() == "v2023.03.01");
  CHECK(feeds->Find("epss")->Find("malformed")->as_int() == 5);
  CHECK(feeds->Find("kev")->Find("entries")->as_int() == 2);
  const kfix::Value* results = v->Find("results");
  REQUIRE(results != nullptr);
  const kfix::Value* priv = FindResult(*results, "privileged-container");
  REQUIRE(priv != nullptr);
  CHECK(priv->Find("risk")->as_number() == 100);  // 85 + 13 + 9.76 + 10, capped
  CHECK(priv->Find("kev")->as_bool());
  CHECK(priv->Find("terms")->size() == 5);
  const kfix::Value* latest = FindResult(*results, "latest-tag");
  REQUIRE(latest != nullptr);
  CHECK(latest->Find("risk")->as_number() == 50);  // busybox:latest has no vulnerability data
  CHECK(latest->Find("cves")->size() == 0);

  Run warn = Kfix("risk --epss " + kData + "epss_sample.csv " + kData + "manifests");
  CHECK(warn.out.find("epss_sample.csv:7:") != std::string::npos);

  Run attack = KfixOut("risk --attack " + kData + "manifests");
  auto av = kfix::ParseJson(attack.out);
  REQUIRE(av.ok());
  CHECK(FindResult(*av->Find("results"), "privileged-container")->Find("risk")->as_number() == 100);  // 85 + 15
  CHECK(FindResult(*av->Find("results"), "latest-tag")->Find("risk")->as_number() == 55);              // 50 + 5
}

TEST_CASE("kfix risk errors: bad manifest, missing feed") {
  Run bad = Kfix("risk " + kData + "broken");
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.find("broken.yaml:") != std::string::npos);
  Run missing = Kfix("risk --kev " + kData + "nope.json " + kData + "manifests");
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.find("nope.json") != std::string::npos);
}

TEST_CASE("kfix schedule simulate and rank") {
  Run sim = KfixOut("schedule simulate --top 1 --format json " + kData + "manifests");
  REQUIRE(sim.exit_code == 0);
  auto v = kfix::ParseJson(sim.out);
  REQUIRE(v.ok());
  CHECK(v->Find("topK")->as_int() == 1);
  const kfix::Value& policy = v->Find("orderings")->as_array()[1];
  CHECK(policy.Find("name")->as_string() == "policy");
  CHECK(policy.Find("topKMedianRank")->as_number() == 1);
  Run md = KfixOut("schedule simulate --top 2 " + kData + "manifests");
  REQUIRE(md.exit_code == 0);
  CHECK(md.out.find("| policy |") != std::string::npos);
  Run rank = KfixOut("schedule rank --exploration none " + kData + "manifests");
  REQUIRE(rank.exit_code == 0);
  auto rv = kfix::ParseJson(rank.out);
  REQUIRE(rv.ok());
  const kfix::Value& first = rv->Find("items")->as_array()[0];
  CHECK(first.Find("rank")->as_int() == 1);
  CHECK(first.Find("R")->as_number() == 85);
  CHECK(first.Find("p")->as_number() == doctest::Approx(0.9));
  // Thompson sampling: same seed, same ranking; the draws make p differ from the prior mean.
  Run t1 = KfixOut("schedule rank --exploration thompson --seed 9 " + kData + "manifests");
  Run t2 = KfixOut("schedule rank --exploration thompson --seed 9 " + kData + "manifests");
  REQUIRE(t1.exit_code == 0);
  CHECK(t1.out == t2.out);
  auto tv = kfix::ParseJson(t1.out);
  REQUIRE(tv.ok());
  CHECK(tv->Find("items")->as_array()[0].Find("p")->as_number() != doctest::Approx(0.9));
  CHECK(KfixOut("schedule simulate --fairness lottery " + kData + "manifests").exit_code == 1);
  CHECK(KfixOut("schedule juggle " + kData + "manifests").exit_code == 1);
}
