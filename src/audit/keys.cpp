// Ed25519 keys: generation, files with strict permissions, detached signatures.
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "audit/crypto.hpp"
#include "kfix/audit.hpp"

namespace kfix {

namespace {

constexpr std::string_view kSecretHeader = "kfix-ed25519-secret-v1";
constexpr std::string_view kPublicHeader = "kfix-ed25519-public-v1";
constexpr std::size_t kMaxKeyFileBytes = 4096;

std::string ErrnoText(int err) { return std::strerror(err); }

std::string ModeText(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

/// Extracts the hex part of a key file: "<header> <hex>" or "<hex>".
bool KeyFileHex(std::string_view text, std::string_view header, std::string_view* hex) {
  text = Trim(text);
  if (text.substr(0, header.size()) == header) {
    text.remove_prefix(header.size());
    if (text.empty() || !IsSpace(text.front())) return false;
    text = Trim(text);
  }
  *hex = text;
  return true;
}

/// A fixed buffer that wipes itself.
struct WipedBuffer {
  char data[kMaxKeyFileBytes + 1];
  std::size_t size = 0;
  ~WipedBuffer() { sodium_memzero(data, sizeof data); }
};

/// Reads up to kMaxKeyFileBytes from an open fd.
Status ReadAll(int fd, const std::string& path, WipedBuffer& buf) {
  buf.size = 0;
  while (true) {
    if (buf.size > kMaxKeyFileBytes) return ParseError(path + ": key file is larger than 4096 bytes");
    ssize_t n = ::read(fd, buf.data + buf.size, sizeof buf.data - buf.size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError(path + ": read failed: " + ErrnoText(errno));
    }
    if (n == 0) break;
    buf.size += static_cast<std::size_t>(n);
  }
  if (buf.size > kMaxKeyFileBytes) return ParseError(path + ": key file is larger than 4096 bytes");
  return Status::Ok();
}

Status OpenError(const std::string& path, int err, const char* what) {
  if (err == ENOENT) return NotFoundError(path + ": " + what + " not found");
  if (err == EACCES) return PermissionDeniedError(path + ": cannot open " + what + ": " + ErrnoText(err));
  return IoError(path + ": cannot open " + what + ": " + ErrnoText(err));
}

/// Creates `path` exclusively with `mode`, writes `text`, fsyncs.
Status WriteNewFile(const std::string& path, std::string_view text, mode_t mode, const char* what) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    int err = errno;
    if (err == EEXIST) return InvalidArgumentError(path + ": refusing to overwrite an existing " + what);
    return IoError(path + ": cannot create " + what + ": " + ErrnoText(err));
  }
  Status st;
  if (::fchmod(fd, mode) != 0) st = IoError(path + ": fchmod failed: " + ErrnoText(errno));
  std::size_t off = 0;
  while (st.ok() && off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      st = IoError(path + ": write failed: " + ErrnoText(errno));
      break;
    }
    off += static_cast<std::size_t>(n);
  }
  if (st.ok() && ::fsync(fd) != 0) st = IoError(path + ": fsync failed: " + ErrnoText(errno));
  if (::close(fd) != 0 && st.ok()) st = IoError(path + ": close failed: " + ErrnoText(errno));
  if (!st.ok()) ::unlink(path.c_str());
  return st;
}

}  // namespace

// ---------------------------------------------------------------------------
// PublicKey
// ---------------------------------------------------------------------------

Result<PublicKey> PublicKey::FromBytes(std::string_view raw) {
  if (raw.size() != kSize) {
    return InvalidArgumentError("public key must be 32 bytes, got " + std::to_string(raw.size()));
  }
  PublicKey k;
  std::memcpy(k.bytes_.data(), raw.data(), kSize);
  return k;
}

Result<PublicKey> PublicKey::FromHex(std::string_view hex) {
  PublicKey k;
  if (!internal::DecodeHexInto(hex, k.bytes_.data(), kSize)) {
    return InvalidArgumentError("public key must be 64 hex digits");
  }
  return k;
}

Result<PublicKey> PublicKey::LoadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OpenError(path, errno, "public key file");
  WipedBuffer buf;
  Status st = ReadAll(fd, path, buf);
  ::close(fd);
  if (!st.ok()) return st;
  std::string_view hex;
  if (!KeyFileHex(std::string_view(buf.data, buf.size), kPublicHeader, &hex)) {
    return ParseError(path + ": not a kfix public key file (expected \"kfix-ed25519-public-v1 <64 hex>\")");
  }
  if (hex.substr(0, kSecretHeader.size()) == kSecretHeader) {
    return ParseError(path + ": this is a private key file; pass the .pub file");
  }
  Result<PublicKey> k = FromHex(hex);
  if (!k.ok()) return ParseError(path + ": " + k.status().message());
  return k;
}

Status PublicKey::SaveFile(const std::string& path) const {
  std::string text = std::string(kPublicHeader) + " " + Hex() + "\n";
  return WriteNewFile(path, text, 0644, "public key file");
}

std::string PublicKey::Hex() const {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(bytes_.data()), kSize));
}

std::string PublicKey::KeyId() const {
  return Sha256Hex(std::string_view(reinterpret_cast<const char*>(bytes_.data()), kSize)).substr(0, 16);
}

bool PublicKey::VerifyDetached(std::string_view message, std::string_view signature) const {
  if (signature.size() != crypto_sign_BYTES) return false;
  if (!internal::EnsureSodium()) return false;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                     bytes_.data()) == 0;
}

// ---------------------------------------------------------------------------
// SigningKey
// ---------------------------------------------------------------------------

struct SigningKey::Secret {
  unsigned char sk[crypto_sign_SECRETKEYBYTES];  // libsodium layout: seed || public key
};

void SigningKey::SecretDeleter::operator()(Secret* s) const noexcept {
  sodium_memzero(s, sizeof *s);
  delete s;
}

SigningKey::~SigningKey() = default;  // the deleter wipes the secret

Result<SigningKey> SigningKey::Generate() {
  if (!internal::EnsureSodium()) return InternalError("libsodium failed to initialise");
  unsigned char seed[kSeedSize];
  randombytes_buf(seed, sizeof seed);
  Result<SigningKey> k = FromSeed(std::string_view(reinterpret_cast<const char*>(seed), sizeof seed));
  sodium_memzero(seed, sizeof seed);
  return k;
}

Result<SigningKey> SigningKey::FromSeed(std::string_view seed) {
  static_assert(kSeedSize == crypto_sign_SEEDBYTES && kSignatureSize == crypto_sign_BYTES);
  if (seed.size() != kSeedSize) {
    return InvalidArgumentError("Ed25519 seed must be 32 bytes, got " + std::to_string(seed.size()));
  }
  if (!internal::EnsureSodium()) return InternalError("libsodium failed to initialise");
  SigningKey k;
  k.secret_.reset(new Secret{});
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  if (crypto_sign_seed_keypair(pk, k.secret_->sk, reinterpret_cast<const unsigned char*>(seed.data())) != 0) {
    return InternalError("crypto_sign_seed_keypair failed");
  }
  std::memcpy(k.public_key_.bytes_.data(), pk, sizeof pk);
  return k;
}

Result<SigningKey> SigningKey::FromSeedHex(std::string_view hex) {
  unsigned char seed[kSeedSize];
  if (!internal::DecodeHexInto(hex, seed, sizeof seed)) {
    sodium_memzero(seed, sizeof seed);
    return InvalidArgumentError("Ed25519 seed must be 64 hex digits");
  }
  Result<SigningKey> k = FromSeed(std::string_view(reinterpret_cast<const char*>(seed), sizeof seed));
  sodium_memzero(seed, sizeof seed);
  return k;
}

Result<SigningKey> SigningKey::LoadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OpenError(path, errno, "private key file");
  struct stat sb {};
  if (::fstat(fd, &sb) != 0) {
    int err = errno;
    ::close(fd);
    return IoError(path + ": fstat failed: " + ErrnoText(err));
  }
  if (!S_ISREG(sb.st_mode)) {
    ::close(fd);
    return InvalidArgumentError(path + ": private key path is not a regular file");
  }
  if ((sb.st_mode & 077) != 0) {
    ::close(fd);
    return PermissionDeniedError(path + ": private key file has mode " + ModeText(sb.st_mode) +
                                 "; it must not be accessible by group or others (chmod 600 " + path + ")");
  }
  WipedBuffer buf;
  Status st = ReadAll(fd, path, buf);
  ::close(fd);
  if (!st.ok()) return st;
  std::string_view hex;
  if (!KeyFileHex(std::string_view(buf.data, buf.size), kSecretHeader, &hex) || hex.size() != 2 * kSeedSize) {
    return ParseError(path + ": not a kfix private key file (expected \"kfix-ed25519-secret-v1 <64 hex>\")");
  }
  Result<SigningKey> k = FromSeedHex(hex);
  if (!k.ok()) return ParseError(path + ": not a kfix private key file (bad hex)");
  return k;
}

Status SigningKey::SaveFile(const std::string& path) const {
  if (!secret_) return InvalidArgumentError("signing key is empty (moved from)");
  // "<header> <64 hex>\n" in a wiped buffer.
  constexpr std::size_t kLen = kSecretHeader.size() + 1 + 2 * kSeedSize + 1;
  char text[kLen];
  std::memcpy(text, kSecretHeader.data(), kSecretHeader.size());
  text[kSecretHeader.size()] = ' ';
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < kSeedSize; ++i) {
    text[kSecretHeader.size() + 1 + 2 * i] = kDigits[secret_->sk[i] >> 4];
    text[kSecretHeader.size() + 2 + 2 * i] = kDigits[secret_->sk[i] & 0xf];
  }
  text[kLen - 1] = '\n';
  Status st = WriteNewFile(path, std::string_view(text, kLen), 0600, "private key file");
  sodium_memzero(text, sizeof text);
  return st;
}

std::string SigningKey::SignDetached(std::string_view message) const {
  std::string sig(crypto_sign_BYTES, '\0');
  if (!secret_ || !internal::EnsureSodium()) return std::string();
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(), secret_->sk);
  return sig;
}

// ---------------------------------------------------------------------------
// KeyRing
// ---------------------------------------------------------------------------

void KeyRing::Add(const PublicKey& key) {
  for (const PublicKey& k : keys_) {
    if (k == key) return;
  }
  keys_.push_back(key);
  ids_.push_back(key.KeyId());
}

const PublicKey* KeyRing::Find(std::string_view key_id) const noexcept {
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (ids_[i] == key_id) return &keys_[i];
  }
  return nullptr;
}

}  // namespace kfix
