// Internal: helpers of the external-patch extraction (extract.cpp) that the
// guard uses before parsing.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace kfix::internal {

/// The number of op objects in patch text that is a JSON (or YAML flow)
/// array, after the same trimming and code-fence stripping ExtractPatch
/// does, counted with one pass over the bytes (no tree is built): the
/// `{`s directly inside the top-level `[`. nullopt when the text is not an
/// array. For valid JSON the count is exact; it lets the budget gate refuse
/// a huge patch before it is parsed.
std::optional<std::size_t> CountPatchOps(std::string_view text);

}  // namespace kfix::internal
