// Output filtering: sensitive-data detectors, exfiltration detection and domain allowlist matching.
export { filterOutput, applyRedactions } from "./filter.js";
export type { Action, Finding, FindingKind, FilteredOutput, OutputRules, Severity } from "./filter.js";
export {
  domainMatches,
  domainInList,
  emailDomainMatches,
  normalizeHost,
  strictAuthorityHost,
  strictUrlHost,
  urlDomainMatches,
} from "./domains.js";
export { findSensitive, mayHoldSensitive } from "./sensitive-data.js";
export type { SensitiveKind, SensitiveScan } from "./sensitive-data.js";
export { decodeHtmlEntities, findExfiltration, findUrls, parseNetworkUrl, smugglesData } from "./exfiltration.js";
export type { ExfiltrationFinding, UrlForm, UrlOccurrence } from "./exfiltration.js";
export {
  findAadhaars,
  findCardsPerLine,
  findEmails,
  findIbans,
  findIndianPans,
  findPaymentCards,
  findPhones,
  findUsSsns,
} from "./pii-detectors.js";
export type { PiiKind, Span } from "./pii-detectors.js";
export {
  findAssignedSecrets,
  findAwsSecretKeys,
  findEncodedSecrets,
  findSplitSecrets,
  findHighEntropyTokens,
  findPrefixedSecrets,
  isHighEntropyToken,
  shannonEntropy,
} from "./secret-detectors.js";
export { ibanMod97Valid, luhnValid, verhoeffCheckDigit, verhoeffValid } from "./checksums.js";
