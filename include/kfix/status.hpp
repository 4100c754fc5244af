// kfix/status.hpp - Status, StatusCode and Result<T>: how every kfix API reports errors.
//
// The public C++ API never throws. Functions that can fail return a `Status`
// (no value) or a `Result<T>` (a value or a Status). Both are cheap to move and
// must be inspected (`[[nodiscard]]`).
//
// Status codes are pinned: their numeric values are part of the ABI (the C
// `kfix_status` values and the Python exception `.code` are the same numbers)
// and never change meaning. New codes are appended.
//
// Example:
//   kfix::Result<kfix::Value> doc = kfix::ParseJson(text);
//   if (!doc.ok()) {
//     std::cerr << doc.status().ToString() << "\n";
//     return 1;
//   }
//   Use(*doc);
//
// Thread safety: Status and Result are plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace kfix {

/// Canonical error codes. Values are pinned (see docs/error-codes.md).
enum class StatusCode : std::int32_t {
  kOk = 0,               ///< success
  kInvalidArgument = 1,  ///< a caller-supplied value is wrong (bad option, bad type, bad pointer syntax)
  kParseError = 2,       ///< input text is not valid YAML / JSON / patch / config
  kNotFound = 3,         ///< a path, key, file or object does not exist
  kPatchConflict = 4,    ///< a patch op cannot apply (missing parent, index out of range, move into child)
  kTestFailed = 5,       ///< an RFC 6902 `test` op did not match
  kLimitExceeded = 6,    ///< a configured limit (depth, size, alias expansion, budget) was exceeded
  kUnsupported = 7,      ///< a valid request kfix does not implement
  kInternal = 8,         ///< a bug in kfix; please report it
  kIoError = 9,          ///< reading or writing a file or database failed
  kPermissionDenied = 10,///< refused by policy (key file mode, protected namespace, approval missing)
  kVerificationFailed = 11, ///< signature, hash chain or verification gate did not hold
  kOutOfMemory = 12,     ///< allocation failed
  /// Reserved: never returned. Forces a `default:` branch in switches over codes
  /// so that adding a code is not a breaking change.
  kDoNotUseReservedForFutureExpansionUseDefaultInSwitchInstead_ = 100,
};

/// Stable name of a code, e.g. "parse_error". Never null.
const char* StatusCodeName(StatusCode code) noexcept;

/// Where an error happened. Every field is optional: empty string / 0 / -1
/// mean "unknown".
struct SourceLocation {
  std::string file;       ///< source name as given by the caller ("-" for stdin)
  std::int32_t line = 0;  ///< 1-based line, 0 = unknown
  std::int32_t column = 0;///< 1-based column, 0 = unknown
  std::int32_t document = -1;  ///< 0-based document index in a YAML stream, -1 = unknown
  std::int32_t item = -1;      ///< 0-based index inside a `kind: List`, -1 = not from a List
  std::string pointer;    ///< RFC 6901 pointer into the object, "" = whole object / unknown

  bool empty() const noexcept {
    return file.empty() && line == 0 && column == 0 && document < 0 && item < 0 && pointer.empty();
  }
};

/// Status: a code, a human-readable message and an optional location.
class [[nodiscard]] Status {
 public:
  /// An OK status.
  Status() noexcept = default;
  Status(StatusCode code, std::string message, SourceLocation location = {})
      : code_(code), message_(std::move(message)), location_(std::move(location)) {}

  static Status Ok() noexcept { return Status(); }

  bool ok() const noexcept { return code_ == StatusCode::kOk; }
  StatusCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  const SourceLocation& location() const noexcept { return location_; }
  SourceLocation& mutable_location() noexcept { return location_; }

  /// "file:line:col: message" (the parts that are known), prefixed with the
  /// code name when `with_code` is true.
  std::string ToString(bool with_code = false) const;

  /// Returns a copy whose location is filled in from `loc` where still unknown.
  Status WithDefaultLocation(const SourceLocation& loc) const;

  /// Explicitly ignore a Status (documents intent at call sites).
  void IgnoreError() const noexcept {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  SourceLocation location_;
};

inline Status InvalidArgumentError(std::string m, SourceLocation l = {}) {
  return Status(StatusCode::kInvalidArgument, std::move(m), std::move(l));
}
inline Status ParseError(std::string m, SourceLocation l = {}) {
  return Status(StatusCode::kParseError, std::move(m), std::move(l));
}
inline Status NotFoundError(std::string m, SourceLocation l = {}) {
  return Status(StatusCode::kNotFound, std::move(m), std::move(l));
}
inline Status PatchConflictError(std::string m, SourceLocation l = {}) {
  return Status(StatusCode::kPatchConflict, std::move(m), std::move(l));
}
inline Status TestFailedError(std::string m, SourceLocation l = {}) {
  return Status(StatusCode::kTestFailed, std::move(m), std::move(l));
}
inline Status LimitExceededError(std::string m, SourceLocation l = {}) {
  return Status(StatusCode::kLimitExceeded, std::move(m), std::move(l));
}
inline Status UnsupportedError(std::string m, SourceLocation l = {}) {
  return Status(StatusCode::kUnsupported, std::move(m), std::move(l));
}
inline Status InternalError(std::string m, SourceLocation l = {}) {
  return Status(StatusCode::kInternal, std::move(m), std::move(l));
}
inline Status IoError(std::string m, SourceLocation l = {}) {
  return Status(StatusCode::kIoError, std::move(m), std::move(l));
}
inline Status PermissionDeniedError(std::string m, SourceLocation l = {}) {
  return Status(StatusCode::kPermissionDenied, std::move(m), std::move(l));
}
inline Status VerificationFailedError(std::string m, SourceLocation l = {}) {
  return Status(StatusCode::kVerificationFailed, std::move(m), std::move(l));
}

/// Result<T>: either a value of type T or a non-OK Status. Never OK without a value.
///
/// Example:
///   kfix::Result<int> r = Compute();
///   if (!r.ok()) return r.status();
///   int v = *r;
template <typename T>
class [[nodiscard]] Result {
 public:
  /// From a value (implicit, so `return value;` works).
  Result(const T& value) : value_(value) {}                        // NOLINT(google-explicit-constructor)
  Result(T&& value) noexcept(std::is_nothrow_move_constructible_v<T>)  // NOLINT(google-explicit-constructor)
      : value_(std::move(value)) {}
  /// From an error (implicit, so `return SomeError(...);` works). An OK status
  /// becomes an internal error: a Result is never OK without a value.
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (status_.ok()) status_ = Status(StatusCode::kInternal, "Result constructed from OK status without a value");
  }

  bool ok() const noexcept { return value_.has_value(); }
  const Status& status() const noexcept { return status_; }

  /// Precondition: ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T&& operator*() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? *value_ : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace kfix

/// Propagate a non-OK Status from an expression returning Status.
#define KFIX_RETURN_IF_ERROR(expr)              \
  do {                                          \
    ::kfix::Status kfix_status_tmp_ = (expr);   \
    if (!kfix_status_tmp_.ok()) return kfix_status_tmp_; \
  } while (false)
