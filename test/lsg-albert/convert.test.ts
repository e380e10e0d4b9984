import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertAlbertCheckpoint, orderPositions, tilePositions } from '../../lsg/convert.js';
import { LSGAlbertForMaskedLM } from '../../lsg/albert.js';
import { ALBERT_FIXTURES, readCase, intTensor, maxAbsDiff } from '../nn/golden-helpers.js';
import { readJson, converterFlagsOf, denseBaseOf, expectSameTensors, comparableToReference } from '../helpers/checkpoints.js';


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
        denseBaseOf(lsgDir, denseDir, 512);
      }
      const outDir = join(work, 'lsg');
      convertAlbertCheckpoint(denseDir, outDir, converterFlagsOf(expectedConfig));
      expectSameTensors(join(outDir, 'model.safetensors'), join(lsgDir, 'model.safetensors'));
      assert.equal(comparableToReference(readJson(join(outDir, 'config.json'))), comparableToReference(expectedConfig));
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
    convertAlbertCheckpoint(`${ALBERT_FIXTURES}dense_mlm_t48`, work, converterFlagsOf(readJson(join(golden.dir, 'config.json'))));
    const model = LSGAlbertForMaskedLM.fromPretrained(work);
    const out = model.forward({ inputIds: intTensor(golden.inputs.input_ids), attentionMask: intTensor(golden.inputs.attention_mask), tokenTypeIds: intTensor(golden.inputs.token_type_ids) });
    assert.ok(maxAbsDiff(out.logits.toTypedArray() as Float32Array, golden.golden.logits.data, 'logits') < 1e-4);
    assert.ok(model.config.maxPositionEmbeddings === 1024);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
