// ScanAndScore: loads files (core loader), scans them (rules) and scores the findings.
#include <string>

#include "kfix/risk.hpp"

namespace kfix {

Result<RiskReport> ScanAndScore(const RuleSet& rules, const RiskScorer& scorer, const std::vector<std::string>& paths,
                                const ParseOptions& parse) {
  Result<std::vector<std::string>> files = ExpandPaths(paths);
  if (!files.ok()) return files.status();
  RiskReport report;
  ScanOptions scan;
  scan.context = LintContext::kPerFile;
  for (const std::string& file : *files) {
    if (rules.IsPathIgnored(file)) continue;
    LoadResult loaded = LoadFile(file, parse);
    ++report.files;
    report.objects += static_cast<std::int64_t>(loaded.manifests.size());
    for (Status& e : loaded.errors) report.errors.push_back(std::move(e));
    if (loaded.manifests.empty()) continue;
    ScanReport sr = rules.Scan(loaded.manifests, scan);
    for (Status& e : sr.errors) report.errors.push_back(std::move(e));
    std::vector<ScoredFinding> scored = ScoreFindings(scorer, sr.findings, loaded.manifests);
    for (ScoredFinding& s : scored) report.results.push_back(std::move(s));
  }
  return report;
}

}  // namespace kfix
