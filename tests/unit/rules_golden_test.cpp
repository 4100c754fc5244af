// Golden scan tests: every directory under tests/golden/scan/ is one case.
//
//   config.yaml      optional kfix/kube-linter configuration (default: defaults)
//   context.txt      optional: "per-file" to use LintContext::kPerFile
//   *.yaml, *.json   inputs, scanned together as one lint context (sorted by name)
//   expected.json    the expected report (canonical JSON compare; remediation
//                    texts and timing left out)
//
// Besides the golden compare, file names carry assertions that hold whatever
// the golden says: every finding's file must be `fire*`, and every `fire*`
// file must produce at least one finding; `pass*` files must produce none;
// `ignored*` files must produce ignored findings and no reported ones.
//
// KFIX_UPDATE_GOLDEN=1 rewrites expected.json (review the diff by hand).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "kfix/rules.hpp"

namespace fs = std::filesystem;

namespace {

std::string ReadAll(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

kfix::Value Strip(const kfix::ScanReport& report) {
  kfix::Value v = kfix::ScanReportToValue(report, /*include_time=*/false);
  for (const char* list : {"findings", "ignored"}) {
    for (kfix::Value& f : v.Find(list)->as_array()) f.Erase("remediation");
  }
  return v;
}

bool StartsWith(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

}  // namespace

TEST_CASE("golden scan cases") {
  const fs::path root = fs::path(KFIX_SOURCE_DIR) / "tests" / "golden" / "scan";
  REQUIRE(fs::is_directory(root));
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(root)) {
    if (e.is_directory()) cases.push_back(e.path());
  }
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 60);
  const bool update = std::getenv("KFIX_UPDATE_GOLDEN") != nullptr;
  for (const fs::path& dir : cases) {
    kfix::RulesConfig config;
    if (fs::exists(dir / "config.yaml")) {
      auto c = kfix::ParseRulesConfig(ReadAll(dir / "config.yaml"), "config.yaml");
      REQUIRE_MESSAGE(c.ok(), dir.string() << ": " << c.status().ToString());
      config = std::move(*c);
    }
    auto rules = kfix::RuleSet::Create(config);
    REQUIRE_MESSAGE(rules.ok(), dir.string() << ": " << rules.status().ToString());
    kfix::ScanOptions opts;
    if (fs::exists(dir / "context.txt") && ReadAll(dir / "context.txt").rfind("per-file", 0) == 0) {
      opts.context = kfix::LintContext::kPerFile;
    }
    std::vector<std::string> inputs;
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string name = e.path().filename().string();
      if (name == "config.yaml" || name == "expected.json" || name == "context.txt") continue;
      inputs.push_back(name);
    }
    std::sort(inputs.begin(), inputs.end());
    REQUIRE(!inputs.empty());
    std::vector<kfix::Manifest> manifests;
    std::vector<kfix::Status> load_errors;
    for (const std::string& name : inputs) {
      kfix::LoadResult r = kfix::LoadManifests(ReadAll(dir / name), name);
      for (auto& m : r.manifests) manifests.push_back(std::move(m));
      for (auto& s : r.errors) load_errors.push_back(std::move(s));
    }
    kfix::ScanReport report = (*rules)->Scan(manifests, opts);
    report.errors = load_errors;

    // File-name assertions.
    std::map<std::string, int> reported, ignored;
    for (const kfix::Finding& f : report.findings) ++reported[f.file];
    for (const kfix::Finding& f : report.ignored) ++ignored[f.file];
    const std::string case_name = dir.filename().string();
    for (const std::string& name : inputs) {
      const std::string where = case_name + "/" + name;
      if (StartsWith(name, "fire")) CHECK_MESSAGE(reported[name] > 0, where << ": expected findings");
      if (StartsWith(name, "pass")) CHECK_MESSAGE(reported[name] == 0, where << ": expected no findings");
      if (StartsWith(name, "ignored")) {
        CHECK_MESSAGE(reported[name] == 0, where << ": expected no reported findings");
        CHECK_MESSAGE(ignored[name] > 0, where << ": expected ignored findings");
      }
    }
    for (const auto& [file, n] : reported) {
      if (n > 0) CHECK_MESSAGE(StartsWith(file, "fire"), case_name << "/" << file << ": unexpected findings");
    }
    // Every finding has a real position and a pointer.
    for (const kfix::Finding& f : report.findings) {
      CHECK_MESSAGE(f.line > 0, f.file << " " << f.check);
      CHECK_MESSAGE(f.column > 0, f.file << " " << f.check);
    }

    kfix::Value actual = Strip(report);
    const fs::path golden = dir / "expected.json";
    if (update) {
      std::ofstream(golden, std::ios::binary) << kfix::ToJson(actual, kfix::JsonStyle::kPretty) << "\n";
      continue;
    }
    REQUIRE_MESSAGE(fs::exists(golden), "missing expected.json (run with KFIX_UPDATE_GOLDEN=1 and review)");
    auto expected = kfix::ParseJson(ReadAll(golden));
    REQUIRE(expected.ok());
    CHECK_MESSAGE(kfix::ToJson(*expected, kfix::JsonStyle::kCanonical) == kfix::ToJson(actual, kfix::JsonStyle::kCanonical),
                  case_name << " differs from expected.json; actual:\n" << kfix::ToJson(actual, kfix::JsonStyle::kPretty));
  }
}
