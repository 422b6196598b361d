// Types for ood-injections.mjs, so TypeScript tests can build the out-of-distribution injection set.
import type { OodPassage } from "./ood-benign.mjs";
export interface OodPayload {
  id: string;
  style: string;
  carrier: string;
  payload: string;
}
export interface OodInjection {
  id: string;
  style: string;
  context: string;
  carrier: string;
  position: "start" | "middle" | "end";
  part: "tune" | "final";
  text: string;
}
export const OOD_INJECTION_SEED: string;
export const STYLES: string[];
export function readPayloads(): OodPayload[];
export function readCarriers(): { id: string; context: string; text: string }[];
export function partOf(id: string): "tune" | "final";
export function embed(carrier: string, payload: string, position: "start" | "middle" | "end"): string;
export function buildOodInjections(heldOut?: OodPassage[]): OodInjection[];
