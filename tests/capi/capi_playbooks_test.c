/* capi_playbooks_test.c - the playbook and write-back entry points of
 * kfix/kfix.h: kfix_gvisor_*, kfix_escape_detect, kfix_quarantine_*,
 * kfix_intent_*, kfix_action_*, kfix_incidents_triage, kfix_engine_render*
 * and kfix_engine_write_back, with their error paths. The documents are
 * checked against the golden files the CLI tests pin (tests/data/).
 *
 * Plain C99; runs under ctest as `capi.playbooks`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kfix/kfix.h"

#include "check.h"

static const char* scratch_dir = ".";

#define CONTAINS(buf, needle) ((buf).ptr != NULL && strstr((buf).ptr, (needle)) != NULL)

static int no_error(void) { return kfix_last_error()->code == KFIX_OK; }

/* Reads tests/data/<rel> whole (NUL-terminated); exits when it cannot. */
static char* read_data(const char* rel, size_t* len) {
  char path[1024];
  FILE* f;
  long n;
  char* text;
  snprintf(path, sizeof path, "%s/tests/data/%s", KFIX_SOURCE_DIR, rel);
  f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  text = (char*)malloc((size_t)n + 1);
  if (text == NULL || fread(text, 1, (size_t)n, f) != (size_t)n) exit(2);
  text[n] = '\0';
  fclose(f);
  if (len != NULL) *len = (size_t)n;
  return text;
}

static void data_path(char* out, size_t size, const char* rel) {
  snprintf(out, size, "%s/tests/data/%s", KFIX_SOURCE_DIR, rel);
}

/* ---- gVisor ---- */
static void test_gvisor(kfix_engine* engine) {
  char fixture[1024];
  char missing[1024];
  const char* paths[1];
  const char* bad_paths[1];
  const char* options = "{\"includeReview\": true, \"generatedAt\": \"2026-04-20T10:00:00Z\", \"cluster\": \"kind\"}";
  size_t live_len = 0;
  char* live = read_data("gvisor/live.yaml", &live_len);
  size_t text_len = 0;
  char* text = read_data("gvisor/fixture9.yaml", &text_len);
  kfix_buf scan = KFIX_BUF_INIT, scan_text = KFIX_BUF_INIT, plan = KFIX_BUF_INIT, plan_text = KFIX_BUF_INIT;
  kfix_buf apply = KFIX_BUF_INIT, rollback = KFIX_BUF_INIT, verify = KFIX_BUF_INIT, bad = KFIX_BUF_INIT;
  char* tampered;
  char* at;

  data_path(fixture, sizeof fixture, "gvisor/fixture9.yaml");
  data_path(missing, sizeof missing, "gvisor/does-not-exist.yaml");
  paths[0] = fixture;
  bad_paths[0] = missing;

  CHECK_STATUS(kfix_gvisor_scan_paths(&scan, engine, paths, 1, NULL, 0), KFIX_OK);
  CHECK(no_error());
  CHECK(CONTAINS(scan, "\"schemaVersion\":\"kfix.gvisor.scan/v1\""));
  CHECK(CONTAINS(scan, "\"compatibility\":\"incompatible\""));
  /* The same text through the text entry point gives the same document. */
  CHECK_STATUS(kfix_gvisor_scan(&scan_text, engine, text, text_len, fixture, NULL, 0), KFIX_OK);
  CHECK(scan.size == scan_text.size && memcmp(scan.ptr, scan_text.ptr, scan.size) == 0);
  CHECK_STATUS(kfix_gvisor_scan_paths(&bad, engine, bad_paths, 1, NULL, 0), KFIX_ENOTFOUND);
  CHECK(bad.ptr == NULL);
  CHECK_STATUS(kfix_gvisor_scan_paths(&bad, engine, paths, 1, "{\"profile\": \"nope\"}", 19), KFIX_EINVAL);
  CHECK(strstr(kfix_last_error()->message, "options") != NULL);
  CHECK_STATUS(kfix_gvisor_scan_paths(&bad, engine, paths, 1, "{\"includeSystem\": 3}", 20), KFIX_EPARSE);
  CHECK(strstr(kfix_last_error()->message, "options:1:19:") != NULL); /* the caller's own line and column */

  CHECK_STATUS(kfix_gvisor_plan_paths(&plan, engine, paths, 1, options, strlen(options)), KFIX_OK);
  CHECK(CONTAINS(plan, "\"kind\":\"MigrationPlan\""));
  CHECK(CONTAINS(plan, "\"planHash\":\""));
  CHECK(CONTAINS(plan, "\"generatedAt\":\"2026-04-20T10:00:00Z\""));
  CHECK_STATUS(kfix_gvisor_plan(&plan_text, engine, text, text_len, "x.yaml", options, strlen(options)), KFIX_OK);
  CHECK(plan.size == plan_text.size && memcmp(plan.ptr, plan_text.ptr, plan.size) == 0);
  /* A plan only comes from inputs that load entirely. */
  CHECK_STATUS(kfix_gvisor_plan(&bad, engine, "kind: [", 7, "broken.yaml", NULL, 0), KFIX_EPARSE);
  CHECK(strstr(kfix_last_error()->message, "broken.yaml") != NULL);

  CHECK_STATUS(kfix_gvisor_apply(&apply, engine, plan.ptr, plan.size, live, live_len, options, strlen(options)),
               KFIX_OK);
  CHECK(no_error());
  CHECK(CONTAINS(apply, "\"kind\":\"ApplyResult\""));
  CHECK(CONTAINS(apply, "\"dryRun\":true"));
  CHECK(CONTAINS(apply, "runtimeClassName"));
  CHECK_STATUS(kfix_gvisor_rollback(&rollback, engine, plan.ptr, plan.size, live, live_len, NULL, 0), KFIX_OK);
  CHECK(CONTAINS(rollback, "\"kind\":\"RollbackResult\""));
  CHECK_STATUS(kfix_gvisor_verify(&verify, engine, plan.ptr, plan.size, live, live_len, NULL, 0), KFIX_OK);
  CHECK(CONTAINS(verify, "\"exitCode\""));
  CHECK_STATUS(kfix_gvisor_verify(&bad, engine, plan.ptr, plan.size, NULL, 0, NULL, 0), KFIX_EINVAL);

  /* An edited plan fails its integrity check. */
  tampered = (char*)malloc(plan.size + 1);
  memcpy(tampered, plan.ptr, plan.size + 1);
  at = strstr(tampered, "\"riskScore\":");
  CHECK(at != NULL);
  if (at != NULL) {
    at += strlen("\"riskScore\":");
    *at = *at == '9' ? '8' : '9';
    CHECK_STATUS(kfix_gvisor_apply(&bad, engine, tampered, plan.size, live, live_len, NULL, 0), KFIX_EVERIFY);
    CHECK(strstr(kfix_last_error()->message, "integrity") != NULL);
    CHECK(bad.ptr == NULL);
  }
  free(tampered);
  CHECK_STATUS(kfix_gvisor_apply(&bad, NULL, plan.ptr, plan.size, NULL, 0, NULL, 0), KFIX_EINVAL);

  kfix_buf_dispose(&scan);
  kfix_buf_dispose(&scan_text);
  kfix_buf_dispose(&plan);
  kfix_buf_dispose(&plan_text);
  kfix_buf_dispose(&apply);
  kfix_buf_dispose(&rollback);
  kfix_buf_dispose(&verify);
  free(live);
  free(text);
}

/* ---- container escape ---- */
static void test_escape(void) {
  size_t events_len = 0, findings_len = 0, cluster_len = 0;
  char* events = read_data("escape/audit_events.ocsf.jsonl", &events_len);
  char* findings = read_data("escape/findings.ocsf.jsonl", &findings_len);
  char* cluster = read_data("escape/cluster.yaml", &cluster_len);
  char* golden = read_data("escape/plan.golden.jsonl", NULL);
  char* first_line_end = strchr(golden, '\n');
  char* first_finding_end = strchr(findings, '\n');
  const char* now = "{\"nowMs\": 1775800000000}";
  const char* apply_opts = "{\"nowMs\": 1775800000000, \"incidentId\": \"INC-7\", \"approver\": \"alice\", "
                           "\"clusterName\": \"prod\", \"allowedClusters\": \"prod,stage\"}";
  kfix_buf detect = KFIX_BUF_INIT, plan = KFIX_BUF_INIT, apply = KFIX_BUF_INIT, refused = KFIX_BUF_INIT;
  kfix_buf reverify = KFIX_BUF_INIT, bad = KFIX_BUF_INIT;

  /* Every finding of the detector is the line the CLI prints (the golden file). */
  CHECK_STATUS(kfix_escape_detect(&detect, events, events_len, "audit.jsonl", NULL, 0), KFIX_OK);
  CHECK(no_error());
  CHECK(CONTAINS(detect, "\"findings\":["));
  if (first_finding_end != NULL) {
    *first_finding_end = '\0';
    CHECK(CONTAINS(detect, findings));
    *first_finding_end = '\n';
  }
  CHECK_STATUS(kfix_escape_detect(&bad, "{not json\n", 10, "x.jsonl", NULL, 0), KFIX_OK);
  CHECK(CONTAINS(bad, "\"findings\":[]"));
  CHECK(CONTAINS(bad, "\"file\":\"x.jsonl\",\"line\":1"));
  kfix_buf_dispose(&bad);
  CHECK_STATUS(kfix_escape_detect(&bad, events, events_len, NULL, "{\"format\": \"xml\"}", 17), KFIX_EINVAL);

  CHECK_STATUS(kfix_quarantine_plan(&plan, findings, findings_len, "findings.jsonl", cluster, cluster_len, now,
                                    strlen(now)),
               KFIX_OK);
  CHECK(CONTAINS(plan, "ce-quarantine-api-7d9b-fd35210c32"));
  if (first_line_end != NULL) {
    *first_line_end = '\0';
    CHECK(CONTAINS(plan, golden)); /* the CLI's first line, byte for byte */
  }
  CHECK(CONTAINS(plan, "\"status\":null"));

  /* The approval gate refuses before anything is recorded. */
  CHECK_STATUS(kfix_quarantine_apply(&refused, findings, findings_len, NULL, cluster, cluster_len, now, strlen(now)),
               KFIX_OK);
  CHECK(CONTAINS(refused, "\"records\":[]"));
  CHECK(CONTAINS(refused, "\"code\":\"permission_denied\""));
  CHECK_STATUS(kfix_quarantine_apply(&apply, findings, findings_len, NULL, cluster, cluster_len, apply_opts,
                                     strlen(apply_opts)),
               KFIX_OK);
  CHECK(CONTAINS(apply, "\"record_type\":\"remediation_audit\""));
  CHECK(CONTAINS(apply, "\"status\":\"in_progress\""));

  /* Reverify: a cluster that does not load is unreachable, not an error. */
  CHECK_STATUS(kfix_quarantine_reverify(&reverify, findings, findings_len, NULL, "a: [", 4, now, strlen(now)),
               KFIX_OK);
  CHECK(CONTAINS(reverify, "unreachable"));
  CHECK_STATUS(kfix_quarantine_plan(&bad, findings, findings_len, NULL, "a: [", 4, now, strlen(now)), KFIX_EPARSE);
  CHECK_STATUS(kfix_quarantine_plan(&bad, findings, findings_len, NULL, NULL, 0, "{\"mode\": 1}", 11), KFIX_EINVAL);

  kfix_buf_dispose(&detect);
  kfix_buf_dispose(&plan);
  kfix_buf_dispose(&apply);
  kfix_buf_dispose(&refused);
  kfix_buf_dispose(&reverify);
  free(events);
  free(findings);
  free(cluster);
  free(golden);
}

/* ---- typed actions ---- */
static void test_actions(void) {
  size_t intent_len = 0, action_len = 0, big_len = 0, events_len = 0, claw_len = 0;
  char* intent = read_data("actions/intent-valid.json", &intent_len);
  char* action = read_data("actions/action-scale.yaml", &action_len);
  char* big = read_data("actions/action-scale-100.yaml", &big_len);
  char* events = read_data("actions/events-burst.yaml", &events_len);
  char* claw = read_data("actions/claw-statefulset.yaml", &claw_len);
  const char* now = "{\"now\": \"2026-04-20T10:00:00Z\"}";
  kfix_buf out = KFIX_BUF_INIT;

  CHECK_STATUS(kfix_intent_validate(&out, intent, intent_len), KFIX_OK);
  CHECK(CONTAINS(out, "{\"valid\":true,\"error\":\"\"}"));
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_intent_validate(&out, "{\"action\": \"Bump-Memory\"}", 25), KFIX_OK);
  CHECK(CONTAINS(out, "\"valid\":false"));
  kfix_buf_dispose(&out);

  CHECK_STATUS(kfix_intent_consume(&out, claw, claw_len, now, strlen(now)), KFIX_OK);
  CHECK(CONTAINS(out, "\"decision\":\"execute\""));
  CHECK(CONTAINS(out, "\"annotations\":{\"claw.prismer.ai/ops-intent-gen\":\"100\",\"team\":\"payments\"}"));
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_intent_consume(&out, claw, claw_len, "{\"when\": 1}", 11), KFIX_EINVAL);
  CHECK(strstr(kfix_last_error()->message, "when") != NULL);

  CHECK_STATUS(kfix_action_validate(&out, action, action_len, now, strlen(now)), KFIX_OK);
  CHECK(CONTAINS(out, "\"valid\":true"));
  CHECK(CONTAINS(out, "\"plan\":{"));
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_action_validate(&out, big, big_len, now, strlen(now)), KFIX_OK);
  CHECK(CONTAINS(out, "\"valid\":false"));
  CHECK(CONTAINS(out, "\"plan\":null"));
  kfix_buf_dispose(&out);

  CHECK_STATUS(kfix_action_step(&out, action, action_len, now, strlen(now)), KFIX_OK);
  CHECK(CONTAINS(out, "\"phase\":"));
  CHECK(CONTAINS(out, "\"kind\":\"requeue\""));
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_action_step(&out, action, action_len, NULL, 0), KFIX_EINVAL); /* now is required */
  CHECK_STATUS(kfix_action_step(&out, "kind: Pod\n", 10, now, strlen(now)), KFIX_EPARSE);
  CHECK(strstr(kfix_last_error()->message, "action") != NULL);

  CHECK_STATUS(kfix_incidents_triage(&out, events, events_len, now, strlen(now)), KFIX_OK);
  CHECK(CONTAINS(out, "\"priming\":true"));
  CHECK(CONTAINS(out, "\"next_state\":"));
  kfix_buf_dispose(&out);
  CHECK_STATUS(kfix_incidents_triage(&out, events, events_len, NULL, 0), KFIX_EINVAL);

  free(intent);
  free(action);
  free(big);
  free(events);
  free(claw);
}

/* ---- write-back ---- */
static void test_render(kfix_engine* engine) {
  static const char manifest[] =
      "# Web tier, owned by team shop\n"
      "apiVersion: v1\n"
      "kind: Pod\n"
      "metadata: {name: web}  # flow style kept\n"
      "spec:\n"
      "  containers:\n"
      "    - name: web\n"
      "      image: \"nginx:1.25.3\"  # pinned\n";
  kfix_buf out = KFIX_BUF_INIT;
  char input[1024];
  char options[1200];
  const char* paths[1];
  FILE* f;

  CHECK_STATUS(kfix_engine_render(&out, engine, manifest, sizeof manifest - 1, "web.yaml"), KFIX_OK);
  CHECK(no_error());
  CHECK(CONTAINS(out, "\"file\":\"web.yaml\""));
  CHECK(CONTAINS(out, "\"fixed\":true"));
  CHECK(CONTAINS(out, "# Web tier, owned by team shop\\n"));
  CHECK(CONTAINS(out, "metadata: {name: web}  # flow style kept\\n"));
  CHECK(CONTAINS(out, "image: \\\"nginx:1.25.3\\\"  # pinned"));
  kfix_buf_dispose(&out);

  snprintf(input, sizeof input, "%s/render-web.yaml", scratch_dir);
  f = fopen(input, "wb");
  CHECK(f != NULL);
  if (f == NULL) return;
  fwrite(manifest, 1, sizeof manifest - 1, f);
  fclose(f);
  paths[0] = input;
  CHECK_STATUS(kfix_engine_render_paths(&out, engine, paths, 1), KFIX_OK);
  CHECK(CONTAINS(out, "# Web tier, owned by team shop\\n"));
  kfix_buf_dispose(&out);

  /* A diff only: nothing written; then in place. */
  CHECK_STATUS(kfix_engine_write_back(&out, engine, paths, 1, "{\"diff\": true}", 14), KFIX_OK);
  CHECK(CONTAINS(out, "--- a/"));
  CHECK(CONTAINS(out, "\"output\":\"\""));
  kfix_buf_dispose(&out);
  snprintf(options, sizeof options, "{\"write\": \"%s/render-out\", \"inPlace\": true}", scratch_dir);
  CHECK_STATUS(kfix_engine_write_back(&out, engine, paths, 1, options, strlen(options)), KFIX_EINVAL);
  CHECK_STATUS(kfix_engine_write_back(&out, engine, paths, 1, "{\"inPlace\": true}", 17), KFIX_OK);
  CHECK(CONTAINS(out, "\"fixed\":true"));
  kfix_buf_dispose(&out);
  { /* the input now holds the fixed bytes, its comments intact */
    char after[2048];
    size_t n;
    f = fopen(input, "rb");
    CHECK(f != NULL);
    if (f != NULL) {
      n = fread(after, 1, sizeof after - 1, f);
      after[n] = '\0';
      fclose(f);
      CHECK(strncmp(after, manifest, 120) == 0);
      CHECK(strstr(after, "readOnlyRootFilesystem: true") != NULL);
    }
  }
  CHECK_STATUS(kfix_engine_write_back(&out, engine, paths, 1, "{\"inPlace\": 1}", 14), KFIX_EINVAL);
}

int main(int argc, char** argv) {
  kfix_engine* engine = NULL;
  if (argc > 1) scratch_dir = argv[1];
  CHECK_STATUS(kfix_engine_new(&engine, NULL, 0), KFIX_OK);
  if (engine == NULL) return 1;
  test_gvisor(engine);
  test_escape();
  test_actions();
  test_render(engine);
  kfix_engine_free(engine);
  if (failures != 0) {
    fprintf(stderr, "capi_playbooks_test: %d check(s) failed\n", failures);
    return 1;
  }
  printf("capi_playbooks_test: all checks passed\n");
  return 0;
}
