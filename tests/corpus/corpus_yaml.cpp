// corpus.yaml: every corpus file loads without a crash; each failure carries
// file and line; every loaded object round-trips through ToYaml. Prints a
// one-line summary (files, clean, with errors, objects).
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "kfix/core.hpp"

namespace {

bool HasNaN(const kfix::Value& v) {
  if (v.is_double()) return std::isnan(v.as_double());
  if (v.is_array()) {
    for (const kfix::Value& x : v.as_array()) {
      if (HasNaN(x)) return true;
    }
  }
  if (v.is_object()) {
    for (const kfix::Member& m : v.as_object()) {
      if (HasNaN(m.value)) return true;
    }
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: corpus_yaml DIR\n");
    return 2;
  }
  kfix::Result<std::vector<std::string>> paths = kfix::ExpandPaths({argv[1]});
  if (!paths.ok()) {
    std::fprintf(stderr, "%s\n", paths.status().ToString().c_str());
    return 1;
  }
  int failures = 0;
  std::size_t clean = 0;
  std::size_t with_errors = 0;
  std::size_t objects = 0;
  for (const std::string& path : *paths) {
    kfix::LoadResult r = kfix::LoadFile(path);
    objects += r.manifests.size();
    (r.errors.empty() ? clean : with_errors)++;
    for (const kfix::Status& e : r.errors) {
      std::printf("error: %s\n", e.ToString(true).c_str());
      if (e.location().file != path || e.location().line <= 0) {
        std::printf("FAIL: error without file+line: %s\n", e.ToString(true).c_str());
        ++failures;
      }
    }
    for (const kfix::Manifest& m : r.manifests) {
      if (m.root.line() <= 0) {
        std::printf("FAIL: %s doc %d: object without a position\n", path.c_str(), m.document);
        ++failures;
      }
      if (HasNaN(m.root)) continue;  // NaN != NaN; covered by unit tests
      kfix::Result<kfix::Value> back = kfix::ParseYaml(kfix::ToYaml(m.root));
      if (!back.ok() || !(*back == m.root)) {
        std::printf("FAIL: %s doc %d: ToYaml round trip differs%s%s\n", path.c_str(), m.document,
                    back.ok() ? "" : ": ", back.ok() ? "" : back.status().ToString().c_str());
        ++failures;
      }
    }
  }
  std::printf("corpus: %zu files, %zu load cleanly, %zu yield an error, %zu objects, %d check failures\n",
              paths->size(), clean, with_errors, objects, failures);
  if (paths->empty()) {
    std::printf("FAIL: no files found\n");
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
