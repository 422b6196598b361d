// vitest global setup: build the CLI bundle once, so tests that spawn the real binary run what
// a user runs (cli/bin/charter.js → cli/dist/charter.mjs).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./paths.js";

export default function setup(): void {
  execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { cwd: ROOT, stdio: "inherit" });
}
