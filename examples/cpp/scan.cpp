// examples/cpp/scan.cpp - scan manifests with the typed C++ API.
//
//   find_package(kfix) + target_link_libraries(app PRIVATE kfix::kfix)
//   ./kfix-scan-cpp examples/manifests
//
// Builds the rule set once (immutable, shareable between threads), scans
// files or directories, prints findings as file:line:col, and reports
// unreadable documents with their position. Nothing here throws.
#include <iostream>
#include <string>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/rules.hpp"
#include "kfix/version.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " PATH...\n";
    return 2;
  }
  std::vector<std::string> paths(argv + 1, argv + argc);

  kfix::Result<std::shared_ptr<const kfix::RuleSet>> rules = kfix::RuleSet::Create(kfix::RulesConfig{});
  if (!rules.ok()) {
    std::cerr << "config: " << rules.status().ToString(/*with_code=*/true) << "\n";
    return 1;
  }
  kfix::ScanOptions options;
  options.jobs = 2;
  kfix::ScanReport report = (*rules)->ScanPaths(paths, options);

  for (const kfix::Status& e : report.errors) std::cerr << "error: " << e.ToString() << "\n";
  for (const kfix::Finding& f : report.findings) {
    std::cout << f.file << ":" << f.line << ":" << f.column << ": [" << kfix::SeverityName(f.severity) << "] "
              << f.check << " (" << f.object.kind << " " << f.object.name << "): " << f.message << "\n";
  }
  std::cout << "kfix " << kfix::VersionString() << ": " << report.stats.objects << " objects, "
            << report.findings.size() << " findings, " << report.errors.size() << " errors\n";
  return report.errors.empty() ? 0 : 1;
}
