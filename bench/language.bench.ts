// Checker throughput: parse + check + build of a generated workspace of 100 agents × 50 tools, and
// of one 2,000-line file (the language server re-checks a file on every keystroke). Side by side:
// Cedar (@cedar-policy/cedar-wasm) parsing an equivalent policy set, one permit per grant.
import { canonicalJsonPretty, checkText } from "@charter/language";
import { checkParsePolicySet } from "@cedar-policy/cedar-wasm/nodejs";

const AGENTS = 100;
const TOOLS = 50;

function toolText(a: number, t: number): string {
  const scope = ["read", "write", "send"][t % 3];
  const tier = t % 3 === 0 ? "low" : t % 7 === 0 ? "high" : "medium";
  const approval = tier === "high" ? `\n    approval { approvers ["leads-${a}"] timeout 15m }\n    reversal "playbooks/t${t}.md"` : "";
  return `  tool tool${t} {\n    scope ${scope}\n    tier ${tier}\n    rate ${10 + t} per 1h${approval}\n    args {\n      to: email in domains ["company.com", "corp${a}.example"]\n      amount: number between 1 and ${100 * (t + 1)}\n    }\n  }\n`;
}

function agentFile(a: number, tools: number): string {
  let s = `policy agents-${a} {\n  version 1\n  owner "team-${a}"\n}\n\nsource user { trust low threshold 0.5 }\nsource internal { trust high threshold 0.9 }\n\n`;
  s += `defaults {\n  monitor {\n    tool_rate > 2.0x baseline within 5m => alert high\n    data_volume > 3.0x baseline per session => alert medium\n    output pii => redact\n  }\n  audit {\n    retention 365d\n    pii hash\n  }\n}\n\n`;
  s += `agent agent-${a} {\n  kind conversational\n  reads user, internal\n`;
  for (let t = 0; t < tools; t++) s += toolText(a, t);
  s += `  deny paymentExecution\n}\n`;
  return s;
}

function cedarFor(agents: number, tools: number): string {
  let s = "";
  for (let a = 0; a < agents; a++)
    for (let t = 0; t < tools; t++)
      s += `permit(principal == Agent::"agent-${a}", action == Action::"tool${t}", resource) when { ["company.com", "corp${a}.example"].contains(context.domain) && context.amount >= 1 && context.amount <= ${100 * (t + 1)} };\n`;
  return s;
}

function time(fn: () => void, runs: number): { median: number; p95: number } {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    xs.push(performance.now() - t0);
  }
  xs.sort((x, y) => x - y);
  return { median: xs[Math.floor(xs.length / 2)]!, p95: xs[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]! };
}

const workspace = Array.from({ length: AGENTS }, (_, a) => agentFile(a, TOOLS));
const lines = workspace.reduce((n, f) => n + f.split("\n").length, 0);
const big = agentFile(0, 280);
const bigLines = big.split("\n").length;
const cedarWorkspace = cedarFor(AGENTS, TOOLS);
const cedarBig = cedarFor(1, 280);

// sanity: the generated workspace is valid, so the figures measure the success path
for (const f of workspace.slice(0, 3)) {
  const r = checkText(f);
  if (r.errors) throw new Error(`generated policy has errors: ${r.diagnostics.find((d) => d.severity === "error")!.message}`);
}
const cedarOk = checkParsePolicySet({ staticPolicies: cedarWorkspace });
if (cedarOk.type !== "success") throw new Error("generated Cedar policy set does not parse");

const buildAll = () => {
  for (const f of workspace) canonicalJsonPretty(checkText(f).bundle);
};
const ws = time(buildAll, 7);
const one = time(() => canonicalJsonPretty(checkText(big).bundle), 41);
const cedarWs = time(() => checkParsePolicySet({ staticPolicies: cedarWorkspace }), 7);
const cedarOne = time(() => checkParsePolicySet({ staticPolicies: cedarBig }), 41);

// one 10 MB policy (a thousand agents of fifty tools in one file): checking must stay linear
let tenMB = agentFile(0, 50);
for (let a = 1; tenMB.length < 10_000_000; a++) tenMB += agentFile(a, 50).replace(/^[\s\S]*?\nagent /, "\nagent ");
const huge = time(() => checkText(tenMB).diagnostics, 3);

const f = (ms: number) => `${ms.toFixed(1).padStart(8)} ms`;
console.log(`\nlanguage: parse + check + build (Node ${process.version})`);
console.log(`  workload                                         Charter (median / p95)      Cedar parse (median / p95)`);
console.log(
  `  workspace: ${AGENTS} agents × ${TOOLS} tools, ${lines} lines   ${f(ws.median)} / ${f(ws.p95)}    ${f(cedarWs.median)} / ${f(cedarWs.p95)}   (goal < 1000 ms)`,
);
console.log(
  `  one file: ${bigLines} lines                        ${f(one.median)} / ${f(one.p95)}    ${f(cedarOne.median)} / ${f(cedarOne.p95)}   (goal < 20 ms)`,
);
console.log(
  `  one file: ${(tenMB.length / 1e6).toFixed(1)} MB (check only)            ${f(huge.median)} / ${f(huge.p95)}                                    (goal < 10000 ms)`,
);
console.log(`  throughput: ${Math.round(lines / (ws.median / 1000)).toLocaleString("en")} lines/s`);
