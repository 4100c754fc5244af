// libkfix.so: the extern "C" shims of kfix/kfix.h over the C++ API.
//
// No logic lives here: each fallible function checks and copies its
// arguments, calls kfix::Engine (kfix/engine.hpp) or a lower layer inside
// Guard() and serialises the result with its one ToValue + ToJson, so C
// output is byte-identical to what the CLI prints for the same engine.
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "internal/guard.hpp"
#include "engine/file_part_internal.hpp"
#include "internal/handles.hpp"
#include "kfix/audit.hpp"
#include "kfix/core.hpp"
#include "kfix/engine.hpp"
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
  if (status == KFIX_ECANCELLED) return "cancelled";  // C ABI only (a callback stopped the call)
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

}  // extern "C"

namespace {

kfix::Status NewEngine(kfix_engine** out, kfix::Result<kfix::Engine> engine) {
  if (!engine.ok()) return engine.status();
  *out = new kfix_engine{std::move(*engine)};
  return kfix::Status::Ok();
}

kfix::Status CheckEngine(const kfix_engine* engine) {
  if (engine == nullptr) return kfix::InvalidArgumentError("engine is NULL");
  return kfix::Status::Ok();
}

const char* SourceName(const char* name) { return name != nullptr ? name : "-"; }

// Checks out/engine and views the manifest text.
kfix::Status TextCall(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                      std::string_view* text) {
  KFIX_RETURN_IF_ERROR(CheckOut(out));
  KFIX_RETURN_IF_ERROR(CheckEngine(engine));
  return InputView(manifests, len, "manifests", text);
}

// Checks engine and copies the path list.
kfix::Status PathList(const kfix_engine* engine, const char* const* paths, size_t n_paths,
                      std::vector<std::string>* list) {
  KFIX_RETURN_IF_ERROR(CheckEngine(engine));
  if (paths == nullptr && n_paths != 0) return kfix::InvalidArgumentError("paths is NULL but n_paths is not 0");
  if (n_paths == 0) return kfix::InvalidArgumentError("no paths given");
  list->reserve(n_paths);
  for (size_t i = 0; i < n_paths; ++i) {
    if (paths[i] == nullptr) return kfix::InvalidArgumentError("paths[" + std::to_string(i) + "] is NULL");
    list->emplace_back(paths[i]);
  }
  return kfix::Status::Ok();
}

// Checks out/engine and copies the path list.
kfix::Status PathsCall(kfix_buf* out, const kfix_engine* engine, const char* const* paths, size_t n_paths,
                       std::vector<std::string>* list) {
  KFIX_RETURN_IF_ERROR(CheckOut(out));
  return PathList(engine, paths, n_paths, list);
}

// The compact JSON of a result document.
template <typename T>
kfix::Status FillDocument(kfix_buf* out, const T& result) {
  return FillBuf(out, kfix::ToJson(kfix::ToValue(result)));
}

template <typename T>
kfix::Status FillDocument(kfix_buf* out, const kfix::Result<T>& result) {
  if (!result.ok()) return result.status();
  return FillDocument(out, *result);
}

// The risk document with the feeds the engine scored with, as `kfix risk` prints it.
kfix::Status FillRisk(kfix_buf* out, const kfix_engine& engine, const kfix::RiskReport& report) {
  return FillBuf(out, kfix::ToJson(kfix::RiskReportToValue(report, *engine.rep.feeds())));
}

}  // namespace

extern "C" {

KFIX_API kfix_status kfix_engine_new(kfix_engine** out, const char* config, size_t len) {
  if (out != nullptr) *out = nullptr;
  return Guard([&]() -> kfix::Status {
    if (out == nullptr) return kfix::InvalidArgumentError("out is NULL");
    std::string_view text;
    KFIX_RETURN_IF_ERROR(InputView(config, len, "config", &text));
    return NewEngine(out, kfix::Engine::FromText(text, "config"));
  });
}

KFIX_API kfix_status kfix_engine_new_from_file(kfix_engine** out, const char* path) {
  if (out != nullptr) *out = nullptr;
  return Guard([&]() -> kfix::Status {
    if (out == nullptr) return kfix::InvalidArgumentError("out is NULL");
    if (path == nullptr) return kfix::InvalidArgumentError("path is NULL");
    if (*path == '\0') return kfix::InvalidArgumentError("path is empty");
    return NewEngine(out, kfix::Engine::FromFile(path));
  });
}

KFIX_API void kfix_engine_free(kfix_engine* engine) { delete engine; }

KFIX_API kfix_status kfix_engine_checks(kfix_buf* out, const kfix_engine* engine) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    KFIX_RETURN_IF_ERROR(CheckEngine(engine));
    return FillBuf(out, kfix::ChecksToJson(engine->rep.rules()->checks()));
  });
}

// ---- Scan -------------------------------------------------------------------

}  // extern "C"

namespace {

kfix::Status CheckScanFlags(uint32_t flags) {
  if ((flags & ~(KFIX_SCAN_PRETTY | KFIX_SCAN_NO_TIMING)) != 0) {
    return kfix::InvalidArgumentError("unknown scan flags " + std::to_string(flags));
  }
  return kfix::Status::Ok();
}

// The scan report as `kfix scan --format json` writes it.
kfix::Status FillScan(kfix_buf* out, const kfix::ScanReport& report, uint32_t flags) {
  return FillBuf(out, kfix::ScanReportToJson(report, (flags & KFIX_SCAN_PRETTY) != 0,
                                             (flags & KFIX_SCAN_NO_TIMING) == 0));
}

}  // namespace

extern "C" {

KFIX_API kfix_status kfix_engine_scan(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                      const char* source_name, uint32_t flags) {
  return Guard([&]() -> kfix::Status {
    std::string_view text;
    KFIX_RETURN_IF_ERROR(TextCall(out, engine, manifests, len, &text));
    KFIX_RETURN_IF_ERROR(CheckScanFlags(flags));
    return FillScan(out, engine->rep.ScanText(text, SourceName(source_name)), flags);
  });
}

KFIX_API kfix_status kfix_engine_scan_paths(kfix_buf* out, const kfix_engine* engine, const char* const* paths,
                                            size_t n_paths, uint32_t flags) {
  return Guard([&]() -> kfix::Status {
    std::vector<std::string> list;
    KFIX_RETURN_IF_ERROR(PathsCall(out, engine, paths, n_paths, &list));
    KFIX_RETURN_IF_ERROR(CheckScanFlags(flags));
    kfix::Result<kfix::ScanReport> report = engine->rep.ScanPaths(list);
    if (!report.ok()) return report.status();
    return FillScan(out, *report, flags);
  });
}

// ---- Fix and verify ----------------------------------------------------------

KFIX_API kfix_status kfix_engine_fix(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                     const char* source_name) {
  return Guard([&]() -> kfix::Status {
    std::string_view text;
    KFIX_RETURN_IF_ERROR(TextCall(out, engine, manifests, len, &text));
    return FillDocument(out, engine->rep.FixText(text, SourceName(source_name)));
  });
}

KFIX_API kfix_status kfix_engine_fix_paths(kfix_buf* out, const kfix_engine* engine, const char* const* paths,
                                           size_t n_paths) {
  return Guard([&]() -> kfix::Status {
    std::vector<std::string> list;
    KFIX_RETURN_IF_ERROR(PathsCall(out, engine, paths, n_paths, &list));
    return FillDocument(out, engine->rep.FixPaths(list));
  });
}

KFIX_API kfix_status kfix_engine_verify_patch(kfix_buf* out, const kfix_engine* engine, const char* manifest,
                                              size_t len, const char* patch, size_t patch_len) {
  return Guard([&]() -> kfix::Status {
    std::string_view manifest_text;
    std::string_view patch_text;
    KFIX_RETURN_IF_ERROR(TextCall(out, engine, manifest, len, &manifest_text));
    KFIX_RETURN_IF_ERROR(InputView(patch, patch_len, "patch", &patch_text));
    kfix::LoadedInputs inputs = engine->rep.LoadText(manifest_text, "manifest");
    return FillDocument(out, engine->rep.Verify(inputs, patch_text));
  });
}

// ---- Risk and schedule -------------------------------------------------------

KFIX_API kfix_status kfix_engine_risk(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                      const char* source_name) {
  return Guard([&]() -> kfix::Status {
    std::string_view text;
    KFIX_RETURN_IF_ERROR(TextCall(out, engine, manifests, len, &text));
    return FillRisk(out, *engine, engine->rep.ScoreText(text, SourceName(source_name)));
  });
}

KFIX_API kfix_status kfix_engine_risk_paths(kfix_buf* out, const kfix_engine* engine, const char* const* paths,
                                            size_t n_paths) {
  return Guard([&]() -> kfix::Status {
    std::vector<std::string> list;
    KFIX_RETURN_IF_ERROR(PathsCall(out, engine, paths, n_paths, &list));
    kfix::Result<kfix::RiskReport> report = engine->rep.ScorePaths(list);
    if (!report.ok()) return report.status();
    return FillRisk(out, *engine, *report);
  });
}

KFIX_API kfix_status kfix_engine_schedule(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                          const char* source_name) {
  return Guard([&]() -> kfix::Status {
    std::string_view text;
    KFIX_RETURN_IF_ERROR(TextCall(out, engine, manifests, len, &text));
    return FillDocument(out, engine->rep.Rank(engine->rep.ScoreText(text, SourceName(source_name))));
  });
}

// ---- Run ----------------------------------------------------------------------

KFIX_API kfix_status kfix_engine_run(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                     const char* source_name, double now) {
  return Guard([&]() -> kfix::Status {
    std::string_view text;
    KFIX_RETURN_IF_ERROR(TextCall(out, engine, manifests, len, &text));
    kfix::CallOptions options;
    options.now = now;
    return FillDocument(out, engine->rep.RunText(text, SourceName(source_name), options));
  });
}

KFIX_API kfix_status kfix_engine_run_paths(kfix_buf* out, const kfix_engine* engine, const char* const* paths,
                                           size_t n_paths, double now) {
  return Guard([&]() -> kfix::Status {
    std::vector<std::string> list;
    KFIX_RETURN_IF_ERROR(PathsCall(out, engine, paths, n_paths, &list));
    kfix::CallOptions options;
    options.now = now;
    return FillDocument(out, engine->rep.Run(list, options));
  });
}

// ---- Durable fix queue -------------------------------------------------------

}  // extern "C"

namespace {

kfix::Status CheckQueue(const kfix_queue* queue) {
  if (queue == nullptr || !queue->rep) return kfix::InvalidArgumentError("queue is NULL");
  return kfix::Status::Ok();
}

// Parses an optional JSON options argument (blank = null).
kfix::Result<kfix::Value> OptionsInput(const char* ptr, size_t len, const char* what) {
  std::string_view text;
  KFIX_RETURN_IF_ERROR(InputView(ptr, len, what, &text));
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return kfix::Value();
  kfix::Result<kfix::Value> parsed = kfix::ParseJson(text);
  if (!parsed.ok()) return Named(parsed.status(), "options");
  return parsed;
}

// Runs a queue transition under the handle's lock and returns its document.
template <typename Op>
kfix::Status QueueCall(kfix_buf* out, kfix_queue* queue, Op&& op) {
  KFIX_RETURN_IF_ERROR(CheckOut(out));
  KFIX_RETURN_IF_ERROR(CheckQueue(queue));
  std::lock_guard<std::mutex> lock(queue->mu);
  kfix::Result<kfix::Value> v = op(*queue->rep);
  if (!v.ok()) return v.status();
  return FillBuf(out, kfix::ToJson(*v));
}

}  // namespace

extern "C" {

KFIX_API kfix_status kfix_queue_open(kfix_queue** out, const char* path, const char* options_json, size_t len) {
  if (out != nullptr) *out = nullptr;
  return Guard([&]() -> kfix::Status {
    if (out == nullptr) return kfix::InvalidArgumentError("out is NULL");
    if (path == nullptr) return kfix::InvalidArgumentError("path is NULL");
    kfix::Result<kfix::Value> options = OptionsInput(options_json, len, "options_json");
    if (!options.ok()) return options.status();
    kfix::Result<kfix::QueueOptions> opts = kfix::QueueOptionsFromValue(*options);
    if (!opts.ok()) return opts.status();
    kfix::Result<std::unique_ptr<kfix::Queue>> q = kfix::Queue::Open(path, *opts);
    if (!q.ok()) return q.status();
    auto* handle = new kfix_queue;
    handle->rep = std::move(*q);
    *out = handle;
    return kfix::Status::Ok();
  });
}

KFIX_API void kfix_queue_free(kfix_queue* queue) { delete queue; }

KFIX_API kfix_status kfix_queue_enqueue(kfix_buf* out, kfix_queue* queue, const char* fix_report_json, size_t len,
                                        double now) {
  return Guard([&]() -> kfix::Status {
    std::string_view text;
    KFIX_RETURN_IF_ERROR(InputView(fix_report_json, len, "fix_report_json", &text));
    kfix::Result<kfix::Value> report = kfix::ParseJson(text);
    if (!report.ok()) return Named(report.status(), "fix_report");
    return QueueCall(out, queue, [&](kfix::Queue& q) { return kfix::QueueEnqueueReport(q, *report, now); });
  });
}

KFIX_API kfix_status kfix_queue_lease(kfix_buf* out, kfix_queue* queue, const char* worker, double lease_seconds,
                                      double now) {
  return Guard([&]() -> kfix::Status {
    const std::string owner = worker != nullptr ? worker : "kfix";
    return QueueCall(out, queue,
                     [&](kfix::Queue& q) { return kfix::QueueLeaseNext(q, owner, lease_seconds, now); });
  });
}

KFIX_API kfix_status kfix_queue_ack(kfix_buf* out, kfix_queue* queue, int64_t id, int64_t lease_token, double now) {
  return Guard([&]() -> kfix::Status {
    return QueueCall(out, queue, [&](kfix::Queue& q) { return kfix::QueueAckItem(q, id, lease_token, now); });
  });
}

KFIX_API kfix_status kfix_queue_nack(kfix_buf* out, kfix_queue* queue, int64_t id, int64_t lease_token,
                                     const char* reason, size_t reason_len, double now) {
  return Guard([&]() -> kfix::Status {
    std::string_view why;
    KFIX_RETURN_IF_ERROR(InputView(reason, reason_len, "reason", &why));
    return QueueCall(out, queue,
                     [&](kfix::Queue& q) { return kfix::QueueNackItem(q, id, why, lease_token, now); });
  });
}

KFIX_API kfix_status kfix_queue_stats(kfix_buf* out, kfix_queue* queue, double now) {
  return Guard([&]() -> kfix::Status {
    return QueueCall(out, queue, [&](kfix::Queue& q) { return kfix::QueueStatsDocument(q, now); });
  });
}

// ---- Receipts and audit log -------------------------------------------------

}  // extern "C"

namespace {

kfix::Result<kfix::Value> JsonInput(const char* ptr, size_t len, const char* what) {
  std::string_view text;
  KFIX_RETURN_IF_ERROR(InputView(ptr, len, what, &text));
  kfix::Result<kfix::Value> v = kfix::ParseJson(text);
  if (!v.ok()) return Named(v.status(), what);
  return v;
}

}  // namespace

extern "C" {

KFIX_API kfix_status kfix_receipt_sign(kfix_buf* out, const char* seed_hex, size_t seed_len, const char* payload_json,
                                       size_t payload_len) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    std::string_view seed;
    KFIX_RETURN_IF_ERROR(InputView(seed_hex, seed_len, "seed_hex", &seed));
    kfix::Result<kfix::Value> payload = JsonInput(payload_json, payload_len, "payload");
    if (!payload.ok()) return payload.status();
    kfix::Result<kfix::SigningKey> key = kfix::SigningKey::FromSeedHex(seed);
    if (!key.ok()) return key.status();
    return FillBuf(out, kfix::Sign(*key, *payload).ToJson());
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
    kfix::Result<kfix::PublicKey> public_key = kfix::PublicKey::FromHex(key);
    if (!public_key.ok()) return public_key.status();
    kfix::KeyRing ring;
    ring.Add(*public_key);
    return kfix::VerifyJson(receipt, *payload, ring).status;
  });
}

KFIX_API kfix_status kfix_audit_verify(kfix_buf* out, const char* log, size_t log_len, const char* options_json,
                                       size_t options_len) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    std::string_view contents;
    KFIX_RETURN_IF_ERROR(InputView(log, log_len, "log", &contents));
    kfix::Result<kfix::Value> options = OptionsInput(options_json, options_len, "options_json");
    if (!options.ok()) return options.status();
    kfix::Result<kfix::AuditVerifyOptions> opts = kfix::AuditVerifyOptionsFromValue(*options);
    if (!opts.ok()) return opts.status();
    return FillDocument(out, kfix::VerifyAuditLog(contents, *opts));
  });
}

// ---- YAML and patches ----------------------------------------------------------

}  // extern "C"

namespace {

kfix::Result<kfix::Value> YamlInput(const char* ptr, size_t len, const char* what) {
  std::string_view text;
  KFIX_RETURN_IF_ERROR(InputView(ptr, len, what, &text));
  kfix::Result<kfix::Value> v = kfix::ParseYaml(text);
  if (!v.ok()) return Named(v.status(), what);
  return v;
}

kfix::Status ApplyPatchText(kfix::Value& doc, const char* patch_json, size_t patch_len) {
  std::string_view patch_text;
  KFIX_RETURN_IF_ERROR(InputView(patch_json, patch_len, "patch_json", &patch_text));
  kfix::Result<kfix::Patch> patch = kfix::ParsePatch(patch_text);
  if (!patch.ok()) return Named(patch.status(), "patch");
  return kfix::ApplyPatch(doc, *patch);
}

}  // namespace

extern "C" {

KFIX_API kfix_status kfix_yaml_to_json(kfix_buf* out, const char* yaml, size_t len) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    kfix::Result<kfix::Value> doc = YamlInput(yaml, len, "yaml");
    if (!doc.ok()) return doc.status();
    return FillBuf(out, kfix::ToJson(*doc));
  });
}

KFIX_API kfix_status kfix_patch_apply_yaml(kfix_buf* out, const char* doc_yaml, size_t doc_len, const char* patch_json,
                                           size_t patch_len) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    kfix::Result<kfix::Value> doc = YamlInput(doc_yaml, doc_len, "doc");
    if (!doc.ok()) return doc.status();
    KFIX_RETURN_IF_ERROR(ApplyPatchText(*doc, patch_json, patch_len));
    return FillBuf(out, kfix::ToYaml(*doc));
  });
}

KFIX_API kfix_status kfix_patch_apply(kfix_buf* out, const char* doc_json, size_t doc_len, const char* patch_json,
                                      size_t patch_len) {
  return Guard([&]() -> kfix::Status {
    KFIX_RETURN_IF_ERROR(CheckOut(out));
    std::string_view doc_text;
    KFIX_RETURN_IF_ERROR(InputView(doc_json, doc_len, "doc_json", &doc_text));
    kfix::Result<kfix::Value> doc = kfix::ParseJson(doc_text);
    if (!doc.ok()) return Named(doc.status(), "doc");
    KFIX_RETURN_IF_ERROR(ApplyPatchText(*doc, patch_json, patch_len));
    return FillBuf(out, kfix::ToJson(*doc));
  });
}

}  // extern "C"

// ---- Write-back -------------------------------------------------------------------

extern "C" {

KFIX_API kfix_status kfix_engine_render(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                        const char* source_name) {
  return Guard([&]() -> kfix::Status {
    std::string_view text;
    KFIX_RETURN_IF_ERROR(TextCall(out, engine, manifests, len, &text));
    kfix::CallOptions call;
    call.keep_sources = true;  // render the bytes that were fixed
    kfix::FixReport report = engine->rep.FixText(text, SourceName(source_name), call);
    kfix::Result<kfix::Value> doc = engine->rep.RenderDocument(report);
    if (!doc.ok()) return doc.status();
    return FillBuf(out, kfix::ToJson(*doc));
  });
}

KFIX_API kfix_status kfix_engine_render_paths(kfix_buf* out, const kfix_engine* engine, const char* const* paths,
                                              size_t n_paths) {
  return Guard([&]() -> kfix::Status {
    std::vector<std::string> list;
    KFIX_RETURN_IF_ERROR(PathsCall(out, engine, paths, n_paths, &list));
    kfix::CallOptions call;
    call.keep_sources = true;
    kfix::Result<kfix::FixReport> report = engine->rep.FixPaths(list, call);
    if (!report.ok()) return report.status();
    kfix::Result<kfix::Value> doc = engine->rep.RenderDocument(*report);
    if (!doc.ok()) return doc.status();
    return FillBuf(out, kfix::ToJson(*doc));
  });
}

KFIX_API kfix_status kfix_engine_write_back(kfix_buf* out, const kfix_engine* engine, const char* const* paths,
                                            size_t n_paths, const char* options_json, size_t options_len) {
  return Guard([&]() -> kfix::Status {
    std::vector<std::string> list;
    KFIX_RETURN_IF_ERROR(PathsCall(out, engine, paths, n_paths, &list));
    kfix::Result<kfix::Value> options = OptionsInput(options_json, options_len, "options_json");
    if (!options.ok()) return options.status();
    kfix::Result<kfix::WriteBackOptions> wb = kfix::WriteBackOptionsFromValue(*options);
    if (!wb.ok()) return wb.status();
    KFIX_RETURN_IF_ERROR(kfix::CheckWriteBack(list, *wb));  // before any work
    kfix::CallOptions call;
    call.keep_sources = true;
    kfix::Result<kfix::FixReport> report = engine->rep.FixPaths(list, call);
    if (!report.ok()) return report.status();
    kfix::Result<kfix::WriteBackResult> written = engine->rep.WriteBack(*report, list, *wb);
    if (!written.ok()) return written.status();
    return FillBuf(out, kfix::ToJson(kfix::WriteBackResultToValue(*written)));
  });
}

}  // extern "C"

// ---- Streaming per file --------------------------------------------------------

namespace {

// Hands each part of a per-file run to `callback` as its JSON document
// (engine/file_part_internal.hpp); a non-zero answer stops the run with
// KFIX_ECANCELLED, whatever the engine's status reads then.
class PartCallback {
 public:
  PartCallback(kfix_part_cb callback, void* user, kfix::JsonStyle style)
      : callback_(callback), user_(user), style_(style) {}

  kfix::Status Hand(const std::string& file, const kfix::Value& part) {
    const std::string json = kfix::ToJson(part, style_);
    const int answer = callback_(index_, file.c_str(), json.c_str(), json.size(), user_);
    if (answer != 0) {
      stopped_ = true;
      return kfix::Status(kfix::StatusCode::kInternal, "stopped");  // replaced by Finish()
    }
    ++index_;
    return kfix::Status::Ok();
  }

  kfix::Status Finish(const kfix::Status& run) const {
    if (!stopped_) return run;
    return kfix::Status(static_cast<kfix::StatusCode>(KFIX_ECANCELLED),
                        "the callback stopped the run at part " + std::to_string(index_) + " (it returned non-zero)");
  }

 private:
  kfix_part_cb callback_;
  void* user_;
  kfix::JsonStyle style_;
  size_t index_ = 0;
  bool stopped_ = false;
};

kfix::Status CheckCallback(kfix_part_cb callback) {
  if (callback == nullptr) return kfix::InvalidArgumentError("callback is NULL");
  return kfix::Status::Ok();
}

}  // namespace

extern "C" {

KFIX_API kfix_status kfix_engine_scan_paths_per_file(const kfix_engine* engine, const char* const* paths,
                                                     size_t n_paths, uint32_t flags, kfix_part_cb callback,
                                                     void* user) {
  return Guard([&]() -> kfix::Status {
    std::vector<std::string> list;
    KFIX_RETURN_IF_ERROR(PathList(engine, paths, n_paths, &list));
    KFIX_RETURN_IF_ERROR(CheckScanFlags(flags));
    KFIX_RETURN_IF_ERROR(CheckCallback(callback));
    const bool timing = (flags & KFIX_SCAN_NO_TIMING) == 0;
    PartCallback hand(callback, user,
                      (flags & KFIX_SCAN_PRETTY) != 0 ? kfix::JsonStyle::kPretty : kfix::JsonStyle::kCompact);
    kfix::Result<kfix::ScanStats> totals =
        engine->rep.ScanPathsPerFile(list, [&](kfix::FileScanReport&& part) {
          return hand.Hand(part.file, kfix::internal::FileScanReportToValue(part, timing));
        });
    return hand.Finish(totals.status());
  });
}

KFIX_API kfix_status kfix_engine_fix_paths_per_file(const kfix_engine* engine, const char* const* paths,
                                                    size_t n_paths, const char* options_json, size_t options_len,
                                                    kfix_part_cb callback, void* user) {
  return Guard([&]() -> kfix::Status {
    std::vector<std::string> list;
    KFIX_RETURN_IF_ERROR(PathList(engine, paths, n_paths, &list));
    KFIX_RETURN_IF_ERROR(CheckCallback(callback));
    kfix::Result<kfix::Value> options = OptionsInput(options_json, options_len, "options_json");
    if (!options.ok()) return options.status();
    kfix::Result<kfix::WriteBackOptions> wb = kfix::WriteBackOptionsFromValue(*options);
    if (!wb.ok()) return wb.status();
    PartCallback hand(callback, user, kfix::JsonStyle::kCompact);
    kfix::CallOptions call;
    call.keep_trees = false;  // the part's JSON names each object; its tree is not needed
    kfix::Result<kfix::FixSummary> summary = engine->rep.FixPathsPerFile(
        list, *wb,
        [&](kfix::FileFixReport&& part) { return hand.Hand(part.file, kfix::internal::FileFixReportToValue(part)); },
        call);
    return hand.Finish(summary.status());
  });
}

}  // extern "C"

// ---- Playbooks --------------------------------------------------------------------
// Each call views its inputs, parses its options and hands them to the
// engine's document function for the command (kfix/engine.hpp), the one
// Python calls too.

namespace {

namespace gv = kfix::gvisor;
namespace esc = kfix::escape;

kfix::Result<gv::Options> GvisorOptions(const char* options_json, size_t options_len) {
  std::string_view text;
  KFIX_RETURN_IF_ERROR(InputView(options_json, options_len, "options_json", &text));
  return gv::ParseOptions(text, "options");
}

kfix::Status FillValue(kfix_buf* out, const kfix::Result<kfix::Value>& doc) {
  if (!doc.ok()) return doc.status();
  return FillBuf(out, kfix::ToJson(*doc));
}

// Views `input` and parses the JSON options, then fills `out` with what
// `body(text, options)` returns.
template <typename Body>
kfix::Status DocumentCall(kfix_buf* out, const char* input, size_t len, const char* what, const char* options_json,
                          size_t options_len, Body&& body) {
  KFIX_RETURN_IF_ERROR(CheckOut(out));
  std::string_view text;
  KFIX_RETURN_IF_ERROR(InputView(input, len, what, &text));
  kfix::Result<kfix::Value> options = OptionsInput(options_json, options_len, "options_json");
  if (!options.ok()) return options.status();
  return FillValue(out, body(text, *options));
}

kfix::Status GvisorRunCall(kfix_buf* out, const kfix_engine* engine, const char* plan, size_t plan_len,
                           const char* live, size_t live_len, const char* options_json, size_t options_len,
                           kfix::Engine::GvisorCommand command) {
  KFIX_RETURN_IF_ERROR(CheckOut(out));
  KFIX_RETURN_IF_ERROR(CheckEngine(engine));
  std::string_view plan_text;
  std::string_view live_text;
  KFIX_RETURN_IF_ERROR(InputView(plan, plan_len, "plan", &plan_text));
  KFIX_RETURN_IF_ERROR(InputView(live, live_len, "live", &live_text));
  kfix::Result<gv::Options> options = GvisorOptions(options_json, options_len);
  if (!options.ok()) return options.status();
  return FillValue(out, engine->rep.GvisorRunDocument(command, plan_text, live != nullptr ? &live_text : nullptr,
                                                      *options));
}

// Views the text or copies the paths of a gVisor scan/plan call and loads
// them (a file that cannot be read fails the call).
kfix::Result<kfix::LoadedInputs> GvisorInputs(kfix_buf* out, const kfix_engine* engine, const char* text, size_t len,
                                              const char* source_name, const char* const* paths, size_t n_paths,
                                              bool by_paths) {
  if (by_paths) {
    std::vector<std::string> list;
    KFIX_RETURN_IF_ERROR(PathsCall(out, engine, paths, n_paths, &list));
    return engine->rep.LoadReadable(list);
  }
  std::string_view view;
  KFIX_RETURN_IF_ERROR(TextCall(out, engine, text, len, &view));
  return engine->rep.LoadText(view, SourceName(source_name));
}

kfix::Status GvisorScanOrPlan(kfix_buf* out, const kfix_engine* engine, const char* text, size_t len,
                              const char* source_name, const char* const* paths, size_t n_paths, bool by_paths,
                              const char* options_json, size_t options_len, bool plan) {
  kfix::Result<kfix::LoadedInputs> inputs =
      GvisorInputs(out, engine, text, len, source_name, paths, n_paths, by_paths);
  if (!inputs.ok()) return inputs.status();
  kfix::Result<gv::Options> options = GvisorOptions(options_json, options_len);
  if (!options.ok()) return options.status();
  if (plan) return FillValue(out, engine->rep.GvisorPlanDocument(*inputs, *options));
  return FillBuf(out, kfix::ToJson(gv::ToValue(engine->rep.GvisorScan(*inputs, *options))));
}

kfix::Status QuarantineCall(kfix_buf* out, const char* findings, size_t len, const char* findings_name,
                            const char* cluster, size_t cluster_len, const char* options_json, size_t options_len,
                            esc::Operation op) {
  std::string_view cluster_text;
  KFIX_RETURN_IF_ERROR(InputView(cluster, cluster_len, "cluster", &cluster_text));
  return DocumentCall(out, findings, len, "findings", options_json, options_len,
                      [&](std::string_view text, const kfix::Value& options) {
                        return kfix::QuarantineDocument(op, text, SourceName(findings_name),
                                                        cluster != nullptr ? &cluster_text : nullptr, options);
                      });
}

}  // namespace

extern "C" {

KFIX_API kfix_status kfix_gvisor_scan(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                      const char* source_name, const char* options_json, size_t options_len) {
  return Guard([&]() -> kfix::Status {
    return GvisorScanOrPlan(out, engine, manifests, len, source_name, nullptr, 0, false, options_json, options_len,
                            false);
  });
}

KFIX_API kfix_status kfix_gvisor_scan_paths(kfix_buf* out, const kfix_engine* engine, const char* const* paths,
                                            size_t n_paths, const char* options_json, size_t options_len) {
  return Guard([&]() -> kfix::Status {
    return GvisorScanOrPlan(out, engine, nullptr, 0, nullptr, paths, n_paths, true, options_json, options_len, false);
  });
}

KFIX_API kfix_status kfix_gvisor_plan(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                      const char* source_name, const char* options_json, size_t options_len) {
  return Guard([&]() -> kfix::Status {
    return GvisorScanOrPlan(out, engine, manifests, len, source_name, nullptr, 0, false, options_json, options_len,
                            true);
  });
}

KFIX_API kfix_status kfix_gvisor_plan_paths(kfix_buf* out, const kfix_engine* engine, const char* const* paths,
                                            size_t n_paths, const char* options_json, size_t options_len) {
  return Guard([&]() -> kfix::Status {
    return GvisorScanOrPlan(out, engine, nullptr, 0, nullptr, paths, n_paths, true, options_json, options_len, true);
  });
}

KFIX_API kfix_status kfix_gvisor_apply(kfix_buf* out, const kfix_engine* engine, const char* plan, size_t plan_len,
                                       const char* live, size_t live_len, const char* options_json,
                                       size_t options_len) {
  return Guard([&]() -> kfix::Status {
    return GvisorRunCall(out, engine, plan, plan_len, live, live_len, options_json, options_len,
                         kfix::Engine::GvisorCommand::kApply);
  });
}

KFIX_API kfix_status kfix_gvisor_rollback(kfix_buf* out, const kfix_engine* engine, const char* plan, size_t plan_len,
                                          const char* live, size_t live_len, const char* options_json,
                                          size_t options_len) {
  return Guard([&]() -> kfix::Status {
    return GvisorRunCall(out, engine, plan, plan_len, live, live_len, options_json, options_len,
                         kfix::Engine::GvisorCommand::kRollback);
  });
}

KFIX_API kfix_status kfix_gvisor_verify(kfix_buf* out, const kfix_engine* engine, const char* plan, size_t plan_len,
                                        const char* live, size_t live_len, const char* options_json,
                                        size_t options_len) {
  return Guard([&]() -> kfix::Status {
    return GvisorRunCall(out, engine, plan, plan_len, live, live_len, options_json, options_len,
                         kfix::Engine::GvisorCommand::kVerify);
  });
}

KFIX_API kfix_status kfix_escape_detect(kfix_buf* out, const char* events, size_t len, const char* source_name,
                                        const char* options_json, size_t options_len) {
  return Guard([&]() -> kfix::Status {
    return DocumentCall(out, events, len, "events", options_json, options_len,
                        [&](std::string_view text, const kfix::Value& options) {
                          return kfix::EscapeDetectDocument(text, SourceName(source_name), options);
                        });
  });
}

KFIX_API kfix_status kfix_quarantine_plan(kfix_buf* out, const char* findings, size_t len, const char* findings_name,
                                          const char* cluster, size_t cluster_len, const char* options_json,
                                          size_t options_len) {
  return Guard([&]() -> kfix::Status {
    return QuarantineCall(out, findings, len, findings_name, cluster, cluster_len, options_json, options_len,
                          esc::Operation::kPlan);
  });
}

KFIX_API kfix_status kfix_quarantine_apply(kfix_buf* out, const char* findings, size_t len, const char* findings_name,
                                           const char* cluster, size_t cluster_len, const char* options_json,
                                           size_t options_len) {
  return Guard([&]() -> kfix::Status {
    return QuarantineCall(out, findings, len, findings_name, cluster, cluster_len, options_json, options_len,
                          esc::Operation::kApply);
  });
}

KFIX_API kfix_status kfix_quarantine_reverify(kfix_buf* out, const char* findings, size_t len,
                                              const char* findings_name, const char* cluster, size_t cluster_len,
                                              const char* options_json, size_t options_len) {
  return Guard([&]() -> kfix::Status {
    return QuarantineCall(out, findings, len, findings_name, cluster, cluster_len, options_json, options_len,
                          esc::Operation::kReverify);
  });
}

KFIX_API kfix_status kfix_intent_validate(kfix_buf* out, const char* intent, size_t len) {
  return Guard([&]() -> kfix::Status {
    return DocumentCall(out, intent, len, "intent", nullptr, 0, [](std::string_view text, const kfix::Value&) {
      return kfix::Result<kfix::Value>(kfix::IntentValidateDocument(text));
    });
  });
}

KFIX_API kfix_status kfix_intent_consume(kfix_buf* out, const char* object, size_t len, const char* options_json,
                                         size_t options_len) {
  return Guard([&]() -> kfix::Status {
    return DocumentCall(out, object, len, "object", options_json, options_len,
                        [](std::string_view text, const kfix::Value& options) {
                          return kfix::IntentConsumeDocument(text, options);
                        });
  });
}

KFIX_API kfix_status kfix_action_validate(kfix_buf* out, const char* action, size_t len, const char* options_json,
                                          size_t options_len) {
  return Guard([&]() -> kfix::Status {
    return DocumentCall(out, action, len, "action", options_json, options_len,
                        [](std::string_view text, const kfix::Value& options) {
                          return kfix::ActionValidateDocument(text, options);
                        });
  });
}

KFIX_API kfix_status kfix_action_step(kfix_buf* out, const char* action, size_t len, const char* options_json,
                                      size_t options_len) {
  return Guard([&]() -> kfix::Status {
    return DocumentCall(out, action, len, "action", options_json, options_len,
                        [](std::string_view text, const kfix::Value& options) {
                          return kfix::ActionStepDocument(text, options);
                        });
  });
}

KFIX_API kfix_status kfix_incidents_triage(kfix_buf* out, const char* events, size_t len, const char* options_json,
                                           size_t options_len) {
  return Guard([&]() -> kfix::Status {
    return DocumentCall(out, events, len, "events", options_json, options_len,
                        [](std::string_view text, const kfix::Value& options) {
                          return kfix::IncidentsTriageDocument(text, options);
                        });
  });
}

}  // extern "C"
