// kfix/report.hpp - the offline HTML report of a run.
//
// A run (`kfix run --out DIR`, or kfix::RunPipeline) leaves five JSON
// documents: findings, fixes, risk, schedule and summary. This layer turns
// them into ONE self-contained HTML file: inline CSS, inline SVG charts drawn
// here (so they are in the page before any script runs), the data the table
// needs as an inline JSON block, and a small inline script for the sortable,
// filterable findings table. Nothing is fetched from the network: no external
// stylesheet, font, image or script.
//
// Sections: summary counts; findings by check and by severity; fix status by
// check with the gate that refused (stacked bars); the risk distribution with
// the KEV share; cumulative risk removed against position for the scheduler's
// order and for FIFO (input) order; load errors; the findings table (file:line,
// status, reason, risk, and each proposed patch shown as a diff of the object
// it changes); and, when their documents are in the run, the playbook sections
// (gVisor verdicts per namespace).
//
// Determinism: the same documents and options give byte-identical HTML (no
// clock is read; the run's own `now` is shown).
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/pipeline.hpp"
#include "kfix/status.hpp"

namespace kfix {

/// The documents of one run. `summary` and `fixes` are required; the others
/// may be null (their sections are then left out or derived from `fixes`).
struct RunDocuments {
  Value findings;  ///< findings.json
  Value fixes;     ///< fixes.json
  Value risk;      ///< risk.json
  Value schedule;  ///< schedule.json
  Value summary;   ///< summary.json
  /// Playbook documents found beside them, by file name (for example
  /// "gvisor.json", the output of `kfix gvisor scan --format json`).
  std::vector<std::pair<std::string, Value>> extras;
};

/// Reads DIR/{findings,fixes,risk,schedule,summary}.json and the optional
/// playbook documents. Errors: kNotFound when DIR or a required document
/// (summary.json, fixes.json) is missing; kParseError naming the file, line
/// and column of malformed JSON; kInvalidArgument when a document has the
/// wrong shape (for example `results` not an array), naming the file.
Result<RunDocuments> LoadRunDirectory(const std::string& dir);

/// The documents of a run held in memory (the same values
/// WritePipelineOutputs writes).
RunDocuments RunDocumentsFromPipeline(const PipelineResult& result);

struct ReportOptions {
  std::string title = "kfix report";
  /// Show each accepted or proposed patch as a unified diff of the object
  /// (the object as YAML before and after the patch).
  bool diffs = true;
  int diff_context = 3;
  /// Objects to diff against. When null, the objects are read from the files
  /// named in fixes.json (as the run named them, relative to the current
  /// directory); a file that cannot be read or parsed only loses its diffs
  /// (the patch ops are shown instead) and is listed in the report.
  const std::vector<Manifest>* objects = nullptr;
};

/// Renders the report. Errors: kInvalidArgument when a required document is
/// missing or has the wrong shape. Output is valid UTF-8 (invalid bytes in
/// input strings are replaced by U+FFFD).
Result<std::string> RenderHtmlReport(const RunDocuments& run, const ReportOptions& options = {});

/// RenderHtmlReport, then writes `path` atomically (temporary file in the
/// same directory, renamed over the target). kIoError names the file.
Status WriteHtmlReport(const RunDocuments& run, const ReportOptions& options, const std::string& path);

}  // namespace kfix
