// Internal helpers of the audit layer: libsodium initialisation and hex.
// SHA-256 is core's (core/sha256_internal.hpp).
#pragma once

#include <string>
#include <string_view>

#include "core/sha256_internal.hpp"

namespace kfix::internal {

/// Calls sodium_init() exactly once per process (std::call_once). Returns
/// false if libsodium could not initialise (then no crypto may be used).
bool EnsureSodium() noexcept;

/// True if `s` is exactly `n` lowercase hex digits.
bool IsLowerHex(std::string_view s, std::size_t n) noexcept;

/// Decodes exactly 2*out_size hex digits into `out`. False on bad input.
bool DecodeHexInto(std::string_view hex, unsigned char* out, std::size_t out_size) noexcept;

}  // namespace kfix::internal
