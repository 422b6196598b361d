// The fast rule layer: regular expressions over the folded text plus checks for encoded and
// invisible payloads. Each rule yields a stable signal id; `revealed` carries decoded hidden text so
// the classifier can read it too. Rules are chosen to stay quiet on ordinary emails, tables and code.

import { decodedBase64Texts, decodedHexTexts } from "./encoded.js";
import { decodeTagCharacters, foldText, hasMixedScriptWord, hasZeroWidthInsideWord, isAscii } from "./normalise.js";
import type { SignalId } from "./types.js";

export interface RuleResult {
  signals: SignalId[];
  /** Text recovered from base64, hex or tag characters, for the classifier to read. */
  revealed: string[];
  /** The folded text (invisible characters removed, homoglyphs mapped). */
  folded: string;
}

const IGNORE_PREVIOUS = [
  /\b(?:ignore|disregard|forget|overrid\w*|bypass|skip|neglect|abandon|discard|drop|dismiss|set aside|pay no attention to|do not (?:follow|obey))\b[^.\n]{0,40}?\b(?:previous|prior|preceding|above|earlier|former|original|initial|all|any|every|your|the|system|existing|old)\b[^.\n]{0,30}?\b(?:instructions?|prompts?|rules?|directions?|directives?|guidelines?|commands?|orders|constraints|polic(?:y|ies)|programming|guardrails?|restrictions?|context|tasks?)\b/i,
  /\b(?:instead of|rather than) (?:following|doing|answering) (?:the|your) (?:original|previous|user'?s?) (?:task|instructions?|request|question)\b/i,
  /\b(?:new|updated|real|actual|revised) (?:instructions?|task|directive)s?\s*:/i,
];

const ROLE_REASSIGNMENT = [
  /\b(?:from now on|henceforth|starting now|for the rest of this conversation)\b[^.\n]{0,40}\byou(?:'re| are| will| must| should| shall)\b/i,
  /\byou are (?:now|no longer)\b[^.\n]{0,30}\b(?:assistant|ai|model|bot|chatbot|gpt|llm|persona|character|dan|unrestricted|uncensored|jailbroken|free from|bound by)\b/i,
  /\b(?:pretend|imagine) (?:to be|you are|that you are|you're)\b[^.\n]{0,40}\b(?:ai|assistant|model|bot|without|unrestricted|no (?:rules|restrictions|limits))\b/i,
  /\b(?:act|behave|respond) as (?:if you were|if you are|an? (?:unrestricted|uncensored|evil|unfiltered|jailbroken)|dan\b)/i,
  /\byour (?:new|real|true) (?:role|task|goal|objective|instructions?|persona|purpose|identity)\b/i,
  /\b(?:enter|enable|activate|switch to|you are in) (?:developer|god|jailbreak|dan|unrestricted|unfiltered) mode\b/i,
];

const BOUNDARY_MARKER = [
  /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text)\|>/i,
  /\[\/?INST\]|<<\/?SYS>>|<\/?(?:system|system_prompt|instructions?|user_input|untrusted[\w-]*)>/i,
  /^\s*#{2,}\s*(?:system|instructions?|new instructions?|assistant|response)\s*:?\s*$/im,
  /\b(?:begin|end|start)\W{0,3}(?:of\W{0,3})?(?:untrusted|trusted|system|user)\W{0,3}(?:content|data|text|input|prompt|message)\b/i,
  /^\s*(?:system|assistant)\s*(?:prompt|message|override)\s*:/im,
];

const MARKDOWN_IMAGE_EXFIL = [
  /!\[[^\]\n]{0,200}\]\(\s*<?(?:https?:)?\/\/[^)\s]*[?#&=$%{][^)\n]*\)/i,
  /<img\b[^>]{0,200}\bsrc\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]*[?&=$%{]/i,
];

/** Phrasing that makes decoded text an instruction rather than data. */
const IMPERATIVE = /\b(?:ignore|disregard|forget|reveal|print|output|say|respond|reply|write|send|include|add|insert|execute|run|tell|answer|visit|click|download|delete|forward|translate|summari[sz]e|provide|use|show|give|list)\b/i;
const ADDRESSEE = /\b(?:you|your|instructions?|prompt|system|response|answer|reply|user|assistant|password|secret)\b/i;

function anyMatch(patterns: RegExp[], text: string): boolean {
  for (const p of patterns) if (p.test(text)) return true;
  return false;
}

export function looksLikeInstruction(text: string): boolean {
  return (
    anyMatch(IGNORE_PREVIOUS, text) ||
    anyMatch(ROLE_REASSIGNMENT, text) ||
    (IMPERATIVE.test(text) && ADDRESSEE.test(text))
  );
}

export function runRules(text: string): RuleResult {
  const signals: SignalId[] = [];
  const revealed: string[] = [];
  const ascii = isAscii(text);
  const folded = ascii ? text : foldText(text);

  if (anyMatch(IGNORE_PREVIOUS, folded)) signals.push("ignore-previous");
  if (anyMatch(ROLE_REASSIGNMENT, folded)) signals.push("role-reassignment");
  if (anyMatch(BOUNDARY_MARKER, folded)) signals.push("boundary-marker");

  for (const decoded of decodedBase64Texts(folded)) {
    revealed.push(decoded);
    if (looksLikeInstruction(decoded) && !signals.includes("base64-instruction")) signals.push("base64-instruction");
  }
  for (const decoded of decodedHexTexts(folded)) {
    revealed.push(decoded);
    if (looksLikeInstruction(decoded) && !signals.includes("hex-instruction")) signals.push("hex-instruction");
  }

  if (!ascii) {
    const tagText = decodeTagCharacters(text);
    // Subdivision flags (England, Scotland…) use a few lowercase tag letters with no spaces: not a payload.
    if (tagText.length > 7 || /[^a-z0-9]/.test(tagText)) {
      signals.push("unicode-tags");
      revealed.push(tagText);
    }
    if (hasZeroWidthInsideWord(text)) signals.push("zero-width");
    if (hasMixedScriptWord(text)) signals.push("homoglyph");
  }

  if (anyMatch(MARKDOWN_IMAGE_EXFIL, folded)) signals.push("markdown-image-exfil");
  return { signals, revealed, folded };
}

/**
 * How much each rule alone says "injection", combined by noisy-OR with the classifier (see
 * detector.ts). Obfuscation signals (zero-width, homoglyph) are weak alone: they also occur in
 * copy-pasted or multilingual text, so they need a second piece of evidence to cross 0.5.
 */
export const RULE_STRENGTH: Record<Exclude<SignalId, "classifier">, number> = {
  "ignore-previous": 0.95,
  "role-reassignment": 0.85,
  "boundary-marker": 0.8,
  "base64-instruction": 0.95,
  "hex-instruction": 0.95,
  "unicode-tags": 0.9,
  "zero-width": 0.3,
  "homoglyph": 0.3,
  "markdown-image-exfil": 0.9,
};
