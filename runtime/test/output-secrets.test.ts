import { describe, expect, it } from "vitest";
import { findSensitive, isHighEntropyToken } from "../src/output/index.js";

const secrets = (t: string) => findSensitive(t, { secrets: true }).map((s) => t.slice(s.start, s.end));

describe("secret detection", () => {
  it("finds keys by provider prefix", () => {
    const keys = [
      "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t",
      "sk-ant-api03-Zx1Cv2Bn3Mq4Wr5Ty6Ui7Op8",
      "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
      "ghp_" + "A1b2C3d4E5".repeat(4).slice(0, 36),
      "AKIAIOSFODNN7EXAMPLE",
      "xoxb-1234567890-abcdefghij",
      "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
      "glpat-Ab1Cd2Ef3Gh4Ij5Kl6Mn",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ];
    for (const k of keys) expect(secrets(`token: ${k} end`)).toEqual([k]);
  });

  it("finds private key blocks, even cut off", () => {
    const block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
    expect(secrets(`key:\n${block}\nthanks`)).toEqual([block]);
    expect(secrets("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE")).toHaveLength(1);
    expect(secrets("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----")).toEqual([]);
  });

  it("finds assigned passwords and connection-string credentials, not placeholders", () => {
    expect(secrets('password = "s3cr3t-Passw0rd"')).toEqual(["s3cr3t-Passw0rd"]);
    expect(secrets("API_KEY=Zq8vX2mN4pL6tR1w")).toEqual(["Zq8vX2mN4pL6tR1w"]);
    expect(secrets("postgres://app:hunter2pass@db.internal:5432/po")).toEqual(["hunter2pass"]);
    expect(secrets("password: ******** and api_key=<your-key> and secret=${SECRET}")).toEqual([]);
  });

  it("flags random tokens but not digests, UUIDs, identifiers or paths", () => {
    expect(isHighEntropyToken("q7Z2xK9mP4vB8nL1wR6tY3cF5hJ0dS2g")).toBe(true);
    for (const s of [
      "3f786850e387550fdab836ed7e6dc881de23001b",
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      "ThisIsAVeryLongCamelCaseIdentifierName123",
      "src/components/PurchaseOrderTable/index2.tsx",
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA11",
    ]) {
      expect(isHighEntropyToken(s)).toBe(false);
    }
    expect(
      secrets("id 123e4567-e89b-12d3-a456-426614174000 sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    ).toEqual([]);
  });

  it("ignores lookalikes that are too short", () => {
    expect(secrets("pip install sk-learn; AKIA123; ghp_short; xoxb-1")).toEqual([]);
  });
});
