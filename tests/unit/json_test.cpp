// ParseJson / ToJson / JsonQuote: strict RFC 8259 parsing with positions and
// limits, the three output styles, canonical golden bytes and round trips;
// and the core's one thread helper, ParallelFor.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/json_internal.hpp"
#include "core/json_stream_internal.hpp"
#include "core/parallel_internal.hpp"
#include "kfix/core.hpp"

using kfix::JsonStyle;
using kfix::ParseJson;
using kfix::StatusCode;
using kfix::ToJson;
using kfix::Value;

namespace {

Value MustParse(std::string_view text) {
  auto r = ParseJson(text);
  INFO(std::string(text));
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(r).value();
}

StatusCode ParseCode(std::string_view text, const kfix::ParseOptions& o = {}) {
  auto r = ParseJson(text, o);
  return r.ok() ? StatusCode::kOk : r.status().code();
}

// A random JSON value (seeded, deterministic) for round-trip tests.
Value RandomValue(std::mt19937& rng, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 4 ? 5 : 7);
  static const std::vector<std::string> kStrings = {
      "", "a", "key", "with \"quote\"", "back\\slash", "tab\there", "nl\nx", "ctl\x01\x1f", "é", "日本",
      "\xF0\x9F\x98\x80", "/~0~1", "-", "0", "DEL\x7f"};
  switch (kind(rng)) {
    case 0: return Value(nullptr);
    case 1: return Value(rng() % 2 == 0);
    case 2: return Value(static_cast<std::int64_t>(rng()) - (1LL << 31));
    case 3: {
      std::uniform_real_distribution<double> d(-1e6, 1e6);
      return Value(d(rng) * std::pow(10.0, static_cast<int>(rng() % 40) - 20));
    }
    case 4:
    case 5: return Value(kStrings[rng() % kStrings.size()]);
    case 6: {
      Value a = Value::MakeArray();
      const int n = static_cast<int>(rng() % 5);
      for (int i = 0; i < n; ++i) a.PushBack(RandomValue(rng, depth + 1));
      return a;
    }
    default: {
      Value o = Value::MakeObject();
      const int n = static_cast<int>(rng() % 5);
      for (int i = 0; i < n; ++i) o.Set(kStrings[rng() % kStrings.size()], RandomValue(rng, depth + 1));
      return o;
    }
  }
}

// Strict structural identity: like ==, but int and double must not mix and
// object member order must match (what a compact/pretty round trip preserves).
bool Identical(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Value::Type::kArray:
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!Identical(a.as_array()[i], b.as_array()[i])) return false;
      }
      return true;
    case Value::Type::kObject:
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (a.as_object()[i].key != b.as_object()[i].key) return false;
        if (!Identical(a.as_object()[i].value, b.as_object()[i].value)) return false;
      }
      return true;
    case Value::Type::kDouble: {
      const double x = a.as_double(), y = b.as_double();
      return x == y && std::signbit(x) == std::signbit(y);
    }
    default: return a == b;
  }
}

}  // namespace

TEST_CASE("ParseJson: scalars and types") {
  CHECK(MustParse("null").is_null());
  CHECK(MustParse("true").as_bool());
  CHECK_FALSE(MustParse(" false ").as_bool());
  CHECK(MustParse("0").as_int() == 0);
  CHECK(MustParse("-0").is_int());
  CHECK(MustParse("42").as_int() == 42);
  CHECK(MustParse("9223372036854775807").as_int() == std::numeric_limits<std::int64_t>::max());
  CHECK(MustParse("-9223372036854775808").as_int() == std::numeric_limits<std::int64_t>::min());
  // Beyond int64: a double.
  Value big = MustParse("9223372036854775808");
  CHECK(big.is_double());
  CHECK(big.as_double() == 9223372036854775808.0);
  CHECK(MustParse("1.5").as_double() == 1.5);
  CHECK(MustParse("1.0").is_double());
  CHECK(MustParse("1e2").is_double());
  CHECK(MustParse("1E+2").as_double() == 100.0);
  CHECK(MustParse("-2.5e-3").as_double() == -0.0025);
  CHECK(MustParse("5e-324").as_double() > 0);
  // Underflow rounds to (signed) zero; overflow is an error.
  Value tiny = MustParse("-1e-400");
  CHECK(tiny.as_double() == 0);
  CHECK(std::signbit(tiny.as_double()));
  CHECK(MustParse("0.0000000000000000000000000000001e-300").as_double() == 0);
  CHECK(ParseCode("1e400") == StatusCode::kParseError);
  CHECK(ParseCode("-123456789e305") == StatusCode::kParseError);
  CHECK(MustParse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"").as_string() == "a\"b\\c/d\b\f\n\r\t");
  CHECK(MustParse("\"\\u00e9\\u65E5\"").as_string() == "é日");
  CHECK(MustParse("\"\\ud83d\\ude00\"").as_string() == "\xF0\x9F\x98\x80");
  CHECK(MustParse("\"\\u0000\"").as_string() == std::string(1, '\0'));
  CHECK(MustParse("\"héllo 日本 \xF0\x9F\x98\x80\"").as_string() == "héllo 日本 \xF0\x9F\x98\x80");
  CHECK(MustParse("\xEF\xBB\xBF{}").is_object());  // BOM ignored
}

TEST_CASE("ParseJson: containers keep order and positions") {
  Value v = MustParse("{\n  \"b\": [1, 2.5, \"x\"],\n  \"a\": {\"k\": null},\n  \"é\": \"日本\", \"z\": true\n}");
  REQUIRE(v.is_object());
  CHECK(v.line() == 1);
  CHECK(v.column() == 1);
  const auto& o = v.as_object();
  REQUIRE(o.size() == 4);
  CHECK(o[0].key == "b");
  CHECK(o[1].key == "a");
  CHECK(o[2].key == "é");
  CHECK(o[0].key_line == 2);
  CHECK(o[0].key_column == 3);
  CHECK(o[0].value.line() == 2);
  CHECK(o[0].value.column() == 8);
  CHECK(o[0].value.as_array()[1].column() == 12);
  CHECK(o[0].value.as_array()[2].column() == 17);
  CHECK(o[1].value.Find("k")->line() == 3);
  CHECK(o[1].value.Find("k")->column() == 14);
  // Columns count code points, not bytes.
  CHECK(o[2].key_line == 4);
  CHECK(o[2].key_column == 3);
  CHECK(o[2].value.column() == 8);
  CHECK(o[3].key_column == 14);
  CHECK(o[3].value.column() == 19);
}

TEST_CASE("ParseJson: syntax errors carry line and column") {
  struct Case {
    const char* text;
    std::int32_t line;
    std::int32_t column;
  };
  const Case cases[] = {
      {"", 1, 1},
      {"   \n  ", 2, 3},
      {"{\"a\": 1,}", 1, 9},
      {"[1, 2,]", 1, 7},
      {"[1 2]", 1, 4},
      {"{\"a\" 1}", 1, 6},
      {"{a: 1}", 1, 2},
      {"{\"a\": 1} x", 1, 10},
      {"[1]\n\n ]", 3, 2},
      {"01", 1, 1},
      {"-", 1, 1},
      {"1.", 1, 1},
      {"1e", 1, 1},
      {".5", 1, 1},
      {"+1", 1, 1},
      {"tru", 1, 1},
      {"nul", 1, 1},
      {"NaN", 1, 1},
      {"[\"a\nb\"]", 1, 4},
      {"\"abc", 1, 1},
      {"[\"\\x\"]", 1, 3},
      {"\"\\u12g4\"", 1, 2},
      {"\"\\ud800\"", 1, 2},
      {"\"\\ud800\\u0041\"", 1, 2},
      {"\"\\udc00\"", 1, 2},
      {"\"é\xFF\"", 1, 3},
      {"\"\xC0\xAF\"", 1, 2},            // overlong '/'
      {"\"\xED\xA0\x80\"", 1, 2},        // UTF-8 encoded surrogate
      {"\"\xF4\x90\x80\x80\"", 1, 2},    // > U+10FFFF
      {"\"\xE6\x97\"", 1, 2},            // truncated sequence
      {"[1,\n  {\"a\": [tru]}]", 2, 10},
      {"{\"a\":1,\"a\":2}", 0, 0},  // OK (non-strict): checked below
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto r = ParseJson(c.text);
    if (c.line == 0) {
      CHECK(r.ok());
      continue;
    }
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kParseError);
    CHECK(r.status().location().line == c.line);
    CHECK(r.status().location().column == c.column);
  }
}

TEST_CASE("ParseJson: limits are errors, not crashes") {
  kfix::ParseOptions o;
  o.max_depth = 8;
  CHECK(ParseCode("[[[[[[[[1]]]]]]]]", o) == StatusCode::kOk);
  CHECK(ParseCode("[[[[[[[[[1]]]]]]]]]", o) == StatusCode::kLimitExceeded);
  CHECK(ParseCode("{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{}}}}}}}}}", o) == StatusCode::kLimitExceeded);
  // Default depth: deep input is refused without recursion.
  std::string deep(1000000, '[');
  auto r = ParseJson(deep);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kLimitExceeded);
  CHECK(r.status().location().column == 129);

  kfix::ParseOptions size;
  size.max_document_bytes = 10;
  CHECK(ParseCode("[1,2,3,4]", size) == StatusCode::kOk);
  CHECK(ParseCode("[1,2,3,4,5]", size) == StatusCode::kLimitExceeded);

  kfix::ParseOptions scalar;
  scalar.max_scalar_bytes = 4;
  CHECK(ParseCode("[\"abcd\", 1234]", scalar) == StatusCode::kOk);
  CHECK(ParseCode("\"abcde\"", scalar) == StatusCode::kLimitExceeded);
  CHECK(ParseCode("12345", scalar) == StatusCode::kLimitExceeded);

  kfix::ParseOptions nodes;
  nodes.max_nodes = 4;
  CHECK(ParseCode("[1,2,3]", nodes) == StatusCode::kOk);
  CHECK(ParseCode("[1,2,3,4]", nodes) == StatusCode::kLimitExceeded);
}

TEST_CASE("ParseJson: duplicate keys") {
  Value v = MustParse("{\"a\": 1, \"b\": 2, \"a\": 3}");
  REQUIRE(v.size() == 2);
  CHECK(v.as_object()[0].key == "a");
  CHECK(v.Find("a")->as_int() == 3);

  std::vector<kfix::Status> warnings;
  auto w = kfix::internal::ParseJsonWithWarnings("{\"a\": 1,\n \"a\": 3}", {}, &warnings);
  REQUIRE(w.ok());
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].location().line == 2);
  CHECK(warnings[0].location().column == 2);

  kfix::ParseOptions strict;
  strict.strict_duplicate_keys = true;
  auto s = ParseJson("{\"a\": 1,\n \"a\": 3}", strict);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().code() == StatusCode::kParseError);
  CHECK(s.status().location().line == 2);

  // Large objects switch to a hash index; duplicates are still found.
  std::string many = "{";
  for (int i = 0; i < 100; ++i) many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  many += "\"k7\":700}";
  Value m = MustParse(many);
  CHECK(m.size() == 100);
  CHECK(m.Find("k7")->as_int() == 700);
  CHECK(ParseCode(many, strict) == StatusCode::kParseError);
}

TEST_CASE("ToJson: compact and pretty golden output") {
  Value v = MustParse(R"({"b":[1,2.5,"x",{}],"a":{"k":null,"t":true},"e":[],"d":2.0,"n":-0.0})");
  CHECK(ToJson(v) == R"({"b":[1,2.5,"x",{}],"a":{"k":null,"t":true},"e":[],"d":2.0,"n":-0.0})");
  CHECK(ToJson(v, JsonStyle::kPretty) ==
        "{\n"
        "  \"b\": [\n"
        "    1,\n"
        "    2.5,\n"
        "    \"x\",\n"
        "    {}\n"
        "  ],\n"
        "  \"a\": {\n"
        "    \"k\": null,\n"
        "    \"t\": true\n"
        "  },\n"
        "  \"e\": [],\n"
        "  \"d\": 2.0,\n"
        "  \"n\": -0.0\n"
        "}");
  CHECK(ToJson(Value(std::numeric_limits<double>::infinity())) == "null");
  CHECK(ToJson(Value(std::nan(""))) == "null");
  CHECK(ToJson(Value(1e20)) == "1e+20");
  CHECK(ToJson(Value(0.1)) == "0.1");
}

TEST_CASE("ToJson: canonical golden bytes") {
  // Hand-checked: keys sorted by code point (UTF-8 byte order), no
  // whitespace, integral doubles up to 2^53 as integers, -0.0 as 0,
  // shortest round-trip doubles, non-finite as null, escapes per
  // docs/canonical-json.md.
  Value v = MustParse(
      R"({"z":1,"a":[3.0,-0.0,0.1,1e21,1.5e-7,-2.5,9007199254740993.0,12345678901234567890],)"
      R"("é":"é","Z":"\u0001\b\t\n\f\r\"\\/\u007f","":{"b":true,"a":null},"aa":"日本\ud83d\ude00","ab":[]})");
  CHECK(ToJson(v, JsonStyle::kCanonical) ==
        "{\"\":{\"a\":null,\"b\":true},\"Z\":\"\\u0001\\b\\t\\n\\f\\r\\\"\\\\/\x7f\","
        "\"a\":[3,0,0.1,1e+21,1.5e-07,-2.5,9007199254740992,12345678901234567168],"
        "\"aa\":\"日本\xF0\x9F\x98\x80\",\"ab\":[],\"z\":1,\"é\":\"é\"}");
  CHECK(ToJson(Value(-0.0), JsonStyle::kCanonical) == "0");
  CHECK(ToJson(Value(std::numeric_limits<double>::quiet_NaN()), JsonStyle::kCanonical) == "null");
  CHECK(ToJson(Value(9007199254740992.0), JsonStyle::kCanonical) == "9007199254740992");
  CHECK(ToJson(Value(18014398509481984.0), JsonStyle::kCanonical) == "18014398509481984");
  CHECK(ToJson(Value(1e300), JsonStyle::kCanonical) == "1e+300");
  CHECK(ToJson(Value(5e-324), JsonStyle::kCanonical) == "5e-324");
  CHECK(ToJson(Value(std::numeric_limits<std::int64_t>::min()), JsonStyle::kCanonical) == "-9223372036854775808");
  // Equal values give equal canonical bytes, whatever the member order or number type.
  CHECK(ToJson(MustParse(R"({"b":1.0,"a":[2]})"), JsonStyle::kCanonical) ==
        ToJson(MustParse(R"({"a":[2.0],"b":1})"), JsonStyle::kCanonical));
  // Key sorting is by code point, not by UTF-16 unit: U+FF61 < U+1F600.
  Value keys = Value::MakeObject();
  keys.Set("\xF0\x9F\x98\x80", 1);
  keys.Set("\xEF\xBD\xA1", 2);
  keys.Set("\x7f", 3);
  CHECK(ToJson(keys, JsonStyle::kCanonical) == "{\"\x7f\":3,\"\xEF\xBD\xA1\":2,\"\xF0\x9F\x98\x80\":1}");
}

TEST_CASE("JsonQuote: escapes exactly the required characters") {
  CHECK(kfix::JsonQuote("") == "\"\"");
  CHECK(kfix::JsonQuote("plain / text") == "\"plain / text\"");
  CHECK(kfix::JsonQuote("q\"b\\") == "\"q\\\"b\\\\\"");
  CHECK(kfix::JsonQuote(std::string("\0\x1f\x7f", 3)) == "\"\\u0000\\u001f\x7f\"");
  CHECK(kfix::JsonQuote("\b\f\n\r\t") == "\"\\b\\f\\n\\r\\t\"");
  CHECK(kfix::JsonQuote("日本") == "\"日本\"");
  // Invalid UTF-8 never leaks into output: replaced by U+FFFD.
  CHECK(kfix::JsonQuote("a\xFF" "b") == "\"a\xEF\xBF\xBD" "b\"");
  CHECK(kfix::JsonQuote("\xE6\x97") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  CHECK(kfix::internal::FindInvalidUtf8("ok é") == std::string_view::npos);
  CHECK(kfix::internal::FindInvalidUtf8("ok \xC3") == 3);
}

TEST_CASE("JSON round trips: parse -> emit -> parse") {
  const char* docs[] = {
      "null", "[]", "{}", "0", "-1", "1.5", "-0.0", "1e-7", "123456789012345678901234567890",
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},)"
      R"("spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"c","image":"nginx:1.25",)"
      R"("resources":{"limits":{"cpu":0.5,"memory":"128Mi"}}}]}}}})",
      R"(["\u0000\u001f","é","\ud83d\ude00",{"":[[],{}]}])",
  };
  for (const char* d : docs) {
    INFO(d);
    Value v = MustParse(d);
    for (JsonStyle style : {JsonStyle::kCompact, JsonStyle::kPretty, JsonStyle::kCanonical}) {
      std::string text = ToJson(v, style);
      Value again = MustParse(text);
      CHECK(again == v);
      if (style != JsonStyle::kCanonical) CHECK(Identical(again, v));
      // Emitting is a fixed point.
      CHECK(ToJson(again, style) == text);
    }
  }
  std::mt19937 rng(20261122);
  for (int i = 0; i < 2000; ++i) {
    Value v = RandomValue(rng, 0);
    for (JsonStyle style : {JsonStyle::kCompact, JsonStyle::kPretty, JsonStyle::kCanonical}) {
      std::string text = ToJson(v, style);
      auto again = ParseJson(text);
      REQUIRE_MESSAGE(again.ok(), text);
      CHECK(*again == v);
      if (style != JsonStyle::kCanonical) CHECK(Identical(*again, v));
      CHECK(ToJson(*again, style) == text);
    }
  }
}

TEST_CASE("AppendJson appends") {
  std::string out = "x=";
  kfix::AppendJson(out, MustParse("[1, {\"a\": \"b\"}]"));
  CHECK(out == "x=[1,{\"a\":\"b\"}]");
}

TEST_CASE("JsonDocumentWriter: advancing past a complete array writes the next one as it comes, same bytes") {
  using kfix::internal::JsonDocumentWriter;
  kfix::Value shell = kfix::Value::MakeObject();
  shell.Set("v", 1);
  shell.Set("a", JsonDocumentWriter::Slot("a"));
  shell.Set("b", JsonDocumentWriter::Slot("b"));
  shell.Set("c", JsonDocumentWriter::Slot("c"));
  shell.Set("late", JsonDocumentWriter::Slot("late"));
  shell.Set("d", JsonDocumentWriter::Slot("d"));
  kfix::Value expected = kfix::Value::MakeObject();
  expected.Set("v", 1);
  for (kfix::JsonStyle style : {kfix::JsonStyle::kPretty, kfix::JsonStyle::kCompact}) {
    // advance: 0 = never (everything after "a" held back), 1 = after "a", 2 = after "a" and "b".
    std::string first;
    for (int advance : {0, 1, 2}) {
      std::string out;
      std::vector<std::size_t> pieces;
      JsonDocumentWriter w(shell, style, {"a", "b", "c", "d"}, {"late"}, [&](std::string_view p) {
        out.append(p);
        pieces.push_back(p.size());
        return true;
      });
      const int a = w.SlotIndex("a"), b = w.SlotIndex("b"), d = w.SlotIndex("d");  // "c" stays empty
      auto add = [&](int slot, std::uint64_t key, const kfix::Value& v) { REQUIRE(w.AddValue(slot, key, v)); };
      add(a, 0, "a0");
      add(b, 2, "b2");  // held back before the advance: drained in key order
      add(b, 1, "b1");
      add(a, 0, "a1");
      if (advance >= 1) REQUIRE(w.Advance());
      add(b, 3, "b3");  // written as it comes after the advance (keys in order here)
      if (advance >= 2) REQUIRE(w.Advance());
      add(d, 0, "d0");
      w.Set(w.SlotIndex("late"), kfix::Value(7));
      REQUIRE(w.Finish());
      if (first.empty()) first = out;
      CHECK_MESSAGE(out == first, "advance ", advance);
    }
    kfix::Value want = kfix::Value::MakeObject();
    want.Set("v", 1);
    want.Set("a", kfix::Value(kfix::Value::Array{"a0", "a1"}));
    want.Set("b", kfix::Value(kfix::Value::Array{"b1", "b2", "b3"}));
    want.Set("c", kfix::Value::MakeArray());
    want.Set("late", 7);
    want.Set("d", kfix::Value(kfix::Value::Array{"d0"}));
    CHECK(first == kfix::ToJson(want, style));
  }
  // Nothing to advance past: a first slot that is a late value, or after the last array.
  kfix::Value late_first = kfix::Value::MakeObject();
  late_first.Set("late", JsonDocumentWriter::Slot("late"));
  JsonDocumentWriter w(late_first, kfix::JsonStyle::kCompact, {}, {"late"}, [](std::string_view) { return true; });
  CHECK_FALSE(w.Advance());
}

TEST_CASE("JsonDocumentWriter: a piece over a megabyte goes to the sink without a copy, bytes unchanged") {
  using kfix::internal::JsonDocumentWriter;
  kfix::Value shell = kfix::Value::MakeObject();
  shell.Set("a", JsonDocumentWriter::Slot("a"));
  shell.Set("b", JsonDocumentWriter::Slot("b"));
  std::string out;
  std::size_t largest = 0;
  JsonDocumentWriter w(shell, kfix::JsonStyle::kCompact, {"a", "b"}, {}, [&](std::string_view p) {
    out.append(p);
    largest = std::max(largest, p.size());
    return true;
  });
  const std::string big(3u << 20, 'x');
  REQUIRE(w.AddValue(w.SlotIndex("b"), 0, kfix::Value(big)));  // spooled, drained by Finish
  REQUIRE(w.AddValue(w.SlotIndex("a"), 0, kfix::Value("y")));
  REQUIRE(w.Finish());
  kfix::Value want = kfix::Value::MakeObject();
  want.Set("a", kfix::Value(kfix::Value::Array{"y"}));
  want.Set("b", kfix::Value(kfix::Value::Array{kfix::Value(big)}));
  CHECK(out == kfix::ToJson(want, kfix::JsonStyle::kCompact));
  CHECK(largest >= big.size());  // the drained element arrived as one piece
}

TEST_CASE("Spool: hands chunks back in key order, in memory, in a file, or both, and never holds more than its limit") {
  using kfix::internal::Spool;
  // Texts of many sizes under interleaved keys, through spools of several
  // limits (unlimited, larger than everything, around the text sizes, 1 byte):
  // Drain gives the same bytes, in key order, equal keys in the order added.
  std::vector<std::pair<std::uint64_t, std::string>> texts;
  for (int i = 0; i < 60; ++i) {
    const std::uint64_t key = static_cast<std::uint64_t>((i * 7) % 5);
    const std::size_t size = static_cast<std::size_t>((i * 37) % 300 + (i % 11 == 0 ? 5000 : 1));
    texts.emplace_back(key, std::string(size, static_cast<char>('a' + i % 26)));
  }
  std::string want;
  for (std::uint64_t key = 0; key < 5; ++key) {
    for (const auto& [k, t] : texts) {
      if (k == key) want += t;
    }
  }
  for (std::size_t limit : {Spool::kUnlimited, std::size_t{1} << 20, std::size_t{300}, std::size_t{64}, std::size_t{1}}) {
    Spool spool(limit);
    for (const auto& [k, t] : texts) {
      REQUIRE(spool.Add(k, t).ok());
      if (limit != Spool::kUnlimited) CHECK_MESSAGE(spool.memory_held() <= std::max<std::size_t>(limit, 30), "limit ", limit);
    }
    std::string got;
    REQUIRE(spool.Drain([&](std::string_view piece) {
      got.append(piece);
      return true;
    }).ok());
    CHECK_MESSAGE(got == want, "limit ", limit);
    CHECK(spool.empty());
  }
  // The first chunk's first bytes can be left out (a separator).
  Spool spool(8);
  REQUIRE(spool.Add(1, ",second").ok());
  REQUIRE(spool.Add(0, ",first-and-longer-than-the-limit").ok());
  std::string got;
  REQUIRE(spool.Drain(
                  [&](std::string_view piece) {
                    got.append(piece);
                    return true;
                  },
                  1)
              .ok());
  CHECK(got == "first-and-longer-than-the-limit,second");
}

TEST_CASE("ParallelFor: every index exactly once, for any grain and thread count") {
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{1000}, std::size_t{4099}}) {
    for (int threads : {1, 2, 3, 8}) {
      for (std::size_t grain : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{64},
                                kfix::internal::SmallItemGrain(n, threads), n + 5}) {
        std::vector<std::atomic<int>> seen(n);
        kfix::internal::ParallelFor(n, threads, [&](std::size_t i) { seen[i].fetch_add(1); }, grain);
        bool once = true;
        for (std::size_t i = 0; i < n; ++i) once = once && seen[i].load() == 1;
        CHECK_MESSAGE(once, "n ", n, " threads ", threads, " grain ", grain);
      }
    }
  }
  // About 64 claims per thread, never 0 items per claim.
  CHECK(kfix::internal::SmallItemGrain(0, 2) == 1);
  CHECK(kfix::internal::SmallItemGrain(100, 2) == 1);
  CHECK(kfix::internal::SmallItemGrain(7000, 2) == 54);
  CHECK(kfix::internal::SmallItemGrain(7000, 0) == 109);
}

TEST_CASE("ParallelFor: nested, from several threads at once, and in a forked child") {
  auto count_once = [](std::size_t n, int threads) {
    std::vector<std::atomic<int>> seen(n);
    kfix::internal::ParallelFor(n, threads, [&](std::size_t i) { seen[i].fetch_add(1); });
    for (std::size_t i = 0; i < n; ++i) {
      if (seen[i].load() != 1) return false;
    }
    return true;
  };
  // Nested: every inner loop runs whole, whichever helpers are free.
  std::vector<std::atomic<int>> inner_ok(64);
  kfix::internal::ParallelFor(64, 4, [&](std::size_t i) { inner_ok[i] = count_once(200, 3) ? 1 : 0; });
  for (std::size_t i = 0; i < 64; ++i) CHECK_MESSAGE(inner_ok[i].load() == 1, "outer ", i);
  // Several callers at once share the helpers.
  std::vector<std::thread> callers;
  std::atomic<int> good{0};
  for (int t = 0; t < 6; ++t) {
    callers.emplace_back([&] {
      for (int r = 0; r < 20; ++r) good += count_once(997, 3) ? 1 : 0;
    });
  }
  for (std::thread& t : callers) t.join();
  CHECK(good.load() == 6 * 20);
  // A forked child (which has none of the parent's helper threads) runs
  // its own loops to the end.
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    alarm(20);  // a hang fails the test instead of blocking it
    _exit(count_once(5000, 4) && count_once(10, 8) ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
