// The main job on the bundled examples: check every example policy (reviews required), build each
// into dist/examples/NAME.bundle.json, and run their test blocks through the runtime, all through
// the real `charter` binary.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const charter = join(root, "cli/bin/charter.js");
const examples = readdirSync(join(root, "examples"))
  .filter((f) => f.endsWith(".charter"))
  .sort()
  .map((f) => join("examples", f));
const out = join(root, "dist/examples");
mkdirSync(out, { recursive: true });

function run(args) {
  const r = spawnSync(process.execPath, [charter, ...args], { cwd: root, stdio: "inherit", env: { ...process.env } });
  return r.status ?? 1;
}

let failed = run(["check", "--require-review", ...examples]) !== 0;
for (const file of examples) {
  const name = file.replace(/^examples\//, "").replace(/\.charter$/, "");
  if (run(["build", file, "-o", join("dist/examples", `${name}.bundle.json`)]) !== 0) failed = true;
}
if (run(["test", ...examples]) !== 0) failed = true;
process.exit(failed ? 1 : 0);
