// `charter token`: a new random bearer token for an agent, approver or admin of `charter serve`, and the
// SHA-256 that goes into the config. The token itself is shown once and stored nowhere.

import { newToken } from "@charter/runtime/serve";
import type { Command } from "commander";

export function registerToken(program: Command): void {
  program
    .command("token")
    .description("print a new random bearer token and its SHA-256 (the config holds only the hash)")
    .option("--json", 'print {"token","token_sha256"}')
    .action((opts: { json?: boolean }) => {
      const { token, sha256 } = newToken();
      if (opts.json) process.stdout.write(JSON.stringify({ token, token_sha256: sha256 }) + "\n");
      else process.stdout.write(`token: ${token}\ntoken_sha256: "${sha256}"\n`);
      if (!opts.json) process.stderr.write("give the token to its holder (e.g. CHARTER_TOKEN); put only token_sha256 into the config\n");
    });
}
