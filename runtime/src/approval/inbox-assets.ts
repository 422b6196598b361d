// The inbox's stylesheet and script, served from our own origin (the CSP allows nothing else). The script
// only counts down the time left, disables the buttons of a request that has run out of time, and reloads
// the page for new requests while the approver is not typing. The page works without it.
export const INBOX_CSS = `
:root { --bg:#f5f6f8; --card:#fff; --ink:#1c2430; --muted:#5b6675; --line:#dde2e8; --accent:#1f5fbf;
  --ok:#1d7a46; --okbg:#e6f4ec; --bad:#b3261e; --badbg:#fbeaea; --warn:#8a5a00; --warnbg:#fff4db; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; }
.top { display:flex; justify-content:space-between; align-items:center; gap:1rem; padding:.75rem 1.5rem; background:#14202e; color:#e8edf3; }
.brand { font-weight:700; letter-spacing:.02em; } .brand .sub { font-weight:400; opacity:.75; } .mark { color:#6fa8ff; }
.who { display:flex; align-items:center; gap:.5rem; flex-wrap:wrap; } .who .chip { background:#24364c; color:#cfe0f5; }
main { max-width: 1100px; margin: 0 auto; padding: 1.25rem 1.5rem 3rem; }
h1 { font-size: 1.35rem; margin: .5rem 0 1rem; } h2 { font-size: 1.1rem; margin: 2rem 0 .75rem; }
h3 { font-size: 1.05rem; margin: 0; font-weight: 600; } h4 { font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 1rem 0 .35rem; }
.count { display:inline-block; min-width:1.6em; padding:0 .45em; border-radius:999px; background:var(--accent); color:#fff; font-size:.85rem; text-align:center; vertical-align:middle; }
.count.zero { background:#9aa5b1; }
.chip { display:inline-block; padding:.05rem .5rem; border-radius:999px; background:#e9eef5; color:#26405f; font-size:.8rem; }
.hint { font-weight:400; text-transform:none; letter-spacing:0; color:var(--muted); font-size:.8rem; }
.flash { padding:.6rem .9rem; border-radius:6px; margin:0 0 1rem; } .flash.ok { background:var(--okbg); color:var(--ok); } .flash.error { background:var(--badbg); color:var(--bad); }
.empty { color: var(--muted); }
.request { background:var(--card); border:1px solid var(--line); border-left:5px solid var(--accent); border-radius:8px; padding:1rem 1.25rem; margin:0 0 1.25rem; box-shadow:0 1px 2px rgba(0,0,0,.04); }
.request.tier-high { border-left-color: var(--bad); } .request.tier-medium { border-left-color: #c98a00; }
.request > header { display:flex; align-items:center; gap:.75rem; flex-wrap:wrap; }
.request > header h3 { flex: 1 1 auto; } .tool { background:#eef2f7; padding:.1rem .35rem; border-radius:4px; font-size:.95rem; }
.tier-badge { font-size:.8rem; font-weight:600; padding:.1rem .55rem; border-radius:4px; background:#eef2f7; }
.tier-high .tier-badge { background:var(--badbg); color:var(--bad); }
.left { font-weight:600; font-variant-numeric: tabular-nums; color: var(--warn); background: var(--warnbg); padding:.1rem .55rem; border-radius:4px; }
.request.expired { opacity:.6; } .request.expired .left { color:var(--bad); background:var(--badbg); }
.meta { color:var(--muted); font-size:.82rem; margin:.35rem 0 0; } .rid { font-family: ui-monospace, monospace; }
.columns { display:grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.5rem; }
@media (max-width: 760px) { .columns { grid-template-columns: 1fr; } }
.table-wrap { overflow-x: auto; border-radius: 8px; }
.args { background:#0f1722; color:#d8e3f0; padding:.75rem; border-radius:6px; overflow:auto; max-height: 18rem; margin:0; white-space: pre-wrap; word-break: break-word; }
.reasoning { margin:0; padding:.6rem .8rem; border-left:3px solid #c98a00; background:#fffaf0; white-space: pre-wrap; word-break: break-word; }
.none { color: var(--muted); font-style: italic; margin: 0; }
.policy dl { display:grid; grid-template-columns: max-content 1fr; gap:.35rem .9rem; margin:0; }
.policy dt { color:var(--muted); font-size:.85rem; } .policy dd { margin:0; }
.warn { color: var(--warn); }
.decide { margin-top: 1rem; border-top: 1px solid var(--line); padding-top: .85rem; }
.decide label { display:block; font-size:.85rem; color:var(--muted); margin-bottom:.25rem; }
textarea, input[type=password] { width:100%; padding:.5rem .6rem; border:1px solid #c4ccd6; border-radius:6px; font: inherit; background:#fff; }
textarea:focus, input:focus { outline: 2px solid #9cc0ff; border-color: var(--accent); }
.buttons { display:flex; gap:.6rem; margin-top:.6rem; align-items:center; flex-wrap:wrap; } .buttons .hint { margin-left:.4rem; }
button { font: inherit; font-weight:600; border:0; border-radius:6px; padding:.5rem 1.1rem; cursor:pointer; }
button.approve { background: var(--ok); color:#fff; } button.reject { background: #fff; color: var(--bad); border:1px solid var(--bad); }
button:disabled { opacity:.45; cursor: not-allowed; }
button.link { background:none; color:#cfe0f5; padding:0 .25rem; font-weight:400; text-decoration: underline; }
form.inline { display:inline; }
table { width:100%; border-collapse: collapse; background: var(--card); border:1px solid var(--line); border-radius:8px; overflow:hidden; font-size:.9rem; }
th, td { text-align:left; padding:.45rem .7rem; border-bottom:1px solid var(--line); vertical-align: top; }
td:last-child { min-width: 12rem; } td:first-child { white-space: nowrap; }
th { background:#eef2f7; font-size:.78rem; text-transform:uppercase; letter-spacing:.04em; color: var(--muted); }
.status { font-weight:600; } .st-approved .status { color: var(--ok); } .st-rejected .status, .st-expired .status, .st-withdrawn .status, .st-no_approver .status { color: var(--bad); }
.login { max-width: 420px; margin: 4rem auto; background: var(--card); border:1px solid var(--line); border-radius: 10px; padding: 1.75rem; }
.login .brand { color: #14202e; margin-bottom: 1rem; } .login form { display:grid; gap:.6rem; } .login label { font-weight:600; }
/* narrow screens last, so they win over the rules above */
@media (max-width: 560px) {
  main { padding: 1rem 1rem 2rem; } .top { padding: .6rem 1rem; } .request { padding: .85rem 1rem; }
  .policy dl { grid-template-columns: 1fr; gap: .1rem; } .policy dd { margin-bottom: .45rem; }
}
`;

export const INBOX_JS = `"use strict";
(function () {
  var main = document.querySelector("main[data-server-now]");
  if (!main) return;
  var skew = Number(main.getAttribute("data-server-now")) - Date.now();
  function fmt(ms) {
    if (ms <= 0) return "no time";
    var s = Math.ceil(ms / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return h > 0 ? h + "h " + m + "m" : m > 0 ? m + "m " + (sec < 10 ? "0" : "") + sec + "s" : sec + "s";
  }
  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll("article.request[data-expires]").forEach(function (card) {
      var left = Number(card.getAttribute("data-expires")) - now;
      var label = card.querySelector("[data-left]");
      if (label) label.textContent = left > 0 ? fmt(left) + " left" : "expired";
      if (left <= 0) {
        card.classList.add("expired");
        card.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      }
    });
  }
  tick();
  setInterval(tick, 1000);
  // New requests: reload every 15 s, unless the approver is writing a comment.
  setInterval(function () {
    var typing = Array.prototype.some.call(document.querySelectorAll("textarea"), function (t) { return t.value !== "" || t === document.activeElement; });
    if (!typing) location.reload();
  }, 15000);
})();
`;

export const INBOX_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M8 1 15 8 8 15 1 8z" fill="#1f5fbf"/></svg>`;
