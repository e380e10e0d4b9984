/**
 * The base of every model class (ALBERT, BERT, RoBERTa and their LSG variants): holds the config,
 * and reads/writes HuggingFace checkpoint folders (config.json + model.safetensors) with
 * HuggingFace's state-dict names.
 */
import { Module, type StateDict } from './module.js';
import { loadSafetensors, safetensorsFromStateDict, stateDictFromSafetensors } from './checkpoint.js';
import { fileExists, joinPath, makeDirectory, readText, writeFileAtomic } from './disk.js';
import { withSortedKeys, type HfJson } from './albert/config-json.js';
import type { ModelBuildOptions } from './albert/build-options.js';
import { ArgumentError, CheckpointError, ConfigError } from '../engine/errors.js';

/** What the checkpoint code needs of a config. */
export interface PretrainedConfig {
  toHfJson(): HfJson;
}

export interface FromPretrainedOptions extends ModelBuildOptions {
  /** Require every parameter to be in the checkpoint and nothing else (default true). */
  strict?: boolean;
}

/**
 * A checkpoint folder's two files in memory, for places without a file system (a browser):
 * what `toPretrainedFiles()` returns and `fromPretrained()` also takes.
 */
export interface PretrainedFiles {
  readonly 'config.json': string;
  readonly 'model.safetensors': Uint8Array;
}

/** A class with the constructor and statics `fromPretrained` needs. */
export interface PretrainedClass<M extends PreTrainedModel> {
  new (config: never, options?: ModelBuildOptions): M;
  configFromHfJson(json: HfJson): PretrainedConfig;
  readonly baseModelPrefix: string;
}

export function readConfigJson(dir: string, owner: string): HfJson {
  const path = joinPath(dir, 'config.json');
  if (!fileExists(path)) throw new CheckpointError(owner, `no config.json in ${dir}`);
  return parseConfigJson(readText(path), owner, path);
}

function parseConfigJson(text: string, owner: string, where: string): HfJson {
  try {
    return JSON.parse(text) as HfJson;
  } catch (error) {
    throw new ConfigError(owner, `${where} is not valid JSON (${(error as Error).message})`);
  }
}

/** The weights of a folder or of in-memory files, with errors that name where they came from. */
function readWeights(source: string | PretrainedFiles, owner: string, dtype: FromPretrainedOptions['dtype']): StateDict {
  if (typeof source !== 'string') {
    try {
      return stateDictFromSafetensors(source['model.safetensors'], dtype ?? 'float32');
    } catch (error) {
      throw new CheckpointError(owner, `files['model.safetensors'] is not a safetensors file (${(error as Error).message})`);
    }
  }
  const path = joinPath(source, 'model.safetensors');
  if (!fileExists(path)) throw new CheckpointError(owner, `no model.safetensors in ${source}`);
  return loadSafetensors(path, dtype ?? 'float32');
}

export abstract class PreTrainedModel extends Module {
  /** The HuggingFace class name written to `architectures` (e.g. "AlbertForMaskedLM"). */
  static readonly hfClassName: string = 'PreTrainedModel';
  /** The sub-model attribute name HuggingFace uses in task models (`albert.embeddings...`, `bert.`, `roberta.`). */
  static readonly baseModelPrefix: string = '';

  constructor(readonly config: PretrainedConfig) {
    super();
  }

  /** Names a checkpoint may hold that are tied duplicates of a parameter here. */
  get tiedKeys(): readonly string[] {
    return [];
  }

  /**
   * Reads `dir/config.json` and `dir/model.safetensors` (F32, or F16/BF16 upcast) into a new model
   * in eval mode, as HuggingFace's from_pretrained does; or the same two files from memory
   * (`PretrainedFiles`, e.g. fetched in a browser). A checkpoint of a task model loads into the
   * bare model (the `albert.` / `bert.` / `roberta.` prefix is stripped) and the other way round.
   * @example
   *   const model = AlbertForMaskedLM.fromPretrained('test/fixtures/albert/dense_mlm_t48');
   *   const copy = AlbertForMaskedLM.fromPretrained(model.toPretrainedFiles());
   */
  static fromPretrained<M extends PreTrainedModel>(this: PretrainedClass<M>, source: string | PretrainedFiles, options: FromPretrainedOptions = {}): M {
    const owner = `${this.name}.fromPretrained`;
    const where = typeof source === 'string' ? source : 'files';
    if (typeof source !== 'string' && (typeof source?.['config.json'] !== 'string' || !isBytes(source['model.safetensors']))) {
      throw new ArgumentError(owner, `source is ${describeSource(source)}; expected a folder path or { 'config.json': string, 'model.safetensors': Uint8Array }`);
    }
    const json = typeof source === 'string' ? readConfigJson(source, owner) : parseConfigJson(source['config.json'], owner, "files['config.json']");
    const config = this.configFromHfJson(json);
    const model = new this(config as never, options);
    const state = adaptPrefix(readWeights(source, owner, options.dtype), model, this.baseModelPrefix);
    const tableProblem = positionTableProblem(state, model);
    if (tableProblem !== null) throw new CheckpointError(`${owner}(${where})`, tableProblem);
    try {
      model.loadStateDict(state, { strict: options.strict ?? true, ignoredKeys: model.tiedKeys });
    } catch (error) {
      throw new CheckpointError(`${owner}(${where})`, (error as Error).message);
    }
    return model.eval();
  }

  /**
   * The checkpoint as in-memory files: config.json (with `architectures`, keys sorted) and
   * model.safetensors; tied weights are stored once, under their first name, as HuggingFace does.
   * @example
   *   const files = model.toPretrainedFiles();  // e.g. offer files['model.safetensors'] as a download
   */
  toPretrainedFiles(): PretrainedFiles {
    const hfClassName = (this.constructor as typeof PreTrainedModel).hfClassName;
    const json = { ...this.configJsonForSave(), architectures: [hfClassName] };
    return { 'config.json': `${JSON.stringify(withSortedKeys(json), null, 2)}\n`, 'model.safetensors': safetensorsFromStateDict(this.stateDict()) };
  }

  /**
   * Writes `dir/model.safetensors` and `dir/config.json` (each to a temporary name, then renamed).
   * @example
   *   model.savePretrained('out/my-albert');
   */
  savePretrained(dir: string): void {
    const files = this.toPretrainedFiles();
    makeDirectory(dir);
    writeFileAtomic(joinPath(dir, 'model.safetensors'), files['model.safetensors']);
    writeFileAtomic(joinPath(dir, 'config.json'), files['config.json']);
  }

  /** The config.json object to write; LSG models add auto_map. */
  protected configJsonForSave(): HfJson {
    return this.config.toHfJson();
  }
}

/**
 * A position table whose row count disagrees with config.json's max_position_embeddings (a table
 * the reference LSG converter wrote too short, or a length edited by hand), explained with the
 * sizes and the way out; null when they agree.
 */
function positionTableProblem(state: StateDict, model: Module): string | null {
  const suffix = 'embeddings.position_embeddings.weight';
  const entry = model.namedParameters().find(([name]) => name === suffix || name.endsWith(`.${suffix}`));
  const stored = entry === undefined ? undefined : state[entry[0]];
  if (entry === undefined || stored === undefined || stored.shape[0] === entry[1].shape[0]) return null;
  const [name, table] = entry;
  const rows = stored.shape[0]!;
  const expected = table.shape[0]!;
  return `the checkpoint's ${name} has ${rows} rows but config.json's max_position_embeddings is ${expected}` +
    (rows < expected ? ' (the reference LSG converter writes tables this short for some RoBERTa-family lengths; a length edited by hand does it too)' : '') +
    `. Write a table of the right size with "lsgrad convert <dir> <out-dir> --max-sequence-length <longest input>", or set max_position_embeddings back to ${rows}.`;
}

/** A Uint8Array from any realm (an iframe's or a vm context's fails `instanceof Uint8Array`). */
function isBytes(value: unknown): value is Uint8Array {
  return Object.prototype.toString.call(value) === '[object Uint8Array]';
}

function describeSource(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return `an object with keys [${Object.keys(value).join(', ')}]`;
}

/** Adds or strips the `albert.` (`bert.`, `roberta.`) prefix so a base-model checkpoint fits a task model and vice versa. */
export function adaptPrefix(state: StateDict, model: Module, baseModelPrefix: string): StateDict {
  if (baseModelPrefix === '') return state;
  const prefix = `${baseModelPrefix}.`;
  const modelHasPrefix = model.namedParameters().some(([name]) => name.startsWith(prefix));
  const stateHasPrefix = Object.keys(state).some((name) => name.startsWith(prefix));
  if (modelHasPrefix === stateHasPrefix) return state;
  if (modelHasPrefix) return Object.fromEntries(Object.entries(state).map(([name, value]) => [prefix + name, value]));
  // A task checkpoint into the bare model: keep the sub-model's weights, leave the head behind.
  return Object.fromEntries(
    Object.entries(state).filter(([name]) => name.startsWith(prefix)).map(([name, value]) => [name.slice(prefix.length), value]),
  );
}
