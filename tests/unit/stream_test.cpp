// Per-file streaming (Engine::ScanPathsPerFile, ScanReportWriter): the
// streamed report is byte for byte the report of a per-file scan done all
// at once, in every format and for any jobs, with errors and warnings in
// input order and nothing dropped.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "kfix/engine.hpp"

namespace fs = std::filesystem;

namespace {

constexpr const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: NAME
  namespace: prod
spec:
  replicas: 1
  selector:
    matchLabels: {app: NAME}
  template:
    metadata:
      labels: {app: NAME}
    spec:
      containers:
        - name: app
          image: nginx:1.25
          securityContext:
            privileged: true
)";

std::string Deployment(const std::string& name) {
  std::string s = kDeployment;
  for (std::size_t p; (p = s.find("NAME")) != std::string::npos;) s.replace(p, 4, name);
  return s;
}

void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

/// A tree whose walk order (by argument, then path) differs from report
/// order (by path), with a malformed file, a duplicate key, an ignored
/// finding, a pod-shape warning, a cross-object finding and a List.
fs::path MakeInputs() {
  fs::path dir = fs::path(KFIX_BINARY_DIR) / "tests" / "stream_test";
  fs::remove_all(dir);
  WriteFile(dir / "b" / "web.yaml", Deployment("web") + "---\n" + Deployment("api"));
  WriteFile(dir / "b" / "x" / "deep.yaml", Deployment("deep"));
  WriteFile(dir / "b" / "x-y.yaml",  // before b/x/deep.yaml by path ('-' < '/')
            "apiVersion: v1\nkind: Service\nmetadata: {name: lonely, namespace: prod}\n"
            "spec:\n  selector: {app: nobody}\n  ports: [{port: 80}]\n");
  WriteFile(dir / "b" / "broken.yaml",
            Deployment("before") + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: bad\nspec: [\n");
  WriteFile(dir / "a" / "dup.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: dup\n  name: dup2\nspec:\n  containers:\n"
            "    - {name: c, image: nginx}\n");
  WriteFile(dir / "a" / "ignored.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: quiet\n  annotations:\n"
            "    ignore-check.kube-linter.io/privileged-container: \"reviewed\"\nspec:\n  containers:\n"
            "    - name: c\n      image: nginx:1.25\n      securityContext: {privileged: true}\n");
  WriteFile(dir / "a" / "shape.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shape}\nspec:\n  template:\n    spec:\n"
            "      containers: not-a-list\n");
  WriteFile(dir / "a" / "list.json",
            R"({"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod",)"
            R"( "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}]})");
  return dir;
}

kfix::Engine MakeEngine() {
  auto engine = kfix::Engine::FromText(R"({"scan": {"context": "per-file"}, "checks": {"addAllBuiltIn": true}})");
  REQUIRE(engine.ok());
  return std::move(*engine);
}

std::string Whole(const kfix::ScanReport& r, kfix::ScanFormat format, const kfix::RuleSet& rules) {
  switch (format) {
    case kfix::ScanFormat::kJson: return kfix::ScanReportToJson(r, true, false);
    case kfix::ScanFormat::kSarif: return kfix::ScanReportToSarif(r, rules);
    case kfix::ScanFormat::kText: return kfix::ScanReportToText(r);
    case kfix::ScanFormat::kKubeLinterJson: return kfix::ScanReportToKubeLinterJson(r, rules);
  }
  return {};
}

std::string Streamed(const kfix::Engine& engine, const std::vector<std::string>& paths, kfix::ScanFormat format,
                     int jobs, std::size_t spool_memory, std::size_t* parts = nullptr) {
  kfix::ScanWriteOptions wo;
  wo.format = format;
  wo.include_time = false;
  wo.spool_memory = spool_memory;
  std::string out;
  kfix::ScanReportWriter writer(wo, engine.rules().get(), [&](std::string_view piece) {
    out.append(piece);
    return true;
  });
  kfix::CallOptions call;
  call.jobs = jobs;
  std::size_t n = 0;
  auto totals = engine.ScanPathsPerFile(
      paths,
      [&](kfix::FileScanReport&& f) {
        ++n;
        return writer.Add(f) ? kfix::Status::Ok() : writer.status();
      },
      call);
  REQUIRE(totals.ok());
  REQUIRE(writer.Finish(*totals));
  if (parts) *parts = n;
  return out;
}

// Kube-linter's Summary carries the wall-clock end time.
std::string WithoutEndTime(std::string s) {
  const std::size_t p = s.find("\"CheckEndTime\"");
  if (p != std::string::npos) s.erase(p, s.find('\n', p) - p);
  return s;
}

}  // namespace

TEST_CASE("a per-file scan streamed file by file writes the bytes of the whole per-file report") {
  const fs::path dir = MakeInputs();
  const kfix::Engine engine = MakeEngine();
  // Arguments out of path order, and one file named twice (one context).
  const std::vector<std::string> paths = {(dir / "b").string(), (dir / "a").string(),
                                          (dir / "b" / "web.yaml").string()};
  for (int jobs : {1, 2}) {
    kfix::CallOptions call;
    call.jobs = jobs;
    auto whole = engine.ScanPaths(paths, call);
    REQUIRE(whole.ok());
    // The malformed file is reported with file and line; its first document still counts.
    bool broken = false;
    for (const kfix::Status& e : whole->errors) {
      if (e.location().file.find("broken.yaml") != std::string::npos && e.location().line > 0) broken = true;
    }
    CHECK(broken);
    CHECK(!whole->warnings.empty());
    CHECK(!whole->ignored.empty());
    CHECK(whole->stats.files == 9);
    for (kfix::ScanFormat format : {kfix::ScanFormat::kJson, kfix::ScanFormat::kSarif, kfix::ScanFormat::kText,
                                    kfix::ScanFormat::kKubeLinterJson}) {
      CAPTURE(jobs);
      CAPTURE(static_cast<int>(format));
      const std::string expected = WithoutEndTime(Whole(*whole, format, *engine.rules()));
      std::size_t parts = 0;
      // In memory, and with every held-back section moved to temporary files.
      CHECK(WithoutEndTime(Streamed(engine, paths, format, jobs, 0, &parts)) == expected);
      CHECK(WithoutEndTime(Streamed(engine, paths, format, jobs, 16)) == expected);
      CHECK(parts == 8);  // web.yaml named twice is one context
    }
  }
}

TEST_CASE("per-file streaming: totals, a sink error stops the run, a missing path sinks nothing") {
  const fs::path dir = MakeInputs();
  const kfix::Engine engine = MakeEngine();
  std::vector<std::string> files;
  auto totals = engine.ScanPathsPerFile({dir.string()}, [&](kfix::FileScanReport&& f) {
    files.push_back(f.file);
    CHECK(f.report.stats.files == 1);
    return kfix::Status::Ok();
  });
  REQUIRE(totals.ok());
  auto whole = engine.ScanPaths({dir.string()});
  REQUIRE(whole.ok());
  CHECK(totals->files == whole->stats.files);
  CHECK(totals->objects == whole->stats.objects);
  CHECK(totals->findings == whole->stats.findings);
  CHECK(totals->ignored == whole->stats.ignored);
  CHECK(totals->by_check == whole->stats.by_check);
  CHECK(std::is_sorted(files.begin(), files.end()));
  CHECK(files.size() == 8);

  int calls = 0;
  auto stopped = engine.ScanPathsPerFile({dir.string()}, [&](kfix::FileScanReport&&) {
    ++calls;
    return kfix::IoError("disk full");
  });
  CHECK(stopped.status().code() == kfix::StatusCode::kIoError);
  CHECK(calls == 1);

  calls = 0;
  auto missing = engine.ScanPathsPerFile({(dir / "nope").string()}, [&](kfix::FileScanReport&&) {
    ++calls;
    return kfix::Status::Ok();
  });
  CHECK(missing.status().code() == kfix::StatusCode::kNotFound);
  CHECK(calls == 0);
}

namespace {

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// Every file under `dir`, relative path -> bytes.
std::map<std::string, std::string> Tree(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = ReadAll(e.path());
  }
  return out;
}

struct StreamedFix {
  std::string report, diff;
  std::vector<kfix::FileFixReport> parts;  // without their reports
};

StreamedFix StreamFix(const kfix::Engine& engine, const std::vector<std::string>& paths, int jobs,
                      const kfix::WriteBackOptions& wb = {}) {
  StreamedFix out;
  kfix::FixWriteOptions fo;
  fo.jobs = jobs;
  fo.spool_memory = 16;  // every held-back section through a temporary file
  if (wb.mode != kfix::WriteMode::kNone || wb.diff) fo.extra_arrays = {"writeBack"};
  kfix::FixReportWriter writer(fo, [&](std::string_view piece) {
    out.report.append(piece);
    return true;
  });
  kfix::DiffWriter diff(
      [&](std::string_view piece) {
        out.diff.append(piece);
        return true;
      },
      16);
  kfix::CallOptions call;
  call.jobs = jobs;
  call.keep_trees = false;
  call.keep_patched = false;
  auto summary = engine.FixPathsPerFile(
      paths, wb,
      [&](kfix::FileFixReport&& f) {
        for (const kfix::Manifest& m : f.report.manifests) {
          // Only what names the object is left of each tree.
          for (const kfix::Member& member : m.root.as_object()) {
            CHECK((member.key == "apiVersion" || member.key == "kind" || member.key == "metadata"));
          }
        }
        if (!writer.Add(f)) return writer.status();
        for (const kfix::WrittenFile& w : f.written) {
          kfix::WriteBackResult one;
          one.files.push_back(w);
          if (!writer.AddExtra("writeBack", f.written_index, kfix::WriteBackResultToValue(one).Find("files")->as_array()[0]))
            return writer.status();
        }
        if (!diff.Add(f)) return diff.status();
        f.report = kfix::FixReport();
        out.parts.push_back(std::move(f));
        return kfix::Status::Ok();
      },
      call);
  REQUIRE(summary.ok());
  REQUIRE(writer.Finish(*summary));
  REQUIRE(diff.Finish());
  return out;
}

}  // namespace

TEST_CASE("a per-file fix streamed file by file writes the bytes of the whole per-file fix report") {
  const fs::path dir = MakeInputs();
  const kfix::Engine engine = MakeEngine();
  const std::vector<std::string> paths = {(dir / "b").string(), (dir / "a").string(),
                                          (dir / "b" / "web.yaml").string()};
  for (int jobs : {1, 2}) {
    CAPTURE(jobs);
    kfix::CallOptions call;
    call.jobs = jobs;
    auto whole = engine.FixPaths(paths, call);
    REQUIRE(whole.ok());
    CHECK(whole->summary.accepted > 0);
    bool broken = false;
    for (const kfix::Status& e : whole->errors) {
      if (e.location().file.find("broken.yaml") != std::string::npos && e.location().line > 0) broken = true;
    }
    CHECK(broken);
    const StreamedFix streamed = StreamFix(engine, paths, jobs);
    CHECK(streamed.report == kfix::FixReportToJson(*whole, true, jobs));
    CHECK(streamed.parts.size() == 8);
  }
  // Each file is its own lint context: its results are those of fixing it alone.
  auto whole = engine.FixPaths({dir.string()});
  REQUIRE(whole.ok());
  std::map<std::string, std::vector<std::string>> by_file;
  for (const kfix::FixResult& r : whole->results) {
    by_file[r.finding.file].push_back(kfix::ToJson(kfix::FixResultToValue(r)));
  }
  for (const auto& [file, results] : by_file) {
    const kfix::FixReport alone = engine.FixText(ReadAll(file), file);
    std::vector<std::string> expected;
    for (const kfix::FixResult& r : alone.results) expected.push_back(kfix::ToJson(kfix::FixResultToValue(r)));
    CHECK(results == expected);
  }
}

TEST_CASE("a per-file fix writes back, diffs and reports each file as the whole write-back does") {
  const fs::path dir = MakeInputs();
  const kfix::Engine engine = MakeEngine();
  const std::vector<std::string> paths = {(dir / "b").string(), (dir / "a").string()};
  const fs::path out_whole = dir.parent_path() / "stream_test_out_whole";
  const fs::path out_streamed = dir.parent_path() / "stream_test_out_streamed";
  for (int jobs : {1, 2}) {
    CAPTURE(jobs);
    fs::remove_all(out_whole);
    fs::remove_all(out_streamed);
    kfix::CallOptions call;
    call.jobs = jobs;
    call.keep_sources = true;
    auto whole = engine.FixPaths(paths, call);
    REQUIRE(whole.ok());
    kfix::WriteBackOptions wb;
    wb.mode = kfix::WriteMode::kDirectory;
    wb.diff = true;
    wb.directory = out_whole.string();
    auto written = engine.WriteBack(*whole, paths, wb);
    REQUIRE(written.ok());
    CHECK(!written->diff.empty());
    wb.directory = out_streamed.string();
    const StreamedFix streamed = StreamFix(engine, paths, jobs, wb);
    CHECK(streamed.diff == written->diff);
    CHECK(Tree(out_streamed) == Tree(out_whole));
    // The report with its writeBack member, output directories aside.
    kfix::FixWriteOptions fo;
    fo.extra_arrays = {"writeBack"};
    std::string expected;
    kfix::FixReportWriter w(fo, [&](std::string_view piece) {
      expected.append(piece);
      return true;
    });
    REQUIRE(w.Add(*whole));
    const kfix::Value written_doc = kfix::WriteBackResultToValue(*written);
    for (const kfix::Value& e : written_doc.Find("files")->as_array()) {
      REQUIRE(w.AddExtra("writeBack", 0, e));
    }
    REQUIRE(w.Finish(whole->summary));
    std::string got = streamed.report;
    for (std::size_t p; (p = got.find("stream_test_out_streamed")) != std::string::npos;) {
      got.replace(p, std::string("stream_test_out_streamed").size(), "stream_test_out_whole");
    }
    CHECK(got == expected);
    // The malformed file is not written, and says why.
    bool refused = false;
    for (const kfix::FileFixReport& f : streamed.parts) {
      for (const kfix::WrittenFile& x : f.written) {
        if (x.input.find("broken.yaml") != std::string::npos) refused = !x.status.ok() && x.output.empty();
      }
    }
    CHECK(refused);
  }
}

namespace {

struct CliRun {
  int code = -1;
  std::string out;
};

// The kfix tool with `args`, stdout only.
CliRun Cli(const std::string& args) {
  CliRun r;
  FILE* p = popen((std::string(KFIX_CLI_PATH) + " " + args + " 2>/dev/null").c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string Quoted(const std::vector<std::string>& paths) {
  std::string s;
  for (const std::string& p : paths) s += " '" + p + "'";
  return s;
}

}  // namespace

TEST_CASE("kfix scan and fix --context per-file print what the whole per-file run gives, in every output") {
  const fs::path dir = MakeInputs();
  const fs::path config = dir.parent_path() / "stream_test_config.json";
  WriteFile(config, R"({"checks": {"addAllBuiltIn": true}})");
  const kfix::Engine engine = MakeEngine();
  const std::vector<std::string> paths = {(dir / "b").string(), (dir / "a").string()};
  const std::string common = " --context per-file --config '" + config.string() + "'" + Quoted(paths);
  auto whole_scan = engine.ScanPaths(paths);
  REQUIRE(whole_scan.ok());
  const kfix::RuleSet& rules = *engine.rules();

  CliRun json = Cli("scan --format json --no-timing" + common);
  CHECK(json.code == 2);  // findings
  CHECK(json.out == kfix::ScanReportToJson(*whole_scan, true, false));
  CHECK(Cli("scan --format sarif" + common).out == kfix::ScanReportToSarif(*whole_scan, rules));
  CHECK(Cli("scan --format text" + common).out == kfix::ScanReportToText(*whole_scan));
  CHECK(WithoutEndTime(Cli("scan --format kube-linter-json" + common).out) ==
        WithoutEndTime(kfix::ScanReportToKubeLinterJson(*whole_scan, rules)));
  CHECK(Cli("scan --fail-on-invalid --format json" + common).code == 1);  // the malformed file

  kfix::CallOptions keep;
  keep.keep_sources = true;
  auto whole_fix = engine.FixPaths(paths, keep);
  REQUIRE(whole_fix.ok());
  CliRun fix_json = Cli("fix --format json" + common);
  CHECK(fix_json.code == 1);  // the malformed file is an error, as without streaming
  CHECK(fix_json.out == kfix::FixReportToJson(*whole_fix, true, 1));
  CHECK(Cli("fix --format text" + common).out == kfix::FixReportToText(*whole_fix));
  kfix::WriteBackOptions diff_only;
  diff_only.diff = true;
  auto written = engine.WriteBack(*whole_fix, paths, diff_only);
  REQUIRE(written.ok());
  CHECK(!written->diff.empty());
  CHECK(Cli("fix --diff" + common).out == written->diff);

  // The kustomize overlay: the same files as from the whole report.
  const fs::path k_whole = dir.parent_path() / "stream_test_k_whole";
  const fs::path k_streamed = dir.parent_path() / "stream_test_k_streamed";
  fs::remove_all(k_whole);
  fs::remove_all(k_streamed);
  REQUIRE(engine.WriteKustomize(*whole_fix, paths, k_whole.string()).ok());
  Cli("fix --format json --kustomize '" + k_streamed.string() + "'" + common);
  CHECK(!Tree(k_whole).empty());
  CHECK(Tree(k_streamed) == Tree(k_whole));

  // --in-place on a copy ends with the bytes --write writes.
  const fs::path copy = dir.parent_path() / "stream_test_in_place";
  const fs::path mirror = dir.parent_path() / "stream_test_mirror";
  fs::remove_all(copy);
  fs::remove_all(mirror);
  fs::copy(dir, copy, fs::copy_options::recursive);
  Cli("fix --in-place --context per-file --config '" + config.string() + "'" +
      Quoted({(copy / "b").string(), (copy / "a").string()}));
  Cli("fix --write '" + mirror.string() + "'" + common);
  const auto mirrored = Tree(mirror);
  CHECK(mirrored.size() >= 6);
  const auto in_place = Tree(copy);
  for (const auto& [rel, bytes] : mirrored) {
    // The mirror places each file relative to its directory argument.
    const std::string key = (in_place.count("b/" + rel) ? "b/" : "a/") + rel;
    CAPTURE(key);
    REQUIRE(in_place.count(key) == 1);
    CHECK(in_place.at(key) == bytes);
  }
}

namespace {

/// The process's open file descriptors (a spool that spills opens an unnamed temporary file).
std::size_t OpenFiles() {
  std::size_t n = 0;
  for (auto it = fs::directory_iterator("/proc/self/fd"); it != fs::directory_iterator(); ++it) ++n;
  return n;
}

}  // namespace

TEST_CASE("a single-part scan writer holds nothing back, keeps the input order and refuses a second part") {
  const fs::path dir = MakeInputs();
  const kfix::Engine engine = MakeEngine();
  auto scanned = engine.ScanPaths({dir.string()});
  REQUIRE(scanned.ok());
  kfix::ScanReport report = std::move(*scanned);
  report.errors.push_back(kfix::IoError("z.yaml: cannot read"));
  report.errors.push_back(kfix::IoError("y.yaml: cannot read"));
  const kfix::ScanReport* whole = &report;
  REQUIRE(whole->errors.size() >= 3);
  REQUIRE(whole->warnings.size() >= 2);
  REQUIRE(!whole->ignored.empty());
  // Input keys against report order: errors in reverse, the first warning
  // the scan's own (after every load warning), the others in reverse.
  std::vector<std::size_t> error_inputs, warning_inputs;
  for (std::size_t i = 0; i < whole->errors.size(); ++i) error_inputs.push_back(whole->errors.size() - i);
  for (std::size_t i = 0; i < whole->warnings.size(); ++i) {
    warning_inputs.push_back(i == 0 ? kfix::FileScanReport::kNoInput : whole->warnings.size() - i);
  }
  const std::string last_error = whole->errors.back().ToString();
  for (kfix::ScanFormat format : {kfix::ScanFormat::kJson, kfix::ScanFormat::kSarif, kfix::ScanFormat::kText,
                                  kfix::ScanFormat::kKubeLinterJson}) {
    CAPTURE(static_cast<int>(format));
    const bool spools = format == kfix::ScanFormat::kJson || format == kfix::ScanFormat::kText;
    std::string bytes[2];
    for (bool single : {false, true}) {
      CAPTURE(single);
      kfix::ScanWriteOptions wo;
      wo.format = format;
      wo.include_time = false;
      wo.spool_memory = 1;  // whatever is held back goes to a temporary file
      wo.single_part = single;
      std::string& out = bytes[single ? 1 : 0];
      kfix::ScanReportWriter writer(wo, engine.rules().get(), [&](std::string_view piece) {
        out.append(piece);
        return true;
      });
      const std::size_t files = OpenFiles();
      REQUIRE(writer.Add(*whole, error_inputs, warning_inputs));
      if (single) {
        CHECK(OpenFiles() == files);
      } else if (spools) {
        CHECK(OpenFiles() > files);  // the check above can see a held-back section
      }
      // Text writes straight to the sink: a single part's errors are out before Finish().
      if (format == kfix::ScanFormat::kText) CHECK((out.find(last_error) != std::string::npos) == single);
      REQUIRE(writer.Finish(whole->stats));
    }
    CHECK(WithoutEndTime(bytes[1]) == WithoutEndTime(bytes[0]));
    if (format == kfix::ScanFormat::kText) {
      // The keys reorder the errors: the last one in report order comes first.
      CHECK(bytes[1].rfind("error: " + last_error, 0) == 0);
    }
  }
  // The whole-report functions write one part, in report order.
  CHECK(kfix::ScanReportToJson(*whole, true, false) == kfix::ToJson(kfix::ScanReportToValue(*whole, false),
                                                                     kfix::JsonStyle::kPretty) + "\n");
  kfix::ScanWriteOptions wo;
  wo.single_part = true;
  std::string out;
  kfix::ScanReportWriter writer(wo, nullptr, [&](std::string_view piece) {
    out.append(piece);
    return true;
  });
  REQUIRE(writer.Add(*whole));
  CHECK_FALSE(writer.Add(*whole));
  CHECK(writer.status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK_FALSE(writer.Finish(whole->stats));
}
