// An nn training loop on gpujs: ALBERT, AdamW and gradient clipping inside tidy scopes, keeping the model
// and the optimizer. AdamW replaces its moment tensors each step (no assign), so the old ones are released
// by the garbage collector (FinalizationRegistry); with a collection between steps the count is flat.
import v8 from 'node:v8';
import vm from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, registerBackend, tensor, useBackend } from '../../engine/index.js';
import { AdamW, AlbertConfig, AlbertForMaskedLM, clipGradNorm } from '../../nn/index.js';
import { createGpuJsBackend } from '../../backends/gpujs/index.js';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

test('30 ALBERT + AdamW steps in tidy scopes: live buffers flat (after collection), loss falls', async () => {
  const gpu = createGpuJsBackend({ mode: 'cpu', name: 'gpujs-optimizer' });
  registerBackend(gpu);
  useBackend(gpu.name);
  const config = new AlbertConfig({
    vocabSize: 20, embeddingSize: 8, hiddenSize: 16, numHiddenLayers: 2, numHiddenGroups: 1, numAttentionHeads: 2,
    intermediateSize: 24, maxPositionEmbeddings: 32, hiddenDropoutProb: 0, attentionProbsDropoutProb: 0,
  });
  const model = new AlbertForMaskedLM(config, { rng: createRng(3) }).train();
  const optimizer = new AdamW(model.parameters(), { lr: 1e-2 });
  const inputIds = tensor([[2, 5, 4, 7, 9, 3]], { dtype: 'int32' });
  const labels = tensor([[-100, 5, -100, 7, -100, -100]], { dtype: 'int32' });
  const counts: number[] = [];
  const losses: number[] = [];
  for (let step = 0; step < 30; step++) {
    losses.push(gpu.tidy(() => {
      const { loss } = model.forward({ inputIds, labels });
      loss!.backward();
      clipGradNorm(model.parameters(), 1.0);
      optimizer.step();
      optimizer.zeroGrad();
      return loss!.item();
    }, { keep: [model, optimizer] }));
    await tick();
    collectGarbage();
    await tick();
    counts.push(gpu.memory().liveBuffers);
  }
  useBackend('cpu');
  assert.ok(Math.max(...counts.slice(1)) <= counts[1]!, `live buffers per step: ${counts.join(' ')}`);
  assert.ok(losses[losses.length - 1]! < losses[0]! * 0.5, `loss ${losses[0]} → ${losses[losses.length - 1]}`);
});

test.run();
