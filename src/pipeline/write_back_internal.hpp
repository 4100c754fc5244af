// Internal: write-back of one file at a time (the engine's per-file
// streaming fix renders and writes each file while its trees are alive).
#pragma once

#include <string>
#include <vector>

#include "kfix/pipeline.hpp"

namespace kfix::internal {

/// Where each input goes under an output directory (CheckWriteBack's rules).
struct WriteBackLayout {
  std::vector<std::string> files;     // ExpandPaths order, each file once
  std::vector<std::string> relative;  // parallel to files: the path under the output directory
};
Result<WriteBackLayout> MakeWriteBackLayout(const std::vector<std::string>& paths);

/// WriteBack() of the one input layout.files[index], whose objects (with
/// their trees) and kept text are in `report`: rendered, diffed into *diff
/// (with options.diff) and written as options.mode says.
WrittenFile WriteBackFile(const FixReport& report, std::size_t index, const WriteBackLayout& layout,
                          const WriteBackOptions& options, std::string* diff);

}  // namespace kfix::internal
