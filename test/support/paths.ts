import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const EXAMPLES = join(ROOT, "examples");
export const INVALID = join(EXAMPLES, "invalid");
/** Reviews in the examples are dated 2026-11-02 with a 90-day cadence: tests pin today. */
export const TODAY = "2026-11-25";
