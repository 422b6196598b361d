// Monitor rules, `talks_to` lists and test steps are declared once, as shapes in the grammar
// (schema.ts); the decoder, completion ("what may come next"), hover and semantic tokens all read
// those shapes. Each test here shows one of them following the declaration.

import { checkText, SCHEMA } from "@charter/language";
import * as ide from "@charter/language/ide";
import { describe, expect, test } from "vitest";

const POLICY = `policy p {
  version 1
  owner "team"
}
source user { trust low threshold 0.5 }
defaults {
  monitor {
    tool_rate   > 2.0x baseline within 5m   => alert high
    data_volume > 3.0x baseline per session => alert medium
    output pii                              => redact
  }
  audit { retention 365d pii hash }
}
agent front {
  kind conversational
  reads user
  tool lookup { scope read tier low rate 10 per 1h }
  talks_to billing via quote, invoice, intake via form
}
agent billing {
  kind conversational
  exposes quote, invoice, refund
  tool quoteRead { scope read tier low rate 10 per 1h }
}
agent intake {
  kind conversational
  exposes form, upload
  tool formRead { scope read tier low rate 10 per 1h }
}
test "t" {
  given front ingested user "hello"
  expect front call lookup { id: "1" } => allow
}
`;

const labels = (src: string) => {
  const offset = src.indexOf("|");
  const text = src.replace("|", "");
  const r = checkText(text);
  return ide.complete({ text, tokens: r.syntax.tokens, comments: r.syntax.comments, file: r.file }, offset).items.map((i) => i.label);
};
const errors = (text: string) => checkText(text).diagnostics.filter((d) => d.severity === "error");
const inMonitor = (rule: string) =>
  POLICY.replace("    output pii                              => redact\n", `    output pii => redact\n    ${rule}\n`);
const talks = (stmt: string) => POLICY.replace("  talks_to billing via quote, invoice, intake via form", `  ${stmt}`);

describe("the grammar declares the shapes", () => {
  test("monitor rules, talks_to and test steps have shapes, not hand-written readers", () => {
    for (const key of Object.keys(SCHEMA.monitor)) expect(SCHEMA.monitor[key]!.shape.t).not.toBe("block");
    expect(SCHEMA.agent.talks_to!.shape.t).toBe("names");
    expect(Object.keys(SCHEMA.test).sort()).toEqual(["expect", "given"]);
  });
});

describe("the decoder reads them by the grammar", () => {
  test("talks_to: one link per interface, several agents in one statement", () => {
    const r = checkText(POLICY);
    expect(errors(POLICY)).toEqual([]);
    expect(r.bundle.agents.front!.talksTo).toEqual([
      { agent: "billing", via: "invoice" },
      { agent: "billing", via: "quote" },
      { agent: "intake", via: "form" },
    ]);
  });
  test("talks_to: an interface the agent named last does not expose is CH1006, whichever link it is in", () => {
    const text = talks("talks_to billing via quote, intake via form, upload, refund");
    expect(errors(text).map((d) => `${d.code} ${text.slice(d.span.start, d.span.end)}`)).toEqual(["CH1006 refund"]);
  });
  test("talks_to: the links read before a missing piece are kept", () => {
    const text = talks("talks_to billing via quote, refnd, intake via");
    expect(errors(text).map((d) => d.code)).toEqual(["CH1006", "CH0001"]);
  });
  test("monitor rules: only alert takes a severity", () => {
    const r = checkText(inMonitor('external_domain outside ["example.com"] => alert critical'));
    expect(r.bundle.agents.front!.monitor).toContainEqual({
      kind: "external_domain",
      domains: ["example.com"],
      action: { kind: "alert", severity: "critical" },
    });
    const blocked = inMonitor("novel_sequence >= 0.9 => block high");
    expect(errors(blocked).map((d) => d.message)).toEqual(["unexpected 'high' after 'novel_sequence >= 0.9 => block'"]);
  });
  test("monitor rules: a word outside a closed set is CH0002 with the nearest valid word, and the rule is dropped", () => {
    const text = inMonitor("output exfiltraton => block");
    const ds = errors(text);
    expect(ds.map((d) => [d.code, d.message, d.fix?.title])).toEqual([
      ["CH0002", "unknown output rule 'exfiltraton': expected pii or exfiltration", "Replace with 'exfiltration'"],
    ]);
    expect(checkText(text).bundle.agents.front!.monitor.map((m) => m.kind)).not.toContain("output_exfiltration");
  });
});

describe("completion offers what the grammar allows next", () => {
  test("monitor rules, piece by piece", () => {
    expect(labels(inMonitor("tool_rate |"))).toEqual([">"]);
    expect(labels(inMonitor("tool_rate > 2.0x |"))).toEqual(["baseline"]);
    expect(labels(inMonitor("tool_rate > 2.0x baseline |"))).toEqual(["within"]);
    expect(labels(inMonitor("data_volume > 2.0x baseline |"))).toEqual(["per"]);
    expect(labels(inMonitor("data_volume > 2.0x baseline per |"))).toEqual(["session"]);
    expect(labels(inMonitor("novel_sequence |"))).toEqual([">="]);
    expect(labels(inMonitor("output |"))).toEqual(["pii", "exfiltration"]);
    expect(labels(inMonitor("output pii |"))).toEqual(["=>"]);
    expect(labels(inMonitor("external_domain |"))).toEqual(["outside"]);
    expect(labels(inMonitor("tool_rate > 2.0x baseline within 5m => |"))).toEqual(["alert", "block", "redact"]);
    expect(labels(inMonitor("tool_rate > 2.0x baseline within 5m => alert |"))).toEqual(["low", "medium", "high", "critical"]);
    // after `block` the rule is complete: the next rule's keywords
    expect(labels(inMonitor("tool_rate > 2.0x baseline within 5m => block |"))).toContain("novel_sequence");
  });
  test("talks_to: agents, then `via`, then the interfaces of the agent named last", () => {
    expect(labels(talks("talks_to |"))).toEqual(["billing", "intake"]);
    expect(labels(talks("talks_to billing |"))).toEqual(["via"]);
    expect(labels(talks("talks_to billing via |"))).toEqual(["quote", "invoice", "refund"]);
    // after a comma: another interface of billing, or a link to another agent
    expect(labels(talks("talks_to billing via quote, |"))).toEqual(["intake", "invoice", "refund"]);
    expect(labels(talks("talks_to billing via quote, intake via |"))).toEqual(["form", "upload"]);
    expect(labels(talks("talks_to billing via quote, intake via form, |"))).toEqual(["upload"]);
    // a word after the comma may be an interface (then `,`) or an agent (then `via`)
    expect(labels(talks("talks_to billing via quote, intake |"))).toEqual(["via"]);
  });
  test("test steps", () => {
    const step = (s: string) => POLICY.replace('  expect front call lookup { id: "1" } => allow', `  ${s}`);
    expect(labels(step("expect |"))).toEqual(["front", "billing", "intake"]);
    expect(labels(step("expect front |"))).toEqual(["call"]);
    expect(labels(step("expect front call |"))).toEqual(["lookup"]);
    expect(labels(step("expect front call lookup |"))).toEqual(["=>"]);
    expect(labels(step("expect front call lookup => |"))).toEqual(["allow", "deny", "approval"]);
    expect(labels(step("given front |"))).toEqual(["ingested", "called"]);
    expect(labels(step("given front ingested |"))).toEqual(["user"]);
    expect(labels(step("given front called |"))).toEqual(["lookup"]);
  });
});

describe("hover and semantic tokens read the same shapes", () => {
  const r = checkText(POLICY);
  const symbols = ide.indexSymbols(r.file);
  const hover = (needle: string, delta = 0) =>
    ide.hoverAt({ text: POLICY, file: r.file, syntax: r.syntax, bundle: r.bundle, symbols }, POLICY.indexOf(needle) + delta)?.markdown;
  const tokens = ide.classifyTokens(r.syntax, symbols);
  const typeAt = (needle: string, delta = 0) => tokens.find((t) => t.start === POLICY.indexOf(needle) + delta)?.type;

  test("hover", () => {
    expect(hover("=> alert high", 4)).toBe("`alert` — an action (`alert` · `block` · `redact`)");
    expect(hover("=> alert high", 10)).toBe("`high` — a severity (`low` · `medium` · `high` · `critical`)");
    expect(hover("output pii", 8)).toBe("`output pii` — `output pii` or `output exfiltration`: what to do with such outputs.");
    expect(hover("talks_to")).toContain("**talks_to** — Lets this agent call interfaces another agent exposes");
    expect(hover("=> allow", 4)).toBe("`allow` — an outcome (`allow` · `deny` · `approval`)");
  });
  test("semantic tokens", () => {
    expect(typeAt("=> alert high", 3)).toBe("enumMember");
    expect(typeAt("=> alert high", 9)).toBe("enumMember");
    expect(typeAt("output pii", 7)).toBe("enumMember");
    expect(typeAt("baseline within")).toBe("keyword");
    expect(typeAt("via quote")).toBe("keyword");
    expect(typeAt("intake via form")).toBe("class");
    expect(typeAt("form\n}")).toBe("interface");
    expect(typeAt("ingested user")).toBe("keyword");
    expect(typeAt("=> allow", 3)).toBe("enumMember");
  });
});
