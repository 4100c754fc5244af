// Risk layer: EPSS CSV loader (plain and gzip, FIRST's real header shape) and scoring terms.
#include <doctest/doctest.h>

#include <string>

#include "kfix/risk.hpp"

namespace {

const std::string kData = std::string(KFIX_SOURCE_DIR) + "/tests/data/risk/";

kfix::Finding MakeFinding(std::string check, std::string policy, std::string container = "") {
  kfix::Finding f;
  f.check = std::move(check);
  f.policy = std::move(policy);
  f.container = std::move(container);
  f.object.kind = "Deployment";
  f.object.name = "web";
  return f;
}

void CheckSampleTable(const kfix::EpssTable& t) {
  CHECK(t.model_version == "v2023.03.01");
  CHECK(t.score_date == "2026-11-21T00:00:00+0000");
  CHECK(t.rows == 9);
  CHECK(t.scores.size() == 4);
  REQUIRE(t.Find("CVE-2021-44228") != nullptr);
  CHECK(t.Find("cve-2021-44228")->epss == doctest::Approx(0.97565));
  CHECK(t.Find("CVE-2021-44228")->percentile == doctest::Approx(0.99996));
  // Duplicate: the last row wins, and the duplicate is reported.
  CHECK(t.Find("CVE-1999-0001")->epss == doctest::Approx(0.02));
  CHECK(t.Find("CVE-2022-0001") == nullptr);
  REQUIRE(t.malformed.size() == 5);
  int expected_lines[] = {7, 8, 9, 10, 11};
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(t.malformed[i].code() == kfix::StatusCode::kParseError);
    CHECK(t.malformed[i].location().line == expected_lines[i]);
    CHECK(t.malformed[i].location().file == t.source);
  }
}

}  // namespace

TEST_CASE("EPSS CSV with FIRST's #model_version comment line is read, not skipped") {
  auto t = kfix::LoadEpssCsv(kData + "epss_sample.csv");
  REQUIRE(t.ok());
  CheckSampleTable(*t);
}

TEST_CASE("EPSS CSV gzip input is inflated") {
  auto t = kfix::LoadEpssCsv(kData + "epss_sample.csv.gz");
  REQUIRE(t.ok());
  CheckSampleTable(*t);
}

TEST_CASE("EPSS CSV edge cases") {
  SUBCASE("no comment line, reordered columns, CRLF") {
    auto t = kfix::ParseEpssCsv("percentile,EPSS,CVE\r\n0.5,0.25,CVE-2020-1234\r\n", "x.csv");
    REQUIRE(t.ok());
    CHECK(t->model_version.empty());
    REQUIRE(t->Find("CVE-2020-1234") != nullptr);
    CHECK(t->Find("CVE-2020-1234")->epss == doctest::Approx(0.25));
    CHECK(t->malformed.empty());
  }
  SUBCASE("header without an epss column is an error with its line") {
    auto t = kfix::ParseEpssCsv("#model_version:v1,score_date:x\ncve,score2\n", "bad.csv");
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().code() == kfix::StatusCode::kParseError);
    CHECK(t.status().location().line == 2);
  }
  SUBCASE("empty input has no header") {
    auto t = kfix::ParseEpssCsv("", "empty.csv");
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().code() == kfix::StatusCode::kParseError);
  }
  SUBCASE("corrupt gzip is a parse error, not a crash") {
    std::string junk = "\x1f\x8b\x08\x00garbage-garbage";
    auto t = kfix::ParseEpssCsv(junk, "junk.gz");
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().code() == kfix::StatusCode::kParseError);
  }
  SUBCASE("missing file is an I/O error naming the path") {
    auto t = kfix::LoadEpssCsv(kData + "does-not-exist.csv");
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().code() == kfix::StatusCode::kIoError);
    CHECK(t.status().location().file.find("does-not-exist.csv") != std::string::npos);
  }
}

TEST_CASE("base weight: one table, check override, default") {
  kfix::RiskScorer scorer(kfix::RiskConfig{}, kfix::RiskFeeds{});
  CHECK(scorer.BaseWeight("privileged-container", "no_privileged") == 85);
  CHECK(scorer.BaseWeight("env-var-secret", "env_var_secret") == 78);
  CHECK(scorer.BaseWeight("latest-tag", "no_latest_tag") == 50);
  CHECK(scorer.BaseWeight("dangling-service", "dangling_service") == 40);
  CHECK(scorer.BaseWeight("custom", "") == 40);
  kfix::RiskConfig cfg;
  cfg.check_weights["latest-tag"] = 12;
  cfg.default_weight = 7;
  kfix::RiskScorer custom(cfg, kfix::RiskFeeds{});
  CHECK(custom.BaseWeight("latest-tag", "no_latest_tag") == 12);
  CHECK(custom.BaseWeight("custom", "") == 7);
}

TEST_CASE("without image data the score is the base weight and EPSS/KEV do nothing") {
  kfix::EpssTable epss;
  epss.scores["CVE-2021-44228"] = {0.97, 0.99};
  kfix::KevCatalog kev;
  kev.entries["CVE-2021-44228"] = {"CVE-2021-44228", "2021-12-10", true};
  kfix::RiskFeeds feeds;
  feeds.epss = &epss;
  feeds.kev = &kev;
  kfix::RiskScorer scorer(kfix::RiskConfig{}, feeds);
  kfix::RiskResult r = scorer.Score(MakeFinding("privileged-container", "no_privileged"), {"nginx:1.19"});
  CHECK(r.risk == 85);
  CHECK_FALSE(r.kev);
  REQUIRE(r.terms.size() == 5);
  CHECK(r.terms[0].name == "base");
  CHECK(r.terms[2].value == 0);
  CHECK(r.terms[3].value == 0);
}

TEST_CASE("image CVEs drive vuln, EPSS and KEV terms, with a breakdown") {
  kfix::ImageVulnerabilities images;
  images.by_image["nginx:1.19"] = {
      {"CVE-2021-44228", "log4j", "CRITICAL", 10.0},
      {"CVE-2023-44487", "nghttp2", "HIGH", 7.5},
      {"CVE-2019-5736", "runc", "MEDIUM", 6.0},
      {"GHSA-xxxx-yyyy", "npm-pkg", "LOW", -1},
  };
  kfix::EpssTable epss;
  epss.scores["CVE-2021-44228"] = {0.5, 0.9};
  epss.scores["CVE-2023-44487"] = {0.8, 0.98};
  kfix::KevCatalog kev;
  kev.entries["CVE-2023-44487"] = {"CVE-2023-44487", "2023-10-10", false};
  kfix::RiskFeeds feeds{&epss, &kev, &images};
  kfix::RiskScorer scorer(kfix::RiskConfig{}, feeds);

  // docker.io/library/nginx:1.19 names the same image as nginx:1.19.
  kfix::RiskResult r = scorer.Score(MakeFinding("latest-tag", "no_latest_tag"), {"docker.io/library/nginx:1.19"});
  // base 50 + vuln (5 + 3 + 1 + 0) + epss 10*0.8 + kev 10 = 77
  CHECK(r.risk == doctest::Approx(77.0));
  CHECK(r.kev);
  CHECK(r.max_epss == doctest::Approx(0.8));
  CHECK(r.cves == std::vector<std::string>{"CVE-2019-5736", "CVE-2021-44228", "CVE-2023-44487"});
  CHECK(r.terms[1].value == doctest::Approx(9.0));
  CHECK(r.terms[2].value == doctest::Approx(8.0));
  CHECK(r.terms[2].detail.find("CVE-2023-44487") != std::string::npos);
  CHECK(r.terms[3].value == doctest::Approx(10.0));

  // Capped at 100.
  kfix::RiskResult high = scorer.Score(MakeFinding("privileged-container", "no_privileged"), {"nginx:1.19"});
  CHECK(high.risk == 100);

  // An unrelated image gets nothing.
  kfix::RiskResult other = scorer.Score(MakeFinding("latest-tag", "no_latest_tag"), {"redis:7"});
  CHECK(other.risk == 50);
  CHECK(other.cves.empty());
}

TEST_CASE("vuln term cap and ransomware weight are configurable") {
  kfix::ImageVulnerabilities images;
  for (int i = 0; i < 20; ++i) {
    images.by_image["app:1"].push_back({"CVE-2020-" + std::to_string(1000 + i), "p", "CRITICAL", 9.8});
  }
  kfix::KevCatalog kev;
  kev.entries["CVE-2020-1000"] = {"CVE-2020-1000", "2022-01-01", true};
  kfix::RiskConfig cfg;
  cfg.vuln_cap = 20;
  cfg.ransomware_weight = 5;
  cfg.default_weight = 10;
  kfix::RiskScorer scorer(cfg, kfix::RiskFeeds{nullptr, &kev, &images});
  kfix::RiskResult r = scorer.Score(MakeFinding("x", ""), {"app:1"});
  CHECK(r.terms[1].value == 20);
  CHECK(r.terms[3].value == 15);
  CHECK(r.risk == 45);
}

TEST_CASE("ATT&CK term is optional and maps misconfigurations to techniques") {
  CHECK(kfix::AttackTechniquesFor("privileged-container", "") == std::vector<std::string>{"T1611"});
  CHECK(kfix::AttackTechniquesFor("whatever", "env_var_secret") == std::vector<std::string>{"T1552"});
  CHECK(kfix::AttackTechniquesFor("default-service-account", "") == std::vector<std::string>{"T1078"});
  CHECK(kfix::AttackTechniquesFor("unset-memory-requirements", "set_requests_limits") ==
        std::vector<std::string>{"T1499"});
  CHECK(kfix::AttackTechniquesFor("dangling-service", "dangling_service").empty());

  kfix::RiskScorer off(kfix::RiskConfig{}, kfix::RiskFeeds{});
  kfix::RiskResult r0 = off.Score(MakeFinding("docker-sock", "no_host_path"), {});
  CHECK(r0.risk == 80);
  CHECK(r0.attack_techniques == std::vector<std::string>{"T1611", "T1610"});
  kfix::RiskConfig cfg;
  cfg.attack_enabled = true;
  kfix::RiskScorer on(cfg, kfix::RiskFeeds{});
  kfix::RiskResult r1 = on.Score(MakeFinding("docker-sock", "no_host_path"), {});
  CHECK(r1.risk == 95);  // 80 + max(T1611 15, T1610 8)
  CHECK(r1.terms[4].detail == "ATT&CK T1611");
}

TEST_CASE("WorkloadImages walks every container group and honours the container name") {
  kfix::Value obj = kfix::Value::MakeObject();
  obj.Set("kind", "CronJob");
  kfix::Value c1 = kfix::Value::MakeObject();
  c1.Set("name", "main");
  c1.Set("image", "app:2");
  kfix::Value c0 = kfix::Value::MakeObject();
  c0.Set("name", "init");
  c0.Set("image", "busybox:1.36");
  kfix::Value spec = kfix::Value::MakeObject();
  spec.Set("initContainers", kfix::Value(kfix::Value::Array{c0}));
  spec.Set("containers", kfix::Value(kfix::Value::Array{c1, c1}));
  kfix::Value tmpl = kfix::Value::MakeObject();
  tmpl.Set("spec", spec);
  kfix::Value jspec = kfix::Value::MakeObject();
  jspec.Set("template", tmpl);
  kfix::Value jt = kfix::Value::MakeObject();
  jt.Set("spec", jspec);
  kfix::Value top = kfix::Value::MakeObject();
  top.Set("jobTemplate", jt);
  obj.Set("spec", top);
  CHECK(kfix::WorkloadImages(obj) == std::vector<std::string>{"busybox:1.36", "app:2"});
  CHECK(kfix::WorkloadImages(obj, "main") == std::vector<std::string>{"app:2"});
  CHECK(kfix::WorkloadImages(obj, "nope") == std::vector<std::string>{"busybox:1.36", "app:2"});
  kfix::Value svc = kfix::Value::MakeObject();
  svc.Set("kind", "Service");
  CHECK(kfix::WorkloadImages(svc).empty());
}

TEST_CASE("ScoreFindings takes images from the finding's object and keeps order") {
  kfix::Manifest m;
  m.file = "pod.yaml";
  m.root = kfix::Value::MakeObject();
  m.root.Set("kind", "Pod");
  kfix::Value c = kfix::Value::MakeObject();
  c.Set("name", "app");
  c.Set("image", "nginx:1.19");
  kfix::Value spec = kfix::Value::MakeObject();
  spec.Set("containers", kfix::Value(kfix::Value::Array{c}));
  m.root.Set("spec", spec);
  kfix::ImageVulnerabilities images;
  images.by_image["nginx:1.19"] = {{"CVE-2021-44228", "log4j", "CRITICAL", 10.0}};
  kfix::KevCatalog kev;
  kev.entries["CVE-2021-44228"] = {"CVE-2021-44228", "2021-12-10", true};
  kfix::RiskScorer scorer(kfix::RiskConfig{}, kfix::RiskFeeds{nullptr, &kev, &images});
  std::vector<kfix::Finding> findings = {MakeFinding("privileged-container", "no_privileged", "app"),
                                         MakeFinding("latest-tag", "no_latest_tag", "app")};
  findings[1].object_index = 7;  // out of range: no images, base weight only
  auto scored = kfix::ScoreFindings(scorer, findings, {m});
  REQUIRE(scored.size() == 2);
  CHECK(scored[0].risk.images == std::vector<std::string>{"nginx:1.19"});
  CHECK(scored[0].risk.kev);
  CHECK(scored[0].risk.risk == 100);  // 85 + 5 + 10
  CHECK(scored[1].risk.images.empty());
  CHECK(scored[1].risk.risk == 50);
  kfix::RiskReport report;
  report.results = scored;
  kfix::Value v = kfix::RiskReportToValue(report);
  REQUIRE(v.Find("results") != nullptr);
  CHECK(v.Find("results")->as_array()[0].Find("risk")->as_number() == 100);
  CHECK(v.Find("results")->as_array()[0].Find("object")->Find("kind")->as_string() == "Deployment");
}
