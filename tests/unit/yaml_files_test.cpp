// Tests for ExpandPaths, LoadPaths and ReadFileToString. Names match docs/yaml-semantics.md ("F<n>: ...").
#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>

#include "kfix/core.hpp"

namespace {
const std::string kTree = std::string(KFIX_SOURCE_DIR) + "/tests/data/yaml/tree";
}

TEST_CASE("F1: a directory expands recursively to sorted *.yaml/*.yml/*.json") {
  kfix::Result<std::vector<std::string>> r = kfix::ExpandPaths({kTree});
  REQUIRE(r.ok());
  const std::vector<std::string> expected = {kTree + "/a.yml", kTree + "/b.yaml", kTree + "/sub/c.json",
                                             kTree + "/sub/d.yaml"};
  CHECK(*r == expected);
}

TEST_CASE("F2: files are taken as is, '-' stays, order of arguments kept") {
  kfix::Result<std::vector<std::string>> r = kfix::ExpandPaths({kTree + "/notes.txt", "-", kTree + "/sub"});
  REQUIRE(r.ok());
  const std::vector<std::string> expected = {kTree + "/notes.txt", "-", kTree + "/sub/c.json", kTree + "/sub/d.yaml"};
  CHECK(*r == expected);
}

TEST_CASE("F3: a missing path is an error naming it") {
  kfix::Result<std::vector<std::string>> r = kfix::ExpandPaths({kTree, "/nonexistent/kfix"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == kfix::StatusCode::kNotFound);
  CHECK(r.status().location().file == "/nonexistent/kfix");
  CHECK(r.status().message().find("/nonexistent/kfix") != std::string::npos);
}

TEST_CASE("F4: ReadFileToString reads files, names the path in errors, enforces max_bytes") {
  kfix::Result<std::string> ok = kfix::ReadFileToString(kTree + "/b.yaml");
  REQUIRE(ok.ok());
  CHECK(*ok == "kind: A\n");
  kfix::Result<std::string> missing = kfix::ReadFileToString(kTree + "/none.yaml");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == kfix::StatusCode::kNotFound);
  CHECK(missing.status().location().file == kTree + "/none.yaml");
  kfix::Result<std::string> dir = kfix::ReadFileToString(kTree);
  REQUIRE_FALSE(dir.ok());
  CHECK(dir.status().code() == kfix::StatusCode::kIoError);
  kfix::Result<std::string> small = kfix::ReadFileToString(kTree + "/b.yaml", 3);
  REQUIRE_FALSE(small.ok());
  CHECK(small.status().code() == kfix::StatusCode::kLimitExceeded);
}

TEST_CASE("F4: ReadFileToString reads pipes and large files whole and stops at max_bytes") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "kfix-readfile";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string big;
  for (int i = 0; big.size() < 300000; ++i) big += "line " + std::to_string(i) + "\n";
  {
    std::ofstream(dir / "big.yaml", std::ios::binary) << big;
  }
  kfix::Result<std::string> whole = kfix::ReadFileToString((dir / "big.yaml").string());
  REQUIRE(whole.ok());
  CHECK(*whole == big);
  CHECK(kfix::ReadFileToString((dir / "big.yaml").string(), big.size()).ok());
  kfix::Result<std::string> over = kfix::ReadFileToString((dir / "big.yaml").string(), big.size() - 1);
  REQUIRE_FALSE(over.ok());
  CHECK(over.status().code() == kfix::StatusCode::kLimitExceeded);
  // A FIFO has no size up front: it is read in growing chunks. A reader that
  // stops at the limit closes the pipe under the writer: ignore SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  const std::string fifo = (dir / "fifo.yaml").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  for (std::size_t limit : {big.size(), big.size() - 1, std::size_t{100}}) {
    CAPTURE(limit);
    std::thread writer([&] {
      std::ofstream out(fifo, std::ios::binary);
      out << big;  // a reader that stops early makes this fail (EPIPE); the test does not care
    });
    kfix::Result<std::string> piped = kfix::ReadFileToString(fifo, limit);
    if (limit >= big.size()) {
      REQUIRE(piped.ok());
      CHECK(*piped == big);
    } else {
      REQUIRE_FALSE(piped.ok());
      CHECK(piped.status().code() == kfix::StatusCode::kLimitExceeded);
    }
    writer.join();
  }
  kfix::Result<std::string> in_dir = kfix::ReadFileToString((dir / "missing" / "x.yaml").string());
  REQUIRE_FALSE(in_dir.ok());
  CHECK(in_dir.status().code() == kfix::StatusCode::kNotFound);
  fs::remove_all(dir);
}

TEST_CASE("F5: LoadFile loads JSON files through the JSON parser") {
  kfix::LoadResult r = kfix::LoadFile(kTree + "/sub/c.json");
  REQUIRE(r.errors.empty());
  REQUIRE(r.manifests.size() == 1);
  CHECK(r.manifests[0].Ref().kind == "C");
  CHECK(r.manifests[0].file == kTree + "/sub/c.json");
}

namespace {

/// A tree of `n` manifest files spread over nested directories (some
/// invalid, some multi-document, some not manifests at all), written once.
std::string ManyFilesTree(int n) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / (std::string("kfix-loadpaths-") += std::to_string(n));
  fs::remove_all(root);
  for (int i = 0; i < n; ++i) {
    const fs::path dir = root / (std::string("d") += std::to_string(i % 7)) / (std::string("e") += std::to_string(i % 3));
    fs::create_directories(dir);
    const std::string name = std::string("f") += std::to_string(i * 7919 % 1000);
    std::ofstream f(dir / (name + (i % 5 == 0 ? ".json" : ".yaml")), std::ios::binary);
    if (i % 5 == 0) {
      f << "{\"kind\": \"J\", \"metadata\": {\"name\": \"j" << i << "\"}}";
    } else if (i % 11 == 0) {
      f << "kind: Bad\nmetadata: {name: [unclosed\n";
    } else {
      f << "kind: A\nmetadata:\n  name: a" << i << "\n---\nkind: B\nmetadata:\n  name: b" << i << "\n";
    }
    std::ofstream(dir / ((std::string("skip") += std::to_string(i)) += ".txt")) << "not a manifest";
  }
  return root.string();
}

std::string Describe(const kfix::LoadResult& r) {
  std::string d = std::to_string(r.documents) + "|";
  for (const kfix::Manifest& m : r.manifests) d += m.file + ":" + m.Ref().kind + "/" + m.Ref().name + ";";
  for (const kfix::Status& e : r.errors) d += "E:" + e.ToString() + ";";
  for (const kfix::Status& w : r.warnings) d += "W:" + w.ToString() + ";";
  return d;
}

}  // namespace

TEST_CASE("F6: LoadPaths loads what ExpandPaths lists, in its order, for any jobs") {
  const std::string tree = ManyFilesTree(240);
  const std::vector<std::string> args = {kTree + "/sub", tree, kTree + "/b.yaml"};
  kfix::Result<std::vector<std::string>> expected = kfix::ExpandPaths(args);
  REQUIRE(expected.ok());
  REQUIRE(expected->size() == 2 + 240 + 1);
  for (int jobs : {1, 2, 3, 8, 0}) {
    CAPTURE(jobs);
    kfix::LoadPathsOptions o;
    o.jobs = jobs;
    std::atomic<int> calls{0};
    std::size_t last_loaded = 0, last_found = 0;
    o.progress = [&](std::size_t loaded, std::size_t found) {
      ++calls;
      CHECK(loaded <= found);
      last_loaded = std::max(last_loaded, loaded);
      last_found = std::max(last_found, found);
    };
    kfix::Result<std::vector<kfix::LoadedFile>> r = kfix::LoadPaths(args, o);
    REQUIRE(r.ok());
    REQUIRE(r->size() == expected->size());
    std::set<int> workers;
    for (std::size_t i = 0; i < r->size(); ++i) {
      const kfix::LoadedFile& f = (*r)[i];
      CHECK(f.path == (*expected)[i]);
      CHECK(Describe(f.result) == Describe(kfix::LoadFile(f.path)));
      CHECK(f.worker >= 0);
      if (jobs > 0) CHECK(f.worker < jobs);
      workers.insert(f.worker);
    }
    CHECK(calls.load() == static_cast<int>(expected->size()));
    CHECK(last_loaded == expected->size());
    CHECK(last_found == expected->size());
    if (jobs == 1) CHECK(workers == std::set<int>{0});
    // MergeLoadedFiles: every manifest in file order, then every error, then
    // every warning; documents summed.
    std::string manifests_part, errors_part, warnings_part;
    std::int32_t documents = 0;
    for (const kfix::LoadedFile& f : *r) {
      for (const kfix::Manifest& m : f.result.manifests)
        manifests_part += m.file + ":" + m.Ref().kind + "/" + m.Ref().name + ";";
      for (const kfix::Status& e : f.result.errors) errors_part += e.ToString() + ";";
      for (const kfix::Status& w : f.result.warnings) warnings_part += w.ToString() + ";";
      documents += f.result.documents;
    }
    const kfix::LoadResult merged = kfix::MergeLoadedFiles(std::move(*r));
    CHECK(r->empty());
    CHECK(merged.documents == documents);
    std::string m_got, e_got, w_got;
    for (const kfix::Manifest& m : merged.manifests) m_got += m.file + ":" + m.Ref().kind + "/" + m.Ref().name + ";";
    for (const kfix::Status& e : merged.errors) e_got += e.ToString() + ";";
    for (const kfix::Status& w : merged.warnings) w_got += w.ToString() + ";";
    CHECK(m_got == manifests_part);
    CHECK(e_got == errors_part);
    CHECK(w_got == warnings_part);
    CHECK(!errors_part.empty());  // the tree has bad files
  }
  std::filesystem::remove_all(tree);
}

TEST_CASE("F6: LoadPaths skip leaves files out unread") {
  kfix::LoadPathsOptions o;
  o.jobs = 2;
  std::vector<std::string> asked;
  o.skip = [&](const std::string& f) {
    asked.push_back(f);  // called on the calling thread only: no lock needed
    return f.find("/sub/") != std::string::npos;
  };
  kfix::Result<std::vector<kfix::LoadedFile>> r = kfix::LoadPaths({kTree}, o);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].path == kTree + "/a.yml");
  CHECK((*r)[1].path == kTree + "/b.yaml");
  CHECK(asked.size() == 4);
}

TEST_CASE("F7: LoadPaths fails as ExpandPaths does and returns nothing") {
  const std::string tree = ManyFilesTree(60);
  for (int jobs : {1, 2}) {
    kfix::LoadPathsOptions o;
    o.jobs = jobs;
    kfix::Result<std::vector<kfix::LoadedFile>> r = kfix::LoadPaths({tree, "/nonexistent/kfix"}, o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == kfix::StatusCode::kNotFound);
    CHECK(r.status().location().file == "/nonexistent/kfix");
  }
  // A skip callback that throws stops the walk; the loaders are released and
  // joined (no hang, no terminate) and the call fails.
  for (int jobs : {1, 3}) {
    kfix::LoadPathsOptions o;
    o.jobs = jobs;
    int calls = 0;
    o.skip = [&](const std::string&) -> bool {
      if (++calls == 10) throw std::runtime_error("skip failed");
      return false;
    };
    kfix::Result<std::vector<kfix::LoadedFile>> r = kfix::LoadPaths({tree}, o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == kfix::StatusCode::kInvalidArgument);
    CHECK(r.status().message().find("skip failed") != std::string::npos);
  }
  kfix::Result<std::vector<kfix::LoadedFile>> empty = kfix::LoadPaths({});
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  std::filesystem::remove_all(tree);
}
