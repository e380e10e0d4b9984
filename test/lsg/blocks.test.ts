// The block index table and the bank gathers on small hand-checked cases.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { arange, tensor } from '../../engine/index.js';
import { blockTable, gatherBlocks, keyBank, maskBank, tokenRowTables } from '../../lsg/blocks.js';
import { MASK_VALUE } from '../../engine/index.js';

test('causal table: blocks see [previous, current]; out-of-range slots read the pad row', () => {
  const table = blockTable({ blockSize: 2, tokenLength: 4, numGlobal: 0, sparseLength: 0, sparseStep: 1, slots: { left: [], right: [] }, isCausal: true });
  assert.is(table.width, 4);
  assert.equal(Array.from(table.rows), [4, 4, 0, 1, 0, 1, 2, 3]);
});

test('table with a global row and sparse slots: [global | left | right | local]', () => {
  // bank rows: 0 global, 1..3 sparse, 4..9 tokens, 10 pad
  const table = blockTable({ blockSize: 2, tokenLength: 6, numGlobal: 1, sparseLength: 3, sparseStep: 1, slots: { left: [-2], right: [2] }, isCausal: false });
  assert.is(table.width, 1 + 2 + 6);
  assert.equal(Array.from(table.rows.subarray(0, 9)), [0, 10, 3, 10, 10, 4, 5, 6, 7]);
  assert.equal(Array.from(table.rows.subarray(18, 27)), [0, 1, 10, 6, 7, 8, 9, 10, 10]);
});

test('per-pair token-row tables read what the sparse bank rows held: each pair its own positions', () => {
  // bank rows: 0 global, 1..3 sparse, 4..9 tokens, 10 pad; without the sparse rows: 0 global, 1..6 tokens, 7 pad.
  const spec = { blockSize: 2, tokenLength: 6, numGlobal: 1, sparseLength: 3, sparseStep: 1, slots: { left: [-2], right: [2] }, isCausal: false };
  const table = blockTable(spec);
  const positions = Int32Array.from([5, 0, 2, 1, 4, 3]);                              // pair 0: [5, 0, 2], pair 1: [1, 4, 3]
  const tables = tokenRowTables(table, spec, positions, 2);
  assert.is(tables.length, 2 * table.rows.length);
  // Block 2 of table above: [0, 1, 10, 6, 7, 8, 9, 10, 10] (global, sparse slot 0, pad, tokens 2..5, pad, pad).
  assert.equal(Array.from(tables.subarray(18, 27)), [0, 1 + 5, 7, 3, 4, 5, 6, 7, 7]);
  assert.equal(Array.from(tables.subarray(27 + 18, 27 + 27)), [0, 1 + 1, 7, 3, 4, 5, 6, 7, 7]);
  // Every entry reads, in [global | tokens | pad], the row the full bank's entry read.
  const tokens = Array.from({ length: 6 }, (_, p) => 100 + p);
  for (const pair of [0, 1]) {
    const full = [7, ...Array.from(positions.subarray(pair * 3, pair * 3 + 3), (p) => tokens[p]!), ...tokens, -1];
    const withoutSparse = [7, ...tokens, -1];
    const read = Array.from(tables.subarray(pair * table.rows.length, (pair + 1) * table.rows.length), (row) => withoutSparse[row]);
    assert.equal(read, Array.from(table.rows, (row) => full[row]), `pair ${pair}`);
  }
});

test('banks append a zero key row and a MASK_VALUE mask row; gathers read blocks', () => {
  const keys = arange(0, 8, 1, { dtype: 'float64' }).reshape([1, 1, 4, 2]);           // token p has key [2p, 2p+1]
  const bank = keyBank([keys]);
  assert.equal(bank.shape, [1, 1, 5, 2]);
  assert.equal(Array.from(bank.narrow(2, 4, 1).toTypedArray()), [0, 0]);
  const table = blockTable({ blockSize: 2, tokenLength: 4, numGlobal: 0, sparseLength: 0, sparseStep: 1, slots: { left: [], right: [] }, isCausal: true });
  const blocks = gatherBlocks(bank, table);
  assert.equal(blocks.shape, [1, 1, 2, 4, 2]);
  assert.equal(Array.from(blocks.toTypedArray()), [0, 0, 0, 0, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7]);
  const masks = maskBank([tensor([[[0, MASK_VALUE, 0, 0]]], { dtype: 'float64' })]);
  const maskBlocks = gatherBlocks(masks.unsqueeze(-1), table);
  assert.equal(maskBlocks.shape, [1, 1, 2, 4, 1]);
  assert.equal(Array.from(maskBlocks.toTypedArray()), [MASK_VALUE, MASK_VALUE, 0, MASK_VALUE, 0, MASK_VALUE, 0, 0]);
});

test.run();
