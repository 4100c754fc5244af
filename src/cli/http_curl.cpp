// libcurl POST for `kfix propose` (cli/http_curl.hpp). Why libcurl: the CLI
// needs HTTPS with the system's CA store, proxies (HTTPS_PROXY, NO_PROXY) and
// timeouts that work; libcurl is the Debian-packaged client that gives all of
// them, it stays out of every public header and out of the library layers
// (the library only sees kfix::HttpPost), and Python uses its own stdlib
// urllib over the same library loop.
#include "cli/http_curl.hpp"

#include <curl/curl.h>

#include <cstdlib>
#include <memory>
#include <mutex>
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

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

Result<HttpResponse> CurlPost(const HttpRequest& request) {
  static std::once_flag init;
  static CURLcode init_code = CURLE_OK;
  std::call_once(init, [] { init_code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init_code != CURLE_OK) return IoError(std::string("libcurl: ") + curl_easy_strerror(init_code));
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return IoError("libcurl: cannot create a handle");
  curl_slist* raw = nullptr;
  for (const auto& [name, value] : request.headers) {
    std::string h = name + ": " + value;
    curl_slist* next = curl_slist_append(raw, h.c_str());
    if (next == nullptr) {
      curl_slist_free_all(raw);
      return IoError("libcurl: out of memory for headers");
    }
    raw = next;
  }
  std::unique_ptr<curl_slist, ListDeleter> headers(raw);
  Sink sink;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  const long ms = static_cast<long>(request.timeout_seconds * 1000.0);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms > 0 ? ms : 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms > 0 ? ms : 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "kfix-propose");
  CURLcode rc = curl_easy_perform(c);
  if (sink.too_big) return IoError("reply larger than 16 MiB");
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return IoError("timed out after " + std::to_string(request.timeout_seconds) + " s");
  }
  if (rc != CURLE_OK) return IoError(std::string("libcurl: ") + curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  HttpResponse out;
  out.status = static_cast<int>(status);
  out.body = std::move(sink.body);
  out.retry_after_seconds = sink.retry_after;
  return out;
}

}  // namespace kfix::cli
