// Reading a run directory into RunDocuments, and building RunDocuments from a
// PipelineResult held in memory.
#include <filesystem>
#include <string>
#include <system_error>

#include "kfix/core.hpp"
#include "kfix/pipeline.hpp"
#include "kfix/report.hpp"

namespace kfix {
namespace {

namespace fs = std::filesystem;

/// Documents a playbook may leave beside the five run documents.
constexpr const char* kExtraDocuments[] = {"gvisor.json", "incidents.json"};

SourceLocation At(const std::string& file) {
  SourceLocation l;
  l.file = file;
  return l;
}

/// Reads and parses one JSON document. `required` = false: a missing file
/// gives a null value.
Status ReadDocument(const fs::path& path, bool required, Value& out) {
  std::error_code ec;
  const std::string name = path.string();
  if (!fs::exists(path, ec)) {
    if (!required) return Status();
    return NotFoundError(name + ": missing (is this a `kfix run --out` directory?)", At(name));
  }
  Result<std::string> text = ReadFileToString(name);
  if (!text.ok()) return text.status();
  Result<Value> doc = ParseJson(*text);
  if (!doc.ok()) {
    Status s = doc.status();
    s.mutable_location().file = name;
    return Status(s.code(), s.message(), s.location());
  }
  if (!doc->is_object()) {
    return InvalidArgumentError(name + ": expected a JSON object, found " + doc->type_name(), At(name));
  }
  out = std::move(*doc);
  return Status();
}

Status ExpectArray(const Value& doc, std::string_view key, const std::string& file) {
  if (doc.is_null()) return Status();
  const Value* v = doc.Find(key);
  if (v != nullptr && !v->is_array()) {
    return InvalidArgumentError(file + ": `" + std::string(key) + "` must be an array, found " + v->type_name(),
                                At(file));
  }
  return Status();
}

/// A JSON-lines document (one object per non-empty line) as an array; a
/// missing file gives a null value.
Status ReadJsonLines(const fs::path& path, Value& out) {
  std::error_code ec;
  const std::string name = path.string();
  if (!fs::exists(path, ec)) return Status();
  Result<std::string> text = ReadFileToString(name);
  if (!text.ok()) return text.status();
  out = Value::MakeArray();
  std::size_t start = 0;
  for (std::int32_t line = 1; start < text->size(); ++line) {
    std::size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    const std::string_view row(text->data() + start, end - start);
    start = end + 1;
    if (row.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Result<Value> v = ParseJson(row);
    if (!v.ok() || !v->is_object()) {
      SourceLocation l = At(name);
      l.line = line;
      return ParseError(name + ":" + std::to_string(line) + ": " +
                            (v.ok() ? std::string("expected a JSON object per line") : v.status().message()),
                        l);
    }
    out.PushBack(std::move(*v));
  }
  return Status();
}

}  // namespace

Result<RunDocuments> LoadRunDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return NotFoundError(dir + ": not a directory (expected the --out directory of `kfix run`)", At(dir));
  }
  const fs::path root(dir);
  RunDocuments run;
  struct Slot {
    const char* name;
    bool required;
    Value* value;
    const char* array_key;
  } slots[] = {
      {"summary.json", true, &run.summary, nullptr},      {"fixes.json", true, &run.fixes, "results"},
      {"findings.json", false, &run.findings, "findings"}, {"risk.json", false, &run.risk, "results"},
      {"schedule.json", false, &run.schedule, "items"},
  };
  for (const Slot& slot : slots) {
    const fs::path path = root / slot.name;
    if (Status s = ReadDocument(path, slot.required, *slot.value); !s.ok()) return s;
    if (slot.array_key != nullptr) {
      if (Status s = ExpectArray(*slot.value, slot.array_key, path.string()); !s.ok()) return s;
    }
  }
  for (const char* name : kExtraDocuments) {
    Value doc;
    if (Status s = ReadDocument(root / name, false, doc); !s.ok()) return s;
    if (!doc.is_null()) run.extras.emplace_back(name, std::move(doc));
  }
  Value records;
  if (Status s = ReadJsonLines(root / "quarantine.jsonl", records); !s.ok()) return s;
  if (!records.is_null()) run.extras.emplace_back("quarantine.jsonl", std::move(records));
  return run;
}

RunDocuments RunDocumentsFromPipeline(const PipelineResult& result) {
  RunDocuments run;
  run.findings = PipelineFindingsToValue(result);
  run.fixes = PipelineFixesToValue(result);
  run.risk = PipelineRiskToValue(result);
  run.schedule = PipelineScheduleToValue(result);
  run.summary = PipelineSummaryToValue(result);
  return run;
}

}  // namespace kfix
