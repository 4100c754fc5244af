// Internal: loading one file of a run under the run's limits (LoadPaths and
// the per-file streaming of the engine share it).
#pragma once

#include <atomic>
#include <cstddef>
#include <string>

#include "kfix/core.hpp"

namespace kfix::internal {

/// Nodes and documents loaded so far in one run (every file together).
struct RunCounters {
  std::atomic<std::size_t> nodes{0};
  std::atomic<std::size_t> documents{0};
};

/// LoadFile(path, options.parse, text) unless the files loaded before it
/// already reach options.max_run_nodes / max_run_documents: then the file is
/// not read and its result is one kLimitExceeded error naming the limit.
/// Adds what it loaded to `counters`. Thread-safe for concurrent calls.
LoadResult LoadUnderRunLimits(const std::string& path, const LoadPathsOptions& options, RunCounters& counters,
                              std::string* text);

}  // namespace kfix::internal
