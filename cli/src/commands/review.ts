// `charter review sign FILE --by NAME --key KEY` records a signed review of the policy's current
// meaning in its `review` block; `charter review verify FILE --reviewers FILE` checks that review
// against the allowed reviewers, reporting CH8001–CH8004 as errors (exit 1 if any).

import {
  applyEdits,
  checkText,
  loadPrivateKey,
  publicKeyOf,
  REVIEW_CODES,
  reviewEdits,
  reviewPayload,
  DEFAULT_REVIEW_CADENCE_MS,
  signBytes,
  type Diagnostic,
} from "@charter/language";
import type { Command } from "commander";
import { existsSync, writeFileSync } from "node:fs";
import { displayPath, fileError, readText, UsageError } from "../io.js";
import { colorsFor, renderDiagnostic, summaryLine } from "../render.js";
import { loadReviewers, today } from "./check.js";

const DEFAULT_REVIEWERS = ".charter/reviewers";

function utcToday(): string {
  return today() ?? new Date().toISOString().slice(0, 10);
}

export function registerReview(program: Command): void {
  const review = program.command("review").description("sign and verify security reviews of policies");

  review
    .command("sign")
    .description("record your signed review of the policy's current meaning in its review block")
    .argument("<file>", "the policy file (rewritten in place)")
    .requiredOption("--by <name>", "the reviewer, as named in the allowed-reviewers file")
    .requiredOption("--key <key>", "the reviewer's ed25519 private key (PEM, from charter keygen)")
    .action((file: string, opts: { by: string; key: string }) => {
      if (!/^\S+$/.test(opts.by)) throw new UsageError(`--by must be one word without spaces (as in the reviewers file), got '${opts.by}'`);
      const key = loadPrivateKey(readText(opts.key));
      if (!key) throw new UsageError(`${opts.key} is not an ed25519 private key in PEM form (create one with charter keygen --out KEY)`);
      const text = readText(file);
      const on = utcToday();
      const result = checkText(text, { today: on });
      if (result.errors) {
        printDiagnostics(
          file,
          result.diagnostics.filter((d) => d.severity === "error"),
          result.lines,
        );
        process.stderr.write(
          `${summaryLine(result.errors, 0, 1, colorsFor(process.stderr))}: not signed (a review vouches for a valid policy)\n`,
        );
        process.exitCode = 1;
        return;
      }
      const name = result.bundle.policy.name;
      const digest = result.bundle.digest;
      // the cadence that will stand in the file: the block's own, else the default it gets
      const cadenceMs = result.bundle.policy.review?.cadenceMs ?? DEFAULT_REVIEW_CADENCE_MS;
      const signature = signBytes(reviewPayload({ policy: name, digest, by: opts.by, on, cadenceMs }), key);
      const edits = reviewEdits(text, result.file, { by: opts.by, on, digest, signature });
      if (!edits) throw new UsageError(`${file} has no policy header to hold a review`);
      const signed = applyEdits(text, edits);
      // the written file must verify with this key, or we would be writing a broken attestation
      const after = checkText(signed, { requireReview: true, reviewers: [{ name: opts.by, publicKey: publicKeyOf(key) }], today: on });
      const left = after.diagnostics.filter((d) => d.severity === "error");
      if (left.length || after.bundle.digest !== digest)
        throw new Error(`the signed review does not verify (${left.map((d) => d.code).join(", ") || "digest moved"})`);
      try {
        writeFileSync(file, signed);
      } catch (e) {
        throw fileError("write", file, e);
      }
      process.stderr.write(`signed ${displayPath(file)}: policy '${name}' reviewed by ${opts.by} on ${on} (${digest})\n`);
      process.exitCode = 0;
    });

  review
    .command("verify")
    .description("check a policy's review: current digest, within cadence, signed by an allowed reviewer")
    .argument("<file>", "the policy file")
    .option("--reviewers <file>", "allowed reviewers: one `NAME ed25519:KEY` a line", DEFAULT_REVIEWERS)
    .action((file: string, opts: { reviewers: string }) => {
      if (!existsSync(opts.reviewers))
        throw new UsageError(`no reviewers file at ${opts.reviewers} (one \`NAME ed25519:KEY\` a line; pass --reviewers FILE)`);
      const reviewers = loadReviewers(opts.reviewers)!;
      const text = readText(file);
      const result = checkText(text, { requireReview: true, reviewers, today: utcToday() });
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      if (errors.length) {
        printDiagnostics(file, errors, result.lines);
        const review = errors.filter((d) => REVIEW_CODES.includes(d.code)).length;
        process.stderr.write(
          `${summaryLine(errors.length, 0, 1, colorsFor(process.stderr))}: review ${review ? "not valid" : "valid, but the policy has errors"}\n`,
        );
        process.exitCode = 1;
        return;
      }
      const r = result.bundle.policy.review!;
      process.stdout.write(
        `ok: policy '${result.bundle.policy.name}' reviewed by ${r.by} on ${r.on}, signature verifies, digest ${result.bundle.digest} is current\n`,
      );
      process.exitCode = 0;
    });
}

function printDiagnostics(file: string, diagnostics: Diagnostic[], lines: Parameters<typeof renderDiagnostic>[2]): void {
  const c = colorsFor(process.stderr);
  for (const d of diagnostics) process.stderr.write(renderDiagnostic(d, displayPath(file), lines, c) + "\n");
}
