// Risk layer: CISA KEV catalog and Trivy image-report loaders, and the full scoring path over them.
#include <doctest/doctest.h>

#include <string>

#include "kfix/risk.hpp"

namespace {
const std::string kData = std::string(KFIX_SOURCE_DIR) + "/tests/data/risk/";
}  // namespace

TEST_CASE("KEV catalog: entries, metadata, ransomware flag, malformed entries with lines") {
  auto kev = kfix::LoadKevJson(kData + "kev_sample.json");
  REQUIRE(kev.ok());
  CHECK(kev->catalog_version == "2026.11.20");
  CHECK(kev->date_released == "2026-11-20T17:01:12.3456Z");
  CHECK(kev->entries.size() == 2);
  REQUIRE(kev->Find("cve-2021-44228") != nullptr);
  CHECK(kev->Find("CVE-2021-44228")->known_ransomware_use);
  CHECK(kev->Find("CVE-2021-44228")->date_added == "2021-12-10");
  REQUIRE(kev->Find("CVE-2023-44487") != nullptr);
  CHECK_FALSE(kev->Find("CVE-2023-44487")->known_ransomware_use);
  CHECK(kev->Find("CVE-2000-0001") == nullptr);
  REQUIRE(kev->malformed.size() == 2);
  CHECK(kev->malformed[0].location().line == 33);
  CHECK(kev->malformed[1].location().line == 38);
}

TEST_CASE("KEV: bare array, wrong shapes and bad JSON") {
  auto arr = kfix::ParseKevJson(R"([{"cveID":"CVE-2020-0001"},{"cve_id":"CVE-2020-0002"}])", "a.json");
  REQUIRE(arr.ok());
  CHECK(arr->entries.size() == 2);
  auto no_list = kfix::ParseKevJson(R"({"title":"x"})", "b.json");
  REQUIRE_FALSE(no_list.ok());
  CHECK(no_list.status().code() == kfix::StatusCode::kParseError);
  auto scalar = kfix::ParseKevJson("42", "c.json");
  REQUIRE_FALSE(scalar.ok());
  CHECK(scalar.status().code() == kfix::StatusCode::kParseError);
  auto broken = kfix::ParseKevJson("{\"vulnerabilities\": [", "d.json");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.status().code() == kfix::StatusCode::kParseError);
  CHECK(broken.status().location().file == "d.json");
}

TEST_CASE("Trivy report: per-image CVEs, de-duplicated, CVSS max, malformed counted") {
  kfix::ImageVulnerabilities iv;
  REQUIRE(kfix::LoadTrivyReport(kData + "trivy_nginx.json", iv).ok());
  REQUIRE(iv.by_image.count("nginx:1.19") == 1);
  const auto& v = iv.by_image["nginx:1.19"];
  REQUIRE(v.size() == 3);
  CHECK(v[0].id == "CVE-2023-44487");
  CHECK(v[0].package == "libnghttp2-14");
  CHECK(v[0].cvss == doctest::Approx(7.5));
  CHECK(v[1].id == "CVE-2022-37434");
  CHECK(v[1].severity == "CRITICAL");
  CHECK(v[1].cvss == doctest::Approx(9.8));
  CHECK(v[2].id == "CVE-2021-44228");
  REQUIRE(iv.malformed.size() == 1);
  CHECK(iv.malformed[0].location().line == 41);

  kfix::ImageVulnerabilities bad;
  CHECK(kfix::AddTrivyReport(R"({"Results":[]})", "x.json", bad).code() == kfix::StatusCode::kParseError);
  CHECK(kfix::AddTrivyReport("not json", "x.json", bad).code() == kfix::StatusCode::kParseError);
  CHECK(kfix::AddTrivyReport(R"([{"ArtifactName":"a:1"},{"ArtifactName":"b:2","Results":null}])", "y.json", bad)
            .ok());
  CHECK(bad.by_image.size() == 2);
}

TEST_CASE("scoring from real-shaped feeds") {
  auto epss = kfix::LoadEpssCsv(kData + "epss_sample.csv.gz");
  auto kev = kfix::LoadKevJson(kData + "kev_sample.json");
  kfix::ImageVulnerabilities iv;
  REQUIRE(epss.ok());
  REQUIRE(kev.ok());
  REQUIRE(kfix::LoadTrivyReport(kData + "trivy_nginx.json", iv).ok());
  kfix::RiskConfig cfg;
  cfg.ransomware_weight = 5;
  kfix::RiskScorer scorer(cfg, kfix::RiskFeeds{&*epss, &*kev, &iv});
  kfix::Finding f;
  f.check = "readiness-port";
  f.policy = "readiness_port";
  kfix::RiskResult r = scorer.Score(f, {"nginx:1.19"});
  // base 50 + vuln (5+5+3) + epss 10*0.97565 + kev 10 + ransomware 5 = 87.7565 -> 87.76
  CHECK(r.risk == doctest::Approx(87.76));
  CHECK(r.kev);
  CHECK(r.max_epss == doctest::Approx(0.97565));
  kfix::Value v = kfix::RiskResultToValue(r);
  REQUIRE(v.Find("terms") != nullptr);
  CHECK(v.Find("terms")->size() == 5);
  CHECK(v.Find("cves")->size() == 3);
}
