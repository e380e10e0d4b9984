// The four workloads lsgrad is timed on next to the reference PyTorch implementation: the same
// shapes and settings on both sides (reference_cell.py builds the PyTorch side from this spec).

import { DEFAULT_WORDS_VOCAB_SIZE } from '../../cli/data/word-vocabulary.js';

export const TORCH_WORKLOADS = ['lsg-b128', 'lsg-b32', 'dense', 'train-step'] as const;
export type TorchWorkload = (typeof TORCH_WORKLOADS)[number];

/** npm start's model (cli/train-flags.ts defaults: its words vocabulary), at full length, batch 2. */
export const TRAIN_STEP_MODEL = {
  vocabSize: DEFAULT_WORDS_VOCAB_SIZE, embeddingSize: 32, hiddenSize: 64, numLayers: 2, heads: 2, intermediateSize: 128,
  blockSize: 32, sparseBlockSize: 32, sparsityFactor: 4, numGlobalTokens: 1, batch: 2,
} as const;

export interface TorchCellSpec {
  readonly workload: TorchWorkload;
  readonly threads: number;
  /** Timed runs after one warm-up run. */
  readonly reps: number;
  readonly seed: number;
  /** Tokens per sequence. */
  readonly length: number;
  /** Attention workloads: batch 1, these heads of this width. */
  readonly heads: number;
  readonly headDim: number;
  readonly model: typeof TRAIN_STEP_MODEL;
}

export const WORKLOAD_LABELS: Record<TorchWorkload, string> = {
  'lsg-b128': 'LSG attention fwd+bwd, B1 H4 T4096 d64, block 128, factor 4, norm',
  'lsg-b32': 'LSG attention fwd+bwd, same, block 32, factor 4',
  dense: 'dense attention fwd+bwd, T4096',
  'train-step': "one training step of `npm start`'s model (2 layers × 64, 2 × 4,096 tokens, block 32/32/4 norm, AdamW)",
};

/** What one cell prints (after `RESULT `), on either side. */
export interface TorchCellResult {
  readonly wallMs: number[];
  readonly cpuMs: number[];
}

export function cellSpec(workload: TorchWorkload, threads: number, reps: number, length = 4096): TorchCellSpec {
  return { workload, threads, reps, seed: 1, length, heads: 4, headDim: 64, model: TRAIN_STEP_MODEL };
}
