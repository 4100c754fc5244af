/* Manifests and the scratch-file helper shared by the C ABI tests. */
#ifndef KFIX_TESTS_CAPI_FIXTURES_H
#define KFIX_TESTS_CAPI_FIXTURES_H

#include <stdio.h>

/* Where a test writes its files (main sets it from argv[1]). */
static const char* scratch_dir = ".";

/* Writes `text` to `path`; 1 on success. */
static int write_file(const char* path, const char* text) {
  FILE* f = fopen(path, "wb");
  if (f == NULL) return 0;
  fputs(text, f);
  return fclose(f) == 0;
}

/* A Deployment with findings (latest tag, privileged container, ...) that
 * the rules can fix. */
static const char kWeb[] =
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata:\n"
    "  name: web\n"
    "spec:\n"
    "  selector: {matchLabels: {app: web}}\n"
    "  template:\n"
    "    metadata: {labels: {app: web}}\n"
    "    spec:\n"
    "      containers:\n"
    "        - name: nginx\n"
    "          image: nginx:latest\n"
    "          securityContext: {privileged: true}\n";

#endif
