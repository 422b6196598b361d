// The incident report on text an agent controls, from a real guard's log: hosts given as IP addresses
// are external destinations like any domain.
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
