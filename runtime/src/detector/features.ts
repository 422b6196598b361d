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

const WRAPPED_END = /[A-Za-z,;]$/;
const WRAPPED_NEXT = /^\s{0,3}[a-z][a-z]*\b(?![:(=.])/;

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
    let trimmed = line.trim();
    if (!trimmed) continue;
    // A hard-wrapped sentence (line without closing punctuation, next line starting in lower case)
    // is one passage: scored line by line, its halves read like short imperatives.
    while (i + 1 < lines.length && WRAPPED_END.test(trimmed) && WRAPPED_NEXT.test(lines[i + 1]!) && trimmed.length < MAX_SEGMENT) {
      trimmed += " " + lines[++i]!.trim();
    }
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

const AI_ADDRESSEE = /\b(?:ai|llm|language model|assistant|agent|chatbot|bot|copilot|chatgpt|claude|gemini)s?\b[^.\n]{0,40}\b(?:must|should|ignore|reveal|tell|say|send|approve|run|execute|include|when you|if you|reading this)\b/;
const EMAIL_ADDRESS = /[\w.+-]+@[\w-]+\.[a-z]{2,}/;
const THIRD_PARTY_USER = /\bthe (?:user|reader|recipient|customer)(?:'s)?\b/;
/** Phrases addressed to whoever is answering or summarising: the reading model. */
const ANSWERER = /\b(?:before|instead of|while|after) (?:answering|responding|replying|summari[sz]ing|you (?:answer|respond|reply|summari[sz]e))\b|\bin your (?:next|following) (?:message|reply|response|answer)\b/;
const SEQUENCE_WORD = new Set(["now", "then", "next", "also", "first", "finally", "afterwards", "and"]);
const CONDITIONAL_READER = /\bif you(?:'re| are| have| can)\b[^.\n]{0,40}\b(?:ai|assistant|agent|model|llm|bot|shell|terminal|tools?|access|browsing|plugins?|permissions?)\b/;
const SECRET_WORDS = /\b(?:passwords?|api keys?|credentials|secrets?|tokens?|system prompt|conversation history|ssh|\.env|credit card|one-time passcode)\b/;

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
  // "Now invite …", "Then send …", "Also, please forward …": a sequencing word before the verb.
  const lead = SEQUENCE_WORD.has(first) ? 1 : 0;
  const verb = tokens[lead] ?? "";
  const startsImperative =
    IMPERATIVE_START.has(verb) || (verb === "please" && IMPERATIVE_START.has(tokens[lead + 1] ?? "")) || (first === "please" && IMPERATIVE_START.has(tokens[1] ?? ""));
  if (first) add("f:" + first);
  if (n > 1) add("f2:" + first + " " + tokens[1]);
  const question = /\?\s*$/.test(segment.trim()) && WH_START.test(lower.trim());
  const addressesOutput = OUTPUT_ADDRESS.test(lower);
  const external = URL.test(lower) || EMAIL_ADDRESS.test(lower);
  const thirdPartyUser = THIRD_PARTY_USER.test(lower);
  const secret = SECRET_WORDS.test(lower);
  // Whether the segment names what injections are about: the reading AI, its output, a target
  // outside (URL, e-mail address), the user's property, or secrets. A question or request that
  // names none of these is what people write to people (customer e-mails, tickets, chat, FAQ), so
  // imperative and question cues are split on it: an injection is marked by its addressee and
  // goal, not by asking something.
  const aimed = addressesOutput || external || thirdPartyUser || secret || ASSISTANT.test(lower) || AI_ADDRESSEE.test(lower) || ANSWERER.test(lower);
  if (startsImperative) add(aimed ? "d:imperative-aimed" : "d:bare-imperative");
  if (question) add(aimed ? "d:question-aimed" : "d:bare-question");
  if (addressesOutput) add("d:addresses-output");
  if (addressesOutput && startsImperative) add("d:imperative-output");
  if (/\bin your (?:response|reply|answer|code|solution)\b/.test(lower)) add("d:in-your-output");
  if (ASSISTANT.test(lower)) add("d:assistant");
  if (FOLLOWING_CODE.test(lower)) add("d:following-code");
  if (URL.test(lower)) add("d:url");
  if (EMAIL_ADDRESS.test(lower)) add("d:email-address");
  const net = countMatches(CODE_NETWORK, lower);
  const danger = countMatches(CODE_DANGER, lower);
  if (net) add("d:code-network", Math.min(net, 3) / 3);
  if (danger) add("d:code-danger", Math.min(danger, 3) / 3);
  if (net && danger) add("d:code-exfil");
  if (/^\s*\|/.test(segment)) add("d:table-row");
  // Document structure that ordinary prose and READMEs have and injected instructions rarely do.
  if (/^\s*#{1,6}\s/.test(segment)) add("d:heading");
  if (/^\s*(?:[-*+]|\d+\.)\s/.test(segment)) add("d:list-item");
  if (/\]\(|\]\[|`[^`]+`/.test(segment)) add("d:markdown-inline");
  if (/[:,]$/.test(segment.trim())) add("d:continues");
  if (AI_ADDRESSEE.test(lower)) add("d:ai-addressee");
  if (secret) add("d:secret-words");
  if (thirdPartyUser) add("d:third-party-user");
  if (/\b(?:regardless of|no matter what|without (?:asking|telling|confirmation|review)|do not mention|tell no one)\b/.test(lower)) add("d:covert");
  if (/^[A-Z_ ]{3,}:/.test(segment)) add("d:header-field");
  // Conjunctions a linear model cannot form by itself: an order that sends something outside, acts
  // on the user's property or touches secrets, and a sentence that tests whether its reader is an AI.
  if (startsImperative && external) add("d:imperative-external");
  if (startsImperative && thirdPartyUser) add("d:imperative-user");
  if (startsImperative && secret) add("d:imperative-secret");
  if (CONDITIONAL_READER.test(lower)) add("d:conditional-reader");
  if (ANSWERER.test(lower)) add("d:answerer-addressed");
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
