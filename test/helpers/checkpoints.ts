// Comparing checkpoints lsgrad writes with the reference's: tensors bit for bit, config.json up to
// what lsgrad adds on purpose (its reference_quirks record, auto_map entries naming the published code).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { parseSafetensors, serializeSafetensors } from '../../nn/index.js';

export const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
export const tensorsOf = (path: string) => parseSafetensors(new Uint8Array(readFileSync(path))).tensors;

/**
 * The flags the reference converter was run with, read back from the converted case's config.json;
 * `positionOffset` is the rows in front of the real positions (RoBERTa family: padTokenId + 1).
 */
export function converterFlagsOf(config: Record<string, unknown>, positionOffset = 0) {
  return {
    maxSequenceLength: (config.max_position_embeddings as number) - positionOffset,
    blockSize: config.block_size as number,
    sparseBlockSize: config.sparse_block_size as number,
    sparsityFactor: config.sparsity_factor as number,
    sparsityType: config.sparsity_type as string,
    numGlobalTokens: config.num_global_tokens as number,
    maskFirstToken: config.mask_first_token as boolean,
  };
}

/**
 * A config.json as the reference would write it: without lsgrad's `reference_quirks` and
 * `_name_or_path`, and `auto_map` entries without the `repo--` prefix lsgrad adds.
 */
export function comparableToReference(json: Record<string, unknown>): Record<string, unknown> {
  const { reference_quirks: _quirks, _name_or_path: _name, ...rest } = json;
  if (rest.auto_map) {
    rest.auto_map = Object.fromEntries(Object.entries(rest.auto_map as Record<string, string>).map(([key, value]) => [key, value.split('--').pop()!]));
  }
  return rest;
}

/** Every tensor of `ours` equals the reference's bit for bit, with the same names and shapes. */
export function expectSameTensors(ours: string, theirs: string): void {
  const actual = tensorsOf(ours);
  const expected = tensorsOf(theirs);
  assert.equal([...actual.keys()].sort(), [...expected.keys()].sort());
  for (const [name, tensor] of expected) {
    const mine = actual.get(name)!;
    assert.equal(mine.shape, tensor.shape, name);
    assert.ok(mine.data.every((value, i) => Object.is(value, tensor.data[i])), `${name} differs`);
  }
}

const LSG_JSON_KEYS = ['adaptive', 'auto_map', 'base_model_prefix', 'block_size', 'lsh_num_pre_rounds', 'mask_first_token', 'num_global_tokens', 'pool_with_global', 'sparse_block_size', 'sparsity_factor', 'sparsity_type'];

/**
 * Recreates the dense base of a reference LSG case (its README's recipe): the LSG keys and the
 * global table dropped, the first `positionRows` position rows kept, the dense class name.
 */
export function denseBaseOf(lsgDir: string, outDir: string, positionRows: number): void {
  const config = readJson(join(lsgDir, 'config.json'));
  for (const key of LSG_JSON_KEYS) delete config[key];
  config.architectures = [(config.architectures as string[])[0]!.replace(/^LSG/, '')];
  config.max_position_embeddings = positionRows;
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, entry] of tensorsOf(join(lsgDir, 'model.safetensors'))) {
    if (name.endsWith('global_embeddings.weight')) continue;
    const data = entry.data as Float32Array;
    const width = entry.shape[1]!;
    tensors[name] = name.endsWith('position_embeddings.weight') ? { shape: [positionRows, width], data: data.slice(0, positionRows * width) } : { shape: entry.shape, data };
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'config.json'), JSON.stringify(config));
  writeFileSync(join(outDir, 'model.safetensors'), serializeSafetensors(tensors));
}
