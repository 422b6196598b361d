// The writer's bytes are fixed (DEPLOYMENT.md §4: what is written does not change when the writer gets
// faster): a fixed session written again gives, byte for byte, the log and checkpoint sidecar that the
// writer before the hot-path rewrite produced, and both verify with the checkpoint key. A deliberate
// format change regenerates the fixture with CHARTER_UPDATE_GOLDEN=1 (and must say so in its commit).
import { checkText, loadPrivateKey } from "@charter/language";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as runtime from "../src/index.js";
import { CheckpointSigner, parseCheckpoints, verifyAuditLog } from "../src/index.js";
import { GOLDEN_POLICY, writeGoldenSession } from "./fixtures/audit-golden/golden-session.js";

const dir = join(import.meta.dirname, "fixtures/audit-golden");
const tmp = mkdtempSync(join(tmpdir(), "charter-golden-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("audit log bytes", () => {
  it("a fixed session is written exactly as the previous writer wrote it, and verifies", async () => {
    const checked = checkText(GOLDEN_POLICY);
    expect(checked.errors).toBeFalsy();
    const signer = new CheckpointSigner(loadPrivateKey(readFileSync(join(dir, "checkpoint-test-key.pem"), "utf8"))!);
    const path = join(tmp, "golden.jsonl");
    await writeGoldenSession(runtime, checked.bundle!, signer, path);
    const written = readFileSync(path, "utf8");
    const sidecar = readFileSync(path + ".checkpoints", "utf8");
    if (process.env.CHARTER_UPDATE_GOLDEN === "1") {
      writeFileSync(join(dir, "audit-golden.jsonl"), written);
      writeFileSync(join(dir, "audit-golden.jsonl.checkpoints"), sidecar);
    }
    const golden = readFileSync(join(dir, "audit-golden.jsonl"), "utf8");
    expect(written.split("\n")).toEqual(golden.split("\n")); // line by line first: a readable diff
    expect(Buffer.from(written)).toEqual(Buffer.from(golden));
    expect(sidecar).toBe(readFileSync(join(dir, "audit-golden.jsonl.checkpoints"), "utf8"));
    for (const text of [written, golden]) {
      const v = verifyAuditLog(text, { checkpointPub: signer.publicKey, sidecar: parseCheckpoints(sidecar).checkpoints });
      expect(v).toMatchObject({ ok: true, records: 75 });
    }
  });
});
