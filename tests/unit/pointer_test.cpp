// RFC 6901 JSON Pointer: parsing, escaping exactly once, resolution errors.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "kfix/core.hpp"

using kfix::JsonPointer;
using kfix::StatusCode;
using kfix::Value;

namespace {

JsonPointer P(std::string_view text) {
  auto r = JsonPointer::Parse(text);
  INFO(std::string(text));
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

Value Doc(std::string_view text) {
  auto r = kfix::ParseJson(text);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(r).value();
}

}  // namespace

TEST_CASE("JsonPointer::Parse decodes ~1 then ~0, once") {
  CHECK(P("").empty());
  CHECK(P("/").tokens() == std::vector<std::string>{""});
  CHECK(P("//").tokens() == std::vector<std::string>{"", ""});
  CHECK(P("/a/b").tokens() == std::vector<std::string>{"a", "b"});
  CHECK(P("/a~1b").tokens() == std::vector<std::string>{"a/b"});
  CHECK(P("/m~0n").tokens() == std::vector<std::string>{"m~n"});
  // "~01" is "~1" literally, not "/": decoding happens once.
  CHECK(P("/~01").tokens() == std::vector<std::string>{"~1"});
  CHECK(P("/~10").tokens() == std::vector<std::string>{"/0"});
  CHECK(P("/~0~1~0~1").tokens() == std::vector<std::string>{"~/~/"});
  CHECK(P("/ /%25/\"/\\").tokens() == std::vector<std::string>{" ", "%25", "\"", "\\"});
  CHECK(P("/日本/0").tokens() == std::vector<std::string>{"日本", "0"});
  CHECK(P("/a/").tokens() == std::vector<std::string>{"a", ""});
}

TEST_CASE("JsonPointer::Parse rejects bad syntax") {
  for (const char* bad : {"a", "a/b", "#/a", "/~", "/a~", "/~2", "/~a", "/a/~/b", "/~~"}) {
    INFO(bad);
    auto r = JsonPointer::Parse(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("JsonPointer: escape, ToString, Child, Parent, IsPrefixOf") {
  CHECK(JsonPointer::EscapeToken("a/b~c") == "a~1b~0c");
  CHECK(JsonPointer::EscapeToken("~1") == "~01");
  CHECK(JsonPointer::EscapeToken("") == "");
  JsonPointer p = JsonPointer().Child("spec").Child("a/b").Child(std::size_t{3}).Child("~");
  CHECK(p.ToString() == "/spec/a~1b/3/~0");
  CHECK(p.size() == 4);
  CHECK(p.back() == "~");
  CHECK(p.Parent().ToString() == "/spec/a~1b/3");
  CHECK(JsonPointer().ToString() == "");
  CHECK(P("/").ToString() == "/");
  CHECK(JsonPointer().IsPrefixOf(p));
  CHECK(p.Parent().IsPrefixOf(p));
  CHECK(p.IsPrefixOf(p));
  CHECK_FALSE(p.IsPrefixOf(p.Parent()));
  CHECK_FALSE(P("/a").IsPrefixOf(P("/ab")));
  CHECK(P("/a") < P("/b"));
  CHECK(P("/a~1b") == JsonPointer(std::vector<std::string>{"a/b"}));
}

TEST_CASE("JsonPointer round trips: Parse(ToString(tokens)) == tokens") {
  std::mt19937 rng(6901);
  const char alphabet[] = {'a', '~', '/', '0', '1', '-', ' ', 'x'};
  for (int i = 0; i < 5000; ++i) {
    std::vector<std::string> tokens(rng() % 5);
    for (std::string& t : tokens) {
      const std::size_t n = rng() % 6;
      for (std::size_t k = 0; k < n; ++k) t.push_back(alphabet[rng() % sizeof alphabet]);
    }
    JsonPointer p(tokens);
    auto back = JsonPointer::Parse(p.ToString());
    REQUIRE(back.ok());
    CHECK(back->tokens() == tokens);
    CHECK(back->ToString() == p.ToString());
  }
}

TEST_CASE("Resolve: RFC 6901 section 5 examples") {
  Value doc = Doc(R"({"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4,
                      "i\\j": 5, "k\"l": 6, " ": 7, "m~n": 8})");
  auto at = [&](const char* ptr) -> const Value& {
    auto r = kfix::Resolve(doc, P(ptr));
    INFO(ptr);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return **r;
  };
  CHECK(&at("") == &doc);
  CHECK(at("/foo").size() == 2);
  CHECK(at("/foo/0").as_string() == "bar");
  CHECK(at("/").as_int() == 0);
  CHECK(at("/a~1b").as_int() == 1);
  CHECK(at("/c%d").as_int() == 2);
  CHECK(at("/e^f").as_int() == 3);
  CHECK(at("/g|h").as_int() == 4);
  CHECK(at("/i\\j").as_int() == 5);
  CHECK(at("/k\"l").as_int() == 6);
  CHECK(at("/ ").as_int() == 7);
  CHECK(at("/m~0n").as_int() == 8);
  CHECK(kfix::Lookup(doc, P("/foo/1"))->as_string() == "baz");
  auto m = kfix::ResolveMutable(doc, P("/foo/1"));
  REQUIRE(m.ok());
  **m = Value("changed");
  CHECK(doc.Find("foo")->as_array()[1].as_string() == "changed");
}

TEST_CASE("Resolve errors name the failing segment and its parent") {
  Value doc = Doc(R"({"spec": {"containers": [{"name": "a"}], "n": 1}})");
  struct Case {
    const char* ptr;
    StatusCode code;
    const char* message;
  };
  const Case cases[] = {
      {"/spec/x", StatusCode::kNotFound, R"("/spec/x": member "x" not found in object at "/spec")"},
      {"/x/y", StatusCode::kNotFound, R"("/x/y": member "x" not found in object at "")"},
      {"/spec/containers/1", StatusCode::kNotFound,
       R"("/spec/containers/1": index 1 out of range for array of size 1 at "/spec/containers")"},
      {"/spec/containers/-", StatusCode::kNotFound,
       R"("/spec/containers/-": index "-" (past the end) does not exist in array at "/spec/containers")"},
      {"/spec/containers/01", StatusCode::kInvalidArgument,
       R"("/spec/containers/01": invalid array index "01" for array at "/spec/containers")"},
      {"/spec/containers/+0", StatusCode::kInvalidArgument, nullptr},
      {"/spec/containers/-1", StatusCode::kInvalidArgument, nullptr},
      {"/spec/containers/", StatusCode::kInvalidArgument, nullptr},
      {"/spec/containers/name", StatusCode::kInvalidArgument, nullptr},
      {"/spec/containers/99999999999999999999999", StatusCode::kNotFound, nullptr},
      {"/spec/n/x", StatusCode::kNotFound, R"("/spec/n/x": cannot look up "x" in integer at "/spec/n")"},
      {"/spec/a~1b", StatusCode::kNotFound, R"("/spec/a~1b": member "a/b" not found in object at "/spec")"},
  };
  for (const Case& c : cases) {
    INFO(c.ptr);
    auto r = kfix::Resolve(doc, P(c.ptr));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == c.code);
    CHECK(r.status().location().pointer == c.ptr);
    if (c.message) CHECK(r.status().message() == c.message);
    CHECK(kfix::Lookup(doc, P(c.ptr)) == nullptr);
  }
  CHECK(kfix::Lookup(doc, P("/spec/containers/0/name"))->as_string() == "a");
}
