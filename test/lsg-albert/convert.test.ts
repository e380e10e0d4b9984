import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSafetensors, serializeSafetensors } from '../../nn/index.js';
import { convertAlbertCheckpoint, orderPositions, tilePositions } from '../../lsg/convert.js';
import { LSGAlbertForMaskedLM } from '../../lsg/albert.js';
import { ALBERT_FIXTURES, readCase, intTensor, maxAbsDiff } from '../nn/golden-helpers.js';

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const tensorsOf = (path: string) => parseSafetensors(new Uint8Array(readFileSync(path))).tensors;

/** The converter flags the fixtures were made with, read back from the case's config.json. */
function optionsOf(config: Record<string, unknown>) {
  return {
    maxSequenceLength: config.max_position_embeddings as number,
    blockSize: config.block_size as number,
    sparseBlockSize: config.sparse_block_size as number,
    sparsityFactor: config.sparsity_factor as number,
    sparsityType: config.sparsity_type as string,
    numGlobalTokens: config.num_global_tokens as number,
    globalPositionalStride: 64,
  };
}

/** Recreates a classification case's dense base: drop the LSG keys and globals, keep 512 positions. */
function denseBaseOf(lsgDir: string, outDir: string): void {
  const config = readJson(join(lsgDir, 'config.json'));
  for (const key of ['adaptive', 'auto_map', 'base_model_prefix', 'block_size', 'lsh_num_pre_rounds', 'mask_first_token', 'num_global_tokens', 'pool_with_global', 'sparse_block_size', 'sparsity_factor', 'sparsity_type']) delete config[key];
  config.architectures = ['AlbertForSequenceClassification'];
  config.max_position_embeddings = 512;
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, entry] of tensorsOf(join(lsgDir, 'model.safetensors'))) {
    if (name.endsWith('global_embeddings.weight')) continue;
    const data = entry.data as Float32Array;
    tensors[name] = name.endsWith('position_embeddings.weight') ? { shape: [512, entry.shape[1]!], data: data.slice(0, 512 * entry.shape[1]!) } : { shape: entry.shape, data };
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'config.json'), JSON.stringify(config));
  writeFileSync(join(outDir, 'model.safetensors'), serializeSafetensors(tensors));
}

const CASES = ['lsg_mlm_none_f2_g1_t48', 'lsg_mlm_norm_f2_g1_t100', 'lsg_mlm_pooling_f4_g4_t256', 'lsg_cls_stride_f2_g4_t100', 'lsg_cls_block_stride_f4_g1_t48'];

for (const name of CASES) {
  test(`${name}: our conversion of the dense base equals the reference's, weight for weight`, () => {
    const work = mkdtempSync(join(tmpdir(), 'lsgrad-convert-'));
    try {
      const lsgDir = `${ALBERT_FIXTURES}${name}`;
      const expectedConfig = readJson(join(lsgDir, 'config.json'));
      let denseDir = `${ALBERT_FIXTURES}dense_mlm_t48`; // every masked-LM case's base
      if (name.startsWith('lsg_cls')) {
        denseDir = join(work, 'dense');
        denseBaseOf(lsgDir, denseDir);
      }
      const outDir = join(work, 'lsg');
      convertAlbertCheckpoint(denseDir, outDir, optionsOf(expectedConfig));
      const ours = tensorsOf(join(outDir, 'model.safetensors'));
      const theirs = tensorsOf(join(lsgDir, 'model.safetensors'));
      assert.equal([...ours.keys()].sort(), [...theirs.keys()].sort());
      for (const [tensorName, expected] of theirs) {
        const actual = ours.get(tensorName)!;
        assert.equal(actual.shape, expected.shape, tensorName);
        assert.ok(actual.data.every((value, i) => value === expected.data[i]), `${tensorName} differs`);
      }
      const config = readJson(join(outDir, 'config.json'));
      delete config._name_or_path;
      delete expectedConfig._name_or_path;
      assert.equal(config, expectedConfig);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

test('orderPositions spreads positions with the stride; tilePositions repeats rows', () => {
  const rows = 512, width = 1;
  const positions = Float32Array.from({ length: rows }, (_, i) => i);
  const ordered = orderPositions(positions, rows, width, 64);
  assert.equal(Array.from(ordered.subarray(0, 10)), [0, 64, 128, 192, 256, 320, 384, 448, 1, 65]);
  // 1024 rows: every other row is kept and the stride halves: row i = P[2·((i % 16)·32 + ⌊i / 16⌋)].
  const longer = Float32Array.from({ length: 1024 }, (_, i) => i);
  const fromLonger = orderPositions(longer, 1024, 1, 64);
  assert.equal(Array.from(fromLonger.subarray(0, 3)), [0, 64, 128]);
  assert.equal(Array.from(fromLonger.subarray(15, 18)), [960, 2, 66]);
  // Fewer than 512 rows are padded with seeded random rows (same seed, same rows).
  const short = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i));
  assert.equal(Array.from(orderPositions(short, 100, 1, 64, 3)), Array.from(orderPositions(short, 100, 1, 64, 3)));
  assert.equal(Array.from(tilePositions(Float32Array.from([1, 2, 3]), 3, 1, 7)), [1, 2, 3, 1, 2, 3, 1]);
  assert.throws(() => orderPositions(positions, rows, width, 3), /globalPositionalStride 3 is invalid/);
});

test('converted model reproduces the reference LSG case end to end; short inputs match the dense model', () => {
  const work = mkdtempSync(join(tmpdir(), 'lsgrad-convert-'));
  try {
    const golden = readCase('lsg_mlm_norm_f2_g1_t100');
    convertAlbertCheckpoint(`${ALBERT_FIXTURES}dense_mlm_t48`, work, optionsOf(readJson(join(golden.dir, 'config.json'))));
    const model = LSGAlbertForMaskedLM.fromPretrained(work);
    const out = model.forward({ inputIds: intTensor(golden.inputs.input_ids), attentionMask: intTensor(golden.inputs.attention_mask), tokenTypeIds: intTensor(golden.inputs.token_type_ids) });
    assert.ok(maxAbsDiff(out.logits.toTypedArray() as Float32Array, golden.golden.logits.data, 'logits') < 1e-4);
    assert.ok(model.config.maxPositionEmbeddings === 1024);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
