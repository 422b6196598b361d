// Types for prose-carriers.mjs, so TypeScript tests can import Charter's prose carriers.
export interface ProseCarrier {
  id: string;
  text: string;
}
export const PROSE_SEED: string;
export function prosePartOf(id: string): "train" | "val";
export const PROSE_CARRIERS: ProseCarrier[];
export function embedInProse(carrier: ProseCarrier, insert: string, k: number): string;
export function bipiaAttacksInProse(
  records: { label: string; channel: string; text: string }[],
  carriers: ProseCarrier[],
): { text: string; insert: string }[];
