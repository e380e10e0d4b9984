// 200 training steps of a tiny MLP (engine ops, manual SGD via assign under noGrad) inside tidy scopes:
// the backend's live-buffer count must not grow.
import { createRng, noGrad, randn, tensor, withBackend, type Tensor } from '../../engine/index.js';
import type { GpuJsBackend } from '../../backends/gpujs/index.js';

export interface LeakRun {
  liveAfterEachStep: number[];
  firstLoss: number;
  lastLoss: number;
}

export function trainTinyMlp(backend: GpuJsBackend, steps = 200): LeakRun {
  return withBackend(backend.name, () => {
    const rng = createRng(5);
    const parameter = (shape: number[], scale: number) => {
      const p = randn(shape, { rng }).mul(scale).detach();
      p.requiresGrad = true;
      return p;
    };
    const params: Tensor[] = [parameter([2, 8], 0.7), parameter([8], 0.1), parameter([8, 1], 0.5), parameter([1], 0.1)];
    const [w1, b1, w2, b2] = params as [Tensor, Tensor, Tensor, Tensor];
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = tensor([[0], [1], [1], [0]]);
    const liveAfterEachStep: number[] = [];
    let firstLoss = NaN;
    let lastLoss = NaN;
    for (let step = 0; step < steps; step++) {
      const loss = backend.tidy(() => {
        const hidden = x.matmul(w1).add(b1).tanh();
        const prediction = hidden.matmul(w2).add(b2).sigmoid();
        const lossTensor = prediction.sub(y).pow(2).mean();
        lossTensor.backward();
        noGrad(() => {
          for (const p of params) {
            p.assign(p.sub(p.grad!.mul(0.5)));
            p.grad = null;
          }
        });
        return lossTensor.item();
      }, { keep: params });
      if (step === 0) firstLoss = loss;
      lastLoss = loss;
      liveAfterEachStep.push(backend.memory().liveBuffers);
    }
    return { liveAfterEachStep, firstLoss, lastLoss };
  });
}
