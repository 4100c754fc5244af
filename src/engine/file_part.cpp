// Per-file parts as JSON values (see file_part_internal.hpp).
#include "engine/file_part_internal.hpp"

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace kfix::internal {
namespace {

// The input of each of a report's `entries` entries; null for kNoInput (and
// for an entry the list does not cover: the streamed runs always fill it).
Value InputsToValue(const std::vector<std::size_t>& inputs, std::size_t entries, std::size_t no_input) {
  Value out = Value::MakeArray();
  for (std::size_t i = 0; i < entries; ++i) {
    const bool known = i < inputs.size() && inputs[i] != no_input;
    out.PushBack(known ? Value(static_cast<std::int64_t>(inputs[i])) : Value());
  }
  return out;
}

}  // namespace

Value FileScanReportToValue(const FileScanReport& part, bool include_time) {
  Value out = Value::MakeObject();
  out.Set("file", Value(part.file));
  out.Set("errorInputs", InputsToValue(part.error_inputs, part.report.errors.size(), FileScanReport::kNoInput));
  out.Set("warningInputs",
          InputsToValue(part.warning_inputs, part.report.warnings.size(), FileScanReport::kNoInput));
  out.Set("report", ScanReportToValue(part.report, include_time));
  return out;
}

Value FileFixReportToValue(const FileFixReport& part) {
  Value out = Value::MakeObject();
  out.Set("file", Value(part.file));
  out.Set("errorInputs", InputsToValue(part.error_inputs, part.report.errors.size(), FileFixReport::kNoInput));
  out.Set("objectInputs", InputsToValue(part.object_inputs, part.report.objects.size(), FileFixReport::kNoInput));
  const bool written = !part.written.empty();
  out.Set("written", written ? WriteBackEntryToValue(part.written.front()) : Value());
  out.Set("writtenIndex", written ? Value(static_cast<std::int64_t>(part.written_index)) : Value());
  out.Set("diff", Value(part.diff));
  out.Set("report", FixReportToValue(part.report));  // last: a part is its members, then the report
  return out;
}

}  // namespace kfix::internal
