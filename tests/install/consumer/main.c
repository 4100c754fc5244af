/* Consumer of the installed C ABI: header/library versions must agree. */
#include <stdio.h>
#include <string.h>

#include <kfix/kfix.h>

int main(void) {
  if (kfix_version_number() != KFIX_VERSION_NUMBER || strcmp(kfix_version_string(), KFIX_VERSION_STRING) != 0) {
    fprintf(stderr, "header %s, library %s\n", KFIX_VERSION_STRING, kfix_version_string());
    return 1;
  }
  if (strcmp(kfix_status_name(KFIX_EPARSE), "parse_error") != 0) return 1;
  printf("c consumer ok: kfix %s\n", kfix_version_string());
  return 0;
}
