// kfix/rules.hpp - the detection layer: check catalog, configuration and the
// scan engine.
//
// A `RuleSet` is built once from a `RulesConfig` (kube-linter's
// `.kube-linter.yaml` format plus kfix extensions), is immutable afterwards
// and is safe to share across threads (`std::shared_ptr<const RuleSet>`).
// `Scan()` evaluates the enabled checks over one lint context (all objects
// given to one call) and returns findings sorted deterministically
// (file, document, item, line, check, ...).
//
// Example:
//   auto rules = kfix::RuleSet::Create(kfix::RulesConfig{});
//   if (!rules.ok()) return rules.status();
//   kfix::LoadResult loaded = kfix::LoadManifests(text, "app.yaml");
//   kfix::ScanReport report = (*rules)->Scan(loaded.manifests);
//   for (const kfix::Finding& f : report.findings) std::cout << f.message << "\n";
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/status.hpp"

namespace kfix {

enum class Severity : std::int32_t { kError = 0, kWarning = 1, kInfo = 2 };
/// "error", "warning", "info".
const char* SeverityName(Severity s) noexcept;
/// Parses "error" / "warning" / "info".
Result<Severity> ParseSeverity(std::string_view name);

/// A check's description as printed by `kfix checks list`.
struct CheckInfo {
  std::string name;          ///< stable check name (kube-linter's where one exists)
  std::string policy;        ///< canonical policy id (checks.md §8), "" when none
  Severity severity = Severity::kWarning;
  std::string description;
  std::string remediation;
  std::string template_name; ///< kube-linter template key, or "kfix-rule" for declarative rules
  std::vector<std::string> object_kinds;  ///< e.g. {"DeploymentLike"}, {"Service"}, {"Any"}
  bool enabled_by_default = false;
  bool kube_linter = false;  ///< one of kube-linter's 63 built-ins
  bool custom = false;       ///< from the configuration's customChecks / kfix rules
  Value params = Value::MakeObject();  ///< effective parameters (defaults merged with config)
  /// The check's findings cannot be re-evaluated on the object alone: it reads
  /// other objects of the lint context (dangling references, RBAC bindings,
  /// PDBs, network policies, referenced Secrets) or the object's source key
  /// order (sorted-keys). Declared by the check's template; the guard rescans
  /// such findings within the whole context.
  bool needs_lint_context = false;
  std::string notes;         ///< documented deviations/surprises (e.g. unset-cpu-requirements tests only the request)
};

/// One finding: which check fired, on which object and field.
struct Finding {
  std::string check;
  std::string policy;        ///< canonical policy id, "" when none
  Severity severity = Severity::kWarning;
  std::string message;
  std::string remediation;
  std::string file;
  std::int32_t document = 0;
  std::int32_t item = -1;    ///< index inside a `kind: List`, -1 otherwise
  /// Position (1-based) of the offending field's key; when the field is
  /// missing, of its nearest existing ancestor (e.g. the container mapping's
  /// `securityContext` key, or the container's first line).
  std::int32_t line = 0;
  std::int32_t column = 0;
  /// RFC 6901 pointer into the object to the offending field, or to where the
  /// missing field belongs (then it does not resolve), e.g.
  /// /spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem.
  std::string pointer;
  ObjectRef object;
  std::string container;     ///< container name, "" when no container is involved
  std::size_t object_index = 0;  ///< index of the object in the manifests passed to Scan()
  /// 0-based order in which the check reported this finding for its object
  /// (kube-linter's report order within an object and check; the
  /// kube-linter JSON output uses it).
  std::int32_t sequence = 0;
  std::string ignored_by;    ///< for ignored findings: the annotation that suppressed it
};

/// Scan statistics.
struct ScanStats {
  std::int64_t files = 0;
  std::int64_t objects = 0;
  std::int64_t findings = 0;
  std::int64_t ignored = 0;
  std::map<std::string, std::int64_t> by_check;  ///< reported findings per check
  double seconds = 0.0;
};

/// The result of a scan.
struct ScanReport {
  std::vector<Finding> findings;  ///< reported findings, sorted
  std::vector<Finding> ignored;   ///< suppressed by annotations (counted, not dropped), sorted
  std::vector<Status> errors;     ///< files/objects that could not be read, with positions
  std::vector<Status> warnings;   ///< loaded with a caveat (duplicate keys, ...)
  ScanStats stats;
};

/// How cross-object checks see the world.
enum class LintContext {
  kAll,      ///< all objects given to one Scan call form one context (kube-linter per stream/dir)
  kPerFile,  ///< each file is its own context
};

/// Configuration: kube-linter's `.kube-linter.yaml` plus kfix extensions.
/// Build with ParseRulesConfig(), or fill in directly; a whole configuration
/// file (these keys plus kfix's sections) is read by LoadEngineConfig() (engine.hpp).
struct RulesConfig {
  bool do_not_auto_add_defaults = false;
  bool add_all_built_in = false;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::vector<std::string> ignore_paths;  ///< doublestar globs
  /// Files with Kubernetes ValidatingAdmissionPolicies (and their bindings
  /// and parameter objects) evaluated offline, one check per policy
  /// (docs/policies.md): the configuration's `policies` entries that are
  /// file names, plus `kfix scan --policy FILE`. Mappings in `policies` are
  /// inline policy objects and stay in `raw`.
  std::vector<std::string> policy_files;
  /// The raw configuration tree (customChecks, kfix rules, per-check params);
  /// kept so RuleSet::Create can report errors with the file's line numbers.
  Value raw = Value::MakeObject();
  std::string source;  ///< file name the config came from ("" = built in)
};

/// Parses configuration text (YAML): `checks`, `customChecks`, `kfixRules`,
/// `policies`. Bad keys/types fail with file:line.
Result<RulesConfig> ParseRulesConfig(std::string_view yaml_text, std::string_view source_name);
/// Same from an already-parsed tree (null = defaults): errors carry the
/// tree's own positions and `source_name`.
Result<RulesConfig> RulesConfigFromValue(Value root, std::string_view source_name);

/// The built-in catalog (kube-linter's 63 plus kfix's extras), sorted by name.
const std::vector<CheckInfo>& BuiltinChecks();

struct ScanOptions {
  LintContext context = LintContext::kAll;
  int jobs = 1;  ///< worker threads for per-object checks; results identical for any value
};

/// RuleSet: the enabled checks, ready to evaluate. Immutable; thread-safe.
class RuleSet {
 public:
  /// Resolves the enabled checks (defaults ∪ all built-ins ∪ custom ∪
  /// include, minus exclude) and compiles custom rules. Unknown included
  /// names and bad custom rules are errors with the config line.
  static Result<std::shared_ptr<const RuleSet>> Create(const RulesConfig& config);

  virtual ~RuleSet() = default;

  /// Enabled checks, sorted by name.
  virtual const std::vector<CheckInfo>& checks() const noexcept = 0;
  /// Whether `check` is enabled.
  virtual bool IsEnabled(std::string_view check) const noexcept = 0;
  /// True when `file` matches the configured ignorePaths.
  virtual bool IsPathIgnored(std::string_view file) const noexcept = 0;

  /// Scans one lint context. Objects keep their Manifest file/document/item.
  virtual ScanReport Scan(const std::vector<Manifest>& objects, const ScanOptions& options = {}) const = 0;

  /// Loads and scans files/directories/"-" (ExpandPaths semantics); parse
  /// errors land in report.errors. Files are read on `options.jobs` threads.
  virtual ScanReport ScanPaths(const std::vector<std::string>& paths, const ScanOptions& options = {},
                               const ParseOptions& parse = {}) const = 0;

  /// Scans manifest text (YAML or JSON) named `source_name`.
  virtual ScanReport ScanText(std::string_view text, std::string_view source_name,
                              const ScanOptions& options = {}, const ParseOptions& parse = {}) const = 0;
};

// Output ------------------------------------------------------------------

/// kfix's JSON report (schemaVersion, findings, ignored, errors, warnings,
/// stats). Schema: docs/json-schema/scan-report.schema.json.
std::string ScanReportToJson(const ScanReport& report, bool pretty = true);
/// Same; with `include_time` false the wall-clock `stats.seconds` is left out
/// so that the output is byte-identical across runs and `--jobs` values.
std::string ScanReportToJson(const ScanReport& report, bool pretty, bool include_time);
/// The JSON report as a value tree.
Value ScanReportToValue(const ScanReport& report, bool include_time = true);
/// kube-linter's `--format json` shape (Checks / Reports / Summary).
std::string ScanReportToKubeLinterJson(const ScanReport& report, const RuleSet& rules);
/// SARIF 2.1.0 with one rule per enabled check and real regions.
std::string ScanReportToSarif(const ScanReport& report, const RuleSet& rules);
/// kube-linter-like plain text with file:line:col. With `with_total` false,
/// the closing "Error: found N lint errors" line is left out (`kfix run`
/// prints its own table).
std::string ScanReportToText(const ScanReport& report, bool with_total = true);
/// A finding as a JSON object value (the same shape as in the JSON report).
Value FindingToValue(const Finding& f);

/// One lint context of a per-file scan (`scan.context: per-file`), handed
/// over as soon as it is scanned (Engine::ScanPathsPerFile): one file, or
/// every input with that same path (named twice, they form one context, as
/// in Scan()).
struct FileScanReport {
  static constexpr std::size_t kNoInput = static_cast<std::size_t>(-1);
  std::string file;
  /// This context's findings and ignored findings (sorted), the errors and
  /// warnings of loading it, then the scan's own warnings; stats of this
  /// context alone (files: the inputs read).
  ScanReport report;
  /// For each of report.errors / report.warnings: the input it came from,
  /// as its position in ExpandPaths() order. The whole report lists errors
  /// and load warnings in that order (and the scan's own warnings, marked
  /// kNoInput, after all of them); the writers below restore it. Empty: the
  /// report's own order.
  std::vector<std::size_t> error_inputs, warning_inputs;
};

/// The scan report formats (`kfix scan --format`).
enum class ScanFormat { kJson, kSarif, kText, kKubeLinterJson };

struct ScanWriteOptions {
  ScanFormat format = ScanFormat::kJson;
  bool pretty = true;        ///< kJson: pretty (the CLI) or compact
  bool include_time = true;  ///< kJson: stats.seconds
  bool with_total = true;    ///< kText: the closing "Error: found N lint errors" line
  /// Bytes each held-back section (see below) keeps in memory before it
  /// moves to an unnamed temporary file. 0 = no limit (all in memory).
  std::size_t spool_memory = 0;
  /// The writer gets exactly one Add(): the whole report (ScanReportToJson
  /// and the other whole-report functions, `kfix scan` without `--context
  /// per-file`). Nothing is held back then (see below): the same bytes,
  /// without a copy of any section in memory or in a temporary file. A
  /// second Add() fails (kInvalidArgument).
  bool single_part = false;
};

/// Writes one scan report document part by part: Add() each lint context's
/// report in report order (by file name), then Finish(). This is the one
/// serialiser of every format: ScanReportToJson / ToSarif / ToText /
/// ToKubeLinterJson hand it the whole report as one part, `kfix scan
/// --context per-file` one file at a time, and the bytes are the same.
///
/// What each format writes as it comes and what it holds back until
/// Finish() (held back = kept in memory up to `spool_memory`, then in a
/// temporary file, never as trees):
///  - json: findings as they come; ignored, errors and warnings held back
///    (they follow the findings in the document); stats at the end. With
///    `single_part`, ignored, errors and warnings follow the findings
///    straight to the sink: nothing is held back.
///  - sarif: results as they come (the rules come first, from the RuleSet);
///    nothing held back.
///  - kube-linter-json: Reports as they come; Summary (two fields, built
///    from the totals) at the end; nothing else held back.
///  - text: everything held back, since errors and warnings come first and
///    a later part may bring more of them. With `single_part` the one part
///    has them all: its errors, warnings and findings go straight to the
///    sink, and Finish() writes only the closing line.
/// Errors and load warnings are written in input order (error_inputs /
/// warning_inputs), the scan's own warnings after them in report order.
/// Thread safety: one writer per thread.
class ScanReportWriter {
 public:
  /// `rules` is needed by sarif and kube-linter-json (the checks); `sink`
  /// receives the bytes in order and returns false to stop the writer.
  ScanReportWriter(const ScanWriteOptions& options, const RuleSet* rules,
                   std::function<bool(std::string_view)> sink);
  ~ScanReportWriter();
  ScanReportWriter(const ScanReportWriter&) = delete;
  ScanReportWriter& operator=(const ScanReportWriter&) = delete;

  /// One part of the report (its stats are not used: Finish() takes the
  /// totals). False once the sink refused bytes or a temporary file failed.
  bool Add(const ScanReport& part, const std::vector<std::size_t>& error_inputs = {},
           const std::vector<std::size_t>& warning_inputs = {});
  bool Add(const FileScanReport& part) { return Add(part.report, part.error_inputs, part.warning_inputs); }
  /// Writes the rest with the run's totals (stats.errors is the number of
  /// errors added). Call once.
  bool Finish(const ScanStats& totals);
  /// Why the writer stopped (OK while it runs).
  Status status() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};
/// The catalog as JSON (`kfix checks list --format json`) or Markdown.
std::string ChecksToJson(const std::vector<CheckInfo>& checks);
std::string ChecksToMarkdown(const std::vector<CheckInfo>& checks);
/// One check as a JSON object value (the shape of ChecksToJson entries).
Value CheckInfoToValue(const CheckInfo& c);
/// Plain-text catalog (`kfix checks list`).
std::string ChecksToText(const std::vector<CheckInfo>& checks);

}  // namespace kfix
