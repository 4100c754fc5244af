// SQLite-backed queue: WAL, synchronous=FULL, one BEGIN IMMEDIATE transaction per transition.
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "kfix/queue.hpp"
#include "queue/json_util.hpp"

namespace kfix {
namespace {

constexpr const char* kSchemaTag = "kfix-queue-1";

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  patch_hash TEXT NOT NULL,
  api_version TEXT NOT NULL, kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
  check_name TEXT NOT NULL, policy TEXT NOT NULL, file TEXT NOT NULL, container TEXT NOT NULL,
  patch TEXT NOT NULL, record TEXT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('queued','leased','acked','dead')),
  attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL,
  risk REAL NOT NULL, kev INTEGER NOT NULL, priority REAL NOT NULL,
  enqueued_at REAL NOT NULL, updated_at REAL NOT NULL,
  lease_owner TEXT, lease_expires REAL, lease_token INTEGER, leased_at REAL,
  last_error TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS items_ready ON items(state, priority DESC, id);
CREATE TABLE IF NOT EXISTS outcomes(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, item_id INTEGER NOT NULL, arm TEXT NOT NULL,
  accepted INTEGER NOT NULL, seconds REAL NOT NULL, at REAL NOT NULL);
)sql";

constexpr const char* kItemColumns =
    "id, key, patch_hash, api_version, kind, namespace, name, check_name, policy, file, container, patch, record, "
    "state, attempts, max_attempts, risk, kev, priority, enqueued_at, updated_at, COALESCE(lease_owner, ''), "
    "COALESCE(lease_expires, 0), COALESCE(lease_token, 0), last_error";

// A prepared statement, finalised on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  Stmt& Bind(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, double d) {
    sqlite3_bind_double(stmt_, i, d);
    return *this;
  }
  Stmt& BindInt(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  /// SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int col) const {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
  }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

// Runs quick_check or integrity_check; `problems` gets every line that is
// not "ok" (at most 100).
Status RunCheck(sqlite3* db, const char* pragma, std::vector<std::string>& problems) {
  Stmt st(db, pragma);
  if (!st.ok()) return IoError(sqlite3_errmsg(db));
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    // One row may hold several problems, one per line, after a header.
    std::string text = st.Text(0);
    std::size_t at = 0;
    while (at <= text.size()) {
      std::size_t nl = text.find('\n', at);
      if (nl == std::string::npos) nl = text.size();
      std::string line = text.substr(at, nl - at);
      at = nl + 1;
      if (line.empty() || line == "ok" || line.rfind("*** in database", 0) == 0) continue;
      if (problems.size() < 100) problems.push_back(std::move(line));
    }
  }
  if (rc != SQLITE_DONE) {
    // SQLITE_CORRUPT / SQLITE_NOTADB while checking: that is the finding.
    if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) {
      problems.push_back(sqlite3_errmsg(db));
      return Status::Ok();
    }
    return IoError(sqlite3_errmsg(db));
  }
  return Status::Ok();
}

Result<QueueState> StateFromName(std::string_view s) {
  if (s == "queued") return QueueState::kQueued;
  if (s == "leased") return QueueState::kLeased;
  if (s == "acked") return QueueState::kAcked;
  if (s == "dead") return QueueState::kDead;
  return InternalError("unknown queue state \"" + std::string(s) + "\"");
}

// Decodes a row selected with kItemColumns. Failures are kParseError naming
// the item and the column, not an offset inside the stored text.
Result<QueueItem> DecodeItem(const Stmt& q, std::int64_t id, const SourceLocation& loc) {
  QueueItem it;
  it.id = q.Int(0);
  it.key = q.Text(1);
  it.patch_hash = q.Text(2);
  it.object.api_version = q.Text(3);
  it.object.kind = q.Text(4);
  it.object.namespace_ = q.Text(5);
  it.object.name = q.Text(6);
  it.check = q.Text(7);
  it.policy = q.Text(8);
  it.file = q.Text(9);
  it.container = q.Text(10);
  auto undecodable = [&](const char* column, const Status& why) {
    return ParseError("queue item " + std::to_string(id) + ": stored " + column + " cannot be decoded: " +
                          why.ToString(),
                      loc);
  };
  if (it.id != id) return undecodable("id", InvalidArgumentError("the row says " + std::to_string(it.id)));
  Result<Value> patch = internal::ParseStoredJson(q.Text(11));
  if (!patch.ok()) return undecodable("patch", patch.status());
  if (!patch->is_array()) return undecodable("patch", InvalidArgumentError("not a JSON array"));
  it.patch = std::move(*patch);
  Result<Value> record = internal::ParseStoredJson(q.Text(12));
  if (!record.ok()) return undecodable("record", record.status());
  it.record = std::move(*record);
  Result<QueueState> st = StateFromName(q.Text(13));
  if (!st.ok()) return undecodable("state", st.status());
  it.state = *st;
  it.attempts = q.Int(14);
  it.max_attempts = q.Int(15);
  it.risk = q.Double(16);
  it.kev = q.Int(17) != 0;
  it.priority = q.Double(18);
  it.enqueued_at = q.Double(19);
  it.updated_at = q.Double(20);
  it.lease_owner = q.Text(21);
  it.lease_expires = q.Double(22);
  it.lease_token = q.Int(23);
  it.last_error = q.Text(24);
  return it;
}

class SqliteQueue final : public Queue {
 public:
  SqliteQueue(sqlite3* db, std::string path, QueueOptions options)
      : db_(db), path_(std::move(path)), options_(std::move(options)) {}
  ~SqliteQueue() override { sqlite3_close_v2(db_); }

  Status Init() {
    sqlite3_busy_timeout(db_, options_.busy_timeout_ms);
    KFIX_RETURN_IF_ERROR(QuickCheck());
    // Switching a fresh database to WAL needs an exclusive lock, and SQLite
    // does not always run the busy handler for it: retry for the timeout.
    Status wal;
    for (int waited_ms = 0;; waited_ms += 2) {
      wal = ExecPragma("PRAGMA journal_mode=WAL", "wal");
      int code = sqlite3_errcode(db_);
      if (wal.ok() || (code != SQLITE_BUSY && code != SQLITE_LOCKED) || waited_ms >= options_.busy_timeout_ms) break;
      sqlite3_sleep(2);
    }
    KFIX_RETURN_IF_ERROR(wal);
    KFIX_RETURN_IF_ERROR(Exec("PRAGMA synchronous=FULL"));
    KFIX_RETURN_IF_ERROR(Exec("PRAGMA foreign_keys=ON"));
    KFIX_RETURN_IF_ERROR(Begin());
    Status s = Exec(kSchema);
    if (s.ok()) {
      Stmt get(db_, "SELECT v FROM meta WHERE k='schema'");
      int rc = get.Step();
      if (rc == SQLITE_ROW) {
        if (get.Text(0) != kSchemaTag) s = IoError("not a kfix queue database (schema " + get.Text(0) + ")", Loc());
      } else if (rc == SQLITE_DONE) {
        Stmt put(db_, "INSERT INTO meta(k, v) VALUES('schema', ?1), ('lease_seq', '0')");
        put.Bind(1, std::string_view(kSchemaTag));
        if (put.Step() != SQLITE_DONE) s = Error("write schema tag");
      } else {
        s = Error("read schema tag");
      }
    }
    return Finish(std::move(s));
  }

  Result<EnqueueResult> Enqueue(const EnqueueRequest& r, double now) override {
    if (!r.patch.is_array()) return InvalidArgumentError("patch must be a JSON array (RFC 6902)");
    if (!std::isfinite(r.risk)) return InvalidArgumentError("risk must be a finite number");
    std::string patch_json = internal::CanonicalJson(r.patch);
    std::string patch_hash = Sha256Hex(patch_json);
    Value ident = Value::MakeArray();
    for (const std::string* s : std::initializer_list<const std::string*>
         {&r.object.api_version, &r.object.kind, &r.object.namespace_, &r.object.name, &r.check, &patch_hash}) {
      ident.PushBack(*s);
    }
    std::string key = Sha256Hex(internal::CanonicalJson(ident));
    ScheduleItem si;
    si.arm = r.check;
    si.risk = r.risk;
    si.kev = r.kev;
    si.enqueued_at = now;
    double priority = Scheduler(options_.scheduler).Score(si, now).score;

    KFIX_RETURN_IF_ERROR(Begin());
    EnqueueResult out;
    Status s;
    {
      Stmt find(db_, "SELECT id FROM items WHERE key = ?1");
      find.Bind(1, key);
      int rc = find.Step();
      if (rc == SQLITE_ROW) {
        out.id = find.Int(0);
      } else if (rc != SQLITE_DONE) {
        s = Error("look up key");
      }
    }
    if (s.ok() && out.id == 0) {
      Stmt ins(db_,
               "INSERT INTO items(key, patch_hash, api_version, kind, namespace, name, check_name, policy, file, "
               "container, patch, record, state, attempts, max_attempts, risk, kev, priority, enqueued_at, "
               "updated_at) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,'queued',0,?13,?14,?15,?16,?17,?17)");
      ins.Bind(1, key).Bind(2, patch_hash).Bind(3, r.object.api_version).Bind(4, r.object.kind);
      ins.Bind(5, r.object.namespace_).Bind(6, r.object.name).Bind(7, r.check).Bind(8, r.policy).Bind(9, r.file);
      ins.Bind(10, r.container).Bind(11, patch_json).Bind(12, internal::CanonicalJson(r.record));
      ins.BindInt(13, options_.max_attempts).Bind(14, r.risk).BindInt(15, r.kev ? 1 : 0).Bind(16, priority);
      ins.Bind(17, now);
      if (ins.Step() != SQLITE_DONE) {
        s = Error("insert item");
      } else {
        out.id = sqlite3_last_insert_rowid(db_);
        out.inserted = true;
      }
    }
    KFIX_RETURN_IF_ERROR(Finish(std::move(s)));
    return out;
  }

  Result<std::optional<QueueItem>> Lease(std::string_view worker, double lease_seconds, double now) override {
    if (!(lease_seconds > 0) || !std::isfinite(lease_seconds)) {
      return InvalidArgumentError("lease seconds must be a positive number");
    }
    KFIX_RETURN_IF_ERROR(Begin());
    Status s = Reclaim(now);
    std::int64_t id = 0;
    Result<QueueItem> item = InternalError("unset");
    // A row that cannot be decoded is dead-lettered with its id and the
    // reason, and the next item is picked: one bad row never blocks leasing.
    while (s.ok()) {
      id = 0;
      Stmt pick(db_, "SELECT id FROM items WHERE state = 'queued' ORDER BY priority DESC, id ASC LIMIT 1");
      int rc = pick.Step();
      if (rc == SQLITE_ROW) {
        id = pick.Int(0);
      } else if (rc != SQLITE_DONE) {
        s = Error("pick item");
      }
      if (!s.ok() || id == 0) break;
      item = Load(id);
      if (item.ok()) break;
      if (item.status().code() != StatusCode::kParseError) {
        s = item.status();
        break;
      }
      s = DeadLetter(id, item.status().message(), now);
    }
    std::int64_t token = 0;
    if (s.ok() && id != 0) {
      Stmt seq(db_, "UPDATE meta SET v = CAST(CAST(v AS INTEGER) + 1 AS TEXT) WHERE k = 'lease_seq' RETURNING v");
      if (seq.Step() == SQLITE_ROW) {
        token = std::strtoll(seq.Text(0).c_str(), nullptr, 10);
      } else {
        s = Error("advance lease sequence");
      }
    }
    if (s.ok() && id != 0) {
      Stmt up(db_,
              "UPDATE items SET state = 'leased', attempts = attempts + 1, lease_owner = ?2, lease_expires = ?3, "
              "lease_token = ?4, leased_at = ?5, updated_at = ?5 WHERE id = ?1 AND state = 'queued'");
      up.BindInt(1, id).Bind(2, worker).Bind(3, now + lease_seconds).BindInt(4, token).Bind(5, now);
      if (up.Step() != SQLITE_DONE || sqlite3_changes(db_) != 1) s = Error("lease item");
    }
    if (s.ok() && id != 0) {
      item = Load(id);
      if (!item.ok()) s = item.status();
    }
    KFIX_RETURN_IF_ERROR(Finish(std::move(s)));
    if (id == 0) return std::optional<QueueItem>();
    return std::optional<QueueItem>(std::move(*item));
  }

  Status Ack(std::int64_t id, double now, std::int64_t lease_token) override {
    return Settle(id, now, lease_token, true, "");
  }

  Status Nack(std::int64_t id, std::string_view reason, double now, std::int64_t lease_token) override {
    return Settle(id, now, lease_token, false, reason);
  }

  Result<std::int64_t> Reprioritise(const SchedulerConfig& config, double now) override {
    KFIX_RETURN_IF_ERROR(Begin());
    Status s = Reclaim(now);
    Scheduler scheduler(config);
    if (s.ok()) {
      Stmt out(db_, "SELECT arm, accepted, seconds FROM outcomes ORDER BY seq");
      int rc;
      while ((rc = out.Step()) == SQLITE_ROW) scheduler.Observe(out.Text(0), out.Int(1) != 0, out.Double(2));
      if (rc != SQLITE_DONE) s = Error("read outcomes");
    }
    std::vector<ScheduleItem> items;
    if (s.ok()) {
      Stmt q(db_, "SELECT id, check_name, namespace, risk, kev, enqueued_at FROM items WHERE state = 'queued' "
                  "ORDER BY id");
      int rc;
      while ((rc = q.Step()) == SQLITE_ROW) {
        ScheduleItem it;
        it.id = std::to_string(q.Int(0));
        it.arm = q.Text(1);
        it.group = q.Text(2);
        it.risk = q.Double(3);
        it.kev = q.Int(4) != 0;
        it.enqueued_at = q.Double(5);
        items.push_back(std::move(it));
      }
      if (rc != SQLITE_DONE) s = Error("read queued items");
    }
    if (s.ok()) {
      // Priorities follow the ranked order (fairness included): each is the
      // item's score, lowered where needed to stay below its predecessor.
      std::vector<ScoredItem> ranked = scheduler.Rank(items, now);
      Stmt up(db_, "UPDATE items SET priority = ?2 WHERE id = ?1");
      double prev = INFINITY;
      for (const ScoredItem& r : ranked) {
        double p = std::min(r.score, std::nextafter(prev, -INFINITY));
        prev = p;
        up.Reset();
        up.BindInt(1, std::stoll(r.item.id)).Bind(2, p);
        if (up.Step() != SQLITE_DONE) {
          s = Error("update priority");
          break;
        }
      }
    }
    KFIX_RETURN_IF_ERROR(Finish(std::move(s)));
    return static_cast<std::int64_t>(items.size());
  }

  Result<QueueStats> Stats(double now) override {
    KFIX_RETURN_IF_ERROR(Begin());
    Status s = Reclaim(now);
    QueueStats st;
    for (const char* name : {"queued", "leased", "acked", "dead"}) st.by_state[name] = 0;
    if (s.ok()) s = DeadLetterUnknownStates(now);
    if (s.ok()) {
      Stmt q(db_, "SELECT state, COUNT(*) FROM items GROUP BY state");
      int rc;
      while ((rc = q.Step()) == SQLITE_ROW) {
        auto it = st.by_state.find(q.Text(0));
        if (it != st.by_state.end()) it->second = q.Int(1);
        st.total += q.Int(1);
      }
      if (rc != SQLITE_DONE) s = Error("count items");
    }
    if (s.ok()) {
      Stmt q(db_, "SELECT COUNT(*) FROM outcomes");
      if (q.Step() == SQLITE_ROW) {
        st.outcomes = q.Int(0);
      } else {
        s = Error("count outcomes");
      }
    }
    KFIX_RETURN_IF_ERROR(Finish(std::move(s)));
    return st;
  }

  Result<QueueItem> Get(std::int64_t id) override { return Load(id); }

 private:
  SourceLocation Loc() const {
    SourceLocation l;
    l.file = path_;
    return l;
  }
  Status Error(const std::string& what) const {
    return IoError("queue: " + what + ": " + sqlite3_errmsg(db_), Loc());
  }
  Status Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err != nullptr ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      return IoError("queue: " + msg, Loc());
    }
    return Status::Ok();
  }
  Status ExecPragma(const char* sql, std::string_view expect) {
    Stmt st(db_, sql);
    if (!st.ok() || st.Step() != SQLITE_ROW) return Error(sql);
    if (st.Text(0) != expect) return IoError(std::string("queue: ") + sql + " returned " + st.Text(0), Loc());
    return Status::Ok();
  }
  Status Begin() { return Exec("BEGIN IMMEDIATE"); }
  // A damaged file is refused when it is opened, before anything reads it.
  Status QuickCheck() {
    std::vector<std::string> problems;
    Status s = RunCheck(db_, "PRAGMA quick_check", problems);
    if (!s.ok()) {
      return IoError("queue: " + path_ + " cannot be checked (" + s.message() + "); " + SalvageHint(), Loc());
    }
    if (problems.empty()) return Status::Ok();
    return IoError("queue: " + path_ + " fails SQLite's quick check (" +
                       (problems.size() >= 100 ? std::string("100 or more") : std::to_string(problems.size())) +
                       " problem" + (problems.size() == 1 ? "" : "s") + ", first: " + problems.front() +
                       "): the file is damaged; " + SalvageHint(),
                   Loc());
  }
  std::string SalvageHint() const {
    return "`kfix queue --db " + path_ + " --salvage NEW_FILE` copies every readable item to a new queue";
  }
  /// Commits when `s` is OK, else rolls back; returns the first error.
  Status Finish(Status s) {
    if (s.ok()) {
      Status c = Exec("COMMIT");
      if (c.ok()) return c;
      s = c;
    }
    Exec("ROLLBACK").IgnoreError();
    return s;
  }

  Status Reclaim(double now) {
    Stmt st(db_,
            "UPDATE items SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, "
            "last_error = 'lease expired (' || COALESCE(lease_owner, '') || ')', lease_owner = NULL, "
            "lease_expires = NULL, lease_token = NULL, leased_at = NULL, updated_at = ?1 "
            "WHERE state = 'leased' AND lease_expires <= ?1");
    st.Bind(1, now);
    return st.Step() == SQLITE_DONE ? Status::Ok() : Error("reclaim expired leases");
  }

  // Moves row `id` to the dead letters: "undecodable row: <reason>".
  Status DeadLetter(std::int64_t id, std::string_view reason, double now) {
    Stmt up(db_,
            "UPDATE items SET state = 'dead', lease_owner = NULL, lease_expires = NULL, lease_token = NULL, "
            "leased_at = NULL, updated_at = ?2, last_error = ?3 WHERE id = ?1");
    up.BindInt(1, id).Bind(2, now).Bind(3, std::string("undecodable row: ") + std::string(reason));
    if (up.Step() != SQLITE_DONE || sqlite3_changes(db_) != 1) return Error("dead-letter item " + std::to_string(id));
    return Status::Ok();
  }

  // Rows whose state is none of the four (a damaged file) go to the dead letters.
  Status DeadLetterUnknownStates(double now) {
    std::vector<std::pair<std::int64_t, std::string>> bad;
    {
      Stmt q(db_, "SELECT id, state FROM items WHERE state NOT IN ('queued', 'leased', 'acked', 'dead')");
      int rc;
      while ((rc = q.Step()) == SQLITE_ROW) bad.emplace_back(q.Int(0), q.Text(1));
      if (rc != SQLITE_DONE) return Error("find rows with an unknown state");
    }
    for (const auto& [id, state] : bad) {
      KFIX_RETURN_IF_ERROR(DeadLetter(id, "queue item " + std::to_string(id) + ": unknown state " + JsonQuote(state), now));
    }
    return Status::Ok();
  }

  Status Settle(std::int64_t id, double now, std::int64_t token, bool accepted, std::string_view reason) {
    KFIX_RETURN_IF_ERROR(Begin());
    Status s;
    std::string arm;
    double leased_at = now;
    {
      Stmt q(db_,
             "SELECT check_name, leased_at FROM items WHERE id = ?1 AND state = 'leased' AND lease_expires > ?2 "
             "AND (?3 = 0 OR lease_token = ?3)");
      q.BindInt(1, id).Bind(2, now).BindInt(3, token);
      int rc = q.Step();
      if (rc == SQLITE_ROW) {
        arm = q.Text(0);
        leased_at = q.Double(1);
      } else if (rc == SQLITE_DONE) {
        s = NotFoundError("queue item " + std::to_string(id) +
                              " has no active lease" + (token != 0 ? " with token " + std::to_string(token) : "") +
                              " (unknown, not leased, expired or leased by another worker)",
                          Loc());
      } else {
        s = Error("find lease");
      }
    }
    if (s.ok()) {
      Stmt up(db_, accepted
                       ? "UPDATE items SET state = 'acked', lease_owner = NULL, lease_expires = NULL, "
                         "lease_token = NULL, updated_at = ?2, last_error = '' WHERE id = ?1"
                       : "UPDATE items SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, "
                         "lease_owner = NULL, lease_expires = NULL, lease_token = NULL, leased_at = NULL, "
                         "updated_at = ?2, last_error = ?3 WHERE id = ?1");
      up.BindInt(1, id).Bind(2, now);
      if (!accepted) up.Bind(3, reason);
      if (up.Step() != SQLITE_DONE || sqlite3_changes(db_) != 1) s = Error("settle item");
    }
    if (s.ok()) {
      Stmt ins(db_, "INSERT INTO outcomes(item_id, arm, accepted, seconds, at) VALUES(?1, ?2, ?3, ?4, ?5)");
      ins.BindInt(1, id).Bind(2, arm).BindInt(3, accepted ? 1 : 0).Bind(4, std::max(0.0, now - leased_at)).Bind(5, now);
      if (ins.Step() != SQLITE_DONE) s = Error("record outcome");
    }
    return Finish(std::move(s));
  }

  Result<QueueItem> Load(std::int64_t id) {
    std::string sql = std::string("SELECT ") + kItemColumns + " FROM items WHERE id = ?1";
    Stmt q(db_, sql.c_str());
    q.BindInt(1, id);
    int rc = q.Step();
    if (rc == SQLITE_DONE) return NotFoundError("queue item " + std::to_string(id) + " does not exist", Loc());
    if (rc != SQLITE_ROW) return Error("load item");
    return DecodeItem(q, id, Loc());
  }

  sqlite3* db_;
  std::string path_;
  QueueOptions options_;
};

}  // namespace

const char* QueueStateName(QueueState s) noexcept {
  switch (s) {
    case QueueState::kQueued: return "queued";
    case QueueState::kLeased: return "leased";
    case QueueState::kAcked: return "acked";
    case QueueState::kDead: return "dead";
  }
  return "queued";
}

Result<std::unique_ptr<Queue>> Queue::Open(const std::string& path, const QueueOptions& options) {
  if (options.max_attempts < 1) return InvalidArgumentError("max_attempts must be at least 1");
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    SourceLocation l;
    l.file = path;
    return IoError("queue: cannot open database: " + msg, l);
  }
  auto q = std::make_unique<SqliteQueue>(db, path, options);
  KFIX_RETURN_IF_ERROR(q->Init());
  return std::unique_ptr<Queue>(std::move(q));
}

namespace {

sqlite3* OpenRaw(const std::string& path, int flags, Status& error) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    SourceLocation l;
    l.file = path;
    error = IoError("queue: cannot open database: " + msg, l);
    return nullptr;
  }
  sqlite3_busy_timeout(db, 10000);
  return db;
}

}  // namespace

Result<QueueCheck> Queue::Check(const std::string& path) {
  Status err;
  sqlite3* db = OpenRaw(path, SQLITE_OPEN_READONLY, err);
  if (db == nullptr) return err;
  QueueCheck out;
  Status s = RunCheck(db, "PRAGMA integrity_check", out.problems);
  sqlite3_close_v2(db);
  if (!s.ok()) {
    SourceLocation l;
    l.file = path;
    return IoError("queue: integrity_check failed to run: " + s.message(), l);
  }
  out.ok = out.problems.empty();
  return out;
}

Result<SalvageReport> Queue::Salvage(const std::string& from, const std::string& to, const QueueOptions& options) {
  SourceLocation to_loc;
  to_loc.file = to;
  if (FILE* f = std::fopen(to.c_str(), "rb")) {
    std::fclose(f);
    return InvalidArgumentError("queue: refusing to salvage into an existing file", to_loc);
  }
  Status err;
  sqlite3* src = OpenRaw(from, SQLITE_OPEN_READONLY, err);
  if (src == nullptr) return err;
  struct Closer {
    sqlite3* db;
    ~Closer() { sqlite3_close_v2(db); }
  } close_src{src};
  {
    // Creates the new file with the schema.
    Result<std::unique_ptr<Queue>> created = Queue::Open(to, options);
    if (!created.ok()) return created.status();
  }
  sqlite3* dst = OpenRaw(to, SQLITE_OPEN_READWRITE, err);
  if (dst == nullptr) return err;
  Closer close_dst{dst};
  auto dst_error = [&](const std::string& what) {
    return IoError("queue: salvage: " + what + ": " + sqlite3_errmsg(dst), to_loc);
  };
  if (sqlite3_exec(dst, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return dst_error("begin");

  // The highest id any readable source says exists.
  std::int64_t max_id = 0;
  for (const char* sql : {"SELECT MAX(id) FROM items", "SELECT seq FROM sqlite_sequence WHERE name = 'items'"}) {
    Stmt q(src, sql);
    if (q.ok() && q.Step() == SQLITE_ROW) max_id = std::max(max_id, q.Int(0));
  }
  max_id = std::min<std::int64_t>(max_id, std::int64_t{1} << 31);

  SalvageReport report;
  SourceLocation from_loc;
  from_loc.file = from;
  const std::string select = std::string("SELECT ") + kItemColumns + " FROM items WHERE id = ?1";
  Stmt ins(dst,
           "INSERT INTO items(id, key, patch_hash, api_version, kind, namespace, name, check_name, policy, file, "
           "container, patch, record, state, attempts, max_attempts, risk, kev, priority, enqueued_at, updated_at, "
           "last_error) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22)");
  if (!ins.ok()) return dst_error("prepare insert");
  for (std::int64_t id = 1; id <= max_id; ++id) {
    Stmt q(src, select.c_str());
    q.BindInt(1, id);
    int rc = q.Step();
    if (rc == SQLITE_DONE) {
      ++report.missing;  // never existed, or lost with a damaged page
      continue;
    }
    if (rc != SQLITE_ROW) {
      report.unreadable.push_back(id);
      continue;
    }
    ++report.scanned;
    Result<QueueItem> item = DecodeItem(q, id, from_loc);
    std::string state = "dead";
    std::string last_error;
    if (item.ok()) {
      state = QueueStateName(item->state);
      last_error = item->last_error;
      if (item->state == QueueState::kLeased) {
        state = "queued";  // a lease on the damaged file cannot be settled in the new one
        last_error = "salvaged while leased (" + item->lease_owner + ")";
      }
    } else {
      last_error = "undecodable row: " + item.status().message();
    }
    const bool good = item.ok();
    std::string key = q.Text(1);
    for (int attempt = 0; attempt < 2; ++attempt) {
      ins.Reset();
      ins.BindInt(1, id).Bind(2, key).Bind(3, q.Text(2));
      for (int c = 3; c <= 10; ++c) ins.Bind(c + 1, q.Text(c));
      ins.Bind(12, good ? q.Text(11) : std::string("[]")).Bind(13, good ? q.Text(12) : std::string("{}"));
      ins.Bind(14, state).BindInt(15, q.Int(14)).BindInt(16, std::max<std::int64_t>(1, q.Int(15)));
      ins.Bind(17, q.Double(16)).BindInt(18, q.Int(17) != 0 ? 1 : 0).Bind(19, q.Double(18));
      ins.Bind(20, q.Double(19)).Bind(21, q.Double(20)).Bind(22, last_error);
      if (ins.Step() == SQLITE_DONE) break;
      if (attempt == 1) return dst_error("insert item " + std::to_string(id));
      key = "salvaged-" + std::to_string(id) + "-" + key;  // a damaged key collided with another
    }
    (good ? report.copied : report.dead_lettered) += 1;
  }
  // Recorded outcomes (the scheduler learns from them) and the lease sequence.
  {
    Stmt q(src, "SELECT item_id, arm, accepted, seconds, at FROM outcomes ORDER BY seq");
    Stmt put(dst, "INSERT INTO outcomes(item_id, arm, accepted, seconds, at) VALUES(?1, ?2, ?3, ?4, ?5)");
    int rc = SQLITE_DONE;
    while (q.ok() && (rc = q.Step()) == SQLITE_ROW) {
      put.Reset();
      put.BindInt(1, q.Int(0)).Bind(2, q.Text(1)).BindInt(3, q.Int(2) != 0 ? 1 : 0).Bind(4, q.Double(3)).Bind(5, q.Double(4));
      if (put.Step() != SQLITE_DONE) return dst_error("insert outcome");
      ++report.outcomes;
    }
    report.outcomes_complete = q.ok() && rc == SQLITE_DONE;
  }
  {
    Stmt q(src, "SELECT v FROM meta WHERE k = 'lease_seq'");
    std::int64_t seq = 0;
    if (q.ok() && q.Step() == SQLITE_ROW) seq = std::strtoll(q.Text(0).c_str(), nullptr, 10);
    Stmt put(dst, "UPDATE meta SET v = ?1 WHERE k = 'lease_seq'");
    put.Bind(1, std::to_string(std::max<std::int64_t>(0, seq)));
    if (put.Step() != SQLITE_DONE) return dst_error("write lease sequence");
  }
  if (sqlite3_exec(dst, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return dst_error("commit");
  return report;
}

}  // namespace kfix
