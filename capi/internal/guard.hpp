// capi/internal/guard.hpp - the one boundary between C++ and the C ABI.
//
// Every fallible `extern "C"` entry point runs its body inside Guard():
//   - the body returns a kfix::Status; OK clears the thread-local error, any
//     other status is stored (code, message, detail JSON) and its code returned;
//   - std::bad_alloc becomes KFIX_ENOMEM, any other exception KFIX_EINTERNAL.
// No exception ever crosses the boundary.
//
// Thread safety: the error slot is thread_local; Guard is reentrant.
#pragma once

#include <new>
#include <string>
#include <string_view>
#include <utility>

#include "kfix/kfix.h"
#include "kfix/status.hpp"

namespace kfix::capi {

/// Stores `status` as this thread's last error (clears it when OK) and
/// returns its code. Never throws: if storing the message fails, a static
/// "out of memory" message is used instead.
kfix_status SetLastError(const Status& status) noexcept;

/// Clears this thread's last error.
void ClearLastError() noexcept;

/// Runs `body` (returning kfix::Status) behind the exception firewall.
template <typename Body>
kfix_status Guard(Body&& body) noexcept {
  try {
    return SetLastError(std::forward<Body>(body)());
  } catch (const std::bad_alloc&) {
    return SetLastError(Status(StatusCode::kOutOfMemory, "out of memory"));
  } catch (const std::exception& e) {
    return SetLastError(Status(StatusCode::kInternal, std::string("internal error: ") + e.what()));
  } catch (...) {
    return SetLastError(Status(StatusCode::kInternal, "internal error: unknown exception"));
  }
}

/// Views an input buffer; NULL with len 0 is the empty input, NULL with a
/// length is an error. `what` names the argument in the error message.
Status InputView(const char* ptr, std::size_t len, const char* what, std::string_view* out);

/// Checks that `out` is a usable, empty output buffer.
Status CheckOut(const kfix_buf* out);

/// Moves `text` into `out` (malloc'd copy, NUL-terminated).
Status FillBuf(kfix_buf* out, std::string_view text);

}  // namespace kfix::capi
