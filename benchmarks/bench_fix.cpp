// bench_fix: `kfix fix` over the shared corpus (one thread) against the raw
// libyaml event pass over the same bytes, plus load+scan alone for reference.
// The corpus is read once into memory; set KFIX_CORPUS to point elsewhere.
// Lint contexts as in tests/corpus_fix: one per Helm chart directory, one
// per file elsewhere.
//
//   ./build/benchmarks/bench_fix --benchmark_min_time=1
// The figure to read: BM_FixCorpus time / BM_RawYamlEvents time.
#include <benchmark/benchmark.h>
#include <yaml.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kfix/guard.hpp"
#include "kfix/pipeline.hpp"
#include "kfix/rules.hpp"

namespace fs = std::filesystem;

namespace {

struct Corpus {
  std::vector<std::vector<std::pair<std::string, std::string>>> contexts;  // (name, text)
  std::size_t bytes = 0;
};

const Corpus& GetCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus();
    const char* env = std::getenv("KFIX_CORPUS");
    fs::path root = env ? fs::path(env) : fs::path(KFIX_SOURCE_DIR) / ".." / "shared" / "corpus";
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return c;
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> groups;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (!e.is_regular_file()) continue;
      std::string ext = e.path().extension().string();
      if (ext != ".yaml" && ext != ".yml") continue;
      fs::path rel = e.path().lexically_relative(root);
      std::string key = (rel.begin() != rel.end() && *rel.begin() == "artifacthub") ? e.path().parent_path().string()
                                                                                   : e.path().string();
      auto text = kfix::ReadFileToString(e.path().string());
      if (!text.ok()) continue;
      c->bytes += text->size();
      groups[key].emplace_back(e.path().string(), std::move(*text));
    }
    for (auto& [k, v] : groups) c->contexts.push_back(std::move(v));
    return c;
  }();
  return *corpus;
}

std::shared_ptr<const kfix::RuleSet> Rules() {
  static auto rules = kfix::RuleSet::Create(kfix::RulesConfig{});
  return rules.ok() ? *rules : nullptr;
}

void BM_RawYamlEvents(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  if (c.contexts.empty()) {
    state.SkipWithError("corpus not found (set KFIX_CORPUS)");
    return;
  }
  std::int64_t events = 0;
  for (auto _ : state) {
    for (const auto& ctx : c.contexts) {
      for (const auto& [name, text] : ctx) {
        yaml_parser_t parser;
        yaml_parser_initialize(&parser);
        yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
        yaml_event_t ev;
        for (;;) {
          if (!yaml_parser_parse(&parser, &ev)) break;
          bool end = ev.type == YAML_STREAM_END_EVENT;
          yaml_event_delete(&ev);
          ++events;
          if (end) break;
        }
        yaml_parser_delete(&parser);
      }
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(c.bytes));
  state.counters["events"] = static_cast<double>(events) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_RawYamlEvents)->Unit(benchmark::kMillisecond);

void BM_LoadAndScan(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  auto rules = Rules();
  if (c.contexts.empty() || !rules) {
    state.SkipWithError("corpus or rules missing");
    return;
  }
  std::int64_t findings = 0;
  for (auto _ : state) {
    for (const auto& ctx : c.contexts) {
      std::vector<kfix::Manifest> objects;
      for (const auto& [name, text] : ctx) {
        kfix::LoadResult lr = kfix::LoadManifests(text, name);
        for (auto& m : lr.manifests) objects.push_back(std::move(m));
      }
      findings += static_cast<std::int64_t>(rules->Scan(objects).findings.size());
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(c.bytes));
  state.counters["findings"] = static_cast<double>(findings) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_LoadAndScan)->Unit(benchmark::kMillisecond);

void BM_FixCorpus(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  auto rules = Rules();
  if (c.contexts.empty() || !rules) {
    state.SkipWithError("corpus or rules missing");
    return;
  }
  const kfix::FixConfig config;
  std::int64_t accepted = 0;
  for (auto _ : state) {
    for (const auto& ctx : c.contexts) {
      std::vector<kfix::Manifest> objects;
      for (const auto& [name, text] : ctx) {
        kfix::LoadResult lr = kfix::LoadManifests(text, name);
        for (auto& m : lr.manifests) objects.push_back(std::move(m));
      }
      kfix::FixReport r = kfix::FixObjects(std::move(objects), rules, config);
      accepted += r.summary.accepted;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(c.bytes));
  state.counters["accepted"] = static_cast<double>(accepted) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_FixCorpus)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
