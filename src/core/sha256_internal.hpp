// Internal: incremental SHA-256 (core/sha256.cpp). The public one-shot is
// kfix::Sha256Hex (kfix/core.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kfix::internal {

class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  /// Lowercase hex digest; the object is spent afterwards.
  std::string HexDigest();

 private:
  std::array<std::uint32_t, 8> h_;
  std::array<unsigned char, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_ = 0;
};

/// Lowercase hex SHA-256 of the concatenation a + b (no copy).
std::string Sha256Hex2(std::string_view a, std::string_view b);

}  // namespace kfix::internal
