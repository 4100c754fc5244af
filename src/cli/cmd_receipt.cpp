// kfix receipt sign|verify: Ed25519 receipts over canonical JSON payloads.
//   kfix receipt sign --key FILE --payload FILE|-
//   kfix receipt verify --pubkey FILE --receipt FILE --payload FILE|-
// verify exits 0 (valid), 2 (invalid, with the reason), 1 (error).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/command.hpp"
#include "kfix/audit.hpp"

namespace {

constexpr const char* kUsage =
    "usage: kfix receipt sign --key FILE --payload FILE|-\n"
    "       kfix receipt verify --pubkey FILE --receipt FILE --payload FILE|-";

bool ReadText(const std::string& path, std::string* out, std::string* error) {
  if (path == "-") {
    out->assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ": cannot read";
    return false;
  }
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

bool ReadPayload(const std::string& path, kfix::Value* out, std::string* error) {
  std::string text;
  if (!ReadText(path, &text, error)) return false;
  kfix::Result<kfix::Value> v = kfix::ParseJson(text);
  if (!v.ok()) {
    *error = v.status().WithDefaultLocation(kfix::SourceLocation{path, 0, 0, -1, -1, ""}).ToString();
    return false;
  }
  *out = std::move(*v);
  return true;
}

int Sign(const std::vector<std::string>& args) {
  kfix::cli::Args a(args, {"key", "payload"}, {});
  if (!a.ok()) return kfix::cli::UsageError("receipt sign", a.error());
  if (!a.Has("key") || !a.Has("payload") || !a.positionals().empty()) return kfix::cli::UsageError("receipt", kUsage);
  kfix::Result<kfix::SigningKey> key = kfix::SigningKey::LoadFile(a.Get("key"));
  if (!key.ok()) return kfix::cli::UsageError("receipt sign", key.status().ToString());
  kfix::Value payload;
  std::string error;
  if (!ReadPayload(a.Get("payload"), &payload, &error)) return kfix::cli::UsageError("receipt sign", error);
  std::printf("%s\n", kfix::Sign(*key, payload).ToJson().c_str());
  return kfix::cli::kExitOk;
}

int VerifyCmd(const std::vector<std::string>& args) {
  kfix::cli::Args a(args, {"pubkey", "receipt", "payload"}, {});
  if (!a.ok()) return kfix::cli::UsageError("receipt verify", a.error());
  if (!a.Has("pubkey") || !a.Has("receipt") || !a.Has("payload") || !a.positionals().empty()) {
    return kfix::cli::UsageError("receipt", kUsage);
  }
  kfix::KeyRing ring;
  for (const std::string& p : a.GetAll("pubkey")) {
    kfix::Result<kfix::PublicKey> pub = kfix::PublicKey::LoadFile(p);
    if (!pub.ok()) return kfix::cli::UsageError("receipt verify", pub.status().ToString());
    ring.Add(*pub);
  }
  std::string receipt_text, error;
  if (!ReadText(a.Get("receipt"), &receipt_text, &error)) return kfix::cli::UsageError("receipt verify", error);
  kfix::Value payload;
  if (!ReadPayload(a.Get("payload"), &payload, &error)) return kfix::cli::UsageError("receipt verify", error);
  kfix::ReceiptCheck c = kfix::VerifyJson(receipt_text, payload, ring);
  if (c.ok()) {
    std::printf("valid\n");
    return kfix::cli::kExitOk;
  }
  std::printf("invalid: %s: %s\n", kfix::ReceiptFailureName(c.failure), c.status.message().c_str());
  return kfix::cli::kExitFindings;
}

int RunReceipt(const std::vector<std::string>& args) {
  if (args.empty()) return kfix::cli::UsageError("receipt", kUsage);
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "sign") return Sign(rest);
  if (args[0] == "verify") return VerifyCmd(rest);
  return kfix::cli::UsageError("receipt", "unknown subcommand '" + args[0] + "'\n" + kUsage);
}

}  // namespace

KFIX_CLI_COMMAND("receipt", "sign or verify an Ed25519 receipt over a JSON payload", kUsage, RunReceipt, "sign", "verify");
