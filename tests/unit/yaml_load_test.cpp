// Tests for the YAML loader (LoadYaml / ParseYaml / LoadManifests / LoadFile).
// Test-case names match the rows of docs/yaml-semantics.md ("R<n>: ...").
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/yaml_internal.hpp"
#include "kfix/core.hpp"

namespace {

kfix::Value P(const std::string& text) {
  kfix::Result<kfix::Value> r = kfix::ParseYaml(text);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

// The value of key `v` in a one-line mapping "v: <scalar>".
kfix::Value S(const std::string& scalar) {
  kfix::Value root = P("v: " + scalar + "\n");
  REQUIRE(root.is_object());
  const kfix::Value* v = root.Find("v");
  REQUIRE(v != nullptr);
  return *v;
}

bool IsInt(const kfix::Value& v, std::int64_t i) { return v.is_int() && v.as_int() == i; }
bool IsDouble(const kfix::Value& v, double d) { return v.is_double() && v.as_double() == d; }
bool IsStr(const kfix::Value& v, const std::string& s) { return v.is_string() && v.as_string() == s; }

}  // namespace

TEST_CASE("R1: booleans are go-yaml v2's YAML 1.1 table, exact spellings only") {
  for (const char* t : {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}) {
    CAPTURE(t);
    kfix::Value v = S(t);
    CHECK((v.is_bool() && v.as_bool()));
  }
  for (const char* f : {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}) {
    CAPTURE(f);
    kfix::Value v = S(f);
    CHECK((v.is_bool() && !v.as_bool()));
  }
  for (const char* s : {"yEs", "tRUE", "oN", "nO", "Off2", "yess", "T", "F"}) {
    CAPTURE(s);
    CHECK(IsStr(S(s), s));
  }
}

TEST_CASE("R2: nulls are ~, null, Null, NULL and empty") {
  for (const char* n : {"~", "null", "Null", "NULL", ""}) {
    CAPTURE(n);
    CHECK(S(n).is_null());
  }
  CHECK(IsStr(S("nULL"), "nULL"));
  CHECK(IsStr(S("none"), "none"));
}

TEST_CASE("R3: integers: decimal, sign, -0, octal 0755 and 0o, hex, binary, underscores") {
  CHECK(IsInt(S("42"), 42));
  CHECK(IsInt(S("+12"), 12));
  CHECK(IsInt(S("-7"), -7));
  CHECK(IsInt(S("-0"), 0));
  CHECK(IsInt(S("0"), 0));
  CHECK(IsInt(S("0755"), 493));
  CHECK(IsInt(S("0o17"), 15));
  CHECK(IsInt(S("0x1F"), 31));
  CHECK(IsInt(S("0X1f"), 31));
  CHECK(IsInt(S("-0x10"), -16));
  CHECK(IsInt(S("0b1010"), 10));
  CHECK(IsInt(S("-0b11"), -3));
  CHECK(IsInt(S("1_000"), 1000));
  CHECK(IsInt(S("0x_FF"), 255));
  CHECK(IsInt(S("9223372036854775807"), INT64_MAX));
  CHECK(IsInt(S("-9223372036854775808"), INT64_MIN));
  CHECK(IsStr(S("0x"), "0x"));
  CHECK(IsStr(S("0xG"), "0xG"));
  CHECK(IsStr(S("1_000x"), "1_000x"));
  CHECK(IsStr(S("_1"), "_1"));
}

TEST_CASE("R4: integers outside int64 become doubles") {
  CHECK(IsDouble(S("9223372036854775808"), 9223372036854775808.0));
  CHECK(IsDouble(S("18446744073709551615"), 18446744073709551615.0));
  CHECK(IsDouble(S("-9223372036854775809"), -9223372036854775809.0));
  CHECK(IsDouble(S("123456789012345678901234567890"), 123456789012345678901234567890.0));
  // Hex beyond uint64 has no float form: it stays a string.
  CHECK(IsStr(S("0x1FFFFFFFFFFFFFFFFF"), "0x1FFFFFFFFFFFFFFFFF"));
}

TEST_CASE("R5: non-octal leading-zero numbers are floats (go-yaml v2 float regex)") {
  CHECK(IsDouble(S("08"), 8.0));
  CHECK(IsDouble(S("09.5"), 9.5));
}

TEST_CASE("R6: floats: decimal, exponent, leading dot, underscores") {
  CHECK(IsDouble(S("1.5"), 1.5));
  CHECK(IsDouble(S("1e3"), 1000.0));
  CHECK(IsDouble(S("6.8523015e+5"), 685230.15));
  CHECK(IsDouble(S("-1.25E-2"), -0.0125));
  CHECK(IsDouble(S(".5"), 0.5));
  CHECK(IsDouble(S("+.5e1"), 5.0));
  CHECK(IsDouble(S("1."), 1.0));
  CHECK(IsDouble(S("1_000.5"), 1000.5));
  CHECK(IsStr(S("1.2.3"), "1.2.3"));
  CHECK(IsStr(S("1e"), "1e"));
  CHECK(IsStr(S("."), "."));
  CHECK(IsStr(S("1e400"), "1e400"));  // ParseFloat range error: not a float
  CHECK(IsDouble(S("1e-400"), 0.0));
}

TEST_CASE("R7: .inf, -.inf, .nan in their case variants") {
  for (const char* s : {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}) {
    kfix::Value v = S(s);
    CHECK((v.is_double() && std::isinf(v.as_double()) && v.as_double() > 0));
  }
  for (const char* s : {"-.inf", "-.Inf", "-.INF"}) {
    kfix::Value v = S(s);
    CHECK((v.is_double() && std::isinf(v.as_double()) && v.as_double() < 0));
  }
  for (const char* s : {".nan", ".NaN", ".NAN"}) {
    kfix::Value v = S(s);
    CHECK((v.is_double() && std::isnan(v.as_double())));
  }
  CHECK(IsStr(S(".iNf"), ".iNf"));
  CHECK(IsStr(S("inf"), "inf"));
  CHECK(IsStr(S("NaN"), "NaN"));
}

TEST_CASE("R8: quoted scalars are always strings") {
  CHECK(IsStr(S("\"yes\""), "yes"));
  CHECK(IsStr(S("'123'"), "123"));
  CHECK(IsStr(S("\"null\""), "null"));
  CHECK(IsStr(S("''"), ""));
  CHECK(IsStr(S("\"0755\""), "0755"));
}

TEST_CASE("R9: explicit tags !!str !!int !!bool !!float !!null are honoured") {
  CHECK(IsStr(S("!!str 123"), "123"));
  CHECK(IsStr(S("!!str yes"), "yes"));
  CHECK(IsInt(S("!!int \"42\""), 42));
  CHECK(IsInt(S("!!int 0x10"), 16));
  CHECK((S("!!bool \"yes\"").is_bool() && S("!!bool \"yes\"").as_bool()));
  CHECK(IsDouble(S("!!float 3"), 3.0));
  CHECK(S("!!float 3").is_double());
  CHECK(S("!!null \"\"").is_null());
  CHECK(IsStr(S("!custom 12"), "12"));
  for (const char* bad : {"!!int abc", "!!bool 1", "!!float abc", "!!null x"}) {
    CAPTURE(bad);
    kfix::Result<kfix::Value> r = kfix::ParseYaml(std::string("v: ") + bad + "\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == kfix::StatusCode::kParseError);
    CHECK(r.status().location().line == 1);
    CHECK(r.status().location().column == 4);
  }
}

TEST_CASE("R10: timestamps stay strings") {
  CHECK(IsStr(S("2001-12-14"), "2001-12-14"));
  CHECK(IsStr(S("2001-12-14t21:59:43.10-05:00"), "2001-12-14t21:59:43.10-05:00"));
  CHECK(IsStr(S("2001-12-14 21:59:43.10"), "2001-12-14 21:59:43.10"));
}

TEST_CASE("R11: other plain scalars are strings (including 1:2 and base-60)") {
  CHECK(IsStr(S("hello world"), "hello world"));
  CHECK(IsStr(S("190:20:30"), "190:20:30"));
  CHECK(IsStr(S("1.0.0-rc1"), "1.0.0-rc1"));
  CHECK(IsStr(S("Infinity"), "Infinity"));
  CHECK(IsStr(S("="), "="));
}

TEST_CASE("R12: non-string scalar keys become strings as sigs.k8s.io/yaml converts them") {
  kfix::Value v = P("1: a\ntrue: b\n0x10: c\n1.5: d\nno: e\n1e6: f\n\"2\": g\n0.1: h\n");
  REQUIRE(v.is_object());
  const auto& o = v.as_object();
  REQUIRE(o.size() == 8);
  CHECK(o[0].key == "1");
  CHECK(o[1].key == "true");
  CHECK(o[2].key == "16");
  CHECK(o[3].key == "1.5");
  CHECK(o[4].key == "false");
  CHECK(o[5].key == "1e+06");
  CHECK(o[6].key == "2");
  CHECK(o[7].key == "0.1");
}

TEST_CASE("R13: complex keys and null keys are errors with a position") {
  for (const char* text : {"? [a, b]\n: 1\n", "? {a: 1}\n: 2\n", "x: 1\n~: 2\n"}) {
    CAPTURE(text);
    kfix::LoadResult r = kfix::LoadYaml(text, "k.yaml");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.manifests.empty());
    CHECK(r.errors[0].code() == kfix::StatusCode::kParseError);
    CHECK(r.errors[0].location().file == "k.yaml");
    CHECK(r.errors[0].location().line >= 1);
  }
}

TEST_CASE("R14: anchors and aliases copy the anchored node") {
  kfix::Value v = P("a: &x {k: 1, l: [1, 2]}\nb: *x\nc: &s str\nd: *s\n");
  CHECK(*v.Find("b") == *v.Find("a"));
  CHECK(IsStr(*v.Find("d"), "str"));
  CHECK(v.Find("b")->line() == 2);
  kfix::Result<kfix::Value> bad = kfix::ParseYaml("a: *nope\n");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().location().line == 1);
}

TEST_CASE("R15: merge keys: single map, list of maps, explicit keys win") {
  kfix::Value v = P(
      "base: &b {x: 1, q: 2}\n"
      "other: &o {q: 20, z: 30}\n"
      "one:\n  <<: *b\n  q: 9\n"
      "two:\n  <<: [*b, *o]\n  w: 0\n"
      "three:\n  q: 7\n  <<: *b\n");
  const kfix::Value* one = v.Find("one");
  CHECK(one->size() == 2);
  CHECK(IsInt(*one->Find("x"), 1));
  CHECK(IsInt(*one->Find("q"), 9));
  CHECK(one->Find("<<") == nullptr);
  const kfix::Value* two = v.Find("two");
  CHECK(two->size() == 4);
  CHECK(IsInt(*two->Find("q"), 2));  // earlier map in the list wins
  CHECK(IsInt(*two->Find("z"), 30));
  const kfix::Value* three = v.Find("three");
  CHECK(IsInt(*three->Find("q"), 7));  // explicit wins even before <<
  // A quoted "<<" is an ordinary key.
  kfix::Value q = P("\"<<\": 1\n");
  CHECK(IsInt(*q.Find("<<"), 1));
  // Merging a scalar is an error.
  kfix::Result<kfix::Value> bad = kfix::ParseYaml("a:\n  <<: 3\n");
  CHECK_FALSE(bad.ok());
}

TEST_CASE("R16: positions are 1-based; member keys record their position") {
  kfix::LoadResult r = kfix::LoadYaml("# c\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n", "p.yaml");
  REQUIRE(r.errors.empty());
  REQUIRE(r.manifests.size() == 1);
  const kfix::Value& root = r.manifests[0].root;
  CHECK(root.line() == 2);
  CHECK(root.column() == 1);
  const kfix::Member* md = root.FindMember("metadata");
  CHECK(md->key_line == 4);
  CHECK(md->key_column == 1);
  const kfix::Member* name = md->value.FindMember("name");
  CHECK(name->key_line == 5);
  CHECK(name->key_column == 3);
  CHECK(name->value.line() == 5);
  CHECK(name->value.column() == 9);
  const kfix::Value& c0 = root.FindPath({"spec", "containers"})->as_array()[0];
  CHECK(c0.line() == 8);
  CHECK(c0.column() == 5);
  CHECK(c0.Find("image")->column() == 12);
  CHECK(r.manifests[0].Location().line == 2);
}

TEST_CASE("R17: columns count code points") {
  kfix::Value v = P("\xC3\xA9t\xC3\xA9: x\n");
  CHECK(v.as_object()[0].key == "\xC3\xA9t\xC3\xA9");
  CHECK(v.as_object()[0].value.column() == 6);
}

TEST_CASE("R18: documents: index counts empty documents, which are skipped") {
  kfix::LoadResult r = kfix::LoadYaml("---\n---\nkind: A\n---\n# only comment\n---\nkind: B\n...\n", "d.yaml");
  CHECK(r.errors.empty());
  CHECK(r.documents == 4);
  REQUIRE(r.manifests.size() == 2);
  CHECK(r.manifests[0].document == 1);
  CHECK(r.manifests[1].document == 3);
  CHECK(r.manifests[0].file == "d.yaml");
  CHECK(r.manifests[0].item == -1);
  kfix::LoadResult empty = kfix::LoadYaml("", "e.yaml");
  CHECK(empty.errors.empty());
  CHECK(empty.manifests.empty());
}

TEST_CASE("R19: kind: List is expanded with item indices") {
  const char* text =
      "kind: A\n---\napiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata: {name: a}\n- kind: Service\n";
  kfix::LoadResult r = kfix::LoadYaml(text, "l.yaml");
  REQUIRE(r.errors.empty());
  REQUIRE(r.manifests.size() == 3);
  CHECK(r.manifests[1].document == 1);
  CHECK(r.manifests[1].item == 0);
  CHECK(r.manifests[1].Ref().name == "a");
  CHECK(r.manifests[2].item == 1);
  CHECK(r.manifests[2].root.line() == 8);
  kfix::ParseOptions no_expand;
  no_expand.expand_lists = false;
  kfix::LoadResult r2 = kfix::LoadYaml(text, "l.yaml", no_expand);
  REQUIRE(r2.manifests.size() == 2);
  CHECK(r2.manifests[1].item == -1);
  kfix::LoadResult bad = kfix::LoadYaml("kind: List\nitems:\n- 3\n- kind: Pod\n", "l.yaml");
  CHECK(bad.manifests.size() == 1);
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].location().item == 0);
  CHECK(bad.errors[0].location().line == 3);
}

TEST_CASE("R20: a non-mapping document is an error when require_objects") {
  kfix::LoadResult r = kfix::LoadYaml("kind: A\n---\n- a\n- b\n---\njust text\n---\nkind: B\n", "n.yaml");
  CHECK(r.manifests.size() == 2);
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].location().document == 1);
  CHECK(r.errors[0].location().line == 3);
  CHECK(r.errors[1].location().document == 2);
  kfix::ParseOptions lax;
  lax.require_objects = false;
  CHECK(kfix::LoadYaml("- a\n", "n.yaml", lax).manifests.size() == 1);
}

TEST_CASE("R21: duplicate keys warn naming both lines, last wins; strict mode errors") {
  kfix::LoadResult r = kfix::LoadYaml("a: 1\nb: 2\na: 3\n", "dup.yaml");
  REQUIRE(r.errors.empty());
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].location().line == 3);
  CHECK(r.warnings[0].message().find("line 1") != std::string::npos);
  CHECK(r.warnings[0].message().find("line 3") != std::string::npos);
  REQUIRE(r.manifests.size() == 1);
  CHECK(r.manifests[0].root.size() == 2);
  CHECK(IsInt(*r.manifests[0].root.Find("a"), 3));
  kfix::ParseOptions strict;
  strict.strict_duplicate_keys = true;
  kfix::LoadResult s = kfix::LoadYaml("a: 1\nb: 2\na: 3\n---\nc: 1\n", "dup.yaml", strict);
  REQUIRE(s.errors.size() == 1);
  CHECK(s.errors[0].location().line == 3);
  CHECK(s.manifests.size() == 1);  // the next document still loads
  // Large maps use a hash index: duplicates are still found.
  std::string big;
  for (int i = 0; i < 100; ++i) {
    const std::string n = std::to_string(i);
    big.append("k").append(n).append(": ").append(n).append("\n");
  }
  big += "k5: dup\n";
  kfix::LoadResult b = kfix::LoadYaml(big, "big.yaml");
  CHECK(b.warnings.size() == 1);
  CHECK(IsStr(*b.manifests[0].root.Find("k5"), "dup"));
  CHECK(b.manifests[0].root.size() == 100);
}

TEST_CASE("R22: limit max_depth") {
  kfix::ParseOptions o;
  o.max_depth = 5;
  CHECK(kfix::LoadYaml("a: {b: {c: {d: 1}}}\n", "f", o).errors.empty());
  kfix::LoadResult r = kfix::LoadYaml("a: {b: {c: {d: {e: {f: 1}}}}}\n", "f", o);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code() == kfix::StatusCode::kLimitExceeded);
  CHECK(r.errors[0].location().line == 1);
  std::string deep(100000, '[');
  kfix::LoadResult d = kfix::LoadYaml(deep, "deep.yaml");
  REQUIRE_FALSE(d.errors.empty());
  CHECK(d.errors[0].code() == kfix::StatusCode::kLimitExceeded);
}

TEST_CASE("R22: the depth limit holds while a failed document is skipped") {
  // `{{` fails as a complex key first; the nesting after it used to run on
  // through libyaml (quadratic in the flow depth: 100k `{` took ~10 s).
  for (const std::string& prefix : {std::string(), std::string("a: "), std::string("- ")}) {
    const std::string text = prefix + std::string(100000, '{');
    kfix::LoadResult r = kfix::LoadYaml(text, "deep.yaml");
    REQUIRE_FALSE(r.errors.empty());
    bool depth = false;
    for (const kfix::Status& e : r.errors) {
      depth = depth || (e.code() == kfix::StatusCode::kLimitExceeded &&
                        e.message().find("max_depth") != std::string::npos && e.location().file == "deep.yaml");
    }
    CHECK_MESSAGE(depth, prefix);
    kfix::LoadResult m = kfix::LoadManifests(text, "deep.yaml");
    REQUIRE_FALSE(m.errors.empty());
  }
  // A document skipped for another reason still stops at the limit, and the
  // documents before it are kept.
  kfix::ParseOptions o;
  o.max_depth = 4;
  kfix::LoadResult r = kfix::LoadYaml("a: 1\n---\nb: !!int x\nc: [[[[[[[1]]]]]]]\n", "f.yaml", o);
  REQUIRE(r.manifests.size() == 1);
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[1].code() == kfix::StatusCode::kLimitExceeded);
}

TEST_CASE("R23: limit max_alias_expansion stops an alias bomb fast") {
  const char* bomb =
      "a: &a [x, x, x, x, x, x, x, x, x]\n"
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
      "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
      "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
      "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
      "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
  kfix::LoadResult r = kfix::LoadYaml(bomb, "bomb.yaml");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code() == kfix::StatusCode::kLimitExceeded);
  CHECK(r.errors[0].location().file == "bomb.yaml");
  CHECK(r.errors[0].location().line >= 5);
  kfix::ParseOptions small;
  small.max_alias_expansion = 6;  // the anchored copy and the expansion both count
  CHECK(kfix::LoadYaml("a: &a [1, 2, 3]\nb: *a\n", "f", small).errors.size() == 1);
  CHECK(kfix::LoadYaml("a: &a [1, 2]\nb: *a\n", "f", small).errors.empty());
}

TEST_CASE("R23: anchored copies share the alias budget; aliases cannot nest past max_depth") {
  std::string nested;
  for (int i = 0; i < 20; ++i) nested.append("&a").append(std::to_string(i)).append(" [");
  for (int i = 0; i < 1000; ++i) nested.append("x, ");
  nested.append("x").append(20, ']').append("\n");
  kfix::ParseOptions o;
  o.max_alias_expansion = 5000;
  kfix::LoadResult r = kfix::LoadYaml(std::string("v: ").append(nested), "n.yaml", o);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code() == kfix::StatusCode::kLimitExceeded);
  kfix::ParseOptions d;
  d.max_depth = 10;
  CHECK(kfix::LoadYaml("a: &a [[[[[1]]]]]\nb: [[*a]]\n", "d.yaml", d).errors.empty());
  kfix::LoadResult deep = kfix::LoadYaml("a: &a [[[[[1]]]]]\nb: [[[[[[*a]]]]]]\n", "d.yaml", d);
  REQUIRE(deep.errors.size() == 1);
  CHECK(deep.errors[0].code() == kfix::StatusCode::kLimitExceeded);
  CHECK(deep.errors[0].location().line == 2);
  // Merging a large map stays linear and correct.
  std::string big = "base: &b {";
  for (int i = 0; i < 5000; ++i) {
    const std::string n = std::to_string(i);
    big.append("k").append(n).append(": ").append(n).append(", ");
  }
  big.append("last: 1}\nm:\n  <<: *b\n  k7: seven\n");
  kfix::Result<kfix::Value> m = kfix::ParseYaml(big);
  REQUIRE(m.ok());
  CHECK(m->Find("m")->size() == 5001);
  CHECK(IsStr(*m->Find("m")->Find("k7"), "seven"));
}

TEST_CASE("R24: limits max_document_bytes, max_scalar_bytes, max_nodes") {
  kfix::ParseOptions o;
  o.max_document_bytes = 10;
  kfix::LoadResult r = kfix::LoadYaml("a: 0123456789\n", "big.yaml", o);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code() == kfix::StatusCode::kLimitExceeded);
  CHECK(r.errors[0].location().file == "big.yaml");
  kfix::ParseOptions s;
  s.max_scalar_bytes = 4;
  kfix::LoadResult r2 = kfix::LoadYaml("a: abcd\n---\nb: abcde\n", "s.yaml", s);
  CHECK(r2.manifests.size() == 1);
  REQUIRE(r2.errors.size() == 1);
  CHECK(r2.errors[0].location().line == 3);
  CHECK(r2.errors[0].location().column == 4);
  kfix::ParseOptions n;
  n.max_nodes = 5;
  CHECK(kfix::LoadYaml("a: [1, 2]\n", "n", n).errors.empty());
  CHECK(kfix::LoadYaml("a: [1, 2, 3, 4]\n", "n", n).errors.size() == 1);
}

TEST_CASE("R24: per-file limits max_total_nodes, max_documents, max_errors bound what one file can hold") {
  // Tiny documents: the default document limit stops the stream, keeps the
  // documents before it, and the error names the file and the limit.
  std::string tiny;
  for (int i = 0; i < 300000; ++i) tiny += "---\na: 1\n";
  kfix::ParseOptions o;
  o.require_objects = false;
  kfix::LoadResult r = kfix::LoadYaml(tiny, "tiny.yaml", o);
  CHECK(r.manifests.size() == o.max_documents);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code() == kfix::StatusCode::kLimitExceeded);
  CHECK(r.errors[0].location().file == "tiny.yaml");
  CHECK(r.errors[0].message().find("max_documents") != std::string::npos);
  CHECK(r.errors[0].message().find(std::to_string(o.max_documents)) != std::string::npos);
  CHECK(r.nodes == 3 * o.max_documents);
  // Nodes across documents: each document is under max_nodes, the file is not.
  kfix::ParseOptions n;
  n.max_total_nodes = 100;
  std::string docs;
  for (int i = 0; i < 20; ++i) docs += "---\na: [1, 2, 3, 4, 5, 6, 7, 8]\n";  // 11 nodes each
  kfix::LoadResult t = kfix::LoadYaml(docs, "n.yaml", n);
  CHECK(t.manifests.size() == 9);
  REQUIRE(t.errors.size() == 1);
  CHECK(t.errors[0].message().find("max_total_nodes") != std::string::npos);
  CHECK(t.errors[0].location().file == "n.yaml");
  // The JSON route counts too.
  std::string arr = "[";
  for (int i = 0; i < 200; ++i) arr += std::string(i ? "," : "") + "1";
  arr += "]";
  kfix::ParseOptions j;
  j.max_total_nodes = 100;
  j.require_objects = false;
  CHECK_FALSE(kfix::LoadManifests(arr, "a.json", j).errors.empty());
  CHECK(kfix::LoadManifests("{\"a\": [1, 2]}", "o.json").nodes == 5);
  // Errors: past max_errors the stream stops; warnings past it are counted.
  std::string broken;
  for (int i = 0; i < 5000; ++i) broken += "---\nx: !!int y\n";
  kfix::LoadResult b = kfix::LoadYaml(broken, "b.yaml");
  CHECK(b.errors.size() == 1001);
  CHECK(b.errors.back().message().find("max_errors") != std::string::npos);
  std::string dups;
  for (int i = 0; i < 5000; ++i) dups += "a: 1\n";
  kfix::LoadResult d = kfix::LoadYaml(dups, "d.yaml");
  CHECK(d.warnings.size() == 1001);
  CHECK(d.warnings.back().message().find("3999 more warnings") == 0);
}

TEST_CASE("R24: LoadPaths bounds a whole run (max_run_nodes, max_run_documents)") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("kfix-run-limits-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (int i = 0; i < 6; ++i) {
    std::ofstream(dir / ("f" + std::to_string(i) + ".yaml")) << "a: [1, 2, 3, 4, 5, 6, 7, 8]\n";  // 11 nodes
  }
  kfix::LoadPathsOptions o;
  o.parse.require_objects = false;
  o.max_run_nodes = 30;
  auto files = kfix::LoadPaths({dir.string()}, o);
  REQUIRE(files.ok());
  REQUIRE(files->size() == 6);
  std::size_t loaded = 0;
  std::size_t refused = 0;
  for (const kfix::LoadedFile& f : *files) {
    loaded += f.result.manifests.size();
    for (const kfix::Status& e : f.result.errors) {
      if (e.message().find("max_run_nodes") != std::string::npos) {
        ++refused;
        CHECK(e.location().file == f.path);
      }
    }
  }
  CHECK(loaded == 3);  // 0, 11 and 22 nodes before them: under 30; the third ends the run at 33
  CHECK(refused == 3);
  o.max_run_nodes = 1000;
  o.max_run_documents = 3;
  auto docs = kfix::LoadPaths({dir.string()}, o);
  REQUIRE(docs.ok());
  CHECK(kfix::MergeLoadedFiles(std::move(*docs)).manifests.size() == 3);
  fs::remove_all(dir);
}

TEST_CASE("R25: invalid UTF-8 is a parse error with position") {
  kfix::LoadResult r = kfix::LoadYaml("a: 1\nb: \xFF\xFE x\n", "u.yaml");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code() == kfix::StatusCode::kParseError);
  CHECK(r.errors[0].location().line == 2);
  CHECK(r.errors[0].location().column == 4);
}

TEST_CASE("R26: UTF-8 BOM and CRLF are accepted") {
  kfix::LoadResult r = kfix::LoadYaml("\xEF\xBB\xBFkind: Pod\r\nmetadata:\r\n  name: x\r\n", "b.yaml");
  REQUIRE(r.errors.empty());
  REQUIRE(r.manifests.size() == 1);
  CHECK(r.manifests[0].Ref().kind == "Pod");
  CHECK(r.manifests[0].Ref().name == "x");
  CHECK(r.manifests[0].root.Find("metadata")->Find("name")->line() == 3);
}

TEST_CASE("R27: tabs in indentation are a parse error with position") {
  kfix::LoadResult r = kfix::LoadYaml("a:\n\tb: 1\n", "t.yaml");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code() == kfix::StatusCode::kParseError);
  CHECK(r.errors[0].location().line == 2);
}

TEST_CASE("R28: a syntax error mid-stream keeps the documents before it") {
  kfix::LoadResult r = kfix::LoadYaml("kind: A\n---\nkind: B\n---\nkind: [C\n---\nkind: D\n", "m.yaml");
  REQUIRE(r.manifests.size() == 2);
  CHECK(r.manifests[1].Ref().kind == "B");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].location().document == 2);
  CHECK(r.errors[0].location().line >= 5);
  CHECK(r.errors[0].location().file == "m.yaml");
}

TEST_CASE("R29: LoadManifests routes JSON to the JSON parser") {
  kfix::LoadResult r = kfix::LoadManifests("  {\"kind\": \"Pod\", \"a\": 0755}", "p.json");
  // 0755 is not JSON; flow YAML accepts it as octal -> the YAML fallback loads it.
  REQUIRE(r.errors.empty());
  CHECK(IsInt(*r.manifests[0].root.Find("a"), 493));
  kfix::LoadResult j = kfix::LoadManifests("\n{\"kind\": \"Pod\", \"v\": \"yes\"}\n", "p.json");
  REQUIRE(j.errors.empty());
  CHECK(IsStr(*j.manifests[0].root.Find("v"), "yes"));
  CHECK(j.manifests[0].root.line() == 2);
  kfix::LoadResult arr = kfix::LoadManifests("[{\"kind\": \"A\"}, {\"kind\": \"B\"}]", "a.json");
  REQUIRE(arr.manifests.size() == 2);
  CHECK(arr.manifests[1].item == 1);
  kfix::LoadResult bad = kfix::LoadManifests("{\"kind\": \"Pod\" \"x\"}", "bad.json");
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].location().file == "bad.json");
  CHECK(bad.errors[0].location().line == 1);
  kfix::LoadResult y = kfix::LoadManifests("kind: Pod\n", "p.yaml");
  CHECK(y.manifests.size() == 1);
}

TEST_CASE("R30: ParseYaml takes exactly one document") {
  CHECK(kfix::ParseYaml("").ok());
  CHECK(kfix::ParseYaml("")->is_null());
  CHECK(kfix::ParseYaml("- 1\n")->is_array());
  kfix::Result<kfix::Value> two = kfix::ParseYaml("a: 1\n---\nb: 2\n");
  CHECK_FALSE(two.ok());
}

TEST_CASE("R31: LoadFile names the file in errors") {
  kfix::LoadResult r = kfix::LoadFile("/nonexistent/kfix/x.yaml");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].location().file == "/nonexistent/kfix/x.yaml");
  CHECK(r.errors[0].code() == kfix::StatusCode::kNotFound);
  kfix::LoadResult ok = kfix::LoadFile(std::string(KFIX_SOURCE_DIR) + "/tests/data/yaml/multi.yaml");
  CHECK(ok.errors.empty());
  CHECK(ok.manifests.size() == 3);
}

TEST_CASE("R32: block scalars and folding keep their text") {
  kfix::Value v = P("a: |\n  line1\n  line2\nb: >\n  x\n  y\nc: \"esc\\n\\t\\u00e9\"\n");
  CHECK(IsStr(*v.Find("a"), "line1\nline2\n"));
  CHECK(IsStr(*v.Find("b"), "x y\n"));
  CHECK(IsStr(*v.Find("c"), "esc\n\t\xC3\xA9"));
}

TEST_CASE("a syntax error has one position; the construct it is in is named with where it starts") {
  kfix::LoadResult r = kfix::LoadManifests("a: [1,\nb: 2\n", "bad.yaml");
  REQUIRE(r.errors.size() == 1);
  const kfix::Status& e = r.errors[0];
  CHECK(e.location().file == "bad.yaml");
  CHECK(e.location().line == 3);
  CHECK(e.location().column == 1);
  CHECK(e.message().find("in the flow sequence that starts at 1:4") != std::string::npos);
  CHECK(e.message().find(" at line ") == std::string::npos);
  CHECK(e.message().find("while ") == std::string::npos);
  // ToString names the position once.
  const std::string text = e.ToString();
  CHECK(text.find("bad.yaml:3:1") != std::string::npos);
  CHECK(text.find("line 1 column") == std::string::npos);
}
