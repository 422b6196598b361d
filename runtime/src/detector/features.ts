// Segmentation and hashed features for the classifier, shared verbatim by inference and by the
// training script (runtime/scripts/train-detector.mjs), so the shipped weights always match. A text is
// scored per segment (line, sentence or fenced code block with its intro) because an injection is
// usually a short passage inside otherwise ordinary data.

import { languageSwitches, namesReadingModel, passageLanguage, type PassageLanguage } from "./language.js";

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
 * Whether `next` continues the hard-wrapped sentence that `line` (trimmed) ends: no closing
 * punctuation, and the next line starts in lower case. Such lines are one passage, for the classifier
 * and for redaction (ingest/redact.ts), which removes the sentence rather than one of its halves.
 */
export const continuesOnNextLine = (line: string, next: string) => WRAPPED_END.test(line) && WRAPPED_NEXT.test(next);

/** A scored passage with the lines it spans (`first`..`last`, indices into the text's lines). */
interface RawSegment {
  text: string;
  first: number;
  last: number;
  /** "line": whole line(s); "sentence": one sentence of a long line; "code": a fenced block with its intro. */
  shape: "line" | "sentence" | "code";
}

const ESCAPED_BREAK = /(?<!\\)(?:\\r)?\\n/;

function rawSegments(lines: string[]): RawSegment[] {
  const segments: RawSegment[] = [];
  let lastProse = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(?:```|~~~)/.test(line)) {
      let j = i + 1;
      while (j < lines.length && !/^\s*(?:```|~~~)/.test(lines[j]!)) j++;
      const block = lines.slice(i + 1, j).join("\n");
      segments.push({ text: (lastProse ? lastProse + "\n" : "") + block, first: i, last: Math.min(j, lines.length - 1), shape: "code" });
      lastProse = "";
      i = j;
      continue;
    }
    let trimmed = line.trim();
    if (!trimmed) continue;
    const first = i;
    // A hard-wrapped sentence (line without closing punctuation, next line starting in lower case)
    // is one passage: scored line by line, its halves read like short imperatives.
    while (i + 1 < lines.length && continuesOnNextLine(trimmed, lines[i + 1]!) && trimmed.length < MAX_SEGMENT) {
      trimmed += " " + lines[++i]!.trim();
    }
    lastProse = trimmed;
    // A JSON string's escaped line breaks (`"body": "Hi Ben,\n\nPlease …"`) end its passages as real
    // ones do: an instruction placed after a paragraph of a field starts a segment of its own. The
    // pieces share the line, as a long line's sentences do. An escaped backslash before `n` is not one.
    const pieces = trimmed.includes("\\n") ? trimmed.split(ESCAPED_BREAK).filter((p) => p.trim()) : [];
    if (pieces.length > 1) {
      for (const piece of pieces)
        for (const part of piece.length > LONG_LINE ? splitSentences(piece) : [piece])
          if (part.trim()) segments.push({ text: part.trim(), first, last: i, shape: "sentence" });
    } else if (trimmed.length > LONG_LINE) {
      for (const part of splitSentences(trimmed)) if (part.trim()) segments.push({ text: part.trim(), first, last: i, shape: "sentence" });
    } else segments.push({ text: trimmed, first, last: i, shape: "line" });
  }
  for (const s of segments) if (s.text.length > MAX_SEGMENT) s.text = s.text.slice(0, MAX_SEGMENT);
  return segments;
}

/** JavaScript's `\s`, by char code. */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    (c > 127 &&
      (c === 0xa0 ||
        c === 0x1680 ||
        (c >= 0x2000 && c <= 0x200a) ||
        c === 0x2028 ||
        c === 0x2029 ||
        c === 0x202f ||
        c === 0x205f ||
        c === 0x3000 ||
        c === 0xfeff))
  );
}

/** Whether `[A-Z_ ]{3,}:` matches at `at`. */
function fieldAhead(t: string, at: number): boolean {
  let e = at;
  for (let c = t.charCodeAt(e); (c >= 65 && c <= 90) || c === 95 || c === 32; c = t.charCodeAt(++e));
  return e - at >= 3 && t.charCodeAt(e) === 58;
}

/**
 * `t.split(/(?<=[.!?])\s+|\s*\|\s*(?=[A-Z_ ]{3,}:)/)` in one linear pass: after sentence-ending
 * punctuation, and at a `|` that opens an upper-case field ("… | RECEIVED DATE: …"). The regular
 * expression retried every position of a whitespace run (a fifth of the classifier's time).
 */
export function splitSentences(t: string): string[] {
  const parts: string[] = [];
  let from = 0;
  const n = t.length;
  for (let p = 0; p < n; p++) {
    const c = t.charCodeAt(p);
    const space = isSpace(c);
    // Inside a run of spaces every match attempt repeats the one at the run's start.
    if (space && p > 0 && isSpace(t.charCodeAt(p - 1))) continue;
    let end = -1;
    if (space && p > 0) {
      const b = t.charCodeAt(p - 1);
      if (b === 46 || b === 33 || b === 63) {
        end = p;
        while (end < n && isSpace(t.charCodeAt(end))) end++;
      }
    }
    if (end < 0) {
      let q = p;
      while (q < n && isSpace(t.charCodeAt(q))) q++;
      if (t.charCodeAt(q) === 124) {
        let r = q + 1;
        while (r < n && isSpace(t.charCodeAt(r))) r++;
        for (let e = r; e > q; e--) {
          if (fieldAhead(t, e)) {
            end = e;
            break;
          }
        }
      }
    }
    if (end < 0) continue;
    parts.push(t.slice(from, p));
    from = end;
    p = end - 1;
  }
  parts.push(t.slice(from));
  return parts;
}

/**
 * Splits text into the passages scored one by one: each fenced code block together with the line
 * that introduces it, every non-empty line, and the sentences of long lines.
 */
export function segmentText(text: string): string[] {
  return rawSegments(text.split(/\r?\n/)).map((s) => s.text);
}

// ---- Where a segment sits in its document ------------------------------------------------------
// A task sentence inserted into an e-mail, a table or a code file is out of place: a prose line
// between table rows, before an e-mail's header block or next to code, sharing no words with the
// document around it. The same sentence on its own (a customer's question) has no such context.

type LineKind = "blank" | "row" | "header" | "code" | "prose";
const TABLE_ROW = /^\s*\|.*\|\s*$/;
// At the start of the line: an indented `subject:` is a field of a YAML or JSON tool result (an inbox
// listing), whose bodies hold ordinary requests between people, not an e-mail's header block.
const HEADER_FIELD = /^(?:subject|from|to|cc|bcc|date|sent|received date|email_from|reply-to)\s*:/i;
const CODE_LINE =
  /[;{}]\s*$|^\s*(?:def |class |import |from [\w.]+ import |function |const |let |var |return\b|#include|public |private |if ?\(|for ?\(|while ?\(|elif |else:|try:|except\b|print\(|>>> |\}|\)|\w+(?:\.\w+)* ?= ?\S)/;

function lineKind(line: string, inFence: boolean): LineKind {
  if (!line.trim()) return "blank";
  if (inFence) return "code";
  if (TABLE_ROW.test(line)) return "row";
  if (HEADER_FIELD.test(line)) return "header";
  if (CODE_LINE.test(line)) return "code";
  return "prose";
}

const STOP = new Set(
  (
    "the a an and or but of to in on at for from with by as is are was were be been being it its this that these those " +
    "you your we our they their he she his her i me my what what's which who how when where why do does did can could " +
    "would should will shall may might must not no yes if then than so such there here about into over under more most " +
    "very much some any all each also just only please thank thanks"
  ).split(" "),
);
const contentWords = (lower: string) => tokenize(lower).filter((t) => t.length > 2 && !STOP.has(t) && !/^\d+$/.test(t));

/** Context tags of one segment; empty for a segment that is (nearly) the whole text. */
function contextOf(
  seg: RawSegment,
  kinds: LineKind[],
  docWords: Map<string, number>,
  textLength: number,
  structure: Set<string>,
): string[] {
  const ctx: string[] = [];
  const rest = textLength - seg.text.length;
  if (rest < 200) return ctx;
  ctx.push(rest < 600 ? "doc:short" : "doc:long");
  const own = seg.shape === "code" ? "code" : kinds[seg.first]!;
  if (own !== "prose") return ctx;
  for (const s of structure) ctx.push("in:" + s);
  if (seg.shape === "sentence") ctx.push("shape:sentence");
  let p = seg.first - 1;
  while (p >= 0 && kinds[p] === "blank") p--;
  let n = seg.last + 1;
  while (n < kinds.length && kinds[n] === "blank") n++;
  if (seg.shape !== "sentence") {
    if (p < 0) ctx.push("pos:first");
    if (n >= kinds.length) ctx.push("pos:last");
    const near = new Set<LineKind>();
    if (p >= 0) near.add(kinds[p]!);
    if (n < kinds.length) near.add(kinds[n]!);
    for (const k of near) if (k !== "prose") ctx.push("next-to:" + k);
  }
  const words = [...new Set(contentWords(seg.text.toLowerCase()))];
  if (words.length >= 2) {
    const own = new Map<string, number>();
    for (const w of contentWords(seg.text.toLowerCase())) own.set(w, (own.get(w) ?? 0) + 1);
    const shared = words.filter((w) => (docWords.get(w) ?? 0) > (own.get(w) ?? 0)).length / words.length;
    ctx.push(shared === 0 ? "overlap:none" : shared < 0.34 ? "overlap:low" : "overlap:high");
  }
  return ctx;
}

export interface ContextSegment {
  segment: string;
  /** Where the segment sits: document size, structure around it, position, word overlap (see contextOf). */
  context: string[];
}

/** segmentText with each segment's context in the document. */
export function segmentWithContext(text: string): ContextSegment[] {
  const lines = text.split(/\r?\n/);
  const segs = rawSegments(lines);
  const kinds: LineKind[] = [];
  let inFence = false;
  for (const line of lines) {
    if (/^\s*(?:```|~~~)/.test(line)) {
      kinds.push("code");
      inFence = !inFence;
    } else kinds.push(lineKind(line, inFence));
  }
  const count = (k: LineKind) => kinds.filter((x) => x === k).length;
  const structure = new Set<string>();
  if (count("row") >= 3) structure.add("table");
  if (count("header") >= 1 || /\|EMAIL_FROM:|\|RECEIVED DATE:/.test(text)) structure.add("email");
  if (count("code") >= 3) structure.add("code");
  const docWords = new Map<string, number>();
  if (text.length >= 200) for (const w of contentWords(text.toLowerCase())) docWords.set(w, (docWords.get(w) ?? 0) + 1);
  // A text of prose that asks nothing of its reader (an article, an abstract, a report): a request or a
  // question in it is out of place, as a task inserted into a table is. Its segments that ask, when no
  // other segment does, are "in:declarative" (a travel guide's one "book early" is such a segment too,
  // and benign: the training data has both).
  const lone = text.length >= 200 && structure.size === 0 ? loneAsking(segs, kinds) : -1;
  // A passage in another language than the rest (an English tool result with one Korean or Spanish
  // line) is marked "lang:switch"; code is not read for its language.
  const switches = languageSwitches(segs.map((s) => (s.shape === "code" ? NO_LANGUAGE : passageLanguage(passageOf(s.text)))));
  return segs.map((s, i) => {
    const context = contextOf(s, kinds, docWords, text.length, structure);
    if (i === lone && context.length) context.push("in:declarative");
    if (switches[i]) context.push("lang:switch");
    return { segment: s.text, context };
  });
}

/** The index of the one prose segment that asks, in a text of at least three prose segments; -1 otherwise. */
function loneAsking(segs: RawSegment[], kinds: LineKind[]): number {
  let prose = 0;
  let lone = -1;
  for (let i = 0; i < segs.length; i++) {
    if (kinds[segs[i]!.first] !== "prose") continue;
    prose++;
    if (!asks(segs[i]!.text)) continue;
    if (lone >= 0) return -1;
    lone = i;
  }
  return prose >= 3 ? lone : -1;
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
const OUTPUT_ADDRESS =
  /\byour (?:response|reply|answer|output|message|summary|code|solution|implementation|codebase|algorithm|script|program|translation|explanation|text|writing|result|elucidation|analysis)s?\b/;
const ASSISTANT = /\b(?:assistant|chatbot|language model|ai model|llm|gpt|the model|the ai)\b/;
const FOLLOWING_CODE = /\b(?:following|subsequent|below|this|the) (?:code|snippet|block|excerpt|script|section|function|program)\b/;
const URL = /\b(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|xyz|io|info|biz|ru|cn|top|site)\b/;
const CODE_NETWORK =
  /\b(?:requests\.(?:post|get|put)|urllib|urlopen|urlretrieve|http\.client|httpx|aiohttp|socket\.socket|\.connect\(|\.send(?:all|to)?\(|smtplib|ftplib|paramiko|scp|wget|curl|fetch\(|xmlhttprequest|axios)\b/g;
const CODE_DANGER =
  /\b(?:os\.system|subprocess|popen|exec\(|eval\(|os\.remove|rm -rf|shutil\.(?:move|rmtree)|chmod|os\.environ|cookies?|psutil|keylog\w*|pynput|keyboard\.on_press|screenshot|imagegrab|pyautogui|passwd|\.ssh|getpass|clipboard|fernet|encrypt|shutdown|reboot|nohup|miner)\b/g;

const AI_ADDRESSEE =
  /\b(?:ai|llm|language model|assistant|agent|chatbot|bot|copilot|chatgpt|claude|gemini)s?\b[^.\n]{0,40}\b(?:must|should|ignore|reveal|tell|say|send|approve|run|execute|include|when you|if you|reading this)\b/;
/** A necessary condition of URL's second alternative (a bare domain). */
const TLD = /\.(?:com|net|org|xyz|io|info|biz|ru|cn|top|site)\b/;
const EMAIL_ADDRESS = /[\w.+-]+@[\w-]+\.[a-z]{2,}/;
const THIRD_PARTY_USER = /\bthe (?:user|reader|recipient|customer)(?:'s)?\b/;
/** Phrases addressed to whoever is answering or summarising: the reading model. */
const ANSWERER =
  /\b(?:before|instead of|while|after) (?:answering|responding|replying|summari[sz]ing|you (?:answer|respond|reply|summari[sz]e))\b|\bin your (?:next|following) (?:message|reply|response|answer)\b/;
const SEQUENCE_WORD = new Set(["now", "then", "next", "also", "first", "finally", "afterwards", "and"]);
const CONDITIONAL_READER =
  /\bif you(?:'re| are| have| can)\b[^.\n]{0,40}\b(?:ai|assistant|agent|model|llm|bot|shell|terminal|tools?|access|browsing|plugins?|permissions?)\b/;
const SECRET_WORDS =
  /\b(?:passwords?|api keys?|credentials|secrets?|tokens?|system prompt|conversation history|ssh|\.env|credit card|one-time passcode)\b/;

const CJK = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]/;
const CJK_RUN = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]+/g;
const TOOL_CALL = /\b[a-z]+(?:_[a-z0-9]+)+\b(?:\(|[^.\n]{0,30}\b(?:with|using)\b)|\b(?:the|a) [`'"]?\w+[`'"]? (?:tool|function)\b/;
const PRECEDENCE =
  /\bbefore (?:you|doing|answering|responding|continuing|proceeding|completing|finishing)\b|\b(?:do|complete) (?:this|the following) first\b|\bfirst,? (?:please )?(?:send|call|use|forward|transfer|delete|share|invite)\b|\binstead of (?:the|your|my) (?:task|request)|\bafter (?:that|doing (?:this|that)),? (?:you can|continue|proceed)/;

/** An order to the reader in the second person: "you must …", "I need you to …", "requires you to …". */
const YOU_MUST =
  /\byou (?:must|should|need to|have to|are (?:required|expected|instructed|authori[sz]ed) to|will now|may now|are now)\b|\b(?:requires?|need|want|authori[sz]e|ask|instruct)s? you to\b|\bmake sure (?:that )?you\b/;
/** A segment that opens by naming the reading model: "Hey assistant,", "Note to the AI:", "TODO (agent):". */
const VOCATIVE = /^[^.:\n]{0,40}?\b(?:ai|assistant|agent|llm|chatbot|bot|claude|chatgpt|gpt(?:-\w+)?|copilot|gemini)s?\b[^.:\n]{0,30}?[:,]/;
/** A tool call with arguments spelled out: `send_money(recipient="…")`, `amount=900`, "with arguments". */
const CALL_ARGS =
  /\b[a-z]+(?:_[a-z0-9]+)+\s*\([^)]{0,80}=|\b[a-z_]{2,20}\s*=\s*["'\d<[]|\bwith (?:the )?(?:arguments?|parameters?|params)\b/;
/** Asking the reader to hide what it does. */
const SECRECY =
  /\b(?:do not|don't|never) (?:tell|inform|mention|reveal|notify|alert|ask)\b|\bwithout (?:telling|informing|asking|notifying|confirmation)\b|\bkeep (?:this|it)\b[^.\n]{0,20}\b(?:secret|to yourself|between us)\b|\b(?:silently|quietly|secretly)\b|\bno confirmation\b/;

const RETRACTION =
  /\b(?:ignore|disregard|forget)\b (?:my|our|the|this|that) (?:(?:previous|last|earlier|prior|first|other|old) )?(?:e-?mails?|messages?|mails?|notes?|reminders?|texts?|posts?|comments?|invoices?|attachments?|versions?|drafts?|repl(?:y|ies)|requests?)\b/;

function countMatches(re: RegExp, s: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(s)) n++;
  return n;
}

/**
 * Letters of the alphabetic scripts besides ASCII that make words with spaces between them: what is left
 * of Latin after folding (ß, ø, æ), Greek, Cyrillic, Armenian, Hebrew, Arabic, the Indic scripts (their
 * vowel signs included: they are part of the word) and Georgian. Without them a passage in Russian,
 * Arabic or Hindi had no word features at all, only cues. Punctuation inside these blocks (Arabic comma
 * and question mark, the Devanagari danda) is left out. CJK, Thai and Lao have no spaces and are read as
 * character bigrams instead (cjkFeatures).
 */
const SCRIPT_LETTERS =
  "\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u024f\\u0370-\\u037d\\u037f-\\u0386\\u0388-\\u03ff\\u0400-\\u0482\\u048a-\\u052f" +
  "\\u0531-\\u0587\\u05b0-\\u05f2\\u0620-\\u065f\\u066e-\\u06d3\\u06d5-\\u06ff\\u0750-\\u077f\\u0900-\\u0963\\u0966-\\u0dff\\u10a0-\\u10ff";
const TOKEN = new RegExp(`[a-z0-9${SCRIPT_LETTERS}]+(?:'[a-z]+)?`, "g");
const SCRIPT_LETTER = new RegExp(`[${SCRIPT_LETTERS}]`);
/** Whether a code unit of 0xc0 or above is one of SCRIPT_LETTERS (a table: scanTokens asks per character). */
const SCRIPT_TABLE = new Uint8Array(0x1100);
for (let c = 0xc0; c < SCRIPT_TABLE.length; c++) SCRIPT_TABLE[c] = SCRIPT_LETTER.test(String.fromCharCode(c)) ? 1 : 0;

export function tokenize(lower: string): string[] {
  return lower.match(TOKEN) ?? [];
}

/** What the cue features need of a segment's tokens: the first three, the count, "you"/"your" count. */
interface TokenSummary {
  n: number;
  first: string;
  second: string;
  third: string;
  you: number;
}

type Add = (key: string, value?: number) => void;

/** The hand-made cue features of one segment (everything but words, prefixes, bigrams and CJK). */
function cueFeatures(segment: string, lower: string, t: TokenSummary, context: readonly string[], add: Add, whole: string): void {
  const n = t.n;
  // Agent hijacking: a tool call spelled out, and an order to do something before or instead of the task.
  if (TOOL_CALL.test(lower)) add("d:tool-call");
  if (PRECEDENCE.test(lower)) add("d:precedence");
  // Someone retracting their own message ("please ignore my previous email") is not an injection.
  if (RETRACTION.test(lower)) add("d:retraction");
  const first = t.first;
  const startsImperative = opensWithImperative(first, t.second, t.third);
  if (first) add("f:" + first);
  if (n > 1) add("f2:" + first + " " + t.second);
  const question = isQuestion(segment, lower);
  const addressesOutput = OUTPUT_ADDRESS.test(lower);
  // Cheap literal checks first: the full patterns retry at every word of a long segment.
  const url = (lower.includes("www.") || lower.includes("://") || TLD.test(lower)) && URL.test(lower);
  const mail = lower.includes("@") && EMAIL_ADDRESS.test(lower);
  const external = url || mail;
  const assistant = ASSISTANT.test(lower);
  const aiAddressee = AI_ADDRESSEE.test(lower);
  const answerer = ANSWERER.test(lower);
  const thirdPartyUser = THIRD_PARTY_USER.test(lower);
  const secret = SECRET_WORDS.test(lower);
  // Whether the segment names what injections are about: the reading AI, its output, a target
  // outside (URL, e-mail address), the user's property, or secrets. A question or request that
  // names none of these is what people write to people (customer e-mails, tickets, chat, FAQ), so
  // imperative and question cues are split on it: an injection is marked by its addressee and
  // goal, not by asking something.
  // The same in another language: the assistant or its instructions named in Russian or Hindi.
  const foreignAimed = namesReadingModel(segment, lower);
  const aimed = addressesOutput || external || thirdPartyUser || secret || assistant || aiAddressee || answerer || foreignAimed;
  if (foreignAimed) add("d:foreign-aimed");
  if (startsImperative) add(aimed ? "d:imperative-aimed" : "d:bare-imperative");
  if (question) add(aimed ? "d:question-aimed" : "d:bare-question");
  if (addressesOutput) add("d:addresses-output");
  if (addressesOutput && startsImperative) add("d:imperative-output");
  if (/\bin your (?:response|reply|answer|code|solution)\b/.test(lower)) add("d:in-your-output");
  if (assistant) add("d:assistant");
  if (FOLLOWING_CODE.test(lower)) add("d:following-code");
  if (url) add("d:url");
  if (mail) add("d:email-address");
  const net = countMatches(CODE_NETWORK, lower);
  const danger = countMatches(CODE_DANGER, lower);
  if (net) add("d:code-network", Math.min(net, 3) / 3);
  if (danger) add("d:code-danger", Math.min(danger, 3) / 3);
  if (net && danger) add("d:code-exfil");
  // Structure is read from the whole segment, before passageOf took its lead off.
  if (/^\s*\|/.test(whole)) add("d:table-row");
  // Document structure that ordinary prose and READMEs have and injected instructions rarely do.
  if (/^\s*#{1,6}\s/.test(whole)) add("d:heading");
  if (/^\s*(?:[-*+]|\d+\.)\s/.test(whole)) add("d:list-item");
  if (/\]\(|\]\[|`[^`]+`/.test(segment)) add("d:markdown-inline");
  if (/[:,]$/.test(whole.trim())) add("d:continues");
  if (aiAddressee) add("d:ai-addressee");
  if (secret) add("d:secret-words");
  if (thirdPartyUser) add("d:third-party-user");
  if (/\b(?:regardless of|no matter what|without (?:asking|telling|confirmation|review)|do not mention|tell no one)\b/.test(lower))
    add("d:covert");
  if (/^[A-Z_ ]{3,}:/.test(segment)) add("d:header-field");
  // Conjunctions a linear model cannot form by itself: an order that sends something outside, acts
  // on the user's property or touches secrets, and a sentence that tests whether its reader is an AI.
  if (startsImperative && external) add("d:imperative-external");
  if (startsImperative && thirdPartyUser) add("d:imperative-user");
  if (startsImperative && secret) add("d:imperative-secret");
  if (CONDITIONAL_READER.test(lower)) add("d:conditional-reader");
  // Text addressed to the reading model inside data: a vocative, an order to "you", a spelled-out tool
  // call, a request to keep it hidden — and their pairs, which benign data rarely has together.
  const youMust = YOU_MUST.test(lower);
  const vocative = VOCATIVE.test(lower);
  const callArgs = lower.includes("=") || lower.includes("with ") ? CALL_ARGS.test(lower) : false;
  const secrecy = SECRECY.test(lower);
  if (youMust) add("d:you-must");
  if (vocative) add("d:vocative");
  if (callArgs) add("d:call-args");
  if (secrecy) add("d:secrecy");
  const agentCues =
    (youMust ? 1 : 0) + (vocative ? 1 : 0) + (callArgs ? 1 : 0) + (secrecy ? 1 : 0) + (startsImperative ? 1 : 0) + (aimed ? 1 : 0);
  if (agentCues >= 2) add("d:agent-cues-2");
  if (agentCues >= 3) add("d:agent-cues-3");
  if (answerer) add("d:answerer-addressed");
  const youCount = t.you;
  if (youCount) add("d:second-person", Math.min(youCount, 3) / 3);
  add("len:" + (n < 4 ? "xs" : n < 10 ? "s" : n < 25 ? "m" : n < 60 ? "l" : "xl"));
  // The segment's context in its document, alone and crossed with what the segment is: a bare task
  // or question is ordinary on its own and out of place as a prose line inserted into a table, next
  // to an e-mail's header or code. Only structured context counts: tags such as "long document" or
  // "shares no words" without structure made plain prose lines of READMEs and longer short texts
  // suspicious (inner validation on the training parts).
  if (context.some((c) => c.startsWith("in:") || c.startsWith("next-to:"))) {
    const type = startsImperative ? (aimed ? "imp-aimed" : "imp-bare") : question ? (aimed ? "q-aimed" : "q-bare") : "statement";
    for (const c of context) {
      if (c === "lang:switch") continue;
      add("x:" + c);
      add("x:" + type + "|" + c);
    }
  }
  // A passage in another language than its document counts only when it is aimed: alone, the switch
  // is a colleague writing in their own language (a bare switch feature flagged their bug reports and
  // reviews inside English tool results).
  if (aimed && context.includes("lang:switch")) add("x:lang-switch-aimed");
}

/** "Send …", "Please add …"; "Now invite …", "Then send …", "Also, please forward …": a sequencing word before the verb. */
function opensWithImperative(first: string, second: string, third: string): boolean {
  const lead = SEQUENCE_WORD.has(first) ? 1 : 0;
  const verb = lead ? second : first;
  return (
    IMPERATIVE_START.has(verb) ||
    (verb === "please" && IMPERATIVE_START.has(lead ? third : second)) ||
    (first === "please" && IMPERATIVE_START.has(second))
  );
}

const isQuestion = (segment: string, lower: string) => /\?\s*$/.test(segment.trim()) && WH_START.test(lower.trim());

/** Whether a segment asks its reader something: it opens with an imperative or is a question (as cueFeatures reads it). */
function asks(segment: string): boolean {
  const lower = passageOf(segment).toLowerCase();
  const [first = "", second = "", third = ""] = tokenize(lower.slice(0, 60));
  return opensWithImperative(first, second, third) || isQuestion(segment, lower);
}

function summarise(tokens: string[]): TokenSummary {
  return {
    n: tokens.length,
    first: tokens[0] ?? "",
    second: tokens[1] ?? "",
    third: tokens[2] ?? "",
    you: tokens.filter((x) => x === "you" || x === "your").length,
  };
}

function cjkFeatures(segment: string, add: Add): void {
  // Chinese and Japanese have no spaces: character bigrams of CJK runs stand in for words.
  const runs = segment.match(CJK_RUN) ?? [];
  let count = 0;
  for (const run of runs) count += Math.max(run.length - 1, 1);
  const cjkScale = 1 / Math.sqrt(Math.max(count, 1));
  for (const run of runs) {
    if (run.length === 1) add("c:" + run, cjkScale);
    for (let i = 0; i + 1 < run.length; i++) add("c:" + run.slice(i, i + 2), cjkScale);
  }
  add("d:cjk");
}

/**
 * Structure in front of a passage inside data: a JSON or YAML key (`"body": "`, `notes: `), a list or memory
 * marker (`- [3] `, `2. `), a log line's timestamp, level and component (`2024-06-17T06:18:15Z WARN
 * [worker-6] `, `2025-04-06 12:45:41 web-01 app[2231]: WARN `); and a
 * JSON string's closing quote and comma. Comment markers and headings stay: a comment is prose in code
 * and its place there is what the context features read. Features are read from the
 * passage without it, so an instruction in a tool output's field starts where its words start ("Ignore
 * …", "Assistant, …") as it does on its own, and the key's or timestamp's tokens do not dilute it.
 */
const LEVEL = "(?:(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|FATAL|CRITICAL)\\b:?\\s*)?";
const LEAD = new RegExp(
  "^(?:" +
    [
      // JSON key, YAML key (`body: `, `notes: |`), list and memory markers, each with an opening quote.
      '\\s*"[^"\\n]{1,40}"\\s*:\\s*"?',
      '\\s*[a-z_][a-z0-9_]{0,30}:[ \\t]+(?:[|>]-?[ \\t]*)?"?',
      '\\s*(?:[-*+•]|\\d{1,3}[.)]|\\[\\d{1,3}\\])\\s+"?',
      // A log line's timestamp, level and component; a syslog line's host and process (`web-01 app[2231]: `).
      "\\s*\\[?\\d{4}-\\d\\d-\\d\\d[T ][\\d:.,]+(?:Z|[+-]\\d\\d:?\\d\\d)?\\]?\\s+" + LEVEL + "(?:\\[[^\\]\\n]{1,30}\\]:?\\s*)?",
      "[\\w.-]{1,40}\\s+[\\w./-]{1,40}\\[\\d{1,7}\\]:\\s+" + LEVEL,
    ].join("|") +
    ")+",
);
const TRAIL = /"\s*,?\s*$/;
const NO_LANGUAGE: PassageLanguage = { language: "", letters: 0, latin: 0 };

/** The passage without the structure around it (LEAD, TRAIL); the segment itself when there is none. */
export function passageOf(segment: string): string {
  const lead = LEAD.exec(segment);
  let body = lead ? segment.slice(lead[0].length) : segment;
  if (lead?.[0].includes('"')) body = body.replace(TRAIL, "");
  return body.length >= 8 ? body : segment;
}

/**
 * Named features of one segment before hashing; exported for documentation and tests. The classifier
 * does not build these strings: emitFeatures hashes the same features straight from the text.
 */
export function namedFeatures(whole: string, context: readonly string[] = []): Map<string, number> {
  const segment = passageOf(whole);
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
  if (CJK.test(segment)) cjkFeatures(segment, add);
  cueFeatures(segment, lower, summarise(tokens), context, add, whole);
  if (segment !== whole) add("d:in-field");
  return f;
}

// ---- The same features, hashed without building their strings ----------------------------------
// FNV-1a is a left fold over the key's characters, so the hash of "w:" + token continues the hash of
// "w:" over the token's characters in the lower-cased segment: no substring, no Map, no key string.

const FNV_OFFSET = 0x811c9dc5;
const fnvStep = (h: number, c: number) => Math.imul(h ^ c, 0x01000193);
function fnvOver(h: number, s: string, from: number, to: number): number {
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}
const fnvString = (s: string) => fnvOver(FNV_OFFSET, s, 0, s.length);
const H_WORD = fnvString("w:");
const H_PREFIX = fnvString("p:");
const H_BIGRAM = fnvString("b:");
const H_BIAS = fnvString("bias");

/** Receives each feature as (index, value); an index may come more than once (values add up). */
export type FeatureSink = (index: number, value: number) => void;

let tokStart = new Int32Array(256);
let tokEnd = new Int32Array(256);

const isTokenChar = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 0xc0 && c < 0x1100 && SCRIPT_TABLE[c] === 1);
const isLower = (c: number) => c >= 97 && c <= 122;

/** Token boundaries of TOKEN in `lower` into tokStart/tokEnd; returns the count. */
function scanTokens(lower: string): number {
  let n = 0;
  const len = lower.length;
  let i = 0;
  while (i < len) {
    if (!isTokenChar(lower.charCodeAt(i))) {
      i++;
      continue;
    }
    const s = i;
    while (i < len && isTokenChar(lower.charCodeAt(i))) i++;
    if (i + 1 < len && lower.charCodeAt(i) === 39 && isLower(lower.charCodeAt(i + 1))) {
      i += 2;
      while (i < len && isLower(lower.charCodeAt(i))) i++;
    }
    if (n === tokStart.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      tokStart = grow(tokStart);
      tokEnd = grow(tokEnd);
    }
    tokStart[n] = s;
    tokEnd[n] = i;
    n++;
  }
  return n;
}

function isYou(lower: string, s: number, e: number): boolean {
  if (e - s !== 3 && e - s !== 4) return false;
  if (lower.charCodeAt(s) !== 121 || lower.charCodeAt(s + 1) !== 111 || lower.charCodeAt(s + 2) !== 117) return false;
  return e - s === 3 || lower.charCodeAt(s + 3) === 114;
}

/** Every feature of namedFeatures(segment, context), hashed, into `sink`. */
export function emitFeatures(whole: string, context: readonly string[], sink: FeatureSink): void {
  const segment = passageOf(whole);
  const lower = segment.toLowerCase();
  const n = scanTokens(lower);
  sink(H_BIAS & MASK, 1);
  const scale = 1 / Math.sqrt(Math.max(n, 1));
  let you = 0;
  for (let i = 0; i < n; i++) {
    const s = tokStart[i]!;
    const e = tokEnd[i]!;
    sink(fnvOver(H_WORD, lower, s, e) & MASK, scale);
    if (e - s > 5) sink(fnvOver(H_PREFIX, lower, s, s + 5) & MASK, scale);
    if (i + 1 < n) sink(fnvOver(fnvStep(fnvOver(H_BIGRAM, lower, s, e), 32), lower, tokStart[i + 1]!, tokEnd[i + 1]!) & MASK, scale);
    if (isYou(lower, s, e)) you++;
  }
  const add: Add = (k, v = 1) => sink(fnvString(k) & MASK, v);
  if (CJK.test(segment)) cjkFeatures(segment, add);
  const tok = (i: number) => (i < n ? lower.slice(tokStart[i]!, tokEnd[i]!) : "");
  cueFeatures(segment, lower, { n, first: tok(0), second: tok(1), third: tok(2), you }, context, add, whole);
  if (segment !== whole) add("d:in-field");
}

export function hashFeatures(named: Map<string, number>): SparseVector {
  const acc = new Map<number, number>();
  for (const [k, v] of named) {
    const h = fnv1a(k);
    acc.set(h, (acc.get(h) ?? 0) + v);
  }
  return { index: [...acc.keys()], value: [...acc.values()] };
}

/** The hashed feature vector of one segment (for training; the classifier scores with emitFeatures). */
export function segmentFeatures(segment: string, context: readonly string[] = []): SparseVector {
  const acc = new Map<number, number>();
  emitFeatures(segment, context, (i, v) => acc.set(i, (acc.get(i) ?? 0) + v));
  return { index: [...acc.keys()], value: [...acc.values()] };
}
