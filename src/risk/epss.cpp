// FIRST EPSS CSV loader (plain or gzip).
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/risk.hpp"
#include "risk/util.hpp"

namespace kfix {
namespace internal {

std::string UpperAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool IsGzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

Result<std::string> Gunzip(std::string_view data, std::string_view source_name, std::size_t max_bytes) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    return InternalError("zlib inflateInit2 failed", internal::FileLoc(std::string(source_name)));
  }
  std::string out;
  std::size_t offset = 0;
  char buf[1 << 16];
  int rc = Z_OK;
  while (true) {
    // Feed the input in chunks that fit uInt.
    if (zs.avail_in == 0 && offset < data.size()) {
      std::size_t chunk = std::min<std::size_t>(data.size() - offset, 1u << 30);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + offset));
      zs.avail_in = static_cast<uInt>(chunk);
      offset += chunk;
    }
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) break;
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (out.size() > max_bytes) {
      inflateEnd(&zs);
      return LimitExceededError("gzip input inflates to more than " + std::to_string(max_bytes) + " bytes",
                                internal::FileLoc(std::string(source_name)));
    }
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members (allowed by RFC 1952): continue with the next.
      if (zs.avail_in == 0 && offset >= data.size()) break;
      inflateReset(&zs);
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && offset >= data.size()) break;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    std::string why = zs.msg != nullptr ? zs.msg : (rc == Z_BUF_ERROR ? "truncated gzip stream" : "inflate failed");
    return ParseError("corrupt gzip data: " + why, internal::FileLoc(std::string(source_name)));
  }
  return out;
}

bool ParseUnitDouble(std::string_view s, double& out) {
  s = TrimAscii(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  if (s.empty()) return false;
  // std::from_chars for double is available in libstdc++ 11+.
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  if (ec != std::errc() || ptr != end) return false;
  return std::isfinite(out) && out >= 0.0 && out <= 1.0;
}

bool LooksLikeCve(std::string_view id) {
  // CVE-YYYY-NNNN+ (case-insensitive).
  if (id.size() < 13) return false;
  std::string up = UpperAscii(id.substr(0, 4));
  if (up != "CVE-") return false;
  for (std::size_t i = 4; i < 8; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(id[i]))) return false;
  }
  if (id[8] != '-') return false;
  for (std::size_t i = 9; i < id.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(id[i]))) return false;
  }
  return true;
}

}  // namespace internal

namespace {

using internal::TrimAscii;

std::vector<std::string_view> SplitCsv(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      out.push_back(TrimAscii(line.substr(start)));
      break;
    }
    out.push_back(TrimAscii(line.substr(start, comma - start)));
    start = comma + 1;
  }
  for (auto& f : out) {
    if (f.size() >= 2 && f.front() == '"' && f.back() == '"') f = f.substr(1, f.size() - 2);
  }
  return out;
}

// "#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000"
void ParseMetadataLine(std::string_view line, EpssTable& t) {
  line.remove_prefix(1);  // '#'
  for (std::string_view part : SplitCsv(line)) {
    std::size_t colon = part.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key = internal::UpperAscii(TrimAscii(part.substr(0, colon)));
    std::string_view value = TrimAscii(part.substr(colon + 1));
    if (key == "MODEL_VERSION") t.model_version = std::string(value);
    if (key == "SCORE_DATE") t.score_date = std::string(value);
  }
}

}  // namespace

const EpssScore* EpssTable::Find(std::string_view cve) const {
  auto it = scores.find(internal::UpperAscii(internal::TrimAscii(cve)));
  return it == scores.end() ? nullptr : &it->second;
}

const KevEntry* KevCatalog::Find(std::string_view cve) const {
  auto it = entries.find(internal::UpperAscii(internal::TrimAscii(cve)));
  return it == entries.end() ? nullptr : &it->second;
}

Result<EpssTable> ParseEpssCsv(std::string_view data, std::string_view source_name) {
  std::string inflated;
  if (internal::IsGzip(data)) {
    Result<std::string> r = internal::Gunzip(data, source_name, std::size_t{1} << 30);
    if (!r.ok()) return r.status();
    inflated = std::move(*r);
    data = inflated;
  }
  EpssTable t;
  t.source = std::string(source_name);
  auto loc = [&](std::int32_t line) {
    SourceLocation l;
    l.file = std::string(source_name);
    l.line = line;
    return l;
  };
  int cve_col = -1, epss_col = -1, pct_col = -1;
  std::size_t ncols = 0;
  bool have_header = false;
  std::int32_t line_no = 0;
  std::size_t pos = 0;
  if (data.size() >= 3 && data.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;  // UTF-8 BOM
  while (pos < data.size()) {
    std::size_t nl = data.find('\n', pos);
    std::string_view line = data.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? data.size() : nl + 1;
    ++line_no;
    std::string_view trimmed = TrimAscii(line);
    if (trimmed.empty()) continue;
    if (trimmed.front() == '#') {
      if (!have_header) ParseMetadataLine(trimmed, t);
      continue;
    }
    std::vector<std::string_view> fields = SplitCsv(trimmed);
    if (!have_header) {
      for (std::size_t i = 0; i < fields.size(); ++i) {
        std::string name = internal::UpperAscii(fields[i]);
        if (name == "CVE" || name == "CVE_ID") cve_col = static_cast<int>(i);
        if (name == "EPSS" || name == "SCORE") epss_col = static_cast<int>(i);
        if (name == "PERCENTILE") pct_col = static_cast<int>(i);
      }
      if (cve_col < 0 || epss_col < 0) {
        return ParseError("EPSS CSV header must name the columns cve and epss, got \"" + std::string(trimmed) + "\"",
                          loc(line_no));
      }
      ncols = fields.size();
      have_header = true;
      continue;
    }
    ++t.rows;
    if (fields.size() != ncols) {
      t.malformed.push_back(ParseError("expected " + std::to_string(ncols) + " fields, got " +
                                           std::to_string(fields.size()),
                                       loc(line_no)));
      continue;
    }
    std::string_view cve = fields[static_cast<std::size_t>(cve_col)];
    if (!internal::LooksLikeCve(cve)) {
      t.malformed.push_back(ParseError("not a CVE id: \"" + std::string(cve) + "\"", loc(line_no)));
      continue;
    }
    EpssScore s;
    if (!internal::ParseUnitDouble(fields[static_cast<std::size_t>(epss_col)], s.epss)) {
      t.malformed.push_back(ParseError("epss is not a number in [0, 1]: \"" +
                                           std::string(fields[static_cast<std::size_t>(epss_col)]) + "\"",
                                       loc(line_no)));
      continue;
    }
    if (pct_col >= 0 && !internal::ParseUnitDouble(fields[static_cast<std::size_t>(pct_col)], s.percentile)) {
      t.malformed.push_back(ParseError("percentile is not a number in [0, 1]: \"" +
                                           std::string(fields[static_cast<std::size_t>(pct_col)]) + "\"",
                                       loc(line_no)));
      continue;
    }
    auto [it, inserted] = t.scores.insert_or_assign(internal::UpperAscii(cve), s);
    if (!inserted) {
      t.malformed.push_back(ParseError("duplicate CVE " + it->first + " (last row kept)", loc(line_no)));
    }
  }
  if (!have_header) return ParseError("EPSS CSV has no header line (cve,epss,percentile)", loc(line_no));
  return t;
}

Result<EpssTable> LoadEpssCsv(const std::string& path) {
  Result<std::string> data = internal::ReadWholeFile(path);
  if (!data.ok()) return data.status();
  return ParseEpssCsv(*data, path);
}

}  // namespace kfix
