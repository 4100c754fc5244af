/* examples/c/run.c - the whole loop (scan, fix, guard, risk, schedule) through
 * the C ABI, as `kfix run` does it.
 *
 *   cc run.c $(pkg-config --cflags --libs kfix) -o kfix-run-c
 *   ./kfix-run-c deploy.yaml [EPSS.csv KEV.json]
 *
 * The engine reads the EPSS and KEV feeds once (kfix_engine_new); kfix_engine_run
 * then takes the manifests and the caller's clock and returns one JSON
 * document holding findings, fixes, risk, schedule and summary. This program
 * prints the summary counts and checks that they add up.
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

/* The integer after "\"key\":" in the top-level "summary" member, which is
 * the last member of the kfix_engine_run document (the "fixes" document carries its
 * own "summary" earlier). A real program would use its JSON parser. -1 when
 * absent. */
static long summary_count(const char* doc, const char* key) {
  char needle[64];
  const char* summary = NULL;
  const char* p;
  for (p = strstr(doc, "\"summary\":"); p != NULL; p = strstr(p + 1, "\"summary\":")) summary = p;
  if (summary == NULL) return -1;
  snprintf(needle, sizeof needle, "\"%s\":", key);
  p = strstr(summary, needle);
  return p == NULL ? -1 : strtol(p + strlen(needle), NULL, 10);
}

/* Writes the JSON string literal for `s` (escaping quotes and backslashes). */
static size_t json_string(char* out, size_t cap, const char* s) {
  size_t n = 0;
  if (n < cap) out[n++] = '"';
  for (; *s != '\0' && n + 2 < cap; ++s) {
    if (*s == '"' || *s == '\\') out[n++] = '\\';
    out[n++] = *s;
  }
  if (n < cap) out[n++] = '"';
  return n;
}

int main(int argc, char** argv) {
  char config[4096];
  size_t clen = 0;
  kfix_engine* engine = NULL;
  kfix_buf result = KFIX_BUF_INIT;
  size_t len = 0;
  char* manifests;
  int rc = 0;

  if (argc != 2 && argc != 4) {
    fprintf(stderr, "usage: %s MANIFEST.yaml [EPSS.csv KEV.json]\n", argv[0]);
    return 2;
  }
  /* Engine configuration: default checks and fixes; feeds when given. */
  clen += (size_t)snprintf(config, sizeof config, "{\"risk\": {");
  if (argc == 4) {
    clen += (size_t)snprintf(config + clen, sizeof config - clen, "\"epss\": ");
    clen += json_string(config + clen, sizeof config - clen - 1, argv[2]);
    clen += (size_t)snprintf(config + clen, sizeof config - clen, ", \"kev\": ");
    clen += json_string(config + clen, sizeof config - clen - 1, argv[3]);
  }
  clen += (size_t)snprintf(config + clen, sizeof config - clen, "}}");

  manifests = read_file(argv[1], &len);
  if (manifests == NULL) {
    perror(argv[1]);
    return 1;
  }
  if (kfix_engine_new(&engine, config, clen) != KFIX_OK) {
    rc = fail("kfix_engine_new");
  } else if (kfix_engine_run(&result, engine, manifests, len, argv[1], /*now=*/1700000000.0) != KFIX_OK) {
    rc = fail("kfix_engine_run");
  } else {
    long findings = summary_count(result.ptr, "findings");
    long accepted = summary_count(result.ptr, "accepted");
    long rejected = summary_count(result.ptr, "rejected");
    long review = summary_count(result.ptr, "needs_review");
    long unfixable = summary_count(result.ptr, "unfixable");
    long scheduled = summary_count(result.ptr, "scheduled");
    long kev = summary_count(result.ptr, "kev_findings");
    printf("kfix %s run on %s: %ld findings, %ld accepted, %ld rejected, %ld needs review, %ld unfixable; "
           "%ld scheduled, %ld on KEV-listed images\n",
           kfix_version_string(), argv[1], findings, accepted, rejected, review, unfixable, scheduled, kev);
    if (findings <= 0 || accepted < 0 || accepted + rejected + review + unfixable != findings ||
        scheduled != accepted) {
      fprintf(stderr, "summary counts do not add up\n");
      rc = 1;
    }
  }
  kfix_buf_dispose(&result);
  kfix_engine_free(engine);
  free(manifests);
  return rc;
}
