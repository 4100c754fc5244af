#include "risk/util.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace kfix::internal {

Result<std::string> ReadWholeFile(const std::string& path, std::size_t max_bytes) {
  std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (f == nullptr) return IoError("cannot open: " + std::string(std::strerror(errno)), FileLoc(path));
  std::string out;
  char buf[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
    out.append(buf, n);
    if (out.size() > max_bytes) {
      if (f != stdin) std::fclose(f);
      return LimitExceededError("file larger than " + std::to_string(max_bytes) + " bytes", FileLoc(path));
    }
  }
  bool failed = std::ferror(f) != 0;
  if (f != stdin) std::fclose(f);
  if (failed) return IoError("read error", FileLoc(path));
  return out;
}

}  // namespace kfix::internal
