/* examples/c/scan.c - scan a manifest file through the C ABI and apply a patch.
 *
 *   cc scan.c $(pkg-config --cflags --libs kfix) -o kfix-scan-c
 *   ./kfix-scan-c deploy.yaml
 *
 * Shows the whole life cycle: engine from JSON configuration, scan (JSON
 * report out), RFC 6902 patch, errors through kfix_last_error(), and freeing
 * everything with kfix's own functions (never free()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kfix/kfix.h>

static char* read_file(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  char* data;
  long n;
  if (f == NULL) return NULL;
  if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return NULL;
  }
  data = (char*)malloc((size_t)n + 1);
  if (data != NULL && fread(data, 1, (size_t)n, f) != (size_t)n) {
    free(data);
    data = NULL;
  }
  fclose(f);
  if (data != NULL) {
    data[n] = '\0';
    *len = (size_t)n;
  }
  return data;
}

static int fail(const char* what) {
  const kfix_error* e = kfix_last_error();
  fprintf(stderr, "%s failed: %s (%s)\n  detail: %s\n", what, kfix_status_name(e->code), e->message,
          e->detail_json);
  return 1;
}

static size_t count(const char* haystack, const char* needle) {
  size_t n = 0;
  for (const char* p = strstr(haystack, needle); p != NULL; p = strstr(p + 1, needle)) ++n;
  return n;
}

int main(int argc, char** argv) {
  static const char config[] = "{\"checks\": {\"addAllBuiltIn\": false}, \"scan\": {\"context\": \"all\"}}";
  kfix_engine* engine = NULL;
  kfix_buf report = KFIX_BUF_INIT;
  kfix_buf patched = KFIX_BUF_INIT;
  size_t len = 0;
  char* manifests;
  int rc = 0;

  if (argc != 2) {
    fprintf(stderr, "usage: %s MANIFEST.yaml\n", argv[0]);
    return 2;
  }
  if (kfix_version_number() != KFIX_VERSION_NUMBER) {
    fprintf(stderr, "header %s does not match library %s\n", KFIX_VERSION_STRING, kfix_version_string());
    return 1;
  }
  manifests = read_file(argv[1], &len);
  if (manifests == NULL) {
    perror(argv[1]);
    return 1;
  }

  if (kfix_engine_new(&engine, config, sizeof config - 1) != KFIX_OK) {
    rc = fail("kfix_engine_new");
  } else if (kfix_scan(&report, engine, manifests, len, argv[1]) != KFIX_OK) {
    rc = fail("kfix_scan");
  } else {
    /* A real program would hand report.ptr to its JSON parser. */
    printf("kfix %s scanned %s: %zu findings\n", kfix_version_string(), argv[1], count(report.ptr, "\"check\":"));
    printf("%.*s\n", (int)(report.size < 400 ? report.size : 400), report.ptr);
  }

  /* Patching a document is independent of the engine. */
  {
    static const char doc[] = "{\"spec\":{\"containers\":[{\"name\":\"app\"}]}}";
    static const char patch[] =
        "[{\"op\":\"add\",\"path\":\"/spec/containers/0/securityContext\","
        "\"value\":{\"readOnlyRootFilesystem\":true}}]";
    if (kfix_patch_apply(&patched, doc, sizeof doc - 1, patch, sizeof patch - 1) != KFIX_OK) {
      rc = fail("kfix_patch_apply");
    } else {
      printf("patched: %s\n", patched.ptr);
    }
    kfix_buf_dispose(&patched); /* empty again, reusable as an output */
    /* A failing call: the error says which op and why. */
    static const char bad[] = "[{\"op\":\"remove\",\"path\":\"/nope\"}]";
    if (kfix_patch_apply(&patched, doc, sizeof doc - 1, bad, sizeof bad - 1) == KFIX_OK) {
      rc = 1;
    } else {
      printf("expected error: %s: %s\n", kfix_status_name(kfix_last_error()->code), kfix_last_error()->message);
    }
  }

  kfix_buf_dispose(&patched);
  kfix_buf_dispose(&report);
  kfix_engine_free(engine);
  free(manifests); /* ours, not kfix's */
  return rc;
}
