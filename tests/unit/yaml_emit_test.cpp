// Tests for ToYaml: quoting rules, layout, and the round-trip property
// LoadYaml(ToYaml(v)) == v. Names match docs/yaml-semantics.md ("E<n>: ...").
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <string>

#include "core/yaml_internal.hpp"
#include "kfix/core.hpp"

namespace {

kfix::Value Load(const std::string& text) {
  kfix::Result<kfix::Value> r = kfix::ParseYaml(text);
  REQUIRE_MESSAGE(r.ok(), (r.status().ToString() + "\n" + text));
  return *r;
}

// NaN != NaN, so compare through a NaN-free copy.
bool SameModuloNaN(const kfix::Value& a, const kfix::Value& b) {
  if (a.is_double() && b.is_double() && std::isnan(a.as_double())) return std::isnan(b.as_double());
  if (a.type() != b.type() && !(a.is_number() && b.is_number())) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!SameModuloNaN(a.as_array()[i], b.as_array()[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (a.as_object()[i].key != b.as_object()[i].key) return false;  // order kept
      if (!SameModuloNaN(a.as_object()[i].value, b.as_object()[i].value)) return false;
    }
    return true;
  }
  return a == b;
}

void CheckRoundTrip(const kfix::Value& v) {
  const std::string y = kfix::ToYaml(v);
  kfix::Result<kfix::Value> back = kfix::ParseYaml(y);
  REQUIRE_MESSAGE(back.ok(), (back.status().ToString() + "\n" + y));
  CHECK_MESSAGE(SameModuloNaN(v, *back), y);
}

}  // namespace

TEST_CASE("E1: strings that would resolve to another type are quoted") {
  for (const char* s : {"yes", "No", "on", "OFF", "y", "1.0", "null", "~", "", "0755", "0x1F", "1_000", ".inf",
                        "-.INF", ".nan", "+12", "-0", "1e3", "08"}) {
    CAPTURE(s);
    kfix::Value v = kfix::Value::MakeObject();
    v.Set("k", kfix::Value(s));
    const std::string y = kfix::ToYaml(v);
    CHECK(y == "k: \"" + std::string(s) + "\"\n");
    CHECK(Load(y) == v);
  }
}

TEST_CASE("E2: strings with indicators, ': ', ' #', whitespace or controls are quoted") {
  for (const char* s : {"a: b", "a #b", "- x", "*x", "&x", "!x", "%x", "@x", "`x", "|x", ">x", "'x", "\"x",
                        "[x", "{x", "?x", ":x", ",x", "#x", " x", "x ", "x:", "<<", "...", "---", "a\nb", "a\tb",
                        "\x7f", "\xC2\x85", "\xE2\x80\xA8"}) {
    CAPTURE(s);
    kfix::Value v = kfix::Value::MakeObject();
    v.Set("k", kfix::Value(s));
    const std::string y = kfix::ToYaml(v);
    CHECK(y.rfind("k: \"", 0) == 0);
    CHECK(Load(y) == v);
  }
}

TEST_CASE("E3: ordinary strings stay plain") {
  for (const char* s : {"nginx:1.25", "hello world", "a-b", "http://x/y?z#w", "2001-12-14", "v1", "x.y", "a,b"}) {
    CAPTURE(s);
    kfix::Value v = kfix::Value::MakeObject();
    v.Set("k", kfix::Value(s));
    CHECK(kfix::ToYaml(v) == "k: " + std::string(s) + "\n");
  }
}

TEST_CASE("E4: block layout, key order kept, empty collections in flow") {
  kfix::Value v = Load(
      "z: 1\na:\n  b: [1, {c: d, e: []}]\n  f: {}\ng:\n- - x\n  - w\n- 2.5\n- null\n- true\n");
  const std::string expected =
      "z: 1\n"
      "a:\n"
      "  b:\n"
      "  - 1\n"
      "  - c: d\n"
      "    e: []\n"
      "  f: {}\n"
      "g:\n"
      "-\n"
      "  - x\n"
      "  - w\n"
      "- 2.5\n"
      "- null\n"
      "- true\n";
  CHECK(kfix::ToYaml(v) == expected);
  CHECK(kfix::ToYaml(kfix::Value()) == "null\n");
  CHECK(kfix::ToYaml(kfix::Value::MakeObject()) == "{}\n");
  CHECK(kfix::ToYaml(kfix::Value("yes")) == "\"yes\"\n");
}

TEST_CASE("E5: numbers keep their type; non-finite doubles use .inf/.nan") {
  kfix::Value v = kfix::Value::MakeObject();
  v.Set("d", kfix::Value(3.0));
  v.Set("i", kfix::Value(3));
  v.Set("inf", kfix::Value(INFINITY));
  v.Set("nan", kfix::Value(NAN));
  v.Set("tiny", kfix::Value(5e-324));
  const std::string y = kfix::ToYaml(v);
  CHECK(y == "d: 3.0\ni: 3\ninf: .inf\nnan: .nan\ntiny: 5e-324\n");
  kfix::Value back = Load(y);
  CHECK(back.Find("d")->is_double());
  CHECK(back.Find("i")->is_int());
  CHECK(std::isnan(back.Find("nan")->as_double()));
}

TEST_CASE("E6: keys are quoted by the same rules; very long keys use explicit syntax") {
  kfix::Value v = kfix::Value::MakeObject();
  v.Set("1.0", kfix::Value(1));
  v.Set("true", kfix::Value(2));
  v.Set(std::string(2000, 'k'), kfix::Value("long"));
  const std::string y = kfix::ToYaml(v);
  CHECK(y.rfind("\"1.0\": 1\n\"true\": 2\n? ", 0) == 0);
  CheckRoundTrip(v);
}

TEST_CASE("E7: round trip over the test data files") {
  const std::filesystem::path dir = std::filesystem::path(KFIX_SOURCE_DIR) / "tests/data/yaml";
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    CAPTURE(entry.path().string());
    kfix::LoadResult r = kfix::LoadFile(entry.path().string());
    if (!r.errors.empty()) continue;  // files that test error paths
    ++files;
    for (const kfix::Manifest& m : r.manifests) CheckRoundTrip(m.root);
  }
  CHECK(files >= 3);
}

TEST_CASE("E8: round trip property over generated tricky strings") {
  const std::vector<std::string> atoms = {"y", "n", "0", "1", "x", ".", "-", ":", " ", "#", "e", "_", "~", "\"",
                                          "'", "\\", "\n", "\t", "\xC3\xA9", "{", "]", ",", "!", "&", "*", "0x",
                                          "inf", "+", "<<", "null", "yes"};
  std::mt19937 rng(12345);
  kfix::Value arr = kfix::Value::MakeArray();
  kfix::Value obj = kfix::Value::MakeObject();
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    const int n = static_cast<int>(rng() % 5);
    for (int k = 0; k < n; ++k) s += atoms[rng() % atoms.size()];
    arr.PushBack(kfix::Value(s));
    if (obj.Find(s) == nullptr) obj.Set(s, kfix::Value(i));
  }
  CheckRoundTrip(arr);
  CheckRoundTrip(obj);
}
