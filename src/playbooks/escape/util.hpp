// Internal helpers of the container-escape playbook: Python-compatible
// coercions (the reference is Python and its ids hash Python-formatted
// strings), tolerant member access that reports wrong types, and time
// formatting from the injected clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/escape.hpp"

namespace kfix::escape::internal {

/// First 8 hex digits of SHA-256 of `s`.
std::string Short8(std::string_view s);
/// "<prefix>" + first `n` hex of SHA-256 of `material`.
std::string HashId(std::string_view prefix, std::string_view material, std::size_t n);

/// Python truthiness (null, false, 0, "", [], {} are false).
bool Truthy(const Value* v) noexcept;
/// Python str() of a JSON value: strings as is, integers in decimal, bools
/// True/False, null None, doubles in shortest form, arrays/objects as
/// compact JSON.
std::string PyStr(const Value& v);
/// str(v or "") : "" for a falsy value.
std::string StrOr(const Value* v);
/// Python int() that never fails (0 when not convertible).
std::int64_t SafeInt(const Value* v) noexcept;

/// The reference's dotted-path lookup: a literal key first, then nested
/// parts, accepting a dotted remainder as a literal key at any level.
const Value* PathValue(const Value& obj, std::string_view path);
/// First path whose value, as str().strip(), is non-empty.
std::string FirstText(const Value& obj, std::initializer_list<std::string_view> paths);

/// Collects "member `x` is a T, expected an object/array" diagnostics.
struct TypeDiag {
  std::vector<std::string> problems;
  /// The member as an object: nullptr when absent or falsy; when present,
  /// truthy and not an object, records a problem and returns nullptr.
  const Value* Obj(const Value* parent, std::string_view key, std::string_view where);
  /// Same for arrays.
  const Value* Arr(const Value* parent, std::string_view key, std::string_view where);
};

/// json.dumps(s) with ensure_ascii (Python's default): \" \\ \n \r \t \b \f,
/// other controls and non-ASCII as \uXXXX (surrogate pairs above U+FFFF).
std::string PyJsonQuote(std::string_view s);

/// Milliseconds since the Unix epoch.
std::int64_t ToMs(std::chrono::system_clock::time_point t) noexcept;
/// datetime.isoformat() of a UTC time: 2026-04-10T05:10:00+00:00, with
/// .ffffff when the microseconds are not zero.
std::string IsoFormatUtc(std::chrono::system_clock::time_point t);
/// strftime of a UTC time (gmtime_r).
std::string FormatUtc(std::chrono::system_clock::time_point t, const char* format);

/// `s` for use inside a message: at most 80 bytes (cut on a UTF-8 boundary)
/// plus "... (N bytes)" when longer, so hostile megabyte strings are not echoed.
std::string Clip(std::string_view s);
/// "a string", "an object", ... for messages.
std::string WithArticle(const Value& v);
/// A value for a message: JSON text, clipped.
std::string Show(const Value& v);

/// The head of an OCSF 1.8 Detection Finding (class 2004, type 200401), in
/// the reference's member order: activity_id .. time and metadata (version,
/// uid, product kfix with `feature`, labels).
Value OcsfFindingHead(int severity_id, std::int64_t time, std::string_view uid, std::string_view feature,
                      const std::vector<std::string>& labels);
/// [{name, type: "Other", value}, ...]
Value ObservablesValue(const std::vector<Observable>& observables);
/// A selector as a JSON object (keys sorted).
Value SelectorValue(const Selector& selector);
/// An array of strings.
Value Strings(const std::vector<std::string>& items);

/// Lower-case ASCII copy.
std::string Lower(std::string_view s);
/// Copy without leading/trailing ASCII whitespace.
std::string Trim(std::string_view s);

/// Calls `fn(line_text, line_number)` for every non-blank line.
template <typename Fn>
void ForEachLine(std::string_view text, Fn&& fn) {
  std::size_t pos = 0;
  std::int32_t line = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++line;
    std::string_view l = text.substr(pos, end - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.find_first_not_of(" \t\f\v") != std::string_view::npos) fn(l, line);
    if (end == text.size()) break;
    pos = end + 1;
  }
}

}  // namespace kfix::escape::internal
