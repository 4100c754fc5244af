// libkfix.so: the extern "C" shims of kfix/kfix.h over the C++ API.
//
// NOTE(surfaces): no logic lives here. Each fallible function checks its
// arguments, calls the C++ API inside Guard() and serialises with the layer's
// own *ToJson function, so C output is byte-identical to what the CLI prints.
#include <cstdlib>

#include "internal/guard.hpp"
#include "internal/handles.hpp"
#include "kfix/core.hpp"
#include "kfix/kfix.h"
#include "kfix/rules.hpp"
#include "kfix/status.hpp"
#include "kfix/version.hpp"

using kfix::capi::CheckOut;
using kfix::capi::FillBuf;
using kfix::capi::Guard;
using kfix::capi::InputView;

namespace {

// Names which input an error refers to when the layer left the file unset.
kfix::Status Named(const kfix::Status& s, const char* input) {
  kfix::SourceLocation loc;
  loc.file = input;
  return s.WithDefaultLocation(loc);
}

}  // namespace

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

// ---- Engine -----------------------------------------------------------------

KFIX_API kfix_status kfix_engine_new(kfix_engine** out, const char* config_json, size_t len) {
  if (out != nullptr) *out = nullptr;
  return Guard([&]() -> kfix::Status {
    if (out == nullptr) return kfix::InvalidArgumentError("out is NULL");
    std::string_view config;
    KFIX_RETURN_IF_ERROR(InputView(config_json, len, "config_json", &config));
    auto spec = kfix::capi::BuildEngine(config);
    if (!spec.ok()) return spec.status();
    *out = new kfix_engine{std::move(*spec)};
    return kfix::Status::Ok();
  });
}

KFIX_API void kfix_engine_free(kfix_engine* engine) { delete engine; }

// ---- Scan -------------------------------------------------------------------

namespace {

kfix::Status CheckEngine(const kfix_engine* engine) {
  if (engine == nullptr || !engine->rep) return kfix::InvalidArgumentError("engine is NULL");
  return kfix::Status::Ok();
}

const char* SourceName(const char* name) { return name != nullptr ? name : "-"; }

}  // namespace

KFIX_API kfix_status kfix_scan(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                               const char* source_name) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    KFIX_RETURN_IF_ERROR(CheckEngine(engine));
    std::string_view text;
    KFIX_RETURN_IF_ERROR(InputView(manifests, len, "manifests", &text));
    const kfix::capi::EngineSpec& e = *engine->rep;
    kfix::ScanReport report = e.rules->ScanText(text, SourceName(source_name), e.scan);
    return FillBuf(out, kfix::ScanReportToJson(report, /*pretty=*/false));
  });
}

// ---- Fix and verify ----------------------------------------------------------

KFIX_API kfix_status kfix_fix(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                              const char* source_name) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    KFIX_RETURN_IF_ERROR(CheckEngine(engine));
    std::string_view text;
    KFIX_RETURN_IF_ERROR(InputView(manifests, len, "manifests", &text));
    return FillBuf(out, kfix::capi::FixJson(*engine->rep, text, SourceName(source_name)));
  });
}

KFIX_API kfix_status kfix_verify_patch(kfix_buf* out, const kfix_engine* engine, const char* manifest, size_t len,
                                       const char* patch, size_t patch_len) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    KFIX_RETURN_IF_ERROR(CheckEngine(engine));
    std::string_view manifest_text;
    std::string_view patch_text;
    KFIX_RETURN_IF_ERROR(InputView(manifest, len, "manifest", &manifest_text));
    KFIX_RETURN_IF_ERROR(InputView(patch, patch_len, "patch", &patch_text));
    kfix::Result<std::string> verdict = kfix::capi::VerifyPatchJson(*engine->rep, manifest_text, patch_text);
    if (!verdict.ok()) return verdict.status();
    return FillBuf(out, *verdict);
  });
}

// ---- Risk -------------------------------------------------------------------

KFIX_API kfix_status kfix_risk_score(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                     const char* source_name) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    KFIX_RETURN_IF_ERROR(CheckEngine(engine));
    std::string_view text;
    KFIX_RETURN_IF_ERROR(InputView(manifests, len, "manifests", &text));
    kfix::Value v = kfix::capi::RiskScoreValue(*engine->rep, text, SourceName(source_name));
    return FillBuf(out, kfix::ToJson(v));
  });
}

KFIX_API kfix_status kfix_schedule(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                   const char* source_name) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    KFIX_RETURN_IF_ERROR(CheckEngine(engine));
    std::string_view text;
    KFIX_RETURN_IF_ERROR(InputView(manifests, len, "manifests", &text));
    return FillBuf(out, kfix::ToJson(kfix::capi::ScheduleValue(*engine->rep, text, SourceName(source_name))));
  });
}

// ---- Pipeline ----------------------------------------------------------------

KFIX_API kfix_status kfix_run(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                              const char* source_name, double now) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    KFIX_RETURN_IF_ERROR(CheckEngine(engine));
    std::string_view text;
    KFIX_RETURN_IF_ERROR(InputView(manifests, len, "manifests", &text));
    kfix::Result<kfix::PipelineResult> run =
        kfix::capi::RunPipelineText(*engine->rep, text, SourceName(source_name), now);
    if (!run.ok()) return run.status();
    return FillBuf(out, kfix::ToJson(kfix::capi::PipelineRunValue(*run)));
  });
}

// ---- Durable fix queue -------------------------------------------------------

namespace {

kfix::Status CheckQueue(const kfix_queue* queue) {
  if (queue == nullptr || !queue->rep) return kfix::InvalidArgumentError("queue is NULL");
  return kfix::Status::Ok();
}

}  // namespace

KFIX_API kfix_status kfix_queue_open(kfix_queue** out, const char* path, const char* options_json, size_t len) {
  if (out != nullptr) *out = nullptr;
  return Guard([&]() -> kfix::Status {
    if (out == nullptr) return kfix::InvalidArgumentError("out is NULL");
    if (path == nullptr) return kfix::InvalidArgumentError("path is NULL");
    std::string_view options_text;
    KFIX_RETURN_IF_ERROR(InputView(options_json, len, "options_json", &options_text));
    kfix::Value options;
    if (options_text.find_first_not_of(" \t\r\n") != std::string_view::npos) {
      kfix::Result<kfix::Value> parsed = kfix::ParseJson(options_text);
      if (!parsed.ok()) return Named(parsed.status(), "options");
      options = std::move(*parsed);
    }
    auto handle = kfix::capi::OpenQueue(path, options);
    if (!handle.ok()) return handle.status();
    *out = new kfix_queue{std::move(*handle)};
    return kfix::Status::Ok();
  });
}

KFIX_API void kfix_queue_free(kfix_queue* queue) { delete queue; }

KFIX_API kfix_status kfix_queue_enqueue(kfix_buf* out, kfix_queue* queue, const char* fix_report_json, size_t len,
                                        double now) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    KFIX_RETURN_IF_ERROR(CheckQueue(queue));
    std::string_view text;
    KFIX_RETURN_IF_ERROR(InputView(fix_report_json, len, "fix_report_json", &text));
    kfix::Result<kfix::Value> report = kfix::ParseJson(text);
    if (!report.ok()) return Named(report.status(), "fix_report");
    kfix::Result<kfix::Value> v = kfix::capi::QueueEnqueueFixReport(*queue->rep, *report, now);
    if (!v.ok()) return v.status();
    return FillBuf(out, kfix::ToJson(*v));
  });
}

KFIX_API kfix_status kfix_queue_lease(kfix_buf* out, kfix_queue* queue, const char* worker, double lease_seconds,
                                      double now) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    KFIX_RETURN_IF_ERROR(CheckQueue(queue));
    kfix::Result<kfix::Value> v =
        kfix::capi::QueueLease(*queue->rep, worker != nullptr ? worker : "kfix", lease_seconds, now);
    if (!v.ok()) return v.status();
    return FillBuf(out, kfix::ToJson(*v));
  });
}

KFIX_API kfix_status kfix_queue_finish(kfix_buf* out, kfix_queue* queue, int64_t id, int64_t lease_token,
                                       const char* reason, double now) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    KFIX_RETURN_IF_ERROR(CheckQueue(queue));
    std::string reason_text = reason != nullptr ? reason : "";
    kfix::Result<kfix::Value> v =
        kfix::capi::QueueFinish(*queue->rep, id, lease_token, reason != nullptr ? &reason_text : nullptr, now);
    if (!v.ok()) return v.status();
    return FillBuf(out, kfix::ToJson(*v));
  });
}

KFIX_API kfix_status kfix_queue_stats(kfix_buf* out, kfix_queue* queue, double now) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    KFIX_RETURN_IF_ERROR(CheckQueue(queue));
    kfix::Result<kfix::Value> v = kfix::capi::QueueStatsValue(*queue->rep, now);
    if (!v.ok()) return v.status();
    return FillBuf(out, kfix::ToJson(*v));
  });
}

// ---- Receipts and audit log -------------------------------------------------

namespace {

kfix::Result<kfix::Value> JsonInput(const char* ptr, size_t len, const char* what) {
  std::string_view text;
  KFIX_RETURN_IF_ERROR(InputView(ptr, len, what, &text));
  kfix::Result<kfix::Value> v = kfix::ParseJson(text);
  if (!v.ok()) return Named(v.status(), what);
  return v;
}

}  // namespace

KFIX_API kfix_status kfix_receipt_sign(kfix_buf* out, const char* seed_hex, size_t seed_len, const char* payload_json,
                                       size_t payload_len) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    std::string_view seed;
    KFIX_RETURN_IF_ERROR(InputView(seed_hex, seed_len, "seed_hex", &seed));
    kfix::Result<kfix::Value> payload = JsonInput(payload_json, payload_len, "payload");
    if (!payload.ok()) return payload.status();
    kfix::Result<std::string> receipt = kfix::capi::ReceiptSignJson(seed, *payload);
    if (!receipt.ok()) return receipt.status();
    return FillBuf(out, *receipt);
  });
}

KFIX_API kfix_status kfix_receipt_verify(const char* receipt_json, size_t receipt_len, const char* payload_json,
                                         size_t payload_len, const char* public_key_hex, size_t key_len) {
  return Guard([&]() -> kfix::Status {
    std::string_view receipt;
    std::string_view key;
    KFIX_RETURN_IF_ERROR(InputView(receipt_json, receipt_len, "receipt_json", &receipt));
    KFIX_RETURN_IF_ERROR(InputView(public_key_hex, key_len, "public_key_hex", &key));
    kfix::Result<kfix::Value> payload = JsonInput(payload_json, payload_len, "payload");
    if (!payload.ok()) return payload.status();
    return kfix::capi::ReceiptVerify(receipt, *payload, key);
  });
}

KFIX_API kfix_status kfix_audit_verify(kfix_buf* out, const char* log, size_t log_len, const char* options_json,
                                       size_t options_len) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    std::string_view contents;
    KFIX_RETURN_IF_ERROR(InputView(log, log_len, "log", &contents));
    kfix::Value options_value;
    std::string_view options_text;
    KFIX_RETURN_IF_ERROR(InputView(options_json, options_len, "options_json", &options_text));
    if (options_text.find_first_not_of(" \t\r\n") != std::string_view::npos) {
      kfix::Result<kfix::Value> parsed = kfix::ParseJson(options_text);
      if (!parsed.ok()) return Named(parsed.status(), "options");
      options_value = std::move(*parsed);
    }
    auto request = kfix::capi::ParseAuditVerifyOptions(options_value);
    if (!request.ok()) return request.status();
    kfix::Result<kfix::Value> report = kfix::capi::AuditVerifyValue(contents, *request);
    if (!report.ok()) return report.status();
    return FillBuf(out, kfix::ToJson(*report));
  });
}

// ---- Patches ----------------------------------------------------------------

KFIX_API kfix_status kfix_patch_apply(kfix_buf* out, const char* doc_json, size_t doc_len, const char* patch_json,
                                      size_t patch_len) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    std::string_view doc_text;
    std::string_view patch_text;
    KFIX_RETURN_IF_ERROR(InputView(doc_json, doc_len, "doc_json", &doc_text));
    KFIX_RETURN_IF_ERROR(InputView(patch_json, patch_len, "patch_json", &patch_text));
    kfix::Result<kfix::Value> doc = kfix::ParseJson(doc_text);
    if (!doc.ok()) return Named(doc.status(), "doc");
    kfix::Result<kfix::Patch> patch = kfix::ParsePatch(patch_text);
    if (!patch.ok()) return Named(patch.status(), "patch");
    KFIX_RETURN_IF_ERROR(kfix::ApplyPatch(*doc, *patch));
    return FillBuf(out, kfix::ToJson(*doc));
  });
}

}  // extern "C"
