// Internal JSON helpers shared by the core layer (YAML loader, patch code).
// Not installed; namespace kfix::internal.
//
// Thread safety: all functions are reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"

namespace kfix::internal {

/// ParseJson() that also reports non-fatal problems: with
/// `options.strict_duplicate_keys == false`, each duplicate key appends a
/// warning (kParseError code, line/column of the repeated key) to `warnings`
/// (may be null) and the last value wins. Columns count code points, 1-based.
Result<Value> ParseJsonWithWarnings(std::string_view text, const ParseOptions& options,
                                    std::vector<Status>* warnings);

/// Validates UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
/// Returns the byte offset of the first invalid sequence, or npos.
std::size_t FindInvalidUtf8(std::string_view s) noexcept;

/// Appends `s` as a JSON string literal (with quotes). Control characters are
/// escaped as \b \f \n \r \t or \u00xx (lowercase hex), `"` and `\` with a
/// backslash; everything else (including non-ASCII UTF-8 and DEL) is copied
/// as is. Invalid UTF-8 sequences are replaced by U+FFFD.
void AppendJsonString(std::string& out, std::string_view s);

/// Shortest round-trip text of a finite double (std::to_chars), e.g. "0.1",
/// "1e+20", "5e-324". Precondition: std::isfinite(d).
void AppendShortestDouble(std::string& out, double d);

}  // namespace kfix::internal
