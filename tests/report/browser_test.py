"""The HTML report in a real browser (Debian's headless Chromium).

Usage: browser_test.py KFIX_CLI SOURCE_DIR WORK_DIR

Checks, for the report of examples/manifests and of a generated run with at
least 10,000 findings: the DOM holds the counts of summary.json, the table
renders its first page and counts every finding, a filter typed into the table
narrows the rows to exactly the matching findings, the status filter shows the
findings of that status, sorting by risk puts the riskiest first, a click on a
row shows its patch as a diff, "show more" adds rows; and writes a screenshot.
Each report is loaded once, with a probe script that drives the page like a
user and records what the table showed after each step.
Exit 77 (skipped) only when no Chromium is installed, saying so.
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reportlib  # noqa: E402

FAILURES = []
PAGE = 500  # rows the table renders at a time


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def run_report(cli, out_dir, html, paths, extra=()):
    subprocess.run([cli, "run", "--quiet", "--now", "1796433401", "--out", out_dir, "--html", html, *extra, *paths],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out_dir, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(out_dir, "fixes.json")) as f:
        fixes = json.load(f)
    return summary, fixes


# Drives the page step by step. Each step changes a control the way a user
# does (value + event, or a click), waits until the table has rendered
# (data-state "done"), and records what it shows as data-* attributes of
# #test-result.
PROBE_SCRIPT = """
(function () {
  var t = document.getElementById("findings-table");
  var out = document.createElement("div"); out.id = "test-result";
  function rows() { return t.tBodies[0].querySelectorAll("tr.row").length; }
  function settle(then) {
    setTimeout(function wait() {
      if (t.dataset.state !== "done") { setTimeout(wait, 20); return; }
      then();
    }, 300);
  }
  function type(value) {
    var f = document.getElementById("filter");
    f.focus(); f.value = value; f.dispatchEvent(new Event("input", {bubbles: true}));
  }
  function status(value) {
    var s = document.getElementById("status-filter");
    s.value = value; s.dispatchEvent(new Event("change", {bubbles: true}));
  }
  var steps = [
    function (next) { out.dataset.initialRows = rows(); out.dataset.initialShown = t.dataset.shown; next(); },
    function (next) { type(%(term)s); settle(function () {
      out.dataset.filterRows = rows(); out.dataset.filterShown = t.dataset.shown; type(""); settle(next); }); },
    function (next) { status("needs-review"); settle(function () {
      out.dataset.statusShown = t.dataset.shown; status(""); settle(next); }); },
    function (next) { document.querySelector('th[data-col="7"]').click(); settle(function () {
      out.dataset.firstRisk = t.tBodies[0].rows[0].cells[6].textContent;
      var withOps = Array.prototype.find.call(t.tBodies[0].rows, function (tr) { return tr.cells[7].textContent !== "0"; });
      withOps.click();
      var pre = withOps.nextSibling.querySelector("pre.diff");
      out.dataset.diffAdded = pre ? pre.querySelectorAll("span.add").length : -1;
      next(); }); },
    function (next) { var b = document.getElementById("more"); b.click(); b.click(); out.dataset.moreRows = rows(); next(); }
  ];
  function run(i) { if (i < steps.length) steps[i](function () { run(i + 1); }); else document.body.appendChild(out); }
  setTimeout(function () { run(0); }, 50);
})();
"""


def probe(browser, html, work, label, term):
    page = os.path.join(work, label + "-probe.html")
    reportlib.with_script(html, PROBE_SCRIPT % {"term": json.dumps(term)}, page)
    dom = reportlib.dump_dom(browser, page, budget_ms=60000)
    m = re.search(r'<div id="test-result"([^>]*)>', dom)
    result = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', m.group(1))) if m else {}
    check(bool(result), "%s: the probe ran to the end" % label)
    return dom, result


def check_report(browser, html, work, label, summary, fixes, term):
    dom, r = probe(browser, html, work, label, term)
    tiles = reportlib.tiles(dom)
    check(len(tiles) >= 10, "%s: summary tiles present (%d)" % (label, len(tiles)))
    for key, text in tiles.items():
        value = summary.get(key)
        check(value is not None and float(text) == round(float(value), 2),
              "%s: tile %s = %s (summary.json: %s)" % (label, key, text, value))
    findings = summary["findings"]
    check(r.get("initial-rows") == str(min(findings, PAGE)),
          "%s: %s table rows rendered first (of %d findings)" % (label, r.get("initial-rows"), findings))
    check(r.get("initial-shown") == str(findings), "%s: the table counts %s findings" % (label, r.get("initial-shown")))

    expected = sum(1 for x in fixes["results"] if term in x["check"] or term in x["file"]
                   or term in x.get("message", "").lower() or term in x.get("reason", "").lower())
    check(0 < expected < findings and r.get("filter-shown") == str(expected)
          and r.get("filter-rows") == str(min(expected, PAGE)),
          "%s: filter %r narrows the table to %s findings, %s rows (expected %d of %d)"
          % (label, term, r.get("filter-shown"), r.get("filter-rows"), expected, findings))
    check(r.get("status-shown") == str(summary["needs_review"]),
          "%s: the status filter 'needs-review' shows %s findings (summary: %d)"
          % (label, r.get("status-shown"), summary["needs_review"]))
    max_risk = max(x["risk"]["risk"] for x in fixes["results"])
    first = r.get("first-risk", "")
    check(first != "" and float(first.split()[0]) == round(max_risk, 2),
          "%s: sorting by risk puts %s first (max %s)" % (label, first, max_risk))
    check(int(r.get("diff-added", "-1")) > 0, "%s: a row click shows its patch as a diff (%s added lines)"
          % (label, r.get("diff-added")))
    check(r.get("more-rows") == str(min(findings, 3 * PAGE)),
          "%s: two clicks on 'show more' leave %s rows (expected %d)" % (label, r.get("more-rows"), min(findings, 3 * PAGE)))


def main():
    cli, source, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    browser = reportlib.find_chromium()
    if browser is None:
        print("SKIPPED: no chromium on this machine (`make deps` installs Debian's chromium package)")
        return 77
    print("browser: " + browser)

    # 1. The examples, with the feeds `make run` uses.
    feeds = os.path.join(source, "examples", "feeds")
    html = os.path.join(work, "examples.html")
    summary, fixes = run_report(cli, os.path.join(work, "examples-run"), html,
                                [os.path.join(source, "examples", "manifests")],
                                ["--epss", os.path.join(feeds, "epss.csv"), "--kev", os.path.join(feeds, "kev.json"),
                                 "--images", os.path.join(feeds, "trivy-nginx-latest.json")])
    check_report(browser, html, work, "examples", summary, fixes, "docker-sock")
    shot = os.path.join(work, "examples.png")
    reportlib.chromium(browser, ["--screenshot=" + shot, "--window-size=1280,2400", "--virtual-time-budget=5000"],
                       "file://" + html)
    check(os.path.getsize(shot) > 20000, "examples: screenshot written (%d bytes)" % os.path.getsize(shot))

    # 2. A generated run with at least 10,000 findings.
    many = reportlib.write_many_findings(os.path.join(work, "many-manifests"))
    html = os.path.join(work, "many.html")
    summary, fixes = run_report(cli, os.path.join(work, "many-run"), html, [many])
    check(summary["findings"] >= 10000, "many: %d findings" % summary["findings"])
    check_report(browser, html, work, "many", summary, fixes, "app-0042.yaml")

    print("%d failure(s)" % len(FAILURES))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
