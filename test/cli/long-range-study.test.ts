// The long-range study runs end to end with tiny settings, and its task is what it says.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng } from '../../engine/index.js';
import { generateExample, runStudy, STUDY_DEFAULTS } from '../../examples/long-range-study.js';

test('each example has [CLS], a key at position 1 and exactly one probe in the second half', () => {
  const rng = createRng(3);
  let positives = 0;
  for (let i = 0; i < 200; i++) {
    const { inputIds, label } = generateExample(rng, 64);
    assert.is(inputIds[0], 1);
    const key = inputIds[1]!;
    assert.ok(key >= 2 && key < 6, `key ${key}`);
    const probes = [...inputIds.keys()].filter((position) => position > 1 && inputIds[position]! < 6);
    assert.is(probes.length, 1);
    assert.ok(probes[0]! >= 32);
    assert.is(label, inputIds[probes[0]!] === key ? 1 : 0);
    positives += label;
  }
  assert.ok(positives > 70 && positives < 130, `${positives} positives of 200`);
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
