// `charter build FILE -o BUNDLE.json [--sign KEY]` and `charter digest FILE`: a policy with errors
// is never compiled; the bundle is canonical JSON, byte-identical for the same policy.

import { canonicalJsonPretty, checkBytes, loadPrivateKey, signBundle, type Bundle } from "@charter/language";
import type { Command } from "commander";
import { writeFileSync } from "node:fs";
import { displayPath, fileError, readBytes, readText, UsageError } from "../io.js";
import { colorsFor, renderDiagnostic, summaryLine } from "../render.js";
import { today } from "./check.js";

/** Checks one file; on errors prints them to stderr and returns undefined. */
export function compileFile(path: string): Bundle | undefined {
  const result = checkBytes(readBytes(path), today() ? { today: today()! } : {});
  if (result.errors === 0) return result.bundle;
  const c = colorsFor(process.stderr);
  for (const d of result.diagnostics)
    if (d.severity === "error") process.stderr.write(renderDiagnostic(d, displayPath(path), result.lines, c) + "\n");
  process.stderr.write(`${summaryLine(result.errors, 0, 1, c)}: not compiled\n`);
  return undefined;
}

export function registerBuild(program: Command): void {
  program
    .command("build")
    .description("compile a policy to its runtime enforcement bundle (nothing is written when it has errors)")
    .argument("<file>", "the policy file")
    .option("-o, --out <bundle>", "where to write the bundle (default: standard output)")
    .option("--sign <key>", "sign the bundle with this ed25519 private key (PEM, from charter keygen)")
    .action((file: string, opts: { out?: string; sign?: string }) => {
      let bundle = compileFile(file);
      if (!bundle) {
        process.exitCode = 1;
        return;
      }
      if (opts.sign) {
        const key = loadPrivateKey(readText(opts.sign));
        if (!key) throw new UsageError(`${opts.sign} is not an ed25519 private key in PEM form (create one with charter keygen --out KEY)`);
        bundle = signBundle(bundle, key);
      }
      const bytes = canonicalJsonPretty(bundle);
      if (!opts.out) {
        process.stdout.write(bytes);
        return;
      }
      try {
        writeFileSync(opts.out, bytes);
      } catch (e) {
        throw fileError("write", opts.out, e);
      }
      process.stderr.write(`wrote ${opts.out} (${bundle.digest})\n`);
    });

  program
    .command("digest")
    .description("print the semantic digest of a policy (sha256 of its bundle without the review)")
    .argument("<file>", "the policy file")
    .action((file: string) => {
      const bundle = compileFile(file);
      if (!bundle) {
        process.exitCode = 1;
        return;
      }
      process.stdout.write(bundle.digest + "\n");
    });
}
