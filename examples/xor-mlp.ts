// A two-layer perceptron learns XOR-of-signs on generated points, from engine ops alone.
// Run: npx tsx examples/xor-mlp.ts [--steps 300] [--seed 0]
import { createRng, noGrad, randn, tensor, type Tensor } from 'lsgrad';
import { parseProgramArgs } from '../cli/args.js';

const flags = parseProgramArgs('examples/xor-mlp.ts', 'A two-layer perceptron learns XOR-of-signs on generated points.', {
  steps: { kind: 'int', default: 300, min: 1, help: 'gradient steps' },
  seed: { kind: 'int', default: 0, min: 0, help: 'seed of the points and the initial weights' },
});
const steps = flags.steps;
const rng = createRng(flags.seed);
const hidden = 16;
const learningRate = 0.5;

// Points in [-1, 1]²; the label is 1 when the coordinates have the same sign.
const points = Array.from({ length: 256 }, () => [rng.uniform() * 2 - 1, rng.uniform() * 2 - 1] as const);
const x = tensor(points.map(([a, b]) => [a, b]));
const y = tensor(points.map(([a, b]) => [a * b > 0 ? 1 : 0]));

const params: Tensor[] = [
  randn([2, hidden], { rng, requiresGrad: true }),
  tensor(new Float32Array(hidden), { shape: [hidden], requiresGrad: true }),
  randn([hidden, 1], { rng, requiresGrad: true }),
  tensor([0], { requiresGrad: true }),
];
const [w1, b1, w2, b2] = params as [Tensor, Tensor, Tensor, Tensor];

for (let step = 1; step <= steps; step++) {
  const logits = x.matmul(w1).add(b1).tanh().matmul(w2).add(b2);
  // Binary cross entropy with logits: softplus(z) − y·z, written stably as max(z,0) − y·z + log(1 + e^−|z|).
  const loss = logits.maximum(0).sub(logits.mul(y)).add(logits.abs().neg().exp().add(1).log()).mean();
  for (const p of params) p.grad = null;
  loss.backward();
  noGrad(() => params.forEach((p) => p.assign(p.sub(p.grad!.mul(learningRate)))));
  if (step % 50 === 0 || step === 1) {
    const accuracy = noGrad(() => logits.gt(0).eq(y.gt(0.5)).float().mean().item());
    console.log(`step ${String(step).padStart(4)}  loss ${loss.item().toFixed(4)}  accuracy ${(accuracy * 100).toFixed(1)}%`);
  }
}
