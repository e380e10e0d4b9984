/**
 * Dense → LSG checkpoint conversion for ALBERT, BERT, RoBERTa, XLM-RoBERTa and CamemBERT, as the
 * reference converter (ccdv-ai/convert_checkpoint_to_lsg) does it with its default, non-random
 * global initialisation:
 * - the position table's real rows tiled to `maxSequenceLength` rows (RoBERTa-family tables keep
 *   their `padTokenId + 1` offset rows in front);
 * - a 512-row global-embedding table: row i = P'[i] + W[i == 0 ? bos : mask] (+ T[0] for ALBERT
 *   and BERT with `useTokenIds`), with P' the real position rows reordered by the global stride;
 * - the target class's weights copied, its new heads initialised, weights it lacks dropped;
 *   config.json gains the LSG keys, `auto_map`, `reference_quirks` and the LSG architecture name.
 * Where the reference is buggy (the RoBERTa family's too-short position table for some lengths),
 * lsgrad writes the full table and says how its output differs.
 */
import { tensor, createRng } from '../engine/index.js';
import { argumentError, CheckpointError } from '../engine/errors.js';
import {
  AlbertConfig, BertConfig, RobertaConfig, XLMRobertaConfig, CamembertConfig, adaptPrefix, loadSafetensors, stateDictFromSafetensors,
  writeFileAtomic, readConfigJson, withSortedKeys, POSITION_NUMBERINGS, type PositionIdScheme, type HfJson, type StateDict, type PretrainedFiles, type PreTrainedModel, type ModelBuildOptions,
} from '../nn/index.js';
import { copyFile, fileExists, joinPath, makeDirectory, readText } from '../nn/disk.js';
import { LsgAlbertConfig, LSG_ALBERT_DEFAULTS, GLOBAL_EMBEDDING_ROWS, LSG_ALBERT_CLASSES } from './albert.js';
import { LsgBertConfig, LsgRobertaConfig, LsgXLMRobertaConfig, LsgCamembertConfig } from './models/bert-config.js';
import * as lsgBertClasses from './models/bert.js';

export interface ConvertOptions extends Partial<typeof LSG_ALBERT_DEFAULTS> {
  /** The longest input the converted model accepts (default 4096); RoBERTa-family tables get 2 more rows. */
  maxSequenceLength?: number;
  /** Stride used to spread the original positions over the global tokens (reference default 64). */
  globalPositionalStride?: number;
  /** Add the token-type-0 embedding to every global token (ALBERT and BERT; reference default true). */
  useTokenIds?: boolean;
  /** Target class, dense or LSG name (default: the checkpoint's architectures[0], else the family's pre-training or masked-LM class). */
  architecture?: string;
  /** Word id added to global token 0 (default: the tokenizer's bos or [CLS], else the family's default). */
  bosTokenId?: number;
  /** Word id added to the other global tokens (default: the tokenizer's mask token, else the family's default). */
  maskTokenId?: number;
  /** Compute the reference's behaviours exactly (default: the source's record, true for a dense source: the output is meant for PyTorch). */
  referenceQuirks?: boolean;
  /** Seed for new heads and for the random rows used when the position table has fewer than 512 rows. */
  seed?: number;
}

export const CONVERT_DEFAULTS = { maxSequenceLength: 4096, globalPositionalStride: 64, useTokenIds: true, seed: 0 };

type LsgConfigLike = LsgAlbertConfig | LsgBertConfig;
type DenseConfigLike = AlbertConfig | BertConfig;
interface LsgClass {
  new (config: never, options?: ModelBuildOptions): PreTrainedModel & { readonly tiedKeys: readonly string[] };
  readonly hfClassName: string;
}

/** Ids found in a checkpoint folder's tokenizer files. */
export interface TokenizerIds {
  bos?: number;
  mask?: number;
  /** Which file they came from. */
  source: string;
}

/** What differs between the families: tables, offsets, defaults and the classes. */
interface Family {
  readonly name: 'albert' | 'bert' | 'roberta' | 'xlm-roberta' | 'camembert';
  readonly dense: (json: HfJson) => DenseConfigLike;
  readonly lsg: (options: Record<string, unknown>, extra: HfJson) => LsgConfigLike;
  readonly lsgFromJson: (json: HfJson) => LsgConfigLike;
  readonly classes: Record<string, LsgClass>;
  readonly defaultArchitecture: string;
  readonly width: (config: DenseConfigLike) => number;
  /** How the family numbers positions; it gives the rows in front of the real ones (RoBERTa family: padTokenId + 1). */
  readonly positions: PositionIdScheme;
  /** Whether the global rows get the token-type-0 row (the reference's RoBERTa scripts ignore useTokenIds). */
  readonly tokenTypeInGlobals: boolean;
  /** bos and mask ids when neither a flag nor a tokenizer file gives them. */
  readonly defaultIds: (config: DenseConfigLike) => { bos: number; mask: number; source: string };
}

const bertClasses = (stem: string): Record<string, LsgClass> => Object.fromEntries(
  Object.entries(lsgBertClasses).filter(([name, value]) => typeof value === 'function' && new RegExp(`^LSG${stem}(Model|For\\w+)$`).test(name)),
) as Record<string, LsgClass>;
const robertaIds = (config: DenseConfigLike) => ({ bos: config.bosTokenId ?? 0, mask: config.vocabSize - 1, source: 'bos_token_id; <mask> is the last id, as in roberta-base, xlm-roberta-base and camembert-base' });
const robertaFamily = (name: 'roberta' | 'xlm-roberta' | 'camembert', stem: string, Dense: typeof RobertaConfig, Lsg: typeof LsgRobertaConfig, dense: string): Family => ({
  name,
  dense: (json) => Dense.fromHfJson(json),
  lsg: (options, extra) => new Lsg(options as never, extra),
  lsgFromJson: (json) => Lsg.fromHfJson(json),
  classes: bertClasses(stem),
  defaultArchitecture: `${dense}ForMaskedLM`,
  width: (config) => config.hiddenSize,
  positions: 'afterPadTokenId',
  tokenTypeInGlobals: false,
  defaultIds: robertaIds,
});

const FAMILIES: Record<Family['name'], Family> = {
  albert: {
    name: 'albert',
    dense: (json) => AlbertConfig.fromHfJson(json),
    lsg: (options, extra) => new LsgAlbertConfig(options, extra),
    lsgFromJson: (json) => LsgAlbertConfig.fromHfJson(json),
    classes: LSG_ALBERT_CLASSES as unknown as Record<string, LsgClass>,
    defaultArchitecture: 'AlbertForPreTraining',
    width: (config) => (config as AlbertConfig).embeddingSize,
    positions: 'fromZero',
    tokenTypeInGlobals: true,
    defaultIds: (config) => ({ bos: config.bosTokenId ?? 2, mask: 4, source: 'bos_token_id; [MASK] is 4 in albert-base-v2' }),
  },
  bert: {
    name: 'bert',
    dense: (json) => BertConfig.fromHfJson(json),
    lsg: (options, extra) => new LsgBertConfig(options as never, extra),
    lsgFromJson: (json) => LsgBertConfig.fromHfJson(json),
    classes: bertClasses('Bert'),
    defaultArchitecture: 'BertForPreTraining',
    width: (config) => config.hiddenSize,
    positions: 'fromZero',
    tokenTypeInGlobals: true,
    defaultIds: () => ({ bos: 101, mask: 103, source: '[CLS] 101 and [MASK] 103 of the bert-base vocabularies' }),
  },
  roberta: robertaFamily('roberta', 'Roberta', RobertaConfig, LsgRobertaConfig, 'Roberta'),
  'xlm-roberta': robertaFamily('xlm-roberta', 'XLMRoberta', XLMRobertaConfig, LsgXLMRobertaConfig, 'XLMRoberta'),
  camembert: robertaFamily('camembert', 'Camembert', CamembertConfig, LsgCamembertConfig, 'Camembert'),
};

/** The families `lsgrad convert` reads, by config.json's `model_type`. */
export const CONVERTIBLE_MODEL_TYPES = Object.keys(FAMILIES);

function familyOf(json: HfJson): Family {
  const modelType = json.model_type;
  if (typeof modelType === 'string' && Object.hasOwn(FAMILIES, modelType)) return FAMILIES[modelType as Family['name']];
  throw argumentError('convertToLsg', 'config.json model_type', modelType, `one of ${CONVERTIBLE_MODEL_TYPES.join(', ')}`);
}

/** `RobertaForMaskedLM` or `LSGRobertaForMaskedLM` → `LSGRobertaForMaskedLM`, checked against the family's classes. */
export function lsgArchitectureName(family: Family['name'], architecture: string): string {
  const name = architecture.startsWith('LSG') ? architecture : `LSG${architecture}`;
  const classes = FAMILIES[family].classes;
  if (!(name in classes)) {
    const known = Object.keys(classes).map((lsg) => lsg.slice(3)).sort();
    throw argumentError('convertToLsg', 'architecture', architecture, `one of ${known.join(', ')} (optionally with the LSG prefix) for a ${family} checkpoint`);
  }
  return name;
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

/**
 * How many position rows the reference converter writes: it repeats the real rows
 * ⌊length / tableRows⌋ + 1 times, counting the offset rows in `tableRows`, so for RoBERTa-family
 * lengths between 512·m and 514·m its table comes out shorter than `length + offset`.
 * @example referencePositionRows(1025, 512, 2) // 1026, where 1027 are needed
 */
export function referencePositionRows(length: number, realRows: number, offset: number): number {
  const copies = Math.floor(length / (realRows + offset)) + 1;
  return Math.min(offset + copies * realRows, length + offset);
}

function keyEndingWith(state: StateDict, suffix: string): string | undefined {
  return Object.keys(state).find((name) => name === suffix || name.endsWith(`.${suffix}`));
}

function float32Of(state: StateDict, name: string | undefined, what: string): Float32Array {
  const value = name === undefined ? undefined : state[name];
  if (value === undefined) throw new CheckpointError('convertToLsg', `the checkpoint has no ${what}`);
  return Float32Array.from(value.toTypedArray() as ArrayLike<number>);
}

/** What a conversion did, for the summary line and the tests. */
export interface ConversionReport {
  family: Family['name'];
  architecture: string;
  config: LsgConfigLike;
  /** Target-class weights the source lacked, initialised (normal(0, initializer_range), zero biases). */
  initialised: string[];
  /** Source weights the target class has no place for. */
  dropped: string[];
  /** The word ids added to the global rows and where they came from. */
  tokenIds: { bos: number; mask: number; source: string };
  /** Where the output differs from what the reference converter would write. */
  notes: string[];
}

/**
 * Converts a checkpoint held in memory (config.json text + model.safetensors bytes, as
 * `toPretrainedFiles` gives) and returns the LSG checkpoint's files and a report.
 * @example
 *   const { files, report } = convertToLsgFiles(model.toPretrainedFiles(), { maxSequenceLength: 4096 });
 */
export function convertToLsgFiles(source: PretrainedFiles, options: ConvertOptions & { tokenizerIds?: TokenizerIds } = {}): { files: PretrainedFiles; report: ConversionReport } {
  const json = JSON.parse(source['config.json']) as HfJson;
  const { model, report } = convertToLsgModel(json, stateDictFromSafetensors(source['model.safetensors'], 'float32'), options);
  return { files: model.toPretrainedFiles(), report };
}

/** The conversion itself: the LSG model holding the converted weights, and the report. */
function convertToLsgModel(json: HfJson, sourceState: StateDict, options: ConvertOptions & { tokenizerIds?: TokenizerIds }): { model: PreTrainedModel; report: ConversionReport } {
  const family = familyOf(json);
  const settings = { ...CONVERT_DEFAULTS, ...options };
  const { maxSequenceLength, globalPositionalStride, useTokenIds, seed } = settings;
  if (!Number.isInteger(maxSequenceLength) || maxSequenceLength <= 0) {
    throw argumentError('convertToLsg', 'maxSequenceLength', maxSequenceLength, 'a positive integer');
  }
  const isLsg = json.base_model_prefix === 'lsg' || String((json.architectures as string[] | undefined)?.[0] ?? '').startsWith('LSG');
  const source: DenseConfigLike = isLsg ? family.lsgFromJson(json) : family.dense(json);
  const architecture = lsgArchitectureName(family.name, options.architecture ?? source.architectures?.[0] ?? family.defaultArchitecture);
  const Target = family.classes[architecture]!;

  const width = family.width(source);
  const offset = POSITION_NUMBERINGS[family.positions].offset(source);
  const positionKey = keyEndingWith(sourceState, 'embeddings.position_embeddings.weight');
  const positions = float32Of(sourceState, positionKey, 'embeddings.position_embeddings.weight');
  const tableRows = positions.length / width;
  const realRows = tableRows - offset;
  if (realRows < 1) throw new CheckpointError('convertToLsg', `the position table has ${tableRows} rows, fewer than the ${offset} offset rows of a ${family.name} table`);
  const state: StateDict = { ...sourceState };
  const real = positions.subarray(offset * width);
  const newTable = new Float32Array((maxSequenceLength + offset) * width);
  newTable.set(positions.subarray(0, offset * width));
  newTable.set(tilePositions(real, realRows, width, maxSequenceLength), offset * width);
  state[positionKey!] = tensor(newTable, { shape: [maxSequenceLength + offset, width], dtype: 'float32' });
  const notes: string[] = [];
  const referenceRows = referencePositionRows(maxSequenceLength, realRows, offset);
  if (referenceRows < maxSequenceLength + offset) {
    notes.push(`the reference converter would write only ${referenceRows} position rows for --max-sequence-length ${maxSequenceLength} ` +
      `(its config says ${maxSequenceLength + offset}, so PyTorch refuses the checkpoint with a size mismatch); lsgrad writes all ${maxSequenceLength + offset}`);
  }

  const defaults = family.defaultIds(source);
  const fromTokenizer = options.tokenizerIds;
  const tokenIds = {
    bos: options.bosTokenId ?? fromTokenizer?.bos ?? defaults.bos,
    mask: options.maskTokenId ?? fromTokenizer?.mask ?? defaults.mask,
    source: options.bosTokenId !== undefined && options.maskTokenId !== undefined ? 'the command line' : (fromTokenizer?.bos !== undefined || fromTokenizer?.mask !== undefined) ? fromTokenizer!.source : defaults.source,
  };
  const globalKey = positionKey!.replace('position_embeddings', 'global_embeddings');
  // An LSG checkpoint keeps its trained global tokens (the reference's --resize_lsg).
  if (!isLsg || state[globalKey] === undefined) {
    for (const [flag, id] of [['bosTokenId', tokenIds.bos], ['maskTokenId', tokenIds.mask]] as const) {
      if (!Number.isInteger(id) || id < 0 || id >= source.vocabSize) {
        throw argumentError('convertToLsg', flag, id, `a word id in [0, ${source.vocabSize}) (from ${tokenIds.source}; give --bos-token-id / --mask-token-id)`);
      }
    }
    const words = float32Of(state, keyEndingWith(state, 'embeddings.word_embeddings.weight'), 'embeddings.word_embeddings.weight');
    const global = orderPositions(real, realRows, width, globalPositionalStride, seed);
    const typeZero = family.tokenTypeInGlobals && useTokenIds
      ? float32Of(state, keyEndingWith(state, 'embeddings.token_type_embeddings.weight'), 'embeddings.token_type_embeddings.weight').subarray(0, width)
      : null;
    // NOTE: float32 additions in the reference's order ((P + W) + T), each rounded, so the result
    // equals the reference bit for bit.
    for (let row = 0; row < GLOBAL_EMBEDDING_ROWS; row++) {
      const word = (row === 0 ? tokenIds.bos : tokenIds.mask) * width;
      for (let j = 0; j < width; j++) global[row * width + j] = global[row * width + j]! + words[word + j]!;
      if (typeZero) for (let j = 0; j < width; j++) global[row * width + j] = global[row * width + j]! + typeZero[j]!;
    }
    state[globalKey] = tensor(global, { shape: [GLOBAL_EMBEDDING_ROWS, width], dtype: 'float32' });
  }

  // LSG settings: the flags given, else the source's own (an LSG checkpoint), else the defaults.
  const lsgOptions: Record<string, unknown> = {};
  for (const key of [...Object.keys(LSG_ALBERT_DEFAULTS), 'referenceQuirks']) {
    const value = (options as Record<string, unknown>)[key] ?? (isLsg ? (source as unknown as Record<string, unknown>)[key] : undefined);
    if (value !== undefined) lsgOptions[key] = value;
  }
  // A dense source's output is meant for PyTorch: compute what the reference computes.
  lsgOptions.referenceQuirks ??= true;
  const config = family.lsg(
    { ...source.toOptions(), ...lsgOptions, maxPositionEmbeddings: maxSequenceLength + offset, architectures: [architecture] },
    source.extra,
  );
  const model = new Target(config as never, { rng: createRng(seed) });
  const { missingKeys, unexpectedKeys } = model.loadStateDict(adaptPrefix(state, model, (Target as unknown as typeof PreTrainedModel).baseModelPrefix), { strict: false, ignoredKeys: model.tiedKeys });
  return { model, report: { family: family.name, architecture, config, initialised: missingKeys, dropped: unexpectedKeys, tokenIds, notes } };
}

/**
 * The bos/cls and mask ids of a folder's tokenizer files: tokenizer.json's added tokens, else
 * BERT's vocab.txt; undefined when neither is there.
 */
export function tokenizerIdsOf(dir: string): TokenizerIds | undefined {
  const tokenizerJson = joinPath(dir, 'tokenizer.json');
  if (fileExists(tokenizerJson)) {
    const added = (JSON.parse(readText(tokenizerJson)) as { added_tokens?: { id: number; content: string }[] }).added_tokens ?? [];
    const idOf = (...names: string[]) => added.find((token) => names.includes(token.content))?.id;
    return { bos: idOf('<s>', '[CLS]'), mask: idOf('<mask>', '[MASK]'), source: 'tokenizer.json' };
  }
  const vocab = joinPath(dir, 'vocab.txt');
  if (fileExists(vocab)) {
    const lines = readText(vocab).split('\n').map((line) => line.trim());
    const idOf = (name: string) => (lines.indexOf(name) >= 0 ? lines.indexOf(name) : undefined);
    return { bos: idOf('[CLS]'), mask: idOf('[MASK]'), source: 'vocab.txt' };
  }
  return undefined;
}

const TOKENIZER_FILES = ['spiece.model', 'sentencepiece.bpe.model', 'tokenizer.json', 'special_tokens_map.json', 'vocab.txt', 'vocab.json', 'merges.txt'];

/**
 * Reads a checkpoint folder (config.json + model.safetensors) of any convertible family, converts
 * it, and writes the LSG folder (config.json, model.safetensors, and the tokenizer files that
 * exist, with model_max_length updated).
 * @example
 *   convertToLsg('roberta-base', 'lsg-roberta-base-4096', { maxSequenceLength: 4096, blockSize: 128, sparsityType: 'norm' });
 */
export function convertToLsg(inDir: string, outDir: string, options: ConvertOptions = {}): ConversionReport {
  const json = readConfigJson(inDir, 'convertToLsg');
  const weights = joinPath(inDir, 'model.safetensors');
  if (!fileExists(weights)) throw new CheckpointError('convertToLsg', `no model.safetensors in ${inDir} (PyTorch .bin checkpoints are not read; save with safe_serialization)`);
  const { model, report } = convertToLsgModel(json, loadSafetensors(weights, 'float32'), { ...options, tokenizerIds: tokenizerIdsOf(inDir) });
  const files = model.toPretrainedFiles();
  makeDirectory(outDir);
  writeFileAtomic(joinPath(outDir, 'model.safetensors'), files['model.safetensors']);
  const outJson = { ...(JSON.parse(files['config.json']) as HfJson), _name_or_path: outDir };
  writeFileAtomic(joinPath(outDir, 'config.json'), `${JSON.stringify(withSortedKeys(outJson), null, 2)}\n`);
  copyTokenizer(inDir, outDir, options.maxSequenceLength ?? CONVERT_DEFAULTS.maxSequenceLength);
  return report;
}

/**
 * An ALBERT state dict and config converted in memory (lsgrad train --init): the target class's
 * weights that come from the source (new heads left out for the caller to initialise), keyed as
 * that class names them.
 * @example const { state } = convertAlbertState(denseState, denseConfig, { maxSequenceLength: 4096 });
 */
export function convertAlbertState(state: StateDict, dense: AlbertConfig, options: ConvertOptions = {}): { config: LsgAlbertConfig; state: StateDict; architecture: string } {
  const { model, report } = convertToLsgModel(dense.toHfJson(), state, options);
  const initialised = new Set(report.initialised);
  const converted = Object.fromEntries(Object.entries(model.stateDict()).filter(([name]) => !initialised.has(name)));
  return { config: report.config as LsgAlbertConfig, state: converted, architecture: report.architecture };
}

/** ALBERT's entry point, kept for its callers: `convertToLsg` on an ALBERT folder. */
export function convertAlbertCheckpoint(inDir: string, outDir: string, options: ConvertOptions = {}): { config: LsgAlbertConfig; architecture: string } {
  const report = convertToLsg(inDir, outDir, options);
  return { config: report.config as LsgAlbertConfig, architecture: report.architecture };
}

function copyTokenizer(inDir: string, outDir: string, maxLength: number): void {
  for (const name of TOKENIZER_FILES) if (fileExists(joinPath(inDir, name))) copyFile(joinPath(inDir, name), joinPath(outDir, name));
  const tokenizerConfig = joinPath(inDir, 'tokenizer_config.json');
  if (fileExists(tokenizerConfig)) {
    const parsed = JSON.parse(readText(tokenizerConfig)) as HfJson;
    writeFileAtomic(joinPath(outDir, 'tokenizer_config.json'), `${JSON.stringify({ ...parsed, model_max_length: maxLength }, null, 2)}\n`);
  }
}
