// bench_scan: detection throughput next to the raw libyaml event pass.
//
// Input: the shared corpus when present (KFIX_CORPUS_DIR, default
// ../shared/corpus next to the source tree), else a deterministic in-memory
// set of generated Deployments. Benchmarks, all single-threaded unless noted:
//   BM_RawLibyamlEvents   libyaml event loop over the same bytes (the floor)
//   BM_Load               kfix::LoadManifests over every file
//   BM_ScanOnly           RuleSet::Scan (default checks) over preloaded objects
//   BM_LoadAndScan        load + scan, what `kfix scan` does per file set
//   BM_ScanOnlyAllChecks  every built-in check enabled
//   BM_ScanOnlyJobs2      RuleSet::Scan with ScanOptions::jobs = 2
//   BM_ScanPaths/jobs:N   RuleSet::ScanPaths over the directory (walk, read,
//                         load, scan, free), as `kfix scan --jobs N` does
//   BM_ScanReportToJson   the JSON document of the default-check report
//   BM_SchemaValidate     the schema table's strict validation of every object of a
//                         built-in kind (what schema-validation adds to a scan)
// Compare BM_LoadAndScan with BM_RawLibyamlEvents (bytes/s) for the
// "scan <= 2x raw parse" target, and BM_ScanPaths/jobs:1 with /jobs:2 (real
// time) for the "--jobs 2 >= 1.7x" one; both pairs want interleaved
// repetitions on a shared machine (HACKING.md).
#include <benchmark/benchmark.h>
#include <yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/rules.hpp"
#include "rules/k8s_schema_internal.hpp"

namespace {

struct Input {
  std::string dir;  // where the files are on disk (the corpus, or a temporary copy of the generated set)
  std::vector<std::pair<std::string, std::string>> files;  // name, text
  std::size_t bytes = 0;
  std::vector<kfix::Manifest> manifests;
};

std::string Generated(int i) {
  std::string n = std::to_string(i);
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app" + n +
         "\n  namespace: ns" + std::to_string(i % 7) +
         "\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: app" + n +
         "}\n  template:\n    metadata:\n      labels: {app: app" + n +
         "}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.25\n"
         "          ports: [{containerPort: 8080, name: http}]\n"
         "          env: [{name: MODE, value: prod}, {name: API_SECRET, value: x}]\n"
         "          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}\n"
         "          securityContext: {runAsNonRoot: true, readOnlyRootFilesystem: true}\n"
         "        - name: sidecar\n          image: busybox\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app" +
         n + "\nspec:\n  selector: {app: app" + n + "}\n  ports: [{port: 80, targetPort: http}]\n";
}

const Input& GetInput() {
  static const Input input = [] {
    Input in;
    const char* env = std::getenv("KFIX_CORPUS_DIR");
    std::filesystem::path dir = env ? env : std::filesystem::path(KFIX_SOURCE_DIR) / ".." / "shared" / "corpus";
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) {
      in.dir = dir.string();
      std::vector<std::string> paths;
      for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
        std::string ext = e.path().extension().string();
        if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) paths.push_back(e.path().string());
      }
      std::sort(paths.begin(), paths.end());
      for (const std::string& p : paths) {
        std::ifstream f(p, std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        in.files.emplace_back(p, ss.str());
      }
    } else {
      std::filesystem::path tmp = std::filesystem::temp_directory_path() / "kfix-bench-scan";
      std::filesystem::create_directories(tmp, ec);
      in.dir = tmp.string();
      for (int i = 0; i < 2000; ++i) {
        std::string name = (tmp / ("gen" + std::to_string(i) + ".yaml")).string();
        in.files.emplace_back(name, Generated(i));
        std::ofstream(name, std::ios::binary) << in.files.back().second;
      }
    }
    for (const auto& [name, text] : in.files) {
      in.bytes += text.size();
      kfix::LoadResult r = kfix::LoadManifests(text, name);
      for (auto& m : r.manifests) in.manifests.push_back(std::move(m));
    }
    return in;
  }();
  return input;
}

std::shared_ptr<const kfix::RuleSet> MakeRules(bool all) {
  kfix::RulesConfig cfg;
  cfg.add_all_built_in = all;
  auto rs = kfix::RuleSet::Create(cfg);
  if (!rs.ok()) std::abort();
  return *rs;
}

void Finish(benchmark::State& state, const Input& in) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(in.bytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(in.manifests.size()));
  state.counters["files"] = static_cast<double>(in.files.size());
}

void BM_RawLibyamlEvents(benchmark::State& state) {
  const Input& in = GetInput();
  for (auto _ : state) {
    std::size_t events = 0;
    for (const auto& [name, text] : in.files) {
      yaml_parser_t p;
      yaml_parser_initialize(&p);
      yaml_parser_set_input_string(&p, reinterpret_cast<const unsigned char*>(text.data()), text.size());
      for (;;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e)) break;
        bool end = e.type == YAML_STREAM_END_EVENT;
        ++events;
        yaml_event_delete(&e);
        if (end) break;
      }
      yaml_parser_delete(&p);
    }
    benchmark::DoNotOptimize(events);
  }
  Finish(state, in);
}
BENCHMARK(BM_RawLibyamlEvents)->Unit(benchmark::kMillisecond);

void BM_Load(benchmark::State& state) {
  const Input& in = GetInput();
  for (auto _ : state) {
    std::size_t n = 0;
    for (const auto& [name, text] : in.files) n += kfix::LoadManifests(text, name).manifests.size();
    benchmark::DoNotOptimize(n);
  }
  Finish(state, in);
}
BENCHMARK(BM_Load)->Unit(benchmark::kMillisecond);

void BM_ScanOnly(benchmark::State& state) {
  const Input& in = GetInput();
  auto rules = MakeRules(false);
  for (auto _ : state) benchmark::DoNotOptimize(rules->Scan(in.manifests).findings.size());
  Finish(state, in);
}
BENCHMARK(BM_ScanOnly)->Unit(benchmark::kMillisecond);

void BM_ScanOnlyAllChecks(benchmark::State& state) {
  const Input& in = GetInput();
  auto rules = MakeRules(true);
  for (auto _ : state) benchmark::DoNotOptimize(rules->Scan(in.manifests).findings.size());
  Finish(state, in);
}
BENCHMARK(BM_ScanOnlyAllChecks)->Unit(benchmark::kMillisecond);

void BM_SchemaValidate(benchmark::State& state) {
  namespace k8s = kfix::internal::k8s;
  const Input& in = GetInput();
  std::vector<std::pair<const kfix::Value*, const k8s::StructDef*>> known;
  for (const kfix::Manifest& m : in.manifests) {
    const kfix::Value* av = m.root.Find("apiVersion");
    const kfix::Value* kind = m.root.Find("kind");
    if (!av || !kind || !av->is_string() || !kind->is_string()) continue;
    if (const k8s::StructDef* d = k8s::FindKind(av->as_string(), kind->as_string())) known.emplace_back(&m.root, d);
  }
  for (auto _ : state) {
    std::size_t errors = 0;
    for (const auto& [root, def] : known) errors += k8s::Validate(*root, *def, /*strict=*/true).size();
    benchmark::DoNotOptimize(errors);
  }
  Finish(state, in);
  state.counters["validated"] = static_cast<double>(known.size());
}
BENCHMARK(BM_SchemaValidate)->Unit(benchmark::kMillisecond);

void BM_ScanOnlyJobs2(benchmark::State& state) {
  const Input& in = GetInput();
  auto rules = MakeRules(false);
  kfix::ScanOptions opts;
  opts.jobs = 2;
  for (auto _ : state) benchmark::DoNotOptimize(rules->Scan(in.manifests, opts).findings.size());
  Finish(state, in);
}
BENCHMARK(BM_ScanOnlyJobs2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_LoadAndScan(benchmark::State& state) {
  const Input& in = GetInput();
  auto rules = MakeRules(false);
  for (auto _ : state) {
    std::vector<kfix::Manifest> objs;
    for (const auto& [name, text] : in.files) {
      kfix::LoadResult r = kfix::LoadManifests(text, name);
      for (auto& m : r.manifests) objs.push_back(std::move(m));
    }
    benchmark::DoNotOptimize(rules->Scan(objs).findings.size());
  }
  Finish(state, in);
}
BENCHMARK(BM_LoadAndScan)->Unit(benchmark::kMillisecond);

void BM_ScanPaths(benchmark::State& state) {
  const Input& in = GetInput();
  auto rules = MakeRules(false);
  kfix::ScanOptions opts;
  opts.jobs = static_cast<int>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(rules->ScanPaths({in.dir}, opts).findings.size());
  Finish(state, in);
}
BENCHMARK(BM_ScanPaths)->ArgName("jobs")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ScanReportToJson(benchmark::State& state) {
  const Input& in = GetInput();
  auto rules = MakeRules(false);
  const kfix::ScanReport report = rules->Scan(in.manifests);
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out = kfix::ScanReportToJson(report, true, false);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(bytes));
  state.counters["findings"] = static_cast<double>(report.findings.size());
}
BENCHMARK(BM_ScanReportToJson)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
