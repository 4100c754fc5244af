// RFC 6901 JSON Pointer: parsing, escaping, resolution.
#include <string>

#include "core/pointer_internal.hpp"
#include "kfix/core.hpp"

namespace kfix {
namespace internal {

ArrayIndex ParseArrayIndex(std::string_view token) noexcept {
  ArrayIndex r;
  if (token == "-") {
    r.kind = ArrayIndex::kPastEnd;
    return r;
  }
  if (token.empty() || (token.size() > 1 && token[0] == '0')) return r;  // kInvalid
  std::size_t value = 0;
  bool overflow = false;
  for (char c : token) {
    if (c < '0' || c > '9') return r;
    const auto d = static_cast<std::size_t>(c - '0');
    if (value > (static_cast<std::size_t>(-1) - d) / 10) overflow = true;
    if (!overflow) value = value * 10 + d;
  }
  r.kind = ArrayIndex::kIndex;
  r.index = overflow ? static_cast<std::size_t>(-1) : value;
  return r;
}

std::string PrefixString(const JsonPointer& p, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n && i < p.size(); ++i) {
    out.push_back('/');
    out += JsonPointer::EscapeToken(p.tokens()[i]);
  }
  return out;
}

StepFailure DescribeStepFailure(const JsonPointer& pointer, std::size_t i, const Value& parent) {
  const std::string& token = pointer.tokens()[i];
  const std::string parent_text = PrefixString(pointer, i);
  StepFailure f;
  if (parent.is_object()) {
    f.reason = "member " + JsonQuote(token) + " not found in object at " + JsonQuote(parent_text);
  } else if (parent.is_array()) {
    ArrayIndex idx = ParseArrayIndex(token);
    if (idx.kind == ArrayIndex::kInvalid) {
      f.code = StatusCode::kInvalidArgument;
      f.reason = "invalid array index " + JsonQuote(token) + " for array at " + JsonQuote(parent_text);
    } else if (idx.kind == ArrayIndex::kPastEnd) {
      f.reason = "index \"-\" (past the end) does not exist in array at " + JsonQuote(parent_text);
    } else {
      f.reason = "index " + token + " out of range for array of size " + std::to_string(parent.size()) + " at " +
                 JsonQuote(parent_text);
    }
  } else {
    f.reason = "cannot look up " + JsonQuote(token) + " in " + parent.type_name() + " at " + JsonQuote(parent_text);
  }
  return f;
}

Status StepError(const JsonPointer& pointer, std::size_t i, const Value& parent) {
  StepFailure f = DescribeStepFailure(pointer, i, parent);
  SourceLocation loc;
  loc.pointer = pointer.ToString();
  loc.line = parent.line();
  loc.column = parent.column();
  std::string message = JsonQuote(loc.pointer) + ": " + f.reason;
  return Status(f.code, std::move(message), std::move(loc));
}

const Value* Step(const Value& parent, const std::string& token) noexcept {
  if (parent.is_object()) return parent.Find(token);
  if (parent.is_array()) {
    ArrayIndex idx = ParseArrayIndex(token);
    if (idx.kind != ArrayIndex::kIndex || idx.index >= parent.size()) return nullptr;
    return &parent.as_array()[idx.index];
  }
  return nullptr;
}

}  // namespace internal

Result<JsonPointer> JsonPointer::Parse(std::string_view text) {
  std::vector<std::string> tokens;
  if (text.empty()) return JsonPointer();
  if (text[0] != '/') {
    return InvalidArgumentError("invalid JSON pointer " + JsonQuote(text) + ": must be empty or start with '/'");
  }
  std::string token;
  for (std::size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
      continue;
    }
    const char c = text[i];
    if (c == '~') {
      const char next = (i + 1 < text.size()) ? text[i + 1] : '\0';
      if (next == '0') {
        token.push_back('~');
      } else if (next == '1') {
        token.push_back('/');
      } else {
        return InvalidArgumentError("invalid JSON pointer " + JsonQuote(text) + ": '~' at offset " +
                                    std::to_string(i) + " must be followed by '0' or '1'");
      }
      ++i;
      continue;
    }
    token.push_back(c);
  }
  return JsonPointer(std::move(tokens));
}

std::string JsonPointer::EscapeToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string JsonPointer::ToString() const { return internal::PrefixString(*this, tokens_.size()); }

JsonPointer JsonPointer::Child(std::string_view token) const {
  // One exactly-sized allocation (a copy then a push would allocate twice).
  std::vector<std::string> tokens;
  tokens.reserve(tokens_.size() + 1);
  tokens.insert(tokens.end(), tokens_.begin(), tokens_.end());
  tokens.emplace_back(token);
  return JsonPointer(std::move(tokens));
}

JsonPointer JsonPointer::Child(std::size_t index) const { return Child(std::to_string(index)); }

JsonPointer JsonPointer::Parent() const {
  JsonPointer p = *this;
  if (!p.tokens_.empty()) p.tokens_.pop_back();
  return p;
}

bool JsonPointer::IsPrefixOf(const JsonPointer& other) const noexcept {
  if (tokens_.size() > other.tokens_.size()) return false;
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    if (tokens_[i] != other.tokens_[i]) return false;
  }
  return true;
}

Result<const Value*> Resolve(const Value& root, const JsonPointer& pointer) {
  const Value* v = &root;
  for (std::size_t i = 0; i < pointer.size(); ++i) {
    const Value* next = internal::Step(*v, pointer.tokens()[i]);
    if (!next) return internal::StepError(pointer, i, *v);
    v = next;
  }
  return v;
}

Result<Value*> ResolveMutable(Value& root, const JsonPointer& pointer) {
  Result<const Value*> r = Resolve(root, pointer);
  if (!r.ok()) return r.status();
  return const_cast<Value*>(*r);
}

const Value* Lookup(const Value& root, const JsonPointer& pointer) noexcept {
  const Value* v = &root;
  for (const std::string& token : pointer.tokens()) {
    v = internal::Step(*v, token);
    if (!v) return nullptr;
  }
  return v;
}

}  // namespace kfix
