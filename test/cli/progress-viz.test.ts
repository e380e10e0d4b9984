import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import '../helpers/property-seed.js';
import { ProgressBar, formatDuration } from '../../cli/progress.js';
import { validatesAt, validationsFrom } from '../../cli/trainer.js';
import { writeFileAtomic, writeDirectoryAtomic } from '../../cli/atomic.js';
import { lineChartSvg, stackedChartsSvg } from '../../viz/line-chart.js';
import { heatmapSvg, poolMatrix } from '../../viz/heatmap.js';
import { niceTicks } from '../../viz/svg.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 200, write: (text: string) => writes.push(text) } };
}

test('formatDuration', () => {
  assert.is(formatDuration(5), '5s');
  assert.is(formatDuration(75), '1m15s');
  assert.is(formatDuration(3720), '1h02m');
  assert.is(formatDuration(NaN), '?');
});

test('progress on a terminal redraws one line with step, loss, tok/s, elapsed and ETA', () => {
  let clock = 0;
  const { writes, stream } = fakeStream(true);
  const bar = new ProgressBar({ totalSteps: 10, stream, now: () => clock });
  clock = 2000;
  bar.update({ step: 1, loss: 0.6931, tokens: 1000 });
  assert.match(writes[0] ?? '', /^\r\[#/);
  assert.match(writes[0] ?? '', /step  1\/10 · loss 0\.6931 · 500 tok\/s · 2s elapsed · ETA 18s/);
  bar.log('validation ...');
  bar.finish();
  assert.ok(writes.some((text) => text.includes('\x1b[K')));
});

test('the ETA weighs steps by their planned work (a length warm-up makes the last steps dearer)', () => {
  let clock = 0;
  const { writes, stream } = fakeStream(false);
  // Steps 1–8 read 100 tokens, steps 9–10 read 1,000: 2,800 units in all.
  const cumulativeWork = (step: number) => Math.min(step, 8) * 100 + Math.max(0, step - 8) * 1000;
  const bar = new ProgressBar({ totalSteps: 10, stream, now: () => clock, cumulativeWork });
  clock = 4000; // 4 s for the first 4 steps (400 units): 2,400 units to go at 100 units/s
  bar.update({ step: 4, loss: 1, tokens: 400 });
  assert.match(writes[0] ?? '', /ETA 24s/);
});

test('the ETA leaves evaluation time out of the training speed and adds the evaluations to come', () => {
  let clock = 0;
  const { writes, stream } = fakeStream(false);
  // 3,000 evaluation tokens remain at steps up to 5 (a validation at step 5 and the test), 600 after.
  const evaluationTokensFrom = (step: number) => (step <= 5 ? 3000 : 600);
  const bar = new ProgressBar({ totalSteps: 10, stream, now: () => clock, intervalSeconds: 0, evaluationTokensFrom });
  clock = 3000; // 3 s for 3 steps of 100 tokens: before any evaluation is timed, scoring costs a third of training
  bar.update({ step: 3, loss: 1, tokens: 300 });
  assert.match(writes[0] ?? '', /100 tok\/s · 3s elapsed · ETA 17s/); // 7 s of steps + 3,000 tokens at 1/300 s
  clock = 5000;
  bar.update({ step: 5, loss: 1, tokens: 200 });
  clock = 9000; // the validation at step 5 scored 400 tokens in 4 s
  bar.recordEvaluation(4, 400);
  clock = 10000;
  bar.update({ step: 6, loss: 1, tokens: 100 });
  // 6 s of training for 6 steps (100 tok/s), 4 steps left, and 600 tokens at 1/100 s each.
  assert.match(writes.at(-1) ?? '', /step  6\/10 · loss 1\.0000 · 100 tok\/s · 10s elapsed · ETA 10s/);
});

test('validationsFrom counts the validation steps from a step to the end', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 1, max: 61 }), (steps, evalEvery, step) => {
    const options = { steps, evalEvery };
    let expected = 0;
    for (let s = step; s <= steps; s++) if (validatesAt(options, s)) expected++;
    assert.is(validationsFrom(options, step), expected);
  }));
});

test('progress off a terminal prints plain lines, rate-limited', () => {
  let clock = 0;
  const { writes, stream } = fakeStream(false);
  const bar = new ProgressBar({ totalSteps: 100, stream, now: () => clock, intervalSeconds: 10 });
  for (let step = 1; step <= 100; step++) { clock = step * 1000; bar.update({ step, loss: 1, tokens: 10 }); }
  assert.ok(writes.length >= 10 && writes.length <= 12, `${writes.length} lines`);
  assert.ok(writes.every((line) => !line.includes('\r') && line.endsWith('\n')));
  assert.match(writes[writes.length - 1] ?? '', /step 100\/100/);
});

test('atomic writes leave no temporary files and replace directories', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lsgrad-atomic-'));
  writeFileAtomic(join(root, 'a/b.json'), '{"x":1}');
  assert.is(readFileSync(join(root, 'a/b.json'), 'utf8'), '{"x":1}');
  await writeDirectoryAtomic(join(root, 'ckpt'), (dir) => writeFileAtomic(join(dir, 'one.txt'), '1'));
  await writeDirectoryAtomic(join(root, 'ckpt'), (dir) => writeFileAtomic(join(dir, 'two.txt'), '2'));
  assert.equal(readdirSync(join(root, 'ckpt')), ['two.txt']);
  assert.equal(readdirSync(root).sort(), ['a', 'ckpt']);
  await writeDirectoryAtomic(join(root, 'bad'), () => { throw new Error('boom'); }).catch(() => undefined);
  assert.not.ok(existsSync(join(root, 'bad')));
  assert.equal(readdirSync(root).sort(), ['a', 'ckpt']);
});

test('SVG line chart and heatmap are well-formed', () => {
  assert.equal(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  const chart = lineChartSvg([{ name: 'loss <train>', points: [[1, 0.7], [2, 0.5], [3, 0.4]] }], { title: 'Loss', xLabel: 'step', yLabel: 'loss' });
  assert.match(chart, /^<svg[^>]+xmlns/);
  assert.match(chart, /<polyline/);
  assert.match(chart, /loss &lt;train&gt;/);
  const both = stackedChartsSvg([chart, chart]);
  assert.is((both.match(/<svg/g) ?? []).length, 1);
  const heatmap = heatmapSvg([1, 0, 0, 0.5], 2, 2, { title: 'pattern' });
  assert.is((heatmap.match(/fill="rgb/g) ?? []).length, 2);
  const pooled = poolMatrix(new Float64Array(16).fill(0).map((_, i) => (i === 5 ? 1 : 0)), 4, 4, 2);
  assert.equal([...pooled.values], [1, 0, 0, 0]);
  assert.throws(() => heatmapSvg([1], 2, 2, { title: 'x' }), /1 values for a 2 × 2 matrix/);
});

test.run();
