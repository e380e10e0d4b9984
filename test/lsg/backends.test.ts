// LSG is built from engine ops only, so every backend runs it: the gpu.js plugin (in its
// always-available 'cpu' mode) gives the CPU backend's outputs and gradients at float32 tolerance.
import { test } from 'uvu';
import { createRng, randn, registerBackend, tensor, withBackend, type Tensor } from '../../engine/index.js';
import { createGpuJsBackend } from '../../backends/gpujs/index.js';
import { createLsgConfig, lsgAttention, lsgSelfAttention, SPARSITY_TYPES } from '../../lsg/index.js';
import { expectClose, F32_TOL } from '../helpers/close.js';

registerBackend(createGpuJsBackend({ mode: 'cpu', name: 'gpujs-lsg' }));
const rng = createRng(2);
const shape = [2, 2, 1 + 32, 4];
const data = [0, 1, 2].map(() => randn(shape, { rng }).toTypedArray());
const keepRows = [[...Array(32).fill(1)], [...Array(27).fill(1), ...Array(5).fill(0)]];

/** Output and q, k, v gradients of `attend`, computed on `backend`. */
function run(backend: string, attend: (q: Tensor, k: Tensor, v: Tensor, keep: Tensor) => Tensor): Float32Array[] {
  return withBackend(backend, () => {
    const [q, k, v] = data.map((values) => tensor(values, { shape, requiresGrad: true })) as [Tensor, Tensor, Tensor];
    const out = attend(q, k, v, tensor(keepRows));
    out.mul(out).sum().backward();
    return [out, q.grad!, k.grad!, v.grad!].map((x) => x.toTypedArray() as Float32Array);
  });
}

for (const sparsityType of SPARSITY_TYPES) {
  test(`gpujs (cpu mode) equals the CPU backend: ${sparsityType}, layer and model`, () => {
    const layer = (q: Tensor, k: Tensor, v: Tensor, keep: Tensor) => lsgSelfAttention(q.narrow(2, 1, 32), k.narrow(2, 1, 32), v.narrow(2, 1, 32), {
      blockSize: 4, sparsityFactor: 2, sparsityType, attentionMask: keep, isCausal: sparsityType === 'stride', lsh: { rng: createRng(1) },
    });
    const config = createLsgConfig({ blockSize: 4, sparseBlockSize: 4, sparsityFactor: 2, sparsityType, numGlobalTokens: 1 });
    const model = (q: Tensor, k: Tensor, v: Tensor, keep: Tensor) => lsgAttention(q, k, v, keep, config, { lsh: { rng: createRng(1) } });
    for (const attend of [layer, model]) {
      const [expected, actual] = [run('cpu', attend), run('gpujs-lsg', attend)];
      expected.forEach((values, i) => expectClose(actual[i]!, values, F32_TOL, `${sparsityType} ${['output', 'dq', 'dk', 'dv'][i]}`));
    }
  });
}

test.run();
