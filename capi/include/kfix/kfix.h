/*
 * kfix/kfix.h - the stable C ABI of kfix (libkfix.so).
 *
 * This is the only stable C header. It is C99, self-contained (it includes
 * only <stddef.h>, <stdint.h> and <stdbool.h>) and usable from C++.
 *
 * Model: JSON in, JSON out. Manifests are passed as YAML or JSON text (or as
 * file paths), the configuration as one YAML or JSON document (the schema of
 * `kfix --config`, docs/config.md), and every result is a JSON document
 * carrying "schemaVersion" - byte for byte the document the `kfix` CLI prints
 * for the same configuration and input. Only tiny, frozen things are C
 * structs (kfix_buf, kfix_error).
 *
 * Naming: every entry point is kfix_<object>_<verb> (kfix_engine_scan,
 * kfix_queue_ack, kfix_patch_apply, ...).
 *
 * Conventions (see docs/c-api.md):
 *   - Functions that can fail return a kfix_status (int32_t): KFIX_OK (0) or
 *     one of the pinned KFIX_E* codes below. Details of the last failure on
 *     the calling thread are available from kfix_last_error().
 *   - Outputs come first (`out`), then the handle, then inputs. Every input
 *     buffer is `const char* ptr, size_t len` (no NUL needed; NULL with len 0
 *     is the empty input). Inputs are copied or consumed before the call
 *     returns; the library never keeps a pointer to them.
 *   - Output documents are returned in a caller-provided kfix_buf that must be
 *     empty on entry (KFIX_BUF_INIT); the caller releases it with
 *     kfix_buf_dispose(). Never mix allocators: memory from kfix is released
 *     only with kfix_buf_dispose() / kfix_free(), never with free().
 *   - Handles are opaque; kfix_<object>_free() accepts NULL.
 *
 * Thread safety: every function may be called from any thread. An engine is
 * immutable after kfix_engine_new() and may be used by many threads at once.
 * kfix_last_error() is per thread.
 */
#ifndef KFIX_KFIX_H
#define KFIX_KFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Visibility ---------------------------------------------------------- */

#if defined(_WIN32) || defined(__CYGWIN__)
#if defined(KFIX_BUILDING_LIBRARY)
#define KFIX_API __declspec(dllexport)
#else
#define KFIX_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define KFIX_API __attribute__((visibility("default")))
#else
#define KFIX_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Version ------------------------------------------------------------- */

/* Compile-time version of this header. Token-identical to the macros in the
 * C++ header kfix/version.hpp, so both may be included together. Compare with
 * kfix_version_number() to detect a header/library mismatch. */
#define KFIX_VERSION_MAJOR 0
#define KFIX_VERSION_MINOR 1
#define KFIX_VERSION_PATCH 0
/** MAJOR*10000 + MINOR*100 + PATCH */
#define KFIX_VERSION_NUMBER (KFIX_VERSION_MAJOR * 10000 + KFIX_VERSION_MINOR * 100 + KFIX_VERSION_PATCH)
#define KFIX_VERSION_STRING "0.1.0"

/**
 * The version of the linked library, e.g. "0.1.0".
 * @return a static string; never NULL. Do not free.
 */
KFIX_API const char* kfix_version_string(void);

/**
 * The version of the linked library as MAJOR*10000 + MINOR*100 + PATCH.
 * @return the number (equal to KFIX_VERSION_NUMBER when header and library match).
 */
KFIX_API int32_t kfix_version_number(void);

/* ---- Status codes and errors --------------------------------------------- */

/** Status of a call: KFIX_OK or a KFIX_E* code. Values are pinned forever and
 * equal kfix::StatusCode in C++ and `.code` of Python's kfix.Error. */
typedef int32_t kfix_status;

#define KFIX_OK 0            /**< success */
#define KFIX_EINVAL 1        /**< bad argument (NULL pointer, bad option, bad pointer syntax) */
#define KFIX_EPARSE 2        /**< input text is not valid YAML / JSON / patch / config */
#define KFIX_ENOTFOUND 3     /**< a path, key, file or object does not exist */
#define KFIX_ECONFLICT 4     /**< a patch operation cannot apply */
#define KFIX_ETESTFAILED 5   /**< an RFC 6902 "test" operation did not match */
#define KFIX_ELIMIT 6        /**< a configured limit (depth, size, budget) was exceeded */
#define KFIX_EUNSUPPORTED 7  /**< a valid request kfix does not implement */
#define KFIX_EINTERNAL 8     /**< a bug in kfix (including any C++ exception); please report it */
#define KFIX_EIO 9           /**< reading or writing a file or database failed */
#define KFIX_EPERM 10        /**< refused by policy */
#define KFIX_EVERIFY 11      /**< signature, hash chain or verification gate did not hold */
#define KFIX_ENOMEM 12       /**< allocation failed */
#define KFIX_ECANCELLED 13   /**< a callback asked the call to stop (kfix_engine_*_per_file); C ABI only:
                                  no kfix::StatusCode has this value */

/**
 * Stable name of a status code, e.g. "parse_error" for KFIX_EPARSE.
 * @param status any value; unknown values give "unknown".
 * @return a static string; never NULL. Do not free.
 */
KFIX_API const char* kfix_status_name(kfix_status status);

/** Details of the last failed call on the calling thread. */
typedef struct kfix_error {
  int32_t code;            /**< the kfix_status the call returned; KFIX_OK when no error */
  const char* message;     /**< human-readable, "file:line:col: cause" when known; "" when no error */
  const char* detail_json; /**< the error as every kfix document writes it: {"code": "parse_error",
                                "message", "file", "line", "column", "document"} plus "item" (inside a
                                `kind: List`) and "pointer" when known; "message" is the bare cause
                                (the position is in the other members); always valid UTF-8 (invalid
                                input bytes become U+FFFD); "{}" when no error */
} kfix_error;

/**
 * The error of the last failing call on this thread.
 *
 * Every fallible function (one returning kfix_status) sets it on failure and
 * clears it on success. Infallible functions (versions, kfix_status_name,
 * kfix_last_error, kfix_buf_dispose, kfix_free, kfix_*_free) leave it alone,
 * so `kfix_status_name(kfix_last_error()->code)` is safe.
 *
 * @return never NULL; code KFIX_OK with empty message when the last fallible
 *   call succeeded. The struct and its strings are owned by the library and
 *   valid until the next fallible kfix_ call on this thread. Read it on the
 *   thread that made the failing call.
 */
KFIX_API const kfix_error* kfix_last_error(void);

/* ---- Memory -------------------------------------------------------------- */

/** An output buffer: `size` bytes at `ptr`, followed by a NUL (not counted). */
typedef struct kfix_buf {
  char* ptr;   /**< NULL when empty */
  size_t size; /**< bytes, excluding the terminating NUL */
} kfix_buf;

/** Initialiser for an empty kfix_buf: `kfix_buf out = KFIX_BUF_INIT;` */
#define KFIX_BUF_INIT {NULL, 0}

/**
 * Releases the memory of a buffer filled by kfix and resets it to empty, so
 * it can be reused as an output. Accepts NULL and empty buffers.
 */
KFIX_API void kfix_buf_dispose(kfix_buf* buf);

/**
 * Releases any other memory returned by kfix. Accepts NULL.
 * Never pass memory that kfix did not allocate, and never free kfix memory
 * with free(): kfix may use a different allocator.
 */
KFIX_API void kfix_free(void* ptr);

/* ---- Engine ---------------------------------------------------------------- */

/** An immutable engine: enabled checks, scan/fix/risk/schedule settings and
 * the risk feeds, built from one configuration document. Opaque.
 * Thread-safe: one engine may be used by many threads at once. */
typedef struct kfix_engine kfix_engine;

/**
 * Builds an engine from one configuration document (YAML, or JSON when it
 * starts with `{`): kube-linter's .kube-linter.yaml keys plus kfix's
 * sections, the schema every surface shares (docs/config.md):
 *   checks:       {include, exclude, addAllBuiltIn, doNotAutoAddDefaults, ignorePaths}
 *   customChecks: [...]      kfixRules: [...]
 *   scan:         {context: all | per-file, jobs: N}
 *   fix:          {profile, ...}
 *   risk:         {epss: FILE, kev: FILE, trivy: [FILE...], attack: bool}
 *   schedule:     {exploration, fairness, seed, fairnessK, fairnessTop}
 * Risk feeds named in "risk" are read once, here.
 *
 * @param out receives the engine; set to NULL on failure. Caller frees it
 *   with kfix_engine_free().
 * @param config, len the document; NULL/0 (or blank) = defaults. Errors name
 *   it "config" with the line and column in this text.
 * @return KFIX_OK; KFIX_EINVAL (NULL out, a bad value, an unknown key - the
 *   message lists the valid sections); KFIX_EPARSE (not YAML/JSON, or a check
 *   that does not exist); KFIX_EIO / KFIX_ENOTFOUND (a risk feed cannot be
 *   read); KFIX_ENOMEM.
 */
KFIX_API kfix_status kfix_engine_new(kfix_engine** out, const char* config, size_t len);

/**
 * Builds an engine from a configuration file (as `kfix --config PATH`).
 *
 * @param out receives the engine; set to NULL on failure.
 * @param path the file (NUL-terminated). Errors name it with line and column.
 * @return as kfix_engine_new(), plus KFIX_ENOTFOUND / KFIX_EIO when the file
 *   cannot be read; KFIX_EINVAL for a NULL path.
 */
KFIX_API kfix_status kfix_engine_new_from_file(kfix_engine** out, const char* path);

/** Frees an engine. Accepts NULL. No call may be using it. */
KFIX_API void kfix_engine_free(kfix_engine* engine);

/**
 * The engine's enabled checks: the `kfix checks list --format json` document.
 * @param out empty buffer; caller disposes with kfix_buf_dispose().
 * @return KFIX_OK; KFIX_EINVAL (NULL out/engine, non-empty out); KFIX_ENOMEM.
 */
KFIX_API kfix_status kfix_engine_checks(kfix_buf* out, const kfix_engine* engine);

/* Every kfix_engine_<verb> has two forms:
 *   kfix_engine_<verb>(out, engine, manifests, len, source_name, ...)
 *     manifest text (YAML or JSON, multi-document) named `source_name`
 *     (NULL = "-") in findings and errors; it is one file and one lint context;
 *   kfix_engine_<verb>_paths(out, engine, paths, n_paths, ...)
 *     files and directories (*.yaml, *.yml, *.json, walked recursively and
 *     sorted; the configuration's ignorePaths skipped), one lint context;
 *     `paths` holds n_paths NUL-terminated strings. A path that does not exist
 *     fails the call with KFIX_ENOTFOUND (no output); no paths is KFIX_EINVAL.
 * In both, documents and files that cannot be read or parsed are data: they
 * are listed in the document's "errors" with file/line/column and do not fail
 * the call. Argument errors: KFIX_EINVAL (NULL out/engine, non-empty out, NULL
 * input with a length, NULL path). KFIX_ENOMEM when memory runs out. */

/* ---- Scan -------------------------------------------------------------------- */

/** Flags of kfix_engine_scan() / kfix_engine_scan_paths() (bitwise OR; 0 = compact, with timing). */
#define KFIX_SCAN_PRETTY 0x1u    /**< indented as `kfix scan --format json` prints it */
#define KFIX_SCAN_NO_TIMING 0x2u /**< leave out stats.seconds (`--no-timing`): identical bytes on every run */

/**
 * Scans manifests with the engine's checks.
 *
 * @param out empty buffer; on success receives the scan report
 *   ({"schemaVersion", "findings", "ignored", "errors", "warnings", "stats"}):
 *   with KFIX_SCAN_PRETTY | KFIX_SCAN_NO_TIMING byte for byte what
 *   `kfix scan --format json --no-timing` prints for the same configuration
 *   (pretty and compact text both end with a newline). Caller
 *   disposes with kfix_buf_dispose().
 * @param flags KFIX_SCAN_* bits; unknown bits are KFIX_EINVAL.
 * @return KFIX_OK; see the common errors above.
 */
KFIX_API kfix_status kfix_engine_scan(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                      const char* source_name, uint32_t flags);
/** kfix_engine_scan() over files and directories (`kfix scan PATH...`). */
KFIX_API kfix_status kfix_engine_scan_paths(kfix_buf* out, const kfix_engine* engine, const char* const* paths,
                                            size_t n_paths, uint32_t flags);

/* ---- Streaming per file (docs/c-api.md, "Streaming per file") --------------------- */

/**
 * Receives one part of a per-file run: `index` counts the parts from 0 in
 * report order (by file name), `file` is the part's file (NUL-terminated),
 * `part_json` / `part_len` its JSON document (NUL-terminated too). Every
 * pointer is valid only during the call: copy what you keep. It runs on the
 * thread that made the call and may call other kfix functions (the call's own
 * kfix_last_error() is set when it returns). Return 0 to go on, non-zero to stop:
 * the call then returns KFIX_ECANCELLED and no further part is handed over.
 */
typedef int (*kfix_part_cb)(size_t index, const char* file, const char* part_json, size_t part_len, void* user);

/**
 * kfix_engine_scan_paths() with each file its own lint context (whatever the
 * configuration's scan.context says), streamed: each file is loaded, scanned
 * and handed to `callback`, and its trees are freed, before the run goes on,
 * so memory follows the largest file, not the number of files. scan.jobs
 * files are worked on at once; the parts and their order are the same for
 * any scan.jobs.
 *
 * Each part is {"file", "errorInputs", "warningInputs", "report"}: "report"
 * is the scan report document of that file alone (the kfix_engine_scan_paths()
 * shape, its stats the file's own); "errorInputs" / "warningInputs" give for
 * each report error / warning the input it came from (position among the
 * files the paths expand to), null for the scan's own warnings. Joined as
 * docs/c-api.md says, the parts give the kfix_engine_scan_paths() document
 * of an engine with scan.context per-file.
 *
 * @param flags KFIX_SCAN_PRETTY (the part indented), KFIX_SCAN_NO_TIMING (no
 *   stats.seconds in the part's report); unknown bits are KFIX_EINVAL.
 * @return KFIX_OK; KFIX_ECANCELLED when the callback returned non-zero;
 *   KFIX_EINVAL (NULL engine or callback, NULL path, no paths, bad flags);
 *   KFIX_ENOTFOUND (a path does not exist: no part is handed over);
 *   KFIX_ENOMEM. Files that cannot be read or parsed are data: they are in
 *   their part's "errors" with file/line/column and the run goes on.
 */
KFIX_API kfix_status kfix_engine_scan_paths_per_file(const kfix_engine* engine, const char* const* paths,
                                                     size_t n_paths, uint32_t flags, kfix_part_cb callback,
                                                     void* user);

/**
 * kfix_engine_fix_paths() with each file its own lint context, streamed like
 * kfix_engine_scan_paths_per_file() (every patch vetted within its file),
 * and written back file by file as kfix_engine_write_back() does when the
 * options ask for it, before the file's part is handed over (`kfix fix
 * --context per-file --write DIR`). Each part is {"file", "errorInputs",
 * "objectInputs", "written", "writtenIndex", "diff", "report"}: "report" is
 * the `kfix fix --format json` document of that file alone; "errorInputs" /
 * "objectInputs" give the input of each report error / object (null: not a
 * load error); "written" is the file's kfix_engine_write_back() "files"
 * entry, "writtenIndex" its place there and "diff" its part of the diff
 * (null, null and "" when nothing is written back). Inputs that ignorePaths
 * leaves out come last, with empty reports, when writing.
 * @param options_json, options_len as kfix_engine_write_back(): {"write":
 *   DIR} or {"inPlace": true}, and {"diff": true}; NULL/0 = nothing written.
 * @return as kfix_engine_scan_paths_per_file(), plus KFIX_EINVAL / KFIX_EPARSE
 *   for bad options, stdin, two inputs at one output or an output that is an
 *   input (before anything is written). A file that could not be written is
 *   reported in its part's "written"."error".
 */
KFIX_API kfix_status kfix_engine_fix_paths_per_file(const kfix_engine* engine, const char* const* paths,
                                                    size_t n_paths, const char* options_json, size_t options_len,
                                                    kfix_part_cb callback, void* user);

/* ---- Fix and verify ------------------------------------------------------------- */

/**
 * Scans manifests and proposes a minimal RFC 6902 fix per finding, each vetted
 * by the guard gates (apply, no destructive edit, no privilege increase,
 * rescan, idempotence, budget, ...); accepted fixes are merged per object.
 *
 * @param out empty buffer; on success receives the `kfix fix --format json`
 *   document ({"schemaVersion", "results": [{check, object, status, reason,
 *   patch, gates, ...}], "objects": [{object, accepted, patch, gates}],
 *   "errors", "summary"}). Caller disposes with kfix_buf_dispose().
 * @return KFIX_OK; see the common errors above.
 */
KFIX_API kfix_status kfix_engine_fix(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                     const char* source_name);
/** kfix_engine_fix() over files and directories (`kfix fix PATH...`). */
KFIX_API kfix_status kfix_engine_fix_paths(kfix_buf* out, const kfix_engine* engine, const char* const* paths,
                                           size_t n_paths);

/**
 * Vets an external patch (e.g. from an LLM) against the first document of
 * `manifest` through every guard gate (`kfix verify`).
 *
 * @param out empty buffer; on success receives the verdict {"schemaVersion",
 *   "accepted", "reason", "patch", "gates": [{name, passed, detail}],
 *   "newFindings"}. A rejected patch is a result (KFIX_OK, "accepted": false).
 *   Caller disposes with kfix_buf_dispose().
 * @param manifest, len the object (YAML or JSON).
 * @param patch, patch_len an RFC 6902 patch, or text containing one (code
 *   fences and prose are stripped; see the "structure" gate).
 * @return KFIX_OK; KFIX_EPARSE (manifest not readable); KFIX_ENOTFOUND (no
 *   object in the manifest); KFIX_EINVAL (argument errors); KFIX_ENOMEM.
 */
KFIX_API kfix_status kfix_engine_verify_patch(kfix_buf* out, const kfix_engine* engine, const char* manifest,
                                              size_t len, const char* patch, size_t patch_len);

/* ---- Risk and schedule -------------------------------------------------------- */

/**
 * Scans manifests and scores every finding 0-100 (base weight of the check,
 * image CVEs with EPSS/KEV from the engine's "risk" feeds, optional ATT&CK).
 *
 * @param out empty buffer; on success receives the document
 *   `kfix risk --format json` prints: {"schemaVersion", "results": [{check,
 *   policy, file, line, object, container, risk, terms, ...}], "errors",
 *   "feeds"}. Caller disposes with kfix_buf_dispose().
 * @return KFIX_OK; see the common errors above.
 */
KFIX_API kfix_status kfix_engine_risk(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                      const char* source_name);
/** kfix_engine_risk() over files and directories (`kfix risk PATH...`: each file its own lint context). */
KFIX_API kfix_status kfix_engine_risk_paths(kfix_buf* out, const kfix_engine* engine, const char* const* paths,
                                            size_t n_paths);

/**
 * Scans, scores and ranks every finding for fixing (risk, learned acceptance
 * and time, exploration, aging, fairness; the engine's "schedule" section).
 *
 * @param out empty buffer; on success receives {"schemaVersion", "items":
 *   [{rank, score, R, p, Et, explore, waitHours, kev, check, file, line,
 *   namespace, kind, name}], "errors"} (`kfix schedule rank`). Caller
 *   disposes with kfix_buf_dispose().
 * @return KFIX_OK; see the common errors above.
 */
KFIX_API kfix_status kfix_engine_schedule(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                          const char* source_name);

/* ---- Run (the whole loop) -------------------------------------------------------- */

/**
 * The whole loop in one call, as `kfix run` does it: loads the input as one
 * lint context, scans it, proposes and vets a minimal fix per finding (guard
 * gates, rescan), scores every finding's risk and ranks the accepted fixes.
 * The engine supplies every setting: its checks, its "fix", "risk" (feeds
 * read once by kfix_engine_new()) and "schedule" sections, and "scan.jobs"
 * (threads; results never depend on it).
 *
 * @param out empty buffer; on success receives {"schemaVersion", "findings",
 *   "fixes", "risk", "schedule", "summary"}: the five documents `kfix run
 *   --out DIR` writes (findings.json, fixes.json, risk.json, schedule.json,
 *   summary.json), each with its own "schemaVersion". Between identical calls
 *   only summary."timing_seconds" differs. Caller disposes with kfix_buf_dispose().
 * @param now the caller's clock in seconds (e.g. Unix time): the enqueue time
 *   of every scheduled fix. The library never reads the clock.
 * @return KFIX_OK; see the common errors above.
 */
KFIX_API kfix_status kfix_engine_run(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                     const char* source_name, double now);
/** kfix_engine_run() over files and directories (`kfix run PATH...`). */
KFIX_API kfix_status kfix_engine_run_paths(kfix_buf* out, const kfix_engine* engine, const char* const* paths,
                                           size_t n_paths, double now);

/* ---- Write-back (docs/write-back.md) ------------------------------------------------ */

/**
 * Fixes manifests and renders each fixed file as text edits on its original
 * bytes: comments, blank lines, quoting, flow/block style, indentation, key
 * order, CRLF and a BOM stay as written; only the patched nodes change.
 *
 * @param out empty buffer; on success receives {"schemaVersion", "files":
 *   [{"file", "fixed", "notes", "refused", "error", "text"}]}: one entry per
 *   file with accepted patches, sorted by name; "text" the new bytes ("fixed"
 *   false when the patches left them unchanged), "refused" the objects left
 *   unchanged for review ({document, item?, reason}), "error" null or why the
 *   file could not be rendered (then "text" is null). Caller disposes with
 *   kfix_buf_dispose().
 * @return KFIX_OK; see the common errors above.
 */
KFIX_API kfix_status kfix_engine_render(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                        const char* source_name);
/** kfix_engine_render() over files and directories (the files as they were read). */
KFIX_API kfix_status kfix_engine_render_paths(kfix_buf* out, const kfix_engine* engine, const char* const* paths,
                                              size_t n_paths);

/**
 * Fixes files and writes them back, as `kfix fix --write DIR | --in-place
 * [--diff]`: every write is safe (no symlink followed, an input is never a
 * target, temporary file + fsync + rename, mode bits kept); files without an
 * accepted fix are copied byte-identical with "write" and left alone in place.
 *
 * @param out empty buffer; on success receives {"schemaVersion", "files":
 *   [{"file", "output", "fixed", "notes", "refused", "error"}], "diff"} (every
 *   input file; "output" "" when not written; "diff" the unified diff against
 *   the original bytes, a/ and b/ prefixes, when asked, else "").
 * @param options_json, options_len {"write": DIR} or {"inPlace": true}, and
 *   {"diff": true}; NULL/0 = nothing written (only a diff when asked).
 * @return KFIX_OK (a file that could not be written is reported in its
 *   "error"); KFIX_EINVAL (bad options, stdin, two inputs at one output, an
 *   output that is an input: nothing is written); the common errors above.
 */
KFIX_API kfix_status kfix_engine_write_back(kfix_buf* out, const kfix_engine* engine, const char* const* paths,
                                            size_t n_paths, const char* options_json, size_t options_len);

/* ---- gVisor migration playbook (docs/playbooks-gvisor.md) ------------------------- */

/* Options of every kfix_gvisor_* call: one document (YAML or JSON; NULL/0 =
 * defaults), the schema `kfix gvisor` reads from its flags:
 *   {"includeSystem", "includeReview", "addToleration": bool, "runtimeClassName",
 *    "profile": "kfix|agentmoat|agentmoat-v1", "batchSize", "maxParallel",
 *    "generatedAt": RFC 3339, "cluster", "execute", "skipPreflight": bool,
 *    "overrides": {...}, "facts": {...}}.
 * The library never reads the clock: without "generatedAt" documents carry "".
 * Errors in it (KFIX_EPARSE / KFIX_EINVAL) name "options" with line and column. */

/**
 * Classifies the workloads of manifests for runc -> gVisor (`kfix gvisor scan`).
 *
 * @param out empty buffer; receives {"schemaVersion", "workloads": [{kind,
 *   namespace, name, compatibility, reasons, recommendation, overhead}],
 *   "warnings"}; a document that does not load is a warning.
 * @return KFIX_OK; see the common errors above; KFIX_EPARSE / KFIX_EINVAL for
 *   bad options.
 */
KFIX_API kfix_status kfix_gvisor_scan(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                      const char* source_name, const char* options_json, size_t options_len);
/** kfix_gvisor_scan() over files and directories; an unreadable file fails the call (KFIX_EIO). */
KFIX_API kfix_status kfix_gvisor_scan_paths(kfix_buf* out, const kfix_engine* engine, const char* const* paths,
                                            size_t n_paths, const char* options_json, size_t options_len);

/**
 * Plans the migration (`kfix gvisor plan`): the MigrationPlan document with
 * metadata.planHash over its steps and options.
 *
 * @return KFIX_OK; KFIX_EPARSE when a document does not load (a plan is made
 *   only from inputs that load entirely); see the common errors above.
 */
KFIX_API kfix_status kfix_gvisor_plan(kfix_buf* out, const kfix_engine* engine, const char* manifests, size_t len,
                                      const char* source_name, const char* options_json, size_t options_len);
/** kfix_gvisor_plan() over files and directories. */
KFIX_API kfix_status kfix_gvisor_plan_paths(kfix_buf* out, const kfix_engine* engine, const char* const* paths,
                                            size_t n_paths, const char* options_json, size_t options_len);

/**
 * The apply envelope of a plan over the live state (`kfix gvisor apply`):
 * each step's status and RFC 6902 patch (vetted by the guard gates, the
 * engine's checks for the rescan gate), namespace stamps, preflight findings,
 * "exitCode". A dry run unless the options say "execute" (which only marks
 * the envelope for an adapter).
 *
 * @param plan, plan_len the MigrationPlan (YAML or JSON).
 * @param live, live_len the live objects (workloads, Namespaces with their
 *   stamps, Pods) as `kubectl get -o yaml` prints them; NULL = not supplied.
 * @return KFIX_OK; KFIX_EVERIFY (the plan failed its integrity check);
 *   KFIX_EPARSE (plan or live state does not load); see the common errors.
 */
KFIX_API kfix_status kfix_gvisor_apply(kfix_buf* out, const kfix_engine* engine, const char* plan, size_t plan_len,
                                       const char* live, size_t live_len, const char* options_json,
                                       size_t options_len);
/** The rollback envelope (`kfix gvisor rollback`); arguments as kfix_gvisor_apply(). */
KFIX_API kfix_status kfix_gvisor_rollback(kfix_buf* out, const kfix_engine* engine, const char* plan, size_t plan_len,
                                          const char* live, size_t live_len, const char* options_json,
                                          size_t options_len);
/** Compares the live pods with the plan (`kfix gvisor verify`); `live` is required. */
KFIX_API kfix_status kfix_gvisor_verify(kfix_buf* out, const kfix_engine* engine, const char* plan, size_t plan_len,
                                        const char* live, size_t live_len, const char* options_json,
                                        size_t options_len);

/* ---- Container-escape response (docs/playbooks-escape.md) --------------------------- */

/**
 * Detects container-escape attempts (`kfix escape detect`) in JSON lines of
 * OCSF 1.8 API Activity, native api_activity or Falco/Tracee events.
 *
 * @param out empty buffer; receives {"schemaVersion", "findings": [...],
 *   "errors": [status], "events"}: each finding the object the CLI prints as
 *   one line, "errors" the lines that could not be used (source:line: cause).
 * @param source_name names the events in errors (NULL = "-").
 * @param options_json {"format": "ocsf"|"native", "knownOperators": [...],
 *   "nowMs": ms} (NULL/0 = defaults; without "nowMs" the wall clock dates
 *   findings whose events carry no time).
 * @return KFIX_OK; KFIX_EINVAL (bad options, argument errors); KFIX_EPARSE.
 */
KFIX_API kfix_status kfix_escape_detect(kfix_buf* out, const char* events, size_t len, const char* source_name,
                                        const char* options_json, size_t options_len);

/**
 * Plans a quarantine per finding (`kfix quarantine plan`): deny-all
 * NetworkPolicies (or pod-kill / node-drain plans) behind every gate.
 *
 * @param out empty buffer; receives {"schemaVersion", "records": [...],
 *   "errors", "warnings", "status"}: "records" the objects the CLI prints as
 *   JSON lines, "errors" the finding lines that could not be used,
 *   "warnings" the skipped findings (another producer, no target), "status"
 *   null or the fatal error (apply: the approval gate's refusal, a failed
 *   audit write).
 * @param findings, len detection findings as JSON lines (OCSF 2004 or native),
 *   named `findings_name` (NULL = "-") in errors.
 * @param cluster, cluster_len live objects (`kubectl get -o yaml`); NULL/0 =
 *   none.
 * @param options_json {"mode", "protectedNamespaces", "slaMs", "nodeName",
 *   "nowMs"} and for apply {"incidentId", "approver", "secondApprover",
 *   "clusterName", "allowedClusters"}; without "nowMs" records carry the wall
 *   clock's time.
 * @return KFIX_OK; KFIX_EPARSE (the cluster text does not load); KFIX_EINVAL.
 */
KFIX_API kfix_status kfix_quarantine_plan(kfix_buf* out, const char* findings, size_t len, const char* findings_name,
                                          const char* cluster, size_t cluster_len, const char* options_json,
                                          size_t options_len);
/** Gated apply (`kfix quarantine apply`) as a hand-off: approved actions stay `in_progress` for an
 * adapter to carry out; the refused approval gate is the document's "status" (no records). */
KFIX_API kfix_status kfix_quarantine_apply(kfix_buf* out, const char* findings, size_t len, const char* findings_name,
                                           const char* cluster, size_t cluster_len, const char* options_json,
                                           size_t options_len);
/** Re-verification (`kfix quarantine reverify`): verified / drift (+ drift finding) / unreachable;
 * a cluster text that does not load makes every record unreachable. */
KFIX_API kfix_status kfix_quarantine_reverify(kfix_buf* out, const char* findings, size_t len,
                                              const char* findings_name, const char* cluster, size_t cluster_len,
                                              const char* options_json, size_t options_len);

/* ---- Typed actions (docs/playbooks-actions.md) ---------------------------------------- */

/**
 * Checks intent JSON against the five-action allowlist (`kfix intent validate`).
 * @param out empty buffer; receives {"valid", "error"}: a rejected intent is a
 *   result (KFIX_OK, "valid": false).
 * @return KFIX_OK; KFIX_EINVAL (argument errors).
 */
KFIX_API kfix_status kfix_intent_validate(kfix_buf* out, const char* intent, size_t len);

/**
 * Consumes the intent annotation of an object (`kfix intent consume`): the
 * generation guard, the cleared annotation and the effect as a patch vetted
 * by the guard gates.
 * @param object, len exactly one object (YAML or JSON).
 * @param options_json {"now": RFC 3339 (default: the wall clock), "container":
 *   name (default "runtime"), "pods": [objects] (restart-pod)}.
 * @param out receives {"decision", "annotations", "patch", "error"}.
 * @return KFIX_OK; KFIX_EPARSE / KFIX_EINVAL (object or options).
 */
KFIX_API kfix_status kfix_intent_consume(kfix_buf* out, const char* object, size_t len, const char* options_json,
                                         size_t options_len);

/**
 * Validates a KarsSREAction manifest (`kfix action validate`).
 * @param options_json {"now": RFC 3339 (default: the wall clock), "target": the live object}.
 * @param out receives {"valid", "error", "plan"}; a rejected action is a result.
 * @return KFIX_OK; KFIX_EINVAL (options, argument errors).
 */
KFIX_API kfix_status kfix_action_validate(kfix_buf* out, const char* action, size_t len, const char* options_json,
                                          size_t options_len);

/**
 * One reconcile of an SRE action's state machine (`kfix action step`).
 * @param options_json {"now": RFC 3339 (required), "snapshot": [objects] (the
 *   namespace's Deployments, Events, ResourceQuotas; absent: could not list)}.
 * @param out receives {"phase", "status", "effects"} (effects include the requeue).
 * @return KFIX_OK; KFIX_EPARSE (not one KarsSREAction); KFIX_EINVAL.
 */
KFIX_API kfix_status kfix_action_step(kfix_buf* out, const char* action, size_t len, const char* options_json,
                                      size_t options_len);

/**
 * One poll of the incident watcher (`kfix incidents triage`).
 * @param events, len Kubernetes Events (a YAML/JSON stream or an EventList).
 * @param options_json {"now": RFC 3339 (required), "state": the previous
 *   "next_state" (absent: the poll primes)}.
 * @param out receives {"priming", "incidents", "new_actions",
 *   "reused_actions", "alerts", "filtered", "deduplicated", "next_state"}.
 * @return KFIX_OK; KFIX_EPARSE (events do not load); KFIX_EINVAL.
 */
KFIX_API kfix_status kfix_incidents_triage(kfix_buf* out, const char* events, size_t len, const char* options_json,
                                           size_t options_len);

/* ---- Durable fix queue ------------------------------------------------------------- */

/** A handle on a crash-safe SQLite fix queue (WAL, leases, dead letters). Opaque.
 * Calls on one handle are serialised internally; several processes may open
 * the same database. */
typedef struct kfix_queue kfix_queue;

/**
 * Opens (creating if needed) the queue database at `path`.
 *
 * @param out receives the handle (NULL on failure); free with kfix_queue_free().
 * @param path file name (NUL-terminated).
 * @param options_json, len NULL/0 = defaults, or {"maxAttempts": 3, "busyTimeoutMs": 10000}.
 * @return KFIX_OK; KFIX_EIO (cannot open, or not a kfix queue); KFIX_EINVAL; KFIX_EPARSE.
 */
KFIX_API kfix_status kfix_queue_open(kfix_queue** out, const char* path, const char* options_json, size_t len);

/** Closes a queue. Accepts NULL. */
KFIX_API void kfix_queue_free(kfix_queue* queue);

/**
 * Enqueues every accepted fix of a fix report (the document of
 * kfix_engine_fix(), or "fixes" of kfix_engine_run()); idempotent: a fix
 * already queued is counted as a duplicate.
 *
 * @param out empty buffer; receives {"schemaVersion", "enqueued", "duplicates", "ids"}.
 * @param now clock in seconds (injected; e.g. Unix time).
 * @return KFIX_OK; KFIX_EPARSE (not JSON, or a result of the wrong shape);
 *   KFIX_EIO; KFIX_EINVAL.
 */
KFIX_API kfix_status kfix_queue_enqueue(kfix_buf* out, kfix_queue* queue, const char* fix_report_json, size_t len,
                                        double now);

/**
 * Leases the highest-priority queued item for `lease_seconds`.
 *
 * @param out empty buffer; receives the item JSON ({id, leaseToken, patch,
 *   record, ...}) or the text "null" when nothing is queued.
 * @param worker lease owner name (NUL-terminated; NULL = "kfix").
 * @return KFIX_OK; KFIX_EINVAL (lease_seconds <= 0); KFIX_EIO.
 */
KFIX_API kfix_status kfix_queue_lease(kfix_buf* out, kfix_queue* queue, const char* worker, double lease_seconds,
                                      double now);

/**
 * Acknowledges a leased item: the fix was applied.
 *
 * @param out empty buffer; receives {"schemaVersion", "id", "state", "attempts"}.
 * @param lease_token the item's leaseToken (0 = do not check).
 * @return KFIX_OK; KFIX_ENOTFOUND (unknown id, not leased, lease expired or
 *   token mismatch); KFIX_EIO.
 */
KFIX_API kfix_status kfix_queue_ack(kfix_buf* out, kfix_queue* queue, int64_t id, int64_t lease_token, double now);

/**
 * Gives a leased item back: queued again, or dead after maxAttempts.
 *
 * @param out empty buffer; receives {"schemaVersion", "id", "state", "attempts"}.
 * @param reason, reason_len why the fix was not applied (recorded).
 * @return as kfix_queue_ack().
 */
KFIX_API kfix_status kfix_queue_nack(kfix_buf* out, kfix_queue* queue, int64_t id, int64_t lease_token,
                                     const char* reason, size_t reason_len, double now);

/**
 * Queue statistics: {"schemaVersion", "states": {...}, "total", "outcomes"}
 * (the `kfix queue stats` document).
 */
KFIX_API kfix_status kfix_queue_stats(kfix_buf* out, kfix_queue* queue, double now);

/* ---- Receipts and audit log ----------------------------------------------------- */

/**
 * Signs a JSON payload: Ed25519 over its audit-canonical bytes (sorted keys).
 *
 * @param out empty buffer; on success receives the receipt as canonical JSON
 *   {"alg","keyId","payloadSha256","sig","v"}. Caller disposes with
 *   kfix_buf_dispose().
 * @param seed_hex, seed_len the 32-byte Ed25519 seed as 64 hex digits; not
 *   retained after the call.
 * @param payload_json, payload_len the payload (JSON).
 * @return KFIX_OK; KFIX_EINVAL (bad seed, argument errors); KFIX_EPARSE
 *   (payload is not JSON); KFIX_ENOMEM.
 */
KFIX_API kfix_status kfix_receipt_sign(kfix_buf* out, const char* seed_hex, size_t seed_len, const char* payload_json,
                                       size_t payload_len);

/**
 * Checks a receipt against a payload and an Ed25519 public key.
 *
 * @param receipt_json, receipt_len the receipt (as kfix_receipt_sign() made it).
 * @param payload_json, payload_len the payload (JSON; member order is irrelevant).
 * @param public_key_hex, key_len the public key as 64 hex digits.
 * @return KFIX_OK when the receipt holds; KFIX_EVERIFY (payload hash or
 *   signature mismatch); KFIX_ENOTFOUND (signed by another key); KFIX_EPARSE
 *   (malformed receipt or payload); KFIX_EINVAL (bad key, argument errors).
 */
KFIX_API kfix_status kfix_receipt_verify(const char* receipt_json, size_t receipt_len, const char* payload_json,
                                         size_t payload_len, const char* public_key_hex, size_t key_len);

/**
 * Verifies a hash-chained JSONL audit log held in memory.
 *
 * @param out empty buffer; on success receives {"schemaVersion", "intact",
 *   "reason", "line", "message", "linesVerified", "lastSeq", "lastHash"} (the
 *   `kfix audit verify --json` fields). A log that does not verify is a
 *   *result*: the call returns KFIX_OK with "intact": false and the reason
 *   (e.g. "chain_broken") and 1-based line. Caller disposes with kfix_buf_dispose().
 * @param log, log_len the whole log.
 * @param options_json, options_len NULL/0 = defaults, or {"publicKeys": [hex],
 *   "requireReceipts": false, "anchorSeq": 0, "anchorHash": ""}.
 * @return KFIX_OK; KFIX_EINVAL (bad option or key, argument errors);
 *   KFIX_EPARSE (options are not JSON); KFIX_ENOMEM.
 */
KFIX_API kfix_status kfix_audit_verify(kfix_buf* out, const char* log, size_t log_len, const char* options_json,
                                       size_t options_len);

/* ---- YAML and patches ------------------------------------------------------------ */

/**
 * Converts one YAML document to compact JSON (keys in document order).
 *
 * @param out empty buffer; on success receives the JSON. Caller disposes
 *   with kfix_buf_dispose().
 * @param yaml, len the document (a stream of more than one document is an
 *   error; empty text gives "null").
 * @return KFIX_OK; KFIX_EPARSE (not YAML, with line and column; or more than
 *   one document); KFIX_ELIMIT (nesting, size or alias limits); KFIX_EINVAL;
 *   KFIX_ENOMEM.
 */
KFIX_API kfix_status kfix_yaml_to_json(kfix_buf* out, const char* yaml, size_t len);

/**
 * Applies an RFC 6902 JSON Patch to a JSON document, atomically.
 *
 * @param out empty buffer (KFIX_BUF_INIT); on success receives the patched
 *   document as compact JSON. Caller disposes with kfix_buf_dispose().
 * @param doc_json, doc_len the document (JSON text).
 * @param patch_json, patch_len the patch (a JSON array of operations).
 * @return KFIX_OK; KFIX_EINVAL (NULL out, non-empty out, NULL input with a
 *   length); KFIX_EPARSE (document or patch is not valid JSON, or the patch is
 *   malformed); KFIX_ECONFLICT (an operation cannot apply); KFIX_ETESTFAILED
 *   (a "test" did not match); KFIX_ELIMIT; KFIX_ENOMEM. On failure `*out` is
 *   left empty and kfix_last_error() names the failing operation.
 */
KFIX_API kfix_status kfix_patch_apply(kfix_buf* out, const char* doc_json, size_t doc_len, const char* patch_json,
                                      size_t patch_len);

/**
 * Applies an RFC 6902 JSON Patch to one YAML document, atomically, and
 * returns YAML (block style; loads back to the patched value).
 *
 * @param out empty buffer; on success receives the patched document as YAML.
 * @param doc_yaml, doc_len the document (YAML, or JSON - JSON is YAML).
 * @param patch_json, patch_len the patch (a JSON array of operations).
 * @return as kfix_patch_apply(); KFIX_EPARSE also for a document that is not
 *   YAML or holds more than one document.
 */
KFIX_API kfix_status kfix_patch_apply_yaml(kfix_buf* out, const char* doc_yaml, size_t doc_len, const char* patch_json,
                                           size_t patch_len);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KFIX_KFIX_H */
