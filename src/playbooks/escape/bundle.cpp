// The forensic bundle's deterministic layout (playbooks.md §3.8): the bytes
// Python's tarfile (PAX format) inside gzip.GzipFile(mtime=0, level 9) write
// for the same artefacts, as a pure function.
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "kfix/escape.hpp"
#include "playbooks/escape/util.hpp"

namespace kfix::escape {
namespace {

constexpr std::size_t kBlock = 512;
constexpr std::size_t kRecord = 20 * kBlock;

// Octal number field: digits-1 zero-padded octal digits and a NUL.
void Octal(char* field, std::size_t digits, std::uint64_t n) {
  std::snprintf(field, digits, "%0*llo", static_cast<int>(digits - 1), static_cast<unsigned long long>(n));
}

// A NUL-padded string field, truncated to `len` bytes.
void Str(char* field, std::size_t len, std::string_view s) { std::memcpy(field, s.data(), std::min(len, s.size())); }

std::string Header(std::string_view name, std::uint64_t size, char type, unsigned mode) {
  std::string h(kBlock, '\0');
  char* b = h.data();
  Str(b, 100, name);
  Octal(b + 100, 8, mode);
  Octal(b + 108, 8, 0);   // uid
  Octal(b + 116, 8, 0);   // gid
  Octal(b + 124, 12, size);
  Octal(b + 136, 12, 0);  // mtime
  std::memset(b + 148, ' ', 8);
  b[156] = type;
  std::memcpy(b + 257, "ustar\0" "00", 8);
  // linkname, uname, gname, devmajor, devminor, prefix: NUL
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(b + 148, 7, "%06o", sum);  // 6 digits, NUL, and the 8th byte stays ' '
  return h;
}

void Pad(std::string& out, std::size_t multiple) {
  if (out.size() % multiple != 0) out.append(multiple - out.size() % multiple, '\0');
}

// "././@PaxHeader" extended header carrying path=<name>.
std::string PaxPath(std::string_view name) {
  std::string body = "path=" + std::string(name) + "\n";
  std::size_t l = body.size() + 1;  // + ' '
  std::size_t p = 0;
  for (;;) {
    std::size_t n = l + std::to_string(p).size();
    if (n == p) break;
    p = n;
  }
  std::string records = std::to_string(p) + " " + body;
  std::string out = Header("././@PaxHeader", records.size(), 'x', 0);
  out += records;
  Pad(out, kBlock);
  return out;
}

bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Python's stn(name, 100, "ascii", "replace"): each non-ASCII character is "?".
std::string AsciiReplace(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) out += static_cast<char>(c);
    else if ((c & 0xC0) != 0x80) out += '?';
  }
  return out;
}

Result<std::string> Gzip(const std::string& data) {
  z_stream zs{};
  if (deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return InternalError("zlib deflateInit2 failed");
  }
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff", 10);
  std::size_t header = out.size();
  out.resize(header + deflateBound(&zs, data.size()) + 16);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data() + header);
  zs.avail_out = static_cast<uInt>(out.size() - header);
  int rc = deflate(&zs, Z_FINISH);
  std::size_t produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return InternalError("zlib deflate did not finish");
  out.resize(header + produced);
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
  std::uint32_t isize = static_cast<std::uint32_t>(data.size());
  for (int i = 0; i < 4; ++i) out += static_cast<char>((crc >> (8 * i)) & 0xFF);
  for (int i = 0; i < 4; ++i) out += static_cast<char>((isize >> (8 * i)) & 0xFF);
  return out;
}

}  // namespace

Result<ForensicBundle> BuildForensicBundle(const std::map<std::string, std::string>& artifacts) {
  std::string tar;
  ForensicBundle bundle;
  bundle.artifacts = Value::MakeArray();
  std::uint64_t total = 0;
  for (const auto& [name, data] : artifacts) {  // std::map: sorted by name (bytewise = code point order)
    if (name.empty()) return InvalidArgumentError("forensic artefact with an empty path");
    if (name.find('\0') != std::string::npos) return InvalidArgumentError("forensic artefact path contains a NUL byte");
    total += data.size();
    if (data.size() >= (1ULL << 33) || total >= (1ULL << 32)) {
      return LimitExceededError("forensic artefacts larger than 4 GiB in total");
    }
    if (!IsAscii(name) || CodePoints(name) > 100) tar += PaxPath(name);
    tar += Header(AsciiReplace(name), data.size(), '0', 0644);
    tar += data;
    Pad(tar, kBlock);
    Value a = Value::MakeObject();
    a.Set("path", name);
    a.Set("size", static_cast<std::int64_t>(data.size()));
    a.Set("sha256", Sha256Hex(data));
    bundle.artifacts.PushBack(std::move(a));
  }
  tar.append(2 * kBlock, '\0');
  Pad(tar, kRecord);
  Result<std::string> gz = Gzip(tar);
  if (!gz.ok()) return gz.status();
  bundle.bytes = std::move(*gz);
  bundle.sha256 = Sha256Hex(bundle.bytes);
  return bundle;
}

namespace {

std::string Sanitize(std::string_view value, const char* fallback) {
  std::string text = internal::Lower(internal::Trim(value));
  std::string out;
  bool in_run = false;
  for (char c : text) {
    if (c == '_' || c == '.') c = '-';
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (ok) {
      out += c;
      in_run = false;
    } else if (!in_run) {  // re.sub(r"[^a-z0-9-]+", "-")
      out += '-';
      in_run = true;
    }
  }
  std::size_t b = out.find_first_not_of('-');
  if (b == std::string::npos) return fallback;
  return out.substr(b, out.find_last_not_of('-') - b + 1);
}

}  // namespace

std::string ForensicBundleKey(std::string_view incident_id, std::string_view ns, std::string_view target_name,
                              std::chrono::system_clock::time_point collected_at) {
  return "container-escape/audit/" + Sanitize(incident_id, "incident") + "/" +
         internal::FormatUtc(collected_at, "%Y%m%dT%H%M%SZ") + "-" + std::string(ns) + "-" +
         Sanitize(target_name, "target") + "-forensics.tar.gz";
}

std::string VolumeSnapshotName(std::string_view ns, std::string_view pvc,
                               std::chrono::system_clock::time_point collected_at) {
  std::string stamp = internal::FormatUtc(collected_at, "%Y%m%d%H%M%S");
  std::string digest = Sha256Hex(std::string(ns) + "|" + std::string(pvc) + "|" + stamp).substr(0, 10);
  std::string name = "ce-snap-" + Sanitize(pvc, "pvc").substr(0, 39) + "-" + digest;
  if (name.size() > 63) name.resize(63);
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name;
}

}  // namespace kfix::escape
