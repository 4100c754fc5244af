// bench_parse: the YAML loader (document model with positions) next to a raw
// libyaml event pass over the same bytes, in the same run, one thread.
//
// Inputs:
//   - a deterministic generated corpus: N Deployments with M containers each;
//   - the real manifest corpus when present: $KFIX_CORPUS, default
//     ${KFIX_SOURCE_DIR}/../shared/corpus (each file loaded as its own stream).
//
// Must-show: LoadYaml time <= 2x the raw libyaml event pass. After the runs the
// binary prints the ratio for each input ("ratio load/raw", from the separate
// runs and from BM_Paired, which interleaves both per file on the thread CPU
// clock and is the robust figure on a busy machine) and MB/s, and before them
// how many corpus files load cleanly vs. yield an error.
#include <benchmark/benchmark.h>
#include <time.h>
#include <yaml.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "kfix/core.hpp"

namespace {

struct Input {
  std::string name;
  std::vector<std::string> files;  // each one stream
  std::size_t bytes = 0;
};

std::string GenerateDeployments(int n, int m) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    const std::string id = std::to_string(i);
    out += "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-" + id +
           "\n  namespace: team-" + std::to_string(i % 7) +
           "\n  labels:\n    app.kubernetes.io/name: app-" + id +
           "\n    app.kubernetes.io/part-of: shop\n  annotations:\n    kfix.io/owner: \"team@example.com\"\n"
           "spec:\n  replicas: " + std::to_string(1 + i % 5) +
           "\n  selector:\n    matchLabels:\n      app: app-" + id +
           "\n  template:\n    metadata:\n      labels:\n        app: app-" + id +
           "\n    spec:\n      serviceAccountName: sa-" + id +
           "\n      securityContext:\n        runAsNonRoot: true\n        fsGroup: 2000\n      containers:\n";
    for (int c = 0; c < m; ++c) {
      const std::string cid = std::to_string(c);
      out += "      - name: c" + cid + "\n        image: registry.example.com/shop/svc-" + cid + ":1." + id +
             ".0\n        imagePullPolicy: IfNotPresent\n        args: [\"--port=8080\", \"--verbose\"]\n"
             "        ports:\n        - containerPort: 8080\n          protocol: TCP\n"
             "        env:\n        - name: LOG_LEVEL\n          value: info\n        - name: FEATURE_X\n"
             "          value: \"yes\"\n        resources:\n          requests:\n            cpu: 100m\n"
             "            memory: 128Mi\n          limits:\n            cpu: \"1\"\n            memory: 256Mi\n"
             "        securityContext:\n          readOnlyRootFilesystem: true\n"
             "          allowPrivilegeEscalation: false\n          capabilities:\n            drop: [ALL]\n"
             "        readinessProbe:\n          httpGet: {path: /healthz, port: 8080}\n"
             "          initialDelaySeconds: 5\n          periodSeconds: 10\n";
    }
  }
  return out;
}

std::string CorpusDir() {
  if (const char* env = std::getenv("KFIX_CORPUS")) return env;
  return std::string(KFIX_SOURCE_DIR) + "/../shared/corpus";
}

Input LoadCorpus() {
  Input in;
  in.name = "corpus";
  std::error_code ec;
  if (!std::filesystem::is_directory(CorpusDir(), ec)) return in;
  kfix::Result<std::vector<std::string>> paths = kfix::ExpandPaths({CorpusDir()});
  if (!paths.ok()) return in;
  for (const std::string& p : *paths) {
    kfix::Result<std::string> text = kfix::ReadFileToString(p);
    if (!text.ok()) continue;
    in.bytes += text->size();
    in.files.push_back(std::move(*text));
  }
  return in;
}

Input& Generated() {
  static Input in = [] {
    Input i;
    i.name = "generated";
    i.files.push_back(GenerateDeployments(500, 4));
    i.bytes = i.files[0].size();
    return i;
  }();
  return in;
}

Input& Corpus() {
  static Input in = LoadCorpus();
  return in;
}

// Raw libyaml: parse every event, touch the scalar bytes, nothing else.
std::size_t RawEventPass(const std::string& text) {
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  yaml_event_t e;
  std::size_t n = 0;
  for (;;) {
    if (!yaml_parser_parse(&parser, &e)) break;
    const bool end = e.type == YAML_STREAM_END_EVENT;
    if (e.type == YAML_SCALAR_EVENT) n += e.data.scalar.length;
    ++n;
    yaml_event_delete(&e);
    if (end) break;
  }
  yaml_parser_delete(&parser);
  return n;
}

void BM_RawLibyaml(benchmark::State& state, Input* (*get)()) {
  Input& in = *get();
  if (in.files.empty()) {
    state.SkipWithError("input not available");
    return;
  }
  for (auto _ : state) {
    for (const std::string& f : in.files) benchmark::DoNotOptimize(RawEventPass(f));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(in.bytes));
}

void BM_LoadYaml(benchmark::State& state, Input* (*get)()) {
  Input& in = *get();
  if (in.files.empty()) {
    state.SkipWithError("input not available");
    return;
  }
  for (auto _ : state) {
    for (const std::string& f : in.files) {
      kfix::LoadResult r = kfix::LoadYaml(f, "bench.yaml");
      benchmark::DoNotOptimize(r.manifests.data());
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(in.bytes));
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Paired: for each file, the raw pass and the load back to back, each timed on
// the thread CPU clock. Interleaving makes the ratio robust to other load on
// the machine. Counters: raw_s, load_s (per iteration), ratio = load/raw.
void BM_Paired(benchmark::State& state, Input* (*get)()) {
  Input& in = *get();
  if (in.files.empty()) {
    state.SkipWithError("input not available");
    return;
  }
  double raw = 0;
  double load = 0;
  for (auto _ : state) {
    for (const std::string& f : in.files) {
      const double t0 = ThreadCpuSeconds();
      benchmark::DoNotOptimize(RawEventPass(f));
      const double t1 = ThreadCpuSeconds();
      {
        kfix::LoadResult r = kfix::LoadYaml(f, "bench.yaml");
        benchmark::DoNotOptimize(r.manifests.data());
      }
      const double t2 = ThreadCpuSeconds();
      raw += t1 - t0;
      load += t2 - t1;
    }
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["raw_ms"] = raw / n * 1e3;
  state.counters["load_ms"] = load / n * 1e3;
  state.counters["ratio"] = raw > 0 ? load / raw : 0;
  state.counters["load_MBps"] = load > 0 ? static_cast<double>(in.bytes) * n / load / 1e6 : 0;
  state.counters["raw_MBps"] = raw > 0 ? static_cast<double>(in.bytes) * n / raw / 1e6 : 0;
}

Input* GetGenerated() { return &Generated(); }
Input* GetCorpus() { return &Corpus(); }

BENCHMARK_CAPTURE(BM_RawLibyaml, generated, &GetGenerated)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LoadYaml, generated, &GetGenerated)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RawLibyaml, corpus, &GetCorpus)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LoadYaml, corpus, &GetCorpus)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Paired, generated, &GetGenerated)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Paired, corpus, &GetCorpus)->Unit(benchmark::kMillisecond);

// Console reporter that also prints load/raw ratios at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred || r.iterations == 0) continue;
      times_[r.benchmark_name()] = r.GetAdjustedCPUTime();
      const auto it = r.counters.find("bytes_per_second");
      if (it != r.counters.end()) mbps_[r.benchmark_name()] = it->second.value / 1e6;
      const auto ratio = r.counters.find("ratio");
      if (ratio != r.counters.end()) {
        paired_.push_back(r.benchmark_name() + ": ratio load/raw " + Fixed(ratio->second.value) + " (raw " +
                          Fixed(r.counters.at("raw_MBps").value) + " MB/s, load " +
                          Fixed(r.counters.at("load_MBps").value) + " MB/s)");
      }
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    for (const char* input : {"generated", "corpus"}) {
      const std::string raw = std::string("BM_RawLibyaml/") + input;
      const std::string load = std::string("BM_LoadYaml/") + input;
      if (!times_.count(raw) || !times_.count(load)) continue;
      std::printf("ratio load/raw CPU time (%s): %.2f  (raw %.1f MB/s, load %.1f MB/s)\n", input, times_[load] / times_[raw],
                  mbps_[raw], mbps_[load]);
    }
    for (const std::string& p : paired_) std::printf("%s\n", p.c_str());
  }

 private:
  std::map<std::string, double> times_;
  std::map<std::string, double> mbps_;
  std::vector<std::string> paired_;

  static std::string Fixed(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
  }
};

void PrintCorpusSummary() {
  Input& in = Corpus();
  if (in.files.empty()) {
    std::printf("corpus: not found at %s (set KFIX_CORPUS)\n", CorpusDir().c_str());
    return;
  }
  std::size_t clean = 0;
  std::size_t with_errors = 0;
  std::size_t manifests = 0;
  std::size_t warnings = 0;
  for (const std::string& f : in.files) {
    kfix::LoadResult r = kfix::LoadYaml(f, "corpus.yaml");
    manifests += r.manifests.size();
    warnings += r.warnings.size();
    (r.errors.empty() ? clean : with_errors)++;
  }
  std::printf("corpus: %zu files, %.1f MB; %zu load cleanly, %zu yield an error; %zu objects, %zu warnings\n",
              in.files.size(), static_cast<double>(in.bytes) / 1e6, clean, with_errors, manifests, warnings);
  std::printf("generated: %.1f MB\n", static_cast<double>(Generated().bytes) / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  PrintCorpusSummary();
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
