// Files: ReadFileToString ("-" = stdin), ExpandPaths (the CLI's PATH
// arguments: files as is, directories walked for *.yaml/*.yml/*.json sorted)
// and LoadPaths (the same files, loaded on a pool while the walk goes on).
//
// Thread safety: reentrant (reading stdin concurrently is the caller's problem).
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <new>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/files_internal.hpp"
#include "core/parallel_internal.hpp"
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
  // open + fstat + read into a buffer of the file's size: one allocation and
  // no copy, where a buffered stream grows (and copies) the string as it goes.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) return NotFoundError(path + ": no such file", FileLoc(path));
    if (err == EACCES) return PermissionDeniedError(path + ": " + std::strerror(err), FileLoc(path));
    return IoError(path + ": cannot open: " + std::strerror(err), FileLoc(path));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return IoError(path + ": cannot stat: " + std::strerror(errno), FileLoc(path));
  if (S_ISDIR(st.st_mode)) return IoError(path + ": is a directory", FileLoc(path));
  auto too_large = [&] {
    return LimitExceededError(path + ": file is larger than " + std::to_string(max_bytes) + " bytes", FileLoc(path));
  };
  // Buffers never need to exceed one byte past the limit (that byte tells "too large").
  const std::size_t cap = max_bytes < std::string().max_size() ? max_bytes + 1 : max_bytes;
  std::string out;
  // A regular file's size is known up front (a larger one fails before it is
  // read); pipes and devices report 0 and are read in chunks. Either way the
  // loop reads to end of file, so a file that changes size is still read whole.
  std::size_t expected = S_ISREG(st.st_mode) ? static_cast<std::size_t>(st.st_size) : 0;
  if (expected > max_bytes) return too_large();
  out.resize(std::min(cap, expected > 0 ? expected + 1 : std::size_t{1} << 16));  // +1: end of file in one read
  std::size_t used = 0;
  for (;;) {
    if (used == out.size()) {
      if (out.size() > max_bytes) return too_large();
      out.resize(std::min(out.size() * 2, cap));
    }
    const ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError(path + ": read failed: " + std::strerror(errno), FileLoc(path));
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
    if (used > max_bytes) return too_large();
  }
  out.resize(used);
  return out;
}

namespace {

/// Checks that every PATH exists, then walks them in argument order, calling
/// on_file(argument index, path) for each file in directory order (unsorted).
/// Stops at the first error. Both ExpandPaths and LoadPaths list files
/// through this, so they cannot disagree about which files a PATH names.
template <typename OnFile>
Status WalkPaths(const std::vector<std::string>& paths, OnFile&& on_file) {
  std::vector<bool> is_dir(paths.size(), false);
  for (std::size_t a = 0; a < paths.size(); ++a) {
    const std::string& p = paths[a];
    if (p == "-") continue;
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) return NotFoundError(p + ": no such file or directory", FileLoc(p));
    is_dir[a] = fs::is_directory(st);
  }
  for (std::size_t a = 0; a < paths.size(); ++a) {
    const std::string& p = paths[a];
    if (!is_dir[a]) {
      on_file(a, std::string(p));
      continue;
    }
    std::error_code ec;
    fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec);
    if (ec) return IoError(p + ": cannot read directory: " + ec.message(), FileLoc(p));
    for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
      if (ec) return IoError(p + ": cannot read directory: " + ec.message(), FileLoc(p));
      std::error_code fec;
      if (it->is_regular_file(fec) && HasManifestExtension(it->path())) on_file(a, it->path().string());
    }
    if (ec) return IoError(p + ": cannot read directory: " + ec.message(), FileLoc(p));
  }
  return Status();
}

/// ExpandPaths order: by argument, then (within a directory argument) by path.
struct FileKey {
  std::size_t arg;
  std::string path;
  bool operator<(const FileKey& o) const { return arg != o.arg ? arg < o.arg : path < o.path; }
};

}  // namespace

Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& paths) {
  std::vector<FileKey> found;
  Status st = WalkPaths(paths, [&](std::size_t arg, std::string path) { found.push_back({arg, std::move(path)}); });
  if (!st.ok()) return st;
  std::stable_sort(found.begin(), found.end());
  std::vector<std::string> out;
  out.reserve(found.size());
  for (FileKey& k : found) out.push_back(std::move(k.path));
  return out;
}

namespace internal {

LoadResult LoadUnderRunLimits(const std::string& path, const LoadPathsOptions& options, RunCounters& counters,
                              std::string* text) {
  const std::size_t nodes_now = counters.nodes.load(std::memory_order_relaxed);
  const std::size_t documents_now = counters.documents.load(std::memory_order_relaxed);
  if (nodes_now >= options.max_run_nodes || documents_now >= options.max_run_documents) {
    LoadResult refused;
    SourceLocation l;
    l.file = path;
    const bool by_nodes = nodes_now >= options.max_run_nodes;
    refused.errors.push_back(LimitExceededError(
        "not loaded: the files before it hold " + std::to_string(by_nodes ? nodes_now : documents_now) +
            (by_nodes ? " nodes (limits.maxRunNodes / LoadPathsOptions::max_run_nodes = " +
                            std::to_string(options.max_run_nodes)
                      : " documents (limits.maxRunDocuments / LoadPathsOptions::max_run_documents = " +
                            std::to_string(options.max_run_documents)) +
            ")",
        std::move(l)));
    return refused;
  }
  LoadResult r = LoadFile(path, options.parse, text);
  counters.nodes.fetch_add(r.nodes, std::memory_order_relaxed);
  counters.documents.fetch_add(static_cast<std::size_t>(std::max(0, r.documents)), std::memory_order_relaxed);
  return r;
}

}  // namespace internal

Result<std::vector<LoadedFile>> LoadPaths(const std::vector<std::string>& paths, const LoadPathsOptions& options) {
  // How many files there are is not known before the walk: no cap by work.
  const int threads = internal::ThreadCount(options.jobs, static_cast<std::size_t>(-1));
  // The walk appends to `queue`; the loaders claim entries in the order they
  // were found. A deque keeps claimed entries in place while the walk
  // appends; every access to the deque itself holds `mu`.
  struct Entry {
    FileKey key;
    LoadedFile file;
  };
  std::deque<Entry> queue;
  std::mutex mu;
  std::condition_variable cv;
  std::size_t next = 0;
  std::size_t loaded = 0;
  std::atomic<std::size_t> found{0};  // raised under `mu` with each push, so never behind a claimed entry
  bool walked = false;
  std::atomic<bool> failed{false};
  internal::RunCounters counters;
  std::mutex progress_mu;
  Status st;

  auto walk = [&] {
    try {
      st = WalkPaths(paths, [&](std::size_t arg, std::string path) {
        if (options.skip && options.skip(path)) return;
        {
          std::lock_guard<std::mutex> lock(mu);
          queue.push_back(Entry{FileKey{arg, path}, LoadedFile{std::move(path), LoadResult(), 0, std::string()}});
          found.fetch_add(1);
        }
        cv.notify_one();
      });
    } catch (const std::bad_alloc&) {
      // The loaders must still be released below, or they wait forever.
      st = Status(StatusCode::kOutOfMemory, "LoadPaths: out of memory while walking the directories");
    } catch (const std::exception& e) {
      st = InvalidArgumentError(std::string("LoadPaths: the skip callback threw: ") + e.what());
    }
    if (!st.ok()) failed.store(true, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mu);
      walked = true;
    }
    cv.notify_all();
  };
  auto load = [&](int worker) {
    for (;;) {
      Entry* e = nullptr;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return next < queue.size() || walked; });
        if (next >= queue.size()) return;  // walked and drained
        e = &queue[next++];
      }
      if (failed.load(std::memory_order_relaxed)) continue;  // the walk failed: the result is thrown away
      e->file.worker = worker;
      e->file.result = internal::LoadUnderRunLimits(e->file.path, options, counters,
                                                    options.keep_text ? &e->file.text : nullptr);
      if (options.progress) {
        std::lock_guard<std::mutex> lock(progress_mu);
        options.progress(++loaded, found.load());
      }
    }
  };
  // Item 0 is claimed first: that thread walks, then loads like the others.
  internal::ParallelFor(static_cast<std::size_t>(threads), threads, [&](std::size_t w) {
    if (w == 0) walk();
    load(static_cast<int>(w));
  });
  if (!st.ok()) return st;

  std::vector<std::size_t> order(queue.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return queue[a].key < queue[b].key; });
  std::vector<LoadedFile> out;
  out.reserve(order.size());
  for (std::size_t i : order) out.push_back(std::move(queue[i].file));
  return out;
}

LoadResult MergeLoadedFiles(std::vector<LoadedFile>&& files) {
  LoadResult all;
  std::size_t manifests = 0;
  for (const LoadedFile& f : files) manifests += f.result.manifests.size();
  all.manifests.reserve(manifests);
  for (LoadedFile& f : files) {
    for (Manifest& m : f.result.manifests) all.manifests.push_back(std::move(m));
    for (Status& e : f.result.errors) all.errors.push_back(std::move(e));
    for (Status& w : f.result.warnings) all.warnings.push_back(std::move(w));
    all.documents += f.result.documents;
    all.nodes += f.result.nodes;
  }
  files.clear();
  return all;
}

}  // namespace kfix
