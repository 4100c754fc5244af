// kfix audit verify|append: the hash-chained JSONL audit log.
//   kfix audit verify FILE [--pubkey FILE]... [--allow-unsigned] [--anchor SEQ:HASH] [--json]
//     exit 0 intact, 2 tampered or torn (with the line number), 1 error.
//     With --pubkey every line must carry a receipt by one of the keys,
//     unless --allow-unsigned. --anchor SEQ:HASH (kept outside the log)
//     detects a truncated tail.
//   kfix audit append FILE --type T --record JSON|- [--key FILE] [--repair] [--phase in_progress]
//   kfix audit append FILE --phase succeeded|failed --ref SEQ --record JSON|- [--key FILE]
//     prints {"seq":N,"hash":"..."}; a completion takes its in_progress entry's type.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>

#include "cli/command.hpp"
#include "kfix/audit.hpp"

namespace {

constexpr const char* kUsage =
    "usage: kfix audit verify FILE [--pubkey FILE]... [--allow-unsigned] [--anchor SEQ:HASH] [--json]\n"
    "       kfix audit append FILE --type T --record JSON|- [--key FILE] [--repair] [--phase in_progress]\n"
    "       kfix audit append FILE --phase succeeded|failed --ref SEQ --record JSON|- [--key FILE]";

int Verify(const std::vector<std::string>& args) {
  kfix::cli::Args a(args, {"pubkey", "anchor"}, {"allow-unsigned", "json"});
  if (!a.ok()) return kfix::cli::UsageError("audit verify", a.error());
  if (a.positionals().size() != 1) return kfix::cli::UsageError("audit", kUsage);
  const std::string file = a.positionals()[0];
  kfix::AuditVerifyOptions opts;
  for (const std::string& p : a.GetAll("pubkey")) {
    kfix::Result<kfix::PublicKey> pub = kfix::PublicKey::LoadFile(p);
    if (!pub.ok()) return kfix::cli::UsageError("audit verify", pub.status().ToString());
    opts.keys.Add(*pub);
  }
  opts.require_receipts = !opts.keys.empty() && !a.Has("allow-unsigned");
  if (a.Has("anchor")) {
    // SEQ:HASH recorded outside the log (e.g. from an earlier `audit append`).
    const std::string anchor = a.Get("anchor");
    const std::size_t colon = anchor.find(':');
    try {
      std::size_t used = 0;
      opts.anchor_seq = colon == std::string::npos ? 0 : std::stoll(anchor.substr(0, colon), &used);
      if (colon == std::string::npos || used != colon || opts.anchor_seq < 1) throw std::invalid_argument("anchor");
    } catch (const std::exception&) {
      return kfix::cli::UsageError("audit verify", "--anchor must be SEQ:HASH");
    }
    opts.anchor_hash = anchor.substr(colon + 1);
  }
  kfix::AuditVerifyReport r = kfix::VerifyAuditLogFile(file, opts);
  if (r.failure == kfix::AuditLogFailure::kIoError) return kfix::cli::UsageError("audit verify", r.message);
  if (a.Has("json")) {
    std::printf("%s\n", kfix::ToJson(kfix::AuditVerifyReportToValue(r, file)).c_str());
  } else if (r.ok()) {
    std::printf("%s: intact: %lld lines, last seq %lld, last hash %s%s\n", file.c_str(),
                static_cast<long long>(r.lines_verified), static_cast<long long>(r.last_seq), r.last_hash.c_str(),
                opts.require_receipts ? ", every line signed" : "");
  } else {
    std::printf("%s:%lld: %s: %s\n", file.c_str(), static_cast<long long>(r.line),
                kfix::AuditLogFailureName(r.failure), r.message.c_str());
  }
  return r.ok() ? kfix::cli::kExitOk : kfix::cli::kExitFindings;
}

int Append(const std::vector<std::string>& args) {
  kfix::cli::Args a(args, {"type", "record", "key", "phase", "ref"}, {"repair"});
  if (!a.ok()) return kfix::cli::UsageError("audit append", a.error());
  if (a.positionals().size() != 1 || !a.Has("record")) return kfix::cli::UsageError("audit", kUsage);
  std::string record_text = a.Get("record");
  if (record_text == "-") record_text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  kfix::Result<kfix::Value> record = kfix::ParseJson(record_text);
  if (!record.ok()) return kfix::cli::UsageError("audit append", "--record: " + record.status().ToString());

  kfix::AuditLogOptions opts;
  opts.clock = kfix::SystemAuditClock();
  opts.repair_torn_tail = a.Has("repair");
  if (a.Has("key")) {
    kfix::Result<kfix::SigningKey> key = kfix::SigningKey::LoadFile(a.Get("key"));
    if (!key.ok()) return kfix::cli::UsageError("audit append", key.status().ToString());
    opts.signer = std::make_shared<const kfix::SigningKey>(std::move(*key));
  }
  const std::string phase = a.Get("phase");
  if (!phase.empty() && phase != "in_progress" && phase != "succeeded" && phase != "failed") {
    return kfix::cli::UsageError("audit append", "--phase must be in_progress, succeeded or failed");
  }
  const bool completes = phase == "succeeded" || phase == "failed";
  // A completion takes the type of its in_progress entry.
  if (completes == a.Has("type")) {
    return kfix::cli::UsageError("audit append", "--type is required, except with --phase succeeded|failed");
  }
  if (completes != a.Has("ref")) {
    return kfix::cli::UsageError("audit append", "--ref SEQ goes with --phase succeeded|failed (and only with them)");
  }
  std::int64_t ref = 0;
  if (completes) {
    try {
      std::size_t used = 0;
      ref = std::stoll(a.Get("ref"), &used);
      if (used != a.Get("ref").size() || ref < 1) throw std::invalid_argument("ref");
    } catch (const std::exception&) {
      return kfix::cli::UsageError("audit append", "--ref must be a positive integer");
    }
  }
  kfix::Result<std::unique_ptr<kfix::AuditLog>> log = kfix::AuditLog::OpenFile(a.positionals()[0], std::move(opts));
  if (!log.ok()) return kfix::cli::UsageError("audit append", log.status().ToString());
  const std::string type = a.Get("type");
  kfix::Result<kfix::AuditEntry> e = phase == "in_progress" ? (*log)->Begin(type, *record)
                                     : completes            ? (*log)->Complete(ref, phase == "succeeded", *record)
                                                            : (*log)->Append(type, *record);
  if (!e.ok()) return kfix::cli::UsageError("audit append", e.status().ToString());
  std::printf("{\"seq\":%lld,\"hash\":\"%s\"}\n", static_cast<long long>(e->seq), e->hash.c_str());
  return kfix::cli::kExitOk;
}

int RunAudit(const std::vector<std::string>& args) {
  if (args.empty()) return kfix::cli::UsageError("audit", kUsage);
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "verify") return Verify(rest);
  if (args[0] == "append") return Append(rest);
  return kfix::cli::UsageError("audit", "unknown subcommand '" + args[0] + "'\n" + kUsage);
}

}  // namespace

KFIX_CLI_COMMAND("audit", "verify or append to a hash-chained JSONL audit log", kUsage, RunAudit, "verify", "append");
