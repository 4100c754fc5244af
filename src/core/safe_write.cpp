// WriteFileSafely: writes that never follow a symlink, never overwrite a
// protected inode (an input) and never truncate a file in place.
//
// Every directory below the root is opened with openat(O_NOFOLLOW |
// O_DIRECTORY) from its parent's descriptor, so a symlink planted anywhere on
// the way (or swapped in while we walk) is refused instead of followed. The
// bytes go to a temporary file created O_EXCL in the target's directory; it
// is fsync'ed, given the mode, renamed over the target, and the directory is
// fsync'ed, so a crash at any point leaves either the old file or the new one.
//
// Thread safety: reentrant.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "kfix/core.hpp"

namespace kfix {
namespace {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_;
};

std::string Errno(int e) { return std::strerror(e); }

Status Io(const std::string& path, const std::string& what, int e) {
  SourceLocation l;
  l.file = path;
  return IoError(path + ": " + what + ": " + Errno(e), l);
}

Status Refuse(const std::string& path, const std::string& why) {
  SourceLocation l;
  l.file = path;
  return PermissionDeniedError(path + ": " + why, l);
}

}  // namespace

Status WriteFileSafely(const std::string& root, const std::string& relative, std::string_view data,
                       const WriteOptions& options) {
  namespace fs = std::filesystem;
  const std::string shown = (fs::path(root) / relative).string();
  // Components of the relative path; no absolute path, no "..".
  std::vector<std::string> parts;
  {
    const fs::path rel(relative);
    if (relative.empty() || rel.is_absolute()) {
      SourceLocation l;
      l.file = shown;
      return InvalidArgumentError("cannot write " + shown + ": the path must be relative to the output directory", l);
    }
    for (const fs::path& c : rel) {
      const std::string s = c.string();
      if (s.empty() || s == ".") continue;
      if (s == "..") {
        SourceLocation l;
        l.file = shown;
        return InvalidArgumentError("cannot write " + shown + ": `..` would leave the output directory", l);
      }
      parts.push_back(s);
    }
    if (parts.empty()) return InvalidArgumentError("cannot write " + shown + ": no file name");
  }
  if (options.create_parents) {
    std::error_code ec;
    fs::create_directories(root.empty() ? "." : root, ec);
  }
  Fd dir(::open(root.empty() ? "." : root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return Io(root, "cannot open the output directory", errno);
  std::string walked = root;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    walked = (fs::path(walked) / parts[i]).string();
    int fd = ::openat(dir.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && options.create_parents) {
      if (::mkdirat(dir.get(), parts[i].c_str(), 0755) != 0 && errno != EEXIST) {
        return Io(walked, "cannot create the directory", errno);
      }
      fd = ::openat(dir.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
      const int e = errno;
      struct stat st {};
      if ((e == ELOOP || e == ENOTDIR) && ::fstatat(dir.get(), parts[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
          S_ISLNK(st.st_mode)) {
        return Refuse(walked, "is a symbolic link; kfix does not write through symlinks");
      }
      return Io(walked, "cannot open the directory", e);
    }
    dir = Fd(fd);
  }
  const std::string& name = parts.back();
  mode_t mode = static_cast<mode_t>(options.mode & 07777);
  struct stat target {};
  const bool exists = ::fstatat(dir.get(), name.c_str(), &target, AT_SYMLINK_NOFOLLOW) == 0;
  if (exists) {
    if (S_ISLNK(target.st_mode)) return Refuse(shown, "is a symbolic link; kfix does not write through symlinks");
    if (!S_ISREG(target.st_mode)) return Refuse(shown, "exists and is not a regular file");
    for (const std::vector<std::string>* list : {&options.protect, options.protect_shared}) {
      if (list == nullptr) continue;
      for (const std::string& p : *list) {
        struct stat in {};
        if (::stat(p.c_str(), &in) == 0 && in.st_dev == target.st_dev && in.st_ino == target.st_ino) {
          return Refuse(shown, "is the same file as the input " + p + " (a hard link or the input itself)");
        }
      }
    }
    if (!options.force_mode) mode = target.st_mode & 07777;
  }
  // Temporary file beside the target.
  std::mt19937_64 rng(static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                      static_cast<std::uint64_t>(::getpid()));
  std::string tmp;
  Fd out;
  for (int attempt = 0; attempt < 100 && out.get() < 0; ++attempt) {
    char suffix[20];
    std::snprintf(suffix, sizeof suffix, "%012llx", static_cast<unsigned long long>(rng() & 0xFFFFFFFFFFFFull));
    tmp = "." + name.substr(0, 200) + ".kfix-" + suffix;
    out = Fd(::openat(dir.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (out.get() < 0 && errno != EEXIST) return Io(shown, "cannot create a temporary file beside it", errno);
  }
  if (out.get() < 0) return Io(shown, "cannot create a temporary file beside it", EEXIST);
  auto fail = [&](const char* what, int e) {
    ::unlinkat(dir.get(), tmp.c_str(), 0);
    return Io(shown, what, e);
  };
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(out.get(), data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write", errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(out.get(), mode) != 0) return fail("cannot set the mode", errno);
  if (::fsync(out.get()) != 0) return fail("cannot fsync", errno);
  if (::close(out.release()) != 0) return fail("cannot close", errno);
  if (::renameat(dir.get(), tmp.c_str(), dir.get(), name.c_str()) != 0) {
    return fail("cannot rename the temporary file over it", errno);
  }
  if (::fsync(dir.get()) != 0) return Io(shown, "cannot fsync its directory", errno);
  return Status::Ok();
}

}  // namespace kfix
