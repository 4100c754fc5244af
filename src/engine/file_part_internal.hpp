// Internal: one part of a per-file run (Engine::ScanPathsPerFile /
// FixPathsPerFile) as a JSON value, for the surfaces that hand parts over
// as documents (the C ABI's kfix_engine_*_per_file, Python's
// Engine.*_paths_per_file). The part's report is the whole document's own
// ToValue (ScanReportToValue / FixReportToValue) of that file alone; the
// members around it say where its errors, warnings and objects go in the
// whole document (docs/c-api.md, "Streaming per file").
#pragma once

#include "kfix/core.hpp"
#include "kfix/pipeline.hpp"
#include "kfix/rules.hpp"

namespace kfix::internal {

/// {"file", "errorInputs", "warningInputs", "report"}: report is the scan
/// report document of the part (ScanReportToValue; its stats are the
/// part's own); errorInputs / warningInputs give, for each report error /
/// warning, the input it came from (its position in ExpandPaths order), or
/// null for the scan's own warnings (written after every input's).
Value FileScanReportToValue(const FileScanReport& part, bool include_time = true);

/// {"file", "errorInputs", "objectInputs", "written", "writtenIndex",
/// "diff", "report"}: report is the fix report document of the part
/// (FixReportToValue); errorInputs / objectInputs give the input of each
/// report error / object as above (null: not a load error). When the run
/// wrote back: written is the file's entry of the write-back document
/// (WriteBackEntryToValue), writtenIndex its place in that document's
/// "files", diff its part of the unified diff; else null, null and "".
Value FileFixReportToValue(const FileFixReport& part);

/// One "files" entry of the write-back document (WriteBackResultToValue):
/// {"file", "fixed", "notes", "refused", "error", "output"}.
Value WriteBackEntryToValue(const WrittenFile& file);

}  // namespace kfix::internal
