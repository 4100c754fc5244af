// Audit layer benchmarks: canonical form, receipts, log append (in memory and
// durable file), log verification.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <vector>

#include "kfix/audit.hpp"

namespace {

kfix::Value Payload() {
  kfix::Result<kfix::Value> v = kfix::ParseJson(
      R"({"object":{"apiVersion":"apps/v1","kind":"Deployment","namespace":"default","name":"web"},)"
      R"("check":"run-as-non-root","patch":[{"op":"add","path":"/spec/template/spec/securityContext",)"
      R"("value":{"runAsNonRoot":true,"runAsUser":10001}}],"risk":{"epss":0.12,"kev":false},"notes":{}})");
  return v.ok() ? *v : kfix::Value();
}

kfix::AuditClock Clock() {
  auto n = std::make_shared<std::atomic<std::int64_t>>(0);
  return [n] { return std::chrono::system_clock::time_point(std::chrono::milliseconds(1776679200000LL + (*n)++)); };
}

std::shared_ptr<const kfix::SigningKey> Key() {
  kfix::Result<kfix::SigningKey> k =
      kfix::SigningKey::FromSeedHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  return std::make_shared<const kfix::SigningKey>(std::move(*k));
}

std::unique_ptr<kfix::AuditLog> MemoryLog(std::vector<std::string>* lines, bool signed_log) {
  kfix::AuditLogOptions o;
  o.clock = Clock();
  if (signed_log) o.signer = Key();
  auto sink = std::make_unique<kfix::CallbackSink>([lines](const kfix::AuditEntry& e) {
    if (lines != nullptr) lines->push_back(e.line);
    return kfix::Status::Ok();
  });
  return std::move(*kfix::AuditLog::Create(std::move(sink), std::move(o)));
}

void BM_CanonicalJson(benchmark::State& state) {
  kfix::Value p = Payload();
  for (auto _ : state) benchmark::DoNotOptimize(kfix::AuditCanonicalJson(p));
}
BENCHMARK(BM_CanonicalJson);

void BM_ReceiptSign(benchmark::State& state) {
  auto key = Key();
  kfix::Value p = Payload();
  for (auto _ : state) benchmark::DoNotOptimize(kfix::Sign(*key, p));
}
BENCHMARK(BM_ReceiptSign);

void BM_ReceiptVerify(benchmark::State& state) {
  auto key = Key();
  kfix::Value p = Payload();
  kfix::Receipt r = kfix::Sign(*key, p);
  kfix::KeyRing ring;
  ring.Add(key->public_key());
  for (auto _ : state) benchmark::DoNotOptimize(kfix::Verify(r, p, ring));
}
BENCHMARK(BM_ReceiptVerify);

void BM_LogAppendMemory(benchmark::State& state) {
  auto log = MemoryLog(nullptr, state.range(0) != 0);
  kfix::Value p = Payload();
  for (auto _ : state) benchmark::DoNotOptimize(log->Append("patch.accepted", p));
  state.SetLabel(state.range(0) != 0 ? "signed" : "unsigned");
}
BENCHMARK(BM_LogAppendMemory)->Arg(0)->Arg(1);

// Durable append: one write + fsync per line (dominated by the device).
void BM_LogAppendFileFsync(benchmark::State& state) {
  char tmpl[] = "/tmp/kfix-bench-audit-XXXXXX";
  int fd = ::mkstemp(tmpl);
  if (fd >= 0) ::close(fd);
  ::unlink(tmpl);
  kfix::AuditLogOptions o;
  o.clock = Clock();
  auto log = kfix::AuditLog::OpenFile(tmpl, std::move(o));
  if (!log.ok()) {
    state.SkipWithError(log.status().ToString().c_str());
    return;
  }
  kfix::Value p = Payload();
  for (auto _ : state) benchmark::DoNotOptimize((*log)->Append("patch.accepted", p));
  ::unlink(tmpl);
}
BENCHMARK(BM_LogAppendFileFsync)->Iterations(200);

void BM_VerifyLog(benchmark::State& state) {
  std::vector<std::string> lines;
  const bool signed_log = state.range(1) != 0;
  auto log = MemoryLog(&lines, signed_log);
  kfix::Value p = Payload();
  for (int i = 0; i < state.range(0); ++i) (void)log->Append("patch.accepted", p);
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  kfix::AuditVerifyOptions opts;
  if (signed_log) {
    opts.keys.Add(Key()->public_key());
    opts.require_receipts = true;
  }
  for (auto _ : state) {
    kfix::AuditVerifyReport r = kfix::VerifyAuditLog(text, opts);
    if (!r.ok()) state.SkipWithError(r.message.c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(text.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetLabel(signed_log ? "signed" : "unsigned");
}
BENCHMARK(BM_VerifyLog)->Args({1000, 0})->Args({1000, 1});

}  // namespace

BENCHMARK_MAIN();
