// RenderPatches: format-preserving write-back. Each case gives the original
// bytes, the patches and the exact expected bytes (checked by hand), and the
// property every render must hold: the result loads to the patched objects,
// and the original bytes it removes lie inside the nodes the patch touches.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kfix/core.hpp"

namespace {

kfix::ObjectPatch P(const std::string& patch_json, std::int32_t document = 0, std::int32_t item = -1) {
  auto p = kfix::ParsePatch(std::string_view(patch_json));
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return kfix::ObjectPatch{document, item, std::move(*p)};
}

// The property: LoadManifests(rendered) == apply(LoadManifests(original), patches).
void CheckProperty(const std::string& original, const std::vector<kfix::ObjectPatch>& patches,
                   const kfix::RenderedFile& r) {
  kfix::LoadResult before = kfix::LoadManifests(original, "t.yaml");
  kfix::LoadResult after = kfix::LoadManifests(r.text, "t.yaml");
  REQUIRE(after.errors.empty());
  REQUIRE(before.manifests.size() == after.manifests.size());
  for (std::size_t i = 0; i < before.manifests.size(); ++i) {
    kfix::Value want = before.manifests[i].root;
    for (const kfix::ObjectPatch& p : patches) {
      if (p.document == before.manifests[i].document && p.item == before.manifests[i].item) {
        bool refused = false;
        for (const auto& x : r.refused) refused = refused || (x.document == p.document && x.item == p.item);
        if (!refused) REQUIRE(kfix::ApplyPatch(want, p.patch).ok());
      }
    }
    CHECK(after.manifests[i].root == want);
  }
}

std::string Render(const std::string& original, const std::vector<kfix::ObjectPatch>& patches,
                   kfix::RenderedFile* out = nullptr) {
  auto r = kfix::RenderPatches(original, "t.yaml", patches);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CheckProperty(original, patches, *r);
  if (out) *out = *r;
  return r->text;
}

const char* kDeployment =
    "# Web tier, owned by team shop\n"
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata:\n"
    "  name: web\n"
    "  labels: {app: web}   # flow\n"
    "spec:\n"
    "  template:\n"
    "    spec:\n"
    "      containers:\n"
    "      - name: web\n"
    "        image: \"nginx:1.25.3\"   # pinned\n"
    "\n"
    "        ports:\n"
    "        - containerPort: 80\n";

}  // namespace

TEST_CASE("render: an added key lands after its siblings; comments, quotes and flow style stay") {
  kfix::RenderedFile r;
  std::string got = Render(kDeployment,
                           {P(R"([{"op":"add","path":"/spec/template/spec/containers/0/securityContext",
                                  "value":{"readOnlyRootFilesystem":true}}])")},
                           &r);
  CHECK(got == std::string(kDeployment) +
                   "        securityContext:\n"
                   "          readOnlyRootFilesystem: true\n");
  CHECK(r.changed);
  CHECK(r.replaced.empty());
  CHECK(r.notes.empty());
}

TEST_CASE("render: a flow mapping stays flow, a quoted scalar keeps its quotes") {
  std::string got = Render(kDeployment, {P(R"([{"op":"add","path":"/metadata/labels/tier","value":"front"},
                                              {"op":"replace","path":"/spec/template/spec/containers/0/image",
                                               "value":"nginx:1.25.4"}])")});
  std::string want = kDeployment;
  want.replace(want.find("{app: web}"), 10, "{app: web, tier: front}");
  want.replace(want.find("\"nginx:1.25.3\""), 14, "\"nginx:1.25.4\"");
  CHECK(got == want);
}

TEST_CASE("render: four-space indentation and indented sequences are followed") {
  const std::string in =
      "apiVersion: v1\n"
      "kind: Pod\n"
      "metadata:\n"
      "    name: p\n"
      "spec:\n"
      "    containers:\n"
      "      - name: a\n"
      "        image: x\n";
  std::string got = Render(in, {P(R"([{"op":"add","path":"/spec/containers/0/resources",
                                        "value":{"limits":{"cpu":"1"}}},
                                       {"op":"add","path":"/spec/volumes","value":[{"name":"v","emptyDir":{}}]}])")});
  CHECK(got == in +
                   "        resources:\n"
                   "            limits:\n"
                   "                cpu: \"1\"\n"
                   "    volumes:\n"
                   "      - name: v\n"
                   "        emptyDir: {}\n");
}

TEST_CASE("render: replace and remove touch only their nodes") {
  const std::string in =
      "kind: Pod\n"
      "spec:\n"
      "  hostNetwork: true   # needed?\n"
      "  # keep me\n"
      "  hostPID: true\n"
      "  containers:\n"
      "  - name: a\n"
      "    securityContext:\n"
      "      privileged: yes   # old style\n";
  kfix::RenderedFile r;
  std::string got = Render(in,
                           {P(R"([{"op":"remove","path":"/spec/hostNetwork"},
                                  {"op":"replace","path":"/spec/containers/0/securityContext/privileged","value":false}])")},
                           &r);
  CHECK(got ==
        "kind: Pod\n"
        "spec:\n"
        "  # keep me\n"
        "  hostPID: true\n"
        "  containers:\n"
        "  - name: a\n"
        "    securityContext:\n"
        "      privileged: false   # old style\n");
  REQUIRE(r.replaced.size() == 2);
  CHECK(in.substr(r.replaced[0].first, r.replaced[0].second - r.replaced[0].first) == "  hostNetwork: true   # needed?\n");
  CHECK(in.substr(r.replaced[1].first, r.replaced[1].second - r.replaced[1].first) == "yes");
}

TEST_CASE("render: documents, separators, `...`, CRLF and a BOM are kept") {
  const std::string in =
      "\xEF\xBB\xBF# first\r\n"
      "kind: A\r\n"
      "spec:\r\n"
      "  a: 1\r\n"
      "...\r\n"
      "---\r\n"
      "kind: B\r\n"
      "spec:\r\n"
      "  b: 'x'\r\n";
  std::string got = Render(in, {P(R"([{"op":"replace","path":"/spec/b","value":"it's"},
                                       {"op":"add","path":"/spec/c","value":[1,2]}])", 1)});
  CHECK(got ==
        "\xEF\xBB\xBF# first\r\n"
        "kind: A\r\n"
        "spec:\r\n"
        "  a: 1\r\n"
        "...\r\n"
        "---\r\n"
        "kind: B\r\n"
        "spec:\r\n"
        "  b: 'it''s'\r\n"
        "  c:\r\n"
        "  - 1\r\n"
        "  - 2\r\n");
}

TEST_CASE("render: a file without a final newline") {
  std::string got = Render("kind: A\nspec:\n  a: 1", {P(R"([{"op":"add","path":"/spec/b","value":2}])")});
  CHECK(got == "kind: A\nspec:\n  a: 1\n  b: 2");
}

TEST_CASE("render: block scalars keep their style") {
  const std::string in =
      "kind: ConfigMap\n"
      "data:\n"
      "  script: |\n"
      "    echo one\n"
      "    echo two\n"
      "\n"
      "  other: >\n"
      "    folded\n"
      "    text\n";
  std::string got = Render(in, {P(R"([{"op":"replace","path":"/data/script","value":"echo three\n"},
                                       {"op":"add","path":"/data/new","value":"v"}])")});
  CHECK(got ==
        "kind: ConfigMap\n"
        "data:\n"
        "  script: |\n"
        "    echo three\n"
        "\n"
        "  other: >\n"
        "    folded\n"
        "    text\n"
        "  new: v\n");
}

TEST_CASE("render: an edit at an alias expands that alias only") {
  const std::string in =
      "kind: Pod\n"
      "x-sc: &sc {runAsNonRoot: true}\n"
      "spec:\n"
      "  containers:\n"
      "  - name: a\n"
      "    securityContext: *sc\n"
      "  - name: b\n"
      "    securityContext: *sc\n";
  kfix::RenderedFile r;
  std::string got = Render(
      in, {P(R"([{"op":"add","path":"/spec/containers/0/securityContext/readOnlyRootFilesystem","value":true}])")},
      &r);
  CHECK(got ==
        "kind: Pod\n"
        "x-sc: &sc {runAsNonRoot: true}\n"
        "spec:\n"
        "  containers:\n"
        "  - name: a\n"
        "    securityContext:\n"
        "      runAsNonRoot: true\n"
        "      readOnlyRootFilesystem: true\n"
        "  - name: b\n"
        "    securityContext: *sc\n");
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0].find("expanded alias *sc") != std::string::npos);
}

TEST_CASE("render: an edit inside a shared anchored node is refused, other objects still render") {
  const std::string in =
      "kind: Pod\n"
      "spec:\n"
      "  containers:\n"
      "  - name: a\n"
      "    securityContext: &sc\n"
      "      runAsNonRoot: true\n"
      "  - name: b\n"
      "    securityContext: *sc\n"
      "---\n"
      "kind: Pod\n"
      "spec: {}\n";
  kfix::RenderedFile r;
  std::string got =
      Render(in,
             {P(R"([{"op":"add","path":"/spec/containers/0/securityContext/readOnlyRootFilesystem","value":true}])"),
              P(R"([{"op":"add","path":"/spec/hostPID","value":false}])", 1)},
             &r);
  REQUIRE(r.refused.size() == 1);
  CHECK(r.refused[0].document == 0);
  CHECK(r.refused[0].reason.find("&sc") != std::string::npos);
  CHECK(got == in.substr(0, in.size() - 9) + "spec: {hostPID: false}\n");
}

TEST_CASE("render: an unshared anchor is edited in place and kept") {
  const std::string in = "kind: Pod\nspec: &s\n  a: 1\n";
  CHECK(Render(in, {P(R"([{"op":"add","path":"/spec/b","value":2}])")}) == in + "  b: 2\n");
}

TEST_CASE("render: JSON files stay JSON, pretty or compact") {
  const std::string pretty =
      "{\n"
      "    \"kind\": \"Pod\",\n"
      "    \"spec\": {\n"
      "        \"containers\": [\n"
      "            {\"name\": \"a\"}\n"
      "        ]\n"
      "    }\n"
      "}\n";
  std::string got = Render(pretty, {P(R"([{"op":"add","path":"/spec/hostPID","value":false},
                                           {"op":"add","path":"/spec/containers/0/resources","value":{"limits":{"cpu":"1"}}}])")});
  CHECK(got ==
        "{\n"
        "    \"kind\": \"Pod\",\n"
        "    \"spec\": {\n"
        "        \"containers\": [\n"
        "            {\"name\": \"a\", \"resources\": {\"limits\": {\"cpu\": \"1\"}}}\n"
        "        ],\n"
        "        \"hostPID\": false\n"
        "    }\n"
        "}\n");
  const std::string list = "[{\"kind\":\"Pod\",\"spec\":{}},{\"kind\":\"Pod\",\"spec\":{\"x\":1}}]";
  CHECK(Render(list, {P(R"([{"op":"add","path":"/spec/y","value":"z"}])", 0, 1)}) ==
        "[{\"kind\":\"Pod\",\"spec\":{}},{\"kind\":\"Pod\",\"spec\":{\"x\":1, \"y\": \"z\"}}]");
}

TEST_CASE("render: kind List items are edited inside the list") {
  const std::string in =
      "apiVersion: v1\n"
      "kind: List\n"
      "items:\n"
      "- kind: Pod\n"
      "  spec:\n"
      "    a: 1\n"
      "- kind: Pod\n"
      "  spec:\n"
      "    a: 2\n";
  CHECK(Render(in, {P(R"([{"op":"replace","path":"/spec/a","value":3}])", 0, 1)}) ==
        in.substr(0, in.size() - 2) + "3\n");
}

TEST_CASE("render: sequences: append, remove, flow") {
  const std::string in =
      "kind: Pod\n"
      "spec:\n"
      "  add: [NET_ADMIN, SYS_TIME]\n"
      "  drop:\n"
      "  - NET_RAW   # raw\n"
      "  - CHOWN\n";
  std::string got = Render(in, {P(R"([{"op":"remove","path":"/spec/add/0"},
                                       {"op":"add","path":"/spec/drop/-","value":"ALL"},
                                       {"op":"remove","path":"/spec/drop/1"}])")});
  CHECK(got ==
        "kind: Pod\n"
        "spec:\n"
        "  add: [SYS_TIME]\n"
        "  drop:\n"
        "  - NET_RAW   # raw\n"
        "  - ALL\n");
}

TEST_CASE("render: a scalar replaced by a mapping, a mapping by a scalar") {
  const std::string in = "kind: Pod\nspec:\n  a: x   # c\n  b:\n    c: 1\n";
  CHECK(Render(in, {P(R"([{"op":"replace","path":"/spec/a","value":{"k":"v"}},
                           {"op":"replace","path":"/spec/b","value":"s"}])")}) ==
        "kind: Pod\nspec:\n  a:\n    k: v   # c\n  b: s\n");
}

TEST_CASE("render: merge keys: an override is added next to `<<`") {
  const std::string in = "kind: Pod\nbase: &b {x: 1}\nspec:\n  <<: *b\n  y: 2\n";
  CHECK(Render(in, {P(R"([{"op":"replace","path":"/spec/x","value":5}])")}) ==
        "kind: Pod\nbase: &b {x: 1}\nspec:\n  <<: *b\n  y: 2\n  x: 5\n");
}

TEST_CASE("render: values that need quoting get quotes") {
  const std::string in = "kind: Pod\nspec:\n  a: plain\n";
  CHECK(Render(in, {P(R"([{"op":"replace","path":"/spec/a","value":"true"},
                           {"op":"add","path":"/spec/b","value":"a: b"},
                           {"op":"add","path":"/spec/c","value":"80"}])")}) ==
        "kind: Pod\nspec:\n  a: \"true\"\n  b: \"a: b\"\n  c: \"80\"\n");
}

TEST_CASE("render: errors and no-ops") {
  auto none = kfix::RenderPatches("kind: Pod\n", "t.yaml", {});
  REQUIRE(none.ok());
  CHECK_FALSE(none->changed);
  CHECK(none->text == "kind: Pod\n");
  auto missing = kfix::RenderPatches("kind: Pod\n", "t.yaml", {P(R"([{"op":"add","path":"/a","value":1}])", 3)});
  CHECK(missing.status().code() == kfix::StatusCode::kNotFound);
  auto conflict = kfix::RenderPatches("kind: Pod\n", "t.yaml", {P(R"([{"op":"remove","path":"/nope"}])")});
  CHECK_FALSE(conflict.ok());
  auto bad = kfix::RenderPatches("kind: [\n", "t.yaml", {P(R"([{"op":"add","path":"/a","value":1}])")});
  CHECK(bad.status().code() == kfix::StatusCode::kParseError);
}
