// Hand-written benign short and medium texts of the kind an agent ingests as untrusted content:
// customer e-mails, support tickets, FAQ entries, chat messages, forum posts, web search snippets,
// meeting notes with action items addressed to people, and product reviews (benign-short.jsonl).
// Many are plain questions or imperatives ("Can you check my order status?", "Send me the invoice"),
// which a detector that equates "question or task" with "injection" flags.
//
// Each text is assigned once, by a seeded hash of its id, to the "train" part (classifier negatives;
// its false positives may be inspected while tuning) or the "final" part (evaluation only; only its
// aggregate is ever measured).

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fnv1a } from "../corpus/seeded.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const BENIGN_SHORT_SEED = "charter-benign-short-v1";
export const BENIGN_SHORT_KINDS = ["customer", "support", "faq", "chat", "forum", "search", "meeting", "review"];

export const benignShortPartOf = (id) => (fnv1a(BENIGN_SHORT_SEED + ":part:" + id) % 2 === 0 ? "train" : "final");

/** All texts `{ id, kind, text, part }`, in file order. */
export function readBenignShort() {
  return readFileSync(join(here, "benign-short.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => {
      const r = JSON.parse(l);
      return { ...r, part: benignShortPartOf(r.id) };
    });
}

/** { train, final }: the two disjoint parts. */
export function buildBenignShort() {
  const all = readBenignShort();
  return { train: all.filter((r) => r.part === "train"), final: all.filter((r) => r.part === "final") };
}
