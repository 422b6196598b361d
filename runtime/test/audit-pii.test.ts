import { describe, expect, it } from "vitest";
import { redactArgs } from "../src/audit/index.js";

const key = { key: "test-key" };

describe("redactArgs", () => {
  const args = { to: "bob@company.com", subject: "PO 1200", nested: [{ card: "4111 1111 1111 1111" }], n: 4111111111111111 };

  it("raw returns the arguments untouched", () => {
    expect(redactArgs(args, "raw")).toBe(args);
  });

  it("redact replaces each detected value with its kind and leaves the rest", () => {
    expect(redactArgs(args, "redact")).toEqual({
      to: "[REDACTED:email]",
      subject: "PO 1200",
      nested: [{ card: "[REDACTED:payment_card]" }],
      n: "[REDACTED:payment_card]",
    });
    expect(args.to).toBe("bob@company.com"); // never mutated
  });

  it("hash gives keyed, stable, kind-tagged pseudonyms", () => {
    const a = redactArgs({ to: "bob@company.com" }, "hash", key) as { to: string };
    const b = redactArgs({ to: "mail bob@company.com now" }, "hash", key) as { to: string };
    const c = redactArgs({ to: "bob@company.com" }, "hash", { key: "other" }) as { to: string };
    expect(a.to).toMatch(/^\[email:hmac-sha256:[0-9a-f]{32}\]$/);
    expect(b.to).toBe(`mail ${a.to} now`);
    expect(c.to).not.toBe(a.to);
    expect(a.to).not.toContain("bob");
  });

  it("returns clean subtrees by reference", () => {
    const clean = { fields: ["name", "rating"], dept: "own-dept" };
    expect(redactArgs(clean, "hash")).toBe(clean);
  });

  it("redacts credentials as well", () => {
    expect(redactArgs({ header: "Bearer ghp_" + "a1B2".repeat(9) }, "redact")).toEqual({ header: "Bearer [REDACTED:secret]" });
  });
});
