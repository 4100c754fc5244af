// The CLI's HTTP adapter for model proposers: one POST with libcurl, as the
// kfix::HttpPost the library's OpenAI-compatible client calls (kfix/propose.hpp).
// Only the `kfix` tool links libcurl; the library layers never do.
#pragma once

#include "kfix/propose.hpp"

namespace kfix::cli {

/// POSTs `request` (http:// or https:// only, no redirects followed, the
/// request's timeout for the whole exchange, at most 16 MiB of reply).
/// Transport failures (refused, reset, DNS, TLS, timed out) are kIoError;
/// every HTTP status is a response. Never logs the headers (they carry the key).
Result<HttpResponse> CurlPost(const HttpRequest& request);

}  // namespace kfix::cli
