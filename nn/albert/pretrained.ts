/**
 * The base of every ALBERT model class: holds the config, and reads/writes HuggingFace checkpoint
 * folders (config.json + model.safetensors) with HuggingFace's state-dict names.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Module, type StateDict } from '../module.js';
import { loadSafetensors, saveSafetensors, writeFileAtomic } from '../checkpoint.js';
import { AlbertConfig } from './config.js';
import type { HfJson } from './config-json.js';
import type { ModelBuildOptions } from './build-options.js';

/** The sub-model attribute name HuggingFace uses in task models (`albert.embeddings...`). */
export const BASE_MODEL_PREFIX = 'albert';

export interface FromPretrainedOptions extends ModelBuildOptions {
  /** Require every parameter to be in the checkpoint and nothing else (default true). */
  strict?: boolean;
}

/** A class with the constructor and statics `fromPretrained` needs. */
export interface PretrainedClass<M extends AlbertPreTrainedModel> {
  new (config: never, options?: ModelBuildOptions): M;
  configFromHfJson(json: HfJson): AlbertConfig;
}

export function readConfigJson(dir: string, owner: string): HfJson {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new Error(`${owner}: no config.json in ${dir}`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as HfJson;
  } catch (error) {
    throw new Error(`${owner}: ${path} is not valid JSON (${(error as Error).message})`);
  }
}

export abstract class AlbertPreTrainedModel extends Module {
  /** The HuggingFace class name written to `architectures` (e.g. "AlbertForMaskedLM"). */
  static readonly hfClassName: string = 'AlbertPreTrainedModel';

  constructor(readonly config: AlbertConfig) {
    super();
  }

  /** Names a checkpoint may hold that are tied duplicates of a parameter here. */
  get tiedKeys(): readonly string[] {
    return [];
  }

  static configFromHfJson(json: HfJson): AlbertConfig {
    return AlbertConfig.fromHfJson(json);
  }

  /**
   * Reads `dir/config.json` and `dir/model.safetensors` (F32, or F16/BF16 upcast) into a new model
   * in eval mode, as HuggingFace's from_pretrained does. A checkpoint of a task model loads into the
   * bare AlbertModel (the `albert.` prefix is stripped) and the other way round.
   * @example
   *   const model = AlbertForMaskedLM.fromPretrained('test/fixtures/albert/dense_mlm_t48');
   */
  static fromPretrained<M extends AlbertPreTrainedModel>(this: PretrainedClass<M>, dir: string, options: FromPretrainedOptions = {}): M {
    const owner = `${this.name}.fromPretrained`;
    const config = this.configFromHfJson(readConfigJson(dir, owner));
    const model = new this(config as never, options);
    const weightsPath = join(dir, 'model.safetensors');
    if (!existsSync(weightsPath)) throw new Error(`${owner}: no model.safetensors in ${dir}`);
    const state = adaptPrefix(loadSafetensors(weightsPath, options.dtype ?? 'float32'), model);
    try {
      model.loadStateDict(state, { strict: options.strict ?? true, ignoredKeys: model.tiedKeys });
    } catch (error) {
      throw new Error(`${owner}(${dir}): ${(error as Error).message}`);
    }
    return model.eval();
  }

  /**
   * Writes `dir/config.json` (with `architectures`) and `dir/model.safetensors` (each to a temporary
   * name, then renamed); tied weights are stored once, under their first name, as HuggingFace does.
   * @example
   *   model.savePretrained('out/my-albert');
   */
  savePretrained(dir: string): void {
    mkdirSync(dir, { recursive: true });
    const hfClassName = (this.constructor as typeof AlbertPreTrainedModel).hfClassName;
    const json = { ...this.configJsonForSave(), architectures: [hfClassName] };
    const sorted = Object.fromEntries(Object.entries(json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    saveSafetensors(join(dir, 'model.safetensors'), this.stateDict());
    writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify(sorted, null, 2)}\n`);
  }

  /** The config.json object to write; LSG models add auto_map. */
  protected configJsonForSave(): HfJson {
    return this.config.toHfJson();
  }
}

/** Adds or strips the `albert.` prefix so a base-model checkpoint fits a task model and vice versa. */
function adaptPrefix(state: StateDict, model: Module): StateDict {
  const prefix = `${BASE_MODEL_PREFIX}.`;
  const modelHasPrefix = model.namedParameters().some(([name]) => name.startsWith(prefix));
  const stateHasPrefix = Object.keys(state).some((name) => name.startsWith(prefix));
  if (modelHasPrefix === stateHasPrefix) return state;
  if (modelHasPrefix) return Object.fromEntries(Object.entries(state).map(([name, value]) => [prefix + name, value]));
  // A task checkpoint into the bare model: keep the sub-model's weights, leave the head behind.
  return Object.fromEntries(
    Object.entries(state).filter(([name]) => name.startsWith(prefix)).map(([name, value]) => [name.slice(prefix.length), value]),
  );
}
