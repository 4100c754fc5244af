// bench_render: what write-back costs next to `kfix fix` over the shared
// corpus (one lint context, one thread, as `kfix fix --jobs 1 CORPUS`).
//
//   BM_FixCorpus     FixPaths over the corpus directory (load, scan, fix, gates)
//   BM_RenderCorpus  for every file with an accepted fix: read it again and
//                    RenderPatches (spans, edits, the reload check), which is
//                    the extra work of --write / --in-place / --diff
//   BM_RenderOnly    the same renders of the same bytes, read before timing:
//                    RenderPatches alone, what callgrind counts with
//                    --toggle-collect='kfix::RenderPatches*'
//
// The figures to read: BM_RenderOnly / BM_FixCorpus (rendering) and
// BM_RenderCorpus / BM_FixCorpus (rendering and reading the files again);
// benchmarks/render_share.py runs them interleaved and prints both
// (docs/performance.md, write-back). KFIX_CORPUS points elsewhere.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kfix/pipeline.hpp"
#include "kfix/rules.hpp"

namespace fs = std::filesystem;

namespace {

std::string CorpusDir() {
  const char* env = std::getenv("KFIX_CORPUS");
  fs::path root = env ? fs::path(env) : fs::path(KFIX_SOURCE_DIR) / ".." / "shared" / "corpus";
  std::error_code ec;
  return fs::is_directory(root, ec) ? root.string() : std::string();
}

std::shared_ptr<const kfix::RuleSet> Rules() {
  static auto rules = kfix::RuleSet::Create(kfix::RulesConfig{});
  return rules.ok() ? *rules : nullptr;
}

struct Fixed {
  kfix::FixReport report;
  std::map<std::string, std::vector<kfix::ObjectPatch>> by_file;
  std::map<std::string, std::vector<const kfix::Manifest*>> objects;
  std::map<std::string, std::string> texts;  // the files' bytes, read once
};

const Fixed& GetFixed() {
  static const Fixed* fixed = [] {
    auto* f = new Fixed();
    const std::string dir = CorpusDir();
    if (dir.empty()) return f;
    f->report = kfix::FixPaths({dir}, Rules(), kfix::FixConfig{});
    for (const kfix::ObjectFix& o : f->report.objects) {
      if (!o.accepted) continue;
      const kfix::Manifest& m = f->report.manifests[o.object_index];
      kfix::ObjectPatch p;
      p.document = m.document;
      p.item = m.item;
      p.patch = o.patch;
      p.object = &m.root;
      f->by_file[m.file].push_back(std::move(p));
    }
    for (const kfix::Manifest& m : f->report.manifests) {
      if (f->by_file.count(m.file)) f->objects[m.file].push_back(&m);
    }
    for (const auto& [file, patches] : f->by_file) {
      auto text = kfix::ReadFileToString(file);
      if (text.ok()) f->texts[file] = std::move(*text);
    }
    return f;
  }();
  return *fixed;
}

void BM_FixCorpus(benchmark::State& state) {
  const std::string dir = CorpusDir();
  if (dir.empty()) {
    state.SkipWithError("corpus not found (set KFIX_CORPUS)");
    return;
  }
  for (auto _ : state) {
    kfix::FixReport r = kfix::FixPaths({dir}, Rules(), kfix::FixConfig{});
    benchmark::DoNotOptimize(r.objects.size());
  }
}
BENCHMARK(BM_FixCorpus)->Unit(benchmark::kMillisecond);

void BM_RenderCorpus(benchmark::State& state) {
  const Fixed& f = GetFixed();
  if (f.by_file.empty()) {
    state.SkipWithError("corpus not found (set KFIX_CORPUS)");
    return;
  }
  std::int64_t files = 0;
  for (auto _ : state) {
    for (const auto& [file, patches] : f.by_file) {
      auto text = kfix::ReadFileToString(file);
      if (!text.ok()) continue;
      kfix::RenderOptions ro;
      ro.objects = &f.objects.at(file);
      auto r = kfix::RenderPatches(*text, file, patches, ro);
      benchmark::DoNotOptimize(r.ok());
      ++files;
    }
  }
  state.counters["files"] = static_cast<double>(f.by_file.size());
}
BENCHMARK(BM_RenderCorpus)->Unit(benchmark::kMillisecond);

void BM_RenderOnly(benchmark::State& state) {
  const Fixed& f = GetFixed();
  if (f.by_file.empty()) {
    state.SkipWithError("corpus not found (set KFIX_CORPUS)");
    return;
  }
  for (auto _ : state) {
    for (const auto& [file, text] : f.texts) {
      kfix::RenderOptions ro;
      ro.objects = &f.objects.at(file);
      auto r = kfix::RenderPatches(text, file, f.by_file.at(file), ro);
      benchmark::DoNotOptimize(r.ok());
    }
  }
  state.counters["files"] = static_cast<double>(f.texts.size());
}
BENCHMARK(BM_RenderOnly)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
