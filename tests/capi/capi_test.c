/* capi_test.c - exercises every function of kfix/kfix.h and its error paths.
 *
 * Plain C99 with a tiny CHECK harness; exits non-zero on the first failed
 * check group summary. Runs under ctest as `capi.test`. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kfix/kfix.h"

#include "check.h"
#include "fixtures.h"

static int no_error(void) {
  const kfix_error* e = kfix_last_error();
  return e != NULL && e->code == KFIX_OK && e->message != NULL && e->message[0] == '\0' &&
         e->detail_json != NULL && strcmp(e->detail_json, "{}") == 0;
}

/* ---- version ---- */
static void test_version(void) {
  char expected[32];
  CHECK(kfix_version_number() == KFIX_VERSION_NUMBER);
  CHECK(strcmp(kfix_version_string(), KFIX_VERSION_STRING) == 0);
  snprintf(expected, sizeof expected, "%d.%d.%d", KFIX_VERSION_MAJOR, KFIX_VERSION_MINOR, KFIX_VERSION_PATCH);
  CHECK(strcmp(kfix_version_string(), expected) == 0);
  CHECK(kfix_version_number() == KFIX_VERSION_MAJOR * 10000 + KFIX_VERSION_MINOR * 100 + KFIX_VERSION_PATCH);
}

/* ---- status names: pinned values and names ---- */
static void test_status_names(void) {
  static const struct {
    kfix_status code;
    int value;
    const char* name;
  } table[] = {
      {KFIX_OK, 0, "ok"},
      {KFIX_EINVAL, 1, "invalid_argument"},
      {KFIX_EPARSE, 2, "parse_error"},
      {KFIX_ENOTFOUND, 3, "not_found"},
      {KFIX_ECONFLICT, 4, "patch_conflict"},
      {KFIX_ETESTFAILED, 5, "test_failed"},
      {KFIX_ELIMIT, 6, "limit_exceeded"},
      {KFIX_EUNSUPPORTED, 7, "unsupported"},
      {KFIX_EINTERNAL, 8, "internal"},
      {KFIX_EIO, 9, "io_error"},
      {KFIX_EPERM, 10, "permission_denied"},
      {KFIX_EVERIFY, 11, "verification_failed"},
      {KFIX_ENOMEM, 12, "out_of_memory"},
      {KFIX_ECANCELLED, 13, "cancelled"},
  };
  size_t i;
  for (i = 0; i < sizeof table / sizeof table[0]; ++i) {
    CHECK(table[i].code == table[i].value);
    CHECK(strcmp(kfix_status_name(table[i].code), table[i].name) == 0);
  }
  CHECK(strcmp(kfix_status_name(-1), "unknown") == 0);
  CHECK(strcmp(kfix_status_name(14), "unknown") == 0);
  CHECK(strcmp(kfix_status_name(100), "unknown") == 0);
  CHECK(strcmp(kfix_status_name(INT32_MIN), "unknown") == 0);
}

/* ---- memory ---- */
static void test_memory(void) {
  kfix_buf empty = KFIX_BUF_INIT;
  CHECK(empty.ptr == NULL && empty.size == 0);
  kfix_buf_dispose(NULL);
  kfix_buf_dispose(&empty);
  CHECK(empty.ptr == NULL && empty.size == 0);
  kfix_free(NULL);
}

/* ---- errors: initial state, infallible calls leave it alone ---- */
static void test_error_initial(void) {
  CHECK(no_error());
  (void)kfix_status_name(KFIX_EPARSE);
  (void)kfix_version_string();
  CHECK(no_error());
  CHECK(kfix_last_error() == kfix_last_error());
}

/* ---- kfix_patch_apply ---- */
#define S(lit) lit, sizeof(lit) - 1

static void test_patch_apply(void) {
  kfix_buf out = KFIX_BUF_INIT;
  const kfix_error* e;

  /* success: patched compact JSON, NUL-terminated, error cleared */
  CHECK_STATUS(kfix_patch_apply(&out, S("{\"a\":1,\"b\":[1,2]}"),
                                S("[{\"op\":\"replace\",\"path\":\"/a\",\"value\":2},"
                                  "{\"op\":\"add\",\"path\":\"/b/-\",\"value\":3}]")),
               KFIX_OK);
  CHECK(out.ptr != NULL && strcmp(out.ptr, "{\"a\":2,\"b\":[1,2,3]}") == 0);
  CHECK(out.size == strlen("{\"a\":2,\"b\":[1,2,3]}") && out.ptr[out.size] == '\0');
  CHECK(no_error());

  /* non-empty output buffer: refused, buffer untouched */
  {
    char* before = out.ptr;
    CHECK_STATUS(kfix_patch_apply(&out, S("{}"), S("[]")), KFIX_EINVAL);
    CHECK(out.ptr == before);
  }
  kfix_buf_dispose(&out);
  CHECK(out.ptr == NULL && out.size == 0);

  /* NULL output */
  CHECK_STATUS(kfix_patch_apply(NULL, S("{}"), S("[]")), KFIX_EINVAL);
  CHECK(kfix_last_error()->code == KFIX_EINVAL);
  CHECK(strlen(kfix_last_error()->message) > 0);
  CHECK(strstr(kfix_last_error()->detail_json, "\"code\":\"invalid_argument\"") != NULL);

  /* NULL input with a length; NULL with 0 is the empty input (not JSON) */
  CHECK_STATUS(kfix_patch_apply(&out, NULL, 3, S("[]")), KFIX_EINVAL);
  CHECK_STATUS(kfix_patch_apply(&out, S("{}"), NULL, 1), KFIX_EINVAL);
  CHECK_STATUS(kfix_patch_apply(&out, NULL, 0, S("[]")), KFIX_EPARSE);
  CHECK_STATUS(kfix_patch_apply(&out, S(""), S("[]")), KFIX_EPARSE);
  CHECK(out.ptr == NULL);

  /* an OK call after a failure clears the error */
  CHECK(!no_error());
  CHECK_STATUS(kfix_patch_apply(&out, S("[1]"), S("[]")), KFIX_OK);
  CHECK(no_error());
  CHECK(out.ptr != NULL && strcmp(out.ptr, "[1]") == 0);
  kfix_buf_dispose(&out);

  /* bad JSON document: parse error naming the doc with a position */
  CHECK_STATUS(kfix_patch_apply(&out, S("{\"a\": }"), S("[]")), KFIX_EPARSE);
  e = kfix_last_error();
  CHECK(e->code == KFIX_EPARSE);
  CHECK(strstr(e->detail_json, "\"file\":\"doc\"") != NULL);
  CHECK(strstr(e->detail_json, "\"line\":1") != NULL);

  /* bad patch text */
  CHECK_STATUS(kfix_patch_apply(&out, S("{}"), S("[{\"op\": ")), KFIX_EPARSE);
  CHECK(strstr(kfix_last_error()->detail_json, "\"file\":\"patch\"") != NULL);

  /* conflict: remove a missing member; the pointer is reported */
  CHECK_STATUS(kfix_patch_apply(&out, S("{\"a\":1}"), S("[{\"op\":\"remove\",\"path\":\"/x\"}]")),
               KFIX_ECONFLICT);
  CHECK(strstr(kfix_last_error()->message, "/x") != NULL);

  /* test failed */
  CHECK_STATUS(kfix_patch_apply(&out, S("{\"a\":1}"), S("[{\"op\":\"test\",\"path\":\"/a\",\"value\":2}]")),
               KFIX_ETESTFAILED);
  CHECK(strcmp(kfix_status_name(kfix_last_error()->code), "test_failed") == 0);
  CHECK(out.ptr == NULL);

  /* atomic: a failing second op leaves nothing behind (no output) */
  CHECK_STATUS(kfix_patch_apply(&out, S("{\"a\":1}"),
                                S("[{\"op\":\"add\",\"path\":\"/b\",\"value\":1},"
                                  "{\"op\":\"remove\",\"path\":\"/zz\"}]")),
               KFIX_ECONFLICT);
  CHECK(out.ptr == NULL && out.size == 0);

  /* embedded NUL bytes are data, not terminators: this is invalid JSON */
  CHECK_STATUS(kfix_patch_apply(&out, "{}\0garbage", 10, S("[]")), KFIX_EPARSE);
}

/* ---- engine and scan ---- */

static void test_engine(void) {
  kfix_engine* engine = (kfix_engine*)&failures; /* garbage: must be reset to NULL on failure */
  kfix_buf out = KFIX_BUF_INIT;

  kfix_engine_free(NULL);
  CHECK_STATUS(kfix_engine_new(NULL, NULL, 0), KFIX_EINVAL);

  /* bad configurations */
  CHECK_STATUS(kfix_engine_new(&engine, S("{")), KFIX_EPARSE);
  CHECK(engine == NULL);
  CHECK(strstr(kfix_last_error()->detail_json, "\"file\":\"config\"") != NULL);
  CHECK_STATUS(kfix_engine_new(&engine, S("[]")), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_new(&engine, S("{\"scan\": {\"context\": \"sideways\"}}")), KFIX_EINVAL);
  CHECK(kfix_last_error()->message[0] != '\0');
  CHECK_STATUS(kfix_engine_new(&engine, S("{\"scan\": {\"jobs\": -1}}")), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_new(&engine, NULL, 4), KFIX_EINVAL);
  {
    kfix_status st = kfix_engine_new(&engine, S("{\"checks\": {\"include\": [\"no-such-check\"]}}"));
    /* the rules layer rejects it as a configuration error, naming the check and its line */
    CHECK(st == KFIX_EPARSE);
    CHECK(strstr(kfix_last_error()->message, "no-such-check") != NULL);
    CHECK(engine == NULL);
  }

  /* defaults: NULL/0, and blank text */
  CHECK_STATUS(kfix_engine_new(&engine, NULL, 0), KFIX_OK);
  CHECK(engine != NULL && no_error());
  kfix_engine_free(engine);
  CHECK_STATUS(kfix_engine_new(&engine, S("  \n")), KFIX_OK);
  kfix_engine_free(engine);

  CHECK_STATUS(kfix_engine_new(&engine, S("{\"checks\": {\"addAllBuiltIn\": true}, \"scan\": {\"jobs\": 2}}")),
               KFIX_OK);

  /* scan */
  CHECK_STATUS(kfix_engine_scan(&out, engine, S(kWeb), "web.yaml", 0), KFIX_OK);
  CHECK(no_error());
  CHECK(out.ptr != NULL && out.ptr[out.size] == '\0');
  CHECK(strstr(out.ptr, "\"schemaVersion\"") != NULL);
  CHECK(strstr(out.ptr, "\"check\":\"privileged-container\"") != NULL);
  CHECK(strstr(out.ptr, "\"check\":\"latest-tag\"") != NULL);
  CHECK(strstr(out.ptr, "\"file\":\"web.yaml\"") != NULL);
  kfix_buf_dispose(&out);

  /* NULL source name, empty input: OK with no findings */
  CHECK_STATUS(kfix_engine_scan(&out, engine, NULL, 0, NULL, 0), KFIX_OK);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"findings\":[]") != NULL);
  kfix_buf_dispose(&out);

  /* unreadable documents are data (errors inside the report), not a failed call */
  CHECK_STATUS(kfix_engine_scan(&out, engine, S("kind: [unclosed\n"), "bad.yaml", 0), KFIX_OK);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"errors\":[{") != NULL);
  kfix_buf_dispose(&out);

  /* argument errors */
  CHECK_STATUS(kfix_engine_scan(&out, NULL, S(kWeb), "x", 0), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_scan(NULL, engine, S(kWeb), "x", 0), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_scan(&out, engine, NULL, 5, "x", 0), KFIX_EINVAL);
  CHECK(out.ptr == NULL);

  kfix_engine_free(engine);
}


/* ---- paths entry points: one rule for missing paths ---- */
static void test_paths(void) {
  char web[1024];
  char missing[1024];
  char config[1024];
  const char* one[1];
  const char* two[2];
  kfix_engine* engine = NULL;
  kfix_engine* from_file = NULL;
  kfix_buf out = KFIX_BUF_INIT;
  kfix_buf text_scan = KFIX_BUF_INIT;

  snprintf(web, sizeof web, "%s/capi_paths_web.yaml", scratch_dir);
  snprintf(missing, sizeof missing, "%s/capi_paths_missing.yaml", scratch_dir);
  snprintf(config, sizeof config, "%s/capi_paths_config.yaml", scratch_dir);
  remove(missing);
  CHECK(write_file(web, kWeb));
  /* a YAML configuration file: errors name it with the line in its own text */
  CHECK(write_file(config, "checks:\n  addAllBuiltIn: true\nscan:\n  context: sideways\n"));
  CHECK_STATUS(kfix_engine_new_from_file(&from_file, config), KFIX_EINVAL);
  CHECK(from_file == NULL);
  CHECK(strstr(kfix_last_error()->detail_json, "\"line\":4") != NULL);
  CHECK(strstr(kfix_last_error()->message, "capi_paths_config.yaml") != NULL);
  CHECK(write_file(config, "checks:\n  addAllBuiltIn: true\n"));
  CHECK_STATUS(kfix_engine_new_from_file(&from_file, config), KFIX_OK);
  CHECK_STATUS(kfix_engine_new_from_file(&engine, missing), KFIX_ENOTFOUND);
  CHECK(engine == NULL);
  CHECK_STATUS(kfix_engine_new_from_file(&engine, NULL), KFIX_EINVAL);
  /* the same document as text builds the same engine */
  CHECK_STATUS(kfix_engine_new(&engine, S("checks:\n  addAllBuiltIn: true\n")), KFIX_OK);
  if (engine == NULL || from_file == NULL) {
    kfix_engine_free(engine);
    kfix_engine_free(from_file);
    return;
  }
  CHECK_STATUS(kfix_engine_checks(&out, engine), KFIX_OK);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"privileged-container\"") != NULL);
  kfix_buf_dispose(&out);

  one[0] = web;
  CHECK_STATUS(kfix_engine_scan_paths(&out, engine, one, 1, 0), KFIX_OK);
  CHECK(no_error());
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"check\":\"privileged-container\"") != NULL);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"seconds\":") != NULL);
  kfix_buf_dispose(&out);
  /* without timing, the file scan and the text scan of the same bytes and name are the same bytes,
     whichever way the same document built the engine */
  CHECK_STATUS(kfix_engine_scan_paths(&out, engine, one, 1, KFIX_SCAN_NO_TIMING | KFIX_SCAN_PRETTY), KFIX_OK);
  CHECK_STATUS(kfix_engine_scan(&text_scan, from_file, S(kWeb), web, KFIX_SCAN_NO_TIMING | KFIX_SCAN_PRETTY),
               KFIX_OK);
  CHECK(out.ptr != NULL && text_scan.ptr != NULL && strcmp(out.ptr, text_scan.ptr) == 0);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"seconds\"") == NULL && strstr(out.ptr, "\n  \"findings\": [") != NULL);
  kfix_buf_dispose(&text_scan);
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_engine_scan_paths(&out, engine, one, 1, 0x80u), KFIX_EINVAL);
  CHECK(out.ptr == NULL);

  CHECK_STATUS(kfix_engine_fix_paths(&out, engine, one, 1), KFIX_OK);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"status\":\"accepted\"") != NULL);
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_engine_risk_paths(&out, engine, one, 1), KFIX_OK);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"risk\":") != NULL);
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_engine_run_paths(&out, engine, one, 1, 1000.0), KFIX_OK);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"summary\":") != NULL && strstr(out.ptr, "\"now\":1000") != NULL);
  kfix_buf_dispose(&out);

  /* a path that does not exist fails every path entry point the same way, with no output */
  two[0] = web;
  two[1] = missing;
  CHECK_STATUS(kfix_engine_scan_paths(&out, engine, two, 2, 0), KFIX_ENOTFOUND);
  CHECK(strstr(kfix_last_error()->message, "capi_paths_missing.yaml") != NULL);
  CHECK_STATUS(kfix_engine_fix_paths(&out, engine, two, 2), KFIX_ENOTFOUND);
  CHECK_STATUS(kfix_engine_risk_paths(&out, engine, two, 2), KFIX_ENOTFOUND);
  CHECK_STATUS(kfix_engine_run_paths(&out, engine, two, 2, 0.0), KFIX_ENOTFOUND);
  CHECK(out.ptr == NULL);
  /* argument errors */
  CHECK_STATUS(kfix_engine_scan_paths(&out, engine, NULL, 0, 0), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_scan_paths(&out, engine, NULL, 1, 0), KFIX_EINVAL);
  two[1] = NULL;
  CHECK_STATUS(kfix_engine_scan_paths(&out, engine, two, 2, 0), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_scan_paths(&out, NULL, one, 1, 0), KFIX_EINVAL);
  CHECK(out.ptr == NULL);

  remove(web);
  remove(config);
  kfix_engine_free(engine);
  kfix_engine_free(from_file);
}

/* ---- error details are valid UTF-8 JSON, even for invalid input bytes ---- */
static int valid_utf8(const unsigned char* p) {
  while (*p != '\0') {
    int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0) return 0;
    ++p;
    while (n-- > 0) {
      if ((*p & 0xC0) != 0x80) return 0;
      ++p;
    }
  }
  return 1;
}

static void test_error_detail_utf8(void) {
  kfix_engine* engine = NULL;
  kfix_buf out = KFIX_BUF_INIT;
  char missing[1024];
  const char* one[1];
  const kfix_error* e;
  snprintf(missing, sizeof missing, "%s/no-such-\xff\xfe-dir/x.yaml", scratch_dir);
  one[0] = missing;
  CHECK_STATUS(kfix_engine_new(&engine, NULL, 0), KFIX_OK);
  CHECK_STATUS(kfix_engine_scan_paths(&out, engine, one, 1, 0), KFIX_ENOTFOUND);
  e = kfix_last_error();
  CHECK(valid_utf8((const unsigned char*)e->detail_json));
  CHECK(strstr(e->detail_json, "\xef\xbf\xbd") != NULL); /* U+FFFD for each invalid byte */
  CHECK(strstr(e->detail_json, "\"code\":\"not_found\"") != NULL);
  /* the document shape of every kfix error: code name, bare message, location members */
  CHECK(strncmp(e->detail_json, "{\"code\":\"not_found\",\"message\":", 30) == 0);
  /* a parse error inside the report is data in the same shape */
  CHECK_STATUS(kfix_engine_scan(&out, engine, S("kind: [unclosed\n"), "bad\xff.yaml", 0), KFIX_OK);
  CHECK(out.ptr != NULL && valid_utf8((const unsigned char*)out.ptr));
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"errors\":[{\"code\":\"parse_error\",") != NULL);
  kfix_buf_dispose(&out);
  kfix_engine_free(engine);
}

/* ---- YAML -> JSON and patches on YAML text ---- */
static void test_yaml(void) {
  kfix_buf out = KFIX_BUF_INIT;
  CHECK_STATUS(kfix_yaml_to_json(&out, S("b: 1\na: [x, {c: true}]\n")), KFIX_OK);
  CHECK(out.ptr != NULL && strcmp(out.ptr, "{\"b\":1,\"a\":[\"x\",{\"c\":true}]}") == 0);
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_yaml_to_json(&out, NULL, 0), KFIX_OK);
  CHECK(out.ptr != NULL && strcmp(out.ptr, "null") == 0);
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_yaml_to_json(&out, S("a: [\n")), KFIX_EPARSE);
  CHECK(strstr(kfix_last_error()->detail_json, "\"file\":\"yaml\"") != NULL);
  CHECK_STATUS(kfix_yaml_to_json(&out, S("a: 1\n---\nb: 2\n")), KFIX_EPARSE);
  CHECK_STATUS(kfix_yaml_to_json(NULL, S("a: 1\n")), KFIX_EINVAL);

  CHECK_STATUS(kfix_patch_apply_yaml(&out, S(kWeb),
                                     S("[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/"
                                       "securityContext/privileged\",\"value\":false}]")),
               KFIX_OK);
  CHECK(out.ptr != NULL && strstr(out.ptr, "privileged: false") != NULL && strstr(out.ptr, "kind: Deployment") != NULL);
  /* YAML out loads back: converting it gives the patched value */
  if (out.ptr != NULL) {
    kfix_buf json = KFIX_BUF_INIT;
    CHECK_STATUS(kfix_yaml_to_json(&json, out.ptr, out.size), KFIX_OK);
    CHECK(json.ptr != NULL && strstr(json.ptr, "\"privileged\":false") != NULL);
    kfix_buf_dispose(&json);
  }
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_patch_apply_yaml(&out, S("a: 1\n"), S("[{\"op\":\"remove\",\"path\":\"/b\"}]")), KFIX_ECONFLICT);
  CHECK_STATUS(kfix_patch_apply_yaml(&out, S("a: [\n"), S("[]")), KFIX_EPARSE);
  CHECK_STATUS(kfix_patch_apply_yaml(&out, S("a: 1\n"), S("[{")), KFIX_EPARSE);
  CHECK(out.ptr == NULL);
}

/* ---- fix and verify ---- */
static void test_fix_and_verify(void) {
  kfix_engine* engine = NULL;
  kfix_buf out = KFIX_BUF_INIT;
  static const char good_patch[] =
      "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/securityContext/privileged\","
      "\"value\":false}]";
  static const char bad_patch[] = "[{\"op\":\"remove\",\"path\":\"/spec/template\"}]";
  CHECK_STATUS(kfix_engine_new(&engine, S("{\"fix\": {}}")), KFIX_OK);

  CHECK_STATUS(kfix_engine_fix(&out, engine, S(kWeb), "web.yaml"), KFIX_OK);
  CHECK(no_error());
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"schemaVersion\":2") != NULL);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"status\":\"accepted\"") != NULL);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"summary\"") != NULL);
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_engine_fix(&out, NULL, S(kWeb), NULL), KFIX_EINVAL);

  CHECK_STATUS(kfix_engine_verify_patch(&out, engine, S(kWeb), S(good_patch)), KFIX_OK);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"accepted\":true") != NULL);
  kfix_buf_dispose(&out);
  /* a destructive patch is rejected: a result, not an error */
  CHECK_STATUS(kfix_engine_verify_patch(&out, engine, S(kWeb), S(bad_patch)), KFIX_OK);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"accepted\":false") != NULL);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"gates\"") != NULL);
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_engine_verify_patch(&out, engine, S("kind: [\n"), S(good_patch)), KFIX_EPARSE);
  CHECK_STATUS(kfix_engine_verify_patch(&out, engine, S(""), S(good_patch)), KFIX_ENOTFOUND);
  CHECK_STATUS(kfix_engine_verify_patch(&out, engine, S(kWeb), NULL, 4), KFIX_EINVAL);
  CHECK(out.ptr == NULL);
  kfix_engine_free(engine);
  engine = NULL;
  CHECK_STATUS(kfix_engine_new(&engine, S("{\"fix\": []}")), KFIX_EINVAL);
}

/* ---- durable queue ---- */

static void test_queue(void) {
  char path[1024];
  char side[1100];
  kfix_queue* q = (kfix_queue*)&failures;
  kfix_engine* engine = NULL;
  kfix_buf fix = KFIX_BUF_INIT;
  kfix_buf out = KFIX_BUF_INIT;
  char* id_text;
  char* token_text;
  long long id, token;

  snprintf(path, sizeof path, "%s/capi_queue_test.db", scratch_dir);
  remove(path);
  snprintf(side, sizeof side, "%s-wal", path);
  remove(side);
  snprintf(side, sizeof side, "%s-shm", path);
  remove(side);

  kfix_queue_free(NULL);
  CHECK_STATUS(kfix_queue_open(&q, NULL, NULL, 0), KFIX_EINVAL);
  CHECK(q == NULL);
  CHECK_STATUS(kfix_queue_open(&q, path, S("{\"maxAttempts\": 0}")), KFIX_EINVAL);
  CHECK_STATUS(kfix_queue_open(&q, "/nonexistent-dir/q.db", NULL, 0), KFIX_EIO);
  CHECK_STATUS(kfix_queue_open(&q, path, S("{\"maxAttempts\": 2}")), KFIX_OK);
  if (q == NULL) return;

  CHECK_STATUS(kfix_engine_new(&engine, NULL, 0), KFIX_OK);
  CHECK_STATUS(kfix_engine_fix(&fix, engine, S(kWeb), "web.yaml"), KFIX_OK);
  CHECK_STATUS(kfix_queue_enqueue(&out, q, fix.ptr, fix.size, 1000.0), KFIX_OK);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"duplicates\":0") != NULL && strstr(out.ptr, "\"enqueued\":0") == NULL);
  kfix_buf_dispose(&out);
  /* idempotent */
  CHECK_STATUS(kfix_queue_enqueue(&out, q, fix.ptr, fix.size, 1001.0), KFIX_OK);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"enqueued\":0") != NULL);
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_queue_enqueue(&out, q, S("{\"results\": 5}"), 1001.0), KFIX_EPARSE);

  CHECK_STATUS(kfix_queue_lease(&out, q, "worker-1", 60.0, 1002.0), KFIX_OK);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"leaseOwner\":\"worker-1\"") != NULL);
  id_text = out.ptr ? strstr(out.ptr, "\"id\":") : NULL;
  token_text = out.ptr ? strstr(out.ptr, "\"leaseToken\":") : NULL;
  CHECK(id_text != NULL && token_text != NULL);
  if (id_text != NULL && token_text != NULL) {
    id = strtoll(id_text + 5, NULL, 10);
    token = strtoll(token_text + 13, NULL, 10);
    kfix_buf_dispose(&out);
    CHECK_STATUS(kfix_queue_ack(&out, q, id, token + 1, 1003.0), KFIX_ENOTFOUND); /* wrong token */
    CHECK_STATUS(kfix_queue_ack(&out, q, id, token, 1003.0), KFIX_OK);
    CHECK(out.ptr != NULL && strstr(out.ptr, "\"state\":\"acked\"") != NULL);
    kfix_buf_dispose(&out);
    CHECK_STATUS(kfix_queue_ack(&out, q, id, token, 1004.0), KFIX_ENOTFOUND); /* not leased any more */
  }
  kfix_buf_dispose(&out);
  /* nack: the item goes back to the queue with its reason (maxAttempts 2) */
  CHECK_STATUS(kfix_queue_lease(&out, q, "worker-2", 60.0, 1004.5), KFIX_OK);
  id_text = out.ptr ? strstr(out.ptr, "\"id\":") : NULL;
  token_text = out.ptr ? strstr(out.ptr, "\"leaseToken\":") : NULL;
  CHECK(id_text != NULL && token_text != NULL); /* kWeb has more than one accepted fix */
  if (id_text != NULL && token_text != NULL) {
    id = strtoll(id_text + 5, NULL, 10);
    token = strtoll(token_text + 13, NULL, 10);
    kfix_buf_dispose(&out);
    CHECK_STATUS(kfix_queue_nack(&out, q, id, token, NULL, 3, 1004.6), KFIX_EINVAL);
    CHECK_STATUS(kfix_queue_nack(&out, q, id, token, S("apply failed"), 1004.6), KFIX_OK);
    CHECK(out.ptr != NULL && strstr(out.ptr, "\"state\":\"queued\"") != NULL);
    CHECK(out.ptr != NULL && strstr(out.ptr, "\"attempts\":1") != NULL);
    kfix_buf_dispose(&out);
    CHECK_STATUS(kfix_queue_nack(&out, q, id, token, S("again"), 1004.7), KFIX_ENOTFOUND); /* not leased */
  }
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_queue_lease(&out, q, NULL, 0.0, 1005.0), KFIX_EINVAL);
  CHECK_STATUS(kfix_queue_stats(&out, q, 1005.0), KFIX_OK);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"acked\":1") != NULL);
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_queue_stats(&out, NULL, 0.0), KFIX_EINVAL);

  kfix_buf_dispose(&fix);
  kfix_engine_free(engine);
  kfix_queue_free(q);
}

/* ---- risk ---- */
static void test_risk(void) {
  kfix_engine* engine = NULL;
  kfix_buf out = KFIX_BUF_INIT;
  CHECK_STATUS(kfix_engine_new(&engine, S("{\"risk\": {\"attack\": true}}")), KFIX_OK);
  CHECK_STATUS(kfix_engine_risk(&out, engine, S(kWeb), "web.yaml"), KFIX_OK);
  CHECK(no_error());
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"schemaVersion\":2") != NULL);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"check\":\"privileged-container\"") != NULL);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"risk\":") != NULL && strstr(out.ptr, "\"feeds\"") != NULL);
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_engine_risk(&out, NULL, S(kWeb), NULL), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_risk(&out, engine, NULL, 2, NULL), KFIX_EINVAL);
  /* schedule: every finding ranked 1..n */
  CHECK_STATUS(kfix_engine_schedule(&out, engine, S(kWeb), "web.yaml"), KFIX_OK);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"rank\":1,") != NULL && strstr(out.ptr, "\"items\":[") != NULL);
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_engine_schedule(&out, engine, NULL, 1, NULL), KFIX_EINVAL);
  kfix_engine_free(engine);
  engine = NULL;
  CHECK_STATUS(kfix_engine_new(&engine, S("{\"schedule\": {\"exploration\": \"thompson\", \"seed\": 7}}")), KFIX_OK);
  kfix_engine_free(engine);
  engine = NULL;
  CHECK_STATUS(kfix_engine_new(&engine, S("{\"schedule\": {\"exploration\": \"dice\"}}")), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_new(&engine, S("{\"schedule\": {\"fairnessK\": 0}}")), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_new(&engine, S("{\"risk\": {\"attack\": 1}}")), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_new(&engine, S("{\"risk\": {\"epss\": \"/nonexistent/epss.csv\"}}")), KFIX_EIO);
  CHECK(engine == NULL);
}

/* ---- pipeline ---- */

/* The integer after `"key":` in the first occurrence inside `doc` after
 * `section`; -1 when absent. */
static long json_int_after(const char* doc, const char* section, const char* key) {
  char pattern[128];
  const char* at = doc != NULL ? strstr(doc, section) : NULL;
  if (at == NULL) return -1;
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  at = strstr(at, pattern);
  return at != NULL ? strtol(at + strlen(pattern), NULL, 10) : -1;
}

static size_t count_occurrences(const char* doc, const char* needle) {
  size_t n = 0;
  const char* at = doc;
  while (at != NULL && (at = strstr(at, needle)) != NULL) {
    ++n;
    at += strlen(needle);
  }
  return n;
}

/* The run's summary document (fixes has a "summary" member too). */
static const char kSummary[] = "\"summary\":{\"schemaVersion\":1,";

/* Two run documents are equal up to summary.timing_seconds (the last member). */
static int same_run(const char* a, const char* b) {
  const char* ta = a != NULL ? strstr(a, "\"timing_seconds\"") : NULL;
  const char* tb = b != NULL ? strstr(b, "\"timing_seconds\"") : NULL;
  return ta != NULL && tb != NULL && ta - a == tb - b && strncmp(a, b, (size_t)(ta - a)) == 0;
}

static void test_run(void) {
  char config[4096];
  kfix_engine* engine = NULL;
  kfix_engine* parallel = NULL;
  kfix_buf out = KFIX_BUF_INIT;
  kfix_buf again = KFIX_BUF_INIT;
  long findings, accepted, rejected, review, unfixable;
  const char* summary;

  snprintf(config, sizeof config,
           "{\"risk\": {\"epss\": \"%s/examples/feeds/epss.csv\", \"kev\": \"%s/examples/feeds/kev.json\", "
           "\"trivy\": [\"%s/examples/feeds/trivy-nginx-latest.json\"]}}",
           KFIX_SOURCE_DIR, KFIX_SOURCE_DIR, KFIX_SOURCE_DIR);
  CHECK_STATUS(kfix_engine_new(&engine, config, strlen(config)), KFIX_OK);
  if (engine == NULL) return;

  CHECK_STATUS(kfix_engine_run(&out, engine, S(kWeb), "web.yaml", 1000.0), KFIX_OK);
  CHECK(no_error());
  CHECK(out.ptr != NULL && out.ptr[out.size] == '\0');
  if (out.ptr == NULL) {
    kfix_engine_free(engine);
    return;
  }
  /* one object holding the five documents, in order */
  CHECK(strncmp(out.ptr, "{\"schemaVersion\":2,\"findings\":{\"schemaVersion\":2,", 48) == 0);
  CHECK(strstr(out.ptr, "\"fixes\":{\"schemaVersion\":2,") != NULL);
  CHECK(strstr(out.ptr, "\"risk\":{\"schemaVersion\":2,") != NULL);
  CHECK(strstr(out.ptr, "\"schedule\":{\"schemaVersion\":2,\"now\":1000") != NULL);
  CHECK(strstr(out.ptr, "\"summary\":{\"schemaVersion\":1,") != NULL);
  CHECK(strstr(out.ptr, "\"check\":\"privileged-container\"") != NULL);
  CHECK(strstr(out.ptr, "\"file\":\"web.yaml\"") != NULL);
  summary = strstr(out.ptr, kSummary);
  /* the engine's feeds were used: one image report; nginx:latest has a KEV CVE in the example feeds */
  CHECK(summary != NULL && strstr(summary, "\"images\":1") != NULL);
  findings = json_int_after(summary, kSummary, "findings");
  accepted = json_int_after(summary, kSummary, "accepted");
  rejected = json_int_after(summary, kSummary, "rejected");
  review = json_int_after(summary, kSummary, "needs_review");
  unfixable = json_int_after(summary, kSummary, "unfixable");
  CHECK(findings > 0 && accepted > 0);
  CHECK(accepted + rejected + review + unfixable == findings);
  CHECK(json_int_after(summary, kSummary, "scheduled") == accepted);
  CHECK(json_int_after(summary, kSummary, "files") == 1);
  CHECK(json_int_after(summary, kSummary, "objects") == 1);
  CHECK(json_int_after(summary, kSummary, "errors") == 0);
  CHECK(json_int_after(summary, kSummary, "kev_findings") == findings);
  /* the schedule holds exactly the accepted fixes, ranked 1..n */
  CHECK((long)count_occurrences(out.ptr, "\"rank\":") == accepted);
  CHECK(strstr(out.ptr, "\"rank\":1,\"result\":") != NULL);
  /* every result of fixes carries its risk object */
  CHECK(count_occurrences(strstr(out.ptr, "\"fixes\":"), "\"terms\":") >= (size_t)findings);

  /* deterministic: a second call (and one on 2 threads) differs only in timing */
  CHECK_STATUS(kfix_engine_run(&again, engine, S(kWeb), "web.yaml", 1000.0), KFIX_OK);
  CHECK(same_run(out.ptr, again.ptr));
  kfix_buf_dispose(&again);
  snprintf(config + strlen(config) - 1, sizeof config - strlen(config) + 1, ", \"scan\": {\"jobs\": 2}}");
  CHECK_STATUS(kfix_engine_new(&parallel, config, strlen(config)), KFIX_OK);
  CHECK_STATUS(kfix_engine_run(&again, parallel, S(kWeb), "web.yaml", 1000.0), KFIX_OK);
  CHECK(same_run(out.ptr, again.ptr));
  kfix_buf_dispose(&again);
  kfix_engine_free(parallel);
  /* another clock is another enqueue time */
  CHECK_STATUS(kfix_engine_run(&again, engine, S(kWeb), "web.yaml", 2000.0), KFIX_OK);
  CHECK(again.ptr != NULL && strstr(again.ptr, "\"now\":2000") != NULL && !same_run(out.ptr, again.ptr));
  kfix_buf_dispose(&again);
  kfix_buf_dispose(&out);

  /* unreadable documents are data: listed in findings.errors, counted in summary.errors */
  CHECK_STATUS(kfix_engine_run(&out, engine, S("kind: [unclosed\n"), "bad.yaml", 0.0), KFIX_OK);
  CHECK(no_error());
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"errors\":[{") != NULL && strstr(out.ptr, "bad.yaml") != NULL);
  CHECK(json_int_after(out.ptr, kSummary, "errors") == 1);
  CHECK(json_int_after(out.ptr, kSummary, "findings") == 0);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"items\":[]") != NULL);
  kfix_buf_dispose(&out);
  /* empty input, NULL source name: an empty run */
  CHECK_STATUS(kfix_engine_run(&out, engine, NULL, 0, NULL, 0.0), KFIX_OK);
  CHECK(json_int_after(out.ptr, kSummary, "findings") == 0);
  CHECK(json_int_after(out.ptr, kSummary, "errors") == 0);
  kfix_buf_dispose(&out);

  /* argument errors leave the output empty */
  CHECK_STATUS(kfix_engine_run(NULL, engine, S(kWeb), NULL, 0.0), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_run(&out, NULL, S(kWeb), NULL, 0.0), KFIX_EINVAL);
  CHECK(strstr(kfix_last_error()->message, "engine") != NULL);
  CHECK_STATUS(kfix_engine_run(&out, engine, NULL, 3, NULL, 0.0), KFIX_EINVAL);
  CHECK(out.ptr == NULL);
  CHECK_STATUS(kfix_engine_run(&out, engine, S(""), NULL, 0.0), KFIX_OK);
  {
    char* before = out.ptr;
    CHECK_STATUS(kfix_engine_run(&out, engine, S(kWeb), NULL, 0.0), KFIX_EINVAL); /* out not empty */
    CHECK(out.ptr == before);
  }
  kfix_buf_dispose(&out);
  kfix_engine_free(engine);
}

/* ---- receipts and audit ---- */
/* RFC 8032 section 7.1, test 1 */
static const char kSeed[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char kPub[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char kOtherPub[] = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";

static void test_receipts(void) {
  kfix_buf receipt = KFIX_BUF_INIT;
  CHECK_STATUS(kfix_receipt_sign(&receipt, S(kSeed), S("{\"b\":1,\"a\":[true,null]}")), KFIX_OK);
  CHECK(receipt.ptr != NULL && strstr(receipt.ptr, "\"alg\":\"ed25519\"") != NULL);
  if (receipt.ptr == NULL) return;
  /* member order of the payload does not matter (canonical form is signed) */
  CHECK_STATUS(kfix_receipt_verify(receipt.ptr, receipt.size, S("{\"a\":[true,null],\"b\":1}"), S(kPub)), KFIX_OK);
  CHECK(no_error());
  CHECK_STATUS(kfix_receipt_verify(receipt.ptr, receipt.size, S("{\"a\":[true,null],\"b\":2}"), S(kPub)),
               KFIX_EVERIFY);
  CHECK_STATUS(kfix_receipt_verify(receipt.ptr, receipt.size, S("{\"a\":[true,null],\"b\":1}"), S(kOtherPub)),
               KFIX_ENOTFOUND);
  CHECK_STATUS(kfix_receipt_verify(S("{\"v\":1}"), S("{}"), S(kPub)), KFIX_EPARSE);
  CHECK_STATUS(kfix_receipt_verify(receipt.ptr, receipt.size, S("{"), S(kPub)), KFIX_EPARSE);
  CHECK_STATUS(kfix_receipt_verify(receipt.ptr, receipt.size, S("{}"), S("zz")), KFIX_EINVAL);
  CHECK_STATUS(kfix_receipt_sign(&receipt, S(kSeed), S("{}")), KFIX_EINVAL); /* out not empty */
  kfix_buf_dispose(&receipt);
  CHECK_STATUS(kfix_receipt_sign(&receipt, S("abc"), S("{}")), KFIX_EINVAL);
  CHECK_STATUS(kfix_receipt_sign(&receipt, S(kSeed), S("not json")), KFIX_EPARSE);
  CHECK(receipt.ptr == NULL);
}

static void test_audit_verify(void) {
  kfix_buf out = KFIX_BUF_INIT;
  CHECK_STATUS(kfix_audit_verify(&out, NULL, 0, NULL, 0), KFIX_OK);
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"intact\":true") != NULL);
  kfix_buf_dispose(&out);
  /* a log that does not verify is a result, not a failed call */
  CHECK_STATUS(kfix_audit_verify(&out, S("{\"seq\":1}\nnot json\n"), NULL, 0), KFIX_OK);
  CHECK(no_error());
  CHECK(out.ptr != NULL && strstr(out.ptr, "\"intact\":false") != NULL && strstr(out.ptr, "\"line\":1") != NULL);
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_audit_verify(&out, S(""), S("{\"requireReceipts\": \"yes\"}")), KFIX_EINVAL);
  CHECK_STATUS(kfix_audit_verify(&out, S(""), S("{\"publicKeys\": [\"nothex\"]}")), KFIX_EINVAL);
  CHECK_STATUS(kfix_audit_verify(&out, S(""), S("{")), KFIX_EPARSE);
  CHECK_STATUS(kfix_audit_verify(NULL, S(""), NULL, 0), KFIX_EINVAL);
  CHECK(out.ptr == NULL);
}

/* one engine, many threads: identical reports */
struct scan_case {
  const kfix_engine* engine;
  const char* expected;
  int ok;
};

static void* scan_thread(void* arg) {
  struct scan_case* c = (struct scan_case*)arg;
  int i;
  c->ok = 1;
  for (i = 0; i < 20; ++i) {
    kfix_buf out = KFIX_BUF_INIT;
    if (kfix_engine_scan(&out, c->engine, kWeb, sizeof kWeb - 1, "web.yaml", 0) != KFIX_OK) c->ok = 0;
    /* stats.seconds differs between runs: compare up to the stats */
    if (out.ptr == NULL || strncmp(out.ptr, c->expected, (size_t)(strstr(c->expected, "\"stats\"") - c->expected)) != 0)
      c->ok = 0;
    kfix_buf_dispose(&out);
  }
  return NULL;
}

static void test_engine_shared_between_threads(void) {
  kfix_engine* engine = NULL;
  kfix_buf expected = KFIX_BUF_INIT;
  struct scan_case a, b;
  pthread_t ta, tb;
  CHECK_STATUS(kfix_engine_new(&engine, NULL, 0), KFIX_OK);
  CHECK_STATUS(kfix_engine_scan(&expected, engine, S(kWeb), "web.yaml", 0), KFIX_OK);
  if (expected.ptr == NULL || strstr(expected.ptr, "\"stats\"") == NULL) {
    CHECK(0);
    kfix_engine_free(engine);
    return;
  }
  a.engine = b.engine = engine;
  a.expected = b.expected = expected.ptr;
  CHECK(pthread_create(&ta, NULL, scan_thread, &a) == 0);
  CHECK(pthread_create(&tb, NULL, scan_thread, &b) == 0);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  CHECK(a.ok && b.ok);
  kfix_buf_dispose(&expected);
  kfix_engine_free(engine);
}

/* ---- thread-local errors: two threads failing differently ---- */
struct thread_case {
  const char* doc;
  const char* patch;
  kfix_status expected;
  int ok;
};

static void* thread_main(void* arg) {
  struct thread_case* c = (struct thread_case*)arg;
  int i;
  c->ok = 1;
  for (i = 0; i < 200; ++i) {
    kfix_buf out = KFIX_BUF_INIT;
    kfix_status st = kfix_patch_apply(&out, c->doc, strlen(c->doc), c->patch, strlen(c->patch));
    const kfix_error* e = kfix_last_error();
    if (st != c->expected || e->code != c->expected) c->ok = 0;
    kfix_buf_dispose(&out);
  }
  return NULL;
}

static void test_thread_local_errors(void) {
  struct thread_case a = {"{\"a\":1}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":2}]", KFIX_ETESTFAILED, 0};
  struct thread_case b = {"{\"a\":", "[]", KFIX_EPARSE, 0};
  struct thread_case c = {"{\"a\":1}", "[]", KFIX_OK, 0};
  pthread_t ta, tb, tc;
  /* this thread's error must survive the other threads' calls */
  kfix_buf out = KFIX_BUF_INIT;
  CHECK_STATUS(kfix_patch_apply(&out, S("{}"), S("[{\"op\":\"remove\",\"path\":\"/q\"}]")), KFIX_ECONFLICT);
  CHECK(pthread_create(&ta, NULL, thread_main, &a) == 0);
  CHECK(pthread_create(&tb, NULL, thread_main, &b) == 0);
  CHECK(pthread_create(&tc, NULL, thread_main, &c) == 0);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  pthread_join(tc, NULL);
  CHECK(a.ok && b.ok && c.ok);
  CHECK(kfix_last_error()->code == KFIX_ECONFLICT);
  CHECK(strstr(kfix_last_error()->message, "/q") != NULL);
}

int main(int argc, char** argv) {
  if (argc > 1) scratch_dir = argv[1];
  test_version();
  test_status_names();
  test_memory();
  test_error_initial();
  test_patch_apply();
  test_thread_local_errors();
  test_engine();
  test_engine_shared_between_threads();
  test_paths();
  test_error_detail_utf8();
  test_yaml();
  test_fix_and_verify();
  test_risk();
  test_run();
  test_queue();
  test_receipts();
  test_audit_verify();
  if (failures != 0) {
    fprintf(stderr, "capi_test: %d check(s) failed\n", failures);
    return 1;
  }
  printf("capi_test: all checks passed\n");
  return 0;
}
