// kfix queue --db FILE <enqueue|lease|ack|nack|stats|reprioritise|check> ...
// kfix queue --db FILE --salvage NEW_FILE
//
// The CLI is the one place that reads the wall clock: it passes Unix time as
// `now` to the queue API. JSON outputs carry schemaVersion.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.hpp"
#include "kfix/engine.hpp"

namespace {

using kfix::cli::UsageError;

constexpr int kExitEmpty = 3;  ///< lease: nothing to lease

double WallClock() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int Fail(const kfix::Status& s) {
  std::fprintf(stderr, "kfix queue: %s\n", s.ToString(true).c_str());
  return kfix::cli::kExitError;
}

kfix::SourceLocation FileLoc(const std::string& path) {
  kfix::SourceLocation l;
  l.file = path;
  return l;
}

void Print(const kfix::Value& v) { std::printf("%s\n", kfix::ToJson(v, kfix::JsonStyle::kPretty).c_str()); }

bool ParseNumber(const std::string& text, double& out) {
  try {
    std::size_t used = 0;
    out = std::stod(text, &used);
    return used == text.size();
  } catch (...) {
    return false;
  }
}

bool ParseId(const std::string& text, std::int64_t& out) {
  try {
    std::size_t used = 0;
    out = std::stoll(text, &used);
    return used == text.size() && out > 0;
  } catch (...) {
    return false;
  }
}

constexpr const char* kUsage =
    "usage: kfix queue --db FILE enqueue --results FIX_JSON [--max-attempts N]\n"
    "       kfix queue --db FILE lease [--worker W] [--lease-seconds S]   (exit 3 when empty)\n"
    "       kfix queue --db FILE ack ID [--token T]\n"
    "       kfix queue --db FILE nack ID [--reason TEXT] [--token T]\n"
    "       kfix queue --db FILE stats\n"
    "       kfix queue --db FILE check                 (PRAGMA integrity_check; exit 2 when damaged)\n"
    "       kfix queue --db FILE --salvage NEW_FILE    (copy every readable item of a damaged queue)\n"
    "       kfix queue --db FILE reprioritise [--exploration ucb|thompson|none] [--seed N]\n"
    "                                         [--fairness none|cap|round-robin] [--fairness-k K] [--fairness-top N]\n"
    "Every operation takes [--audit FILE --key PRIVATE_KEY]: enqueue, lease, ack and nack are then\n"
    "appended as signed records (kfix.queue.<operation>) to the hash-chained audit log.";

int RunQueue(const std::vector<std::string>& args) {
  kfix::cli::Args a(args,
                    {"db", "results", "max-attempts", "worker", "lease-seconds", "token", "reason", "exploration",
                     "seed", "fairness", "fairness-k", "fairness-top", "audit", "key", "salvage"},
                    {"help"});
  if (!a.ok()) return UsageError("queue", a.error());
  if (a.Has("help")) {
    std::printf("%s\n", kUsage);
    return kfix::cli::kExitOk;
  }
  if (!a.Has("db")) return UsageError("queue", "--db FILE is required");
  if (a.Has("salvage")) {
    if (!a.positionals().empty()) return UsageError("queue", "--salvage takes no operation");
    auto report = kfix::Queue::Salvage(a.Get("db"), a.Get("salvage"));
    if (!report.ok()) return Fail(report.status());
    Print(kfix::SalvageReportToValue(*report));
    return kfix::cli::kExitOk;
  }
  if (a.positionals().empty()) return UsageError("queue", std::string("missing operation\n") + kUsage);
  const std::string op = a.positionals()[0];
  if (op == "check") {
    if (a.positionals().size() != 1) return UsageError("queue", "check takes no positional argument");
    auto check = kfix::Queue::Check(a.Get("db"));
    if (!check.ok()) return Fail(check.status());
    Print(kfix::QueueCheckToValue(*check));
    return check->ok ? kfix::cli::kExitOk : 2;
  }
  kfix::QueueOptions opts;
  if (a.Has("max-attempts")) {
    double n = 0;
    if (!ParseNumber(a.Get("max-attempts"), n) || n < 1 || n != static_cast<int>(n)) {
      return UsageError("queue", "--max-attempts must be a positive integer");
    }
    opts.max_attempts = static_cast<int>(n);
  }
  std::int64_t token = 0;
  if (a.Has("token") && !ParseId(a.Get("token"), token)) return UsageError("queue", "--token must be a positive integer");
  std::size_t want_pos = (op == "ack" || op == "nack") ? 2 : 1;
  if (a.positionals().size() != want_pos) {
    return UsageError("queue", op + (want_pos == 2 ? " takes one ID" : " takes no positional argument"));
  }
  std::unique_ptr<kfix::AuditLog> audit;
  if (!kfix::cli::OpenAuditFlags("queue", a, &audit)) return kfix::cli::kExitError;
  auto q = kfix::Queue::Open(a.Get("db"), opts);
  if (!q.ok()) return Fail(q.status());
  // The queue state has changed when a record is written: a failed append
  // is reported (exit 1) but does not undo the transition.
  kfix::QueueAudit audit_to{audit.get(), a.Get("db")};
  const double now = WallClock();
  auto print = [](const kfix::Result<kfix::Value>& v) {
    if (!v.ok()) return Fail(v.status());
    Print(*v);
    return kfix::cli::kExitOk;
  };

  if (op == "enqueue") {
    if (!a.Has("results")) return UsageError("queue", "enqueue needs --results FILE (kfix fix JSON)");
    std::string path = a.Get("results");
    auto text = kfix::ReadFileToString(path);
    if (!text.ok()) return Fail(text.status().WithDefaultLocation(FileLoc(path)));
    auto doc = kfix::ParseJson(*text);
    if (!doc.ok()) return Fail(doc.status().WithDefaultLocation(FileLoc(path)));
    kfix::Result<kfix::Value> out = kfix::QueueEnqueueReport(**q, *doc, now, audit_to);
    if (!out.ok()) return Fail(out.status().WithDefaultLocation(FileLoc(path)));
    return print(out);
  }
  if (op == "lease") {
    double seconds = 300;
    if (a.Has("lease-seconds") && (!ParseNumber(a.Get("lease-seconds"), seconds) || !(seconds > 0))) {
      return UsageError("queue", "--lease-seconds must be a positive number");
    }
    kfix::Result<kfix::Value> item = kfix::QueueLeaseNext(**q, a.Get("worker", "kfix-cli"), seconds, now, audit_to);
    if (item.ok() && item->is_null()) {
      std::fprintf(stderr, "kfix queue: nothing to lease\n");
      return kExitEmpty;
    }
    return print(item);
  }
  if (op == "ack" || op == "nack") {
    std::int64_t id = 0;
    if (!ParseId(a.positionals()[1], id)) return UsageError("queue", "ID must be a positive integer");
    return print(op == "ack" ? kfix::QueueAckItem(**q, id, token, now, audit_to)
                             : kfix::QueueNackItem(**q, id, a.Get("reason"), token, now, audit_to));
  }
  if (op == "stats") return print(kfix::QueueStatsDocument(**q, now));
  if (op == "reprioritise" || op == "reprioritize") {
    kfix::SchedulerConfig cfg;
    if (a.Has("exploration")) {
      auto e = kfix::ParseExploration(a.Get("exploration"));
      if (!e.ok()) return UsageError("queue", e.status().message());
      cfg.exploration = *e;
    }
    if (a.Has("fairness")) {
      auto f = kfix::ParseFairness(a.Get("fairness"));
      if (!f.ok()) return UsageError("queue", f.status().message());
      cfg.fairness = *f;
    }
    double v = 0;
    if (a.Has("seed")) {
      if (!ParseNumber(a.Get("seed"), v) || v < 0) return UsageError("queue", "--seed must be a non-negative integer");
      cfg.seed = static_cast<std::uint64_t>(v);
    }
    if (a.Has("fairness-k")) {
      if (!ParseNumber(a.Get("fairness-k"), v) || v < 1) return UsageError("queue", "--fairness-k must be >= 1");
      cfg.fairness_k = static_cast<int>(v);
    }
    if (a.Has("fairness-top")) {
      if (!ParseNumber(a.Get("fairness-top"), v) || v < 1) return UsageError("queue", "--fairness-top must be >= 1");
      cfg.fairness_top_n = static_cast<int>(v);
    }
    return print(kfix::QueueReprioritiseDocument(**q, cfg, now));
  }
  return UsageError("queue", "unknown operation \"" + op + "\"\n" + kUsage);
}

}  // namespace

KFIX_CLI_COMMAND("queue", "durable fix queue: enqueue, lease, ack, nack, stats", kUsage, RunQueue, "enqueue", "lease", "ack", "nack", "stats", "reprioritise");
