// Typed, defaulted and validated configurations for LSG attention (arXiv 2210.15497).
// Two shapes of config exist because the reference has two code paths (docs/lsg.md, docs/lsg-reference.md#configuration):
// the parameter-free standalone layer and the model-level (LSG-ALBERT) attention.
import { configError } from '../engine/errors.js';

export const SPARSITY_TYPES = ['none', 'norm', 'pooling', 'lsh', 'stride', 'block_stride', 'bos_pooling'] as const;
export type SparsityType = (typeof SPARSITY_TYPES)[number];

/** Settings of the standalone layer `lsgSelfAttention` (reference `LSGSelfAttention`). */
export interface LsgLayerConfig {
  /** Queries per block; each block attends to its previous, own and next block. */
  readonly blockSize: number;
  /** One sparse token stands for `sparsityFactor` original tokens. */
  readonly sparsityFactor: number;
  readonly sparsityType: SparsityType;
  /** Token 0 becomes a global key for every query, and query 0 attends to every key. */
  readonly computeGlobalAttention: boolean;
  readonly isCausal: boolean;
  /** Reproduce the reference exactly, including the behaviours listed in docs/lsg.md. */
  readonly referenceQuirks: boolean;
}

/** Settings of the model-level attention used by LSG-ALBERT (reference `LSGAlbertConfig`). */
export interface LsgConfig {
  readonly blockSize: number;
  /** Sparse tokens taken on each side of the local window (model only; the layer uses blockSize). */
  readonly sparseBlockSize: number;
  readonly sparsityFactor: number;
  readonly sparsityType: SparsityType;
  /** Learned global tokens prepended to the sequence; they see and are seen by every token. */
  readonly numGlobalTokens: number;
  /** Masks the first real token (usually [CLS]) as a key for every query. */
  readonly maskFirstToken: boolean;
  /** The first real token's output is replaced by the first global token's output. */
  readonly poolWithGlobal: boolean;
  /** Pads ragged sequences longer than 2 blocks up to a block multiple instead of failing. */
  readonly adaptive: boolean;
  /** LSH rounds run before the final bucketing round. */
  readonly lshNumPreRounds: number;
  /** The reference's `is_decoder`: only the token block product is causal (docs/lsg.md). */
  readonly isCausal: boolean;
  readonly referenceQuirks: boolean;
}

export const LAYER_DEFAULTS: LsgLayerConfig = {
  blockSize: 128,
  sparsityFactor: 8,
  sparsityType: 'none',
  computeGlobalAttention: true,
  isCausal: false,
  referenceQuirks: false,
};

export const MODEL_DEFAULTS: LsgConfig = {
  blockSize: 128,
  sparseBlockSize: 128,
  sparsityFactor: 2,
  sparsityType: 'norm',
  numGlobalTokens: 1,
  maskFirstToken: false,
  poolWithGlobal: true,
  adaptive: true,
  lshNumPreRounds: 1,
  isCausal: false,
  referenceQuirks: false,
};

/** The LSG keys of a checkpoint's config.json (camelCase): the model attention's settings less isCausal
 * (the encoder's own `is_decoder`) and referenceQuirks; a checkpoint may say `sparsity_type: null`. */
export type LsgCheckpointKeys = Omit<LsgConfig, 'isCausal' | 'referenceQuirks' | 'sparsityType'> & { readonly sparsityType: string | null };

/**
 * The validated model attention config of a checkpoint config's LSG keys (null sparsity means none).
 * @example lsgConfigFromCheckpointKeys({ ...LSG_ALBERT_DEFAULTS, sparsityType: null, referenceQuirks: false }).sparsityType // 'none'
 */
export function lsgConfigFromCheckpointKeys(keys: LsgCheckpointKeys & { readonly referenceQuirks: boolean }): LsgConfig {
  return createLsgConfig({
    blockSize: keys.blockSize,
    sparseBlockSize: keys.sparseBlockSize,
    sparsityFactor: keys.sparsityFactor,
    sparsityType: (keys.sparsityType ?? 'none') as SparsityType,
    numGlobalTokens: keys.numGlobalTokens,
    maskFirstToken: keys.maskFirstToken,
    poolWithGlobal: keys.poolWithGlobal,
    adaptive: keys.adaptive,
    lshNumPreRounds: keys.lshNumPreRounds,
    referenceQuirks: keys.referenceQuirks,
  });
}

/** The reference's global-embedding table has 512 rows. */
export const MAX_GLOBAL_TOKENS = 512;

/**
 * Parses a sparsity type name, as read from a checkpoint config (`null` means none).
 * @example parseSparsityType('bos_pooling') // 'bos_pooling'
 */
export function parseSparsityType(fn: string, name: unknown): SparsityType {
  if (name === null || name === undefined) return 'none';
  if (typeof name === 'string' && (SPARSITY_TYPES as readonly string[]).includes(name)) return name as SparsityType;
  throw configError(fn, 'sparsityType', name, `one of ${SPARSITY_TYPES.map((type) => `"${type}"`).join(', ')} or null`);
}

function positiveInteger(fn: string, name: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) <= 0) throw configError(fn, name, value, 'a positive integer');
  return value as number;
}

function boolean(fn: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw configError(fn, name, value, 'true or false');
  return value;
}

/** Defaults overridden by the given values; a key set to undefined keeps its default. */
function withDefaults<T extends object>(fn: string, given: Partial<T>, defaults: T): T {
  const merged = { ...defaults };
  for (const [key, value] of Object.entries(given)) {
    if (!(key in defaults)) throw configError(fn, 'config key', key, `one of ${Object.keys(defaults).join(', ')}`);
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/**
 * Fills defaults and validates the standalone layer's settings.
 * @example createLsgLayerConfig({ blockSize: 16, sparsityFactor: 4, sparsityType: 'stride' })
 */
export function createLsgLayerConfig(options: Partial<LsgLayerConfig> = {}): LsgLayerConfig {
  const fn = 'createLsgLayerConfig';
  const merged = withDefaults(fn, options, LAYER_DEFAULTS);
  const blockSize = positiveInteger(fn, 'blockSize', merged.blockSize);
  const sparsityFactor = positiveInteger(fn, 'sparsityFactor', merged.sparsityFactor);
  const sparsityType = parseSparsityType(fn, merged.sparsityType);
  if (sparsityType !== 'none' && blockSize % sparsityFactor !== 0) {
    throw configError(fn, 'sparsityFactor', sparsityFactor, `a divisor of blockSize ${blockSize}`);
  }
  return Object.freeze({
    blockSize,
    sparsityFactor,
    sparsityType,
    computeGlobalAttention: boolean(fn, 'computeGlobalAttention', merged.computeGlobalAttention),
    isCausal: boolean(fn, 'isCausal', merged.isCausal),
    referenceQuirks: boolean(fn, 'referenceQuirks', merged.referenceQuirks),
  });
}

/**
 * Fills defaults and validates the model-level settings.
 * @example createLsgConfig({ blockSize: 16, sparseBlockSize: 16, sparsityFactor: 4, sparsityType: 'pooling' })
 */
export function createLsgConfig(options: Partial<LsgConfig> = {}): LsgConfig {
  const fn = 'createLsgConfig';
  const merged = withDefaults(fn, options, MODEL_DEFAULTS);
  const blockSize = positiveInteger(fn, 'blockSize', merged.blockSize);
  const sparsityFactor = positiveInteger(fn, 'sparsityFactor', merged.sparsityFactor);
  const sparsityType = parseSparsityType(fn, merged.sparsityType);
  // NOTE: 0 is accepted because the reference reads sparse_block_size == 0 as "no sparse part".
  if (!Number.isInteger(merged.sparseBlockSize) || merged.sparseBlockSize < 0) {
    throw configError(fn, 'sparseBlockSize', merged.sparseBlockSize, 'a non-negative integer');
  }
  const sparseBlockSize = merged.sparseBlockSize;
  if (blockSize % sparsityFactor !== 0) {
    throw configError(fn, 'sparsityFactor', sparsityFactor, `a divisor of blockSize ${blockSize}`);
  }
  const numGlobalTokens = positiveInteger(fn, 'numGlobalTokens', merged.numGlobalTokens);
  if (numGlobalTokens > MAX_GLOBAL_TOKENS) {
    throw configError(fn, 'numGlobalTokens', numGlobalTokens, `at most ${MAX_GLOBAL_TOKENS} (the global-embedding table size)`);
  }
  const usesChunks = (sparsityType === 'norm' || sparsityType === 'lsh') && sparseBlockSize > 0 && sparsityFactor > 1;
  if (usesChunks) {
    // norm and lsh work in chunks of min(blockSize, sparseBlockSize) tokens (docs/lsg-reference.md#sparse-tokens).
    const chunk = Math.min(blockSize, sparseBlockSize);
    if (blockSize % chunk !== 0 || chunk % sparsityFactor !== 0) {
      throw configError(fn, 'sparseBlockSize', sparseBlockSize,
        `a value whose chunk min(blockSize, sparseBlockSize) = ${chunk} divides blockSize ${blockSize} and is divisible by sparsityFactor ${sparsityFactor}`);
    }
  }
  const maskFirstToken = boolean(fn, 'maskFirstToken', merged.maskFirstToken);
  const poolWithGlobal = boolean(fn, 'poolWithGlobal', merged.poolWithGlobal);
  if (maskFirstToken && !poolWithGlobal) {
    // The reference silently switches poolWithGlobal on; a masked first token needs the global copy.
    throw configError(fn, 'poolWithGlobal', poolWithGlobal, 'true when maskFirstToken is true');
  }
  if (!Number.isInteger(merged.lshNumPreRounds) || merged.lshNumPreRounds < 0) {
    throw configError(fn, 'lshNumPreRounds', merged.lshNumPreRounds, 'a non-negative integer');
  }
  const referenceQuirks = boolean(fn, 'referenceQuirks', merged.referenceQuirks);
  const isCausal = boolean(fn, 'isCausal', merged.isCausal);
  if (isCausal && !referenceQuirks) {
    throw configError(fn, 'isCausal', isCausal,
      'false unless referenceQuirks is true: the reference model is only half causal (short inputs and global tokens see the future), see docs/lsg.md');
  }
  return Object.freeze({
    blockSize,
    sparseBlockSize,
    sparsityFactor,
    sparsityType,
    numGlobalTokens,
    maskFirstToken,
    poolWithGlobal,
    adaptive: boolean(fn, 'adaptive', merged.adaptive),
    lshNumPreRounds: merged.lshNumPreRounds,
    isCausal,
    referenceQuirks,
  });
}
