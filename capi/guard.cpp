// The C ABI's error slot and buffer helpers (see internal/guard.hpp).
#include "internal/guard.hpp"

#include <cstdlib>
#include <cstring>

#include "kfix/core.hpp"

namespace kfix::capi {
namespace {

struct ErrorSlot {
  std::string message;
  std::string detail_json = "{}";
  kfix_error view{KFIX_OK, "", "{}"};
};

ErrorSlot& Slot() noexcept {
  thread_local ErrorSlot slot;
  return slot;
}

// The error as every kfix document writes it (kfix::StatusToValue), through
// the one JSON serialiser, which escapes invalid UTF-8.
std::string DetailJson(const Status& s) {
  Value v = StatusToValue(s);
  if (static_cast<kfix_status>(s.code()) == KFIX_ECANCELLED) v.Set("code", "cancelled");  // C ABI only
  return ToJson(v);
}

}  // namespace

void ClearLastError() noexcept {
  ErrorSlot& slot = Slot();
  slot.view = kfix_error{KFIX_OK, "", "{}"};
  slot.message.clear();  // keeps capacity; cannot throw
  slot.detail_json.clear();
}

kfix_status SetLastError(const Status& status) noexcept {
  if (status.ok()) {
    ClearLastError();
    return KFIX_OK;
  }
  ErrorSlot& slot = Slot();
  const auto code = static_cast<kfix_status>(status.code());
  try {
    slot.message = status.ToString();
    slot.detail_json = DetailJson(status);
    slot.view = kfix_error{code, slot.message.c_str(), slot.detail_json.c_str()};
  } catch (...) {
    // Storing the message itself ran out of memory: report with static text.
    slot.view = kfix_error{code, "out of memory while recording an error", "{}"};
  }
  return code;
}

Status InputView(const char* ptr, std::size_t len, const char* what, std::string_view* out) {
  if (ptr == nullptr && len != 0) {
    return InvalidArgumentError(std::string(what) + " is NULL but its length is " + std::to_string(len));
  }
  // Never a null data pointer, even for empty input (libyaml asserts on NULL).
  *out = ptr == nullptr ? std::string_view("", 0) : std::string_view(ptr, len);
  return Status::Ok();
}

Status CheckOut(const kfix_buf* out) {
  if (out == nullptr) return InvalidArgumentError("output buffer is NULL");
  if (out->ptr != nullptr) {
    return InvalidArgumentError("output buffer is not empty: dispose it or initialise it with KFIX_BUF_INIT");
  }
  return Status::Ok();
}

Status FillBuf(kfix_buf* out, std::string_view text) {
  auto* p = static_cast<char*>(std::malloc(text.size() + 1));
  if (p == nullptr) throw std::bad_alloc();
  if (!text.empty()) std::memcpy(p, text.data(), text.size());
  p[text.size()] = '\0';
  out->ptr = p;
  out->size = text.size();
  return Status::Ok();
}

}  // namespace kfix::capi

extern "C" KFIX_API const kfix_error* kfix_last_error(void) { return &kfix::capi::Slot().view; }
