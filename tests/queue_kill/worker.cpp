// queue_kill_worker DB LOGFILE SEED: performs random queue operations forever
// (until killed). After each committed transition it appends one line to
// LOGFILE and fsyncs it, so the log is a subset of what is committed:
//   E <id> <name>    enqueue committed (new or idempotent repeat)
//   L <id> <token>   lease committed
//   A <id> <token>   ack committed
//   N <id> <token>   nack committed
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "kfix/queue.hpp"

namespace {

double Now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

int g_log = -1;

void Log(const std::string& line) {
  std::string l = line + "\n";
  if (write(g_log, l.data(), l.size()) != static_cast<ssize_t>(l.size()) || fsync(g_log) != 0) {
    std::perror("log");
    std::_Exit(3);
  }
}

[[noreturn]] void Fail(const kfix::Status& s) {
  std::fprintf(stderr, "worker: %s\n", s.ToString(true).c_str());
  std::_Exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: queue_kill_worker DB LOGFILE SEED\n");
    return 1;
  }
  std::string db = argv[1];
  g_log = open(argv[2], O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (g_log < 0) {
    std::perror("open log");
    return 1;
  }
  std::uint64_t seed = std::strtoull(argv[3], nullptr, 10);
  std::mt19937_64 rng(seed);
  kfix::QueueOptions opts;
  opts.max_attempts = 4;
  auto q = kfix::Queue::Open(db, opts);
  if (!q.ok()) Fail(q.status());
  std::string worker = "w" + std::to_string(seed);
  for (std::uint64_t n = 0;; ++n) {
    std::uint64_t r = rng() % 100;
    if (r < 40) {
      // New item, or (1 in 4) an idempotent repeat of an earlier one of this worker.
      std::uint64_t k = (r < 10 && n > 0) ? rng() % n : n;
      std::string name = worker + "-" + std::to_string(k);
      kfix::EnqueueRequest req;
      req.object = {"v1", "Pod", "ns" + std::to_string(k % 3), name};
      req.check = (k % 2 == 0) ? "privileged-container" : "latest-tag";
      req.risk = static_cast<double>(40 + (k * 7) % 60);
      req.patch = kfix::Value::MakeArray();
      kfix::Value op = kfix::Value::MakeObject();
      op.Set("op", "add");
      op.Set("path", "/metadata/labels/fixed");
      op.Set("value", name);
      req.patch.PushBack(op);
      auto res = (*q)->Enqueue(req, Now());
      if (!res.ok()) Fail(res.status());
      Log("E " + std::to_string(res->id) + " " + name);
    } else if (r < 90) {
      auto lease = (*q)->Lease(worker, 0.05, Now());
      if (!lease.ok()) Fail(lease.status());
      if (!lease->has_value()) continue;
      const kfix::QueueItem& item = **lease;
      Log("L " + std::to_string(item.id) + " " + std::to_string(item.lease_token));
      std::uint64_t what = rng() % 10;
      if (what < 7) {
        kfix::Status s = (*q)->Ack(item.id, Now(), item.lease_token);
        if (s.ok()) {
          Log("A " + std::to_string(item.id) + " " + std::to_string(item.lease_token));
        } else if (s.code() != kfix::StatusCode::kNotFound) {  // NotFound: our lease expired meanwhile
          Fail(s);
        }
      } else if (what < 9) {
        kfix::Status s = (*q)->Nack(item.id, "simulated failure", Now(), item.lease_token);
        if (s.ok()) {
          Log("N " + std::to_string(item.id) + " " + std::to_string(item.lease_token));
        } else if (s.code() != kfix::StatusCode::kNotFound) {
          Fail(s);
        }
      }  // else: abandon the lease; it expires
    } else {
      auto st = (*q)->Stats(Now());
      if (!st.ok()) Fail(st.status());
    }
  }
}
