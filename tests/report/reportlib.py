"""Helpers shared by the report's browser test and its load benchmark:
headless Chromium, DOM reading, and a generated many-finding run."""
import os
import re
import shutil
import subprocess
import tempfile

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium(browser, args, url, timeout=120):
    """Runs headless Chromium once with a fresh profile; returns (stdout, seconds)."""
    import time
    with tempfile.TemporaryDirectory(prefix="kfix-chromium-") as profile:
        cmd = [browser, *CHROMIUM_FLAGS, "--user-data-dir=" + profile, *args, url]
        t0 = time.monotonic()
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=timeout, check=True)
        return out.stdout.decode("utf-8", "replace"), time.monotonic() - t0


def dump_dom(browser, path, budget_ms=20000):
    """The DOM after scripts ran (timers fast-forwarded by virtual time)."""
    dom, _ = chromium(browser, ["--dump-dom", "--virtual-time-budget=%d" % budget_ms], "file://" + os.path.abspath(path))
    return dom


def with_script(html_path, script, out_path):
    """Copies the report with `script` appended at the end of <body>."""
    with open(html_path, encoding="utf-8") as f:
        html = f.read()
    assert html.count("</body>") == 1
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(html.replace("</body>", "<script>" + script + "</script></body>"))


def tiles(dom):
    """Summary tiles as {key: text}."""
    return dict(re.findall(r'data-key="([a-z_]+)"><div class="n">([^<]*)</div>', dom))


def table_rows(dom):
    return len(re.findall(r'<tr class="row"', dom))


def table_state(dom):
    m = re.search(r'<table id="findings-table"[^>]*>', dom)
    attrs = dict(re.findall(r'data-([a-z]+)="([^"]*)"', m.group(0))) if m else {}
    return attrs


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: team-{ns}
spec:
  replicas: 3
  selector:
    matchLabels:
      app: app-{i}
  template:
    metadata:
      labels:
        app: app-{i}
    spec:
      containers:
{containers}"""

CONTAINER = """        - name: c{j}
          image: registry.example.com/app-{i}-{j}:latest
"""


def write_many_findings(directory, deployments=500, containers=4):
    """Writes `deployments` Deployments whose containers set nothing (each
    container: no read-only root fs, runs as root, no CPU/memory requests,
    latest tag). Returns the folder."""
    os.makedirs(directory, exist_ok=True)
    for i in range(deployments):
        cs = "".join(CONTAINER.format(i=i, j=j) for j in range(containers))
        with open(os.path.join(directory, "app-%04d.yaml" % i), "w") as f:
            f.write(DEPLOYMENT.format(i=i, ns=i % 17, containers=cs))
    return directory
