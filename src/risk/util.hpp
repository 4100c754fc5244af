// Internal helpers of the risk layer (not part of the public API).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "kfix/status.hpp"

namespace kfix::internal {

/// A location naming only a file.
inline SourceLocation FileLoc(std::string_view file) {
  SourceLocation l;
  l.file = std::string(file);
  return l;
}

std::string UpperAscii(std::string_view s);
std::string_view TrimAscii(std::string_view s);
bool IsGzip(std::string_view data);
/// Inflates gzip data (concatenated members allowed); kParseError when corrupt.
Result<std::string> Gunzip(std::string_view data, std::string_view source_name, std::size_t max_bytes);
/// Parses a finite double in [0, 1].
bool ParseUnitDouble(std::string_view s, double& out);
/// CVE-YYYY-NNNN... (case-insensitive).
bool LooksLikeCve(std::string_view id);
/// Reads a whole file (binary); kIoError names the path.
Result<std::string> ReadWholeFile(const std::string& path, std::size_t max_bytes = std::size_t{1} << 30);

}  // namespace kfix::internal
