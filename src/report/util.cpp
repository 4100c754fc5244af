// Text helpers of the report layer, and its inline stylesheet and script.
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

#include "core/json_internal.hpp"
#include "report/internal.hpp"

namespace kfix::internal {

std::string Sanitize(std::string_view s) {
  std::size_t bad = FindInvalidUtf8(s);
  if (bad == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  while (bad != std::string_view::npos) {
    out.append(s.substr(0, bad));
    out += "\xEF\xBF\xBD";
    s.remove_prefix(bad + 1);
    bad = FindInvalidUtf8(s);
  }
  out.append(s);
  return out;
}

void AppendEscaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

std::string Fmt(double d) {
  if (!std::isfinite(d)) return "0";
  char buf[64];
  if (std::fabs(d - std::round(d)) < 1e-9 && std::fabs(d) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", d);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f", d);
    std::string s(buf);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }
  return buf;
}

std::string Rfc3339(double seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

const char* const kReportCss = R"CSS(
:root{--fg:#1c2833;--muted:#5d6d7e;--line:#d5d8dc;--bg:#fbfcfc}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:18px 28px;background:#1b2631;color:#fff}
header h1{margin:0;font-size:22px}
header .sub{margin:4px 0 0;color:#aeb6bf}
main{padding:8px 28px 40px;max-width:1200px}
section{margin:22px 0}
h2{font-size:17px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:14px;color:var(--muted)}
.tiles{display:flex;flex-wrap:wrap;gap:10px}
.tile{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 12px;min-width:110px}
.tile .n{font-size:22px;font-weight:600}
.tile .l{color:var(--muted);font-size:12px}
.note,.caption{color:var(--muted)}
.chart{width:100%;max-width:720px;height:auto;display:block}
.chart text{font-size:11px;fill:var(--fg)}
.chart text.inv{fill:#fff}
.legend span{margin-right:14px;font-size:12px;white-space:nowrap}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
.c-policy{color:#1f618d}.c-fifo{color:#7f8c8d}
.err{color:#922b21}.warn{color:#9a7d0a}
.controls{margin:8px 0;display:flex;gap:8px;align-items:center}
#filter{width:340px;padding:5px 8px;border:1px solid var(--line);border-radius:4px}
#shown{color:var(--muted)}
#more{margin:10px 0;padding:6px 12px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{cursor:pointer;user-select:none;background:#f2f3f4;position:sticky;top:0}
th.asc:after{content:" \25b2"}th.desc:after{content:" \25bc"}
td.num,th.num{text-align:right}
tr.row{cursor:pointer}tr.row:hover{background:#f4f6f7}
.s-accepted{color:#1e8449}.s-rejected{color:#b03a2e}.s-needs-review{color:#9a7d0a}.s-unfixable{color:#7f8c8d}
.sev-error{color:#c0392b}.sev-warning{color:#b9770e}.sev-info{color:#2471a3}
pre.diff{margin:4px 0;padding:8px;background:#f8f9f9;border:1px solid var(--line);overflow:auto;font-size:12px}
pre.diff .add{color:#1e8449}pre.diff .del{color:#b03a2e}pre.diff .hunk{color:#6c3483}
table.small{width:auto}
)CSS";

// The findings table: rows come from the JSON block; filtering and sorting
// work on indices; rows are rendered 500 at a time (more when the "show more"
// button scrolls into view or is clicked), so a large table never blocks the
// page. The table's data-shown is the number of matching findings,
// data-rendered the rows in the DOM, data-state "done" once rendered.
const char* const kReportScript = R"JS(
(function(){
"use strict";
var D=JSON.parse(document.getElementById("kfix-data").textContent);
var rows=D.rows, diffs=D.diffs;
var table=document.getElementById("findings-table"), tbody=table.tBodies[0];
var filter=document.getElementById("filter"), statusSel=document.getElementById("status-filter");
var shown=document.getElementById("shown");
var hay=new Array(rows.length);
for(var i=0;i<rows.length;i++){var r=rows[i];hay[i]=(r[0]+" "+r[1]+" "+r[2]+" "+r[3]+":"+r[4]+" "+r[5]+" "+r[6]+" "+r[11]).toLowerCase();}
var order=[], sortCol=-1, sortDir=1, rendered=0, PAGE=500;
var moreBtn=document.getElementById("more");
moreBtn.addEventListener("click",more);
if("IntersectionObserver" in window){new IntersectionObserver(function(es){if(es[0].isIntersecting&&!moreBtn.hidden)more();},{rootMargin:"600px"}).observe(moreBtn);}
function cmp(a,b){var x=rows[a][sortCol],y=rows[b][sortCol];
  if(x===null)x=-1; if(y===null)y=-1;
  if(typeof x==="number"&&typeof y==="number")return (x-y)*sortDir||a-b;
  x=String(x);y=String(y);return (x<y?-1:x>y?1:0)*sortDir||a-b;}
function compute(){var q=filter.value.trim().toLowerCase(), st=statusSel.value, terms=q?q.split(/\s+/):[];
  order=[];
  for(var i=0;i<rows.length;i++){
    if(st&&rows[i][5]!==st)continue;
    var ok=true;for(var t=0;t<terms.length;t++){if(hay[i].indexOf(terms[t])<0){ok=false;break;}}
    if(ok)order.push(i);}
  if(sortCol>=0)order.sort(cmp);}
function td(text,cls){var c=document.createElement("td");c.textContent=text;if(cls)c.className=cls;return c;}
function rowEl(i){var r=rows[i],tr=document.createElement("tr");tr.className="row";tr.dataset.i=i;
  tr.appendChild(td(r[0],"sev-"+r[0]));tr.appendChild(td(r[1]));tr.appendChild(td(r[2]));
  tr.appendChild(td(r[3]+":"+r[4]));tr.appendChild(td(r[5],"s-"+r[5]));tr.appendChild(td(r[6]));
  tr.appendChild(td(r[7]===null?"":r[7].toFixed(2)+(r[8]?" KEV":""),"num"));tr.appendChild(td(String(r[9]),"num"));
  return tr;}
function detail(tr){var next=tr.nextSibling;
  if(next&&next.classList&&next.classList.contains("detail")){next.remove();return;}
  var r=rows[+tr.dataset.i],d=document.createElement("tr");d.className="detail";
  var c=document.createElement("td");c.colSpan=8;
  var p=document.createElement("div");p.textContent=r[11];c.appendChild(p);
  if(r[10]>=0){var pre=document.createElement("pre");pre.className="diff";
    diffs[r[10]].split("\n").forEach(function(l){var s=document.createElement("span");
      s.className=l.startsWith("@@")?"hunk":(l.startsWith("+")&&!l.startsWith("+++"))?"add":(l.startsWith("-")&&!l.startsWith("---"))?"del":"";
      s.textContent=l+"\n";pre.appendChild(s);});c.appendChild(pre);}
  d.appendChild(c);tr.parentNode.insertBefore(d,tr.nextSibling);}
function render(){tbody.textContent="";rendered=0;shown.textContent=order.length+" of "+rows.length+" findings";
  table.dataset.shown=order.length;more();}
function more(){var f=document.createDocumentFragment(),end=Math.min(order.length,rendered+PAGE);
  for(;rendered<end;rendered++)f.appendChild(rowEl(order[rendered]));tbody.appendChild(f);
  table.dataset.rendered=rendered;var left=order.length-rendered;
  moreBtn.hidden=left<=0;moreBtn.textContent="show "+Math.min(left,PAGE)+" more ("+left+" not shown)";
  table.dataset.state="done";}
var timer=0;function update(){table.dataset.state="pending";clearTimeout(timer);timer=setTimeout(function(){compute();render();},120);}
filter.addEventListener("input",update);statusSel.addEventListener("change",update);
table.tHead.addEventListener("click",function(e){var th=e.target.closest("th");if(!th)return;var c=+th.dataset.col;
  sortDir=(c===sortCol)?-sortDir:(c===7||c===9?-1:1);sortCol=c;
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(h){h.className=h.className.replace(/\b(asc|desc)\b/g,"").trim();});
  th.className=(th.className+" "+(sortDir>0?"asc":"desc")).trim();compute();render();});
tbody.addEventListener("click",function(e){var tr=e.target.closest("tr.row");if(tr)detail(tr);});
window.kfixReport={filter:function(q,st){filter.value=q||"";statusSel.value=st||"";compute();render();}};
compute();render();
})();
)JS";

}  // namespace kfix::internal
