/* capi_test.c - exercises every function of kfix/kfix.h and its error paths.
 *
 * Plain C99 with a tiny CHECK harness; exits non-zero on the first failed
 * check group summary. Runs under ctest as `capi.test`. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kfix/kfix.h"

static int failures = 0;

#define CHECK(cond)                                                  \
  do {                                                               \
    if (!(cond)) {                                                   \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                    \
    }                                                                \
  } while (0)

#define CHECK_STATUS(expr, expected)                                                        \
  do {                                                                                      \
    kfix_status st_ = (expr);                                                               \
    if (st_ != (expected)) {                                                                \
      fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d (%s); last error: %s\n",     \
              __FILE__, __LINE__, #expr, (int)st_, kfix_status_name(st_), (int)(expected),  \
              kfix_status_name(expected), kfix_last_error()->message);                      \
      ++failures;                                                                           \
    }                                                                                       \
  } while (0)

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
  };
  size_t i;
  for (i = 0; i < sizeof table / sizeof table[0]; ++i) {
    CHECK(table[i].code == table[i].value);
    CHECK(strcmp(kfix_status_name(table[i].code), table[i].name) == 0);
  }
  CHECK(strcmp(kfix_status_name(-1), "unknown") == 0);
  CHECK(strcmp(kfix_status_name(13), "unknown") == 0);
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

int main(void) {
  test_version();
  test_status_names();
  test_memory();
  test_error_initial();
  if (failures != 0) {
    fprintf(stderr, "capi_test: %d check(s) failed\n", failures);
    return 1;
  }
  printf("capi_test: all checks passed\n");
  return 0;
}
