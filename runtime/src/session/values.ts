// The values a text holds, as provenance conditions compare them: an argument's value is matched against
// the values of the texts a session read, both sides normalised the same way — lower case (e-mail
// addresses and host names are case-insensitive), URLs without their scheme or a trailing slash, IBANs
// without spaces, surrounding quotes and sentence punctuation dropped.

/** Splits a text into candidate values: whitespace, quotes, brackets and list separators end one. */
const SPLIT = /[\s"'`<>()[\]{},;|]+/;
/** An IBAN written in groups, e.g. "DE89 3704 0044 0532 0130 00". */
const IBAN_SPACED = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g;
const EDGE_PUNCT = /^[.:!?*#~=+-]+|[.:!?*#~=/]+$/g;
const SCHEME = /^(?:https?:\/\/|mailto:)/;

/** The normal form of one value (an argument's, or a token of a text). */
export function normaliseValue(raw: string): string {
  let v = raw.trim().toLowerCase();
  if (v.length === 0) return v;
  if (/^[a-z]{2}\d{2}[ a-z0-9]{8,}$/.test(v)) {
    const compact = v.replace(/ /g, "");
    if (/^[a-z]{2}\d{2}[a-z0-9]{8,30}$/.test(compact)) return compact;
  }
  v = v.replace(EDGE_PUNCT, "").replace(SCHEME, "").replace(/\/+$/, "");
  return v;
}

/** Every value of `text`, normalised, once. */
export function extractValues(text: string): Set<string> {
  const out = new Set<string>();
  for (const token of text.split(SPLIT)) {
    if (token.length === 0) continue;
    const v = normaliseValue(token);
    if (v.length > 0) out.add(v);
    // "key:value" and "user@host," forms keep their parts too
    const colon = v.indexOf(":");
    if (colon > 0 && colon < v.length - 1 && !v.startsWith("http")) {
      const tail = normaliseValue(v.slice(colon + 1));
      if (tail.length > 0) out.add(tail);
    }
  }
  for (const m of text.matchAll(IBAN_SPACED)) out.add(m[0].replace(/ /g, "").toLowerCase());
  return out;
}

/** True when a value is one token: it can be looked up among a text's values; otherwise it is searched. */
export function isSingleToken(normalised: string): boolean {
  return !/[\s"'`<>()[\]{},;|]/.test(normalised);
}

/** Addresses, URLs and IBANs inside a text, normalised: the values a message or a body carries. */
const EMBEDDED = /[^\s"'`<>()[\]{},;|]*(?:@|:\/\/|www\.)[^\s"'`<>()[\]{},;|]*|\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g;

export function embeddedValues(text: string): string[] {
  if (!/[@/.]|\d{4}/.test(text)) return [];
  const out: string[] = [];
  for (const m of text.matchAll(EMBEDDED)) {
    const v = normaliseValue(m[0]);
    if (v.length > 0) out.push(v);
  }
  return out;
}
