// The external_domain monitor answers plain addresses with one precompiled expression (compileHostScan);
// it must report exactly what the full scan (firstOutsideHost) reports, for every text.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileHostScan, firstOutsideHost } from "../src/monitor/external-hosts.js";

const LISTS = [["company.com"], ["Company.COM.", "localhost", "10.0.0.1"], ["a.io", "b.example.org"]];
const TRICKY = [
  "bob@company.com",
  "BOB@Sub.Company.Com",
  "bob@company.com.evil.com",
  "bob@evilcompany.com",
  "//evil.com@company.com",
  "a//evil.com@company.com",
  "www.evil.com@company.com",
  "x@www.company.com",
  "a\\\\evil.com@company.com",
  "a@b@company.com",
  "eve@evil.example",
  "x@localhost",
  "x@10.0.0.1",
  "x@[10.0.0.1]",
  "x@company.com.",
  "x@-company.com",
  "x@" + "a".repeat(64) + ".company.com",
  "x@" + "a.".repeat(130) + "company.com",
  "x@ſub.company.com",
  "x@\u212Aompany.com",
  "PO status",
  "see https://company.com/x and mail bob@company.com",
  "user\n@company.com",
];

describe("compileHostScan", () => {
  it("agrees with firstOutsideHost on tricky texts", () => {
    for (const list of LISTS) {
      const scan = compileHostScan(list);
      for (const t of TRICKY) expect(scan(t), `${t} against ${list}`).toBe(firstOutsideHost(t, list));
    }
  });

  it("agrees with firstOutsideHost on random address-like texts", () => {
    const part = fc.stringMatching(/^[a-zA-Z0-9.@/\\\-_ w:]{0,12}$/);
    const text = fc
      .tuple(part, fc.constantFrom("", "@", "@company.com", "@sub.company.com", ".company.com", "www.", "//"), part)
      .map((p) => p.join(""));
    for (const list of LISTS) {
      const scan = compileHostScan(list);
      fc.assert(
        fc.property(text, (t) => scan(t) === firstOutsideHost(t, list)),
        { numRuns: 3000 },
      );
    }
  });
});
