/**
 * The pattern explorer's computation, without the DOM: for an LSG-ALBERT attention configuration,
 * which keys each query sees (the library's own planner, through lsgModelConnectivity), drawn as
 * a picture with one colour per reason (global, local, sparse, masked), with the counts beside
 * it: keys per query, the fraction of the dense matrix, and the attention's cost against dense.
 */
import { argumentError, createRng, ones, randn, zeros, type Tensor } from 'lsgrad';
import { createLsgConfig, lsgAttention, lsgModelConnectivity, prepareLsgInputs, type LsgConfig, type SparsityType } from 'lsgrad/lsg';
import { heatmapSvg, type HeatmapCategory } from '../../viz/heatmap.js';

export interface PatternSettings {
  seqLen: number;
  blockSize: number;
  sparseBlockSize: number;
  sparsityFactor: number;
  sparsityType: SparsityType;
  numGlobalTokens: number;
  /** The reference's is_decoder; lsgrad accepts it only with referenceQuirks, which the explorer then sets. */
  causal: boolean;
  maskFirstToken: boolean;
  heads: number;
  /** The head drawn (stride and block_stride pick different tokens in each head). */
  head: number;
  /** Only the cost figures use it: attention FLOPs and memory grow with it. */
  headDim: number;
  /** Seeds the random queries, keys and values that norm, pooling, bos_pooling and lsh read. */
  seed: number;
}

export const PATTERN_DEFAULTS: PatternSettings = {
  seqLen: 128, blockSize: 16, sparseBlockSize: 16, sparsityFactor: 4, sparsityType: 'norm', numGlobalTokens: 1,
  causal: false, maskFirstToken: false, heads: 4, head: 0, headDim: 64, seed: 0,
};

/** The longest sequence the explorer draws: the key set is a (queries × keys) count matrix per head. */
export const MAX_PATTERN_LENGTH = 1024;

/** Types whose key set depends on the inputs (norm and lsh select by them; the pooling types average them). */
export const DATA_DEPENDENT_TYPES: readonly SparsityType[] = ['norm', 'pooling', 'bos_pooling', 'lsh'];

/** Picture classes, least important first (pooling a large picture keeps the highest). */
export const PATTERN_CATEGORIES: readonly HeatmapCategory[] = [
  { label: 'masked (causal or mask-first-token)', color: '#f4a6a6' },
  { label: 'local', color: '#1f4e9c' },
  { label: 'sparse', color: '#2ca02c' },
  { label: 'global', color: '#ff9f1c' },
];
const MASKED = 1, LOCAL = 2, SPARSE = 3, GLOBAL = 4;

export interface AttentionCost {
  /** Attention scores computed per head (the block layout's width, padding included). */
  readonly scoreEntries: number;
  /** Multiply-adds of q·kᵀ and p·v over all heads, counted as 2 FLOPs each. */
  readonly flops: number;
  /** float32 bytes of the score matrices of all heads. */
  readonly scoreBytes: number;
}

export interface PatternResult {
  readonly svg: string;
  /** Distinct keys (pooled sparse tokens included) seen by each real token query of the head. */
  readonly keysPerQuery: { readonly mean: number; readonly min: number; readonly max: number };
  /** Attended (query, key) pairs over all pairs of dense attention over the same rows. */
  readonly fractionOfDense: number;
  /** Cells of each class in the picture's head (before pooling). */
  readonly cells: Readonly<Record<'global' | 'local' | 'sparse' | 'masked', number>>;
  readonly lsg: AttentionCost;
  /** Dense attention over the seqLen tokens. */
  readonly dense: AttentionCost;
  readonly dataDependent: boolean;
  /** At most 2 blocks of tokens: LSG runs dense attention (no sparsity, no causality). */
  readonly isShort: boolean;
  readonly config: LsgConfig;
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw argumentError('explorePattern', name, value, `an integer from ${min} to ${max}`);
}

/** The explorer's config: the library validates it, so an invalid combination throws the library's own error. */
export function patternConfig(settings: PatternSettings): LsgConfig {
  return createLsgConfig({
    blockSize: settings.blockSize, sparseBlockSize: settings.sparseBlockSize, sparsityFactor: settings.sparsityFactor,
    sparsityType: settings.sparsityType, numGlobalTokens: settings.numGlobalTokens, maskFirstToken: settings.maskFirstToken,
    isCausal: settings.causal, referenceQuirks: settings.causal,
  });
}

/** (heads, rows, columns) counts of the key set, for seeded inputs; lsh hyperplanes from a generator seeded alike. */
function keyCounts(config: LsgConfig, q: Tensor, k: Tensor, v: Tensor, tokenKeep: Tensor, seed: number) {
  const connectivity = lsgModelConnectivity(q, k, v, tokenKeep, config, { lsh: { rng: createRng(seed + 1) } });
  return { counts: connectivity.counts.toTypedArray(), columns: connectivity.counts.shape[3]!, numKeys: connectivity.numKeys };
}

/**
 * The key set of every query under `settings`, as a picture and counts.
 * @example explorePattern({ ...PATTERN_DEFAULTS, sparsityType: 'none' }).keysPerQuery.mean
 */
export function explorePattern(settings: PatternSettings): PatternResult {
  checkInteger('seqLen', settings.seqLen, 2, MAX_PATTERN_LENGTH);
  checkInteger('heads', settings.heads, 1, 16);
  checkInteger('head', settings.head, 0, settings.heads - 1);
  checkInteger('headDim', settings.headDim, 1, 4096);
  checkInteger('seed', settings.seed, 0, 2 ** 31 - 1);
  const config = patternConfig(settings);
  const g = config.numGlobalTokens;
  // The model's own preparation: mask-first-token, then adaptive padding up to a block multiple.
  const prepared = prepareLsgInputs(zeros([1, g + settings.seqLen, 1]), ones([1, settings.seqLen]), config);
  const tokens = prepared.tokenKeep.shape[1]!;
  const rows = g + tokens;
  const rng = createRng(settings.seed);
  const [q, k, v] = [0, 1, 2].map(() => randn([1, settings.heads, rows, settings.headDim], { rng })) as [Tensor, Tensor, Tensor];
  const actual = keyCounts(config, q, k, v, prepared.tokenKeep, settings.seed);
  // The same attention with nothing hidden: what it sees and `actual` does not is masked.
  const hides = config.maskFirstToken || config.isCausal;
  const unmasked = hides ? keyCounts(createLsgConfig({ ...config, maskFirstToken: false, isCausal: false }), q, k, v, ones([1, tokens]), settings.seed) : actual;

  const realRows = g + settings.seqLen;
  const pooled = actual.columns - actual.numKeys;
  const shownColumns = realRows + pooled;
  const picture = new Float64Array(realRows * shownColumns);
  const cells = { global: 0, local: 0, sparse: 0, masked: 0 };
  const headBase = settings.head * rows * actual.columns;
  const isShort = tokens <= 2 * config.blockSize;
  let attended = 0;
  let keySum = 0, keyMin = Infinity, keyMax = 0;
  for (let row = 0; row < realRows; row++) {
    let keys = 0;
    for (let shown = 0; shown < shownColumns; shown++) {
      const column = shown < realRows ? shown : actual.numKeys + (shown - realRows);
      const count = actual.counts[headBase + row * actual.columns + column]!;
      let category = 0;
      if (count > 0) {
        keys++;
        if (row < g || column < g) category = GLOBAL;
        else if (column >= actual.numKeys) category = SPARSE;
        else category = isShort || Math.abs(Math.floor((column - g) / config.blockSize) - Math.floor((row - g) / config.blockSize)) <= 1 ? LOCAL : SPARSE;
      } else if (column < actual.numKeys && unmasked.counts[headBase + row * unmasked.columns + column]! > 0) {
        category = MASKED;
      }
      picture[row * shownColumns + shown] = category;
      if (category > 0) cells[(['masked', 'local', 'sparse', 'global'] as const)[category - 1]!]++;
    }
    attended += keys;
    if (row >= g) {
      keySum += keys;
      keyMin = Math.min(keyMin, keys);
      keyMax = Math.max(keyMax, keys);
    }
  }

  const lsgEntries = scoreEntries(config, q, k, v, prepared.tokenKeep, settings.seed);
  const cost = (entries: number): AttentionCost => ({
    scoreEntries: entries, flops: 4 * settings.headDim * entries * settings.heads, scoreBytes: 4 * entries * settings.heads,
  });
  const dataDependent = DATA_DEPENDENT_TYPES.includes(config.sparsityType);
  const svg = heatmapSvg(picture, realRows, shownColumns, {
    title: `${config.sparsityType}: the keys each query sees (head ${settings.head})`,
    subtitles: [
      `${settings.seqLen} tokens, block ${config.blockSize}, sparse block ${config.sparseBlockSize}, factor ${config.sparsityFactor}, ${g} global${settings.causal ? ', causal' : ''}${settings.maskFirstToken ? ', first token masked' : ''}`,
      pooled > 0 ? `the last ${pooled} columns are pooled sparse tokens, one per ${config.sparsityFactor} tokens` : g === 1 ? 'row and column 0: the global token' : `rows and columns 0..${g - 1}: the global tokens`,
      ...(dataDependent ? [`seeded random inputs (seed ${settings.seed}): ${config.sparsityType} depends on them`] : []),
    ],
    xLabel: `keys (${realRows}${pooled > 0 ? ` + ${pooled} pooled` : ''})`,
    yLabel: `queries (${realRows})`,
    maxCells: 256,
    categories: PATTERN_CATEGORIES,
  });
  return {
    svg,
    keysPerQuery: { mean: keySum / settings.seqLen, min: keyMin, max: keyMax },
    fractionOfDense: attended / (realRows * realRows),
    cells,
    lsg: cost(lsgEntries),
    dense: cost(settings.seqLen * settings.seqLen),
    dataDependent,
    isShort,
    config,
  };
}

/** Score entries LSG computes per head: its traced block scores (or the dense path's), plus the global queries'. */
function scoreEntries(config: LsgConfig, q: Tensor, k: Tensor, v: Tensor, tokenKeep: Tensor, seed: number): number {
  const one = (x: Tensor) => x.narrow(1, 0, 1);
  let blockScores = 0;
  const trace = (name: string, value: Tensor) => {
    if (name === 'scores') blockScores = value.size;
    return value;
  };
  lsgAttention(one(q), one(k), one(v), tokenKeep, config, { trace, lsh: { rng: createRng(seed + 1) } });
  const rows = q.shape[2]!;
  // The short path and the global queries are dense over all rows.
  return blockScores === 0 ? rows * rows : blockScores + config.numGlobalTokens * rows;
}
