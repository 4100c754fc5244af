// The CEL evaluator (src/rules/cel/): the conformance table of docs/cel.md
// (read from the page, so the page and the behaviour cannot drift apart),
// positions, limits and the kube-linter binding options.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "kfix/core.hpp"
#include "rules/cel/cel_internal.hpp"

using kfix::internal::CelCompileOptions;
using kfix::internal::CelLimits;
using kfix::internal::CelProgram;
using kfix::internal::CelVal;

namespace {

std::string ReadDoc() {
  std::ifstream in(std::string(KFIX_SOURCE_DIR) + "/docs/cel.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Row {
  int line;
  std::string expression;
  std::string expected;
};

// The first two backticked cells of each table row after "## Conformance table".
std::vector<Row> TableRows(const std::string& doc) {
  std::vector<Row> rows;
  std::istringstream in(doc.substr(doc.find("## Conformance table")));
  std::string line;
  int n = 0;
  const int base = static_cast<int>(std::count(doc.begin(), doc.begin() + static_cast<long>(doc.find("## Conformance table")), '\n'));
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("| `", 0) != 0) continue;
    // Split on '|' not preceded by a backslash.
    std::vector<std::string> cells;
    std::string cur;
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '|' && line[i - 1] != '\\') {
        cells.push_back(cur);
        cur.clear();
      } else {
        cur.push_back(line[i]);
      }
    }
    REQUIRE(cells.size() >= 2);
    auto code = [](std::string c) {
      const auto a = c.find('`');
      const auto b = c.rfind('`');
      REQUIRE(a != std::string::npos);
      REQUIRE(b > a);
      c = c.substr(a + 1, b - a - 1);
      std::string out;
      for (std::size_t i = 0; i < c.size(); ++i) {
        if (c[i] == '\\' && i + 1 < c.size() && c[i + 1] == '|') continue;  // markdown's \|
        out.push_back(c[i]);
      }
      return out;
    };
    rows.push_back({base + n, code(cells[0]), code(cells[1])});
  }
  return rows;
}

std::shared_ptr<const CelProgram> MustCompile(const std::string& text, CelCompileOptions options = {}) {
  if (options.variables.empty()) options.variables = {"object", "objects"};
  auto p = CelProgram::Compile(text, options);
  REQUIRE_MESSAGE(p.ok(), text << ": " << p.status().message());
  return *p;
}

}  // namespace

TEST_CASE("cel: the conformance table of docs/cel.md") {
  const std::string doc = ReadDoc();
  REQUIRE(!doc.empty());
  const auto env_at = doc.find("```yaml", doc.find("## Environment of the conformance table"));
  REQUIRE(env_at != std::string::npos);
  const auto env_end = doc.find("```", env_at + 7);
  kfix::LoadResult env = kfix::LoadManifests(doc.substr(env_at + 7, env_end - env_at - 7), "cel.md");
  REQUIRE(env.errors.empty());
  REQUIRE(env.manifests.size() == 2);
  std::vector<const kfix::Value*> all;
  for (const auto& m : env.manifests) all.push_back(&m.root);
  const std::vector<std::pair<std::string, CelVal>> bindings = {
      {"object", CelVal::FromValue(env.manifests[0].root)}, {"objects", CelVal::ListOfValues(all)}};

  const std::vector<Row> rows = TableRows(doc);
  CHECK(rows.size() >= 150);
  int errors = 0, compile_errors = 0;
  for (const Row& row : rows) {
    CAPTURE(row.line);
    CAPTURE(row.expression);
    CelCompileOptions options;
    options.variables = {"object", "objects"};
    auto program = CelProgram::Compile(row.expression, options);
    if (row.expected.rfind("compile error: ", 0) == 0) {
      ++compile_errors;
      REQUIRE_MESSAGE(!program.ok(), "compiled, but the table expects: " << row.expected);
      CHECK(program.status().code() == kfix::StatusCode::kInvalidArgument);
      CHECK_MESSAGE(program.status().message().find(row.expected.substr(15)) != std::string::npos,
                    program.status().message());
      continue;
    }
    REQUIRE_MESSAGE(program.ok(), program.status().message());
    CelVal out = (*program)->Evaluate(bindings);
    if (row.expected.rfind("error: ", 0) == 0) {
      ++errors;
      REQUIRE_MESSAGE(out.is_error(), "got " << out.DebugString());
      const std::string text = (*program)->ErrorText(out);
      CHECK_MESSAGE(text.find(row.expected.substr(7)) != std::string::npos, text);
    } else {
      REQUIRE_MESSAGE(!out.is_error(), (*program)->ErrorText(out));
      CHECK(out.DebugString() == row.expected);
    }
  }
  CHECK(errors >= 40);
  CHECK(compile_errors >= 15);
}

TEST_CASE("cel: positions are line:column inside the expression, in code points") {
  auto p = MustCompile("object.metadata.name ==\n  object.metadata.missing");
  kfix::Value obj = *kfix::ParseYaml("metadata: {name: a}");
  CelVal out = p->Evaluate({{"object", CelVal::FromValue(obj)}});
  REQUIRE(out.is_error());
  CHECK(p->ErrorText(out) == "2:19: no such key: missing");

  auto bad = CelProgram::Compile("\"é\" +\n\n   ", {});
  REQUIRE(!bad.ok());
  CHECK(bad.status().message().rfind("3:4: ", 0) == 0);
  auto col = CelProgram::Compile("\"é\" + nope", {});
  REQUIRE(!col.ok());
  CHECK(col.status().message() == "1:7: undeclared reference to 'nope'");
}

TEST_CASE("cel: nesting is bounded when compiling, whatever the shape") {
  for (const std::string& open : {std::string("("), std::string("["), std::string("!"), std::string("-")}) {
    std::string text(500, open[0]);
    text += "1";
    if (open == "(") text += std::string(500, ')');
    if (open == "[") text += std::string(500, ']');
    auto p = CelProgram::Compile(text, {});
    REQUIRE(!p.ok());
    CHECK(p.status().message().find("nested too deeply") != std::string::npos);
  }
  // Long left-associative chains are as deep as they are long.
  std::string chain = "1";
  for (int i = 0; i < 300; ++i) chain += " + 1";
  auto p = CelProgram::Compile(chain, {});
  REQUIRE(!p.ok());
  CHECK(p.status().message().find("nested too deeply") != std::string::npos);
  std::string members = "object";
  for (int i = 0; i < 300; ++i) members += ".a";
  CelCompileOptions o;
  o.variables = {"object"};
  CHECK(!CelProgram::Compile(members, o).ok());
  // 100 levels are fine.
  std::string ok(100, '(');
  ok += "1" + std::string(100, ')');
  CHECK(CelProgram::Compile(ok, {}).ok());
  // Text longer than the limit is refused before parsing.
  CHECK(!CelProgram::Compile(std::string(100001, ' '), {}).ok());
}

TEST_CASE("cel: the cost budget stops runaway evaluations and cannot be absorbed") {
  // 100 x 100 x 100 iterations.
  const std::string big = "[" + [] {
    std::string s;
    for (int i = 0; i < 100; ++i) s += (i ? "," : "") + std::to_string(i);
    return s;
  }() + "]";
  auto p = MustCompile(big + ".all(a, " + big + ".all(b, " + big + ".all(c, a + b + c >= 0)))");
  CelLimits small;
  small.cost_budget = 100000;
  CelVal out = p->Evaluate({}, small);
  REQUIRE(out.is_error());
  CHECK(out.text() == "cost budget of 100000 exceeded");
  // An exhausted budget is not absorbed by || / &&.
  auto q = MustCompile(big + ".all(a, " + big + ".all(b, " + big + ".all(c, a + b + c >= 0))) || true");
  CelVal out2 = q->Evaluate({}, small);
  REQUIRE(out2.is_error());
  CHECK(out2.text().find("cost budget") != std::string::npos);
  // String doubling is charged by size.
  std::string doubling = "[\"0123456789abcdef\"]";
  for (int i = 0; i < 40; ++i) doubling += ".map(x, x + x)";
  auto d = MustCompile(doubling);
  CelVal out3 = d->Evaluate({});
  REQUIRE(out3.is_error());
  CHECK(out3.text().find("cost budget") != std::string::npos);
  // The default budget evaluates ordinary expressions.
  auto fine = MustCompile(big + ".all(a, " + big + ".exists(b, a == b))");
  CelVal out4 = fine->Evaluate({});
  REQUIRE(out4.is_bool());
  CHECK(out4.as_bool());
}

TEST_CASE("cel: lenient has() and JSON numbers for kube-linter checks") {
  kfix::Value obj = *kfix::ParseYaml("spec: {replicas: 3, selector: null}");
  const std::vector<std::pair<std::string, CelVal>> strict_b = {{"object", CelVal::FromValue(obj)}};
  const std::vector<std::pair<std::string, CelVal>> json_b = {{"object", CelVal::FromValue(obj, true)}};
  CelCompileOptions lenient;
  lenient.variables = {"object"};
  lenient.lenient_has = true;
  CelCompileOptions strict;
  strict.variables = {"object"};
  for (const char* e : {"has(object.spec.namespaceSelector.any)", "has(object.spec.selector.matchLabels)",
                        "has(object.status.a.b.c)"}) {
    CAPTURE(e);
    auto l = CelProgram::Compile(e, lenient);
    REQUIRE(l.ok());
    CelVal v = (*l)->Evaluate(strict_b);
    REQUIRE(v.is_bool());
    CHECK(!v.as_bool());
    auto s = CelProgram::Compile(e, strict);
    REQUIRE(s.ok());
    CHECK((*s)->Evaluate(strict_b).is_error());
  }
  auto l = CelProgram::Compile("has(object.spec.replicas)", lenient);
  CHECK((*l)->Evaluate(strict_b).as_bool());
  // Numbers as doubles: type and arithmetic follow.
  auto t = CelProgram::Compile("type(object.spec.replicas) == double && object.spec.replicas == 3", strict);
  CHECK((*t)->Evaluate(json_b).as_bool());
  auto plus = CelProgram::Compile("object.spec.replicas + 1", strict);
  CHECK((*plus)->Evaluate(json_b).is_error());
  CHECK((*plus)->Evaluate(strict_b).as_int() == 4);
}

TEST_CASE("cel: programs are shared across threads") {
  auto p = MustCompile("objects.map(o, o.v * 2).filter(x, x % 3 == 0).size()");
  kfix::Value list = *kfix::ParseYaml("[{v: 1}, {v: 2}, {v: 3}, {v: 6}, {v: 9}]");
  std::vector<const kfix::Value*> refs;
  for (const auto& v : list.as_array()) refs.push_back(&v);
  std::vector<std::int64_t> got(8, -1);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        CelVal v = p->Evaluate({{"objects", CelVal::ListOfValues(refs)}});
        if (v.kind() != CelVal::Kind::kInt) MESSAGE(p->ErrorText(v));
        got[static_cast<std::size_t>(t)] = v.kind() == CelVal::Kind::kInt ? v.as_int() : -2;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (std::int64_t g : got) CHECK(g == 3);
}

TEST_CASE("cel: FirstPathOf and Uses") {
  auto p = MustCompile("size(objects) > 0 && object.spec.template.spec.containers.all(c, has(c.image))");
  CHECK(p->FirstPathOf("object") == std::vector<std::string>{"spec", "template", "spec", "containers"});
  CHECK(p->Uses("objects"));
  auto q = MustCompile("object.metadata.labels[\"app\"] == \"x\"");
  CHECK(q->FirstPathOf("object") == std::vector<std::string>{"metadata", "labels", "app"});
  CHECK(!q->Uses("objects"));
}
