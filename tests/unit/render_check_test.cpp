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

// A region with no line left of its collection's column is loaded on its own,
// moved left by that column; these texts would load differently there.
TEST_CASE("local check: new lines loaded without their ancestors, and those that must not be") {
  const std::string o = "s:\n  m:\n    a: 1\n  n: 2\n";
  const std::size_t p = At(o, "  n: 2");
  CHECK(Local(o, {Insert(p, "    b: |\n      x\n       y\n    c: \"q\n      r\"\n", "/s/m", EditAt::kEnd)},
              Obj("s: {m: {a: 1, b: \"x\\n y\\n\", c: q r}, n: 2}\n")));
  CHECK(Local(o, {Insert(p, "    b:\n    - 1\n    -   - 2\n", "/s/m", EditAt::kEnd)},
              Obj("s: {m: {a: 1, b: [1, [2]]}, n: 2}\n")));
  // `--- b` is a key where it is, a document marker at column 0.
  CHECK(Local(o, {Insert(p, "    --- b: 1\n", "/s/m", EditAt::kEnd)}, Obj("s: {m: {a: 1, \"--- b\": 1}, n: 2}\n")));
  CHECK(Local(o, {Insert(p, "    ... b: 1\n", "/s/m", EditAt::kEnd)}, Obj("s: {m: {a: 1, \"... b\": 1}, n: 2}\n")));
  // A comment left of the collection inside the new lines: loaded with the skeleton.
  CHECK(Local(o, {Insert(p, "    b: 1\n# note\n    c: 2\n", "/s/m", EditAt::kEnd)}, Obj("s: {m: {a: 1, b: 1, c: 2}, n: 2}\n")));
}

TEST_CASE("local check: a member removed after an item's first key (on the `- ` line) is checked with its item") {
  const std::string o = "v:\n- name: a\n  hostPath:\n    path: /a\n  x: 1\n- name: b\n";
  const std::size_t h = At(o, "  hostPath:");
  const std::size_t x = At(o, "  x: 1");
  CHECK(Local(o, {TextEdit{h, x, "", "/v/0", EditAt::kInside, 0}}, Obj("v:\n- {name: a, x: 1}\n- name: b\n")));
  // With a `|+` scalar as that first key's value, which takes the blank lines
  // the removal leaves: the item's lines hold it, and the check sees it.
  const std::string k = "v:\n- name: |+\n    a\n\n  hostPath:\n    path: /a\n\n\n- name: b\n";
  const std::size_t kh = At(k, "  hostPath:");
  const std::size_t kb = At(k, "    path: /a\n") + 13;
  const std::vector<TextEdit> cut{TextEdit{kh, kb, "", "/v/0", EditAt::kInside, 0}};
  CHECK(Local(k, cut, Obj("v:\n- name: \"a\\n\\n\\n\\n\"\n- name: b\n")));
  CHECK_FALSE(Local(k, cut, Obj("v:\n- name: \"a\\n\"\n- name: b\n")));
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

// RenderPatches parses only the collection that holds a fix's changes when it
// can; it must give exactly what the whole-file span pass gives.
namespace {

kfix::ObjectPatch Patch(const std::string& json, std::int32_t document = 0) {
  auto p = kfix::ParsePatch(std::string_view(json));
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return kfix::ObjectPatch{document, -1, std::move(*p)};
}

std::string SameAsWholeSpans(const std::string& original, const std::vector<kfix::ObjectPatch>& patches) {
  auto fast = kfix::RenderPatches(original, "t.yaml", patches);
  auto whole = kfix::internal::RenderPatchesWholeSpans(original, "t.yaml", patches);
  REQUIRE_MESSAGE(fast.ok(), fast.status().ToString());
  REQUIRE_MESSAGE(whole.ok(), whole.status().ToString());
  CHECK(fast->text == whole->text);
  CHECK(fast->notes == whole->notes);
  CHECK(fast->replaced == whole->replaced);
  CHECK(fast->changed == whole->changed);
  CHECK(fast->refused.size() == whole->refused.size());
  return fast->text;
}

// SameAsWholeSpans, and the fast path must take the case (not hand it to the
// whole-file pass).
std::string Fast(const std::string& original, const std::vector<kfix::ObjectPatch>& patches) {
  auto fast = kfix::internal::RenderPatchesSubtreesOnly(original, "t.yaml", patches);
  REQUIRE_MESSAGE(fast.ok(), fast.status().ToString());
  const std::string text = SameAsWholeSpans(original, patches);
  CHECK(fast->text == text);
  return text;
}

// SameAsWholeSpans, and the fast path must hand the case to the whole-file pass.
std::string Whole(const std::string& original, const std::vector<kfix::ObjectPatch>& patches) {
  auto fast = kfix::internal::RenderPatchesSubtreesOnly(original, "t.yaml", patches);
  CHECK(fast.status().code() == kfix::StatusCode::kUnsupported);
  return SameAsWholeSpans(original, patches);
}

const char* kPod =
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata:\n"
    "  name: web   # the web tier\n"
    "spec:\n"
    "  template:\n"
    "    spec:\n"
    "      containers:\n"
    "      - name: web\n"
    "        image: nginx\n"
    "# a comment left of the container\n"
    "        env:\n"
    "        - name: A\n"
    "          value: \"1\"\n"
    "\n"
    "      - name: side\n"
    "        image: busybox\n"
    "      volumes: []\n";

}  // namespace

TEST_CASE("render fast path: one container, two containers, a pod field, a removal") {
  const std::string one = SameAsWholeSpans(
      kPod, {Patch(R"([{"op":"add","path":"/spec/template/spec/containers/0/securityContext",
                       "value":{"runAsNonRoot":true,"capabilities":{"drop":["ALL"]}}}])")});
  CHECK(one.find("        env:\n        - name: A\n          value: \"1\"\n        securityContext:\n"
                 "          runAsNonRoot: true\n") != std::string::npos);
  SameAsWholeSpans(kPod, {Patch(R"([{"op":"add","path":"/spec/template/spec/containers/0/env/-",
                                    "value":{"name":"B","value":"2"}},
                                   {"op":"add","path":"/spec/template/spec/containers/1/resources",
                                    "value":{"limits":{"memory":"64Mi"}}}])")});
  SameAsWholeSpans(kPod, {Patch(R"([{"op":"add","path":"/spec/template/spec/hostNetwork","value":false}])")});
  SameAsWholeSpans(kPod, {Patch(R"([{"op":"remove","path":"/spec/template/spec/containers/0/env"}])")});
  SameAsWholeSpans(kPod, {Patch(R"([{"op":"replace","path":"/spec/template/spec/containers/1/image","value":"b:1"}])")});
  SameAsWholeSpans(kPod, {Patch(R"([{"op":"add","path":"/spec/template/spec/volumes/-","value":{"name":"v"}}])")});
}

TEST_CASE("render fast path: layouts, documents, and texts it must leave to the full pass") {
  // Four-space indentation and indented sequences, learnt from the file.
  SameAsWholeSpans("kind: Pod\nmetadata:\n    name: a\nspec:\n    containers:\n        -   name: a\n"
                   "            image: x\n",
                   {Patch(R"([{"op":"add","path":"/spec/containers/0/resources","value":{"limits":{"cpu":"1"}}}])")});
  // Two documents, one fix each.
  SameAsWholeSpans("kind: Pod\nspec:\n  containers:\n  - name: a\n---\nkind: Pod\nspec:\n  containers:\n  - name: b\n",
                   {Patch(R"([{"op":"add","path":"/spec/containers/0/image","value":"x"}])", 0),
                    Patch(R"([{"op":"add","path":"/spec/containers/0/image","value":"y"}])", 1)});
  // A duplicate key above the edited collection (the full pass re-emits that mapping).
  SameAsWholeSpans("kind: Pod\nspec:\n  containers:\n  - name: a\n  containers:\n  - name: b\n",
                   {Patch(R"([{"op":"add","path":"/spec/containers/0/image","value":"x"}])")});
  // Flow collections above and at the edit, a nested sequence, a block scalar.
  SameAsWholeSpans("kind: Pod\nspec: {containers: [{name: a}]}\n",
                   {Patch(R"([{"op":"add","path":"/spec/containers/0/image","value":"x"}])")});
  SameAsWholeSpans("kind: Pod\nspec:\n  containers: [{name: a}, {name: b}]\n  x: 1\n",
                   {Patch(R"([{"op":"add","path":"/spec/containers/1/image","value":"x"}])")});
  SameAsWholeSpans("kind: Pod\nspec:\n  m:\n  - - a\n    - b\n  - - c\n",
                   {Patch(R"([{"op":"add","path":"/spec/m/0/-","value":"z"}])")});
  SameAsWholeSpans("kind: Pod\nspec:\n  c:\n  - name: a\n    script: |\n      echo 1\n\n      echo 2\n  - name: b\n",
                   {Patch(R"([{"op":"add","path":"/spec/c/0/image","value":"x"}])")});
  // Anchors, tags, tabs, CRLF and non-ASCII text: the full pass.
  SameAsWholeSpans("kind: Pod\nspec:\n  c:\n  - &x {name: a}\n  - *x\n",
                   {Patch(R"([{"op":"add","path":"/spec/c/1/image","value":"x"}])")});
  SameAsWholeSpans("kind: Pod\r\nspec:\r\n  c:\r\n  - name: a\r\n",
                   {Patch(R"([{"op":"add","path":"/spec/c/0/image","value":"x"}])")});
  SameAsWholeSpans("kind: Pod\nspec:\n  c:\n  - name: \xC3\xA9t\xC3\xA9\n",
                   {Patch(R"([{"op":"add","path":"/spec/c/0/image","value":"x"}])")});
}

// The fast path needs a file without anchors, aliases and tags; `*`, `&` and
// `!` inside scalars are none of these.
TEST_CASE("render fast path: `*`, `&` and `!` inside scalars keep it; anchors, aliases and tags do not") {
  const std::string scalars =
      "kind: Pod\n"
      "metadata:\n"
      "  name: a  # not *this, nor &that\n"
      "spec:\n"
      "  containers:\n"
      "  - name: a\n"
      "    command: [\"sh\", \"-c\", \"run 2>&1 && echo '*' done!\"]\n"
      "    args:\n"
      "    - \"*\"\n"
      "    - '*/5 * * * *'\n"
      "    - a&b\n"
      "    - important!\n";
  const auto add = Patch(R"([{"op":"add","path":"/spec/containers/0/image","value":"x"}])");
  CHECK(Fast(scalars, {add}).find("    - important!\n    image: x\n") != std::string::npos);
  // The same scalars next to a real anchor and alias, a tag, a `*` that starts
  // a flow item: the whole-file pass (which finds the alias and leaves it).
  const std::string alias = scalars + "  volumes: &v []\n  ephemeral: *v\n";
  CHECK(Whole(alias, {add}).find("  volumes: &v []\n  ephemeral: *v\n") != std::string::npos);
  Whole(scalars + "  port: !!str 80\n", {add});
  Whole("kind: Pod\nspec:\n  v: &x 1\n  w: [*x]\n  containers:\n  - name: a\n", {add});
  Whole("kind: Pod\nspec:\n  v: &x 1\n  w: {a: *x}\n  containers:\n  - name: a\n", {add});
  Whole("kind: Pod\nspec:\n  containers:\n  - &c\n    name: a\n", {add});
  // Text inside a block scalar that looks like an alias: kept conservative.
  Whole("kind: Pod\nspec:\n  containers:\n  - name: a\n    script: |\n      case $x in\n      *) echo;;\n      esac\n",
        {add});
}

namespace {

const char* kLong =
    "kind: Deployment\n"
    "spec:\n"
    "  template:\n"
    "    spec:\n"
    "      containers:\n"
    "      - name: web\n"
    "        image: nginx\n"
    "        securityContext:\n"
    "          runAsUser: 0\n"
    "        env:   # the environment\n"
    "        - name: A\n"
    "          value: \"1\"\n"
    "        # a comment between items\n"
    "        - name: B\n"
    "          valueFrom:\n"
    "            secretKeyRef: {name: s, key: k}\n"
    "        args:\n"
    "          - --a\n"
    "          - >\n"
    "            folded\n"
    "            text\n"
    "        ports:\n"
    "        - containerPort: 80\n"
    "        resources:\n"
    "          limits:\n"
    "            cpu: \"1\"\n"
    "        volumeMounts:\n"
    "        - name: v\n"
    "          mountPath: /v\n"
    "        - name: w\n"
    "          mountPath: /w\n"
    "      - name: side\n"
    "        image: busybox\n"
    "        env:\n"
    "        - name: C\n"
    "          value: \"3\"\n"
    "      - name: third\n"
    "        image: alpine\n"
    "      volumes:\n"
    "      - name: v\n"
    "        emptyDir: {}\n";

}  // namespace

// The fast path parses the changed collections, the key lines of the
// collections that hold them and the ends it needs (render.cpp's Elider); it
// must give what the whole-file pass gives.
TEST_CASE("render fast path: edits in sibling collections, removals and ends next to what it leaves out") {
  // Two sibling collections of one container, long unchanged members between.
  const std::string two = Fast(
      kLong, {Patch(R"([{"op":"replace","path":"/spec/template/spec/containers/0/securityContext/runAsUser","value":1000},
                        {"op":"add","path":"/spec/template/spec/containers/0/resources/limits/memory","value":"64Mi"}])")});
  CHECK(two.find("          runAsUser: 1000\n        env:   # the environment\n") != std::string::npos);
  CHECK(two.find("            cpu: \"1\"\n            memory: 64Mi\n        volumeMounts:\n") != std::string::npos);
  // A new member after a last member that is a long list (only its end is parsed).
  const std::string end = Fast(
      kLong, {Patch(R"([{"op":"add","path":"/spec/template/spec/containers/0/readOnly","value":true},
                        {"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1"}])")});
  CHECK(end.find("          mountPath: /w\n        readOnly: true\n      - name: side\n") != std::string::npos);
  // Removing a member whose predecessor is a long list or a folded scalar.
  const std::string removed = Fast(
      kLong, {Patch(R"([{"op":"remove","path":"/spec/template/spec/containers/0/ports"},
                        {"op":"remove","path":"/spec/template/spec/containers/0/securityContext"}])")});
  CHECK(removed.find("            text\n        resources:\n") != std::string::npos);
  CHECK(removed.find("        image: nginx\n        env:") != std::string::npos);
  Fast(kLong, {Patch(R"([{"op":"remove","path":"/spec/template/spec/containers/0/resources"}])")});
  // Edits in the first and last containers, an unchanged one between; a pod field too.
  Fast(kLong, {Patch(R"([{"op":"add","path":"/spec/template/spec/containers/0/env/-","value":{"name":"D","value":"4"}},
                         {"op":"add","path":"/spec/template/spec/containers/2/imagePullPolicy","value":"Always"},
                         {"op":"add","path":"/spec/template/spec/hostNetwork","value":false}])")});
  Fast(kLong, {Patch(R"([{"op":"remove","path":"/spec/template/spec/containers/1"}])")});
  Fast(kLong, {Patch(R"([{"op":"replace","path":"/spec/template/spec/containers/0/args/1","value":"other"},
                         {"op":"add","path":"/spec/template/spec/volumes/0/readOnly","value":true}])")});
  // Kept-trailing lines of a block scalar before a removed member, and a
  // member removed after an indentless list.
  Fast("kind: Pod\nspec:\n  containers:\n  - name: a\n    script: |+\n      echo\n\n    ports:\n    - containerPort: 80\n"
       "    env:\n    - name: A\n    image: x\n",
       {Patch(R"([{"op":"remove","path":"/spec/containers/0/ports"},
                  {"op":"remove","path":"/spec/containers/0/image"}])")});
}
