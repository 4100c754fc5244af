// kfix/risk.hpp - the risk layer: per-finding risk 0-100 from documented,
// configurable terms, plus loaders for the vulnerability feeds that drive the
// CVE terms (FIRST EPSS CSV, CISA KEV JSON, Trivy image reports).
//
// risk = min(100, base + vuln + epss + kev + attack), rounded to 2 decimals.
//   base   : weight of the finding's check / canonical policy (one table,
//            DefaultPolicyWeights(); docs/risk.md)
//   vuln   : Σ severity weights over the CVEs of the finding's images
//            (Trivy report), capped at RiskConfig::vuln_cap
//   epss   : epss_weight · max EPSS probability over those CVEs
//   kev    : kev_weight if any of those CVEs is in the KEV catalog
//            (+ ransomware_weight if one is marked "Known" ransomware use)
//   attack : optional MITRE ATT&CK term for the misconfiguration itself
//            (RiskConfig::attack_enabled; AttackTechniquesFor())
// EPSS and KEV describe CVEs, not misconfigurations: without image
// vulnerability data those two terms are always 0.
//
// Every RiskResult carries the breakdown of its terms.
//
// Example:
//   kfix::Result<kfix::EpssTable> epss = kfix::LoadEpssCsv("epss_scores-current.csv.gz");
//   kfix::Result<kfix::KevCatalog> kev = kfix::LoadKevJson("known_exploited_vulnerabilities.json");
//   kfix::RiskFeeds feeds;
//   feeds.epss = &*epss;
//   feeds.kev = &*kev;
//   kfix::RiskScorer scorer(kfix::RiskConfig{}, feeds);
//   kfix::RiskResult r = scorer.Score(finding, kfix::WorkloadImages(object, finding.container));
//
// Thread safety: loaders are reentrant; tables are plain values. RiskScorer
// is immutable after construction and may be used from several threads; the
// feeds it points to must outlive it and must not be mutated meanwhile.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/rules.hpp"
#include "kfix/status.hpp"

namespace kfix {

// ---------------------------------------------------------------------------
// Feeds
// ---------------------------------------------------------------------------

/// One EPSS row.
struct EpssScore {
  double epss = 0.0;        ///< probability of exploitation in the next 30 days, [0, 1]
  double percentile = 0.0;  ///< [0, 1]
};

/// FIRST EPSS scores. Malformed rows are not dropped silently: each one is
/// listed in `malformed` with its 1-based line number.
struct EpssTable {
  std::string source;         ///< file name as given
  std::string model_version;  ///< from the leading "#model_version:...,score_date:..." line, "" if absent
  std::string score_date;     ///< idem
  std::map<std::string, EpssScore> scores;  ///< key: CVE id, upper-cased ("CVE-2021-44228")
  std::vector<Status> malformed;            ///< one per rejected row (kParseError, location.line set)
  std::int64_t rows = 0;                    ///< data rows seen (accepted + malformed)

  /// nullptr when the CVE is unknown. Case-insensitive on the id.
  const EpssScore* Find(std::string_view cve) const;
};

/// Parses FIRST's EPSS CSV: an optional leading `#model_version:...,
/// score_date:...` comment line (kept as metadata), then a header naming the
/// columns `cve`, `epss` and optionally `percentile` (any order, case-
/// insensitive), then rows. If `data` starts with the gzip magic (1f 8b) it is
/// inflated first (zlib). Errors: no header / no `cve` or `epss` column
/// (kParseError), corrupt gzip (kParseError), size over 1 GiB inflated
/// (kLimitExceeded). Rows with a wrong field count, a non-CVE id or a score
/// outside [0, 1] go to `malformed`; a duplicate CVE keeps the last row and is
/// reported as malformed too.
Result<EpssTable> ParseEpssCsv(std::string_view data, std::string_view source_name);
/// Reads `path` (plain or gzip) and parses it.
Result<EpssTable> LoadEpssCsv(const std::string& path);

/// One CISA KEV catalog entry.
struct KevEntry {
  std::string cve_id;
  std::string date_added;             ///< "YYYY-MM-DD" as in the catalog
  bool known_ransomware_use = false;  ///< knownRansomwareCampaignUse == "Known"
};

/// The CISA Known Exploited Vulnerabilities catalog.
struct KevCatalog {
  std::string source;
  std::string catalog_version;
  std::string date_released;
  std::map<std::string, KevEntry> entries;  ///< key: CVE id, upper-cased
  std::vector<Status> malformed;            ///< entries without a usable cveID, with their line

  /// nullptr when the CVE is not in the catalog. Case-insensitive.
  const KevEntry* Find(std::string_view cve) const;
};

/// Parses the CISA catalog object `{catalogVersion, dateReleased,
/// vulnerabilities: [{cveID, dateAdded, knownRansomwareCampaignUse, ...}]}`,
/// or a bare array of such entries. Not JSON / wrong top-level shape:
/// kParseError. Entries without a string `cveID` go to `malformed`.
Result<KevCatalog> ParseKevJson(std::string_view text, std::string_view source_name);
Result<KevCatalog> LoadKevJson(const std::string& path);

/// One vulnerability of one image (Trivy `Results[].Vulnerabilities[]`).
struct ImageVulnerability {
  std::string id;        ///< VulnerabilityID, e.g. "CVE-2023-1234" or "GHSA-..."
  std::string package;   ///< PkgName
  std::string severity;  ///< CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN (upper-cased)
  double cvss = -1.0;    ///< highest CVSS V3Score over the vendors in `CVSS`, -1 when none
};

/// Image vulnerability data keyed by image reference (`ArtifactName`).
struct ImageVulnerabilities {
  std::map<std::string, std::vector<ImageVulnerability>> by_image;
  std::vector<Status> malformed;  ///< vulnerabilities without VulnerabilityID/Severity, with their line
};

/// Adds one Trivy JSON report (`trivy image --format json`) or a JSON array
/// of reports to `out`. Vulnerabilities are de-duplicated per image by
/// (id, package). Errors: not JSON, no `ArtifactName` (kParseError).
Status AddTrivyReport(std::string_view text, std::string_view source_name, ImageVulnerabilities& out);
Status LoadTrivyReport(const std::string& path, ImageVulnerabilities& out);

/// Feed files to load together (any may be empty).
struct RiskFeedFiles {
  std::string epss;                ///< FIRST EPSS CSV (plain or .gz)
  std::string kev;                 ///< CISA KEV JSON
  std::vector<std::string> trivy;  ///< Trivy JSON reports
};

struct RiskFeeds;

/// Loaded feeds. View() points into this object: keep it alive and unmoved
/// while a scorer uses the view.
struct LoadedFeeds {
  EpssTable epss;
  KevCatalog kev;
  ImageVulnerabilities images;
  bool has_epss = false;
  bool has_kev = false;
  bool has_images = false;

  RiskFeeds View() const;
  /// Every malformed row/entry of every feed, with file and line.
  std::vector<Status> Malformed() const;
  /// {epss: {source, modelVersion, scoreDate, scores, malformed}, kev: {...}, images: {...}}
  Value ToValue() const;
};

/// Loads the named feeds; the first unreadable or unparsable file is an error.
Result<LoadedFeeds> LoadRiskFeeds(const RiskFeedFiles& files);

// ---------------------------------------------------------------------------
// Scoring
// ---------------------------------------------------------------------------

/// The single default base-weight table (canonical policy id -> weight);
/// see docs/risk.md for where it comes from.
const std::map<std::string, double>& DefaultPolicyWeights();

/// MITRE ATT&CK techniques a check/policy enables (e.g. "T1611"), empty when
/// none is mapped. Looked up by check name first, then by policy id.
std::vector<std::string> AttackTechniquesFor(std::string_view check, std::string_view policy);
/// Default weight per technique used by the attack term.
const std::map<std::string, double>& DefaultAttackWeights();

/// Scoring configuration. Every term is documented in docs/risk.md.
struct RiskConfig {
  std::map<std::string, double> policy_weights = DefaultPolicyWeights();  ///< by canonical policy id
  std::map<std::string, double> check_weights;  ///< by check name; overrides policy_weights
  double default_weight = 40.0;                 ///< no entry for the check or its policy

  double critical_weight = 5.0;  ///< per CRITICAL CVE
  double high_weight = 3.0;      ///< per HIGH CVE
  double medium_weight = 1.0;    ///< per MEDIUM CVE
  double low_weight = 0.0;       ///< per LOW / UNKNOWN CVE
  double vuln_cap = 30.0;        ///< cap of the vuln term (< 0: uncapped)

  double epss_weight = 10.0;      ///< epss term = epss_weight · max EPSS
  double kev_weight = 10.0;       ///< any image CVE in KEV
  double ransomware_weight = 0.0; ///< extra when a KEV entry has known ransomware use

  bool attack_enabled = false;    ///< add the ATT&CK term
  std::map<std::string, double> attack_weights = DefaultAttackWeights();  ///< by technique
};

/// One additive term of a risk score.
struct RiskTerm {
  std::string name;    ///< "base", "vuln", "epss", "kev", "attack"
  double value = 0.0;  ///< contribution before the 100 cap
  std::string detail;  ///< human-readable source, e.g. "policy no_privileged"
};

/// A scored finding.
struct RiskResult {
  double risk = 0.0;               ///< min(100, Σ terms), 2 decimals
  std::vector<RiskTerm> terms;     ///< always base, vuln, epss, kev, attack (in that order)
  bool kev = false;                ///< an image CVE is in KEV
  double max_epss = 0.0;
  std::vector<std::string> images; ///< images considered
  std::vector<std::string> cves;   ///< CVE ids found for those images (sorted, unique)
  std::vector<std::string> attack_techniques;  ///< mapped techniques (even when the term is off)
};

/// Feeds the scorer reads; any may be null.
struct RiskFeeds {
  const EpssTable* epss = nullptr;
  const KevCatalog* kev = nullptr;
  const ImageVulnerabilities* images = nullptr;
};

class RiskScorer {
 public:
  RiskScorer(RiskConfig config, RiskFeeds feeds) : config_(std::move(config)), feeds_(feeds) {}

  /// Base weight of a check/policy under this configuration.
  double BaseWeight(std::string_view check, std::string_view policy) const;
  /// Scores one finding given the images of its workload.
  RiskResult Score(const Finding& finding, const std::vector<std::string>& images) const;

  const RiskConfig& config() const noexcept { return config_; }

 private:
  RiskConfig config_;
  RiskFeeds feeds_;
};

/// The images of a workload object, in source order, de-duplicated: all
/// container groups (init, regular, ephemeral) of Pod/Deployment/.../CronJob.
/// With a non-empty `container`, only that container's image (falls back to
/// all images when no container has that name).
std::vector<std::string> WorkloadImages(const Value& object, std::string_view container = {});

/// The result as JSON: {risk, kev, maxEpss, images, cves, attackTechniques,
/// terms: [{name, value, detail}]}.
Value RiskResultToValue(const RiskResult& r);

/// A finding with its risk.
struct ScoredFinding {
  Finding finding;
  RiskResult risk;
};

/// Findings of a scan, scored, in the scan's deterministic order.
struct RiskReport {
  std::vector<ScoredFinding> results;
  std::vector<Status> errors;  ///< files/documents that could not be loaded
  std::int64_t files = 0;
  std::int64_t objects = 0;
};

/// Scores findings of a Scan() over `objects` (Finding::object_index indexes
/// it; the finding's workload images come from that object).
std::vector<ScoredFinding> ScoreFindings(const RiskScorer& scorer, const std::vector<Finding>& findings,
                                         const std::vector<Manifest>& objects);

/// Expands `paths` (ExpandPaths), loads each file, scans it as its own lint
/// context with `rules`, and scores every finding. Load errors are collected,
/// not fatal; a bad PATH argument is.
Result<RiskReport> ScanAndScore(const RuleSet& rules, const RiskScorer& scorer, const std::vector<std::string>& paths,
                                const ParseOptions& parse = {});

/// {schemaVersion: 2, results: [{check, policy, file, document, item (List
/// items only), line, object, container,
/// ...RiskResultToValue}], errors: [...]} (docs/json-schema/risk.schema.json;
/// the caller adds `feeds`).
Value RiskReportToValue(const RiskReport& report);
/// The same with the feeds the scores used: the `kfix risk --format json`
/// document (and risk.json of `kfix run`).
Value RiskReportToValue(const RiskReport& report, const LoadedFeeds& feeds);

}  // namespace kfix
