// corpus.stream: per-file streaming over the shared corpus gives the bytes of
// the per-file runs done all at once (scan: json, sarif, text; fix: json),
// for jobs 1 and 2. Exit 0 when every output is identical.
#include <cstdio>
#include <string>
#include <vector>

#include "kfix/engine.hpp"

namespace {

int failures = 0;

void Expect(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "DIFFERENT", what.c_str());
  if (!ok) ++failures;
}

std::string StreamScan(const kfix::Engine& engine, const std::vector<std::string>& paths, kfix::ScanFormat format,
                       int jobs) {
  kfix::ScanWriteOptions wo;
  wo.format = format;
  wo.include_time = false;
  wo.spool_memory = 1u << 16;  // held-back sections through temporary files
  std::string out;
  kfix::ScanReportWriter writer(wo, engine.rules().get(), [&](std::string_view p) {
    out.append(p);
    return true;
  });
  kfix::CallOptions call;
  call.jobs = jobs;
  auto totals = engine.ScanPathsPerFile(
      paths, [&](kfix::FileScanReport&& f) { return writer.Add(f) ? kfix::Status::Ok() : writer.status(); }, call);
  if (!totals.ok() || !writer.Finish(*totals)) {
    std::fprintf(stderr, "streamed scan failed\n");
    ++failures;
  }
  return out;
}

std::string StreamFix(const kfix::Engine& engine, const std::vector<std::string>& paths, int jobs) {
  kfix::FixWriteOptions fo;
  fo.jobs = jobs;
  fo.spool_memory = 1u << 16;
  std::string out;
  kfix::FixReportWriter writer(fo, [&](std::string_view p) {
    out.append(p);
    return true;
  });
  kfix::CallOptions call;
  call.jobs = jobs;
  call.keep_trees = false;
  call.keep_patched = false;
  auto summary = engine.FixPathsPerFile(
      paths, kfix::WriteBackOptions(),
      [&](kfix::FileFixReport&& f) { return writer.Add(f) ? kfix::Status::Ok() : writer.status(); }, call);
  if (!summary.ok() || !writer.Finish(*summary)) {
    std::fprintf(stderr, "streamed fix failed\n");
    ++failures;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: corpus_stream_test CORPUS_DIR\n");
    return 2;
  }
  const std::vector<std::string> paths = {argv[1]};
  auto engine = kfix::Engine::FromText(R"({"scan": {"context": "per-file"}, "checks": {"addAllBuiltIn": true}})");
  if (!engine.ok()) {
    std::fprintf(stderr, "%s\n", engine.status().ToString().c_str());
    return 1;
  }
  for (int jobs : {1, 2}) {
    kfix::CallOptions call;
    call.jobs = jobs;
    auto whole = engine->ScanPaths(paths, call);
    if (!whole.ok()) {
      std::fprintf(stderr, "%s\n", whole.status().ToString().c_str());
      return 1;
    }
    const std::string j = " (jobs " + std::to_string(jobs) + ")";
    Expect(StreamScan(*engine, paths, kfix::ScanFormat::kJson, jobs) == kfix::ScanReportToJson(*whole, true, false),
           "scan json" + j);
    Expect(StreamScan(*engine, paths, kfix::ScanFormat::kSarif, jobs) ==
               kfix::ScanReportToSarif(*whole, *engine->rules()),
           "scan sarif" + j);
    Expect(StreamScan(*engine, paths, kfix::ScanFormat::kText, jobs) == kfix::ScanReportToText(*whole),
           "scan text" + j);
    std::printf("scan: %lld files, %lld findings, %zu errors\n", static_cast<long long>(whole->stats.files),
                static_cast<long long>(whole->stats.findings), whole->errors.size());
  }
  for (int jobs : {1, 2}) {
    kfix::CallOptions call;
    call.jobs = jobs;
    auto whole = engine->FixPaths(paths, call);
    if (!whole.ok()) {
      std::fprintf(stderr, "%s\n", whole.status().ToString().c_str());
      return 1;
    }
    Expect(StreamFix(*engine, paths, jobs) == kfix::FixReportToJson(*whole, true, jobs),
           "fix json (jobs " + std::to_string(jobs) + ")");
    std::printf("fix: %lld findings, %lld accepted, %zu objects\n", static_cast<long long>(whole->summary.findings),
                static_cast<long long>(whole->summary.accepted), whole->objects.size());
  }
  return failures == 0 ? 0 : 1;
}
