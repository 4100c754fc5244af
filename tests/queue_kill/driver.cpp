// queue_kill_driver WORKER ITERATIONS SEED: starts 1-2 workers on one queue,
// SIGKILLs them after a random delay, repeats ITERATIONS times, then checks:
//  1. the database passes PRAGMA integrity_check;
//  2. every logged enqueue (committed) is present exactly once, with the
//     logged id, and repeats of a name always got the same id;
//  3. every logged ack left its item acked, and no lease of that item has a
//     token greater than the acking lease's token (tokens are a committed,
//     strictly increasing sequence), i.e. no acked item was leased again;
//  4. every ack matches a logged lease with the same token;
//  5. the queue still works: every remaining item can be drained.
#include <dirent.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "kfix/queue.hpp"

namespace {

int g_failures = 0;

void Expect(bool ok, const std::string& what) {
  if (!ok) {
    if (g_failures < 20) std::fprintf(stderr, "INVARIANT VIOLATED: %s\n", what.c_str());
    ++g_failures;
  }
}

double Now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Row {
  std::string name;
  std::string state;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: queue_kill_driver WORKER ITERATIONS SEED\n");
    return 1;
  }
  std::string worker = argv[1];
  int iterations = std::atoi(argv[2]);
  std::uint64_t seed = std::strtoull(argv[3], nullptr, 10);
  char tmpl[] = "/tmp/kfix-queue-kill-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  std::string dir = tmpl;
  std::string db = dir + "/queue.db";
  std::mt19937_64 rng(seed);
  std::vector<std::string> logs;
  int killed = 0;
  // On a loaded machine a worker may not get past opening the database within
  // 40 ms: after the planned iterations, go on with up to 10x longer delays
  // until some work was logged (at most `iterations` more), so the test
  // checks something however slow the host is.
  auto work_logged = [&logs]() {
    bool enq = false, ack = false;
    for (const std::string& path : logs) {
      std::ifstream in(path);
      std::string line;
      while (std::getline(in, line) && !(enq && ack)) {
        enq = enq || line.rfind("E ", 0) == 0;
        ack = ack || line.rfind("A ", 0) == 0;
      }
    }
    return enq && ack;
  };
  for (int it = 0; it < 2 * iterations; ++it) {
    if (it >= iterations && work_logged()) break;
    const useconds_t stretch = it < iterations ? 1 : 10;
    int n = rng() % 4 == 0 ? 2 : 1;
    std::vector<pid_t> pids;
    for (int w = 0; w < n; ++w) {
      std::string wseed = std::to_string(seed % 100000 * 10000 + static_cast<std::uint64_t>(it) * 2 +
                                         static_cast<std::uint64_t>(w));
      std::string log = dir + "/w" + wseed + ".log";
      logs.push_back(log);
      pid_t pid = fork();
      if (pid < 0) {
        std::perror("fork");
        return 1;
      }
      if (pid == 0) {
        execl(worker.c_str(), worker.c_str(), db.c_str(), log.c_str(), wseed.c_str(), static_cast<char*>(nullptr));
        std::_Exit(127);
      }
      pids.push_back(pid);
    }
    // Random instant: 0-40 ms, with a bias to very early kills (during open/schema creation).
    std::uint64_t r = rng() % 100;
    useconds_t delay = stretch * static_cast<useconds_t>(r < 15 ? rng() % 2000 : rng() % 40000);
    usleep(delay);
    for (pid_t pid : pids) kill(pid, SIGKILL);
    for (pid_t pid : pids) {
      int status = 0;
      waitpid(pid, &status, 0);
      if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
        ++killed;
      } else {
        std::fprintf(stderr, "worker %d exited by itself (status %d) in iteration %d\n", pid, status, it);
        return 1;
      }
    }
  }

  // Parse the logs.
  std::map<std::string, std::int64_t> id_of_name;
  std::map<std::int64_t, std::int64_t> ack_token;                // id -> token of the acking lease
  std::map<std::int64_t, std::set<std::int64_t>> lease_tokens;   // id -> tokens
  std::int64_t enqueues = 0, leases = 0, acks = 0, nacks = 0;
  for (const std::string& path : logs) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      std::string kind;
      std::int64_t id = 0;
      ls >> kind >> id;
      if (kind == "E") {
        std::string name;
        ls >> name;
        ++enqueues;
        auto [itn, inserted] = id_of_name.emplace(name, id);
        Expect(inserted || itn->second == id, "name " + name + " enqueued with two ids");
      } else {
        std::int64_t token = 0;
        ls >> token;
        if (kind == "L") {
          ++leases;
          Expect(lease_tokens[id].insert(token).second, "lease token reused");
        } else if (kind == "A") {
          ++acks;
          Expect(ack_token.emplace(id, token).second, "item " + std::to_string(id) + " acked twice");
        } else if (kind == "N") {
          ++nacks;
        } else {
          Expect(false, "bad log line: " + line);
        }
      }
    }
  }

  // Read the database directly.
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "cannot open %s\n", db.c_str());
    return 1;
  }
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, nullptr);
  Expect(sqlite3_step(st) == SQLITE_ROW &&
             std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "ok",
         "integrity_check");
  sqlite3_finalize(st);
  std::map<std::int64_t, Row> rows;
  std::map<std::string, int> name_count;
  sqlite3_prepare_v2(h, "SELECT id, name, state FROM items", -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) {
    Row row{reinterpret_cast<const char*>(sqlite3_column_text(st, 1)),
            reinterpret_cast<const char*>(sqlite3_column_text(st, 2))};
    ++name_count[row.name];
    rows[sqlite3_column_int64(st, 0)] = row;
  }
  sqlite3_finalize(st);
  sqlite3_close(h);

  for (const auto& [name, id] : id_of_name) {
    auto it = rows.find(id);
    Expect(it != rows.end(), "committed enqueue of " + name + " (id " + std::to_string(id) + ") lost");
    if (it != rows.end()) Expect(it->second.name == name, "id " + std::to_string(id) + " holds another name");
    Expect(name_count[name] == 1, name + " present " + std::to_string(name_count[name]) + " times");
  }
  for (const auto& [id, token] : ack_token) {
    auto it = rows.find(id);
    Expect(it != rows.end() && it->second.state == "acked", "acked item " + std::to_string(id) + " not acked");
    const std::set<std::int64_t>& ts = lease_tokens[id];
    Expect(ts.count(token) == 1, "ack of " + std::to_string(id) + " without a logged lease");
    Expect(ts.upper_bound(token) == ts.end(), "acked item " + std::to_string(id) + " leased again after ack");
  }

  // The queue still works: drain everything that is left.
  auto q = kfix::Queue::Open(db);
  Expect(q.ok(), "reopen queue");
  std::int64_t drained = 0;
  if (q.ok()) {
    double now = Now() + 3600;  // every old lease has expired
    for (std::size_t guard = 0; guard <= rows.size(); ++guard) {
      auto l = (*q)->Lease("drain", 60, now);
      Expect(l.ok(), "drain lease");
      if (!l.ok() || !l->has_value()) break;
      Expect(ack_token.count((**l).id) == 0, "drain leased an acked item");
      Expect((*q)->Ack((**l).id, now).ok(), "drain ack");
      ++drained;
    }
    auto stats = (*q)->Stats(now);
    Expect(stats.ok() && stats->by_state["queued"] == 0 && stats->by_state["leased"] == 0, "queue not drained");
  }

  std::printf(
      "iterations=%d killed=%d items=%zu logged: enqueues=%lld leases=%lld acks=%lld nacks=%lld; drained=%lld "
      "violations=%d\n",
      iterations, killed, rows.size(), static_cast<long long>(enqueues), static_cast<long long>(leases),
      static_cast<long long>(acks), static_cast<long long>(nacks), static_cast<long long>(drained), g_failures);
  bool enough = acks > 0 && enqueues > 0;
  if (!enough) std::fprintf(stderr, "the workers did too little work to test anything\n");
  if (g_failures == 0 && enough) {
    for (const std::string& p : logs) std::remove(p.c_str());
    for (const char* s : {"", "-wal", "-shm"}) std::remove((db + s).c_str());
    rmdir(dir.c_str());
    return 0;
  }
  std::fprintf(stderr, "kept %s for inspection\n", dir.c_str());
  return 1;
}
