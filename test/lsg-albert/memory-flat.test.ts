// A long training loop of a tiny LSG-ALBERT must not leak: on the CPU backend, heap and external
// (typed-array) memory after a full collection stay flat over 1,000 steps; on gpu.js (its cpu mode,
// which runs anywhere) the live device buffers stay flat. A leak of one small tensor per step fails.
import v8 from 'node:v8';
import vm from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, registerBackend, tensor, useBackend, type Tensor } from '../../engine/index.js';
import { AdamW, clipGradNorm } from '../../nn/index.js';
import { LSGAlbertForSequenceClassification, LsgAlbertConfig } from '../../lsg/index.js';
import { createGpuJsBackend } from '../../backends/gpujs/index.js';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
const tick = () => new Promise((resolve) => setImmediate(resolve));

const CONFIG = {
  vocabSize: 40, embeddingSize: 8, hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 16, maxPositionEmbeddings: 32,
  numLabels: 2, hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0, blockSize: 4, sparseBlockSize: 4, sparsityFactor: 2, numGlobalTokens: 1,
};
/** Bytes memory may grow over the 600 measured steps (1.7 KiB a step): below a retained graph or a 4 KiB tensor per step. */
const ALLOWED_GROWTH_BYTES = 1 << 20;

function tinyLoop() {
  const model = new LSGAlbertForSequenceClassification(new LsgAlbertConfig(CONFIG), { rng: createRng(4), dropoutRng: createRng(5) }).train();
  const optimizer = new AdamW(model.parameters(), { lr: 1e-3 });
  // Two batches of different lengths (24 tokens: blocks; 7: shorter than two blocks), padded rows.
  const batches = [
    { inputIds: tensor([Array.from({ length: 24 }, (_, i) => 2 + (i % 30)), [...Array.from({ length: 20 }, (_, i) => 5 + i), 0, 0, 0, 0]], { dtype: 'int32' }),
      attentionMask: tensor([Array(24).fill(1), [...Array(20).fill(1), 0, 0, 0, 0]], { dtype: 'int32' }), labels: tensor([0, 1], { dtype: 'int32' }) },
    { inputIds: tensor([[2, 9, 8, 7, 6, 5, 3]], { dtype: 'int32' }), attentionMask: tensor([[1, 1, 1, 1, 1, 1, 1]], { dtype: 'int32' }), labels: tensor([1], { dtype: 'int32' }) },
  ];
  const step = (index: number): number => {
    const { loss } = model.forward(batches[index % 2]!);
    loss!.backward();
    clipGradNorm(model.parameters(), 1);
    optimizer.step();
    optimizer.zeroGrad();
    return loss!.item();
  };
  return { model, optimizer, step };
}

async function settledBytes(): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < 3; i++) {
    await tick();
    collectGarbage();
    const { heapUsed, external, arrayBuffers } = process.memoryUsage();
    // NOTE: arrayBuffers is part of external; counted once.
    least = Math.min(least, heapUsed + Math.max(external, arrayBuffers));
  }
  return least;
}

test('1,000 LSG-ALBERT training steps on the CPU backend: heap + external memory after GC stay flat', async () => {
  const { step } = tinyLoop();
  const samples: number[] = [];
  const losses: number[] = [];
  for (let index = 0; index < 1000; index++) {
    losses.push(step(index));
    // The first 400 steps warm up (V8 compiles and sizes its heap); the last 600 are measured.
    if (index === 399 || index === 699 || index === 999) samples.push(await settledBytes());
  }
  const growth = samples[2]! - samples[0]!;
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(2);
  console.log(`cpu: heap+external after GC at steps 400/700/1000: ${samples.map(mib).join(' / ')} MiB (growth ${mib(growth)} MiB over 600 steps)`);
  assert.ok(growth < ALLOWED_GROWTH_BYTES, `memory grew by ${mib(growth)} MiB over 600 steps`);
  assert.ok(losses.every(Number.isFinite));
});

test('the same check fails on a leak of one small tensor per step', async () => {
  const { step } = tinyLoop();
  const leaked: Tensor[] = [];
  const samples: number[] = [];
  for (let index = 0; index < 400; index++) {
    step(index);
    leaked.push(tensor(new Float32Array(1024))); // 4 KiB per step, as a forgotten activation would be
    if (index === 99 || index === 399) samples.push(await settledBytes());
  }
  assert.ok(samples[1]! - samples[0]! >= ALLOWED_GROWTH_BYTES, `a 4 KiB-per-step leak grew memory by only ${samples[1]! - samples[0]!} bytes`);
});

test('LSG-ALBERT training steps on gpu.js (cpu mode) in tidy scopes: live device buffers stay flat', async () => {
  const gpu = createGpuJsBackend({ mode: 'cpu', name: 'gpujs-memory-flat' });
  registerBackend(gpu);
  useBackend(gpu.name);
  try {
    const { model, optimizer, step } = tinyLoop();
    const live: number[] = [];
    for (let index = 0; index < 25; index++) {
      gpu.tidy(() => step(index), { keep: [model, optimizer] });
      await tick();
      collectGarbage();
      await tick();
      live.push(gpu.memory().liveBuffers);
    }
    console.log(`gpujs cpu mode: live buffers after steps 2, 12, 25: ${live[1]} ${live[11]} ${live[24]}`);
    assert.ok(Math.max(...live.slice(2)) <= Math.max(live[0]!, live[1]!), `live buffers per step: ${live.join(' ')}`);
  } finally {
    useBackend('cpu');
  }
});

test.run();
