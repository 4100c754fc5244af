// Tests for `kfix parse` (runs the real CLI binary). Names match
// docs/yaml-semantics.md ("C<n>: ...").
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "kfix/core.hpp"

namespace {

struct Run {
  int exit_code = -1;
  std::string out;
};

// Runs `kfix parse ARGS` with stderr merged into stdout when `merge_stderr`.
Run Parse(const std::string& args, bool merge_stderr = false) {
  std::string cmd = std::string(KFIX_CLI_PATH) + " parse " + args + (merge_stderr ? " 2>&1" : " 2>/dev/null");
  Run r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

const std::string kData = std::string(KFIX_SOURCE_DIR) + "/tests/data/yaml";

}  // namespace

TEST_CASE("C1: text output lists each object with file:line:col, doc, item, apiVersion, kind/ns/name") {
  Run r = Parse(kData + "/multi.yaml " + kData + "/list.yaml");
  CHECK(r.exit_code == 0);
  const std::string expected = kData + "/multi.yaml:2:1 doc=0 apps/v1 Deployment/prod/web\n" + kData +
                               "/multi.yaml:35:1 doc=2 v1 Service/-/web\n" + kData +
                               "/multi.yaml:44:1 doc=3 v1 ConfigMap/-/cfg\n" + kData +
                               "/list.yaml:5:3 doc=0 item=0 v1 Pod/ns1/a\n" + kData +
                               "/list.yaml:9:3 doc=0 item=1 v1 Service/-/b\n";
  CHECK(r.out == expected);
}

TEST_CASE("C2: json output has schemaVersion, objects, errors, warnings; --with-objects adds the tree") {
  Run r = Parse("--format json --with-objects " + kData + "/tree/b.yaml");
  CHECK(r.exit_code == 0);
  kfix::Result<kfix::Value> v = kfix::ParseJson(r.out);
  REQUIRE(v.ok());
  CHECK(v->Find("schemaVersion")->as_int() == 2);
  REQUIRE(v->Find("objects")->size() == 1);
  const kfix::Value& o = v->Find("objects")->as_array()[0];
  CHECK(o.Find("kind")->as_string() == "A");
  CHECK(o.Find("line")->as_int() == 1);
  CHECK(o.Find("document")->as_int() == 0);
  CHECK(o.Find("item") == nullptr);  // not inside a kind: List
  CHECK(ToJson(*o.Find("object")) == "{\"kind\":\"A\"}");
  CHECK(v->Find("errors")->size() == 0);
  Run plain = Parse("--format json " + kData + "/tree/b.yaml");
  kfix::Result<kfix::Value> pv = kfix::ParseJson(plain.out);
  REQUIRE(pv.ok());
  CHECK(pv->Find("objects")->as_array()[0].Find("object") == nullptr);
}

TEST_CASE("C3: errors exit 1 and are printed with file:line:col") {
  Run r = Parse(kData + "/errors/syntax.yaml", true);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find(kData + "/errors/syntax.yaml:1:1 doc=0 - A/-/-\n") != std::string::npos);
  CHECK(r.out.find("error: " + kData + "/errors/syntax.yaml:5:") != std::string::npos);
  Run j = Parse("--format json " + kData + "/errors/syntax.yaml");
  CHECK(j.exit_code == 1);
  kfix::Result<kfix::Value> v = kfix::ParseJson(j.out);
  REQUIRE(v.ok());
  REQUIRE(v->Find("errors")->size() == 1);
  const kfix::Value& e = v->Find("errors")->as_array()[0];
  CHECK(e.Find("code")->as_string() == "parse_error");
  CHECK(e.Find("line")->as_int() == 5);  // libyaml reports the unclosed flow at end of input
  CHECK(e.Find("document")->as_int() == 1);
  CHECK(v->Find("objects")->size() == 1);
}

TEST_CASE("C4: missing paths and bad flags exit 1") {
  CHECK(Parse("/nonexistent/kfix.yaml").exit_code == 1);
  CHECK(Parse("--format xml " + kData + "/tree/b.yaml").exit_code == 1);
  CHECK(Parse("").exit_code == 1);
}

TEST_CASE("C5: duplicate keys warn (exit 0) and fail with --strict") {
  Run warn = Parse(kData + "/errors/dup.yaml", true);
  CHECK(warn.exit_code == 0);
  CHECK(warn.out.find("warning: " + kData + "/errors/dup.yaml:3:1: duplicate key \"a\"") != std::string::npos);
  CHECK(Parse("--strict " + kData + "/errors/dup.yaml").exit_code == 1);
}

TEST_CASE("C6: '-' reads stdin") {
  Run r = Parse("- < " + kData + "/tree/b.yaml");
  CHECK(r.exit_code == 0);
  CHECK(r.out == "-:1:1 doc=0 - A/-/-\n");
}
