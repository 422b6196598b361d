import { describe, expect, it } from "vitest";
import { filterOutput } from "../src/output/index.js";

const allowDomains = ["company.com"];

describe("filterOutput", () => {
  const text = "Mail bob@company.com, card 4111 1111 1111 1111. ![x](https://evil.com/p.png)";

  it("redacts every finding in place", () => {
    const r = filterOutput(text, { pii: { kind: "redact" }, exfiltration: { kind: "redact" }, allowDomains });
    expect(r.blocked).toBe(false);
    expect(r.text).toBe("Mail [REDACTED:email], card [REDACTED:payment_card]. [REDACTED:exfiltration]");
    expect(r.findings.map((f) => f.kind)).toEqual(["email", "payment_card", "exfiltration"]);
    expect(r.findings[2]!.detail).toBe("image to evil.com (not allowed)");
  });

  it("blocks the whole output, returning no text", () => {
    const r = filterOutput(text, { pii: { kind: "redact" }, exfiltration: { kind: "block" }, allowDomains });
    expect(r).toMatchObject({ blocked: true, text: "" });
    expect(r.findings).toHaveLength(3);
  });

  it("alerts without changing the text", () => {
    const r = filterOutput(text, { pii: { kind: "alert", severity: "medium" }, allowDomains });
    expect(r.text).toBe(text);
    expect(r.findings.map((f) => f.action)).toEqual([
      { kind: "alert", severity: "medium" },
      { kind: "alert", severity: "medium" },
    ]);
  });

  it("applies only the rules it is given", () => {
    expect(filterOutput(text, { allowDomains })).toEqual({ text, blocked: false, findings: [] });
  });

  it("lets secrets follow their own rule, defaulting to the pii one", () => {
    const t = "key AKIAIOSFODNN7EXAMPLE";
    expect(filterOutput(t, { pii: { kind: "redact" }, allowDomains }).text).toBe("key [REDACTED:secret]");
    expect(filterOutput(t, { pii: { kind: "redact" }, secrets: { kind: "block" }, allowDomains }).blocked).toBe(true);
  });

  it("merges overlapping redactions", () => {
    const t = "go https://evil.com/?to=bob@company.com now";
    const r = filterOutput(t, { pii: { kind: "redact" }, exfiltration: { kind: "redact" }, allowDomains });
    expect(r.text).toBe("go [REDACTED:exfiltration] now");
  });

  it("leaves clean text alone", () => {
    const clean = "PO 1200 for dept own-dept was approved on 2026-11-02; see https://company.com/po/1200.";
    expect(filterOutput(clean, { pii: { kind: "redact" }, exfiltration: { kind: "block" }, allowDomains })).toEqual({
      text: clean,
      blocked: false,
      findings: [],
    });
  });
});

describe("filterOutput on hostile input", () => {
  const rules = { pii: { kind: "redact" as const }, exfiltration: { kind: "redact" as const }, allowDomains: ["company.com"] };
  const cases: Record<string, string> = {
    brackets: "[".repeat(50_000) + "](x)",
    digits: "+1" + "2".repeat(50_000) + "x",
    phones: "+1234567890123456789x ".repeat(5_000),
    dots: "a.".repeat(50_000) + "://",
    at: "a@".repeat(50_000) + "b.com",
    token: "A1b2".repeat(25_000) + "===",
    schemes: "x://y ".repeat(20_000),
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`stays linear on ${name}`, () => {
      const t0 = performance.now();
      filterOutput(text, rules);
      // A quadratic scan of 50,000 characters takes minutes; the bound only has to tell linear from that, on a busy machine too.
      expect(performance.now() - t0).toBeLessThan(5000);
    });
  }
});
