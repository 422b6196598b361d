import { generateKeys, loadPrivateKey, signBundle, canonicalJsonPretty } from "@charter/language";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadBundle } from "../src/index.js";
import { compileExample } from "../../test/support/runtime-fixtures.js";

const bundle = compileExample("procurement.charter");

describe("loadBundle", () => {
  it("accepts a compiled bundle from an object, its canonical text and a file", () => {
    expect(loadBundle(structuredClone(bundle))).toEqual({ ok: true, bundle });
    expect(loadBundle(canonicalJsonPretty(bundle)).ok).toBe(true);
    // Text in any other layout is not what charter build wrote (see runtime-hostile.test.ts).
    const compact = loadBundle(JSON.stringify(bundle));
    expect(!compact.ok && compact.error.kind).toBe("not_canonical");
    const dir = mkdtempSync(join(tmpdir(), "charter-bundle-"));
    writeFileSync(join(dir, "b.json"), canonicalJsonPretty(bundle));
    expect(loadBundle(join(dir, "b.json")).ok).toBe(true);
  });

  it("names the file it cannot read and the JSON it cannot parse", () => {
    const r = loadBundle("/nonexistent/bundle.json");
    expect(r.ok === false && r.error.kind).toBe("io");
    expect(!r.ok && r.error.message).toContain("/nonexistent/bundle.json");
    const j = loadBundle("{ not json");
    expect(j.ok === false && j.error.kind).toBe("json");
  });

  it("refuses an unknown format version with the version it found", () => {
    const r = loadBundle({ ...bundle, format: "charter-bundle/9" });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe("format");
      expect(r.error.message).toContain('"charter-bundle/9"');
    }
    const none = loadBundle({ agents: {} });
    expect(!none.ok && none.error.message).toContain('no "format" field');
  });

  it("reports the zod issue path of a schema violation", () => {
    const bad = structuredClone(bundle) as any;
    bad.agents["procurement-assistant-v2"].tools.createDraftPO.tier = "extreme";
    const r = loadBundle(bad);
    expect(r.ok).toBe(false);
    if (!r.ok && r.error.kind === "schema") {
      expect(r.error.issuePath).toEqual(["agents", "procurement-assistant-v2", "tools", "createDraftPO", "tier"]);
      expect(r.error.message).toContain("agents.procurement-assistant-v2.tools.createDraftPO.tier");
    } else expect.fail("expected a schema error");
  });

  it("refuses a bundle edited after it was built (digest mismatch)", () => {
    const edited = structuredClone(bundle) as any;
    edited.agents["procurement-assistant-v2"].tools.readPurchaseOrders.rate.count = 100000;
    const r = loadBundle(edited);
    expect(r.ok).toBe(false);
    if (!r.ok && r.error.kind === "digest") {
      expect(r.error.declared).toBe(bundle.digest);
      expect(r.error.actual).not.toBe(bundle.digest);
    } else expect.fail("expected a digest error");
  });

  it("verifies the ed25519 signature when a public key is configured", () => {
    const keys = generateKeys();
    const other = generateKeys();
    const signed = signBundle(bundle, loadPrivateKey(keys.privatePem)!);
    expect(loadBundle(signed, { publicKey: keys.publicKey }).ok).toBe(true);
    const wrongKey = loadBundle(signed, { publicKey: other.publicKey });
    expect(!wrongKey.ok && wrongKey.error.kind).toBe("signature_invalid");
    const unsigned = loadBundle(bundle, { publicKey: keys.publicKey });
    expect(!unsigned.ok && unsigned.error.kind).toBe("signature_missing");
    const badKey = loadBundle(signed, { publicKey: "ed25519:nope" });
    expect(!badKey.ok && badKey.error.kind).toBe("bad_public_key");
    // Changing the review (outside the digest) still breaks the signature, which covers everything.
    const tampered = { ...signed, policy: { ...signed.policy, review: { ...signed.policy.review!, by: "security/mallory" } } };
    expect(loadBundle(tampered).ok).toBe(true);
    const t = loadBundle(tampered, { publicKey: keys.publicKey });
    expect(!t.ok && t.error.kind).toBe("signature_invalid");
  });
});
