// The training loop's device scopes: on gpujs, a step (one replica's forward and backward, clipping, AdamW) and an
// evaluation batch release their device temporaries when they end; without the scope they pile up until a garbage
// collection, which does not come soon enough for GPU memory.
import v8 from 'node:v8';
import vm from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerBackend, useBackend } from '../../engine/index.js';
import { AdamW, clipGradNorm } from '../../nn/index.js';
import { createGpuJsBackend } from '../../backends/gpujs/index.js';
import { parseArgs } from '../../cli/args.js';
import { encodeSet, gatherRows } from '../../cli/data/batches.js';
import { inDeviceScope, inPassScope, useDeviceScopes } from '../../cli/device-scope.js';
import { createClassifier } from '../../cli/model.js';
import { Replicas } from '../../cli/replicas.js';
import { TRAIN_FLAGS } from '../../cli/train-flags.js';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

const options = parseArgs('train', TRAIN_FLAGS, [
  '--seq-len', '64', '--hidden-size', '16', '--embedding-size', '8', '--intermediate-size', '32', '--heads', '2',
  '--block-size', '16', '--sparse-block-size', '16', '--sparsity-factor', '2',
]).flags;
const texts = ['hello there', 'FREE MONEY click now!!!', 'meeting at noon, agenda attached', 'win a prize, winner winner'];
const batch = gatherRows(encodeSet(texts, [0, 1, 0, 1], 64), [0, 1, 2, 3]);

test('steps and evaluations in device scopes keep gpujs live buffers flat', async () => {
  const gpu = createGpuJsBackend({ mode: 'cpu', name: 'gpujs-scopes' });
  registerBackend(gpu);
  useBackend(gpu.name);
  useDeviceScopes(gpu);
  try {
    const classifier = createClassifier(options);
    const module = classifier.module.train();
    const optimizer = new AdamW(module.parameters(), { lr: 1e-3 });
    const replicas = Replicas.start(classifier, { options }, 1);
    const live: number[] = [];
    for (let step = 1; step <= 6; step++) {
      const loss = inDeviceScope(() => {
        const value = replicas.backwardHere(batch, 0, step);
        clipGradNorm(module.parameters(), 1);
        optimizer.step();
        optimizer.zeroGrad();
        return value;
      }, [module, optimizer]);
      assert.ok(Number.isFinite(loss));
      await replicas.logits([batch]);
      live.push(gpu.memory().liveBuffers);
    }
    // No collection in between: only AdamW's replaced moments (two per parameter, left to the collector, see
    // test/gpujs/optimizer-memory.test.ts) may pile up; each step's hundreds of temporaries may not.
    const perStep = (live[5]! - live[1]!) / 4;
    const moments = 2 * module.parameters().length;
    assert.ok(perStep <= moments, `live buffers after each step: ${live.join(' ')} (${perStep} more per step; AdamW's moments: ${moments})`);
    await tick();
    collectGarbage();
    await tick();
    assert.ok(gpu.memory().liveBuffers <= live[1]!, `after a collection: ${gpu.memory().liveBuffers} live buffers, ${live[1]} after step 2`);
  } finally {
    useDeviceScopes(null);
    useBackend('cpu');
  }
});

test('without a gpujs backend the scope runs fn in a CPU scope', () => {
  assert.is(inDeviceScope(() => 42, []), 42);
  assert.is(inPassScope(() => 42, []), 42);
});

test.run();
