// LSG attention, an ALBERT training step and the 200-step leak run on gpujs in the in-process modes (cpu, webasm).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerBackend } from '../../engine/index.js';
import { createGpuJsBackend } from '../../backends/gpujs/index.js';
import { trainTinyMlp } from './leak.js';
import { checkAlbertStep, checkLsgAttention } from './model-parity.js';

for (const mode of ['cpu', 'webasm'] as const) {
  const backend = createGpuJsBackend({ mode, name: `gpujs-models-${mode}` });
  registerBackend(backend);

  test(`${mode}: lsgSelfAttention forward and gradients match the CPU backend`, () => {
    const failures = checkLsgAttention(backend.name).filter((r) => !r.ok);
    assert.equal(failures.map((f) => f.message), []);
  });

  test(`${mode}: an ALBERT training step (loss, gradients, AdamW) matches the CPU backend`, () => {
    const result = checkAlbertStep(backend.name);
    assert.ok(result.ok, result.message);
  });

  test(`${mode}: an LSG-ALBERT training step (loss, gradients, AdamW) matches the CPU backend`, () => {
    const result = checkAlbertStep(backend.name, 'lsg');
    assert.ok(result.ok, result.message);
  });

  test(`${mode}: 200 tiny-MLP steps in tidy scopes keep the live-buffer count flat`, () => {
    const run = trainTinyMlp(backend, 200);
    const counts = run.liveAfterEachStep;
    // NOTE: never above the first step's count (garbage from the tests above may be collected meanwhile).
    assert.ok(Math.max(...counts) <= counts[0]!, `live buffers ${counts[0]} → ${counts[counts.length - 1]} (max ${Math.max(...counts)})`);
    assert.ok(run.lastLoss < run.firstLoss * 0.5, `loss ${run.firstLoss} → ${run.lastLoss}`);
  });
}

test.run();
