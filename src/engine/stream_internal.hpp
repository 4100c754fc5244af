// Internal: the per-file streaming runs of the engine (scan and fix with
// scan.context per-file): which files form one lint context, and the loop
// that loads and works on a bounded window of them on `jobs` threads while
// the calling thread hands the results over in report order.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
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

/// Runs work(group) for every group and emit(result) for each on the calling
/// thread in group order; stops at the first emit error (returned). With one
/// job everything runs on the calling thread, one group at a time. With N,
/// N worker threads take the groups in order, never more than 4N ahead of
/// the next one to emit (a bounded reorder window: results wait, not trees).
template <typename R>
Status StreamGroups(const PerFileRun& run, int jobs, const std::function<R(const InputGroup&)>& work,
                    const std::function<Status(R&&)>& emit) {
  const std::size_t n = run.groups.size();
  const int threads = ThreadCount(jobs, n);
  if (threads <= 1) {
    for (const InputGroup& g : run.groups) {
      if (Status s = emit(work(g)); !s.ok()) return s;
    }
    return Status::Ok();
  }
  const std::size_t window = static_cast<std::size_t>(threads) * 4;
  std::vector<std::optional<R>> ready(window);  // ring: group i waits in ready[i % window]
  std::mutex mu;
  std::condition_variable cv;
  std::size_t next = 0, emitted = 0;
  bool stop = false;
  auto worker = [&] {
    for (;;) {
      std::size_t i = 0;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return stop || next >= n || next < emitted + window; });
        if (stop || next >= n) return;
        i = next++;
      }
      R r = work(run.groups[i]);
      {
        std::lock_guard<std::mutex> lock(mu);
        ready[i % window].emplace(std::move(r));
      }
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    try {
      pool.emplace_back(worker);
    } catch (const std::system_error&) {
      break;
    }
  }
  Status st;
  if (pool.empty()) {
    for (const InputGroup& g : run.groups) {
      if (st = emit(work(g)); !st.ok()) break;
    }
    return st;
  }
  for (std::size_t e = 0; e < n; ++e) {
    std::optional<R> r;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return ready[e % window].has_value(); });
      r.swap(ready[e % window]);
      ++emitted;
    }
    cv.notify_all();
    st = emit(std::move(*r));
    if (!st.ok()) break;
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    stop = true;
  }
  cv.notify_all();
  for (std::thread& t : pool) t.join();
  return st;
}

}  // namespace kfix::internal
