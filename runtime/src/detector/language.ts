// The language of a passage, roughly: its script, and for Latin script which of a dozen languages its
// function words belong to. The classifier uses it for the context "lang:switch", a passage in another
// language than the document around it (features.ts; it counts only when the passage is aimed, which
// namesReadingModel below helps to read): attacks machine-translated into
// Hindi, Korean or Spanish and placed in an English tool result read, word by word, like nothing the
// model has seen, and were its most frequent misses on the training side. Not a language identifier
// for anything else: it only has to tell "the same as the rest of this document" from "not".

/** The scripts told apart, by code-point range (indices into SCRIPT_NAME); Latin is split further by function words. */
const [NONE, LATIN, CYRILLIC, GREEK, ARABIC, HEBREW, DEVANAGARI, BENGALI, OTHER_INDIC, THAI, HANGUL, KANA, HAN] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
] as const;

const SCRIPT_NAME = ["", "latin", "cyrillic", "greek", "arabic", "hebrew", "devanagari", "bengali", "indic", "thai", "ko", "kana", "han"];

function scriptOf(c: number): number {
  if (c < 0x80) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) ? LATIN : NONE;
  if (c >= 0xc0 && c <= 0x24f) return c === 0xd7 || c === 0xf7 ? NONE : LATIN;
  if (c >= 0x1e00 && c <= 0x1eff) return LATIN; // Vietnamese letters with two diacritics
  if (c >= 0x370 && c <= 0x3ff) return GREEK;
  if (c >= 0x400 && c <= 0x52f) return CYRILLIC;
  if (c >= 0x590 && c <= 0x5ff) return HEBREW;
  if ((c >= 0x600 && c <= 0x6ff) || (c >= 0x750 && c <= 0x77f)) return ARABIC;
  if (c >= 0x900 && c <= 0x97f) return DEVANAGARI;
  if (c >= 0x980 && c <= 0x9ff) return BENGALI;
  if (c >= 0xa00 && c <= 0xdff) return OTHER_INDIC;
  if (c >= 0xe00 && c <= 0xe7f) return THAI;
  if ((c >= 0xac00 && c <= 0xd7af) || (c >= 0x1100 && c <= 0x11ff) || (c >= 0x3130 && c <= 0x318f)) return HANGUL;
  if (c >= 0x3040 && c <= 0x30ff) return KANA;
  if ((c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff)) return HAN;
  return NONE;
}

/**
 * Frequent function words of each language. A word two languages share ("con", "como") counts for
 * both (WORD_LANGUAGES); the most ambiguous ("de", "la", "in", "die") are left out.
 */
const LATIN_WORDS: Record<string, string> = {
  en: "the and of to is are was were that this with for you your have has it not be will would can what which there their they we our from by at or if my does did should could please thanks thank been just about all any how when who us its into",
  es: "el los las del que por para con una es está están muy pero como más también usted ustedes gracias hola porque cuando al hay lo favor puedes tiene",
  fr: "le les des du est sont une avec pour pas vous nous dans sur mais qui que très aussi merci bonjour votre être je ce ces cette leur ne au aux",
  de: "der das und ist sind nicht ein eine mit für auf ich sie wir bitte danke auch aber noch wenn oder haben wird zu den dem im mir dir uns",
  it: "il gli della che per con una sono non più anche grazie ciao questo questa molto perché come è ho hai nel alla mi",
  pt: "os das dos que não uma com para por você está são muito mas também obrigado olá isso essa como ao seu sua pelo pela em",
  nl: "het een van en is niet met voor op ik je jij wij ook maar dat dit zijn wordt bedankt graag naar heb hebben kunnen wel geen jullie u",
  pl: "nie jest się na do że to jak co ale czy dla są już tak proszę dziękuję mam jestem w z mnie ten też bardzo możesz",
  tr: "bir ve bu için ile da de mi ne çok ama var yok olarak gibi daha lütfen teşekkürler ben sen bana kadar misin mısın musun benim sizin bunu şu değil olan ise veya teşekkür ederim merhaba",
  id: "yang dan di ini itu dengan untuk tidak ada saya anda kami akan dari ke bisa sudah terima kasih tolong apa kita juga atau pada sebelum bisakah mohon",
  vi: "của và là không có các được cho này một những bạn tôi với trong đã để khi người ở thì rồi nhé ạ cũng",
  tl: "ang ng mga sa na at ay ko mo ako ikaw siya po ba hindi naman lang salamat kung kasi din rin nang ito iyon akong namin natin",
};
/** Each function word's languages (a word such as "con" or "como" counts for each of its languages). */
const WORD_LANGUAGES = new Map<string, string[]>();
for (const [language, words] of Object.entries(LATIN_WORDS)) {
  for (const w of words.split(" ")) WORD_LANGUAGES.set(w, [...(WORD_LANGUAGES.get(w) ?? []), language]);
}

const LATIN_WORD = /[a-z\u00c0-\u024f\u1e00-\u1eff]+/g;
/** Addresses and paths, whose parts are no language ("com" is Portuguese for "with"). */
const ADDRESS = /\S*(?:[@/\\]|\.[a-z])\S*/g;

export interface PassageLanguage {
  /** "en", "es", … for Latin script; the script's name for others; "" when too little to tell. */
  language: string;
  /** Letters counted: how much of the document this passage weighs. */
  letters: number;
  /** Latin letters among them. */
  latin: number;
}

/**
 * The language of one passage. Latin needs two function-word hits and one language ahead of the others, other scripts
 * eight letters (four for Han, kana and Hangul); otherwise the language is "".
 */
export function passageLanguage(text: string): PassageLanguage {
  const counts = new Array<number>(SCRIPT_NAME.length).fill(0);
  let letters = 0;
  for (let i = 0; i < text.length; i++) {
    const s = scriptOf(text.charCodeAt(i));
    if (s === NONE) continue;
    counts[s]!++;
    letters++;
  }
  const latin = counts[LATIN]!;
  if (letters === 0) return { language: "", letters: 0, latin };
  // Han and kana together are Japanese; Han alone Chinese. A CJK character weighs about a word.
  const cjk = counts[HAN]! + counts[KANA]!;
  let best: number = NONE;
  let top = 0;
  for (let s: number = LATIN; s < SCRIPT_NAME.length; s++) {
    const weight = s >= HANGUL ? (s === KANA || s === HAN ? cjk : counts[s]!) * 3 : counts[s]!;
    if (weight > top) {
      top = weight;
      best = s;
    }
  }
  if (best === KANA || best === HAN) {
    if (cjk < 4) return { language: "", letters, latin };
    return { language: counts[KANA]! * 10 >= cjk ? "ja" : "zh", letters, latin };
  }
  if (best !== LATIN) return { language: counts[best]! >= (best === HANGUL ? 4 : 8) ? SCRIPT_NAME[best]! : "", letters, latin };
  const hits = new Map<string, number>();
  for (const w of text.toLowerCase().replace(ADDRESS, " ").match(LATIN_WORD) ?? []) {
    for (const language of WORD_LANGUAGES.get(w) ?? []) hits.set(language, (hits.get(language) ?? 0) + 1);
  }
  let first = "";
  let firstHits = 0;
  let secondHits = 0;
  for (const [language, n] of hits) {
    if (n > firstHits) {
      secondHits = firstHits;
      firstHits = n;
      first = language;
    } else if (n > secondHits) secondHits = n;
  }
  return { language: firstHits >= 2 && firstHits > secondHits ? first : "", letters, latin };
}

/**
 * Which passages are in another language than their document. Each language weighs the letters of its
 * passages; Latin letters of passages without a recognised language (field names, labels, names, short
 * English lines) weigh a quarter each for English, so a Spanish line in an English JSON listing stands
 * out. A passage is a switch when another language of the document weighs at least 40 letters and at
 * least 80% of its own language: the minority language of a document, and both halves of one split
 * evenly between two languages. Passages whose language is unknown are never switches.
 */
export function languageSwitches(languages: readonly PassageLanguage[]): boolean[] {
  const weight = new Map<string, number>();
  for (const { language, letters, latin } of languages) {
    const [key, w] = language ? [language, letters] : ["en", latin / 4];
    if (w > 0) weight.set(key, (weight.get(key) ?? 0) + w);
  }
  if (weight.size < 2) return languages.map(() => false);
  return languages.map(({ language }) => {
    if (!language) return false;
    const own = weight.get(language)!;
    let other = 0;
    for (const [l, w] of weight) if (l !== language && w > other) other = w;
    return other >= 40 && other >= 0.8 * own;
  });
}

// ---- What a passage in another language is about ----------------------------------------------
// The cue features that tell an injection from a request between people ("names the reading AI, a
// secret, the system prompt": `aimed` in features.ts) are English. A machine-translated attack inside
// an English tool result names the assistant in its own language, and a colleague's note in that
// language does not; these lists let "aimed" read it. Secrets are left out: people write about their
// passwords in every language (a password cue in 17 languages flagged a wifi note and a reset request). Native forms only: an
// English word here would change what the English features mean.

/** Words of Latin, Cyrillic, Greek, Arabic and Indic scripts, matched as whole words (lower case). */
const FOREIGN_AIMED_WORDS = [
  // the reading model, by name or role
  "asistente virtual|asistente de ia|inteligencia artificial|modelo de lenguaje|agente de ia",
  "assistant virtuel|assistant ia|intelligence artificielle|modèle de langage|agent ia",
  "ki-assistent|ki-assistenten|künstliche intelligenz|sprachmodell|ki-agent|assistenten",
  "assistente virtuale|assistente ia|intelligenza artificiale|modello linguistico|agente ia",
  "assistente virtual|assistente de ia|inteligência artificial|modelo de linguagem|agente de ia",
  "ai-assistent|kunstmatige intelligentie|taalmodel",
  "asystent ai|asystencie|asystenta|sztuczna inteligencja|model językowy",
  "ассистент|ассистента|ассистенту|ии-ассистент|искусственный интеллект|нейросеть|языковая модель",
  "yapay zeka|asistan|asistanı|dil modeli",
  "المساعد|مساعد الذكاء الاصطناعي|الذكاء الاصطناعي|نموذج اللغة|المساعد الذكي",
  "सहायक|एआई|आर्टिफिशियल इंटेलिजेंस",
  "সহকারী|এআই|কৃত্রিম বুদ্ধিমত্তা",
  "trợ lý|trí tuệ nhân tạo|mô hình ngôn ngữ",
  "asisten ai|asisten virtual|kecerdasan buatan|model bahasa",
  // the instructions it runs on
  "instrucciones anteriores|instructions précédentes|vorherigen anweisungen|istruzioni precedenti|instruções anteriores|eerdere instructies|poprzednie instrukcje|предыдущие инструкции|önceki talimatlar",
].join("|");
const FOREIGN_AIMED = new RegExp(`(?<![\\p{L}\\p{M}])(?:${FOREIGN_AIMED_WORDS})(?![\\p{L}\\p{M}])`, "u");
/** Scripts without spaces between words: matched as substrings. */
const FOREIGN_AIMED_CJK =
  /助手|助理|人工智能|语言模型|系统提示|アシスタント|人工知能|言語モデル|システムプロンプト|어시스턴트|인공지능|언어 모델|시스템 프롬프트|ผู้ช่วย|ปัญญาประดิษฐ์/;
/** Acronyms, in their own case: "IA", "KI", "ИИ" ("ia" and "ki" are words elsewhere). */
const FOREIGN_AIMED_ACRONYM = /(?<![\p{L}\p{M}])(?:IA|KI|ИИ)(?![\p{L}\p{M}])/u;
const NON_ASCII_CHAR = /[^\x00-\x7f]/;

/** Whether a passage names, in a language other than English, the reading model or its instructions. `segment` as written, `lower` lower-cased. */
export function namesReadingModel(segment: string, lower: string): boolean {
  if (FOREIGN_AIMED_ACRONYM.test(segment)) return true;
  if (
    !NON_ASCII_CHAR.test(lower) &&
    !/asist|assist|intelig|artific|sandi|parola|instruc|istruz|anweis|model|kecerdasan|yapay|talimat/.test(lower)
  )
    return false;
  return FOREIGN_AIMED.test(lower) || FOREIGN_AIMED_CJK.test(lower);
}
