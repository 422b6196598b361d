// The review cadence is part of what a reviewer signs: stretching it afterwards to revive an
// expired review breaks the signature (CH8004) instead of silently passing.
import { checkText, generateKeys, loadPrivateKey, reviewPayload, signBytes } from "@charter/language";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXAMPLES } from "../../test/support/paths.js";

const { privatePem, publicKey } = generateKeys();
const reviewers = [{ name: "security/alice", publicKey }];
const base = readFileSync(join(EXAMPLES, "procurement.charter"), "utf8");
const digest = checkText(base).bundle.digest;
const sign = (cadenceMs: number) =>
  signBytes(
    reviewPayload({ policy: "procurement", digest, by: "security/alice", on: "2026-11-02", cadenceMs }),
    loadPrivateKey(privatePem)!,
  );
const withReview = (cadence: string, signature: string) => base.replace(/cadence 90d/, `cadence ${cadence}\n    signature "${signature}"`);
const codes = (text: string, today: string) => checkText(text, { reviewers, today, requireReview: true }).diagnostics.map((d) => d.code);

describe("review cadence", () => {
  it("a signed review verifies while it is within its cadence, and expires after", () => {
    const text = withReview("90d", sign(90 * 86_400_000));
    expect(codes(text, "2026-11-25")).toEqual([]);
    expect(codes(text, "2027-06-01")).toEqual(["CH8003"]);
  });

  it("stretching the cadence after signing breaks the signature", () => {
    const stretched = withReview("36500d", sign(90 * 86_400_000));
    expect(codes(stretched, "2027-06-01")).toEqual(["CH8004"]);
  });
});
