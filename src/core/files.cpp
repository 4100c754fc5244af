// Files: ReadFileToString ("-" = stdin) and ExpandPaths (the CLI's PATH
// arguments: files as is, directories walked for *.yaml/*.yml/*.json sorted).
//
// Thread safety: reentrant (reading stdin concurrently is the caller's problem).
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "kfix/core.hpp"

namespace kfix {
namespace {

namespace fs = std::filesystem;

SourceLocation FileLoc(const std::string& path) {
  SourceLocation l;
  l.file = path;
  return l;
}

bool HasManifestExtension(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

Result<std::string> ReadStream(std::FILE* f, const std::string& path, std::size_t max_bytes) {
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f);
    if (n > 0) {
      if (out.size() + n > max_bytes) {
        return LimitExceededError(path + ": file is larger than " + std::to_string(max_bytes) + " bytes",
                                  FileLoc(path));
      }
      out.append(buf, n);
    }
    if (n < sizeof buf) {
      if (std::ferror(f)) return IoError(path + ": read failed: " + std::strerror(errno), FileLoc(path));
      break;
    }
  }
  return out;
}

}  // namespace

Result<std::string> ReadFileToString(const std::string& path, std::size_t max_bytes) {
  if (path == "-") return ReadStream(stdin, "-", max_bytes);
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    return NotFoundError(path + ": no such file", FileLoc(path));
  }
  if (fs::is_directory(st)) return IoError(path + ": is a directory", FileLoc(path));
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    const int err = errno;
    if (err == EACCES) return PermissionDeniedError(path + ": " + std::strerror(err), FileLoc(path));
    return IoError(path + ": cannot open: " + std::strerror(err), FileLoc(path));
  }
  Result<std::string> r = ReadStream(f, path, max_bytes);
  std::fclose(f);
  return r;
}

Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    if (p == "-") {
      out.push_back(p);
      continue;
    }
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) return NotFoundError(p + ": no such file or directory", FileLoc(p));
    if (!fs::is_directory(st)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec);
    if (ec) return IoError(p + ": cannot read directory: " + ec.message(), FileLoc(p));
    for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
      if (ec) return IoError(p + ": cannot read directory: " + ec.message(), FileLoc(p));
      std::error_code fec;
      if (it->is_regular_file(fec) && HasManifestExtension(it->path())) found.push_back(it->path().string());
    }
    if (ec) return IoError(p + ": cannot read directory: " + ec.message(), FileLoc(p));
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace kfix
