// Internal: the per-file streaming runs of the engine (scan and fix with
// scan.context per-file): which files form one lint context, and the loop
// that loads and works on a bounded window of them on `jobs` threads while
// the calling thread hands the results over in report order.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/files_internal.hpp"
#include "core/parallel_internal.hpp"
#include "kfix/core.hpp"
#include "kfix/status.hpp"

namespace kfix::internal {

/// One lint context of a per-file run: the inputs order[begin, end) of its
/// run, all with the same path (more than one when a path was given twice).
struct InputGroup {
  std::size_t begin = 0, end = 0;
};

/// The inputs of a run (ExpandPaths order, `skip` applied), their order by
/// path, and their lint contexts in report order (by path).
struct PerFileRun {
  std::vector<std::string> inputs;
  std::vector<std::size_t> order;
  std::vector<InputGroup> groups;
  const std::string& File(const InputGroup& g) const { return inputs[order[g.begin]]; }
};
Result<PerFileRun> PlanPerFileRun(const std::vector<std::string>& paths,
                                  const std::function<bool(const std::string&)>& skip);

/// One group loaded: the objects of its inputs in input order, their errors
/// and warnings with the input each came from and the inputs' texts (with
/// `keep_text`).
struct LoadedGroup {
  LoadResult load;
  std::vector<std::size_t> error_inputs, warning_inputs;
  std::vector<std::size_t> manifest_inputs;  // the input of each object
  std::vector<std::string> texts;            // one per input of the group (keep_text)
};
LoadedGroup LoadGroup(const PerFileRun& run, const InputGroup& group, const LoadPathsOptions& options,
                      RunCounters& counters);

/// Runs work(group) for every group on `jobs` threads, a window of 4 per
/// thread at a time, and emit(result) for each on the calling thread in
/// group order; stops at the first emit error (returned).
template <typename R>
Status StreamGroups(const PerFileRun& run, int jobs, const std::function<R(const InputGroup&)>& work,
                    const std::function<Status(R&&)>& emit) {
  const std::size_t n = run.groups.size();
  const int threads = ThreadCount(jobs, n);
  const std::size_t window = static_cast<std::size_t>(threads) * 4;
  std::vector<R> results;
  for (std::size_t first = 0; first < n; first += window) {
    const std::size_t count = std::min(window, n - first);
    results.clear();
    results.resize(count);
    ParallelFor(count, threads, [&](std::size_t i) { results[i] = work(run.groups[first + i]); });
    for (R& r : results) {
      if (Status s = emit(std::move(r)); !s.ok()) return s;
      r = R();
    }
  }
  return Status::Ok();
}

}  // namespace kfix::internal
