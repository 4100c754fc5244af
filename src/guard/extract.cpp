// Extraction of external patches (LLM or human text) and structural
// validation of RFC 6902 documents.
#include <string>


#include "kfix/guard.hpp"
#include "guard/extract_internal.hpp"
#include "remediate/builder.hpp"

namespace kfix {

const char* PatchFormName(PatchForm f) noexcept {
  switch (f) {
    case PatchForm::kJsonPatch: return "json-patch";
    case PatchForm::kSingleOp: return "single-op";
    case PatchForm::kMergePatch: return "merge-patch";
    case PatchForm::kWholeObject: return "whole-object";
  }
  return "json-patch";
}

namespace {

/// Parses JSON (kfix's parser, no exceptions); on failure `error` says
/// where and why.
bool TryJson(std::string_view text, Value& out, std::string& error) {
  Result<Value> j = ParseJson(text);
  if (!j.ok()) {
    error = j.status().ToString();
    return false;
  }
  out = std::move(*j);
  return true;
}

std::string_view Trim(std::string_view s) {
  std::size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string_view::npos) return {};
  std::size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

/// The content of the first ``` fenced block, if any.
std::optional<std::string_view> FencedBlock(std::string_view s) {
  std::size_t a = s.find("```");
  if (a == std::string_view::npos) return std::nullopt;
  std::size_t line_end = s.find('\n', a);
  if (line_end == std::string_view::npos) return std::nullopt;
  std::size_t b = s.find("```", line_end);
  if (b == std::string_view::npos) return s.substr(line_end + 1);  // unterminated fence: take the rest
  return s.substr(line_end + 1, b - line_end - 1);
}

bool IsOpObject(const Value& v) { return v.is_object() && v.Find("op") && v.Find("path"); }

}  // namespace

std::optional<std::size_t> internal::CountPatchOps(std::string_view text) {
  std::string_view body = Trim(text);
  if (auto fenced = FencedBlock(body)) body = Trim(*fenced);
  if (body.empty() || body[0] != '[') return std::nullopt;
  std::size_t depth = 0;
  std::size_t ops = 0;
  char quote = 0;  // '"' or '\'' inside a string
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (quote != 0) {
      if (quote == '"' && c == '\\') {
        ++i;
      } else if (c == quote) {
        if (quote == '\'' && i + 1 < body.size() && body[i + 1] == '\'') {
          ++i;  // YAML's '' inside a single-quoted string
        } else {
          quote = 0;
        }
      }
      continue;
    }
    switch (c) {
      case '"':
      case '\'':
        quote = c;
        break;
      case '#':  // a YAML comment (never outside a string in JSON)
        if (i > 0 && (body[i - 1] == ' ' || body[i - 1] == '\t' || body[i - 1] == '\n')) {
          while (i < body.size() && body[i] != '\n') ++i;
        }
        break;
      case '[':
      case '{':
        if (c == '{' && depth == 1) ++ops;
        ++depth;
        break;
      case ']':
      case '}':
        if (depth > 0 && --depth == 0) return ops;
        break;
      default:
        break;
    }
  }
  return ops;
}

Result<Patch> ValidatePatchStructure(const Value& patch_json) {
  if (!patch_json.is_array()) return ParseError(std::string("patch must be a JSON array, got ") + patch_json.type_name());
  Patch out;
  const auto& ops = patch_json.as_array();
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Value& o = ops[i];
    std::string where = "op " + std::to_string(i);
    if (!o.is_object()) return ParseError(where + ": expected an object, got " + o.type_name());
    const Value* op = o.Find("op");
    if (!op) return ParseError(where + ": missing \"op\"");
    if (!op->is_string()) return ParseError(where + ": \"op\" must be a string");
    PatchOp p;
    const std::string& name = op->as_string();
    if (name == "add") {
      p.op = PatchOpType::kAdd;
    } else if (name == "remove") {
      p.op = PatchOpType::kRemove;
    } else if (name == "replace") {
      p.op = PatchOpType::kReplace;
    } else if (name == "move") {
      p.op = PatchOpType::kMove;
    } else if (name == "copy") {
      p.op = PatchOpType::kCopy;
    } else if (name == "test") {
      p.op = PatchOpType::kTest;
    } else {
      return ParseError(where + ": unknown op \"" + name + "\"");
    }
    const Value* path = o.Find("path");
    if (!path) return ParseError(where + ": missing \"path\"");
    if (!path->is_string()) return ParseError(where + ": \"path\" must be a string");
    auto ptr = JsonPointer::Parse(path->as_string());
    if (!ptr.ok()) return ParseError(where + ": bad path \"" + path->as_string() + "\": " + ptr.status().message());
    p.path = std::move(*ptr);
    if (p.op == PatchOpType::kAdd || p.op == PatchOpType::kReplace || p.op == PatchOpType::kTest) {
      const Value* value = o.Find("value");
      if (!value) return ParseError(where + " (" + name + "): missing \"value\"");
      p.value = *value;
    }
    if (p.op == PatchOpType::kMove || p.op == PatchOpType::kCopy) {
      const Value* from = o.Find("from");
      if (!from) return ParseError(where + " (" + name + "): missing \"from\"");
      if (!from->is_string()) return ParseError(where + ": \"from\" must be a string");
      auto fp = JsonPointer::Parse(from->as_string());
      if (!fp.ok()) return ParseError(where + ": bad from \"" + from->as_string() + "\": " + fp.status().message());
      p.from = std::move(*fp);
    }
    out.push_back(std::move(p));
  }
  return out;
}

Result<ExtractedPatch> ExtractPatch(std::string_view text, const Value& object) {
  std::string_view body = Trim(text);
  if (body.empty()) return ParseError("empty patch text");
  ExtractedPatch out;
  std::vector<std::string> notes;
  if (auto fenced = FencedBlock(body)) {
    body = Trim(*fenced);
    notes.push_back("code fence stripped");
    if (body.empty()) return ParseError("the code fence is empty");
  }
  Value doc;
  std::string json_error;
  bool parsed = TryJson(body, doc, json_error);
  if (!parsed) {
    // Prose around a JSON array or object: take the outermost brackets.
    std::size_t a = body.find('['), b = body.rfind(']');
    std::string err2;
    if (a != std::string_view::npos && b != std::string_view::npos && b > a &&
        TryJson(body.substr(a, b - a + 1), doc, err2)) {
      parsed = true;
      notes.push_back("prose around the JSON array ignored");
    } else {
      std::size_t c = body.find('{'), d = body.rfind('}');
      if (c != std::string_view::npos && d != std::string_view::npos && d > c &&
          TryJson(body.substr(c, d - c + 1), doc, err2)) {
        parsed = true;
        notes.push_back("prose around the JSON object ignored");
      }
    }
  }
  if (!parsed) {
    // YAML (a whole object or a patch written as YAML).
    Result<Value> y = ParseYaml(body);
    if (y.ok() && (y->is_array() || y->is_object())) {
      doc = std::move(*y);
      parsed = true;
      notes.push_back("read as YAML");
    }
  }
  if (!parsed) return ParseError("no JSON patch, merge patch or object found in the text (JSON error: " + json_error + ")");

  if (doc.is_array()) {
    auto p = ValidatePatchStructure(doc);
    if (!p.ok()) return p.status();
    out.form = PatchForm::kJsonPatch;
    out.patch = std::move(*p);
  } else if (IsOpObject(doc)) {
    Value arr = Value::MakeArray();
    arr.PushBack(doc);
    auto p = ValidatePatchStructure(arr);
    if (!p.ok()) return p.status();
    out.form = PatchForm::kSingleOp;
    out.patch = std::move(*p);
  } else if (doc.is_object() && (doc.Find("apiVersion") || doc.Find("kind"))) {
    out.form = PatchForm::kWholeObject;
    out.patch = Diff(object, doc);
  } else if (doc.is_object()) {
    if (doc.Find("op")) return ParseError("an object with \"op\" but no \"path\" is not a valid patch op");
    out.form = PatchForm::kMergePatch;
    out.patch = Diff(object, MergePatch(object, doc));
  } else {
    return ParseError(std::string("expected a patch array or object, got ") + doc.type_name());
  }
  for (std::size_t i = 0; i < notes.size(); ++i) out.note += (i ? "; " : "") + notes[i];
  return out;
}

}  // namespace kfix
