// Types for the parts of train-detector.mjs that tests import.
export function withoutCarrierLines(insert: string, carrier: string): string;
export const BIPIA_POSITIVE_WEIGHT: number;
export const HYPERPARAMETERS: {
  epochs: number;
  l2: number;
  learningRate: number;
  positiveWeight: number;
  scoreShift: number;
  wholeDocumentRound: boolean;
  wholeDocumentWeight: number;
};
