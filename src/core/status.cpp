// Status helpers.
#include "kfix/status.hpp"

namespace kfix {

const char* StatusCodeName(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kParseError: return "parse_error";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kPatchConflict: return "patch_conflict";
    case StatusCode::kTestFailed: return "test_failed";
    case StatusCode::kLimitExceeded: return "limit_exceeded";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kInternal: return "internal";
    case StatusCode::kIoError: return "io_error";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kVerificationFailed: return "verification_failed";
    case StatusCode::kOutOfMemory: return "out_of_memory";
    default: return "unknown";
  }
}

std::string Status::ToString(bool with_code) const {
  std::string out;
  const SourceLocation& l = location_;
  // Messages about a whole file often start with its path already
  // ("x.yaml: no such file"); the path is not written twice.
  const bool message_names_file = !l.file.empty() && l.line <= 0 && message_.size() > l.file.size() &&
                                  message_.compare(0, l.file.size(), l.file) == 0 && message_[l.file.size()] == ':';
  if (!l.file.empty() && !message_names_file) {
    out += l.file;
    if (l.line > 0) {
      out += ':' + std::to_string(l.line);
      if (l.column > 0) out += ':' + std::to_string(l.column);
    }
    out += ": ";
  } else if (l.line > 0) {
    out += "line " + std::to_string(l.line);
    if (l.column > 0) out += ", column " + std::to_string(l.column);
    out += ": ";
  }
  if (with_code) {
    out += StatusCodeName(code_);
    out += ": ";
  }
  out += message_;
  if (l.document >= 0) {
    out += " (document " + std::to_string(l.document);
    if (l.item >= 0) out += ", item " + std::to_string(l.item);
    out += ')';
  }
  return out;
}

Status Status::WithDefaultLocation(const SourceLocation& loc) const {
  Status s = *this;
  SourceLocation& l = s.location_;
  if (l.file.empty()) l.file = loc.file;
  if (l.line == 0) {
    l.line = loc.line;
    l.column = loc.column;
  }
  if (l.document < 0) l.document = loc.document;
  if (l.item < 0) l.item = loc.item;
  if (l.pointer.empty()) l.pointer = loc.pointer;
  return s;
}

}  // namespace kfix
