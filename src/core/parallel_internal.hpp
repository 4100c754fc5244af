// The one thread helper every layer uses: run fn(i) for i in [0, n) on a few
// threads. Internal: not part of the public API.
//
// Thread safety: fn is called concurrently from `threads` threads (the calling
// thread is one of them); each index exactly once.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>

namespace kfix::internal {

/// Threads to use for `work` items when the caller asked for `jobs`
/// (<= 0: one per hardware thread): never more than the items, at least 1.
inline int ThreadCount(int jobs, std::size_t work) {
  int n = jobs <= 0 ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) : jobs;
  if (static_cast<std::size_t>(n) > work) n = static_cast<int>(std::max<std::size_t>(work, 1));
  return std::max(n, 1);
}

/// Items per claim for ParallelFor over `n` small items (microseconds each,
/// such as one pass over every object): about 64 claims per thread, so the
/// threads do not take turns on the shared counter's cache line for every
/// item, while the last claims still balance the threads.
inline std::size_t SmallItemGrain(std::size_t n, int threads) {
  return std::max<std::size_t>(1, n / (static_cast<std::size_t>(std::max(threads, 1)) * 64));
}

/// Runs `work` on the calling thread and on up to `helpers` helper threads at
/// once, and returns once every call of it has returned. The helpers are
/// threads kept for the life of the process (started as needed, never more
/// than 256) and shared by every caller: a helper busy elsewhere, or one
/// that could not be started, leaves its share to the others, so `work` must
/// take its items from shared state and may be called fewer times than asked
/// (at least once, on the caller). Safe to nest and to call from several
/// threads; a forked child starts its own helpers.
void RunWithHelpers(int helpers, const std::function<void()>& work);

/// Runs fn(i) for every i in [0, n) on `threads` threads, the calling thread
/// included; items are claimed `grain` at a time (consecutive indices) from a
/// shared counter, so uneven items balance themselves. When fewer threads
/// can help, the ones running do all the work.
template <typename F>
void ParallelFor(std::size_t n, int threads, F&& fn, std::size_t grain = 1) {
  if (threads <= 1 || n < 2) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  grain = std::max<std::size_t>(grain, 1);
  std::atomic<std::size_t> next{0};
  const std::function<void()> worker = [&]() {
    for (;;) {
      const std::size_t first = next.fetch_add(grain, std::memory_order_relaxed);
      if (first >= n) return;
      const std::size_t last = std::min(n, first + grain);
      for (std::size_t i = first; i < last; ++i) fn(i);
    }
  };
  RunWithHelpers(threads - 1, worker);
}

}  // namespace kfix::internal
