// The render's local reload check (core/render_internal.hpp): it may answer
// "the new text loads to the expected object" only when loading the whole
// text says so too. Each case applies hand-made edits; every case checks
// that agreement, and the cases built to mislead a local check (text that
// changes a neighbour, leaves its collection, or hides in a block scalar)
// must not be accepted.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/render_internal.hpp"
#include "kfix/core.hpp"

namespace {

using kfix::internal::EditAt;
using kfix::internal::TextEdit;

kfix::Value Obj(const std::string& yaml) {
  kfix::LoadResult r = kfix::LoadManifests(yaml, "want.yaml");
  REQUIRE(r.errors.empty());
  REQUIRE(r.manifests.size() == 1);
  return r.manifests[0].root;
}

std::size_t At(const std::string& text, const std::string& what) {
  const std::size_t p = text.find(what);
  REQUIRE(p != std::string::npos);
  return p;
}

TextEdit Insert(std::size_t at, std::string text, std::string node, EditAt where, std::size_t before = 0) {
  return TextEdit{at, at, std::move(text), std::move(node), where, before};
}

// What the local check says, after checking it against the whole-text load.
bool Local(const std::string& original, const std::vector<TextEdit>& edits, const kfix::Value& after) {
  std::string text;
  const bool local = kfix::internal::LocalReloadCheck(original, edits, 0, after, kfix::ParseOptions{}, &text);
  kfix::LoadResult full = kfix::LoadManifests(text, "check.yaml");
  const bool loads = full.errors.empty() && full.manifests.size() == 1 && full.manifests[0].root == after;
  INFO("new text:\n" << text);
  if (local) CHECK(loads);
  return local;
}

}  // namespace

TEST_CASE("local check: new members at the end of a nested mapping") {
  const std::string o = "a: 1\nm:\n  x: 1   # kept\n\nz: 2\n";
  const std::size_t end_of_m = At(o, "# kept\n") + 7;
  CHECK(Local(o, {Insert(end_of_m, "  y: 2\n", "/m", EditAt::kEnd)}, Obj("a: 1\nm: {x: 1, y: 2}\nz: 2\n")));
}

TEST_CASE("local check: new members at the ends of a mapping and of its parent, at one place") {
  const std::string o = "s:\n  n: 2\n  m:\n    a: 1\nt: 1\n";
  const std::size_t p = At(o, "t: 1");
  CHECK(Local(o, {Insert(p, "    b: 1\n", "/s/m", EditAt::kEnd), Insert(p, "  z: 3\n", "/s", EditAt::kEnd)},
              Obj("s: {n: 2, m: {a: 1, b: 1}, z: 3}\nt: 1\n")));
}

TEST_CASE("local check: a line at the parent's column lands between the parent's children") {
  const std::string o = "s:\n  m:\n    a: 1\n  n: 2\n";
  const std::size_t p = At(o, "  n: 2");
  CHECK(Local(o, {Insert(p, "    b: 1\n  z: 3\n", "/s/m", EditAt::kEnd)}, Obj("s: {m: {a: 1, b: 1}, z: 3, n: 2}\n")));
}

TEST_CASE("local check: text that leaves the object's collections before a deeper line is not accepted") {
  const std::string o = "s:\n  m:\n    a: 1\n  n: 2\n";
  const std::size_t p = At(o, "  n: 2");
  CHECK_FALSE(Local(o, {Insert(p, "    b: 1\nz: 3\n", "/s/m", EditAt::kEnd)}, Obj("s: {m: {a: 1, b: 1}, n: 2}\nz: 3\n")));
}

TEST_CASE("local check: removed lines whose blank neighbours a `|+` scalar above would take") {
  const std::string o = "a: |+\n  x\n\nb: 1\n\n\nc: 2\n";
  const std::size_t b = At(o, "b: 1");
  CHECK_FALSE(Local(o, {TextEdit{b, b + 5, "", "", EditAt::kInside, 0}}, Obj("a: \"x\\n\\n\"\nc: 2\n")));
}

TEST_CASE("local check: a new line that starts blank after a `|+` scalar") {
  const std::string o = "a: |+\n  x\nb: 1\n";
  CHECK_FALSE(Local(o, {Insert(At(o, "b: 1"), "\nz: 2\n", "", EditAt::kBefore, 1)}, Obj("a: \"x\\n\"\nz: 2\nb: 1\n")));
}

TEST_CASE("local check: a comment-looking line the block scalar above takes as content") {
  const std::string o = "a: |\n  x\nb: 1\n";
  CHECK_FALSE(Local(o, {Insert(At(o, "b: 1"), "  # y\nz: 2\n", "", EditAt::kBefore, 1)},
                    Obj("a: \"x\\n\"\nz: 2\nb: 1\n")));
}

TEST_CASE("local check: new text deeper than its siblings becomes the value above it") {
  const std::string o = "a:\nb: 1\n";
  CHECK_FALSE(Local(o, {Insert(At(o, "b: 1"), "  x: 1\n", "", EditAt::kBefore, 1)}, Obj("a: null\nx: 1\nb: 1\n")));
}

TEST_CASE("local check: an unclosed quote") {
  const std::string o = "m:\n  a: 1\nb: 2\n";
  CHECK_FALSE(Local(o, {Insert(At(o, "b: 2"), "  q: \"x\n", "/m", EditAt::kEnd)}, Obj("m: {a: 1, q: x}\nb: 2\n")));
}

TEST_CASE("local check: documents with anchors and aliases are loaded whole") {
  const std::string o = "a: &x 1\nm:\n  k: *x\n";
  CHECK_FALSE(Local(o, {Insert(o.size(), "  y: 2\n", "/m", EditAt::kEnd)}, Obj("a: 1\nm: {k: 1, y: 2}\n")));
}

TEST_CASE("local check: an edit inside a flow mapping") {
  const std::string o = "a: {x: 1}\nb: 2\n";
  const std::size_t p = At(o, "1}");
  CHECK(Local(o, {TextEdit{p, p + 1, "2", "/a", EditAt::kInside, 0}}, Obj("a: {x: 2}\nb: 2\n")));
}

TEST_CASE("local check: an edit that does not give the expected value") {
  const std::string o = "m:\n  a: 1\nb: 2\n";
  const std::size_t p = At(o, "1\n");
  CHECK_FALSE(Local(o, {TextEdit{p, p + 1, "3", "/m/a", EditAt::kInside, 0}}, Obj("m: {a: 1}\nb: 2\n")));
  CHECK(Local(o, {TextEdit{p, p + 1, "3", "/m/a", EditAt::kInside, 0}}, Obj("m: {a: 3}\nb: 2\n")));
}

TEST_CASE("local check: a new key that repeats one outside the changed lines") {
  const std::string o = "m:\n  a: 1\n  b: 2\n";
  CHECK_FALSE(Local(o, {Insert(o.size(), "  a: 5\n", "/m", EditAt::kEnd)}, Obj("m: {a: 1, b: 2}\n")));
}

TEST_CASE("local check: a sequence item added before another, in an indentless sequence") {
  const std::string o = "spec:\n  list:\n  - a\n  - c\n  other: 1\n";
  CHECK(Local(o, {Insert(At(o, "  - c"), "  - b\n", "/spec/list", EditAt::kBefore, 1)},
              Obj("spec: {list: [a, b, c], other: 1}\n")));
}

TEST_CASE("local check: directives are loaded whole") {
  const std::string o = "%YAML 1.1\n---\nm:\n  a: 1\n";
  CHECK_FALSE(Local(o, {Insert(o.size(), "  b: 2\n", "/m", EditAt::kEnd)}, Obj("m: {a: 1, b: 2}\n")));
}
