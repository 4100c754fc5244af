// CLI contract of `kfix fix` and `kfix verify`: exit codes, report shape,
// --write mirroring without touching the inputs.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "kfix/core.hpp"

namespace fs = std::filesystem;

namespace {

struct Run {
  int code = -1;
  std::string out;
};

Run Cli(const std::string& args) {
  std::string cmd = std::string(KFIX_CLI_PATH) + " " + args + " 2>/dev/null";
  Run r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

fs::path TempDir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("kfix_vet_cli_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void Write(const fs::path& p, const std::string& text) {
  std::ofstream o(p, std::ios::binary);
  o << text;
}

std::string Read(const fs::path& p) {
  std::ifstream i(p, std::ios::binary);
  std::stringstream ss;
  ss << i.rdbuf();
  return ss.str();
}

const char* kPod = R"(apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
  - name: app
    image: nginx:1.25.3
    securityContext:
      privileged: true
      readOnlyRootFilesystem: true
      runAsNonRoot: true
      allowPrivilegeEscalation: false
      capabilities:
        drop: [ALL]
    resources:
      requests: {cpu: 100m}
      limits: {memory: 128Mi}
)";

}  // namespace

TEST_CASE("kfix verify: accepted 0, rejected 2, error 1") {
  fs::path d = TempDir("verify");
  Write(d / "pod.yaml", kPod);
  Write(d / "good.json", R"([{"op":"replace","path":"/spec/containers/0/securityContext/privileged","value":false}])");
  Write(d / "bad.txt", "Sure! ```json\n[{\"op\":\"remove\",\"path\":\"/spec/containers/0\"}]\n```");
  Write(d / "junk.txt", "I cannot do that");
  Run ok = Cli("verify --manifest " + (d / "pod.yaml").string() + " --patch " + (d / "good.json").string() +
               " --check privileged-container");
  CHECK(ok.code == 0);
  auto v = kfix::ParseJson(ok.out);
  REQUIRE(v.ok());
  CHECK(v->Find("accepted")->as_bool());
  CHECK(v->Find("gates")->size() == 9);
  Run bad = Cli("verify --manifest " + (d / "pod.yaml").string() + " --patch " + (d / "bad.txt").string());
  CHECK(bad.code == 2);
  Run junk = Cli("verify --manifest " + (d / "pod.yaml").string() + " --patch " + (d / "junk.txt").string());
  CHECK(junk.code == 2);
  auto j = kfix::ParseJson(junk.out);
  REQUIRE(j.ok());
  CHECK_FALSE(j->Find("accepted")->as_bool());
  CHECK(Cli("verify --manifest " + (d / "missing.yaml").string() + " --patch " + (d / "good.json").string()).code == 1);
  CHECK(Cli("verify --manifest " + (d / "pod.yaml").string()).code == 1);
  CHECK(Cli("verify --manifest " + (d / "pod.yaml").string() + " --document 3 --patch " + (d / "good.json").string())
            .code == 1);
  fs::remove_all(d);
}

TEST_CASE("kfix fix: JSON report, --write mirror, inputs untouched") {
  fs::path d = TempDir("fix");
  fs::create_directories(d / "in" / "sub");
  Write(d / "in" / "sub" / "pod.yaml", kPod);
  Run r = Cli("fix " + (d / "in").string());
  CHECK(r.code == 0);
  auto rep = kfix::ParseJson(r.out);
  REQUIRE(rep.ok());
  CHECK(rep->Find("schemaVersion")->as_int() == 2);
  const kfix::Value* results = rep->Find("results");
  REQUIRE(results);
  REQUIRE(results->size() >= 1);
  bool privileged_fixed = false;
  for (const kfix::Value& e : results->as_array()) {
    if (e.Find("check")->as_string() == "privileged-container") {
      privileged_fixed = e.Find("status")->as_string() == "accepted";
      CHECK(e.Find("file")->as_string().find("pod.yaml") != std::string::npos);
      CHECK(e.Find("gates")->size() == 9);
    }
  }
  CHECK(privileged_fixed);
  CHECK(rep->FindPath({"summary", "accepted"})->as_int() >= 1);

  Run w = Cli("fix --format text --write " + (d / "out").string() + " " + (d / "in").string());
  CHECK(w.code == 0);
  CHECK(w.out.find("TOTAL") != std::string::npos);
  CHECK(Read(d / "in" / "sub" / "pod.yaml") == kPod);  // never touched
  REQUIRE(fs::exists(d / "out" / "sub" / "pod.yaml"));
  auto written = kfix::LoadFile((d / "out" / "sub" / "pod.yaml").string());
  REQUIRE(written.errors.empty());
  REQUIRE(written.manifests.size() == 1);
  CHECK(written.manifests[0].root.FindPath({"spec"})->Find("containers")->as_array()[0]
            .FindPath({"securityContext", "privileged"})
            ->as_bool() == false);
  // Writing over the inputs is refused.
  CHECK(Cli("fix --write " + (d / "in").string() + " " + (d / "in").string()).code == 1);
  // --diff prints a unified diff.
  Run diff = Cli("fix --diff " + (d / "in").string());
  auto has_line = [&](char sign, const std::string& text) {
    std::istringstream in(diff.out);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line[0] == sign && line.find(text) != std::string::npos) return true;
    }
    return false;
  };
  CHECK(diff.out.rfind("--- a/", 0) == 0);
  CHECK(has_line('-', "privileged: true"));
  CHECK(has_line('+', "privileged: false"));
  // Usage errors.
  CHECK(Cli("fix").code == 1);
  CHECK(Cli("fix --profile extreme " + (d / "in").string()).code == 1);
  CHECK(Cli("fix --jobs 0 " + (d / "in").string()).code == 1);
  fs::remove_all(d);
}

TEST_CASE("kfix fix --write keeps a List's own fields and unfixed items, patches the fixed item") {
  fs::path d = TempDir("list");
  fs::create_directories(d / "in");
  Write(d / "in" / "list.yaml", R"(apiVersion: v1
kind: List
metadata:
  resourceVersion: "42"
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: settings}
  data: {a: "1"}
- apiVersion: v1
  kind: Pod
  metadata: {name: web}
  spec:
    containers:
    - name: app
      image: app:1.0
      securityContext: {privileged: true}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: second}
)");
  Run w = Cli("fix --format text --write " + (d / "out").string() + " " + (d / "in" / "list.yaml").string());
  CHECK(w.code == 0);
  auto written = kfix::LoadFile((d / "out" / "list.yaml").string(), [] {
    kfix::ParseOptions po;
    po.expand_lists = false;
    return po;
  }());
  REQUIRE(written.errors.empty());
  REQUIRE(written.manifests.size() == 2);
  const kfix::Value& list = written.manifests[0].root;
  CHECK(list.FindPath({"metadata", "resourceVersion"})->as_string() == "42");  // the List's own metadata survives
  REQUIRE(list.Find("items")->size() == 2);
  CHECK(list.Find("items")->as_array()[0].FindPath({"data", "a"})->as_string() == "1");
  const kfix::Value& pod = list.Find("items")->as_array()[1];
  CHECK(pod.FindPath({"spec"})->Find("containers")->as_array()[0].FindPath({"securityContext", "privileged"})->as_bool() ==
        false);
  CHECK(written.manifests[1].root.FindPath({"metadata", "name"})->as_string() == "second");
  fs::remove_all(d);
}

TEST_CASE("kfix fix --write keeps a top-level JSON array an array") {
  fs::path d = TempDir("jsonarray");
  fs::create_directories(d / "in");
  Write(d / "in" / "objs.json", R"([
  {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"x": "1"}},
  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
   "spec": {"containers": [{"name": "a", "image": "a:1", "securityContext": {"privileged": true}}]}}
])");
  Run w = Cli("fix --format text --write " + (d / "out").string() + " " + (d / "in" / "objs.json").string());
  CHECK(w.code == 0);
  auto v = kfix::ParseJson(Read(d / "out" / "objs.json"));
  REQUIRE(v.ok());
  REQUIRE(v->is_array());
  REQUIRE(v->size() == 2);
  CHECK(v->as_array()[0].FindPath({"data", "x"})->as_string() == "1");
  CHECK(v->as_array()[1].FindPath({"spec"})->Find("containers")->as_array()[0].FindPath({"securityContext", "privileged"})
            ->as_bool() == false);
  fs::remove_all(d);
}
