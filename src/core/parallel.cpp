// The helper threads of ParallelFor (parallel_internal.hpp): a process-wide
// set of threads that stay between calls, so a run's phases do not each pay
// for starting and joining threads, faulting in fresh stacks and filling
// empty allocator caches.
#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>

#include "core/parallel_internal.hpp"

namespace kfix::internal {
namespace {

/// At most this many helper threads ever (ParallelFor's callers ask for at
/// most 255 helpers: --jobs is capped at 256).
constexpr int kMaxHelpers = 256;

struct Job {
  const std::function<void()>* work = nullptr;
  int pending = 0;  // queued, not yet taken by a helper
  int running = 0;  // taken, still in work()
  std::condition_variable done;
};

class HelperPool {
 public:
  /// Queues `helpers` requests to run `work`, runs it on the caller too, then
  /// withdraws the requests no helper has taken yet and waits for the ones
  /// taken: `work` is never called after Run returns.
  void Run(int helpers, const std::function<void()>& work) {
    Job job;
    job.work = &work;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int h = 0; h < helpers; ++h) {
        queue_.push_back(&job);
        ++job.pending;
      }
      // Start helpers for the requests the idle ones cannot take. A thread
      // that cannot be started leaves its request to the others (and, at
      // worst, to the caller alone).
      while (threads_ < kMaxHelpers && idle_ < static_cast<int>(queue_.size())) {
        try {
          std::thread(&HelperPool::Serve, this).detach();
        } catch (const std::system_error&) {
          break;
        }
        ++threads_;
        ++idle_;  // counted idle until it takes a request
      }
    }
    cv_.notify_all();
    struct Finish {  // also when work() throws on the caller: no helper may outlive `job`
      HelperPool* pool;
      Job* job;
      ~Finish() {
        std::unique_lock<std::mutex> lock(pool->mu_);
        for (auto it = pool->queue_.begin(); it != pool->queue_.end();) {
          if (*it == job) {
            it = pool->queue_.erase(it);
            --job->pending;
          } else {
            ++it;
          }
        }
        job->done.wait(lock, [this] { return job->running == 0; });
      }
    } finish{this, &job};
    work();
  }

 private:
  void Serve() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return !queue_.empty(); });
      Job* job = queue_.front();
      queue_.pop_front();
      --idle_;
      --job->pending;
      ++job->running;
      lock.unlock();
      (*job->work)();
      lock.lock();
      ++idle_;
      if (--job->running == 0) job->done.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job*> queue_;
  int threads_ = 0;  // started, never stopped
  int idle_ = 0;     // started and not in a request
};

std::atomic<HelperPool*> g_pool{nullptr};
std::once_flag g_pool_once;

void ForgetPoolInChild() {
  // A forked child has none of the parent's threads: it starts its own set
  // (the parent's pool, whose mutex a vanished thread may hold, is left alone).
  g_pool.store(new HelperPool, std::memory_order_release);  // NOLINT: lives as long as the process
}

HelperPool& Pool() {
  std::call_once(g_pool_once, [] {
    g_pool.store(new HelperPool, std::memory_order_release);  // NOLINT: lives as long as the process
    pthread_atfork(nullptr, nullptr, &ForgetPoolInChild);
  });
  return *g_pool.load(std::memory_order_acquire);
}

}  // namespace

void RunWithHelpers(int helpers, const std::function<void()>& work) {
  if (helpers <= 0) {
    work();
    return;
  }
  Pool().Run(helpers, work);
}

}  // namespace kfix::internal
