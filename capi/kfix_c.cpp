// libkfix.so: the extern "C" shims of kfix/kfix.h over the C++ API.
//
// NOTE(surfaces): no logic lives here. Each fallible function checks its
// arguments, calls the C++ API inside Guard() and serialises with the layer's
// own *ToJson function, so C output is byte-identical to what the CLI prints.
#include <cstdlib>

#include "internal/guard.hpp"
#include "kfix/kfix.h"
#include "kfix/status.hpp"
#include "kfix/version.hpp"

using kfix::capi::Guard;

static_assert(static_cast<int>(kfix::StatusCode::kOk) == KFIX_OK);
static_assert(static_cast<int>(kfix::StatusCode::kInvalidArgument) == KFIX_EINVAL);
static_assert(static_cast<int>(kfix::StatusCode::kParseError) == KFIX_EPARSE);
static_assert(static_cast<int>(kfix::StatusCode::kNotFound) == KFIX_ENOTFOUND);
static_assert(static_cast<int>(kfix::StatusCode::kPatchConflict) == KFIX_ECONFLICT);
static_assert(static_cast<int>(kfix::StatusCode::kTestFailed) == KFIX_ETESTFAILED);
static_assert(static_cast<int>(kfix::StatusCode::kLimitExceeded) == KFIX_ELIMIT);
static_assert(static_cast<int>(kfix::StatusCode::kUnsupported) == KFIX_EUNSUPPORTED);
static_assert(static_cast<int>(kfix::StatusCode::kInternal) == KFIX_EINTERNAL);
static_assert(static_cast<int>(kfix::StatusCode::kIoError) == KFIX_EIO);
static_assert(static_cast<int>(kfix::StatusCode::kPermissionDenied) == KFIX_EPERM);
static_assert(static_cast<int>(kfix::StatusCode::kVerificationFailed) == KFIX_EVERIFY);
static_assert(static_cast<int>(kfix::StatusCode::kOutOfMemory) == KFIX_ENOMEM);
static_assert(KFIX_VERSION_NUMBER == KFIX_VERSION_MAJOR * 10000 + KFIX_VERSION_MINOR * 100 + KFIX_VERSION_PATCH);

extern "C" {

// ---- Version ----------------------------------------------------------------

KFIX_API const char* kfix_version_string(void) { return kfix::VersionString(); }

KFIX_API int32_t kfix_version_number(void) { return static_cast<int32_t>(kfix::VersionNumber()); }

// ---- Status and errors -------------------------------------------------------

KFIX_API const char* kfix_status_name(kfix_status status) {
  if (status < KFIX_OK || status > KFIX_ENOMEM) return "unknown";
  return kfix::StatusCodeName(static_cast<kfix::StatusCode>(status));
}

// ---- Memory -----------------------------------------------------------------

KFIX_API void kfix_buf_dispose(kfix_buf* buf) {
  if (buf == nullptr) return;
  std::free(buf->ptr);
  buf->ptr = nullptr;
  buf->size = 0;
}

KFIX_API void kfix_free(void* ptr) { std::free(ptr); }

}  // extern "C"
