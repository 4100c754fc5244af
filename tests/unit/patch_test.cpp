// RFC 6902 JSON Patch: Appendix A conformance (data files), every error path
// by code, atomicity, Diff property test, RFC 7386 merge patch, and the CLI.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/patch_internal.hpp"
#include "kfix/core.hpp"

using kfix::JsonStyle;
using kfix::Patch;
using kfix::PatchOpType;
using kfix::StatusCode;
using kfix::Value;

namespace fs = std::filesystem;

namespace {

Value J(std::string_view text) {
  auto r = kfix::ParseJson(text);
  INFO(std::string(text));
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(r).value();
}

Patch P(std::string_view text) {
  auto r = kfix::ParsePatch(text);
  INFO(std::string(text));
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(r).value();
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> ConformanceFiles() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(KFIX_SOURCE_DIR) / "tests/conformance/rfc6902")) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct Outcome {
  StatusCode code = StatusCode::kOk;
  Value result;
  std::string message;
};

// Parses and applies `patch_text` to `doc` as the API would.
Outcome Run(const Value& doc, std::string_view patch_text) {
  Outcome o;
  auto patch = kfix::ParsePatch(patch_text);
  if (!patch.ok()) {
    o.code = patch.status().code();
    o.message = patch.status().message();
    return o;
  }
  Value work = doc;
  kfix::Status s = kfix::ApplyPatch(work, *patch);
  o.code = s.code();
  o.message = s.message();
  if (s.ok()) {
    o.result = std::move(work);
  } else {
    CHECK(work == doc);  // atomic
    CHECK(kfix::ToJson(work) == kfix::ToJson(doc));
  }
  return o;
}

StatusCode ApplyCode(std::string_view doc, std::string_view patch) { return Run(J(doc), patch).code; }

Value RandomValue(std::mt19937& rng, int depth) {
  static const char* kKeys[] = {"a", "b", "c", "d", "x/y", "m~n", "", "0", "-"};
  const int max_kind = depth >= 4 ? 4 : 7;
  switch (std::uniform_int_distribution<int>(0, max_kind)(rng)) {
    case 0: return Value(nullptr);
    case 1: return Value(rng() % 2 == 0);
    case 2: return Value(static_cast<int>(rng() % 5));
    case 3: return Value(static_cast<double>(rng() % 7) / 2.0);
    case 4: return Value(std::string(1, static_cast<char>('p' + rng() % 4)));
    case 5:
    case 6: {
      Value o = Value::MakeObject();
      const std::size_t n = rng() % 5;
      for (std::size_t i = 0; i < n; ++i) o.Set(kKeys[rng() % 9], RandomValue(rng, depth + 1));
      return o;
    }
    default: {
      Value a = Value::MakeArray();
      const std::size_t n = rng() % 5;
      for (std::size_t i = 0; i < n; ++i) a.PushBack(RandomValue(rng, depth + 1));
      return a;
    }
  }
}

// A random variation of `v`: the kind of edit remediation makes.
Value Mutate(const Value& v, std::mt19937& rng, int depth) {
  if (rng() % 4 == 0) return RandomValue(rng, depth);
  Value out = v;
  if (out.is_object() && out.size() > 0 && rng() % 2) {
    auto& o = out.as_object();
    const std::size_t i = rng() % o.size();
    if (rng() % 3 == 0) {
      o.erase(o.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      o[i].value = Mutate(o[i].value, rng, depth + 1);
    }
  } else if (out.is_array() && out.size() > 0 && rng() % 2) {
    auto& a = out.as_array();
    const std::size_t i = rng() % a.size();
    if (rng() % 3 == 0) {
      a.erase(a.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      a[i] = Mutate(a[i], rng, depth + 1);
    }
  }
  return out;
}

std::string RunCli(const std::string& args, int& exit_code) {
  const std::string cmd = std::string(KFIX_CLI_PATH) + " " + args + " 2>&1";
  FILE* f = popen(cmd.c_str(), "r");
  REQUIRE(f != nullptr);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  const int status = pclose(f);
  exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

}  // namespace

TEST_CASE("RFC 6902 Appendix A conformance (tests/conformance/rfc6902)") {
  std::vector<fs::path> files = ConformanceFiles();
  REQUIRE(files.size() == 16);
  for (const fs::path& f : files) {
    Value c = J(ReadFile(f));
    INFO(f.filename().string() << ": " << c.Find("title")->as_string());
    const Value& doc = *c.Find("doc");
    std::string patch_text =
        c.Find("patch_text") ? c.Find("patch_text")->as_string() : kfix::ToJson(*c.Find("patch"));
    Outcome o = Run(doc, patch_text);
    if (const Value* err = c.Find("error")) {
      CHECK(std::string(kfix::StatusCodeName(o.code)) == err->as_string());
    } else {
      REQUIRE_MESSAGE(o.code == StatusCode::kOk, o.message);
      CHECK(o.result == *c.Find("expected"));
    }
  }
}

TEST_CASE("ApplyPatch: op semantics") {
  // add
  CHECK(Run(J(R"({"a":1})"), R"([{"op":"add","path":"","value":[1,2]}])").result == J("[1,2]"));
  CHECK(Run(J(R"({"a":1})"), R"([{"op":"add","path":"/a","value":null}])").result == J(R"({"a":null})"));
  CHECK(Run(J(R"({"a":[1,2]})"), R"([{"op":"add","path":"/a/2","value":3}])").result == J(R"({"a":[1,2,3]})"));
  CHECK(Run(J(R"({"a":[1,2]})"), R"([{"op":"add","path":"/a/0","value":0}])").result == J(R"({"a":[0,1,2]})"));
  CHECK(Run(J(R"({"a":[]})"), R"([{"op":"add","path":"/a/-","value":1}])").result == J(R"({"a":[1]})"));
  CHECK(Run(J(R"({"":1})"), R"([{"op":"add","path":"/","value":2}])").result == J(R"({"":2})"));
  // add to an existing member replaces it and keeps its position
  Outcome keep = Run(J(R"({"a":1,"b":2})"), R"([{"op":"add","path":"/a","value":9}])");
  CHECK(keep.result.as_object()[0].key == "a");
  CHECK(keep.result.as_object()[0].value.as_int() == 9);
  // remove / replace
  CHECK(Run(J(R"({"a":[1,2,3]})"), R"([{"op":"remove","path":"/a/2"}])").result == J(R"({"a":[1,2]})"));
  CHECK(Run(J(R"({"a":1})"), R"([{"op":"replace","path":"","value":"x"}])").result == J(R"("x")"));
  CHECK(Run(J(R"({"a":[1,2]})"), R"([{"op":"replace","path":"/a/1","value":{"b":1}}])").result ==
        J(R"({"a":[1,{"b":1}]})"));
  // move
  CHECK(Run(J(R"({"a":[1,2,3]})"), R"([{"op":"move","from":"/a/0","path":"/a/-"}])").result ==
        J(R"({"a":[2,3,1]})"));
  CHECK(Run(J(R"({"a":{"b":1},"c":2})"), R"([{"op":"move","from":"/a","path":"/c"}])").result ==
        J(R"({"c":{"b":1}})"));
  CHECK(Run(J(R"({"a":{"b":1}})"), R"([{"op":"move","from":"/a/b","path":""}])").result == J("1"));
  // move from == path: no-op (but `from` must exist); copy to an object member: no change
  Outcome same = Run(J(R"({"a":1,"b":2})"), R"([{"op":"move","from":"/a","path":"/a"}])");
  CHECK(same.result == J(R"({"a":1,"b":2})"));
  CHECK(same.result.as_object()[0].key == "a");
  CHECK(Run(J(R"({"a":1})"), R"([{"op":"move","from":"","path":""}])").result == J(R"({"a":1})"));
  CHECK(Run(J(R"({"a":1})"), R"([{"op":"copy","from":"/a","path":"/a"}])").result == J(R"({"a":1})"));
  // ... but copy into an array inserts (copy = add of the value at `from`).
  CHECK(Run(J(R"({"a":[1,2]})"), R"([{"op":"copy","from":"/a/1","path":"/a/1"}])").result == J(R"({"a":[1,2,2]})"));
  CHECK(Run(J(R"({"a":[1,2]})"), R"([{"op":"move","from":"/a/1","path":"/a/1"}])").result == J(R"({"a":[1,2]})"));
  // copy is deep: later edits of the copy do not touch the source
  CHECK(Run(J(R"({"a":{"x":[1]}})"),
            R"([{"op":"copy","from":"/a","path":"/b"},{"op":"add","path":"/b/x/-","value":2},
                {"op":"replace","path":"/b/y","value":0}])")
            .code == StatusCode::kPatchConflict);
  CHECK(Run(J(R"({"a":{"x":[1]}})"),
            R"([{"op":"copy","from":"/a","path":"/b"},{"op":"add","path":"/b/x/-","value":2}])")
            .result == J(R"({"a":{"x":[1]},"b":{"x":[1,2]}})"));
  CHECK(Run(J(R"({"a":[1,2]})"), R"([{"op":"copy","from":"/a","path":"/a/0"}])").result ==
        J(R"({"a":[[1,2],1,2]})"));
  CHECK(Run(J(R"({"a":1})"), R"([{"op":"copy","from":"","path":"/b"}])").result == J(R"({"a":1,"b":{"a":1}})"));
  // test: deep equality, 1 == 1.0, member order ignored
  CHECK(ApplyCode(R"({"a":1})", R"([{"op":"test","path":"/a","value":1.0}])") == StatusCode::kOk);
  CHECK(ApplyCode(R"({"a":{"x":1,"y":[true,null]}})",
                  R"([{"op":"test","path":"/a","value":{"y":[true,null],"x":1}}])") == StatusCode::kOk);
  CHECK(ApplyCode(R"({"a":null})", R"([{"op":"test","path":"/a","value":null}])") == StatusCode::kOk);
  CHECK(ApplyCode(R"([1])", R"([{"op":"test","path":"","value":[1.0]}])") == StatusCode::kOk);
  CHECK(ApplyCode("{}", "[]") == StatusCode::kOk);
}

TEST_CASE("ApplyPatch: every error path, by code") {
  struct Case {
    const char* doc;
    const char* patch;
    StatusCode code;
  };
  const Case cases[] = {
      // add
      {R"({"a":1})", R"([{"op":"add","path":"/x/y","value":1}])", StatusCode::kPatchConflict},
      {R"({"a":[1]})", R"([{"op":"add","path":"/a/2","value":1}])", StatusCode::kPatchConflict},
      {R"({"a":[1]})", R"([{"op":"add","path":"/a/01","value":1}])", StatusCode::kInvalidArgument},
      {R"({"a":[1]})", R"([{"op":"add","path":"/a/+1","value":1}])", StatusCode::kInvalidArgument},
      {R"({"a":[1]})", R"([{"op":"add","path":"/a/x","value":1}])", StatusCode::kInvalidArgument},
      {R"({"a":"s"})", R"([{"op":"add","path":"/a/x","value":1}])", StatusCode::kPatchConflict},
      {R"({"a":null})", R"([{"op":"add","path":"/a/x","value":1}])", StatusCode::kPatchConflict},
      {R"({"a":[[1]]})", R"([{"op":"add","path":"/a/-/0","value":1}])", StatusCode::kPatchConflict},
      // remove
      {R"({"a":1})", R"([{"op":"remove","path":"/b"}])", StatusCode::kPatchConflict},
      {R"({"a":1})", R"([{"op":"remove","path":""}])", StatusCode::kPatchConflict},
      {R"({"a":[1]})", R"([{"op":"remove","path":"/a/1"}])", StatusCode::kPatchConflict},
      {R"({"a":[1]})", R"([{"op":"remove","path":"/a/-"}])", StatusCode::kPatchConflict},
      {R"({"a":[1]})", R"([{"op":"remove","path":"/a/00"}])", StatusCode::kInvalidArgument},
      {R"({"a":1})", R"([{"op":"remove","path":"/a/b"}])", StatusCode::kPatchConflict},
      {R"({"a":1})", R"([{"op":"remove","path":"/x/y"}])", StatusCode::kPatchConflict},
      // replace
      {R"({"a":1})", R"([{"op":"replace","path":"/b","value":1}])", StatusCode::kPatchConflict},
      {R"({"a":[1]})", R"([{"op":"replace","path":"/a/1","value":1}])", StatusCode::kPatchConflict},
      {R"({"a":[1]})", R"([{"op":"replace","path":"/a/-","value":1}])", StatusCode::kPatchConflict},
      {R"({"a":[1]})", R"([{"op":"replace","path":"/a/01","value":1}])", StatusCode::kInvalidArgument},
      // move
      {R"({"a":{"b":1}})", R"([{"op":"move","from":"/a","path":"/a/c"}])", StatusCode::kPatchConflict},
      {R"({"a":1})", R"([{"op":"move","from":"","path":"/b"}])", StatusCode::kPatchConflict},
      {R"({"a":1})", R"([{"op":"move","from":"/x","path":"/b"}])", StatusCode::kPatchConflict},
      {R"({"a":1})", R"([{"op":"move","from":"/x","path":"/x"}])", StatusCode::kPatchConflict},
      {R"({"a":1})", R"([{"op":"move","from":"/a","path":"/x/y"}])", StatusCode::kPatchConflict},
      {R"({"a":[1]})", R"([{"op":"move","from":"/a/0","path":"/a/2"}])", StatusCode::kPatchConflict},
      // copy
      {R"({"a":1})", R"([{"op":"copy","from":"/x","path":"/b"}])", StatusCode::kPatchConflict},
      {R"({"a":1})", R"([{"op":"copy","from":"/a","path":"/x/y"}])", StatusCode::kPatchConflict},
      {R"({"a":[1]})", R"([{"op":"copy","from":"/a/01","path":"/b"}])", StatusCode::kInvalidArgument},
      // test
      {R"({"a":1})", R"([{"op":"test","path":"/a","value":2}])", StatusCode::kTestFailed},
      {R"({"a":1})", R"([{"op":"test","path":"/a","value":"1"}])", StatusCode::kTestFailed},
      {R"({"a":1})", R"([{"op":"test","path":"/b","value":1}])", StatusCode::kTestFailed},
      {R"({"a":[1]})", R"([{"op":"test","path":"/a","value":[1,2]}])", StatusCode::kTestFailed},
      {R"({"a":{"x":1}})", R"([{"op":"test","path":"/a","value":{"x":1,"y":2}}])", StatusCode::kTestFailed},
      {R"({"a":[1]})", R"([{"op":"test","path":"/a/01","value":1}])", StatusCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    INFO(c.doc << " + " << c.patch);
    Outcome o = Run(J(c.doc), c.patch);
    CHECK(o.code == c.code);
    CHECK(o.message.rfind("op 0 (", 0) == 0);
  }
}

TEST_CASE("ParsePatch: malformed patches name the op index") {
  struct Case {
    const char* patch;
    const char* pointer;  // location.pointer inside the patch document
  };
  const Case cases[] = {
      {R"({"op":"add"})", ""},
      {R"("x")", ""},
      {R"([1])", "/0"},
      {R"([{"op":"test","path":"","value":1}, []])", "/1"},
      {R"([{"path":"/a","value":1}])", "/0"},
      {R"([{"op":5,"path":"/a","value":1}])", "/0/op"},
      {R"([{"op":"ad","path":"/a","value":1}])", "/0/op"},
      {R"([{"op":"ADD","path":"/a","value":1}])", "/0/op"},
      {R"([{"op":"add","value":1}])", "/0"},
      {R"([{"op":"add","path":1,"value":1}])", "/0/path"},
      {R"([{"op":"add","path":"a","value":1}])", "/0/path"},
      {R"([{"op":"add","path":"/~2","value":1}])", "/0/path"},
      {R"([{"op":"add","path":"/a"}])", "/0"},
      {R"([{"op":"replace","path":"/a"}])", "/0"},
      {R"([{"op":"test","path":"/a"}])", "/0"},
      {R"([{"op":"move","path":"/a"}])", "/0"},
      {R"([{"op":"copy","path":"/a","from":null}])", "/0/from"},
      {R"([{"op":"move","path":"/a","from":"x"}])", "/0/from"},
      {R"([{"op":"remove"}])", "/0"},
      {R"([{"op":"remove","path":"/a"},{"op":"remove","path":"/b","op":"add"}])", ""},  // duplicate member
      {R"([{"op":"remove","path":"/a"})", ""},                                         // not JSON
  };
  for (const Case& c : cases) {
    INFO(c.patch);
    auto r = kfix::ParsePatch(std::string_view(c.patch));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kParseError);
    CHECK(r.status().location().pointer == c.pointer);
    if (std::string(c.pointer).size() > 1) {
      CHECK(r.status().message().rfind("op " + std::string(c.pointer).substr(1, 1), 0) == 0);
      CHECK(r.status().location().line > 0);
    }
  }
  // Valid edge cases: present null value, extra members, from on add ignored.
  Patch ok = P(R"([{"op":"add","path":"/a","value":null,"from":7,"x":{}},{"op":"remove","path":"/a","value":1}])");
  REQUIRE(ok.size() == 2);
  CHECK(ok[0].op == PatchOpType::kAdd);
  CHECK(ok[0].value.is_null());
  CHECK(ok[0].from.empty());
  CHECK(ok[1].op == PatchOpType::kRemove);
  CHECK(ok[1].value.is_null());
  // A tree patch goes through the same checks.
  auto tree = kfix::ParsePatch(J(R"([{"op":"add","path":"/a","value":1},{"op":"move","path":"/b"}])"));
  REQUIRE_FALSE(tree.ok());
  CHECK(tree.status().message() == "op 1 (move): missing member \"from\"");
}

TEST_CASE("ApplyPatch is atomic and names the failing op") {
  const Value original = J(R"({"spec":{"replicas":1,"template":{"containers":[{"name":"a"}]}}})");
  Value doc = original;
  Patch patch = P(R"([
    {"op":"replace","path":"/spec/replicas","value":3},
    {"op":"add","path":"/spec/template/containers/-","value":{"name":"b"}},
    {"op":"replace","path":"/spec/x","value":1}
  ])");
  kfix::Status s = kfix::ApplyPatch(doc, patch);
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kPatchConflict);
  CHECK(s.message() == R"(op 2 (replace /spec/x): member "x" not found in object at "/spec")");
  CHECK(s.location().pointer == "/spec/x");
  CHECK(doc == original);
  CHECK(kfix::ToJson(doc) == kfix::ToJson(original));

  // A failing test after mutations.
  Patch guarded = P(R"([
    {"op":"remove","path":"/spec/replicas"},
    {"op":"add","path":"/spec/paused","value":true},
    {"op":"test","path":"/spec/template/containers/0/name","value":"z"}
  ])");
  s = kfix::ApplyPatch(doc, guarded);
  CHECK(s.code() == StatusCode::kTestFailed);
  CHECK(s.message().rfind("op 2 (test /spec/template/containers/0/name): ", 0) == 0);
  CHECK(doc == original);

  // A failing move removes nothing.
  Patch bad_move = P(R"([{"op":"move","from":"/spec/replicas","path":"/nope/x"}])");
  s = kfix::ApplyPatch(doc, bad_move);
  CHECK(s.code() == StatusCode::kPatchConflict);
  CHECK(s.message().rfind("op 0 (move /spec/replicas -> /nope/x): ", 0) == 0);
  CHECK(doc == original);

  // ApplyPatchCopy leaves its input alone either way.
  auto copy = kfix::ApplyPatchCopy(original, P(R"([{"op":"remove","path":"/spec"}])"));
  REQUIRE(copy.ok());
  CHECK(*copy == J("{}"));
  CHECK(original.Find("spec") != nullptr);
  CHECK(kfix::ApplyPatchCopy(original, patch).status().code() == StatusCode::kPatchConflict);

  // Success commits every op.
  s = kfix::ApplyPatch(doc, P(R"([{"op":"test","path":"/spec/replicas","value":1},
                                  {"op":"replace","path":"/spec/replicas","value":2}])"));
  REQUIRE(s.ok());
  CHECK(doc.FindPath({"spec", "replicas"})->as_int() == 2);
}

TEST_CASE("ApplyPatch: long patches on large objects agree with op-by-op application") {
  // The member index that keeps N ops linear must not change a result: a
  // random mix of ops over a few large objects, applied as one patch, equals
  // the same ops applied one per call (each call starts without an index).
  for (unsigned seed = 1; seed <= 6; ++seed) {
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    Value doc = J(R"({"a":{},"b":{"c":{}},"arr":[]})");
    Patch patch;
    const char* parents[] = {"/a", "/b/c", "/b"};
    for (int i = 0; i < 3000; ++i) {
      std::string parent = parents[pick(3)];
      std::string key = "k" + std::to_string(pick(60));
      kfix::PatchOp op;
      switch (pick(8)) {
        case 0: op.op = PatchOpType::kRemove; break;
        case 1: op.op = PatchOpType::kReplace; op.value = Value(static_cast<std::int64_t>(i)); break;
        case 2: op.op = PatchOpType::kTest; op.value = Value(static_cast<std::int64_t>(pick(3000))); break;
        case 3: op.op = PatchOpType::kAdd; op.value = J(R"({"x":{"y":1}})"); break;
        case 4:
          op.op = PatchOpType::kAdd;
          parent = "/arr";
          key = pick(2) == 0 ? "-" : "0";
          op.value = J(R"({"e":[1]})");
          break;
        case 5:
          op.op = PatchOpType::kMove;
          op.from = *kfix::JsonPointer::Parse(std::string(parents[pick(3)]) + "/k" + std::to_string(pick(60)));
          break;
        case 6:
          op.op = PatchOpType::kCopy;
          op.from = *kfix::JsonPointer::Parse(std::string(parents[pick(2)]) + "/k" + std::to_string(pick(60)));
          break;
        default: op.op = PatchOpType::kAdd; op.value = Value(static_cast<std::int64_t>(i)); break;
      }
      op.path = *kfix::JsonPointer::Parse(parent + "/" + key);
      patch.push_back(std::move(op));
    }
    // Keep only the ops that succeed one by one, so the whole patch applies.
    Value step = doc;
    Patch kept;
    for (const kfix::PatchOp& op : patch) {
      if (kfix::ApplyPatch(step, Patch{op}).ok()) kept.push_back(op);
    }
    REQUIRE(kept.size() > 1000);
    kfix::Result<Value> whole = kfix::ApplyPatchCopy(doc, kept);
    REQUIRE_MESSAGE(whole.ok(), whole.status().ToString());
    CHECK(kfix::ToJson(*whole) == kfix::ToJson(step));
  }
}

TEST_CASE("PatchToJson / ParsePatch round trip") {
  const char* text =
      R"([{"op":"add","path":"/a~1b/0","value":{"x":[1,null]}},{"op":"remove","path":"/c"},)"
      R"({"op":"replace","path":"","value":null},{"op":"move","path":"/d","from":"/e~0"},)"
      R"({"op":"copy","path":"/f","from":""},{"op":"test","path":"/g","value":1.5}])";
  Patch p = P(text);
  CHECK(kfix::PatchToJson(p) == text);
  Patch again = P(kfix::PatchToJson(p, JsonStyle::kPretty));
  REQUIRE(again.size() == p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    CHECK(again[i].op == p[i].op);
    CHECK(again[i].path == p[i].path);
    CHECK(again[i].from == p[i].from);
    CHECK(again[i].value == p[i].value);
  }
  CHECK(std::string(kfix::PatchOpName(PatchOpType::kCopy)) == "copy");
}

TEST_CASE("Diff: ApplyPatch(from, Diff(from, to)) == to") {
  CHECK(kfix::Diff(J(R"({"a":1})"), J(R"({"a":1.0})")).empty());
  Patch d = kfix::Diff(J(R"({"a":1,"b":[1,2,3],"c":{"d":true}})"), J(R"({"a":2,"b":[1],"c":{"d":true},"e":null})"));
  CHECK(kfix::PatchToJson(d) ==
        R"([{"op":"replace","path":"/a","value":2},{"op":"remove","path":"/b/2"},)"
        R"({"op":"remove","path":"/b/1"},{"op":"add","path":"/e","value":null}])");
  CHECK(kfix::PatchToJson(kfix::Diff(J("[1]"), J(R"({"a~/":1})"))) == R"([{"op":"replace","path":"","value":{"a~/":1}}])");
  CHECK(kfix::PatchToJson(kfix::Diff(J(R"({"x/y":{"m~n":[]}})"), J(R"({"x/y":{"m~n":[0]}})"))) ==
        R"([{"op":"add","path":"/x~1y/m~0n/0","value":0}])");

  std::mt19937 rng(7386);
  std::size_t ops = 0;
  for (int i = 0; i < 3000; ++i) {
    Value from = RandomValue(rng, 0);
    Value to = (i % 2) ? Mutate(from, rng, 0) : RandomValue(rng, 0);
    Patch patch = kfix::Diff(from, to);
    ops += patch.size();
    Value work = from;
    kfix::Status s = kfix::ApplyPatch(work, patch);
    REQUIRE_MESSAGE(s.ok(), s.ToString() << "\nfrom " << kfix::ToJson(from) << "\nto " << kfix::ToJson(to));
    CHECK_MESSAGE(work == to, kfix::ToJson(from) << " -> " << kfix::ToJson(to) << " via " << kfix::PatchToJson(patch));
    if (from == to) CHECK(patch.empty());
    // Round trip through text, as a patch would be stored.
    CHECK(kfix::ApplyPatchCopy(from, P(kfix::PatchToJson(patch))).value_or(Value("fail")) == to);
  }
  CHECK(ops > 0);
}

TEST_CASE("MergePatch: RFC 7386 Appendix A") {
  const char* cases[][3] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", R"(null)", R"(null)"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const auto& c : cases) {
    INFO(c[0] << " + " << c[1]);
    const Value target = J(c[0]);
    CHECK(kfix::MergePatch(target, J(c[1])) == J(c[2]));
    CHECK(target == J(c[0]));  // input untouched
  }
  // Member order of the target is kept; new members are appended.
  CHECK(kfix::ToJson(kfix::MergePatch(J(R"({"b":1,"a":2})"), J(R"({"c":3,"b":4})"))) ==
        R"({"b":4,"a":2,"c":3})");
}

TEST_CASE("CLI: kfix patch apply on conformance cases") {
  const fs::path dir = fs::temp_directory_path() / ("kfix_patch_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    return (dir / name).string();
  };
  const fs::path conf = fs::path(KFIX_SOURCE_DIR) / "tests/conformance/rfc6902";
  for (const char* name : {"a06.json", "a07.json", "a16.json"}) {
    INFO(name);
    Value c = J(ReadFile(conf / name));
    const std::string doc = write("doc.json", kfix::ToJson(*c.Find("doc"), JsonStyle::kPretty));
    const std::string patch = write("patch.json", kfix::ToJson(*c.Find("patch")));
    int rc = -1;
    std::string out = RunCli("patch apply --doc " + doc + " --patch " + patch, rc);
    CHECK(rc == 0);
    CHECK(J(out) == *c.Find("expected"));
    CHECK(out == kfix::ToJson(J(out)) + "\n");
    out = RunCli("patch apply --pretty --doc " + doc + " --patch " + patch, rc);
    CHECK(rc == 0);
    CHECK(out == kfix::ToJson(J(out), JsonStyle::kPretty) + "\n");
  }
  {  // A.9: failing test -> exit 1, message names the op
    Value c = J(ReadFile(conf / "a09.json"));
    const std::string doc = write("doc.json", kfix::ToJson(*c.Find("doc")));
    const std::string patch = write("patch.json", kfix::ToJson(*c.Find("patch")));
    int rc = -1;
    std::string out = RunCli("patch apply --doc " + doc + " --patch " + patch, rc);
    CHECK(rc == 1);
    CHECK(out.rfind("kfix patch apply: op 0 (test /baz): ", 0) == 0);
  }
  {  // A.13: invalid patch document
    Value c = J(ReadFile(conf / "a13.json"));
    const std::string doc = write("doc.json", kfix::ToJson(*c.Find("doc")));
    const std::string patch = write("patch.json", c.Find("patch_text")->as_string());
    int rc = -1;
    std::string out = RunCli("patch apply --doc " + doc + " --patch " + patch, rc);
    CHECK(rc == 1);
    CHECK(out.find("duplicate key \"op\"") != std::string::npos);
    CHECK(out.find("patch.json:2:") != std::string::npos);
  }
  {  // A YAML document
    const std::string doc = write("doc.yaml", "kind: Deployment\nspec:\n  replicas: 1\n");
    const std::string patch = write("patch.json", R"([{"op":"replace","path":"/spec/replicas","value":3}])");
    int rc = -1;
    std::string out = RunCli("patch apply --doc " + doc + " --patch " + patch, rc);
    CHECK(rc == 0);
    CHECK(out == "{\"kind\":\"Deployment\",\"spec\":{\"replicas\":3}}\n");
  }
  int rc = -1;
  RunCli("patch apply --doc " + (dir / "missing.json").string() + " --patch " + (dir / "patch.json").string(), rc);
  CHECK(rc == 1);
  RunCli("patch apply --doc x", rc);
  CHECK(rc == 1);
  RunCli("patch frobnicate", rc);
  CHECK(rc == 1);
  fs::remove_all(dir);
}

// ---- In place with an undo log (core/patch_internal.hpp) ---------------------

namespace {

// Equality that also compares every node's and member key's position.
bool SameWithPositions(const Value& a, const Value& b) {
  if (a.line() != b.line() || a.column() != b.column() || a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!SameWithPositions(a.as_array()[i], b.as_array()[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const kfix::Member& x = a.as_object()[i];
      const kfix::Member& y = b.as_object()[i];
      if (x.key != y.key || x.key_line != y.key_line || x.key_column != y.key_column) return false;
      if (!SameWithPositions(x.value, y.value)) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

TEST_CASE("ApplyPatchUndoable applies as ApplyPatch does and UndoPatch restores the tree, positions included") {
  kfix::LoadResult loaded = kfix::LoadYaml(
      "kind: Deployment\nmetadata:\n  name: web\n  labels: {app: web, tier: front}\nspec:\n  replicas: 2\n"
      "  list: [a, b, c]\n  nested:\n    deep: {x: 1}\n",
      "undo.yaml");
  REQUIRE(loaded.errors.empty());
  const Value original = loaded.manifests.at(0).root;
  const char* patches[] = {
      R"([{"op":"add","path":"/metadata/labels/new","value":"v"}])",
      R"([{"op":"add","path":"/metadata/labels/app","value":"other"}])",
      R"([{"op":"add","path":"/spec/list/1","value":"x"},{"op":"add","path":"/spec/list/-","value":"y"}])",
      R"([{"op":"remove","path":"/metadata/labels/app"},{"op":"remove","path":"/spec/list/0"}])",
      R"([{"op":"replace","path":"/spec/replicas","value":5},{"op":"replace","path":"/spec/nested","value":{}}])",
      R"([{"op":"move","from":"/spec/nested/deep","path":"/spec/moved"},{"op":"copy","from":"/spec/list","path":"/spec/copy"}])",
      R"([{"op":"test","path":"/spec/replicas","value":2},{"op":"remove","path":"/spec"}])",
      R"([{"op":"add","path":"","value":{"replaced":true}}])",
      R"([{"op":"add","path":"/spec/a","value":1},{"op":"add","path":"/spec/a/b","value":2}])",  // fails at op 1
      R"([{"op":"remove","path":"/metadata/name"},{"op":"test","path":"/kind","value":"Pod"}])",  // fails at op 1
  };
  kfix::internal::PatchUndo all;
  Value doc = original;
  Value expected_all = original;
  for (const char* text : patches) {
    INFO(text);
    const Patch patch = P(text);
    const auto copy = kfix::ApplyPatchCopy(original, patch);
    Value one = original;
    kfix::internal::PatchUndo undo;
    const kfix::Status s = kfix::internal::ApplyPatchUndoable(one, patch, undo);
    CHECK(s.ok() == copy.ok());
    if (copy.ok()) {
      CHECK(one == *copy);
      CHECK(SameWithPositions(one, *copy));
    } else {
      CHECK(s.ToString() == copy.status().ToString());
      CHECK(undo.empty());  // a failed patch leaves no step behind
    }
    kfix::internal::UndoPatch(one, undo);
    CHECK(undo.empty());
    CHECK(SameWithPositions(one, original));
    // Stacked on the same log: each patch on top of the previous ones.
    const auto stacked = kfix::ApplyPatchCopy(expected_all, patch);
    const std::size_t before = all.steps.size();
    CHECK(kfix::internal::ApplyPatchUndoable(doc, patch, all).ok() == stacked.ok());
    if (stacked.ok()) {
      expected_all = *stacked;
    } else {
      CHECK(all.steps.size() == before);
    }
    CHECK(SameWithPositions(doc, expected_all));
  }
  kfix::internal::UndoPatch(doc, all);
  CHECK(SameWithPositions(doc, original));
}

TEST_CASE("ApplyPatchInPlace gives ApplyPatch's result and error") {
  const Value doc = J(R"({"a":{"b":[1,2]},"c":"d"})");
  const Patch ok = P(R"([{"op":"add","path":"/a/b/-","value":3},{"op":"remove","path":"/c"}])");
  Value x = doc;
  REQUIRE(kfix::internal::ApplyPatchInPlace(x, ok).ok());
  CHECK(x == *kfix::ApplyPatchCopy(doc, ok));
  const Patch bad = P(R"([{"op":"remove","path":"/c"},{"op":"replace","path":"/zz","value":1}])");
  Value y = doc;
  CHECK(kfix::internal::ApplyPatchInPlace(y, bad).ToString() == kfix::ApplyPatchCopy(doc, bad).status().ToString());
}
