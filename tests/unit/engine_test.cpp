// kfix::Engine: one configuration document (YAML or JSON, positions in the
// caller's text), every entry point, one engine shared by several threads,
// and the one Status/document serialisers.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "kfix/engine.hpp"

namespace fs = std::filesystem;

namespace {

constexpr const char* kWeb = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: nginx:1.25
          securityContext:
            privileged: true
)";

constexpr const char* kList = R"(apiVersion: v1
kind: List
metadata: {resourceVersion: "7"}
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: a, namespace: prod}
    spec:
      containers:
        - name: c
          image: nginx:1.25
          securityContext: {privileged: true}
)";

fs::path TempDir(const std::string& name) {
  fs::path dir = fs::path(KFIX_BINARY_DIR) / "tests" / ("engine_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

kfix::Engine MakeEngine(std::string_view config = "") {
  kfix::Result<kfix::Engine> e = kfix::Engine::FromText(config);
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  return *e;
}

}  // namespace

TEST_CASE("config errors point into the caller's own text, JSON on one line and YAML") {
  // The one-line JSON of the issue: the unknown check is at line 1, column 26.
  kfix::Result<kfix::Engine> json = kfix::Engine::FromText(R"({"checks": {"include": ["no-such-check"]}})");
  REQUIRE(!json.ok());
  CHECK(json.status().location().file == "config");
  CHECK(json.status().location().line == 1);
  CHECK(json.status().location().column == 25);
  CHECK(json.status().ToString().rfind("config:1:25: ", 0) == 0);

  kfix::Result<kfix::Engine> yaml = kfix::Engine::FromText("scan:\n  jobs: 2\nchecks:\n  include:\n    - nope\n", "team.yaml");
  REQUIRE(!yaml.ok());
  CHECK(yaml.status().location().file == "team.yaml");
  CHECK(yaml.status().location().line == 5);
  CHECK(yaml.status().location().column == 7);

  // A kfix section's error, in JSON, keeps its column too.
  kfix::Result<kfix::Engine> sched = kfix::Engine::FromText(R"({"schedule": {"seed": -1}})");
  REQUIRE(!sched.ok());
  CHECK(sched.status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK(sched.status().location().line == 1);
  CHECK(sched.status().location().column == 23);

  // fix: errors name the key's line in the caller's YAML.
  kfix::Result<kfix::Engine> fix = kfix::Engine::FromText("fix:\n  profile: minimal\n  bogus: 1\n");
  REQUIRE(!fix.ok());
  CHECK(fix.status().location().line == 3);

  // Syntax errors: the file and one position.
  kfix::Result<kfix::Engine> broken = kfix::Engine::FromText("{\"checks\": [}", "c.json");
  REQUIRE(!broken.ok());
  CHECK(broken.status().code() == kfix::StatusCode::kParseError);
  CHECK(broken.status().location().file == "c.json");
  CHECK(broken.status().location().line == 1);
}

TEST_CASE("an unknown top-level key lists every valid section") {
  kfix::Result<kfix::Engine> e = kfix::Engine::FromText("checks: {}\nscheduler: {}\n");
  REQUIRE(!e.ok());
  CHECK(e.status().location().line == 2);
  CHECK(e.status().location().column == 1);
  for (const std::string& section : kfix::EngineConfigSections()) {
    CHECK_MESSAGE(e.status().message().find(section) != std::string::npos, section);
  }
  for (const char* s : {"scan", "risk", "schedule", "fix", "checks", "customChecks", "kfixRules"}) {
    CHECK(e.status().message().find(s) != std::string::npos);
  }
}

TEST_CASE("limits: every input cap is configurable and enforced through the engine") {
  kfix::Result<kfix::EngineConfig> c = kfix::ParseEngineConfig(
      "limits:\n  maxFileBytes: 1000\n  maxDepth: 9\n  maxNodesPerFile: 50\n  maxDocumentsPerFile: 3\n"
      "  maxRunNodes: 20\n  maxRunDocuments: 7\n");
  REQUIRE(c.ok());
  CHECK(c->parse.max_document_bytes == 1000);
  CHECK(c->parse.max_depth == 9);
  CHECK(c->parse.max_total_nodes == 50);
  CHECK(c->parse.max_documents == 3);
  CHECK(c->max_run_nodes == 20);
  CHECK(c->max_run_documents == 7);

  kfix::Result<kfix::EngineConfig> bad = kfix::ParseEngineConfig("limits:\n  maxDepth: 0\n", "l.yaml");
  REQUIRE(!bad.ok());
  CHECK(bad.status().location().line == 2);
  CHECK(bad.status().message().find("limits.maxDepth") != std::string::npos);
  kfix::Result<kfix::EngineConfig> unknown = kfix::ParseEngineConfig("limits: {maxBytes: 5}\n", "l.yaml");
  REQUIRE(!unknown.ok());
  CHECK(unknown.status().message().find("maxFileBytes") != std::string::npos);

  // Per file: a file of four documents past maxDocumentsPerFile 3 gets a limit error naming it.
  fs::path dir = TempDir("limits");
  std::string four;
  for (int i = 0; i < 4; ++i) four += "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c" + std::to_string(i) + "}\n";
  WriteFile(dir / "a.yaml", four);
  WriteFile(dir / "b.yaml", four);
  kfix::Engine e = MakeEngine("limits: {maxDocumentsPerFile: 3}\nscan: {jobs: 1}\n");
  kfix::Result<kfix::LoadedInputs> in = e.Load({(dir / "a.yaml").string()});
  REQUIRE(in.ok());
  REQUIRE(!in->load.errors.empty());
  CHECK(in->load.errors[0].code() == kfix::StatusCode::kLimitExceeded);
  CHECK(in->load.errors[0].location().file == (dir / "a.yaml").string());

  // Per run: once the files before it hold maxRunDocuments, the next file is not loaded.
  kfix::Engine run = MakeEngine("limits: {maxRunDocuments: 4}\nscan: {jobs: 1}\n");
  kfix::Result<kfix::LoadedInputs> both = run.Load({dir.string()});
  REQUIRE(both.ok());
  REQUIRE(both->load.errors.size() == 1);
  CHECK(both->load.errors[0].code() == kfix::StatusCode::kLimitExceeded);
  // Which of the two files comes second depends on the walk; exactly one is refused.
  const std::string refused = both->load.errors[0].location().file;
  CHECK((refused == (dir / "a.yaml").string() || refused == (dir / "b.yaml").string()));
  for (const kfix::Manifest& m : both->load.manifests) CHECK(m.file != refused);
  CHECK(both->load.errors[0].message().find("max_run_documents") != std::string::npos);
  CHECK(both->load.manifests.size() == 4);
}

TEST_CASE("the same document as YAML and as JSON gives the same engine") {
  const char* yaml =
      "checks:\n  exclude: [latest-tag]\nscan:\n  context: per-file\n  jobs: 2\n"
      "fix:\n  profile: harden\n  maxOps: 40\nrisk:\n  attack: true\n"
      "schedule:\n  exploration: none\n  seed: 7\n  fairness: cap\n  fairnessK: 2\n  fairnessTop: 5\n";
  const char* json =
      R"({"checks": {"exclude": ["latest-tag"]}, "scan": {"context": "per-file", "jobs": 2},
          "fix": {"profile": "harden", "maxOps": 40}, "risk": {"attack": true},
          "schedule": {"exploration": "none", "seed": 7, "fairness": "cap", "fairnessK": 2, "fairnessTop": 5}})";
  for (const char* text : {yaml, json}) {
    kfix::Engine e = MakeEngine(text);
    const kfix::EngineConfig& c = e.config();
    CHECK(c.scan.context == kfix::LintContext::kPerFile);
    CHECK(c.scan.jobs == 2);
    CHECK(c.fix.profile == kfix::FixProfile::kHarden);
    CHECK(c.fix.max_ops == 40);
    CHECK(c.risk.attack_enabled);
    CHECK(c.schedule.exploration == kfix::Exploration::kNone);
    CHECK(c.schedule.seed == 7);
    CHECK(c.schedule.fairness == kfix::Fairness::kCap);
    CHECK(c.schedule.fairness_k == 2);
    CHECK(c.schedule.fairness_top_n == 5);
    CHECK(!e.rules()->IsEnabled("latest-tag"));
    CHECK(e.rules()->IsEnabled("privileged-container"));
  }
  // Empty text and null are the defaults.
  CHECK(MakeEngine("").config().scan.jobs == 1);
  CHECK(MakeEngine("  \n").rules()->IsEnabled("privileged-container"));
}

TEST_CASE("LoadEngineConfig reads a file and names it in errors") {
  fs::path dir = TempDir("config");
  WriteFile(dir / "bad.yaml", "risk:\n  epss: 3\n");
  kfix::Result<kfix::Engine> e = kfix::Engine::FromFile((dir / "bad.yaml").string());
  REQUIRE(!e.ok());
  CHECK(e.status().location().file == (dir / "bad.yaml").string());
  CHECK(e.status().location().line == 2);
  kfix::Result<kfix::Engine> missing = kfix::Engine::FromFile((dir / "missing.yaml").string());
  CHECK(!missing.ok());
  // A feed that cannot be read fails Create, naming it.
  kfix::Result<kfix::Engine> feed = kfix::Engine::FromText(R"({"risk": {"kev": "/nonexistent/kev.json"}})");
  REQUIRE(!feed.ok());
  CHECK(feed.status().ToString().find("kev.json") != std::string::npos);
}

TEST_CASE("every entry point: load, scan, fix, verify, risk, schedule, run") {
  kfix::Engine e = MakeEngine();
  fs::path dir = TempDir("entry");
  WriteFile(dir / "in" / "web.yaml", kWeb);
  WriteFile(dir / "in" / "broken.yaml", "a: [1\n");
  const std::vector<std::string> paths = {(dir / "in").string()};

  kfix::Result<kfix::LoadedInputs> loaded = e.Load(paths);
  REQUIRE(loaded.ok());
  CHECK(loaded->files == 2);
  CHECK(loaded->load.manifests.size() == 1);
  CHECK(loaded->load.errors.size() == 1);

  // One rule for paths that do not exist: an error from every path entry point.
  const std::vector<std::string> missing = {(dir / "missing").string()};
  CHECK(!e.Load(missing).ok());
  CHECK(!e.ScanPaths(missing).ok());
  CHECK(!e.FixPaths(missing).ok());
  CHECK(!e.ScorePaths(missing).ok());
  CHECK(!e.Run(missing).ok());
  CHECK(!e.ScanPaths({}).ok());

  kfix::Result<kfix::ScanReport> scan = e.ScanPaths(paths);
  REQUIRE(scan.ok());
  CHECK(scan->errors.size() == 1);
  CHECK(scan->stats.files == 2);
  bool privileged = false;
  for (const kfix::Finding& f : scan->findings) privileged = privileged || f.check == "privileged-container";
  CHECK(privileged);
  // Scan over loaded inputs gives the same report as ScanPaths.
  CHECK(kfix::ToJson(kfix::ScanReportToValue(e.Scan(*loaded), false)) ==
        kfix::ToJson(kfix::ScanReportToValue(*scan, false)));
  kfix::ScanReport text = e.ScanText(kWeb, "web.yaml");
  CHECK(text.findings.size() == scan->findings.size());

  kfix::Result<kfix::FixReport> fix = e.FixPaths(paths);
  REQUIRE(fix.ok());
  CHECK(fix->summary.accepted > 0);
  CHECK(fix->errors.size() == 1);
  CHECK(fix->scan.errors.size() == 1);
  CHECK(fix->sources.empty());  // not kept unless asked
  kfix::FixReport fix_text = e.FixText(kWeb, "web.yaml");
  CHECK(fix_text.summary.accepted == fix->summary.accepted);

  kfix::LoadedInputs one = e.LoadText(kWeb, "web.yaml");
  kfix::Result<kfix::Verdict> ok = e.Verify(
      one, R"([{"op":"replace","path":"/spec/template/spec/containers/0/securityContext/privileged","value":false}])",
      kfix::VerifyTarget{0, "privileged-container", "app"});
  REQUIRE(ok.ok());
  CHECK(ok->accepted);
  kfix::Result<kfix::Verdict> bad = e.Verify(one, R"([{"op":"remove","path":"/spec/template"}])");
  REQUIRE(bad.ok());
  CHECK(!bad->accepted);
  CHECK(e.Verify(one, "[]", kfix::VerifyTarget{3, "", ""}).status().code() == kfix::StatusCode::kNotFound);
  CHECK(e.Verify(one, "[]", kfix::VerifyTarget{0, "no-such-check", ""}).status().code() ==
        kfix::StatusCode::kNotFound);
  kfix::Result<kfix::Verdict> unreadable = e.Verify(e.LoadText("a: [1\n", "m.yaml"), "[]");
  CHECK(unreadable.status().code() == kfix::StatusCode::kParseError);

  kfix::Result<kfix::RiskReport> risk = e.ScorePaths(paths);
  REQUIRE(risk.ok());
  CHECK(risk->results.size() == scan->findings.size());
  CHECK(risk->errors.size() == 1);
  kfix::ScheduleReport ranked = e.Rank(*risk);
  CHECK(ranked.ranked.size() == risk->results.size());
  kfix::Value rank_doc = kfix::ScheduleReportToValue(ranked, 2);
  CHECK(rank_doc.Find("items")->size() == 2);
  CHECK(rank_doc.Find("errors")->size() == 1);
  CHECK(e.Simulate(*risk, 3).items == static_cast<std::int64_t>(risk->results.size()));

  kfix::CallOptions at;
  at.now = 1000;
  kfix::Result<kfix::PipelineResult> run = e.Run(paths, at);
  REQUIRE(run.ok());
  CHECK(run->summary.errors == 1);
  CHECK(run->summary.accepted == fix->summary.accepted);
  CHECK(run->now == 1000);
  kfix::Result<kfix::PipelineResult> run_text = e.RunText(kWeb, "web.yaml", at);
  REQUIRE(run_text.ok());
  CHECK(run_text->summary.files == 1);
  kfix::Value doc = kfix::PipelineRunToValue(*run);
  CHECK(doc.Find("schemaVersion")->as_int() == 2);
  for (const char* k : {"findings", "fixes", "risk", "schedule", "summary"}) CHECK(doc.Find(k) != nullptr);
}

TEST_CASE("CallOptions::writer: the fix report's bytes in one context and per file; no callbacks with it") {
  fs::path dir = TempDir("writer");
  WriteFile(dir / "in" / "web.yaml", kWeb);
  WriteFile(dir / "in" / "list.yaml", kList);
  WriteFile(dir / "in" / "broken.yaml", "a: [1\n");
  const std::vector<std::string> paths = {(dir / "in").string()};
  for (const char* config : {"{}", R"({"scan": {"context": "per-file"}})"}) {
    kfix::Result<kfix::Engine> e = kfix::Engine::FromText(config);
    REQUIRE(e.ok());
    for (int jobs : {1, 2}) {
      kfix::CallOptions call;
      call.jobs = jobs;
      kfix::Result<kfix::FixReport> whole = e->FixPaths(paths, call);
      REQUIRE(whole.ok());
      REQUIRE(whole->results.size() > 2);
      REQUIRE(!whole->objects.empty());
      const std::string want = kfix::FixReportToJson(*whole, false, 1);
      kfix::FixWriteOptions o;
      o.pretty = false;
      o.single_part = true;
      std::string out;
      kfix::FixReportWriter w(o, [&](std::string_view p) {
        out.append(p);
        return true;
      });
      call.writer = &w;
      kfix::Result<kfix::FixReport> streamed = e->FixPaths(paths, call);
      REQUIRE(streamed.ok());
      CHECK(streamed->results.empty());
      CHECK(streamed->objects.empty());
      CHECK(streamed->errors.size() == 1);
      REQUIRE(w.Add(*streamed));
      REQUIRE(w.Finish(streamed->summary));
      CHECK_MESSAGE(out == want, config, " jobs ", jobs);
      // With a callback as well: refused, whichever context.
      call.on_objects = [](std::vector<kfix::ObjectFix>&&, const std::vector<kfix::Manifest>&) {};
      kfix::Result<kfix::FixReport> both = e->FixPaths(paths, call);
      CHECK_MESSAGE(both.status().code() == kfix::StatusCode::kInvalidArgument, config);
      // Fix over loaded inputs reports it in the report's errors.
      kfix::Result<kfix::LoadedInputs> loaded = e->Load(paths);
      REQUIRE(loaded.ok());
      kfix::FixReport in_report = e->Fix(std::move(*loaded), call);
      REQUIRE_FALSE(in_report.errors.empty());
      CHECK(in_report.errors.back().code() == kfix::StatusCode::kInvalidArgument);
    }
  }
}

TEST_CASE("a broken file's load error has one shape in findings.json, fixes.json and risk.json") {
  kfix::Engine e = MakeEngine();
  kfix::Result<kfix::PipelineResult> run = e.RunText("a: [1\n", "bad.yaml");
  REQUIRE(run.ok());
  const kfix::Value findings = kfix::PipelineFindingsToValue(*run);
  const kfix::Value fixes = kfix::PipelineFixesToValue(*run);
  const kfix::Value risk = kfix::PipelineRiskToValue(*run);
  REQUIRE(findings.Find("errors")->size() == 1);
  const kfix::Value& a = findings.Find("errors")->as_array()[0];
  CHECK(a == fixes.Find("errors")->as_array()[0]);
  CHECK(a == risk.Find("errors")->as_array()[0]);
  CHECK(a.Find("code")->as_string() == "parse_error");
  CHECK(a.Find("file")->as_string() == "bad.yaml");
  CHECK(a.Find("item") == nullptr);  // not inside a kind: List
  CHECK(a == kfix::StatusToValue(run->fix.scan.errors[0]));
}

TEST_CASE("StatusToValue: one shape, unknown members absent, always valid UTF-8") {
  kfix::SourceLocation l;
  l.file = std::string("dir/\xff\xfe-bad.yaml");
  l.line = 3;
  l.column = 4;
  l.document = 1;
  kfix::Status s = kfix::ParseError("bad \xc3 byte", l);
  kfix::Value v = kfix::StatusToValue(s);
  CHECK(v.Find("code")->as_string() == "parse_error");
  CHECK(v.Find("line")->as_int() == 3);
  CHECK(v.Find("document")->as_int() == 1);
  CHECK(v.Find("item") == nullptr);
  CHECK(v.Find("pointer") == nullptr);
  const std::string json = kfix::ToJson(v);
  kfix::Result<kfix::Value> back = kfix::ParseJson(json);  // strict: rejects invalid UTF-8
  REQUIRE_MESSAGE(back.ok(), json);
  CHECK(back->Find("file")->as_string() == "dir/\xef\xbf\xbd\xef\xbf\xbd-bad.yaml");  // U+FFFD per bad byte

  l.item = 2;
  l.pointer = "/spec";
  kfix::Value in_list = kfix::StatusToValue(kfix::NotFoundError("x", l));
  CHECK(in_list.Find("item")->as_int() == 2);
  CHECK(in_list.Find("pointer")->as_string() == "/spec");
  kfix::Value bare = kfix::StatusToValue(kfix::InternalError("y"));
  CHECK(bare.size() == 2);  // code and message only
}

TEST_CASE("item appears only for objects inside a kind: List, in every document") {
  kfix::Engine e = MakeEngine();
  kfix::Result<kfix::PipelineResult> run = e.RunText(kList, "list.yaml");
  REQUIRE(run.ok());
  REQUIRE(!run->fix.results.empty());
  const kfix::Value findings = kfix::PipelineFindingsToValue(*run);
  CHECK(findings.Find("findings")->as_array()[0].Find("item")->as_int() == 0);
  CHECK(kfix::PipelineFixesToValue(*run).Find("results")->as_array()[0].Find("item")->as_int() == 0);
  CHECK(kfix::PipelineRiskToValue(*run).Find("results")->as_array()[0].Find("item")->as_int() == 0);
  CHECK(kfix::ToValue(e.LoadText(kList, "list.yaml").load).Find("objects")->as_array()[0].Find("item")->as_int() == 0);
  kfix::Result<kfix::PipelineResult> plain = e.RunText(kWeb, "web.yaml");
  REQUIRE(plain.ok());
  CHECK(kfix::PipelineFindingsToValue(*plain).Find("findings")->as_array()[0].Find("item") == nullptr);
  CHECK(kfix::PipelineFixesToValue(*plain).Find("results")->as_array()[0].Find("item") == nullptr);
  // The text report and the JSON writer agree (the writer is a hand-written fast path).
  kfix::ScanReport scan = e.ScanText(kList, "list.yaml");
  CHECK(kfix::ParseJson(kfix::ScanReportToJson(scan, false, false)).value() ==
        kfix::ScanReportToValue(scan, false));
  kfix::ScanReport web = e.ScanText(kWeb, "web.yaml");
  CHECK(kfix::ParseJson(kfix::ScanReportToJson(web, true, false)).value() == kfix::ScanReportToValue(web, false));
}

TEST_CASE("Render edits the kept source in place and reads nothing") {
  kfix::Engine e = MakeEngine();
  fs::path dir = TempDir("render");
  WriteFile(dir / "list.yaml", kList);
  kfix::CallOptions keep;
  keep.keep_sources = true;
  kfix::Result<kfix::FixReport> fix = e.FixPaths({(dir / "list.yaml").string()}, keep);
  REQUIRE(fix.ok());
  REQUIRE(fix->sources.size() == 1);
  fs::remove(dir / "list.yaml");  // rendering must not read the input again
  kfix::Result<std::vector<kfix::WrittenFile>> files = e.Render(*fix);
  REQUIRE(files.ok());
  REQUIRE(files->size() == 1);
  const kfix::WrittenFile& f = (*files)[0];
  CHECK(f.status.ok());
  CHECK(f.fixed);
  CHECK(f.text.find("resourceVersion") != std::string::npos);  // the List's own fields survive
  CHECK(f.text.find("privileged: false") != std::string::npos);
  CHECK(f.text.find("privileged: true") == std::string::npos);
  CHECK(f.text.rfind(std::string(kList).substr(0, 20), 0) == 0);  // the head of the file is untouched

  // Without the source and without the file, the file cannot be rendered: said, not dropped.
  kfix::FixReport no_source = e.FixText(kList, (dir / "list.yaml").string());
  kfix::Result<std::vector<kfix::WrittenFile>> bare = e.Render(no_source);
  REQUIRE(bare.ok());
  REQUIRE(bare->size() == 1);
  CHECK(!(*bare)[0].status.ok());
  CHECK((*bare)[0].text.empty());
}

TEST_CASE("the kfix.fix.accepted record has one builder for fix and run") {
  kfix::Engine e = MakeEngine();
  kfix::FixReport fix = e.FixText(kWeb, "web.yaml");
  kfix::Result<kfix::PipelineResult> run = e.RunText(kWeb, "web.yaml");
  REQUIRE(run.ok());
  std::size_t accepted = fix.results.size();
  for (std::size_t i = 0; i < fix.results.size(); ++i) {
    if (fix.results[i].status == kfix::FixStatus::kAccepted) accepted = i;
  }
  REQUIRE(accepted < fix.results.size());
  kfix::Value from_fix = e.AcceptedFixRecord(fix, accepted);
  kfix::Value from_run = e.AcceptedFixRecord(run->fix, accepted, &*run);
  CHECK(from_fix.Find("profile")->as_string() == "minimal");
  CHECK(from_run.Find("profile")->as_string() == "minimal");
  CHECK(from_run.Find("rank")->as_int() >= 1);
  CHECK(from_run.Find("risk") != nullptr);
  // Everything the fix record holds, the run record holds with the same values.
  for (const kfix::Member& m : from_fix.as_object()) {
    REQUIRE(from_run.Find(m.key) != nullptr);
    CHECK_MESSAGE(*from_run.Find(m.key) == m.value, m.key);
  }
}

TEST_CASE("one engine, several threads: identical results") {
  kfix::Engine e = MakeEngine(R"({"scan": {"jobs": 2}})");
  const std::string expected_scan = kfix::ScanReportToJson(e.ScanText(kWeb, "web.yaml"), false, false);
  const std::string expected_fix = kfix::FixReportToJson(e.FixText(kWeb, "web.yaml"), false);
  kfix::CallOptions at;
  at.now = 5;
  kfix::Result<kfix::PipelineResult> first = e.RunText(kWeb, "web.yaml", at);
  REQUIRE(first.ok());
  const std::string expected_schedule = kfix::ToJson(kfix::PipelineScheduleToValue(*first));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      kfix::Engine copy = e;  // copies share the immutable state
      for (int i = 0; i < 5; ++i) {
        if (kfix::ScanReportToJson(copy.ScanText(kWeb, "web.yaml"), false, false) != expected_scan) ++mismatches[t];
        if (kfix::FixReportToJson(e.FixText(kWeb, "web.yaml"), false) != expected_fix) ++mismatches[t];
        kfix::Result<kfix::PipelineResult> r = e.RunText(kWeb, "web.yaml", at);
        if (!r.ok() || kfix::ToJson(kfix::PipelineScheduleToValue(*r)) != expected_schedule) ++mismatches[t];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < 4; ++t) CHECK(mismatches[t] == 0);
}
