// Reading the corpora's JSON Lines files: one copy for every builder and script.
import { readFileSync } from "node:fs";

/** The records of a JSON Lines file (a path or file URL), blank lines skipped, in file order. */
export const readJsonl = (path) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
