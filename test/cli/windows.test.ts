// --short-windows: warm-up rows read as windows of the full-length row, at their full-length positions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeSet, gatherRows, type Batch } from '../../cli/data/batches.js';
import { cropBatch } from '../../cli/data/crops.js';
import { SPECIAL_TOKENS } from '../../cli/data/tokenizer.js';
import { windowBatch, windowPositions } from '../../cli/data/windows.js';

const utf8 = new TextEncoder();
const texts = [
  'Header: one\nHeader: two\n\nthe body of email zero\n',
  'H: x\n\n' + 'a long body line\n'.repeat(20),
  'short',
];
const SEQ_LEN = 256;
const WIDTH = 16;
const full = gatherRows(encodeSet(texts, [0, 1, 0], SEQ_LEN), [1, 0, 2, 1]);
const rowOf = (batch: Batch, field: 'inputIds' | 'attentionMask' | 'positionIds', row: number) => [...batch[field]!.subarray(row * batch.width, (row + 1) * batch.width)];

test('windowPositions: [CLS] at 0, the rest from start + 1 on', () => {
  assert.equal([...windowPositions(3, 6)], [0, 4, 5, 6, 7, 8]);
  assert.equal([...windowPositions(0, 4)], [0, 1, 2, 3]);
});

test('with probability 0 every row is its start, as gatherRows cuts it, with plain positions', () => {
  const cut = gatherRows(encodeSet(texts, [0, 1, 0], SEQ_LEN), [1, 0, 2, 1], WIDTH);
  const rows = windowBatch(full, WIDTH, 0, SPECIAL_TOKENS.sep, 7, 1);
  assert.equal([...rows.inputIds], [...cut.inputIds]);
  assert.equal([...rows.attentionMask], [...cut.attentionMask]);
  assert.equal([...rows.labels], [...full.labels]);
  for (let row = 0; row < 4; row++) assert.equal(rowOf(rows, 'positionIds', row), [...windowPositions(0, WIDTH)]);
});

test('with probability 1 a window holds the full row\'s tokens at their full-row positions, between [CLS] and [SEP]', () => {
  const starts = new Set<number>();
  for (let step = 1; step <= 8; step++) {
    const rows = windowBatch(full, WIDTH, 1, SPECIAL_TOKENS.sep, 7, step);
    assert.is(rows.width, WIDTH);
    for (let row = 0; row < 4; row++) {
      const ids = rowOf(rows, 'inputIds', row);
      const positions = rowOf(rows, 'positionIds', row);
      const fullIds = rowOf(full, 'inputIds', row);
      const realTokens = rowOf(full, 'attentionMask', row).reduce((a, b) => a + b, 0);
      assert.is(ids[0], SPECIAL_TOKENS.cls);
      if (realTokens <= WIDTH) {
        // A row that fits is read whole from its start.
        assert.equal(ids, fullIds.slice(0, WIDTH));
        continue;
      }
      assert.is(ids[WIDTH - 1], SPECIAL_TOKENS.sep);
      assert.equal(rowOf(rows, 'attentionMask', row), new Array(WIDTH).fill(1));
      for (let i = 1; i < WIDTH - 1; i++) assert.is(ids[i], fullIds[positions[i]!], `row ${row} token ${i}`);
      // The window never reaches past the row's own [SEP].
      assert.ok(positions[WIDTH - 1]! <= realTokens - 1);
      starts.add(positions[1]! - 1);
    }
  }
  assert.ok(starts.size > 3, `windows should start at several places; saw ${[...starts]}`);
});

test('windows depend only on (seed, step): the same pair repeats them, another step moves them', () => {
  const a = windowBatch(full, WIDTH, 1, SPECIAL_TOKENS.sep, 7, 3);
  assert.equal([...windowBatch(full, WIDTH, 1, SPECIAL_TOKENS.sep, 7, 3).positionIds!], [...a.positionIds!]);
  assert.not.equal([...windowBatch(full, WIDTH, 1, SPECIAL_TOKENS.sep, 7, 4).positionIds!], [...a.positionIds!]);
});

test('bad arguments are named', () => {
  assert.throws(() => windowBatch(full, WIDTH, 1.5, SPECIAL_TOKENS.sep, 7, 1), /windowProb 1.5 is invalid/);
  assert.throws(() => windowBatch(full, SEQ_LEN + 1, 0.5, SPECIAL_TOKENS.sep, 7, 1), /width 257 is invalid; expected an integer from 3 to the batch's width/);
});

test('a row that --crop-prob replaces is read from its new start, at plain positions', () => {
  const windows = windowBatch(full, WIDTH, 1, SPECIAL_TOKENS.sep, 7, 2);
  const cropped = cropBatch(windows, texts.map((text) => utf8.encode(text)), [1, 0, 2, 1], 1, 3, 2);
  for (let row = 0; row < 4; row++) assert.equal(rowOf(cropped, 'positionIds', row), [...windowPositions(0, WIDTH)]);
});

test.run();
