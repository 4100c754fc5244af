// Queue: idempotent enqueue, leases with visibility timeout (injected clock), ack/nack,
// dead letters, re-prioritisation from learned outcomes, stats, persistence.
#include <doctest/doctest.h>
#include <unistd.h>

#include <sqlite3.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "kfix/queue.hpp"
#include "queue/json_util.hpp"

namespace {

struct TempDb {
  std::string path;
  TempDb() {
    char tmpl[] = "/tmp/kfix-queue-test-XXXXXX";
    int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    close(fd);
    path = tmpl;
    std::remove(path.c_str());
  }
  ~TempDb() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  }
};

kfix::Value Json(const char* text) {
  auto v = kfix::internal::ParseStoredJson(text);
  REQUIRE(v.ok());
  return *v;
}

kfix::EnqueueRequest Req(std::string name, std::string check, double risk, const char* patch = nullptr,
                         std::string ns = "default") {
  kfix::EnqueueRequest r;
  r.object = {"apps/v1", "Deployment", std::move(ns), std::move(name)};
  r.check = std::move(check);
  r.risk = risk;
  r.patch = Json(patch != nullptr ? patch
                                  : R"([{"op":"add","path":"/spec/template/spec/securityContext","value":{"a":1}}])");
  return r;
}

std::unique_ptr<kfix::Queue> OpenQ(const std::string& path, int max_attempts = 3) {
  kfix::QueueOptions o;
  o.max_attempts = max_attempts;
  auto q = kfix::Queue::Open(path, o);
  REQUIRE(q.ok());
  return std::move(*q);
}

}  // namespace

TEST_CASE("SHA-256 test vectors") {
  CHECK(kfix::Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(kfix::Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(kfix::Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(kfix::Sha256Hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("canonical JSON sorts keys and is whitespace-free") {
  CHECK(kfix::internal::CanonicalJson(Json(R"({"b": [1, 2.5, "x\n"], "a": {"z": null, "y": true}})")) ==
        R"({"a":{"y":true,"z":null},"b":[1,2.5,"x\n"]})");
}

TEST_CASE("enqueue is idempotent on object + check + patch hash") {
  TempDb db;
  auto q = OpenQ(db.path);
  auto a = q->Enqueue(Req("web", "privileged-container", 85), 100);
  REQUIRE(a.ok());
  CHECK(a->inserted);
  // Same patch with keys in another order: same canonical JSON, same key.
  auto b = q->Enqueue(
      Req("web", "privileged-container", 85,
          R"([{"value":{"a":1},"path":"/spec/template/spec/securityContext","op":"add"}])"),
      200);
  REQUIRE(b.ok());
  CHECK_FALSE(b->inserted);
  CHECK(b->id == a->id);
  CHECK(q->Enqueue(Req("web", "run-as-non-root", 70), 100)->inserted);
  CHECK(q->Enqueue(Req("api", "privileged-container", 85), 100)->inserted);
  CHECK(q->Enqueue(Req("web", "privileged-container", 85, R"([{"op":"remove","path":"/x"}])"), 100)->inserted);
  auto st = q->Stats(100);
  REQUIRE(st.ok());
  CHECK(st->total == 4);
  CHECK(st->by_state["queued"] == 4);
  auto item = q->Get(a->id);
  REQUIRE(item.ok());
  CHECK(item->enqueued_at == 100);  // the duplicate did not reset the age
  CHECK(item->patch_hash.size() == 64);
  CHECK(item->patch.size() == 1);
  // Bad patch shape.
  kfix::EnqueueRequest bad = Req("x", "c", 10);
  bad.patch = kfix::Value::MakeObject();
  CHECK(q->Enqueue(bad, 1).status().code() == kfix::StatusCode::kInvalidArgument);
}

TEST_CASE("lease order, visibility timeout, ack and stale acks") {
  TempDb db;
  auto q = OpenQ(db.path);
  auto low = q->Enqueue(Req("a", "latest-tag", 50), 0);
  auto high = q->Enqueue(Req("b", "privileged-container", 85), 0);
  REQUIRE(low.ok());
  REQUIRE(high.ok());
  auto l1 = q->Lease("w1", 30, 10);
  REQUIRE(l1.ok());
  REQUIRE(l1->has_value());
  CHECK((*l1)->id == high->id);  // higher risk first
  CHECK((*l1)->state == kfix::QueueState::kLeased);
  CHECK((*l1)->attempts == 1);
  CHECK((*l1)->lease_owner == "w1");
  CHECK((*l1)->lease_expires == 40);
  auto l2 = q->Lease("w2", 30, 11);
  REQUIRE(l2->has_value());
  CHECK((*l2)->id == low->id);
  auto empty = q->Lease("w3", 30, 12);
  REQUIRE(empty.ok());
  CHECK_FALSE(empty->has_value());

  // w1's lease expires at 40; at 41 the item is leased again by w3 with a new token.
  auto l3 = q->Lease("w3", 30, 41);
  REQUIRE(l3->has_value());
  CHECK((*l3)->id == high->id);
  CHECK((*l3)->attempts == 2);
  CHECK((*l3)->lease_token != (*l1)->lease_token);
  // w1's stale ack (old token) is refused; w3's succeeds.
  CHECK(q->Ack(high->id, 42, (*l1)->lease_token).code() == kfix::StatusCode::kNotFound);
  CHECK(q->Ack(high->id, 42, (*l3)->lease_token).ok());
  // Acked: never leased again, and a second ack fails.
  CHECK(q->Ack(high->id, 43).code() == kfix::StatusCode::kNotFound);
  // An ack after the lease expired is refused (the item may be re-leased).
  CHECK(q->Ack(low->id, 1000, (*l2)->lease_token).code() == kfix::StatusCode::kNotFound);
  auto l4 = q->Lease("w4", 30, 1000);
  REQUIRE(l4->has_value());
  CHECK((*l4)->id == low->id);
  CHECK((*l4)->last_error.find("lease expired") != std::string::npos);
  CHECK(q->Ack(low->id, 1001).ok());
  auto none = q->Lease("w5", 30, 5000);
  CHECK_FALSE(none->has_value());
  auto st = q->Stats(5000);
  CHECK(st->by_state["acked"] == 2);
  CHECK(st->outcomes == 2);
  CHECK(q->Lease("w", 0, 1).status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK(q->Ack(999, 1).code() == kfix::StatusCode::kNotFound);
}

TEST_CASE("nack retries, then dead-letters after max attempts") {
  TempDb db;
  auto q = OpenQ(db.path, 2);
  auto id = q->Enqueue(Req("a", "c", 50), 0)->id;
  auto l1 = q->Lease("w", 10, 1);
  REQUIRE(l1->has_value());
  CHECK(q->Nack(id, "apply failed: conflict", 2).ok());
  auto item = q->Get(id);
  CHECK(item->state == kfix::QueueState::kQueued);
  CHECK(item->last_error == "apply failed: conflict");
  auto l2 = q->Lease("w", 10, 3);
  REQUIRE(l2->has_value());
  CHECK((*l2)->attempts == 2);
  CHECK(q->Nack(id, "again", 4).ok());
  CHECK(q->Get(id)->state == kfix::QueueState::kDead);
  CHECK_FALSE(q->Lease("w", 10, 5)->has_value());
  // An expired lease on the last attempt also dead-letters.
  auto id2 = q->Enqueue(Req("b", "c", 50), 0)->id;
  REQUIRE(q->Lease("w", 10, 6)->has_value());
  REQUIRE(q->Lease("w", 10, 17)->has_value());  // first lease expired at 16
  auto st = q->Stats(100);                       // second expired at 27
  CHECK(q->Get(id2)->state == kfix::QueueState::kDead);
  CHECK(st->by_state["dead"] == 2);
  CHECK(q->Nack(id2, "late", 101).code() == kfix::StatusCode::kNotFound);
}

TEST_CASE("reprioritise learns from outcomes and ages waiting items") {
  TempDb db;
  auto q = OpenQ(db.path, 100);
  // Train: "flaky" items always nacked; "solid" always acked.
  for (int i = 0; i < 8; ++i) {
    std::string suffix = std::to_string(i);
    REQUIRE(q->Enqueue(Req(std::string("f").append(suffix), "flaky", 80), 0).ok());
    REQUIRE(q->Enqueue(Req(std::string("s").append(suffix), "solid", 70), 0).ok());
  }
  double now = 10;
  for (int i = 0; i < 16; ++i) {
    auto l = q->Lease("w", 60, now);
    REQUIRE(l->has_value());
    if ((*l)->check == "flaky") {
      CHECK(q->Nack((*l)->id, "rejected", now + 5).ok());
    } else {
      CHECK(q->Ack((*l)->id, now + 5).ok());
    }
    now += 6;
  }
  // Fresh candidates: before re-prioritisation the riskier flaky one comes first.
  auto nf = q->Enqueue(Req("nf", "flaky", 80), now)->id;
  auto ns = q->Enqueue(Req("ns", "solid", 70), now)->id;
  kfix::SchedulerConfig cfg;
  cfg.exploration = kfix::Exploration::kNone;
  auto n = q->Reprioritise(cfg, now);
  REQUIRE(n.ok());
  CHECK(*n >= 2);
  CHECK(q->Get(ns)->priority > q->Get(nf)->priority);
  auto l = q->Lease("w", 60, now);
  REQUIRE(l->has_value());
  CHECK((*l)->check == "solid");
}

TEST_CASE("items survive reopening; a non-queue file is refused") {
  TempDb db;
  std::int64_t id = 0;
  {
    auto q = OpenQ(db.path);
    id = q->Enqueue(Req("a", "c", 50), 0)->id;
    REQUIRE(q->Lease("w", 100, 1)->has_value());
  }
  {
    auto q = OpenQ(db.path);
    auto item = q->Get(id);
    REQUIRE(item.ok());
    CHECK(item->state == kfix::QueueState::kLeased);
    CHECK(q->Ack(id, 2).ok());
  }
  TempDb junk;
  {
    std::ofstream out(junk.path);
    out << "this is not a database, just text that is long enough to be read as a header....";
  }
  auto bad = kfix::Queue::Open(junk.path);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == kfix::StatusCode::kIoError);
  auto missing_dir = kfix::Queue::Open("/nonexistent-dir/q.db");
  REQUIRE_FALSE(missing_dir.ok());
  CHECK(missing_dir.status().code() == kfix::StatusCode::kIoError);
}

TEST_CASE("enqueue requests from a kfix fix report") {
  kfix::Value report = Json(R"({"schemaVersion":1,"results":[
    {"check":"privileged-container","policy":"no_privileged","file":"a.yaml","document":0,"item":-1,
     "object":{"apiVersion":"apps/v1","kind":"Deployment","namespace":"prod","name":"web"},"container":"app",
     "status":"accepted","patch":[{"op":"replace","path":"/spec/template/spec/containers/0/securityContext/privileged","value":false}],
     "risk":{"risk":91.5,"kev":true}},
    {"check":"latest-tag","status":"refused","object":{"kind":"Pod","name":"x"}},
    {"check":"latest-tag","status":"accepted","object":{"kind":"Pod","name":"p"},"patch":[],"risk":50}
  ]})");
  auto reqs = kfix::EnqueueRequestsFromFixReport(report);
  REQUIRE(reqs.ok());
  REQUIRE(reqs->size() == 2);
  CHECK((*reqs)[0].object.namespace_ == "prod");
  CHECK((*reqs)[0].container == "app");
  CHECK((*reqs)[0].risk == 91.5);
  CHECK((*reqs)[0].kev);
  CHECK((*reqs)[0].patch.size() == 1);
  CHECK((*reqs)[1].risk == 50);
  CHECK_FALSE((*reqs)[1].kev);
  auto bad = kfix::EnqueueRequestsFromFixReport(
      Json(R"({"results":[{"check":"c","status":"accepted","object":{"kind":"Pod","name":"p"},"patch":{}}]})"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == kfix::StatusCode::kParseError);
  CHECK(bad.status().location().pointer == "/results/0");
  CHECK_FALSE(kfix::EnqueueRequestsFromFixReport(Json("[]")).ok());
}

namespace {

// Writes through SQLite directly, as damage inside a row would look: the
// file stays structurally sound (quick_check passes) but a row no longer
// decodes.
void DamageRows(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  for (const char* sql : {"PRAGMA ignore_check_constraints = ON",
                          "UPDATE items SET patch = '[{\"op\":tru' WHERE id = 3",
                          "UPDATE items SET record = '{\"x\":' WHERE id = 5",
                          "UPDATE items SET patch = '{\"not\":\"an array\"}' WHERE id = 6"}) {
    CHECK(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  sqlite3_close(db);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return s;
}

struct Drained {
  int leases = 0, acks = 0, errors = 0;
};

// Leases and acks until the queue is empty; a lease error counts and is
// retried, so a stuck queue shows up as errors, not as a hang.
Drained Drain(kfix::Queue& q, double now) {
  Drained d;
  for (int i = 0; i < 2000 && d.errors < 20; ++i) {
    auto l = q.Lease("w", 60, now);
    if (!l.ok()) {
      ++d.errors;
      continue;
    }
    if (!l->has_value()) break;
    ++d.leases;
    if (q.Ack((**l).id, now, (**l).lease_token).ok()) ++d.acks;
  }
  return d;
}

}  // namespace

TEST_CASE("a row that cannot be decoded is dead-lettered with its id and the reason; leasing goes on") {
  TempDb t;
  {
    auto q = OpenQ(t.path);
    for (int i = 0; i < 30; ++i) REQUIRE((*q).Enqueue(Req("web-" + std::to_string(i), "c", 40), 100.0).ok());
  }
  DamageRows(t.path);
  auto check = kfix::Queue::Check(t.path);
  REQUIRE(check.ok());
  CHECK(check->ok);  // damage inside rows: the file itself is sound
  auto q = OpenQ(t.path);
  Drained d = Drain(*q, 200.0);
  CHECK(d.errors == 0);
  CHECK(d.leases == 27);
  CHECK(d.acks == 27);
  auto st = q->Stats(201.0);
  REQUIRE(st.ok());
  CHECK(st->by_state["acked"] == 27);
  CHECK(st->by_state["dead"] == 3);
  CHECK(st->total == 30);
  auto bad = q->Get(3);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == kfix::StatusCode::kParseError);
  CHECK(bad.status().message().rfind("queue item 3: stored patch cannot be decoded", 0) == 0);
  CHECK(bad.status().location().line == 0);  // no JSON offset dressed up as a file position
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(t.path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT id, last_error FROM items WHERE state = 'dead' ORDER BY id", -1, &s,
                             nullptr) == SQLITE_OK);
  std::vector<std::pair<int, std::string>> dead;
  while (sqlite3_step(s) == SQLITE_ROW) {
    dead.emplace_back(sqlite3_column_int(s, 0), reinterpret_cast<const char*>(sqlite3_column_text(s, 1)));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  REQUIRE(dead.size() == 3);
  const int ids[] = {3, 5, 6};
  const char* columns[] = {"patch", "record", "patch"};
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(dead[i].first == ids[i]);
    CHECK(dead[i].second.rfind("undecodable row: queue item " + std::to_string(ids[i]) + ": stored " + columns[i], 0) == 0);
  }
  q.reset();

  // A damaged state breaks the table's CHECK constraint: the file fails the
  // quick check, and the salvaged copy holds the row as a dead letter, so
  // stats show only the known states.
  REQUIRE(sqlite3_open(t.path.c_str(), &db) == SQLITE_OK);
  CHECK(sqlite3_exec(db, "PRAGMA ignore_check_constraints = ON; UPDATE items SET state = 'qu' || char(1) || 'ued' WHERE id = 8",
                     nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  REQUIRE_FALSE(kfix::Queue::Open(t.path).ok());
  TempDb copy;
  auto report = kfix::Queue::Salvage(t.path, copy.path);
  REQUIRE(report.ok());
  CHECK(report->copied == 26);
  CHECK(report->dead_lettered == 4);  // ids 3, 5, 6 (their damaged rows) and 8
  auto q2 = OpenQ(copy.path);
  auto st2 = q2->Stats(300.0);
  REQUIRE(st2.ok());
  CHECK(st2->by_state.size() == 4);
  CHECK(st2->by_state["dead"] == 4);
  CHECK(st2->by_state["acked"] == 26);
  auto eight = q2->Get(8);
  REQUIRE(eight.ok());
  CHECK(eight->state == kfix::QueueState::kDead);
  CHECK(eight->last_error.rfind("undecodable row: queue item 8: stored state", 0) == 0);
}

TEST_CASE("a damaged file is refused on open, `check` reports it, and a salvaged copy drains") {
  TempDb t;
  {
    auto q = OpenQ(t.path);
    for (int i = 0; i < 120; ++i) {
      kfix::EnqueueRequest r = Req("web-" + std::to_string(i), i % 2 ? "a" : "b", 40);
      r.record.Set("padding", std::string(200, static_cast<char>('a' + i % 26)));
      REQUIRE((*q).Enqueue(r, 100.0 + i).ok());
    }
  }
  // XOR 60 bytes after the first page (seed fixed: the damage is deterministic).
  std::string bytes = ReadAll(t.path);
  REQUIRE(bytes.size() > 16384);
  std::mt19937_64 rng(3);
  for (int k = 0; k < 60; ++k) {
    const std::size_t at = 4096 + rng() % (bytes.size() - 4096);
    bytes[at] = static_cast<char>(bytes[at] ^ static_cast<char>(1 + rng() % 255));
  }
  {
    std::ofstream out(t.path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  auto check = kfix::Queue::Check(t.path);
  REQUIRE(check.ok());
  CHECK_FALSE(check->ok);
  CHECK_FALSE(check->problems.empty());
  auto refused = kfix::Queue::Open(t.path);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == kfix::StatusCode::kIoError);
  CHECK(refused.status().message().find("fails SQLite's quick check") != std::string::npos);
  CHECK(refused.status().message().find("--salvage") != std::string::npos);

  TempDb fresh;
  auto report = kfix::Queue::Salvage(t.path, fresh.path);
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  CHECK(report->copied > 60);
  CHECK(report->scanned + static_cast<std::int64_t>(report->unreadable.size()) + report->missing == 120);
  CHECK_FALSE(kfix::Queue::Salvage(t.path, fresh.path).ok());  // never overwrites
  auto q = OpenQ(fresh.path);
  Drained d = Drain(*q, 500.0);
  CHECK(d.errors == 0);
  auto st = q->Stats(501.0);
  REQUIRE(st.ok());
  CHECK(st->by_state["queued"] == 0);
  CHECK(st->by_state["leased"] == 0);
  CHECK(st->by_state["acked"] + st->by_state["dead"] == report->scanned);  // every item acked or dead-lettered
  CHECK(st->by_state["acked"] == report->copied);

  // The CLI: check exits 2 on the damaged file and 0 on the salvaged one.
  const std::string cli = KFIX_CLI_PATH;
  CHECK(WEXITSTATUS(std::system((cli + " queue --db " + t.path + " check > /dev/null").c_str())) == 2);
  CHECK(WEXITSTATUS(std::system((cli + " queue --db " + fresh.path + " check > /dev/null").c_str())) == 0);
  CHECK(WEXITSTATUS(std::system((cli + " queue --db " + t.path + " stats > /dev/null 2>&1").c_str())) == 1);
}
