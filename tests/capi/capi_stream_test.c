/* capi_stream_test.c - kfix_engine_scan_paths_per_file() and
 * kfix_engine_fix_paths_per_file(): parts in report order for any scan.jobs,
 * a part's report is the whole document's bytes for that file, a malformed
 * file keeps its error, the callback stops the run, bad arguments.
 *
 * Plain C99; runs under ctest as `capi.stream` with a scratch directory. */
#define _POSIX_C_SOURCE 200809L /* mkdir */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kfix/kfix.h"

#include "check.h"
#include "fixtures.h"

#define S(lit) lit, sizeof(lit) - 1
#define MAX_PARTS 16

/* line 4 has an unclosed flow sequence */
static const char kBroken[] =
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata:\n"
    "  name: [broken\n"
    "spec: {}\n";

static const char kTwo[] =
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata: {name: one}\n"
    "spec:\n"
    "  containers:\n"
    "    - {name: app, image: redis}\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata: {name: two}\n"
    "spec:\n"
    "  hostNetwork: true\n"
    "  containers:\n"
    "    - {name: app, image: 'busybox:1.36'}\n";

typedef struct parts {
  size_t n;
  size_t stop_at; /* return non-zero on this part (index); (size_t)-1: never */
  size_t index[MAX_PARTS];
  char* file[MAX_PARTS];
  char* json[MAX_PARTS];
  size_t len[MAX_PARTS];
} parts;

static void parts_init(parts* p) {
  memset(p, 0, sizeof *p);
  p->stop_at = (size_t)-1;
}

static void parts_free(parts* p) {
  size_t i;
  for (i = 0; i < p->n; ++i) {
    free(p->file[i]);
    free(p->json[i]);
  }
  p->n = 0;
}

static char* copy(const char* s, size_t len) {
  char* out = (char*)malloc(len + 1);
  if (out != NULL) {
    memcpy(out, s, len);
    out[len] = '\0';
  }
  return out;
}

static int collect(size_t index, const char* file, const char* json, size_t len, void* user) {
  parts* p = (parts*)user;
  if (p->n < MAX_PARTS) {
    p->index[p->n] = index;
    p->file[p->n] = copy(file, strlen(file));
    p->json[p->n] = copy(json, len);
    p->len[p->n] = len;
    CHECK(json[len] == '\0');
    ++p->n;
  }
  return index == p->stop_at ? 1 : 0;
}

static int never_called(size_t index, const char* file, const char* json, size_t len, void* user) {
  (void)index, (void)file, (void)json, (void)len;
  ++*(int*)user;
  return 0;
}

static int ends_with(const char* s, const char* tail) {
  size_t a = strlen(s), b = strlen(tail);
  return a >= b && strcmp(s + a - b, tail) == 0;
}

/* The "report" member of a part (the last member): its bytes. */
static char* report_of(const char* part) {
  const char* r = strstr(part, ",\"report\":");
  size_t len;
  if (r == NULL) return NULL;
  r += strlen(",\"report\":");
  len = strlen(r);
  if (len == 0 || r[len - 1] != '}') return NULL;
  return copy(r, len - 1);
}

static size_t count(const char* doc, const char* needle) {
  size_t n = 0;
  const char* p = doc;
  while ((p = strstr(p, needle)) != NULL) {
    ++n;
    p += strlen(needle);
  }
  return n;
}

/* Equal strings (b may end with one more newline); else says where they part. */
static int same(const char* what, const char* a, const char* b) {
  size_t i = 0;
  if (a == NULL || b == NULL) return 0;
  while (a[i] != '\0' && a[i] == b[i]) ++i;
  if (a[i] == b[i]) return 1;
  if (a[i] == '\0' && strcmp(b + i, "\n") == 0) return 1; /* the whole document's closing newline */
  fprintf(stderr, "%s: differ at byte %lu (of %lu, %lu): ...%.60s... vs ...%.60s...\n", what, (unsigned long)i,
          (unsigned long)strlen(a), (unsigned long)strlen(b),
          a + (i > 20 ? i - 20 : 0), b + (i > 20 ? i - 20 : 0));
  return 0;
}

static kfix_engine* engine_with(const char* config) {
  kfix_engine* e = NULL;
  CHECK_STATUS(kfix_engine_new(&e, config, strlen(config)), KFIX_OK);
  return e;
}

int main(int argc, char** argv) {
  char dir[1024], a[1100], b[1100], c[1100], missing[1100];
  const char* paths[2];
  kfix_engine* jobs1;
  kfix_engine* jobs2;
  kfix_engine* per_file;
  parts p1, p2;
  kfix_buf whole = KFIX_BUF_INIT;
  size_t i, findings = 0;
  int calls = 0;

  if (argc > 1) scratch_dir = argv[1];
  snprintf(dir, sizeof dir, "%s/capi_stream", scratch_dir);
  mkdir(dir, 0755);
  snprintf(a, sizeof a, "%s/a.yaml", dir);
  snprintf(b, sizeof b, "%s/b.yaml", dir);
  snprintf(c, sizeof c, "%s/c.yaml", dir);
  snprintf(missing, sizeof missing, "%s/missing.yaml", scratch_dir);
  remove(missing);
  CHECK(write_file(a, kWeb) && write_file(b, kBroken) && write_file(c, kTwo));

  jobs1 = engine_with("checks:\n  addAllBuiltIn: true\nscan:\n  jobs: 1\n");
  jobs2 = engine_with("checks:\n  addAllBuiltIn: true\nscan:\n  jobs: 2\n");
  per_file = engine_with("checks:\n  addAllBuiltIn: true\nscan:\n  context: per-file\n");
  if (jobs1 == NULL || jobs2 == NULL || per_file == NULL) return 1;
  paths[0] = dir;

  /* ---- scan: report order, same parts for jobs 1 and 2 ---- */
  parts_init(&p1);
  parts_init(&p2);
  CHECK_STATUS(kfix_engine_scan_paths_per_file(jobs1, paths, 1, KFIX_SCAN_NO_TIMING, collect, &p1), KFIX_OK);
  CHECK(kfix_last_error()->code == KFIX_OK);
  CHECK_STATUS(kfix_engine_scan_paths_per_file(jobs2, paths, 1, KFIX_SCAN_NO_TIMING, collect, &p2), KFIX_OK);
  CHECK(p1.n == 3 && p2.n == 3);
  for (i = 0; i < p1.n && i < p2.n; ++i) {
    CHECK(p1.index[i] == i && p2.index[i] == i);
    CHECK(strcmp(p1.json[i], p2.json[i]) == 0);
    CHECK(strncmp(p1.json[i], "{\"file\":\"", 9) == 0);
    CHECK(strstr(p1.json[i], "\"seconds\"") == NULL);
    findings += count(p1.json[i], "\"check\":");
  }
  if (p1.n == 3) {
    CHECK(ends_with(p1.file[0], "/a.yaml") && ends_with(p1.file[1], "/b.yaml") && ends_with(p1.file[2], "/c.yaml"));
    CHECK(strstr(p1.json[0], "\"check\":\"privileged-container\"") != NULL);
    /* the malformed file: its error with file and line, the run went on */
    CHECK(strstr(p1.json[1], "\"errors\":[{\"code\":\"parse_error\"") != NULL);
    CHECK(strstr(p1.json[1], "b.yaml\",\"line\":5") != NULL);
    CHECK(strstr(p1.json[1], "\"errorInputs\":[1]") != NULL);
    CHECK(strstr(p1.json[2], "\"check\":\"host-network\"") != NULL);
  }
  /* the parts' findings are the whole per-file document's */
  CHECK_STATUS(kfix_engine_scan_paths(&whole, per_file, paths, 1, KFIX_SCAN_NO_TIMING), KFIX_OK);
  CHECK(whole.ptr != NULL && count(whole.ptr, "\"check\":") == findings && findings >= 3);
  kfix_buf_dispose(&whole);
  parts_free(&p1);
  parts_free(&p2);

  /* one file: the part's report is byte for byte the whole document (compact and pretty) */
  paths[0] = c;
  {
    unsigned flags[2] = {KFIX_SCAN_NO_TIMING, KFIX_SCAN_NO_TIMING | KFIX_SCAN_PRETTY};
    int k;
    for (k = 0; k < 2; ++k) {
      char* report;
      parts_init(&p1);
      CHECK_STATUS(kfix_engine_scan_paths_per_file(jobs1, paths, 1, flags[k], collect, &p1), KFIX_OK);
      CHECK_STATUS(kfix_engine_scan_paths(&whole, per_file, paths, 1, flags[k]), KFIX_OK);
      CHECK(p1.n == 1);
      if (k == 0 && p1.n == 1 && whole.ptr != NULL) {
        report = report_of(p1.json[0]);
        CHECK(same("scan part", report, whole.ptr));
        free(report);
      }
      if (k == 1 && p1.n == 1) CHECK(strncmp(p1.json[0], "{\n  \"file\": ", 12) == 0);
      kfix_buf_dispose(&whole);
      parts_free(&p1);
    }
  }

  /* ---- fix: report order, jobs 1 and 2 alike, the malformed file's error ---- */
  paths[0] = dir;
  parts_init(&p1);
  parts_init(&p2);
  CHECK_STATUS(kfix_engine_fix_paths_per_file(jobs1, paths, 1, NULL, 0, collect, &p1), KFIX_OK);
  CHECK_STATUS(kfix_engine_fix_paths_per_file(jobs2, paths, 1, NULL, 0, collect, &p2), KFIX_OK);
  CHECK(p1.n == 3 && p2.n == 3);
  for (i = 0; i < p1.n && i < p2.n; ++i) {
    CHECK(p1.index[i] == i && strcmp(p1.file[i], p2.file[i]) == 0);
    CHECK(strstr(p1.json[i], ",\"report\":{\"schemaVersion\":") != NULL);
  }
  if (p1.n == 3) {
    CHECK(strstr(p1.json[0], "\"status\":\"accepted\"") != NULL);
    CHECK(strstr(p1.json[0], "\"objectInputs\":[0]") != NULL);
    CHECK(strstr(p1.json[1], "\"code\":\"parse_error\"") != NULL && strstr(p1.json[1], "\"line\":5") != NULL);
    CHECK(strstr(p1.json[2], "\"objectInputs\":[2") != NULL);
  }
  /* one file: the part's report is the kfix_engine_fix_paths() document of an engine with scan.context per-file */
  parts_free(&p1);
  parts_free(&p2);
  paths[0] = a;
  parts_init(&p1);
  CHECK_STATUS(kfix_engine_fix_paths_per_file(jobs1, paths, 1, NULL, 0, collect, &p1), KFIX_OK);
  CHECK_STATUS(kfix_engine_fix_paths(&whole, per_file, paths, 1), KFIX_OK);
  if (p1.n == 1 && whole.ptr != NULL) {
    char* report = report_of(p1.json[0]);
    CHECK(same("fix part", report, whole.ptr));
    free(report);
  } else {
    CHECK(0);
  }
  kfix_buf_dispose(&whole);
  parts_free(&p1);

  /* ---- write-back: each part carries the file's entry of the kfix_engine_write_back() document ---- */
  {
    char out_dir[1100], options[1300], fixed_path[1200];
    const char* wb_paths[1];
    FILE* f;
    char text[4096];
    size_t n;
    kfix_buf wb = KFIX_BUF_INIT;
    char* entry;
    char* end;
    snprintf(out_dir, sizeof out_dir, "%s/capi_stream_out", scratch_dir);
    snprintf(options, sizeof options, "{\"write\": \"%s\", \"diff\": true}", out_dir);
    wb_paths[0] = a;
    parts_init(&p1);
    CHECK_STATUS(kfix_engine_fix_paths_per_file(jobs1, wb_paths, 1, options, strlen(options), collect, &p1), KFIX_OK);
    CHECK(p1.n == 1);
    if (p1.n == 1) {
      CHECK(strstr(p1.json[0], "\"written\":{\"file\":") != NULL);
      CHECK(strstr(p1.json[0], "\"fixed\":true") != NULL);
      CHECK(strstr(p1.json[0], "\"writtenIndex\":0,\"diff\":\"--- a/") != NULL);
      /* the entry is the one the whole write-back document has (its own run writes the same file) */
      CHECK_STATUS(kfix_engine_write_back(&wb, per_file, wb_paths, 1, options, strlen(options)), KFIX_OK);
      entry = strstr(p1.json[0], "\"written\":");
      end = entry != NULL ? strstr(entry, ",\"writtenIndex\":") : NULL;
      if (entry != NULL && end != NULL && wb.ptr != NULL) {
        entry += strlen("\"written\":");
        *end = '\0';
        CHECK(strstr(wb.ptr, entry) != NULL);
      } else {
        CHECK(0);
      }
      kfix_buf_dispose(&wb);
    }
    parts_free(&p1);
    snprintf(fixed_path, sizeof fixed_path, "%s/a.yaml", out_dir);
    f = fopen(fixed_path, "rb");
    CHECK(f != NULL);
    if (f != NULL) {
      n = fread(text, 1, sizeof text - 1, f);
      text[n] = '\0';
      fclose(f);
      CHECK(strstr(text, "privileged: false") != NULL || strstr(text, "privileged:") == NULL);
      CHECK(strcmp(text, kWeb) != 0);
    }
    /* bad options, and an output that is an input: nothing is handed over */
    CHECK_STATUS(kfix_engine_fix_paths_per_file(jobs1, wb_paths, 1, S("{\"write\": 3}"), never_called, &calls),
                 KFIX_EINVAL);
    CHECK_STATUS(kfix_engine_fix_paths_per_file(jobs1, wb_paths, 1, S("{not json"), never_called, &calls),
                 KFIX_EPARSE);
    CHECK(calls == 0);
  }

  /* ---- the callback stops the run ---- */
  paths[0] = dir;
  parts_init(&p1);
  p1.stop_at = 0;
  CHECK_STATUS(kfix_engine_scan_paths_per_file(jobs2, paths, 1, 0, collect, &p1), KFIX_ECANCELLED);
  CHECK(p1.n == 1);
  CHECK(kfix_last_error()->code == KFIX_ECANCELLED);
  CHECK(strstr(kfix_last_error()->detail_json, "\"code\":\"cancelled\"") != NULL);
  CHECK(strstr(kfix_last_error()->message, "callback") != NULL);
  parts_free(&p1);
  parts_init(&p1);
  p1.stop_at = 1;
  CHECK_STATUS(kfix_engine_fix_paths_per_file(jobs2, paths, 1, NULL, 0, collect, &p1), KFIX_ECANCELLED);
  CHECK(p1.n == 2);
  parts_free(&p1);
  /* the engine is fine afterwards */
  parts_init(&p1);
  CHECK_STATUS(kfix_engine_scan_paths_per_file(jobs2, paths, 1, 0, collect, &p1), KFIX_OK);
  CHECK(p1.n == 3 && kfix_last_error()->code == KFIX_OK);
  parts_free(&p1);

  /* ---- bad arguments ---- */
  CHECK_STATUS(kfix_engine_scan_paths_per_file(NULL, paths, 1, 0, never_called, &calls), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_scan_paths_per_file(jobs1, NULL, 1, 0, never_called, &calls), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_scan_paths_per_file(jobs1, paths, 0, 0, never_called, &calls), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_scan_paths_per_file(jobs1, paths, 1, 0x80u, never_called, &calls), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_scan_paths_per_file(jobs1, paths, 1, 0, NULL, NULL), KFIX_EINVAL);
  CHECK(strstr(kfix_last_error()->message, "callback") != NULL);
  CHECK_STATUS(kfix_engine_fix_paths_per_file(NULL, paths, 1, NULL, 0, never_called, &calls), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_fix_paths_per_file(jobs1, paths, 1, NULL, 0, NULL, NULL), KFIX_EINVAL);
  paths[1] = NULL;
  CHECK_STATUS(kfix_engine_fix_paths_per_file(jobs1, paths, 2, NULL, 0, never_called, &calls), KFIX_EINVAL);
  /* a path that does not exist: nothing is handed over */
  paths[1] = missing;
  CHECK_STATUS(kfix_engine_scan_paths_per_file(jobs1, paths, 2, 0, never_called, &calls), KFIX_ENOTFOUND);
  CHECK(strstr(kfix_last_error()->message, "missing.yaml") != NULL);
  CHECK_STATUS(kfix_engine_fix_paths_per_file(jobs1, paths, 2, NULL, 0, never_called, &calls), KFIX_ENOTFOUND);
  CHECK(calls == 0);

  kfix_engine_free(jobs1);
  kfix_engine_free(jobs2);
  kfix_engine_free(per_file);
  if (failures != 0) {
    fprintf(stderr, "capi_stream_test: %d check(s) failed\n", failures);
    return 1;
  }
  printf("capi_stream_test: all checks passed\n");
  return 0;
}
