"""The HTML report in a real browser (Debian's headless Chromium).

Usage: browser_test.py KFIX_CLI SOURCE_DIR WORK_DIR

Checks, for the report of examples/manifests and of a generated run with at
least 10,000 findings: the DOM holds the counts of summary.json, the table
renders every finding, a filter typed into the table narrows the rows to
exactly the matching findings, sorting by risk puts the riskiest first, a
click on a row shows its patch as a diff; and writes a screenshot.
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


def check_counts(browser, html, summary, label):
    dom = reportlib.dump_dom(browser, html)
    tiles = reportlib.tiles(dom)
    check(len(tiles) >= 10, "%s: summary tiles present (%d)" % (label, len(tiles)))
    for key, text in tiles.items():
        value = summary.get(key)
        check(value is not None and float(text) == round(float(value), 2),
              "%s: tile %s = %s (summary.json: %s)" % (label, key, text, value))
    state = reportlib.table_state(dom)
    rows = reportlib.table_rows(dom)
    check(state.get("state") == "done", "%s: table rendered to the end (state %s)" % (label, state.get("state")))
    page = min(summary["findings"], PAGE)
    check(rows == page, "%s: %d table rows rendered (first page of %d findings)" % (label, rows, summary["findings"]))
    check(state.get("shown") == str(summary["findings"]),
          "%s: the table counts %s matching findings" % (label, state.get("shown")))
    return dom


# Types into the filter like a user (value + input event), waits for the
# debounced, chunked render to finish, then records what the table shows.
FILTER_SCRIPT = """
setTimeout(function () {
  var f = document.getElementById("filter");
  f.focus(); f.value = %s; f.dispatchEvent(new Event("input", {bubbles: true}));
  setTimeout(function wait() {
    var t = document.getElementById("findings-table");
    if (t.dataset.state !== "done") { setTimeout(wait, 50); return; }
    var r = document.createElement("div"); r.id = "test-result";
    r.setAttribute("data-rows", t.tBodies[0].rows.length);
    r.setAttribute("data-shown", t.dataset.shown);
    document.body.appendChild(r);
  }, 400);
}, 100);
"""

STATUS_SCRIPT = """
setTimeout(function () {
  var s = document.getElementById("status-filter");
  s.value = "needs-review"; s.dispatchEvent(new Event("change", {bubbles: true}));
  setTimeout(function wait() {
    var t = document.getElementById("findings-table");
    if (t.dataset.state !== "done") { setTimeout(wait, 50); return; }
    var r = document.createElement("div"); r.id = "test-result";
    r.setAttribute("data-shown", t.dataset.shown);
    document.body.appendChild(r);
  }, 400);
}, 100);
"""

SORT_AND_CLICK_SCRIPT = """
setTimeout(function () {
  document.querySelector('th[data-col="7"]').click();
  setTimeout(function wait() {
    var t = document.getElementById("findings-table");
    if (t.dataset.state !== "done") { setTimeout(wait, 50); return; }
    var first = t.tBodies[0].rows[0];
    var r = document.createElement("div"); r.id = "test-result";
    r.setAttribute("data-first-risk", first.cells[6].textContent);
    var withOps = Array.prototype.find.call(t.tBodies[0].rows, function (tr) { return tr.cells[7].textContent !== "0"; });
    withOps.click();
    var pre = withOps.nextSibling.querySelector("pre.diff");
    r.setAttribute("data-diff-added", pre ? pre.querySelectorAll("span.add").length : -1);
    document.body.appendChild(r);
  }, 300);
}, 100);
"""


MORE_SCRIPT = """
setTimeout(function () {
  var b = document.getElementById("more");
  b.click(); b.click();
  var r = document.createElement("div"); r.id = "test-result";
  r.setAttribute("data-rows", document.getElementById("findings-table").tBodies[0].rows.length);
  document.body.appendChild(r);
}, 100);
"""


def result_attr(dom, name):
    m = re.search(r'<div id="test-result"[^>]*data-%s="([^"]*)"' % name, dom)
    return m.group(1) if m else None


def check_filter(browser, html, work, fixes, term, label):
    expected = sum(1 for r in fixes["results"] if term in r["check"] or term in r.get("message", "").lower()
                   or term in r["file"] or term in r.get("reason", "").lower())
    probe = os.path.join(work, label + "-filter.html")
    reportlib.with_script(html, FILTER_SCRIPT % json.dumps(term), probe)
    dom = reportlib.dump_dom(browser, probe)
    rows, shown = result_attr(dom, "rows"), result_attr(dom, "shown")
    check(shown is not None and int(shown) == expected and 0 < expected < len(fixes["results"])
          and int(rows) == min(expected, PAGE),
          "%s: filter %r narrows the table to %s findings, %s rows (expected %d of %d)"
          % (label, term, shown, rows, expected, len(fixes["results"])))


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
    summary, fixes = run_report(cli, os.path.join(work, "examples-run"), html, [os.path.join(source, "examples", "manifests")],
                                ["--epss", os.path.join(feeds, "epss.csv"), "--kev", os.path.join(feeds, "kev.json"),
                                 "--images", os.path.join(feeds, "trivy-nginx-latest.json")])
    check_counts(browser, html, summary, "examples")
    check_filter(browser, html, work, fixes, "docker-sock", "examples")
    probe = os.path.join(work, "examples-status.html")
    reportlib.with_script(html, STATUS_SCRIPT, probe)
    shown = result_attr(reportlib.dump_dom(browser, probe), "shown")
    check(shown == str(summary["needs_review"]) and summary["needs_review"] > 0,
          "examples: the status filter 'needs-review' shows %s findings (summary: %d)" % (shown, summary["needs_review"]))
    probe = os.path.join(work, "examples-sort.html")
    reportlib.with_script(html, SORT_AND_CLICK_SCRIPT, probe)
    dom = reportlib.dump_dom(browser, probe)
    max_risk = max(r["risk"]["risk"] for r in fixes["results"])
    first = result_attr(dom, "first-risk")
    check(first is not None and float(first.split()[0]) == round(max_risk, 2),
          "examples: sorting by risk puts %s first (max %s)" % (first, max_risk))
    added = result_attr(dom, "diff-added")
    check(added is not None and int(added) > 0, "examples: a row click shows its patch as a diff (%s added lines)" % added)
    shot = os.path.join(work, "examples.png")
    reportlib.chromium(browser, ["--screenshot=" + shot, "--window-size=1280,2400", "--virtual-time-budget=5000"],
                       "file://" + html)
    check(os.path.getsize(shot) > 20000, "examples: screenshot written (%d bytes)" % os.path.getsize(shot))

    # 2. A generated run with at least 10,000 findings.
    many = reportlib.write_many_findings(os.path.join(work, "many-manifests"))
    html = os.path.join(work, "many.html")
    summary, fixes = run_report(cli, os.path.join(work, "many-run"), html, [many])
    check(summary["findings"] >= 10000, "many: %d findings" % summary["findings"])
    check_counts(browser, html, summary, "many")
    check_filter(browser, html, work, fixes, "app-0042.yaml", "many")
    probe = os.path.join(work, "many-more.html")
    reportlib.with_script(html, MORE_SCRIPT, probe)
    dom = reportlib.dump_dom(browser, probe)
    rows = result_attr(dom, "rows")
    check(rows == str(3 * PAGE), "many: two clicks on 'show more' render %s rows (expected %d)" % (rows, 3 * PAGE))

    print("%d failure(s)" % len(FAILURES))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
