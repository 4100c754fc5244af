// Tests for ExpandPaths and ReadFileToString. Names match docs/yaml-semantics.md ("F<n>: ...").
#include <doctest/doctest.h>

#include <string>
#include <vector>

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

TEST_CASE("F5: LoadFile loads JSON files through the JSON parser") {
  kfix::LoadResult r = kfix::LoadFile(kTree + "/sub/c.json");
  REQUIRE(r.errors.empty());
  REQUIRE(r.manifests.size() == 1);
  CHECK(r.manifests[0].Ref().kind == "C");
  CHECK(r.manifests[0].file == kTree + "/sub/c.json");
}
