// The HTML report: RenderHtmlReport over a real run and over hand-made
// documents, LoadRunDirectory's errors, and the CLI.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "core/json_internal.hpp"
#include "kfix/pipeline.hpp"
#include "kfix/report.hpp"

namespace fs = std::filesystem;

namespace {

fs::path TempDir(const std::string& name) {
  fs::path dir = fs::path(KFIX_BINARY_DIR) / "tests" / ("report_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

constexpr const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: nginx
          image: nginx:1.25.3
        - name: sidecar
          image: registry.example.com/sidecar:latest
)";

kfix::PipelineResult RunOn(const std::string& yaml, const std::string& file) {
  kfix::LoadResult loaded = kfix::LoadManifests(yaml, file);
  REQUIRE(loaded.errors.empty());
  auto rules = kfix::RuleSet::Create(kfix::RulesConfig{});
  REQUIRE(rules.ok());
  kfix::PipelineOptions options;
  options.now = 1796433401.0;
  kfix::Result<kfix::PipelineResult> run = kfix::RunPipelineOnObjects(std::move(loaded.manifests), *rules, options);
  REQUIRE(run.ok());
  return std::move(*run);
}

/// The value of the summary tile `key` as printed in the page.
std::string Tile(const std::string& html, const std::string& key) {
  std::smatch m;
  const std::regex re("data-key=\"" + key + "\"><div class=\"n\">([^<]*)</div>");
  if (!std::regex_search(html, m, re)) return "<missing>";
  return m[1];
}

/// The diffs of the table's JSON block.
std::vector<std::string> Diffs(const std::string& html) {
  const std::string open = "id=\"kfix-data\">";
  const std::size_t b = html.find(open);
  const std::size_t e = html.find("</script>", b);
  REQUIRE(b != std::string::npos);
  kfix::Result<kfix::Value> data = kfix::ParseJson(html.substr(b + open.size(), e - b - open.size()));
  REQUIRE(data.ok());
  std::vector<std::string> out;
  for (const kfix::Value& d : data->Find("diffs")->as_array()) out.push_back(d.as_string());
  return out;
}

/// Whether some diff adds a line ending in `text`.
bool DiffAdds(const std::string& html, const std::string& text) {
  for (const std::string& d : Diffs(html)) {
    std::size_t p = 0;
    while ((p = d.find(text, p)) != std::string::npos) {
      const std::size_t line = d.rfind('\n', p);
      const std::size_t start = line == std::string::npos ? 0 : line + 1;
      if (d[start] == '+' && d.find_first_not_of(' ', start + 1) == p) return true;
      ++p;
    }
  }
  return false;
}

kfix::Value Parse(const std::string& json) {
  kfix::Result<kfix::Value> v = kfix::ParseJson(json);
  REQUIRE(v.ok());
  return std::move(*v);
}

}  // namespace

TEST_CASE("report: a real run's counts, charts and table data, with nothing fetched from the network") {
  const kfix::PipelineResult run = RunOn(kDeployment, "web.yaml");
  kfix::ReportOptions options;
  options.objects = &run.fix.manifests;
  kfix::Result<std::string> html = kfix::RenderHtmlReport(kfix::RunDocumentsFromPipeline(run), options);
  REQUIRE(html.ok());
  const std::string& h = *html;

  CHECK(Tile(h, "findings") == std::to_string(run.summary.findings));
  CHECK(Tile(h, "accepted") == std::to_string(run.summary.accepted));
  CHECK(Tile(h, "objects") == std::to_string(run.summary.objects));
  CHECK(run.summary.findings > 3);
  for (const char* id : {"chart-checks", "chart-severity", "chart-status", "chart-risk", "chart-schedule",
                         "curve-policy", "curve-fifo", "findings-table", "kfix-data"}) {
    CHECK_MESSAGE(h.find(std::string("id=\"") + id + "\"") != std::string::npos, id);
  }
  CHECK(h.find("data-total=\"" + std::to_string(run.summary.findings) + "\"") != std::string::npos);
  // The latest tag needs review: its bar has a needs-review segment.
  REQUIRE(run.summary.needs_review > 0);
  CHECK(h.find("latest-tag: " + std::to_string(run.summary.by_check.at("latest-tag").at("needs_review")) +
               " need review") != std::string::npos);
  // Every check with a finding has a bar.
  for (const kfix::Finding& f : run.fix.scan.findings) CHECK(h.find(">" + f.check + "</text>") != std::string::npos);

  // Self-contained: no external resource of any kind.
  for (const char* bad : {"src=", "href=", "<link", "@import", "url(", "://"}) {
    CHECK_MESSAGE(h.find(bad) == std::string::npos, bad);
  }
  // Diffs of the object: the accepted readOnlyRootFilesystem fix is an added line.
  CHECK(DiffAdds(h, "readOnlyRootFilesystem: true"));
  CHECK(Diffs(h).front().rfind("--- a/web.yaml\n+++ b/web.yaml\n@@ ", 0) == 0);

  // Deterministic.
  kfix::Result<std::string> again = kfix::RenderHtmlReport(kfix::RunDocumentsFromPipeline(run), options);
  REQUIRE(again.ok());
  CHECK(*again == h);
}

TEST_CASE("report: hostile strings cannot break out of the page, and output is valid UTF-8") {
  kfix::RunDocuments run;
  run.summary = Parse(R"({"schemaVersion": 2, "findings": 1, "accepted": 0})");
  run.fixes = Parse(R"({"results": [{"check": "</script><script>alert(1)</script>", "file": "<b>x.yaml",
      "line": 3, "status": "rejected", "message": "<!-- m",
      "gates": [{"name": "privilege", "passed": false, "detail": "\"quoted\" & <tag>"}],
      "patch": [{"op": "add", "path": "/a", "value": "</script>"}]}],
      "errors": [{"file": "bad.yaml", "line": 2, "message": "<img src=x onerror=alert(1)>"}]})");
  // An invalid UTF-8 byte in a string that came from elsewhere.
  run.fixes.Find("results")->as_array()[0].Set("container", kfix::Value(std::string("c\xff")));
  kfix::ReportOptions options;
  options.diffs = false;
  kfix::Result<std::string> html = kfix::RenderHtmlReport(run, options);
  REQUIRE(html.ok());
  CHECK(html->find("<script>alert") == std::string::npos);
  CHECK(html->find("<img") == std::string::npos);
  CHECK(html->find("<b>x") == std::string::npos);
  CHECK(html->find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
  CHECK(kfix::internal::FindInvalidUtf8(*html) == std::string::npos);
  // Exactly two script elements: the data block and the table script.
  std::size_t scripts = 0;
  for (std::size_t p = html->find("<script"); p != std::string::npos; p = html->find("<script", p + 1)) ++scripts;
  CHECK(scripts == 2);
  // The refusing gate is named in the status chart.
  CHECK(html->find("refused by the privilege gate") != std::string::npos);
}

TEST_CASE("report: the schedule curve compares the scheduler's order with FIFO order") {
  kfix::RunDocuments run;
  run.summary = Parse(R"({"findings": 4, "accepted": 4})");
  run.fixes = Parse(R"({"results": []})");
  // FIFO (result order) serves the risks 10, 10, 10, 70; the schedule serves 70 first.
  run.schedule = Parse(R"({"now": 0, "items": [
      {"rank": 1, "result": 3, "risk": 70}, {"rank": 2, "result": 0, "risk": 10},
      {"rank": 3, "result": 1, "risk": 10}, {"rank": 4, "result": 2, "risk": 10}]})");
  kfix::Result<std::string> html = kfix::RenderHtmlReport(run);
  REQUIRE(html.ok());
  CHECK(html->find("Half of the risk is removed after 1 of 4 fixes in the scheduler&#39;s order, after 4 in FIFO order")
        != std::string::npos);
  // Mean share per position: policy (0.7+0.8+0.9+1)/4 = 85%, FIFO (0.1+0.2+0.3+1)/4 = 40%.
  CHECK(html->find("85% vs 40%") != std::string::npos);
}

TEST_CASE("report: diffs come from the files a run names, and fall back to the ops when a file is gone") {
  const fs::path dir = TempDir("sources");
  const fs::path manifest = dir / "web.yaml";
  WriteFile(manifest, kDeployment);
  const kfix::PipelineResult run = RunOn(kDeployment, manifest.string());
  const kfix::RunDocuments docs = kfix::RunDocumentsFromPipeline(run);

  kfix::Result<std::string> with_file = kfix::RenderHtmlReport(docs);
  REQUIRE(with_file.ok());
  CHECK(DiffAdds(*with_file, "readOnlyRootFilesystem: true"));

  fs::remove(manifest);
  kfix::Result<std::string> without = kfix::RenderHtmlReport(docs);
  REQUIRE(without.ok());
  CHECK_FALSE(DiffAdds(*without, "readOnlyRootFilesystem: true"));
  CHECK(without->find("object not available") != std::string::npos);
  CHECK(without->find("diffs not drawn for") != std::string::npos);
}

TEST_CASE("report: LoadRunDirectory names the file and the cause") {
  CHECK(kfix::LoadRunDirectory("/nonexistent/run").status().code() == kfix::StatusCode::kNotFound);

  const fs::path dir = TempDir("load");
  kfix::Result<kfix::RunDocuments> missing = kfix::LoadRunDirectory(dir.string());
  CHECK(missing.status().code() == kfix::StatusCode::kNotFound);
  CHECK(missing.status().message().find("summary.json") != std::string::npos);

  WriteFile(dir / "summary.json", "{\"findings\": 0}\n");
  WriteFile(dir / "fixes.json", "{\n  \"results\": [\n    {\"check\": }\n  ]\n}\n");
  kfix::Result<kfix::RunDocuments> bad = kfix::LoadRunDirectory(dir.string());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == kfix::StatusCode::kParseError);
  CHECK(bad.status().location().file == (dir / "fixes.json").string());
  CHECK(bad.status().location().line == 3);

  WriteFile(dir / "fixes.json", "{\"results\": {}}");
  kfix::Result<kfix::RunDocuments> shape = kfix::LoadRunDirectory(dir.string());
  CHECK(shape.status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK(shape.status().message().find("results") != std::string::npos);

  WriteFile(dir / "fixes.json", "{\"results\": []}");
  WriteFile(dir / "gvisor.json", R"({"workloads": [{"namespace": "shop", "compatibility": "incompatible"}]})");
  kfix::Result<kfix::RunDocuments> ok = kfix::LoadRunDirectory(dir.string());
  REQUIRE(ok.ok());
  REQUIRE(ok->extras.size() == 1);
  kfix::Result<std::string> html = kfix::RenderHtmlReport(*ok);
  REQUIRE(html.ok());
  CHECK(html->find("id=\"gvisor\"") != std::string::npos);

  // Quarantine records as JSON lines: a bad line names the file and line.
  WriteFile(dir / "quarantine.jsonl", "{\"finding_uid\": \"det-1\", \"status\": \"planned\", \"policy_name\": "
                                      "\"ce-quarantine-api-bad1b42434\", \"target\": {\"namespace\": \"payments\"}}\n\n"
                                      "{\"finding_uid\": \"det-2\", \"status\": \"skipped_deny_list\"}\n");
  kfix::Result<kfix::RunDocuments> q = kfix::LoadRunDirectory(dir.string());
  REQUIRE(q.ok());
  REQUIRE(q->extras.size() == 2);
  html = kfix::RenderHtmlReport(*q);
  REQUIRE(html.ok());
  CHECK(html->find("id=\"quarantine\"") != std::string::npos);
  CHECK(html->find("1 planned, 1 skipped_deny_list") != std::string::npos);
  CHECK(html->find("ce-quarantine-api-bad1b42434") != std::string::npos);
  WriteFile(dir / "quarantine.jsonl", "{\"finding_uid\": \"det-1\"}\n{\"finding_uid\": \n");
  kfix::Result<kfix::RunDocuments> bad_lines = kfix::LoadRunDirectory(dir.string());
  CHECK(bad_lines.status().code() == kfix::StatusCode::kParseError);
  CHECK(bad_lines.status().location().line == 2);
  fs::remove(dir / "quarantine.jsonl");

  // The incident watcher's decisions.
  WriteFile(dir / "incidents.json", R"({"incidents": [{}, {}], "new_actions": [{"apiVersion": "kars.azure.com/v1alpha1",
      "kind": "KarsSREAction", "metadata": {"namespace": "shop"},
      "spec": {"action": {"type": "scale-deployment", "params": {"replicas": 3}}, "approval": {}}}],
      "reused_actions": [], "alerts": {"sent": ["a"], "suppressed": ["b"]}})");
  kfix::Result<kfix::RunDocuments> inc = kfix::LoadRunDirectory(dir.string());
  REQUIRE(inc.ok());
  html = kfix::RenderHtmlReport(*inc);
  REQUIRE(html.ok());
  CHECK(html->find("2 incidents, 1 new actions awaiting approval, 0 reused, alerts 1 sent / 1 suppressed.") !=
        std::string::npos);
  CHECK(html->find("scale-deployment") != std::string::npos);
}

TEST_CASE("report: kfix run --html and kfix report write the same page") {
  const fs::path dir = TempDir("cli");
  WriteFile(dir / "in" / "web.yaml", kDeployment);
  const std::string cli = KFIX_CLI_PATH;
  const std::string run_cmd = "cd '" + dir.string() + "' && '" + cli +
                              "' run --quiet --now 1796433401 --out run --html run.html in > run.log 2>&1";
  REQUIRE(WEXITSTATUS(std::system(run_cmd.c_str())) == 0);
  const std::string report_cmd =
      "cd '" + dir.string() + "' && '" + cli + "' report --html report.html run > report.log 2>&1";
  REQUIRE(WEXITSTATUS(std::system(report_cmd.c_str())) == 0);
  const std::string a = ReadText(dir / "run.html");
  CHECK(a.size() > 1000);
  CHECK(a == ReadText(dir / "report.html"));

  const std::string bad_cmd = "cd '" + dir.string() + "' && '" + cli + "' report --html x.html nowhere 2> err.log";
  CHECK(WEXITSTATUS(std::system(bad_cmd.c_str())) == 1);
  CHECK(ReadText(dir / "err.log").find("nowhere") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "x.html"));
}
