// The C++ leg of tests/surfaces: `surfaces_scan_json CONFIG PATH...` prints
// what `kfix scan --format json --no-timing --config CONFIG PATH...` prints,
// through kfix::Engine alone.
#include <cstdio>
#include <string>
#include <vector>

#include "kfix/engine.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: surfaces_scan_json CONFIG PATH...\n");
    return 1;
  }
  kfix::Result<kfix::Engine> engine = kfix::Engine::FromFile(argv[1]);
  if (!engine.ok()) {
    std::fprintf(stderr, "%s\n", engine.status().ToString().c_str());
    return 1;
  }
  const std::vector<std::string> paths(argv + 2, argv + argc);
  kfix::Result<kfix::ScanReport> report = engine->ScanPaths(paths);
  if (!report.ok()) {
    std::fprintf(stderr, "%s\n", report.status().ToString().c_str());
    return 1;
  }
  const std::string json = kfix::ScanReportToJson(*report, /*pretty=*/true, /*include_time=*/false);
  std::fwrite(json.data(), 1, json.size(), stdout);
  return 0;
}
