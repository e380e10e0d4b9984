/**
 * Shared helpers to move a camelCase config to and from HuggingFace's snake_case config.json.
 * Used by AlbertConfig and by the LSG-ALBERT config that extends it.
 */
import { ConfigError } from '../../engine/errors.js';

export type HfJson = Record<string, unknown>;

/** The prefix of every refusal marker lsgrad writes (see `refusalMarker`). */
export const REFUSAL_PREFIX = 'lsgrad-';
/** Where the real `problem_type` goes while `problem_type` carries a refusal marker. */
export const REAL_PROBLEM_TYPE_KEY = 'lsgrad_problem_type';

/**
 * A `problem_type` value transformers refuses when it reads the config ("The config parameter
 * `problem_type` was not understood: received lsgrad-only (…)"), for a checkpoint PyTorch would
 * compute differently from lsgrad: it fails to load there instead of running another model.
 * @example refusalMarker('local-only attention') // 'lsgrad-only (local-only attention; …)'
 */
/** The same object with its keys in sorted order, as lsgrad writes every config.json (stable diffs). */
export function withSortedKeys(json: HfJson): HfJson {
  return Object.fromEntries(Object.keys(json).sort().map((key) => [key, json[key]]));
}

export function refusalMarker(reason: string): string {
  return `${REFUSAL_PREFIX}only (${reason}; PyTorch would compute something else: load it with lsgrad)`;
}

export function isRefusalMarker(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(REFUSAL_PREFIX);
}

/** config.json with `problem_type` carrying the marker and the real problem type kept aside. */
export function withRefusal(json: HfJson, marker: string): HfJson {
  const out: HfJson = { ...json };
  if (out.problem_type !== undefined && out.problem_type !== null && !isRefusalMarker(out.problem_type)) out[REAL_PROBLEM_TYPE_KEY] = out.problem_type;
  out.problem_type = marker;
  return withSortedKeys(out);
}

/** The inverse of `withRefusal`: the config.json as it was, and the marker (null when none). */
export function withoutRefusal(json: HfJson): { json: HfJson; marker: string | null } {
  if (!isRefusalMarker(json.problem_type)) return { json, marker: null };
  const { [REAL_PROBLEM_TYPE_KEY]: real, ...rest } = json;
  const restored: HfJson = { ...rest };
  if (real === undefined) delete restored.problem_type;
  else restored.problem_type = real;
  return { json: restored, marker: json.problem_type };
}

export function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

export function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** `AlbertConfig: numAttentionHeads is 5, expected ...`: names the field, the value and the expectation. */
export function configError(field: string, value: unknown, expected: string, owner = 'AlbertConfig'): ConfigError {
  return new ConfigError(owner, `${field} is ${JSON.stringify(value)}, expected ${expected}`, { argument: field, value, expected });
}

/**
 * Splits a config.json object into known options (camelCase, for keys present in `defaults`) and
 * the remaining keys, kept verbatim so they are written back. `id2label` keys become numbers;
 * `label2id` is derived from `id2label`, so it is dropped. A refusal marker (`withRefusal`) is
 * returned apart.
 */
export function parseHfJson(given: HfJson, defaults: object, owner: string): { options: Record<string, unknown>; extra: HfJson; refusal: string | null } {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new ConfigError(owner, `json is ${JSON.stringify(given)}, expected a config.json object`);
  }
  // A refusal marker lsgrad wrote stands in problem_type's place: the real problem type comes back.
  const { json, marker: refusal } = withoutRefusal(given);
  const options: Record<string, unknown> = {};
  const extra: HfJson = {};
  for (const [key, value] of Object.entries(json)) {
    const camel = snakeToCamel(key);
    if (key === 'id2label') {
      options.id2label = parseId2Label(value, owner);
    } else if (key === 'num_labels') {
      options.numLabels = value;
    } else if (key === 'label2id') {
      continue;
    } else if (Object.hasOwn(defaults, camel)) {
      options[camel] = value;
    } else {
      extra[key] = value;
    }
  }
  // HuggingFace lets id2label win over num_labels; keep only one source of truth.
  if (options.id2label !== undefined) delete options.numLabels;
  return { options, extra, refusal };
}

function parseId2Label(value: unknown, owner: string): Record<number, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(owner, `id2label is ${JSON.stringify(value)}, expected an object mapping class index to name`);
  }
  const labels: Record<number, string> = {};
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [index, name] of entries) {
    const classIndex = Number(index);
    if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= entries.length) {
      throw new ConfigError(owner, `id2label key ${JSON.stringify(index)} is not a class index in 0..${entries.length - 1}`);
    }
    labels[classIndex] = String(name);
  }
  return labels;
}

function isDefaultLabels(id2label: Record<number, string>): boolean {
  const keys = Object.keys(id2label);
  return keys.length === 2 && id2label[0] === 'LABEL_0' && id2label[1] === 'LABEL_1';
}

/** Fields HuggingFace leaves out of config.json while they hold their default, None. */
const OMITTED_WHEN_NULL = new Set(['architectures', 'problemType', 'bosTokenId', 'eosTokenId']);

/**
 * Builds the config.json object: the extra keys, every field of `defaults` in snake_case
 * (nulls for `architectures`, `problem_type` and absent token ids left out, as HuggingFace omits defaults), labels when
 * they are not HuggingFace's default two, and keys sorted as `save_pretrained` writes them.
 */
export function toHfJsonFields(
  fields: Record<string, unknown>,
  defaults: object,
  id2label: Record<number, string>,
  extra: HfJson,
  modelType: string,
): HfJson {
  const out: HfJson = { ...extra };
  for (const key of Object.keys(defaults)) {
    const value = fields[key];
    if (value === null && OMITTED_WHEN_NULL.has(key)) continue;
    out[camelToSnake(key)] = value;
  }
  if (!isDefaultLabels(id2label)) {
    const names: Record<string, string> = {};
    const ids: Record<string, number> = {};
    for (const [index, name] of Object.entries(id2label)) {
      names[index] = name;
      ids[name] = Number(index);
    }
    out.id2label = names;
    out.label2id = ids;
  }
  out.model_type ??= modelType;
  return withSortedKeys(out);
}
