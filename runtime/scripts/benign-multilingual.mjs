// Hand-written benign texts in 17 languages other than English, of the kind an agent ingests as
// untrusted content: customer e-mails, support tickets, FAQ entries, chat, forum posts and meeting
// notes, several with imperatives and the words attacks use ("forgot my password", "send me the
// invoice", "forget the old manual"). Written for Charter (stop 23). Evaluation only: the trainer
// never reads this file (adding such texts as negatives cost held-out recall on multilingual
// injections, see docs/detector.md), so its false-positive rate is that of unseen text.

import { readJsonl } from "../corpus/jsonl.mjs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** All texts `{ id, lang, kind, text }`, in file order. */
export function readBenignMultilingual() {
  return readJsonl(join(here, "benign-multilingual.jsonl"));
}
