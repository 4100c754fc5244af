// CLI: kfix keygen, kfix receipt sign|verify, kfix audit append|verify
// (exit codes and the facts they print).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "kfix/audit.hpp"

namespace fs = std::filesystem;

namespace {

struct Run {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

Run Cli(const std::string& args) {
  std::string cmd = std::string(KFIX_CLI_PATH) + " " + args + " 2>&1";
  Run r;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "kfix-auditcli-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const char* name) const { return (path / name).string(); }
};

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}
std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("kfix keygen writes a 0600 key and a public key, and refuses to overwrite") {
  TempDir dir;
  const std::string keys = dir / "keys";
  Run r = Cli("keygen --out " + keys);
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  struct stat sb {};
  REQUIRE(::stat((keys + "/kfix.key").c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  kfix::Result<kfix::PublicKey> pub = kfix::PublicKey::LoadFile(keys + "/kfix.pub");
  REQUIRE(pub.ok());
  CHECK(r.out.find(pub->KeyId()) != std::string::npos);
  // The secret never appears on stdout.
  std::string secret = ReadFile(keys + "/kfix.key").substr(std::string("kfix-ed25519-secret-v1 ").size(), 64);
  CHECK(r.out.find(secret) == std::string::npos);

  Run again = Cli("keygen --out " + keys);
  CHECK(again.exit_code == 1);
  CHECK(again.out.find("refusing to overwrite") != std::string::npos);
  CHECK(ReadFile(keys + "/kfix.key").find(secret) != std::string::npos);
  CHECK(Cli("keygen").exit_code == 1);
}

TEST_CASE("kfix receipt sign / verify: valid 0, invalid 2 with the reason, error 1") {
  TempDir dir;
  const std::string keys = dir / "keys";
  REQUIRE(Cli("keygen --out " + keys).exit_code == 0);
  const std::string payload = dir / "payload.json";
  WriteFile(payload, R"({"op":"add","path":"/spec/replicas","value":3,"params":{}})");
  Run signed_run = Cli("receipt sign --key " + keys + "/kfix.key --payload " + payload);
  REQUIRE_MESSAGE(signed_run.exit_code == 0, signed_run.out);
  const std::string receipt = dir / "receipt.json";
  WriteFile(receipt, signed_run.out);
  CHECK(kfix::Receipt::Parse(signed_run.out).ok());

  const std::string verify = "receipt verify --pubkey " + keys + "/kfix.pub --receipt " + receipt + " --payload ";
  CHECK(Cli(verify + payload).exit_code == 0);
  // Same payload, other member order and without the empty member: still valid.
  const std::string reordered = dir / "reordered.json";
  WriteFile(reordered, R"({"value":3,"path":"/spec/replicas","op":"add"})");
  CHECK(Cli(verify + reordered).exit_code == 0);
  // stdin payload.
  CHECK(Cli(verify + "- < " + payload).exit_code == 0);

  const std::string changed = dir / "changed.json";
  WriteFile(changed, R"({"op":"add","path":"/spec/replicas","value":4})");
  Run bad = Cli(verify + changed);
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.find("payload_hash_mismatch") != std::string::npos);

  std::string sig_tampered = signed_run.out;
  std::size_t sig_at = sig_tampered.find("\"sig\":\"") + 7;
  sig_tampered[sig_at] = sig_tampered[sig_at] == '0' ? '1' : '0';
  WriteFile(receipt, sig_tampered);
  Run bad_sig = Cli(verify + payload);
  CHECK(bad_sig.exit_code == 2);
  CHECK(bad_sig.out.find("bad_signature") != std::string::npos);

  WriteFile(receipt, "{\"v\":1}");
  Run malformed = Cli(verify + payload);
  CHECK(malformed.exit_code == 2);
  CHECK(malformed.out.find("malformed_receipt") != std::string::npos);

  REQUIRE(Cli("keygen --out " + (dir / "other")).exit_code == 0);
  WriteFile(receipt, signed_run.out);
  Run unknown = Cli("receipt verify --pubkey " + (dir / "other") + "/kfix.pub --receipt " + receipt + " --payload " +
                    payload);
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.out.find("unknown_key") != std::string::npos);

  // Errors: missing files, unparsable payload, loose key permissions.
  CHECK(Cli(verify + (dir / "missing.json")).exit_code == 1);
  WriteFile(changed, "{not json");
  CHECK(Cli(verify + changed).exit_code == 1);
  REQUIRE(::chmod((keys + "/kfix.key").c_str(), 0644) == 0);
  Run loose = Cli("receipt sign --key " + keys + "/kfix.key --payload " + payload);
  CHECK(loose.exit_code == 1);
  CHECK(loose.out.find("0644") != std::string::npos);
  CHECK(loose.out.find(keys + "/kfix.key") != std::string::npos);
}

TEST_CASE("kfix audit append / verify: intact 0, tampered 2 with the line, error 1") {
  TempDir dir;
  const std::string keys = dir / "keys";
  REQUIRE(Cli("keygen --out " + keys).exit_code == 0);
  const std::string log = dir / "audit.jsonl";
  const std::string key = " --key " + keys + "/kfix.key";
  REQUIRE(Cli("audit append " + log + " --type patch.accepted --record '{\"check\":\"run-as-non-root\"}'" + key)
              .exit_code == 0);
  Run begin = Cli("audit append " + log + " --type adapter.apply --phase in_progress --record '{\"step\":1}'" + key);
  REQUIRE_MESSAGE(begin.exit_code == 0, begin.out);
  CHECK(begin.out.find("\"seq\":2") != std::string::npos);
  REQUIRE(Cli("audit append " + log + " --phase succeeded --ref 2 --record '{}'" + key).exit_code == 0);
  CHECK(Cli("audit append " + log + " --phase succeeded --ref 2 --record '{}'" + key).exit_code == 1);
  REQUIRE(Cli("audit append " + log + " --type plan.step --record '{\"n\":4}'" + key).exit_code == 0);

  const std::string pub = " --pubkey " + keys + "/kfix.pub";
  Run ok = Cli("audit verify " + log + pub);
  CHECK_MESSAGE(ok.exit_code == 0, ok.out);
  CHECK(ok.out.find("4 lines") != std::string::npos);
  CHECK(Cli("audit verify " + log).exit_code == 0);

  // Anchors: the last {seq, hash} kept elsewhere detects a truncated tail.
  Run last = Cli("audit append " + log + " --type plan.step --record '{\"n\":5}'" + key);
  REQUIRE(last.exit_code == 0);
  const std::string anchor = "5:" + last.out.substr(last.out.find("\"hash\":\"") + 8, 64);
  CHECK(Cli("audit verify " + log + " --anchor " + anchor).exit_code == 0);
  std::string full = ReadFile(log);
  WriteFile(log, full.substr(0, full.rfind('\n', full.size() - 2) + 1));
  Run truncated = Cli("audit verify " + log + " --anchor " + anchor);
  CHECK(truncated.exit_code == 2);
  CHECK(truncated.out.find(":5: line_missing") != std::string::npos);
  CHECK(Cli("audit verify " + log + " --anchor nonsense").exit_code == 1);

  const std::string good = ReadFile(log);
  std::string tampered = good;
  tampered[tampered.find("\"n\":4") + 4] = '5';
  WriteFile(log, tampered);
  Run bad = Cli("audit verify " + log + pub);
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.find(log + ":4: line_altered") != std::string::npos);

  // An unsigned line in a signed log fails with --pubkey unless --allow-unsigned.
  WriteFile(log, good);
  REQUIRE(Cli("audit append " + log + " --type plan.step --record '{\"n\":5}'").exit_code == 0);
  Run unsigned_line = Cli("audit verify " + log + pub);
  CHECK(unsigned_line.exit_code == 2);
  CHECK(unsigned_line.out.find(":5: missing_receipt") != std::string::npos);
  CHECK(Cli("audit verify " + log + pub + " --allow-unsigned").exit_code == 0);

  // Torn tail: verify reports it (2), append refuses (1) until --repair.
  WriteFile(log, good + "{\"hash\":\"ab");
  Run torn = Cli("audit verify " + log + " --json");
  CHECK(torn.exit_code == 2);
  CHECK(torn.out.find("\"reason\":\"torn_last_line\"") != std::string::npos);
  CHECK(torn.out.find("\"line\":5") != std::string::npos);
  CHECK(Cli("audit append " + log + " --type x --record '{}'").exit_code == 1);
  CHECK(Cli("audit append " + log + " --type x --record '{}' --repair").exit_code == 0);
  CHECK(Cli("audit verify " + log).exit_code == 0);

  CHECK(Cli("audit verify " + (dir / "missing.jsonl")).exit_code == 1);
  CHECK(Cli("audit append " + log + " --type x --record '{bad'").exit_code == 1);
  CHECK(Cli("audit frobnicate").exit_code == 1);
}

TEST_CASE("kfix run and kfix queue record signed transitions with --audit FILE --key KEY") {
  TempDir d;
  REQUIRE(Cli("keygen --out " + (d / "k")).exit_code == 0);
  const std::string flags = " --audit " + (d / "log.jsonl") + " --key " + (d / "k/kfix.key");
  const std::string manifests = std::string(KFIX_SOURCE_DIR) + "/examples/manifests";
  Run run = Cli("run --quiet --now 0 --out " + (d / "out") + flags + " " + manifests);
  REQUIRE(run.exit_code == 0);
  const std::string db = " --db " + (d / "q.db");
  REQUIRE(Cli("queue" + db + flags + " enqueue --results " + (d / "out/fixes.json")).exit_code == 0);
  Run lease = Cli("queue" + db + flags + " lease --worker w1");
  REQUIRE(lease.exit_code == 0);
  auto item = kfix::ParseJson(lease.out);
  REQUIRE(item.ok());
  REQUIRE(Cli("queue" + db + flags + " ack " + std::to_string(item->Find("id")->as_int())).exit_code == 0);

  // The chain verifies, every line signed, and holds the expected record types.
  Run verify = Cli("audit verify " + (d / "log.jsonl") + " --pubkey " + (d / "k/kfix.pub"));
  CHECK(verify.exit_code == 0);
  auto summary = kfix::ParseJson(ReadFile(d / "out/summary.json"));
  REQUIRE(summary.ok());
  const std::int64_t accepted = summary->Find("accepted")->as_int();
  REQUIRE(accepted > 0);
  std::int64_t fixes = 0, completed = 0, enqueue = 0, leases = 0, acks = 0, rank = 0;
  std::ifstream in(d / "log.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    auto v = kfix::ParseJson(line);
    REQUIRE(v.ok());
    const std::string type = v->Find("type")->as_string();
    if (type == "kfix.fix.accepted") {
      ++fixes;
      CHECK(v->FindPath({"record", "rank"})->as_int() == ++rank);  // schedule order
      CHECK(v->FindPath({"record", "status"})->as_string() == "accepted");
    }
    completed += type == "kfix.run.completed";
    enqueue += type == "kfix.queue.enqueue";
    leases += type == "kfix.queue.lease";
    acks += type == "kfix.queue.ack";
  }
  CHECK(fixes == accepted);
  CHECK(completed == 1);
  CHECK(enqueue == 1);
  CHECK(leases == 1);
  CHECK(acks == 1);

  // --audit without --key is a usage error, and nothing runs.
  CHECK(Cli("run --quiet --out " + (d / "out2") + " --audit " + (d / "log.jsonl") + " " + manifests).exit_code == 1);
  CHECK(!fs::exists(d / "out2"));
}
