/**
 * Dense ALBERT → LSG-ALBERT checkpoint conversion, as the reference converter
 * (ccdv-ai/convert_checkpoint_to_lsg, `AlbertConversionScript`) does it with its default,
 * non-random global initialisation:
 * - position embeddings tiled to `maxSequenceLength` rows (rows n.. repeat rows 0..);
 * - a 512-row global-embedding table: row i = P'[i] + W[i == 0 ? bos : mask] + T[0], with P' the
 *   position table reordered with the global positional stride (see `orderPositions`);
 * - every other tensor copied unchanged; config.json gains the LSG keys, `auto_map` and the LSG
 *   architecture name.
 */
import { tensor, createRng } from '../engine/index.js';
import { argumentError, CheckpointError } from '../engine/errors.js';
import { AlbertConfig, loadSafetensors, saveSafetensors, writeFileAtomic, readConfigJson, type HfJson, type StateDict } from '../nn/index.js';
import { copyFile, fileExists, joinPath, makeDirectory, readText } from '../nn/disk.js';
import { LsgAlbertConfig, LSG_ALBERT_DEFAULTS, GLOBAL_EMBEDDING_ROWS, LSG_ALBERT_CLASSES, type LsgAlbertConfigOptions } from './albert.js';

export interface ConvertOptions extends Partial<typeof LSG_ALBERT_DEFAULTS> {
  /** Rows of the new position table: the longest input the converted model accepts (default 4096). */
  maxSequenceLength?: number;
  /** Stride used to spread the original positions over the global tokens (reference default 64). */
  globalPositionalStride?: number;
  /** Add the token-type-0 embedding to every global token (reference default true). */
  useTokenIds?: boolean;
  /** Target class, dense or LSG name (default: the checkpoint's architectures[0], else AlbertForPreTraining). */
  architecture?: string;
  /** Word id added to global token 0 (default: config bos_token_id, [CLS] = 2 for ALBERT). */
  bosTokenId?: number;
  /** Word id added to the other global tokens (default 4, ALBERT's [MASK]). */
  maskTokenId?: number;
  /** Seed for the random rows used when the position table has fewer than 512 rows. */
  seed?: number;
}

export const CONVERT_DEFAULTS = { maxSequenceLength: 4096, globalPositionalStride: 64, useTokenIds: true, maskTokenId: 4, seed: 0 };

/** Default target class, as the reference's `_DEFAULT_ARCHITECTURE_TYPE`. */
const DEFAULT_ARCHITECTURE = 'AlbertForPreTraining';
const TOKENIZER_FILES = ['spiece.model', 'tokenizer.json', 'special_tokens_map.json', 'vocab.txt'];

/** `AlbertForMaskedLM` or `LSGAlbertForMaskedLM` → `LSGAlbertForMaskedLM`, checked against the known classes. */
export function lsgArchitectureName(architecture: string): keyof typeof LSG_ALBERT_CLASSES {
  const name = architecture.startsWith('LSG') ? architecture : `LSG${architecture}`;
  if (!(name in LSG_ALBERT_CLASSES)) {
    const known = Object.keys(LSG_ALBERT_CLASSES).map((lsg) => lsg.slice(3));
    throw argumentError('convertAlbertToLsg', 'architecture', architecture, `one of ${known.join(', ')} (optionally with the LSG prefix)`);
  }
  return name as keyof typeof LSG_ALBERT_CLASSES;
}

/**
 * The reference's `order_positions`: brings the table to 512 rows (truncating to a multiple of 512,
 * or appending normal(mean, std) rows when shorter), keeps every (n/512)-th row, then interleaves
 * with stride s = globalPositionalStride / factor: row i = Q[(i % (512/s))·s + ⌊i / (512/s)⌋].
 * @example
 *   orderPositions(positionRows, 512, 16, 64); // Float32Array of 512 × 16
 */
export function orderPositions(positions: Float32Array, rows: number, width: number, stride: number, seed = 0): Float32Array {
  let table = positions;
  let n = rows;
  if (n % GLOBAL_EMBEDDING_ROWS !== 0) {
    if (n > GLOBAL_EMBEDDING_ROWS) {
      n = GLOBAL_EMBEDDING_ROWS * Math.floor(n / GLOBAL_EMBEDDING_ROWS);
      table = table.subarray(0, n * width);
    } else {
      table = padWithNormalRows(table, n, width, GLOBAL_EMBEDDING_ROWS - n, seed);
      n = GLOBAL_EMBEDDING_ROWS;
    }
  }
  const factor = n / GLOBAL_EMBEDDING_ROWS;
  const innerStride = Math.floor(stride / factor);
  if (innerStride < 1 || GLOBAL_EMBEDDING_ROWS % innerStride !== 0) {
    throw argumentError('orderPositions', 'globalPositionalStride', stride, `a value whose stride / ${factor} divides ${GLOBAL_EMBEDDING_ROWS}`);
  }
  const groups = GLOBAL_EMBEDDING_ROWS / innerStride;
  const out = new Float32Array(GLOBAL_EMBEDDING_ROWS * width);
  for (let i = 0; i < GLOBAL_EMBEDDING_ROWS; i++) {
    const kept = (i % groups) * innerStride + Math.floor(i / groups); // row of the subsampled table
    out.set(table.subarray(kept * factor * width, (kept * factor + 1) * width), i * width);
  }
  return out;
}

/** Appends `extra` rows drawn per column from normal(mean, unbiased std) of the existing rows. */
function padWithNormalRows(table: Float32Array, rows: number, width: number, extra: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array((rows + extra) * width);
  out.set(table.subarray(0, rows * width));
  for (let column = 0; column < width; column++) {
    let mean = 0;
    for (let row = 0; row < rows; row++) mean += table[row * width + column]! / rows;
    let squares = 0;
    for (let row = 0; row < rows; row++) squares += (table[row * width + column]! - mean) ** 2;
    const std = rows > 1 ? Math.sqrt(squares / (rows - 1)) : 0;
    for (let row = rows; row < rows + extra; row++) out[row * width + column] = mean + std * rng.normal();
  }
  return out;
}

/** Rows 0..n-1 repeated until `maxRows` rows (the reference's cat then slice). */
export function tilePositions(positions: Float32Array, rows: number, width: number, maxRows: number): Float32Array {
  const out = new Float32Array(maxRows * width);
  for (let row = 0; row < maxRows; row++) out.set(positions.subarray((row % rows) * width, (row % rows + 1) * width), row * width);
  return out;
}

function float32Of(state: StateDict, name: string): Float32Array {
  const value = state[name];
  if (value === undefined) throw new CheckpointError('convertAlbertToLsg', `the checkpoint has no ${name}`);
  return Float32Array.from(value.toTypedArray() as ArrayLike<number>);
}

/**
 * Converts a dense ALBERT state dict and config to LSG-ALBERT (in memory).
 * @example
 *   const { config, state } = convertAlbertState(denseState, denseConfig, { maxSequenceLength: 4096, blockSize: 128 });
 */
export function convertAlbertState(state: StateDict, dense: AlbertConfig, options: ConvertOptions = {}): { config: LsgAlbertConfig; state: StateDict; architecture: string } {
  const settings = { ...CONVERT_DEFAULTS, ...options };
  const { maxSequenceLength, globalPositionalStride, useTokenIds, maskTokenId, seed } = settings;
  if (!Number.isInteger(maxSequenceLength) || maxSequenceLength <= 0) {
    throw argumentError('convertAlbertToLsg', 'maxSequenceLength', maxSequenceLength, 'a positive integer');
  }
  const architecture = lsgArchitectureName(options.architecture ?? dense.architectures?.[0] ?? DEFAULT_ARCHITECTURE);
  const isLsg = dense instanceof LsgAlbertConfig || dense.extra.base_model_prefix === 'lsg' || (dense.architectures?.[0] ?? '').startsWith('LSG');
  const prefix = 'albert.embeddings.position_embeddings.weight' in state ? 'albert.' : '';
  const names = {
    position: `${prefix}embeddings.position_embeddings.weight`,
    word: `${prefix}embeddings.word_embeddings.weight`,
    tokenType: `${prefix}embeddings.token_type_embeddings.weight`,
    global: `${prefix}embeddings.global_embeddings.weight`,
  };
  const width = dense.embeddingSize;
  const positions = float32Of(state, names.position);
  const rows = positions.length / width;
  const out: StateDict = { ...state };
  out[names.position] = tensor(tilePositions(positions, rows, width, maxSequenceLength), { shape: [maxSequenceLength, width], dtype: 'float32' });
  // An LSG checkpoint keeps its trained global tokens (the reference's --resize_lsg).
  if (!isLsg || out[names.global] === undefined) {
    const words = float32Of(state, names.word);
    const bosTokenId = options.bosTokenId ?? dense.bosTokenId;
    for (const [flag, id] of [['bosTokenId', bosTokenId], ['maskTokenId', maskTokenId]] as const) {
      if (!Number.isInteger(id) || id < 0 || id >= dense.vocabSize) throw argumentError('convertAlbertToLsg', flag, id, `a word id in [0, ${dense.vocabSize})`);
    }
    const global = orderPositions(positions, rows, width, globalPositionalStride, seed);
    const typeZero = useTokenIds ? float32Of(state, names.tokenType).subarray(0, width) : null;
    // NOTE: two float32 additions in the reference's order ((P + W) + T), each rounded, so the
    // result equals the reference bit for bit.
    for (let row = 0; row < GLOBAL_EMBEDDING_ROWS; row++) {
      const word = (row === 0 ? bosTokenId : maskTokenId) * width;
      for (let j = 0; j < width; j++) global[row * width + j] = global[row * width + j]! + words[word + j]!;
      if (typeZero) for (let j = 0; j < width; j++) global[row * width + j] = global[row * width + j]! + typeZero[j]!;
    }
    out[names.global] = tensor(global, { shape: [GLOBAL_EMBEDDING_ROWS, width], dtype: 'float32' });
  }
  const lsgOptions: Record<string, unknown> = {};
  for (const key of Object.keys(LSG_ALBERT_DEFAULTS)) {
    const value = (options as Record<string, unknown>)[key] ?? (dense instanceof LsgAlbertConfig ? (dense as unknown as Record<string, unknown>)[key] : undefined);
    if (value !== undefined) lsgOptions[key] = value;
  }
  const config = new LsgAlbertConfig(
    { ...dense.toOptions(), ...lsgOptions, maxPositionEmbeddings: maxSequenceLength, architectures: [architecture] } as LsgAlbertConfigOptions,
    dense.extra,
  );
  return { config, state: out, architecture };
}

/**
 * Reads a dense ALBERT checkpoint folder, converts it, and writes the LSG-ALBERT folder
 * (config.json, model.safetensors, and the tokenizer files that exist, with model_max_length updated).
 * @example
 *   convertAlbertCheckpoint('albert-base-v2', 'lsg-albert-base-v2-4096', { maxSequenceLength: 4096, blockSize: 128, sparsityType: 'norm' });
 */
export function convertAlbertCheckpoint(inDir: string, outDir: string, options: ConvertOptions = {}): { config: LsgAlbertConfig; architecture: string } {
  const json = readConfigJson(inDir, 'convertAlbertToLsg');
  const dense = json.base_model_prefix === 'lsg' ? LsgAlbertConfig.fromHfJson(json) : AlbertConfig.fromHfJson(json);
  const weights = joinPath(inDir, 'model.safetensors');
  if (!fileExists(weights)) throw new CheckpointError('convertAlbertToLsg', `no model.safetensors in ${inDir} (PyTorch .bin checkpoints are not read; save with safe_serialization)`);
  const { config, state, architecture } = convertAlbertState(loadSafetensors(weights, 'float32'), dense, options);
  makeDirectory(outDir);
  saveSafetensors(joinPath(outDir, 'model.safetensors'), state);
  const outJson: HfJson = { ...config.toHfJson(), _name_or_path: outDir };
  writeFileAtomic(joinPath(outDir, 'config.json'), `${JSON.stringify(sortKeys(outJson), null, 2)}\n`);
  copyTokenizer(inDir, outDir, config.maxPositionEmbeddings);
  return { config, architecture };
}

function sortKeys(json: HfJson): HfJson {
  return Object.fromEntries(Object.entries(json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function copyTokenizer(inDir: string, outDir: string, maxLength: number): void {
  for (const name of TOKENIZER_FILES) if (fileExists(joinPath(inDir, name))) copyFile(joinPath(inDir, name), joinPath(outDir, name));
  const tokenizerConfig = joinPath(inDir, 'tokenizer_config.json');
  if (fileExists(tokenizerConfig)) {
    const parsed = JSON.parse(readText(tokenizerConfig)) as HfJson;
    writeFileAtomic(joinPath(outDir, 'tokenizer_config.json'), `${JSON.stringify({ ...parsed, model_max_length: maxLength }, null, 2)}\n`);
  }
}

