"""How fast the HTML report of a 10,000-finding run loads in headless Chromium.

Usage: report_load.py KFIX_CLI [RUNS]

Generates a run with 10,500 findings (tests/report/reportlib.py), writes its
report, and loads it RUNS times (default 5) in Debian's headless Chromium.
Prints the page's own timings (navigation start -> load event, -> findings
table rendered) and the wall time of `chromium --dump-dom` on the report
against the same on an empty page, alternating the two, with medians.
"""
import os
import re
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "report"))
import reportlib  # noqa: E402
import subprocess  # noqa: E402

TIMING = """(function w(){var t=document.getElementById("findings-table");
if(t.dataset.state!=="done"){setTimeout(w,5);return;}
var n=performance.getEntriesByType("navigation")[0];
setTimeout(function(){document.title="table="+performance.now().toFixed(0)+" load="+n.loadEventEnd.toFixed(0);},0);})();"""


def main():
    cli = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    browser = reportlib.find_chromium()
    if browser is None:
        print("no chromium installed")
        return 1
    with tempfile.TemporaryDirectory(prefix="kfix-report-bench-") as work:
        many = reportlib.write_many_findings(os.path.join(work, "m"))
        html = os.path.join(work, "many.html")
        subprocess.run([cli, "run", "--quiet", "--now", "0", "--html", html, many], check=True, stdout=subprocess.DEVNULL)
        timed = os.path.join(work, "timed.html")
        reportlib.with_script(html, TIMING, timed)
        blank = os.path.join(work, "blank.html")
        with open(blank, "w") as f:
            f.write("<!DOCTYPE html><title>blank</title>")
        table, load, wall, wall_blank = [], [], [], []
        for _ in range(runs):
            dom, secs = reportlib.chromium(browser, ["--dump-dom", "--timeout=20000"], "file://" + timed)
            m = re.search(r"<title>table=(\d+) load=(\d+)</title>", dom)
            if m:
                table.append(int(m.group(1)))
                load.append(int(m.group(2)))
            wall.append(secs)
            _, secs = reportlib.chromium(browser, ["--dump-dom"], "file://" + blank)
            wall_blank.append(secs)
        print("time %s, %s, report %.1f MB" % (time.strftime("%H:%M UTC", time.gmtime()), "10,500 findings",
                                                os.path.getsize(html) / 1e6))
        if table:
            print("in page: load event median %d ms, findings table rendered median %d ms (%d runs)"
                  % (statistics.median(load), statistics.median(table), len(table)))
        print("chromium --dump-dom wall: report median %.2f s, empty page median %.2f s"
              % (statistics.median(wall), statistics.median(wall_blank)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
