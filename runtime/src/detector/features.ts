// Segmentation and hashed features for the classifier, shared verbatim by inference and by the
// training script (runtime/scripts/train-detector.mjs), so the shipped weights always match. A text is
// scored per segment (line, sentence or fenced code block with its intro) because an injection is
// usually a short passage inside otherwise ordinary data.

export const FEATURE_BITS = 18;
const MASK = (1 << FEATURE_BITS) - 1;
const MAX_SEGMENT = 2000;
const LONG_LINE = 280;

export interface SparseVector {
  index: number[];
  value: number[];
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & MASK;
}

/**
 * Splits text into the passages scored one by one: each fenced code block together with the line
 * that introduces it, every non-empty line, and the sentences of long lines.
 */
export function segmentText(text: string): string[] {
  const segments: string[] = [];
  const lines = text.split(/\r?\n/);
  let lastProse = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(?:```|~~~)/.test(line)) {
      let j = i + 1;
      while (j < lines.length && !/^\s*(?:```|~~~)/.test(lines[j]!)) j++;
      const block = lines.slice(i + 1, j).join("\n");
      segments.push((lastProse ? lastProse + "\n" : "") + block);
      lastProse = "";
      i = j;
      continue;
    }
    const trimmed = line.trim();
    if (!trimmed) continue;
    lastProse = trimmed;
    if (trimmed.length > LONG_LINE) {
      for (const part of trimmed.split(/(?<=[.!?])\s+|\s*\|\s*(?=[A-Z_ ]{3,}:)/)) if (part.trim()) segments.push(part.trim());
    } else segments.push(trimmed);
  }
  return segments.map((s) => (s.length > MAX_SEGMENT ? s.slice(0, MAX_SEGMENT) : s));
}

const IMPERATIVE_START = new Set(
  (
    "add include insert integrate incorporate append embed merge blend fuse weave meld infuse interweave inject " +
    "write compose draft create generate produce make develop provide give offer supply list name " +
    "explain describe define summarize summarise outline analyze analyse evaluate assess compare conduct research " +
    "translate convert rewrite rephrase paraphrase reformat format replace substitute remove delete change modify " +
    "update edit use utilize utilise employ apply adopt leverage ensure consider remember keep render " +
    "answer respond reply say tell print output show display reveal return repeat recite mention state " +
    "encode decode encrypt decrypt reverse scramble jumble rearrange misspell group combine spell " +
    "send forward email share post upload download install run execute call open visit click go navigate " +
    "ignore disregard forget stop start begin continue do don't never always please kindly suggest recommend " +
    "promote invite encourage urge highlight emphasize emphasise stress enhance augment enrich introduce " +
    "calculate compute solve find search identify determine classify categorize rate rank predict estimate " +
    "plan schedule book order buy transfer pay cancel create draw design imagine pretend act"
  ).split(" "),
);
const WH_START = /^(?:what|what's|who|whom|whose|when|where|why|which|how|can|could|would|will|is|are|do|does|did|should)\b/;
const OUTPUT_ADDRESS = /\byour (?:response|reply|answer|output|message|summary|code|solution|implementation|codebase|algorithm|script|program|translation|explanation|text|writing|result|elucidation|analysis)s?\b/;
const ASSISTANT = /\b(?:assistant|chatbot|language model|ai model|llm|gpt|the model|the ai)\b/;
const FOLLOWING_CODE = /\b(?:following|subsequent|below|this|the) (?:code|snippet|block|excerpt|script|section|function|program)\b/;
const URL = /\b(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|xyz|io|info|biz|ru|cn|top|site)\b/;
const CODE_NETWORK = /\b(?:requests\.(?:post|get|put)|urllib|urlopen|urlretrieve|http\.client|httpx|aiohttp|socket\.socket|\.connect\(|\.send(?:all|to)?\(|smtplib|ftplib|paramiko|scp|wget|curl|fetch\(|xmlhttprequest|axios)\b/g;
const CODE_DANGER = /\b(?:os\.system|subprocess|popen|exec\(|eval\(|os\.remove|rm -rf|shutil\.(?:move|rmtree)|chmod|os\.environ|cookies?|psutil|keylog\w*|pynput|keyboard\.on_press|screenshot|imagegrab|pyautogui|passwd|\.ssh|getpass|clipboard|fernet|encrypt|shutdown|reboot|nohup|miner)\b/g;

function countMatches(re: RegExp, s: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(s)) n++;
  return n;
}

export function tokenize(lower: string): string[] {
  return lower.match(/[a-z0-9]+(?:'[a-z]+)?/g) ?? [];
}

/** Named features of one segment before hashing; exported for documentation and tests. */
export function namedFeatures(segment: string): Map<string, number> {
  const lower = segment.toLowerCase();
  const tokens = tokenize(lower);
  const f = new Map<string, number>();
  const add = (k: string, v = 1) => f.set(k, (f.get(k) ?? 0) + v);
  f.set("bias", 1);
  const n = tokens.length;
  const scale = 1 / Math.sqrt(Math.max(n, 1));
  for (let i = 0; i < n; i++) {
    add("w:" + tokens[i], scale);
    if (tokens[i]!.length > 5) add("p:" + tokens[i]!.slice(0, 5), scale);
    if (i + 1 < n) add("b:" + tokens[i] + " " + tokens[i + 1], scale);
  }
  const first = tokens[0] ?? "";
  const startsImperative = IMPERATIVE_START.has(first) || (first === "please" && IMPERATIVE_START.has(tokens[1] ?? ""));
  if (startsImperative) add("d:imperative-start");
  if (first) add("f:" + first);
  if (n > 1) add("f2:" + first + " " + tokens[1]);
  const question = /\?\s*$/.test(segment.trim()) && WH_START.test(lower.trim());
  if (question) add("d:question");
  const addressesOutput = OUTPUT_ADDRESS.test(lower);
  if (addressesOutput) add("d:addresses-output");
  if (addressesOutput && startsImperative) add("d:imperative-output");
  if (/\bin your (?:response|reply|answer|code|solution)\b/.test(lower)) add("d:in-your-output");
  if (ASSISTANT.test(lower)) add("d:assistant");
  if (FOLLOWING_CODE.test(lower)) add("d:following-code");
  if (URL.test(lower)) add("d:url");
  if (/[\w.+-]+@[\w-]+\.[a-z]{2,}/.test(lower)) add("d:email-address");
  const net = countMatches(CODE_NETWORK, lower);
  const danger = countMatches(CODE_DANGER, lower);
  if (net) add("d:code-network", Math.min(net, 3) / 3);
  if (danger) add("d:code-danger", Math.min(danger, 3) / 3);
  if (net && danger) add("d:code-exfil");
  if (/^\s*\|/.test(segment)) add("d:table-row");
  if (/^[A-Z_ ]{3,}:/.test(segment)) add("d:header-field");
  const youCount = tokens.filter((t) => t === "you" || t === "your").length;
  if (youCount) add("d:second-person", Math.min(youCount, 3) / 3);
  add("len:" + (n < 4 ? "xs" : n < 10 ? "s" : n < 25 ? "m" : n < 60 ? "l" : "xl"));
  return f;
}

export function hashFeatures(named: Map<string, number>): SparseVector {
  const acc = new Map<number, number>();
  for (const [k, v] of named) {
    const h = fnv1a(k);
    acc.set(h, (acc.get(h) ?? 0) + v);
  }
  return { index: [...acc.keys()], value: [...acc.values()] };
}

export function segmentFeatures(segment: string): SparseVector {
  return hashFeatures(namedFeatures(segment));
}
