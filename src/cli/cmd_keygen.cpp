// kfix keygen --out DIR: writes DIR/kfix.key (mode 0600) and DIR/kfix.pub.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/command.hpp"
#include "kfix/audit.hpp"

namespace {

constexpr const char* kUsage =
    "usage: kfix keygen --out DIR [--json]\n"
    "Writes DIR/kfix.key (Ed25519 private key, mode 0600) and DIR/kfix.pub; refuses to overwrite either.\n"
    "--json prints the result as JSON.\n";

int RunKeygen(const std::vector<std::string>& args) {
  kfix::cli::Args a(args, {"out"}, {"json"});
  if (!a.ok()) return kfix::cli::UsageError("keygen", a.error());
  if (!a.positionals().empty() || !a.Has("out")) {
    return kfix::cli::UsageError("keygen", "usage: kfix keygen --out DIR [--json]");
  }
  const std::string dir = a.Get("out");
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return kfix::cli::UsageError("keygen", dir + ": cannot create directory: " + std::strerror(errno));
  }
  const std::string key_path = dir + "/kfix.key";
  const std::string pub_path = dir + "/kfix.pub";
  struct stat sb {};
  for (const std::string& p : {key_path, pub_path}) {
    if (::lstat(p.c_str(), &sb) == 0) return kfix::cli::UsageError("keygen", p + ": exists; refusing to overwrite");
  }
  kfix::Result<kfix::SigningKey> key = kfix::SigningKey::Generate();
  if (!key.ok()) return kfix::cli::UsageError("keygen", key.status().ToString());
  if (kfix::Status st = key->SaveFile(key_path); !st.ok()) return kfix::cli::UsageError("keygen", st.ToString());
  if (kfix::Status st = key->public_key().SaveFile(pub_path); !st.ok()) {
    return kfix::cli::UsageError("keygen", st.ToString());
  }
  if (a.Has("json")) {
    std::printf("{\"algorithm\":\"ed25519\",\"keyId\":\"%s\",\"privateKey\":%s,\"publicKey\":%s}\n",
                key->KeyId().c_str(), kfix::JsonQuote(key_path).c_str(), kfix::JsonQuote(pub_path).c_str());
  } else {
    std::printf("wrote %s (mode 0600) and %s\nkey id %s (ed25519)\n", key_path.c_str(), pub_path.c_str(),
                key->KeyId().c_str());
  }
  return kfix::cli::kExitOk;
}

}  // namespace

KFIX_CLI_COMMAND("keygen", "generate an Ed25519 signing key pair for receipts", kUsage, RunKeygen);
