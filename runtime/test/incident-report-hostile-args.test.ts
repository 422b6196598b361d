// The incident report on text an agent controls, from a real guard's log: hosts given as IP addresses
// are external destinations like any domain, and tool names or arguments cannot inject Markdown or HTML
// into the report a responder opens.
import { checkText } from "@charter/language";
import { describe, expect, it } from "vitest";
import { AuditLog, MemoryAuditSink, buildIncidentReport, createGuard, renderIncidentMarkdown } from "../src/index.js";

const POLICY = `policy hostile {
  version 1
  owner "sec"
}
agent a {
  kind conversational
  tool upload { scope write tier low rate 1000 per 1m }
}
`;
const HOSTILE_TOOL = "<img src=x onerror=alert(1)>|`x`&amp;";

async function reportOf(calls: { tool: string; args: Record<string, unknown> }[]) {
  const bundle = checkText(POLICY).bundle!;
  const sink = new MemoryAuditSink();
  const audit = new AuditLog(sink);
  const guard = createGuard(bundle, { audit });
  for (const c of calls) await guard.authorize({ agent: "a", session: "s1", ...c });
  return buildIncidentReport({
    agent: "a",
    since: 0,
    source: "memory",
    chains: [{ name: "memory", ok: true, verification: "memory: chain intact", records: sink.records }],
  });
}

describe("external domains contacted", () => {
  it("lists the IPv4 and IPv6 hosts of URLs, as it lists host names", async () => {
    const r = await reportOf([
      {
        tool: "upload",
        args: { a: "http://203.0.113.7/upload", b: "https://198.51.100.9:8443/x", c: "http://[2001:db8::1]/x" },
      },
      { tool: "upload", args: { url: "see https://files.example.org:444/a?b).", host: "api.example.net" } },
    ]);
    expect(r.domains.map((d) => d.domain).sort()).toEqual(
      ["198.51.100.9", "203.0.113.7", "[2001:db8::1]", "api.example.net", "files.example.org"].sort(),
    );
    expect(renderIncidentMarkdown(r)).toMatch(/\| 203\.0\.113\.7 \| 1 \| upload \|/);
  });

  it("reads hosts as a browser would (WHATWG URL): another case or spelling of an IPv4 address is the same host", async () => {
    const r = await reportOf([
      { tool: "upload", args: { a: "HTTP://0xCB.0.113.7/x", b: "http://203.0.113.7/y", c: "https://Files.EXAMPLE.org/z" } },
    ]);
    expect(r.domains.map((d) => d.domain).sort()).toEqual(["203.0.113.7", "files.example.org"]);
  });
});

describe("the Markdown report escapes agent-controlled text", () => {
  it("a hostile tool name shows as text in every table, never as HTML, a code span or a new column", async () => {
    const r = await reportOf([{ tool: HOSTILE_TOOL, args: { note: "a | b <script>" } }]);
    const md = renderIncidentMarkdown(r);
    expect(md).not.toContain("<img");
    expect(md).not.toContain("<script");
    expect(md).not.toContain("`x`");
    expect(md).toContain("&lt;img src=x onerror=alert(1)&gt;\\|&#96;x&#96;&amp;amp;");
    // every row of the refused table keeps its five columns
    const section = md.slice(md.indexOf("## Refused calls"), md.indexOf("## Approvals"));
    for (const row of section.split("\n").filter((l) => l.startsWith("|"))) {
      expect(row.split(/(?<!\\)\|/).length - 2).toBe(5);
    }
  });
});
