// Internal helpers of the report layer. Not installed; namespace kfix::internal.
#pragma once

#include <string>
#include <string_view>

namespace kfix::internal {

/// `s` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string Sanitize(std::string_view s);
/// Appends `s` escaped for HTML text and attribute values (& < > " ').
void AppendEscaped(std::string& out, std::string_view s);
/// A number for display: integers without a fraction, others with at most
/// two decimals ("12", "0.5", "95.44").
std::string Fmt(double d);
/// Seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ".
std::string Rfc3339(double seconds);

/// The report's stylesheet and table script (inline in the page).
extern const char* const kReportCss;
extern const char* const kReportScript;

}  // namespace kfix::internal
