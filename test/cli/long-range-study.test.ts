// The long-range study runs end to end with tiny settings, and its task is what it says.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng } from '../../engine/index.js';
import { generateExample, runStudy, STUDY_DEFAULTS } from '../../examples/long-range-study.js';

test('each example has [CLS], a key at position 1 and its repeat (or a different key) in the second half', () => {
  const rng = createRng(3);
  for (const keys of [1, 4]) {
    let positives = 0;
    for (let i = 0; i < 200; i++) {
      const { inputIds, label } = generateExample(rng, 64, keys);
      assert.is(inputIds[0], 1);
      const key = inputIds[1]!;
      assert.ok(key >= 2 && key < 2 + keys, `key ${key}`);
      const probes = [...inputIds.keys()].filter((position) => position > 1 && inputIds[position]! < 6);
      assert.is(probes.length, label === 1 || keys > 1 ? 1 : 0);
      for (const probe of probes) assert.ok(probe >= 32);
      assert.is(label, probes.length === 1 && inputIds[probes[0]!] === key ? 1 : 0);
      positives += label;
    }
    assert.ok(positives > 70 && positives < 130, `${positives} positives of 200`);
  }
  assert.throws(() => generateExample(rng, 64, 5), /keys 5/);
});

test('the study trains every kind in a child process and reports a table', () => {
  const lines: string[] = [];
  const results = runStudy({ ...STUDY_DEFAULTS, seqLen: 64, steps: 2, batchSize: 2, evalSize: 4, blockSize: 8, hiddenSize: 8, kinds: ['local', 'lsg:norm', 'dense'] }, (line) => lines.push(line));
  assert.equal(results.map((result) => result.kind), ['local', 'lsg:norm', 'dense']);
  for (const result of results) {
    assert.ok(result.accuracy >= 0 && result.accuracy <= 1);
    assert.ok(result.peakRssMiB > 0 && Number.isFinite(result.msPerStep));
  }
  assert.match(lines.join('\n'), /\| attention \| accuracy \| ms\/step/);
});

test.run();
