// The `kfix run` loop: RunPipeline, its five documents and the CLI.
#include <atomic>
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kfix/pipeline.hpp"

namespace fs = std::filesystem;

namespace {

/// A report writer's sink that appends every piece to `out`.
std::function<bool(std::string_view)> AppendTo(std::string& out) {
  return [&out](std::string_view piece) {
    out.append(piece);
    return true;
  };
}

const std::string kRiskData = std::string(KFIX_SOURCE_DIR) + "/tests/data/risk/";

/// A fresh directory under the test's working directory.
fs::path TempDir(const std::string& name) {
  fs::path dir = fs::path(KFIX_BINARY_DIR) / "tests" / ("pipeline_test_" + name);
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

kfix::Value ReadJson(const fs::path& path) {
  auto v = kfix::ParseJson(ReadText(path));
  REQUIRE_MESSAGE(v.ok(), path.string() << ": " << v.status().ToString());
  return *v;
}

// A Deployment with several fixable findings, a privileged DaemonSet in a
// protected namespace (its fixes are refused by the namespace gate) and a Pod
// whose image is in the Trivy sample report.
constexpr const char* kApps = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: app
          image: nginx:1.19
          securityContext:
            privileged: true
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: kube-system
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      hostPID: true
      containers:
        - name: agent
          image: registry.example/agent:2.1
          securityContext:
            privileged: true
)";

constexpr const char* kPod = R"(apiVersion: v1
kind: Pod
metadata:
  name: tools
  namespace: dev
spec:
  containers:
    - name: shell
      image: busybox:1.36
)";

std::shared_ptr<const kfix::RuleSet> DefaultRules() {
  auto rules = kfix::RuleSet::Create(kfix::RulesConfig{});
  REQUIRE(rules.ok());
  return *rules;
}

fs::path WriteInputs(const std::string& name) {
  fs::path dir = TempDir(name);
  WriteFile(dir / "in" / "apps.yaml", kApps);
  WriteFile(dir / "in" / "pod.yaml", kPod);
  return dir;
}

std::string Canonical(const kfix::Value& v) { return kfix::ToJson(v, kfix::JsonStyle::kCanonical); }

}  // namespace

TEST_CASE("RunPipeline: counts add up, documents agree with each other") {
  fs::path dir = WriteInputs("counts");
  kfix::PipelineOptions options;
  options.now = 1000.0;
  auto run = kfix::RunPipeline({(dir / "in").string()}, DefaultRules(), options);
  REQUIRE(run.ok());
  const kfix::PipelineSummary& s = run->summary;
  CHECK(s.files == 2);
  CHECK(s.objects == 3);
  CHECK(s.findings > 5);
  CHECK(s.findings == static_cast<std::int64_t>(run->fix.scan.findings.size()));
  CHECK(s.accepted + s.rejected + s.needs_review + s.unfixable == s.findings);
  CHECK(s.accepted > 0);
  CHECK(s.rejected > 0);  // kube-system fixes are refused by the namespace gate
  CHECK(s.errors == 0);
  REQUIRE(run->risk.size() == run->fix.results.size());

  // Every accepted fix is scheduled exactly once, nothing else is, best first.
  CHECK(s.scheduled == s.accepted);
  std::set<std::size_t> seen;
  double prev = 1e300;
  for (const kfix::ScheduledFix& sf : run->schedule) {
    CHECK(run->fix.results[sf.result].status == kfix::FixStatus::kAccepted);
    CHECK(seen.insert(sf.result).second);
    CHECK(sf.scored.item.risk == run->risk[sf.result].risk);
    CHECK(sf.scored.item.enqueued_at == 1000.0);
    CHECK(sf.scored.score <= prev);
    prev = sf.scored.score;
  }
  for (const kfix::FixResult& r : run->fix.results) {
    if (r.status == kfix::FixStatus::kAccepted) CHECK(r.finding.object.namespace_ != "kube-system");
  }

  // Risk bands and severities partition the findings.
  std::int64_t banded = 0, by_sev = 0;
  for (const auto& [band, n] : s.by_risk_band) banded += n;
  for (const auto& [sev, n] : s.by_severity) by_sev += n;
  CHECK(banded == s.findings);
  CHECK(by_sev == s.findings);

  // The documents.
  kfix::Value summary = kfix::PipelineSummaryToValue(*run);
  for (const char* key : {"findings", "accepted", "rejected", "needs_review", "unfixable"}) {
    const kfix::Value* v = summary.Find(key);
    REQUIRE_MESSAGE(v != nullptr, key);
    CHECK_MESSAGE(v->is_int(), key);
  }
  CHECK(summary.Find("accepted")->as_int() == s.accepted);
  kfix::Value fixes = kfix::PipelineFixesToValue(*run);
  const kfix::Value::Array& results = fixes.Find("results")->as_array();
  REQUIRE(results.size() == run->fix.results.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    const kfix::Value* risk = results[i].Find("risk");
    REQUIRE(risk != nullptr);
    CHECK(risk->Find("risk")->as_number() == run->risk[i].risk);
  }
  kfix::Value schedule = kfix::PipelineScheduleToValue(*run);
  const kfix::Value::Array& items = schedule.Find("items")->as_array();
  REQUIRE(static_cast<std::int64_t>(items.size()) == s.accepted);
  CHECK(items[0].Find("rank")->as_int() == 1);
  const std::size_t first = static_cast<std::size_t>(items[0].Find("result")->as_int());
  CHECK(Canonical(*items[0].Find("patch")) == Canonical(kfix::PatchToValue(run->fix.results[first].patch)));
  kfix::Value findings = kfix::PipelineFindingsToValue(*run);
  CHECK(findings.Find("findings")->as_array().size() == static_cast<std::size_t>(s.findings));
  CHECK(kfix::PipelineRiskToValue(*run).Find("results")->as_array().size() == static_cast<std::size_t>(s.findings));
}

TEST_CASE("RunPipeline: identical documents for any number of jobs") {
  fs::path dir = WriteInputs("jobs");
  kfix::PipelineOptions one;
  one.now = 50.0;
  kfix::PipelineOptions two = one;
  two.jobs = 2;
  auto a = kfix::RunPipeline({(dir / "in").string()}, DefaultRules(), one);
  auto b = kfix::RunPipeline({(dir / "in").string()}, DefaultRules(), two);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(Canonical(kfix::PipelineFindingsToValue(*a)) == Canonical(kfix::PipelineFindingsToValue(*b)));
  CHECK(Canonical(kfix::PipelineFixesToValue(*a)) == Canonical(kfix::PipelineFixesToValue(*b)));
  CHECK(Canonical(kfix::PipelineRiskToValue(*a)) == Canonical(kfix::PipelineRiskToValue(*b)));
  CHECK(Canonical(kfix::PipelineScheduleToValue(*a)) == Canonical(kfix::PipelineScheduleToValue(*b)));
  kfix::Value sa = kfix::PipelineSummaryToValue(*a), sb = kfix::PipelineSummaryToValue(*b);
  sa.Erase("timing_seconds");
  sb.Erase("timing_seconds");
  CHECK(Canonical(sa) == Canonical(sb));
}

TEST_CASE("RunPipeline: EPSS/KEV/Trivy feeds raise the risk of the vulnerable image and lead the schedule") {
  fs::path dir = WriteInputs("feeds");
  kfix::PipelineOptions plain;
  auto base = kfix::RunPipeline({(dir / "in").string()}, DefaultRules(), plain);
  REQUIRE(base.ok());
  kfix::PipelineOptions options;
  options.feeds.epss = kRiskData + "epss_sample.csv.gz";
  options.feeds.kev = kRiskData + "kev_sample.json";
  options.feeds.trivy = {kRiskData + "trivy_nginx.json"};
  auto run = kfix::RunPipeline({(dir / "in").string()}, DefaultRules(), options);
  REQUIRE(run.ok());
  REQUIRE(run->feeds);
  CHECK(run->feeds->has_epss);
  CHECK(run->feeds->has_kev);
  CHECK(run->summary.kev_findings > 0);
  REQUIRE(run->risk.size() == base->risk.size());
  for (std::size_t i = 0; i < run->risk.size(); ++i) {
    const kfix::Finding& f = run->fix.results[i].finding;
    if (f.object.name == "web") {
      CHECK(run->risk[i].kev);
      CHECK(run->risk[i].risk > base->risk[i].risk);
    } else {
      CHECK(run->risk[i].risk == base->risk[i].risk);
    }
  }
  REQUIRE(!run->schedule.empty());
  CHECK(run->fix.results[run->schedule.front().result].finding.object.name == "web");
  CHECK(run->schedule.front().scored.item.kev);
  kfix::Value risk = kfix::PipelineRiskToValue(*run);
  CHECK(risk.FindPath({"feeds", "kev"}) != nullptr);
}

TEST_CASE("RunPipeline: errors") {
  fs::path dir = WriteInputs("errors");
  kfix::PipelineOptions options;
  SUBCASE("a PATH that does not exist fails the run") {
    auto run = kfix::RunPipeline({(dir / "missing").string()}, DefaultRules(), options);
    REQUIRE(!run.ok());
    CHECK(run.status().ToString().find("missing") != std::string::npos);
  }
  SUBCASE("an unreadable feed fails before any work") {
    options.feeds.kev = (dir / "no-kev.json").string();
    auto run = kfix::RunPipeline({(dir / "in").string()}, DefaultRules(), options);
    REQUIRE(!run.ok());
    CHECK(run.status().ToString().find("no-kev.json") != std::string::npos);
  }
  SUBCASE("a malformed file is reported with its line; the others are still fixed") {
    WriteFile(dir / "in" / "broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: [oops\n");
    auto run = kfix::RunPipeline({(dir / "in").string()}, DefaultRules(), options);
    REQUIRE(run.ok());
    CHECK(run->summary.errors == 1);
    REQUIRE(run->fix.scan.errors.size() == 1);
    CHECK(run->fix.scan.errors[0].location().file.find("broken.yaml") != std::string::npos);
    // libyaml notices the unclosed flow sequence at the end of the stream
    // (line 4) and names where it started.
    CHECK(run->fix.scan.errors[0].location().line == 4);
    CHECK(run->fix.scan.errors[0].message().find("in the flow sequence that starts at 3:18") != std::string::npos);
    CHECK(run->summary.files == 3);
    CHECK(run->summary.objects == 3);
    CHECK(run->summary.accepted > 0);
    CHECK(kfix::PipelineFindingsToValue(*run).Find("errors")->as_array().size() == 1);
  }
  SUBCASE("no rule set") {
    auto run = kfix::RunPipeline({(dir / "in").string()}, nullptr, options);
    CHECK(run.status().code() == kfix::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("RunPipeline: progress reports every stage up to its total") {
  fs::path dir = WriteInputs("progress");
  kfix::PipelineOptions options;
  options.jobs = 2;
  std::map<std::string, std::pair<std::size_t, std::size_t>> last;  // stage -> (done, total)
  bool monotonic = true;
  options.progress = [&](std::string_view stage, std::size_t done, std::size_t total) {
    auto& [d, t] = last[std::string(stage)];
    if (done < d || done > total) monotonic = false;
    d = done;
    t = total;
  };
  auto run = kfix::RunPipeline({(dir / "in").string()}, DefaultRules(), options);
  REQUIRE(run.ok());
  CHECK(monotonic);
  for (const char* stage : {"load", "fix", "risk"}) {
    REQUIRE_MESSAGE(last.count(stage) == 1, stage);
    CHECK(last[stage].first == last[stage].second);
  }
  CHECK(last["load"].second == 2);
  CHECK(last["risk"].second == run->fix.results.size());
}

TEST_CASE("RunPipelineOnObjects with preloaded feeds") {
  kfix::LoadResult loaded = kfix::LoadManifests(kApps, "apps.yaml");
  REQUIRE(loaded.errors.empty());
  auto feeds = kfix::LoadRiskFeeds({"", kRiskData + "kev_sample.json", {kRiskData + "trivy_nginx.json"}});
  REQUIRE(feeds.ok());
  kfix::PipelineOptions options;
  options.loaded_feeds = std::make_shared<const kfix::LoadedFeeds>(std::move(*feeds));
  options.feeds.kev = "/nonexistent/ignored-when-preloaded.json";
  auto run = kfix::RunPipelineOnObjects(std::move(loaded.manifests), DefaultRules(), options);
  REQUIRE(run.ok());
  CHECK(run->feeds == options.loaded_feeds);
  CHECK(run->summary.kev_findings > 0);
  CHECK(run->summary.objects == 2);
}

TEST_CASE("WritePipelineOutputs writes the five documents atomically, or names what failed") {
  fs::path dir = WriteInputs("write");
  auto run = kfix::RunPipeline({(dir / "in").string()}, DefaultRules(), kfix::PipelineOptions{});
  REQUIRE(run.ok());
  fs::path out = dir / "out" / "nested";
  REQUIRE(kfix::WritePipelineOutputs(*run, out.string()).ok());
  for (const char* name : {"findings.json", "fixes.json", "risk.json", "schedule.json", "summary.json"}) {
    kfix::Value v = ReadJson(out / name);
    CHECK_MESSAGE(v.Find("schemaVersion")->as_int() == (std::string(name) == "summary.json" ? 1 : 2), name);
    CHECK(!fs::exists(out / (std::string(name) + ".tmp")));
  }
  CHECK(ReadJson(out / "summary.json").Find("findings")->as_int() == run->summary.findings);
  // The output path is a regular file.
  WriteFile(dir / "file", "x");
  kfix::Status s = kfix::WritePipelineOutputs(*run, (dir / "file").string());
  CHECK(s.code() == kfix::StatusCode::kIoError);
  CHECK(s.ToString().find("file") != std::string::npos);
}

namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
};

CliRun Kfix(const std::string& args) {
  CliRun r;
  std::string cmd = std::string(KFIX_CLI_PATH) + " " + args;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace

TEST_CASE("CLI: kfix run writes the documents, prints findings and the summary, feeds kfix queue") {
  fs::path dir = WriteInputs("cli");
  const std::string out = (dir / "out").string();
  CliRun r = Kfix("run --quiet --now 1000 --out " + out + " " + (dir / "in").string() + " 2>&1");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  CHECK(r.out.find("(check: privileged-container") != std::string::npos);  // the findings
  CHECK(r.out.find("STATUS") != std::string::npos);                       // the table
  CHECK(r.out.find("SCHEDULE") != std::string::npos);
  CHECK(r.out.find("\r") == std::string::npos);  // no progress bar when stderr is not a terminal
  kfix::Value summary = ReadJson(dir / "out" / "summary.json");
  const std::int64_t accepted = summary.Find("accepted")->as_int();
  CHECK(accepted > 0);
  {  // The table's "accepted" row shows the same count.
    const std::size_t row = r.out.find("\naccepted ");
    REQUIRE(row != std::string::npos);
    CHECK(std::stoll(r.out.substr(row + 10)) == accepted);
  }

  // --format json prints summary.json (timings aside).
  CliRun j = Kfix("run --quiet --format json --now 1000 --out " + (dir / "out2").string() + " " +
                  (dir / "in").string() + " 2>/dev/null");
  REQUIRE(j.exit_code == 0);
  auto printed = kfix::ParseJson(j.out);
  REQUIRE(printed.ok());
  CHECK(printed->Find("accepted")->as_int() == accepted);
  CHECK(ReadText(dir / "out" / "schedule.json") == ReadText(dir / "out2" / "schedule.json"));

  // fixes.json is a valid `kfix queue enqueue --results` input: every accepted fix is queued with its risk.
  const std::string db = (dir / "q.db").string();
  CliRun q = Kfix("queue --db " + db + " enqueue --results " + out + "/fixes.json 2>&1");
  REQUIRE_MESSAGE(q.exit_code == 0, q.out);
  auto qv = kfix::ParseJson(q.out);
  REQUIRE(qv.ok());
  CHECK(qv->Find("enqueued")->as_int() == accepted);
}

TEST_CASE("CLI: kfix run usage and input errors") {
  fs::path dir = WriteInputs("cli_errors");
  CliRun r = Kfix("run " + (dir / "in").string() + " 2>&1");
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("--out DIR or --html FILE is required") != std::string::npos);
  r = Kfix("run --out " + (dir / "out").string() + " 2>&1");
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("no PATH") != std::string::npos);
  r = Kfix("run --jobs 0 --out " + (dir / "out").string() + " " + (dir / "in").string() + " 2>&1");
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("--jobs") != std::string::npos);
  r = Kfix("run --epss " + (dir / "nope.csv").string() + " --out " + (dir / "out").string() + " " +
           (dir / "in").string() + " 2>&1");
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("nope.csv") != std::string::npos);
  CHECK(!fs::exists(dir / "out" / "summary.json"));  // nothing half-done
  WriteFile(dir / "in" / "broken.yaml", "kind: Pod\nmetadata: [\n");
  r = Kfix("run --quiet --out " + (dir / "out").string() + " " + (dir / "in").string() + " 2>&1");
  CHECK(r.exit_code == 1);  // a file could not be loaded: loud, but the rest is done
  CHECK(r.out.find("broken.yaml:") != std::string::npos);
  CHECK(fs::exists(dir / "out" / "summary.json"));
}

TEST_CASE("examples: the make run command reads the example feeds and puts the KEV image first") {
  fs::path dir = TempDir("examples");
  const std::string src = KFIX_SOURCE_DIR;
  CliRun r = Kfix("run --quiet --now 0 --out " + (dir / "out").string() + " --epss " + src +
                  "/examples/feeds/epss.csv --kev " + src + "/examples/feeds/kev.json --images " + src +
                  "/examples/feeds/trivy-nginx-latest.json " + src + "/examples/manifests 2>&1");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  CHECK(r.out.find("warning") == std::string::npos);  // no malformed feed rows
  kfix::Value summary = ReadJson(dir / "out" / "summary.json");
  CHECK(summary.Find("kev_findings")->as_int() > 0);
  CHECK(summary.Find("errors")->as_int() == 0);
  kfix::Value schedule = ReadJson(dir / "out" / "schedule.json");
  const kfix::Value& first = schedule.Find("items")->as_array().at(0);
  CHECK(first.Find("kev")->as_bool());
  CHECK(first.FindPath({"object", "name"})->as_string() == "web");
  kfix::Value risk = ReadJson(dir / "out" / "risk.json");
  CHECK(risk.FindPath({"feeds", "epss", "modelVersion"})->as_string() == "v2025.03.14");
}

TEST_CASE("FixObjects and FixReportToJson: byte-identical output for any number of jobs") {
  // Enough objects and findings that the report's results are written in
  // parallel chunks (more than 256) and objects are fixed out of order.
  std::string text;
  for (int i = 0; i < 120; ++i) {
    const std::string n = std::to_string(i);
    text += "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app" + n + "\n  namespace: ns" +
            std::to_string(i % 5) + "\nspec:\n  selector:\n    matchLabels: {app: app" + n +
            "}\n  template:\n    metadata:\n      labels: {app: app" + n + "}\n    spec:\n      containers:\n" +
            "        - name: web\n          image: nginx:1." + n + "\n" + (i % 3 ? "          securityContext: {privileged: false}\n" : "") +
            "        - name: side\n          image: busybox\n---\n";
  }
  kfix::LoadResult loaded = kfix::LoadManifests(text, "many.yaml");
  REQUIRE(loaded.errors.empty());
  std::string first;
  for (int jobs : {1, 2, 3, 8}) {
    kfix::FixOptions options;
    options.jobs = jobs;
    kfix::FixReport report = kfix::FixObjects(loaded.manifests, DefaultRules(), kfix::FixConfig{}, options);
    REQUIRE(report.results.size() > 256);
    const std::string json = kfix::FixReportToJson(report, true, jobs);
    // The streamed writer gives exactly the bytes of the report's value tree.
    CHECK(json == kfix::ToJson(kfix::FixReportToValue(report), kfix::JsonStyle::kPretty) + "\n");
    CHECK(kfix::FixReportToJson(report, false, jobs) ==
          kfix::ToJson(kfix::FixReportToValue(report), kfix::JsonStyle::kCompact) + "\n");
    if (first.empty()) first = json;
    CHECK_MESSAGE(json == first, "jobs ", jobs);
    // Written piece by piece: the same bytes; a refused piece stops it.
    std::string pieces;
    CHECK(kfix::WriteFixReportJson(report, true, jobs, [&](std::string_view p) {
      pieces.append(p);
      return true;
    }));
    CHECK(pieces == json);
    int calls = 0;
    CHECK_FALSE(kfix::WriteFixReportJson(report, true, jobs, [&](std::string_view) { return ++calls > 1 && false; }));
    CHECK(calls == 1);
    // Streamed results (FixOptions::on_results): handed over in finding
    // order, every one once, none kept; the same summary; written ahead of
    // the report they give its bytes.
    {
      kfix::FixOptions so = options;
      std::vector<kfix::FixResult> streamed;
      int batches = 0;
      so.on_results = [&](std::vector<kfix::FixResult>&& batch) {
        ++batches;
        CHECK_FALSE(batch.empty());
        for (kfix::FixResult& r : batch) streamed.push_back(std::move(r));
      };
      kfix::FixReport sr = kfix::FixObjects(loaded.manifests, DefaultRules(), kfix::FixConfig{}, so);
      CHECK(sr.results.empty());
      REQUIRE(streamed.size() == report.results.size());
      CHECK(batches > 1);
      for (std::size_t i = 0; i < streamed.size(); ++i) {
        CHECK_MESSAGE(kfix::FixResultToValue(streamed[i]) == kfix::FixResultToValue(report.results[i]), "result ", i);
      }
      CHECK(*kfix::FixReportToValue(sr).Find("summary") == *kfix::FixReportToValue(report).Find("summary"));
      CHECK(sr.summary.findings == static_cast<std::int64_t>(report.results.size()));
      kfix::FixWriteOptions o;
      o.jobs = jobs;
      o.single_part = true;
      std::string out;
      kfix::FixReportWriter w(o, AppendTo(out));
      REQUIRE(w.AddResults(std::vector<kfix::FixResult>(streamed.begin(), streamed.begin() + 100)));
      REQUIRE(w.AddResults(std::vector<kfix::FixResult>(streamed.begin() + 100, streamed.end())));
      REQUIRE(w.Add(sr));
      CHECK_FALSE(w.AddResults(streamed));  // nothing after the single part
      kfix::FixReportWriter w2(o, AppendTo(out));
      out.clear();
      REQUIRE(w2.AddResults(streamed));
      REQUIRE(w2.Add(sr));
      REQUIRE(w2.Finish(sr.summary));
      CHECK(out == json);
    }
    // Streamed objects (FixOptions::on_objects) with streamed results:
    // objects handed over in FixReport::objects' order, every one once, none
    // kept; the calls of both never overlap; written as they come (objects
    // spooled behind the results, in memory or in a temporary file) they give
    // the report's bytes.
    for (std::size_t spool : {std::size_t{0}, std::size_t{1}}) {
      kfix::FixOptions so = options;
      kfix::FixWriteOptions o;
      o.jobs = jobs;
      o.single_part = true;
      o.spool_memory = spool;
      std::string out;
      kfix::FixReportWriter w(o, AppendTo(out));
      std::atomic<int> inside{0};
      bool overlapped = false;
      std::vector<std::size_t> object_order;
      std::size_t results = 0;
      so.on_results = [&](std::vector<kfix::FixResult>&& batch) {
        if (inside.fetch_add(1) != 0) overlapped = true;
        results += batch.size();
        CHECK(w.AddResults(batch));
        inside.fetch_sub(1);
      };
      so.on_objects = [&](std::vector<kfix::ObjectFix>&& objects, const std::vector<kfix::Manifest>& manifests) {
        if (inside.fetch_add(1) != 0) overlapped = true;
        CHECK_FALSE(objects.empty());
        for (const kfix::ObjectFix& of : objects) {
          CHECK(of.object_index < manifests.size());
          object_order.push_back(of.object_index);
        }
        CHECK(w.AddObjects(objects, manifests));
        inside.fetch_sub(1);
      };
      kfix::FixReport sr = kfix::FixObjects(loaded.manifests, DefaultRules(), kfix::FixConfig{}, so);
      CHECK_FALSE(overlapped);
      CHECK(sr.results.empty());
      CHECK(sr.objects.empty());
      CHECK(results == report.results.size());
      REQUIRE(object_order.size() == report.objects.size());
      for (std::size_t i = 0; i < object_order.size(); ++i) {
        CHECK_MESSAGE(object_order[i] == report.objects[i].object_index, "object ", i);
      }
      REQUIRE(w.Add(sr));
      REQUIRE(w.Finish(sr.summary));
      CHECK_MESSAGE(out == json, "jobs ", jobs, " spool ", spool);
      kfix::FixReportWriter w2(o, [](std::string_view) { return true; });
      REQUIRE(w2.Add(sr));
      CHECK_FALSE(w2.AddObjects({}, sr.manifests));  // nothing after the single part
      CHECK(w2.status().code() == kfix::StatusCode::kInvalidArgument);
    }
    // Objects streamed alone: the results are kept as usual.
    {
      kfix::FixOptions so = options;
      std::vector<kfix::ObjectFix> objects;
      so.on_objects = [&](std::vector<kfix::ObjectFix>&& batch, const std::vector<kfix::Manifest>&) {
        for (kfix::ObjectFix& of : batch) objects.push_back(std::move(of));
      };
      kfix::FixReport sr = kfix::FixObjects(loaded.manifests, DefaultRules(), kfix::FixConfig{}, so);
      CHECK(sr.objects.empty());
      CHECK(sr.results.size() == report.results.size());
      sr.objects = std::move(objects);
      CHECK(kfix::FixReportToJson(sr, true, jobs) == json);
    }
    // Results and objects streamed into a writer (FixOptions::writer):
    // rendered on the worker threads, appended in order, the report's bytes
    // in both styles, whether the objects wait in memory or in a file.
    for (std::size_t spool : {std::size_t{0}, std::size_t{1}}) {
      for (bool pretty : {true, false}) {
        kfix::FixOptions so = options;
        kfix::FixWriteOptions o;
        o.jobs = jobs;
        o.pretty = pretty;
        o.single_part = true;
        o.spool_memory = spool;
        std::string out;
        kfix::FixReportWriter w(o, AppendTo(out));
        so.writer = &w;
        kfix::FixReport sr = kfix::FixObjects(loaded.manifests, DefaultRules(), kfix::FixConfig{}, so);
        CHECK(sr.errors.empty());
        CHECK(sr.results.empty());
        CHECK(sr.objects.empty());
        CHECK(sr.scan.findings.empty());
        CHECK(*kfix::FixReportToValue(sr).Find("summary") == *kfix::FixReportToValue(report).Find("summary"));
        REQUIRE(w.Add(sr));
        REQUIRE(w.Finish(sr.summary));
        CHECK_MESSAGE(out == (pretty ? json : kfix::FixReportToJson(report, false, jobs)), "jobs ", jobs,
                      " spool ", spool, " pretty ", pretty);
      }
    }
    // The writer takes the place of the callbacks: both at once is an
    // error, and nothing is fixed.
    {
      kfix::FixOptions so = options;
      kfix::FixReportWriter w(kfix::FixWriteOptions{}, [](std::string_view) { return true; });
      so.writer = &w;
      so.on_results = [](std::vector<kfix::FixResult>&&) {};
      kfix::FixReport sr = kfix::FixObjects(loaded.manifests, DefaultRules(), kfix::FixConfig{}, so);
      REQUIRE(sr.errors.size() == 1);
      CHECK(sr.errors[0].code() == kfix::StatusCode::kInvalidArgument);
      CHECK(sr.summary.findings == 0);
      CHECK(sr.manifests.size() == loaded.manifests.size());
    }
    // A writer that holds objects and errors back until Finish() and one
    // told it gets the whole report (nothing held back) write the same bytes,
    // errors included; the second refuses a second part.
    kfix::FixReport with_errors = report;
    with_errors.errors.push_back(kfix::IoError("a.yaml: cannot read"));
    with_errors.errors.push_back(kfix::IoError("b.yaml: cannot read"));
    for (bool single : {false, true}) {
      kfix::FixWriteOptions o;
      o.jobs = jobs;
      o.single_part = single;
      o.extra_arrays = {"writeBack"};
      std::string out;
      kfix::FixReportWriter w(o, AppendTo(out));
      REQUIRE(w.Add(with_errors));
      REQUIRE(w.AddExtra("writeBack", 0, kfix::Value("file")));
      if (single) CHECK_FALSE(w.Add(with_errors));
      if (!single) REQUIRE(w.Finish(with_errors.summary));
      kfix::Value want = kfix::FixReportToValue(with_errors);
      want.Set("writeBack", kfix::Value(kfix::Value::Array{"file"}));
      if (!single) CHECK(out == kfix::ToJson(want, kfix::JsonStyle::kPretty) + "\n");
      if (single) {
        CHECK(w.status().code() == kfix::StatusCode::kInvalidArgument);
        kfix::FixReportWriter w2(o, AppendTo(out));
        out.clear();
        REQUIRE(w2.Add(with_errors));
        REQUIRE(w2.AddExtra("writeBack", 0, kfix::Value("file")));
        REQUIRE(w2.Finish(with_errors.summary));
        CHECK(out == kfix::ToJson(want, kfix::JsonStyle::kPretty) + "\n");
      }
    }
  }
}

TEST_CASE("FixReportWriter: rendered on several threads, appended in order, the bytes of AddResults") {
  // One Deployment with 60 containers (hundreds of findings, more rendered
  // text than one hand-over piece) among small ones.
  std::string text;
  for (int i = 0; i < 6; ++i) {
    const std::string n = std::to_string(i);
    text += "apiVersion: v1\nkind: Pod\nmetadata: {name: p" + n + ", namespace: ns}\nspec:\n  containers:\n" +
            "    - {name: c, image: nginx}\n---\n";
    if (i == 2) {
      text += "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big, namespace: ns}\nspec:\n"
              "  selector: {matchLabels: {app: big}}\n  template:\n    metadata: {labels: {app: big}}\n"
              "    spec:\n      containers:\n";
      for (int c = 0; c < 60; ++c) {
        text += "        - {name: c" + std::to_string(c) + ", image: busybox, securityContext: {privileged: true}}\n";
      }
      text += "---\n";
    }
  }
  kfix::LoadResult loaded = kfix::LoadManifests(text, "big.yaml");
  REQUIRE(loaded.errors.empty());
  kfix::FixReport report = kfix::FixObjects(loaded.manifests, DefaultRules(), kfix::FixConfig{}, kfix::FixOptions{});
  REQUIRE(report.results.size() > 300);
  const std::string json = kfix::FixReportToJson(report, true, 1);
  REQUIRE(json.size() > 2 * (64u << 10));
  for (int jobs : {1, 2, 4}) {
    kfix::FixOptions so;
    so.jobs = jobs;
    kfix::FixWriteOptions o;
    o.single_part = true;
    std::string out;
    std::size_t pieces = 0;
    kfix::FixReportWriter w(o, [&](std::string_view p) {
      out.append(p);
      ++pieces;
      return true;
    });
    so.writer = &w;
    kfix::FixReport sr = kfix::FixObjects(loaded.manifests, DefaultRules(), kfix::FixConfig{}, so);
    REQUIRE(w.Add(sr));
    REQUIRE(w.Finish(sr.summary));
    CHECK_MESSAGE(out == json, "jobs ", jobs);
    CHECK(pieces > 2);
  }
  // The two halves by hand: each half rendered on its own thread, the texts
  // appended in order.
  kfix::FixWriteOptions o;
  o.single_part = true;
  std::string out;
  kfix::FixReportWriter w(o, AppendTo(out));
  const std::size_t half = report.results.size() / 2;
  std::string first, second, objects;
  std::thread t1([&] { w.RenderResults(report.results.data(), half, first); });
  std::thread t2([&] { w.RenderResults(report.results.data() + half, report.results.size() - half, second); });
  std::thread t3([&] { w.RenderObjects(report.objects.data(), report.objects.size(), report.manifests, objects); });
  t1.join();
  t2.join();
  t3.join();
  CHECK(w.AddRenderedResults(first));
  CHECK(w.AddRenderedObjects(objects));  // held back until the results are complete
  CHECK(w.AddRenderedResults(second));
  CHECK(w.AddRenderedResults(""));  // nothing to add
  kfix::FixReport rest = report;
  rest.results.clear();
  rest.objects.clear();
  REQUIRE(w.Add(rest));
  REQUIRE(w.Finish(rest.summary));
  CHECK(out == json);
  // Text that Render*() did not make is refused, with a reason.
  kfix::FixReportWriter bad(o, [](std::string_view) { return true; });
  CHECK_FALSE(bad.AddRenderedResults("{\"finding\": 1}"));
  CHECK(bad.status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("RenderResults") != std::string::npos);
  CHECK_FALSE(bad.AddRenderedResults(first));  // a failed writer stays failed
}
