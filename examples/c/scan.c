/* examples/c/scan.c - scan files through the C ABI, exactly as `kfix scan` does.
 *
 *   cc scan.c $(pkg-config --cflags --libs kfix) -o kfix-scan-c
 *   ./kfix-scan-c [--config FILE] PATH...
 *
 * Prints the scan report byte for byte as `kfix scan --format json --no-timing
 * [--config FILE] PATH...` prints it (the engine is built from the same
 * configuration document), then shows a patch applied to YAML text on stderr.
 * Covers the whole life cycle: engine from a configuration file, scan by
 * paths (JSON report out), errors through kfix_last_error(), and freeing
 * everything with kfix's own functions (never free()).
 */
#include <stdio.h>
#include <string.h>

#include <kfix/kfix.h>

static int fail(const char* what) {
  const kfix_error* e = kfix_last_error();
  fprintf(stderr, "%s failed: %s (%s)\n  detail: %s\n", what, kfix_status_name(e->code), e->message,
          e->detail_json);
  return 1;
}

int main(int argc, char** argv) {
  kfix_engine* engine = NULL;
  kfix_buf report = KFIX_BUF_INIT;
  kfix_buf patched = KFIX_BUF_INIT;
  const char* config = NULL;
  int first = 1;
  int rc = 0;

  if (argc > 2 && strcmp(argv[1], "--config") == 0) {
    config = argv[2];
    first = 3;
  }
  if (first >= argc) {
    fprintf(stderr, "usage: %s [--config FILE] PATH...\n", argv[0]);
    return 2;
  }
  if (kfix_version_number() != KFIX_VERSION_NUMBER) {
    fprintf(stderr, "header %s does not match library %s\n", KFIX_VERSION_STRING, kfix_version_string());
    return 1;
  }

  /* One configuration document for every surface: the file kfix --config reads, or the defaults. */
  if ((config != NULL ? kfix_engine_new_from_file(&engine, config) : kfix_engine_new(&engine, NULL, 0)) != KFIX_OK) {
    return fail("kfix_engine_new");
  }
  if (kfix_engine_scan_paths(&report, engine, (const char* const*)(argv + first), (size_t)(argc - first),
                             KFIX_SCAN_PRETTY | KFIX_SCAN_NO_TIMING) != KFIX_OK) {
    rc = fail("kfix_engine_scan_paths");
  } else {
    /* A real program would hand report.ptr to its JSON parser. */
    fputs(report.ptr, stdout); /* pretty JSON ends with a newline, as the CLI prints it */
  }

  /* Patching YAML text is independent of the engine. */
  {
    static const char doc[] = "spec:\n  containers:\n    - name: app\n";
    static const char patch[] =
        "[{\"op\":\"add\",\"path\":\"/spec/containers/0/securityContext\","
        "\"value\":{\"readOnlyRootFilesystem\":true}}]";
    static const char bad[] = "[{\"op\":\"remove\",\"path\":\"/nope\"}]";
    if (kfix_patch_apply_yaml(&patched, doc, sizeof doc - 1, patch, sizeof patch - 1) != KFIX_OK) {
      rc = fail("kfix_patch_apply_yaml");
    } else {
      fprintf(stderr, "patched:\n%s", patched.ptr);
    }
    kfix_buf_dispose(&patched); /* empty again, reusable as an output */
    /* A failing call: the error says which op and why. */
    if (kfix_patch_apply_yaml(&patched, doc, sizeof doc - 1, bad, sizeof bad - 1) == KFIX_OK) {
      rc = 1;
    } else {
      fprintf(stderr, "expected error: %s: %s\n", kfix_status_name(kfix_last_error()->code),
              kfix_last_error()->message);
    }
  }

  kfix_buf_dispose(&patched);
  kfix_buf_dispose(&report);
  kfix_engine_free(engine);
  return rc;
}
