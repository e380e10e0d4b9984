import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeSet, gatherRows } from '../../cli/data/batches.js';
import { cropBatch, cropStart } from '../../cli/data/crops.js';
import { decodeBytes } from '../../cli/data/tokenizer.js';

const utf8 = new TextEncoder();

test('cropStart moves a random byte to the next line start, or to 0 when none follows', () => {
  const bytes = utf8.encode('From: a\nSubject: b\n\nbody line\nlast');
  assert.is(cropStart(bytes, 0), 8);                          // byte 0 → the line after "From: a"
  assert.is(cropStart(bytes, 8 / bytes.length), 19);          // on a line start: the next one
  assert.is(cropStart(bytes, 20 / bytes.length), 30);         // the blank line's start → "last"
  assert.is(cropStart(bytes, 0.999), 0);                      // inside the last line: whole email
  assert.is(cropStart(utf8.encode('no newline'), 0.5), 0);
  assert.is(cropStart(utf8.encode('ends with newline\n'), 0.5), 0);
  assert.throws(() => cropStart(bytes, 1), /uniform 1 is invalid/);
});

const texts = [
  'Header: one\nHeader: two\n\nthe body of email zero\n',
  'H: x\n\n' + 'long body line\n'.repeat(40),
  'short',
];
const bytes = texts.map((text) => utf8.encode(text));
const set = encodeSet(texts, [0, 1, 0], 128);
const rows = [1, 0, 2, 1];

test('cropBatch with probability 0 returns the batch untouched; with 1 every row reads its email from a line start', () => {
  const batch = gatherRows(set, rows);
  assert.is(cropBatch(batch, bytes, rows, 0, 3, 5), batch);
  const starts = new Set<number>();
  for (let step = 1; step <= 6; step++) {
    const cropped = cropBatch(batch, bytes, rows, 1, 3, step);
    assert.is(cropped.width, batch.width);
    assert.equal([...cropped.labels], [...batch.labels]);
    rows.forEach((row, position) => {
      const text = decodeBytes(cropped.inputIds.subarray(position * batch.width, (position + 1) * batch.width));
      const mask = cropped.attentionMask.subarray(position * batch.width, (position + 1) * batch.width);
      assert.is(mask.reduce((a, b) => a + b, 0), utf8.encode(text).length + 2, `row ${position}: the mask covers CLS, the bytes and SEP`);
      // The email from its first byte or from a line start, cut to the width as any row is.
      const full = texts[row]!;
      const start = full.indexOf(text);
      assert.ok(start === 0 || full[start - 1] === '\n', `row ${position}: "${text.slice(0, 20)}" starts a line of email ${row}`);
      if (row === 0) starts.add(start);
    });
  }
  assert.ok(starts.size > 1, `email 0 was read from several lines, got starts ${[...starts]}`);
});

test('cropBatch depends only on (seed, step, position), and a cropped long row ends with [SEP] at the width', () => {
  const batch = gatherRows(set, rows, 64);
  const once = cropBatch(batch, bytes, rows, 0.5, 3, 5);
  assert.equal([...cropBatch(batch, bytes, rows, 0.5, 3, 5).inputIds], [...once.inputIds]);
  const decisions = (seed: number, step: number) => {
    const cropped = cropBatch(batch, bytes, rows, 0.5, seed, step);
    return rows.map((_, p) => cropped.inputIds.subarray(p * 64, (p + 1) * 64).join() === batch.inputIds.subarray(p * 64, (p + 1) * 64).join());
  };
  const seen = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((step) => decisions(3, step).join()));
  assert.ok(seen.size > 1, 'different steps crop different rows');
  const all = cropBatch(batch, bytes, rows, 1, 9, 1);
  assert.is(all.inputIds[64 - 1], 3); // row 0 (email 1, 600+ bytes) cut at 64: [SEP] last
  assert.throws(() => cropBatch(batch, bytes, rows, 1.5, 0, 1), /cropProb 1.5/);
  assert.throws(() => cropBatch(batch, bytes, rows.slice(1), 1, 0, 1), /3 indices for a batch of 4 rows/);
});

test.run();
