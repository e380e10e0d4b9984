// The fused block attention on two threads: the helper thread takes half of the (batch, head)
// pairs, forward and backward, and the results are the single thread's bit for bit (a child process
// with LSGRAD_THREADS=1 computes the same calls), and the build over the module's own memory (where
// there is no shared memory, as in a page without cross-origin isolation) gives the same bits.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { availableParallelism } from 'node:os';
import { wasmSwitchedOff } from '../../backends/cpu/wasm/instantiate.js';
import { runScript } from '../helpers/node-script.js';

// Prints a SHA-256 of the output's and the three gradients' bytes for each case, then the helper's
// counts and how many block-attention calls were split.
const script = (withoutSharedMemory: boolean) => `
  ${withoutSharedMemory ? 'delete globalThis.SharedArrayBuffer;' : ''}
  const { createHash } = await import('node:crypto');
  const { createRng, randn, tensor, MASK_VALUE } = await import('./engine/index.js');
  const { blockTable } = await import('./lsg/blocks.js');
  const { blockAttentionForward, blockAttentionBackward } = await import('./backends/cpu/block-attention.js');
  const { helperStats } = await import('./backends/cpu/matmul-pool.js');
  const { wasmBlockAttentionSplits } = await import('./backends/cpu/wasm/block-attention-wasm.js');
  // The kernel pair itself (lsgSelfAttention around it would add matmuls, which without shared
  // memory run the JS kernel and round differently).
  for (const [batch, heads, isCausal] of [[2, 2, false], [1, 3, true], [3, 1, false]]) {
    const rng = createRng(batch * 10 + heads);
    const [blockSize, tokens, headDim, sparseLength] = [32, 512, 64, 96]; // head dimension 64: the forward keeps its weights
    const table = blockTable({ blockSize, tokenLength: tokens, numGlobal: 1, sparseLength, sparseStep: 2, slots: { left: [-1], right: [1] }, isCausal });
    const bankRows = 1 + sparseLength + tokens + 1;
    const plan = { ...table, blockSize, isCausal, scale: 1 / Math.sqrt(headDim), maskValue: MASK_VALUE };
    const [q, keys, values, dout] = [tokens, bankRows, bankRows, tokens].map((rows) => randn([batch, heads, rows, headDim], { rng }));
    const mask = tensor(Array.from({ length: batch * bankRows }, (_, i) => (i % bankRows === bankRows - 1 ? MASK_VALUE : 0)), { shape: [batch, 1, bankRows] }).expand([batch, heads, bankRows]);
    // The forward keeps its softmax weights (each thread writes its own pairs'), the backward reads them.
    const { out, saved } = blockAttentionForward(q, keys, values, mask, plan, true);
    if (!(saved instanceof Float32Array)) throw new Error('the wasm forward should keep its weights');
    const grads = blockAttentionBackward(q, keys, values, mask, tensor(out, { shape: q.shape }), dout, plan, saved);
    const hash = createHash('sha256');
    for (const data of [out, grads.dq, grads.dkeys, grads.dvalues]) hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    console.log(hash.digest('hex'));
  }
  console.log(JSON.stringify({ ...helperStats(), splits: wasmBlockAttentionSplits() }));
`;

function run(threads: string, withoutSharedMemory = false): { hashes: string[]; stats: { completed: number; recomputed: number; splits: number } } {
  // LSGRAD_BLAS=0: the wasm kernel on both thread counts (on one, the system BLAS would take these blocks).
  const lines = runScript(script(withoutSharedMemory), { env: { LSGRAD_THREADS: threads, LSGRAD_BLAS: '0' } });
  return { hashes: lines.slice(0, -1), stats: JSON.parse(lines.at(-1)!) };
}

// One core gives no helper thread, and LSGRAD_WASM=0 no kernel: then there is nothing to split.
const splitTest = availableParallelism() >= 2 && !wasmSwitchedOff() ? test : test.skip;

splitTest('two threads give the one-thread outputs and gradients bit for bit (pairs split 2/2, 1/2, 1/2; forward and backward)', () => {
  const split = run('2');
  const single = run('1');
  assert.is(split.hashes.length, 3);
  assert.equal(split.hashes, single.hashes);
  // Forward and backward of each of the three calls went half to the helper.
  assert.is(split.stats.splits, 6, JSON.stringify(split.stats));
  assert.is(split.stats.recomputed, 0);
  assert.equal(single.stats, { completed: 0, recomputed: 0, splits: 0 });
});

(wasmSwitchedOff() ? test.skip : test)('without shared memory the module runs over its own memory, on one thread, with the same bits', () => {
  const own = run('2', true);
  assert.equal(own.hashes, run('1').hashes);
  assert.equal(own.stats, { completed: 0, recomputed: 0, splits: 0 });
});

test.run();
