/* Manifests shared by the C ABI tests. */
#ifndef KFIX_TESTS_CAPI_FIXTURES_H
#define KFIX_TESTS_CAPI_FIXTURES_H

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
