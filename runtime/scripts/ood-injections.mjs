// Out-of-distribution injection set: hand-written attack payloads (ood-injections.jsonl, written for
// Charter, not derived from BIPIA's test data) embedded into benign carriers — passages of held-out
// package READMEs (ood-benign.mjs) and hand-written e-mails, web pages, abstracts, tables, code and
// chat logs (ood-carriers.jsonl) — at the start, in the middle or at the end.
//
// Each payload is assigned once, by a seeded hash of its id, to the "tune" part (looked at while
// improving the detector) or the "final" part (only ever measured, never inspected while tuning).

import { readJsonl } from "../corpus/jsonl.mjs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fnv1a } from "../corpus/seeded.mjs";
import { buildOodBenign } from "./ood-benign.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const OOD_INJECTION_SEED = "charter-ood-injections-v1";
export const STYLES = [
  "ignore-previous",
  "roleplay",
  "hidden-comment",
  "task-hijack",
  "exfiltration",
  "encoded",
  "fake-system",
  "tool-misuse",
];
const POSITIONS = ["start", "middle", "end"];

const readHere = (file) => readJsonl(join(here, file));

export function readPayloads() {
  return readHere("ood-injections.jsonl");
}

export function readCarriers() {
  return readHere("ood-carriers.jsonl");
}

export const partOf = (id) => (fnv1a(OOD_INJECTION_SEED + ":part:" + id) % 2 === 0 ? "tune" : "final");

/** Inserts `payload` into `carrier` at a paragraph (or line) boundary. */
export function embed(carrier, payload, position) {
  if (position === "start") return payload + "\n\n" + carrier;
  if (position === "end") return carrier + "\n\n" + payload;
  const breaks = [...carrier.matchAll(/\n\s*\n/g)].map((m) => m.index);
  const lines = [...carrier.matchAll(/\n/g)].map((m) => m.index);
  const candidates = breaks.length ? breaks : lines;
  if (!candidates.length) return carrier + "\n\n" + payload;
  const mid = carrier.length / 2;
  const at = candidates.reduce((best, i) => (Math.abs(i - mid) < Math.abs(best - mid) ? i : best));
  return carrier.slice(0, at) + "\n\n" + payload + "\n\n" + carrier.slice(at).replace(/^\s+/, "");
}

/**
 * The injected documents: `{ id, style, context, carrier, position, part, text }`. Carriers of context
 * "readme" come from the held-out README passages only, which the measurement model never reads (the
 * shipped fit does: eval-detector.mjs's section 8 leaves those payloads out).
 */
export function buildOodInjections(heldOut = buildOodBenign().heldOut) {
  const carriers = readCarriers();
  const readmes = heldOut.filter((p) => p.text.length <= 1500);
  return readPayloads().map((p) => {
    const h = fnv1a(OOD_INJECTION_SEED + ":" + p.id);
    const position = POSITIONS[h % 3];
    let carrierId;
    let carrierText;
    if (p.carrier === "readme" && readmes.length) {
      const c = readmes[(h >>> 2) % readmes.length];
      [carrierId, carrierText] = [c.id, c.text];
    } else {
      const pool = carriers.filter((c) => c.context === p.carrier);
      const c = pool[(h >>> 2) % pool.length];
      [carrierId, carrierText] = [c.id, c.text];
    }
    return {
      id: p.id,
      style: p.style,
      context: p.carrier,
      carrier: carrierId,
      position,
      part: partOf(p.id),
      text: embed(carrierText, p.payload, position),
    };
  });
}
