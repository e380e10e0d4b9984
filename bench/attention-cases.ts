// The attention implementations the suite compares, each named by a stable id.
import type { SparsityType } from '../lsg/index.js';

export const LSG_TYPES = ['norm', 'pooling', 'stride', 'block_stride', 'bos_pooling', 'none'] as const satisfies readonly SparsityType[];

export interface LsgShape {
  readonly blockSize: number;
  readonly sparseBlockSize: number;
  readonly sparsityFactor: number;
}

/** The two LSG settings the performance targets name (bench/targets.ts). */
export const LSG_SHAPES: Readonly<Record<'b128' | 'b32', LsgShape>> = {
  b128: { blockSize: 128, sparseBlockSize: 128, sparsityFactor: 2 },
  b32: { blockSize: 32, sparseBlockSize: 32, sparsityFactor: 4 },
};

export type AttentionImpl =
  | { readonly id: string; readonly label: string; readonly kind: 'lsgrad-dense' }
  | { readonly id: string; readonly label: string; readonly kind: 'lsgrad-lsg'; readonly shape: LsgShape; readonly sparsityType: SparsityType }
  | { readonly id: string; readonly label: string; readonly kind: 'tfjs'; readonly backend: 'cpu' | 'wasm' };

export const DENSE_ID = 'lsgrad-dense';

/** Every implementation, in table order. */
export function attentionImpls(): AttentionImpl[] {
  const lsg = (['b128', 'b32'] as const).flatMap((name) => LSG_TYPES.map((sparsityType): AttentionImpl => {
    const shape = LSG_SHAPES[name];
    return {
      id: `lsg-${name}-${sparsityType}`,
      label: `LSG ${shape.blockSize}/${shape.sparseBlockSize}/${shape.sparsityFactor} ${sparsityType}`,
      kind: 'lsgrad-lsg', shape, sparsityType,
    };
  }));
  return [
    { id: DENSE_ID, label: 'lsgrad dense', kind: 'lsgrad-dense' },
    ...lsg,
    { id: 'tfjs-wasm', label: 'tfjs-wasm dense', kind: 'tfjs', backend: 'wasm' },
    { id: 'tfjs-cpu', label: 'tfjs-cpu dense', kind: 'tfjs', backend: 'cpu' },
  ];
}

export const ATTENTION_MODES = ['forward', 'forwardBackward'] as const;
export type AttentionMode = (typeof ATTENTION_MODES)[number];

/** Batch 1, 4 heads, head dimension 64: the shapes of the performance targets. */
export const HEADS = 4;
export const HEAD_DIM = 64;
