/* Compiles kfix/kfix.h on its own, twice (include guard), as strict C99
 * (-std=c99 -pedantic -Wall -Wextra -Werror) and, via headertest.cpp, as C++.
 * It references every public name so a typo or a missing declaration fails
 * the build. */
#include "kfix/kfix.h"
#include "kfix/kfix.h"

int kfix_headertest_uses(void);

int kfix_headertest_uses(void) {
  kfix_buf buf = KFIX_BUF_INIT;
  kfix_status st = KFIX_OK;
  const kfix_error* err = 0;
  int32_t codes[] = {KFIX_OK,       KFIX_EINVAL,       KFIX_EPARSE,    KFIX_ENOTFOUND, KFIX_ECONFLICT,
                     KFIX_ETESTFAILED, KFIX_ELIMIT,    KFIX_EUNSUPPORTED, KFIX_EINTERNAL, KFIX_EIO,
                     KFIX_EPERM,    KFIX_EVERIFY,      KFIX_ENOMEM};
  const char* (*version_string)(void) = kfix_version_string;
  int32_t (*version_number)(void) = kfix_version_number;
  const char* (*status_name)(kfix_status) = kfix_status_name;
  const kfix_error* (*last_error)(void) = kfix_last_error;
  void (*buf_dispose)(kfix_buf*) = kfix_buf_dispose;
  void (*free_fn)(void*) = kfix_free;
  kfix_status (*run)(kfix_buf*, const kfix_engine*, const char*, size_t, const char*, double) = kfix_engine_run;
  kfix_status (*scan_paths)(kfix_buf*, const kfix_engine*, const char* const*, size_t, uint32_t) =
      kfix_engine_scan_paths;
  kfix_status (*ack)(kfix_buf*, kfix_queue*, int64_t, int64_t, double) = kfix_queue_ack;
  kfix_status (*nack)(kfix_buf*, kfix_queue*, int64_t, int64_t, const char*, size_t, double) = kfix_queue_nack;
  kfix_status (*yaml_to_json)(kfix_buf*, const char*, size_t) = kfix_yaml_to_json;
  kfix_status (*apply_yaml)(kfix_buf*, const char*, size_t, const char*, size_t) = kfix_patch_apply_yaml;
  uint32_t flags = KFIX_SCAN_PRETTY | KFIX_SCAN_NO_TIMING;
  (void)version_string;
  (void)version_number;
  (void)status_name;
  (void)last_error;
  (void)buf_dispose;
  (void)free_fn;
  (void)run;
  (void)scan_paths;
  (void)ack;
  (void)nack;
  (void)yaml_to_json;
  (void)apply_yaml;
  (void)flags;
  (void)err;
  (void)buf;
  return (int)(st + codes[0] + KFIX_VERSION_NUMBER + (int)sizeof(KFIX_VERSION_STRING));
}
