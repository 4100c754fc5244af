// libcurl POST for `kfix propose` (cli/http_curl.hpp). Why libcurl: the CLI
// needs HTTPS with the system's CA store, proxies (HTTPS_PROXY, NO_PROXY) and
// timeouts that work; libcurl is the Debian-packaged client that gives all of
// them, it stays out of every public header and out of the library layers
// (the library only sees kfix::HttpPost), and Python uses its own stdlib
// urllib over the same library loop.
//
// libcurl is opened with dlopen() on the first request, not linked: linking it
// loads ~30 shared libraries (TLS stacks, Kerberos, LDAP, PKCS#11) and runs
// their initialisers in every `kfix` process, which cost ~30 ms of CPU and
// ~5 MB of resident memory on each `kfix scan` or `kfix fix` that never talks
// to a model (docs/performance.md). <curl/curl.h> is still used for its types
// and constants; the functions come from the library found at run time.
#include "cli/http_curl.hpp"

#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace kfix::cli {

namespace {

constexpr std::size_t kMaxReply = 16u << 20;

struct Sink {
  std::string body;
  bool too_big = false;
  double retry_after = -1.0;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t bytes = size * n;
  if (sink->body.size() + bytes > kMaxReply) {
    sink->too_big = true;
    return 0;  // aborts the transfer
  }
  sink->body.append(data, bytes);
  return bytes;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t bytes = size * n;
  std::string line(data, bytes);
  static constexpr char kName[] = "retry-after:";
  if (line.size() > sizeof kName - 1) {
    bool match = true;
    for (std::size_t i = 0; i + 1 < sizeof kName; ++i) {
      char c = line[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != kName[i]) {
        match = false;
        break;
      }
    }
    if (match) {
      char* end = nullptr;
      double v = std::strtod(line.c_str() + sizeof kName - 1, &end);
      if (end != line.c_str() + sizeof kName - 1 && v >= 0) sink->retry_after = v;  // seconds form only
    }
  }
  return bytes;
}

// The libcurl functions this adapter calls, resolved once from libcurl.so.4
// (Debian package libcurl4). The handle is never closed: the process keeps the
// library once it has used it, as it would had it been linked.
struct CurlApi {
  CURLcode (*global_init)(long) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  CURL* (*easy_init)() = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;
  std::string error;  ///< why the library could not be used, "" when it can
};

template <typename F>
bool Resolve(void* lib, const char* name, F& fn, std::string& error) {
  void* sym = dlsym(lib, name);
  if (sym == nullptr) {
    if (error.empty()) error = std::string("libcurl.so.4 has no symbol ") + name;
    return false;
  }
  fn = reinterpret_cast<F>(sym);
  return true;
}

const CurlApi& Curl() {
  static const CurlApi api = [] {
    CurlApi a;
    void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* why = dlerror();
      a.error = std::string("cannot load libcurl (Debian package libcurl4), needed to reach a model: ") +
                (why != nullptr ? why : "libcurl.so.4 not found");
      return a;
    }
    bool ok = Resolve(lib, "curl_global_init", a.global_init, a.error);
    ok = Resolve(lib, "curl_easy_strerror", a.easy_strerror, a.error) && ok;
    ok = Resolve(lib, "curl_easy_init", a.easy_init, a.error) && ok;
    ok = Resolve(lib, "curl_easy_cleanup", a.easy_cleanup, a.error) && ok;
    ok = Resolve(lib, "curl_easy_setopt", a.easy_setopt, a.error) && ok;
    ok = Resolve(lib, "curl_easy_perform", a.easy_perform, a.error) && ok;
    ok = Resolve(lib, "curl_easy_getinfo", a.easy_getinfo, a.error) && ok;
    ok = Resolve(lib, "curl_slist_append", a.slist_append, a.error) && ok;
    ok = Resolve(lib, "curl_slist_free_all", a.slist_free_all, a.error) && ok;
    if (ok) {
      const CURLcode rc = a.global_init(CURL_GLOBAL_DEFAULT);
      if (rc != CURLE_OK) a.error = std::string("libcurl: ") + a.easy_strerror(rc);
    }
    return a;
  }();
  return api;
}

struct EasyDeleter {
  void operator()(CURL* c) const { Curl().easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { Curl().slist_free_all(l); }
};

}  // namespace

Result<HttpResponse> CurlPost(const HttpRequest& request) {
  const CurlApi& api = Curl();
  if (!api.error.empty()) return IoError(api.error);
  std::unique_ptr<CURL, EasyDeleter> curl(api.easy_init());
  if (!curl) return IoError("libcurl: cannot create a handle");
  curl_slist* raw = nullptr;
  for (const auto& [name, value] : request.headers) {
    std::string h = name + ": " + value;
    curl_slist* next = api.slist_append(raw, h.c_str());
    if (next == nullptr) {
      api.slist_free_all(raw);
      return IoError("libcurl: out of memory for headers");
    }
    raw = next;
  }
  std::unique_ptr<curl_slist, ListDeleter> headers(raw);
  Sink sink;
  CURL* c = curl.get();
  api.easy_setopt(c, CURLOPT_URL, request.url.c_str());
  api.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  api.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  api.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  api.easy_setopt(c, CURLOPT_POST, 1L);
  api.easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
  api.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  api.easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  const long ms = static_cast<long>(request.timeout_seconds * 1000.0);
  api.easy_setopt(c, CURLOPT_TIMEOUT_MS, ms > 0 ? ms : 1L);
  api.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms > 0 ? ms : 1L);
  api.easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  api.easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  api.easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  api.easy_setopt(c, CURLOPT_HEADERDATA, &sink);
  api.easy_setopt(c, CURLOPT_USERAGENT, "kfix-propose");
  CURLcode rc = api.easy_perform(c);
  if (sink.too_big) return IoError("reply larger than 16 MiB");
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return IoError("timed out after " + std::to_string(request.timeout_seconds) + " s");
  }
  if (rc != CURLE_OK) return IoError(std::string("libcurl: ") + api.easy_strerror(rc));
  long status = 0;
  api.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  HttpResponse out;
  out.status = static_cast<int>(status);
  out.body = std::move(sink.body);
  out.retry_after_seconds = sink.retry_after;
  return out;
}

}  // namespace kfix::cli
