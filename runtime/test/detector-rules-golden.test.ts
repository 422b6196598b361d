// The rule layer's differential golden: runRules must give, for every corpus text (and obfuscated
// variants of a sample), exactly the signals, revealed texts and folded text recorded before the speed
// work on rules.ts, normalise.ts and encoded.ts. A cheap gate that dropped a match, or a one-pass
// normaliser that read a text differently, shows up here. After an intended change of what a rule
// matches: `node runtime/test/fixtures/rules-golden.mjs` lists the differences, `--write` records them.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runRules } from "../src/detector/index.js";
import { goldenRecord, readGolden } from "./fixtures/rules-golden-record.mjs";
import { goldenTexts } from "./fixtures/rules-golden-texts.mjs";

describe("rule layer golden", () => {
  it("reproduces the recorded result of every corpus text", () => {
    const golden = readGolden(readFileSync(new URL("./fixtures/rules-golden.jsonl.gz", import.meta.url)));
    const differ: string[] = [];
    let found = 0;
    for (const text of goldenTexts()) {
      const now = goldenRecord(text, runRules(text));
      const want = golden.get(now[0]);
      if (!want) continue; // a corpus text added since the golden was written
      found++;
      if (JSON.stringify(now) !== JSON.stringify(want))
        differ.push(`${JSON.stringify(text.slice(0, 120))}: golden ${JSON.stringify(want.slice(1))}, now ${JSON.stringify(now.slice(1))}`);
    }
    expect(differ.slice(0, 20)).toEqual([]);
    // The corpora under /work/shared are fixed; the README passages (a quarter of the texts) come from
    // node_modules and change with a dependency's version. Most texts must still be there.
    expect(found).toBeGreaterThan(golden.size * 0.7);
  });
});
