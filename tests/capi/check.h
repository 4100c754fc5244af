/* check.h - the tiny CHECK harness of the C ABI tests (C99). Each test
 * program includes it once; `failures` counts the failed checks. */
#ifndef KFIX_TESTS_CAPI_CHECK_H
#define KFIX_TESTS_CAPI_CHECK_H

#include <stdio.h>

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

#endif /* KFIX_TESTS_CAPI_CHECK_H */
