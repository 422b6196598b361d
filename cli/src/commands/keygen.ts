// `charter keygen --out KEY`: an ed25519 key pair for signing reviews and bundles. The private
// key goes to KEY (mode 0600), the public key, on one line, to KEY.pub.

import { generateKeys } from "@charter/language";
import type { Command } from "commander";
import { existsSync, writeFileSync } from "node:fs";
import { fileError, UsageError } from "../io.js";

export function registerKeygen(program: Command): void {
  program
    .command("keygen")
    .description("create an ed25519 key pair: KEY (private, PEM) and KEY.pub (public, one line)")
    .requiredOption("--out <key>", "where to write the private key; the public key goes to KEY.pub")
    .option("--force", "overwrite existing files")
    .action((opts: { out: string; force?: boolean }) => {
      if (!opts.force && (existsSync(opts.out) || existsSync(opts.out + ".pub")))
        throw new UsageError(`${opts.out} already exists (use --force to overwrite)`);
      const { privatePem, publicKey } = generateKeys();
      try {
        writeFileSync(opts.out, privatePem, { mode: 0o600 });
        writeFileSync(opts.out + ".pub", publicKey + "\n");
      } catch (e) {
        throw fileError("write", opts.out, e);
      }
      process.stderr.write(`wrote ${opts.out} and ${opts.out}.pub\n`);
      process.stdout.write(publicKey + "\n");
    });
}
