// kfix/kfix.h compiled as C++ (-Wall -Wextra -Wpedantic -Werror), together
// with the C++ version header: the version macros of both headers must be
// token-identical, or the redefinition fails this build.
#include "kfix/kfix.h"
#include "kfix/version.hpp"
#include "kfix/kfix.h"

static_assert(KFIX_VERSION_NUMBER == KFIX_VERSION_MAJOR * 10000 + KFIX_VERSION_MINOR * 100 + KFIX_VERSION_PATCH);

int main() {
  kfix_buf buf = KFIX_BUF_INIT;
  const kfix_error* err = kfix_last_error();
  return (buf.ptr == nullptr && err != nullptr && kfix_version_number() == KFIX_VERSION_NUMBER) ? 0 : 1;
}
