// lsgrad's side of one PyTorch comparison cell: the workload of reference_cell.py with lsgrad,
// in its own process (LSGRAD_THREADS set by the parent). Prints `RESULT {wallMs, cpuMs}`.
import { createRng, denseAttention, noGrad, randn, tidy, type Tensor } from '../../engine/index.js';
import { lsgSelfAttention } from '../../lsg/index.js';
import { emit } from '../measure.js';
import { createTrainStep } from '../train-step.js';
import type { TorchCellSpec, TorchWorkload } from './workloads.js';

function attentionStep(spec: TorchCellSpec, attend: (q: Tensor, k: Tensor, v: Tensor) => Tensor): () => void {
  const rng = createRng(spec.seed);
  const shape = [1, spec.heads, spec.length, spec.headDim];
  const [q, k, v, upstream] = [0, 1, 2, 3].map(() => randn(shape, { rng })) as [Tensor, Tensor, Tensor, Tensor];
  // One copy per leaf, as the PyTorch side's x.clone() (toTypedArray then tensor() was two).
  const leaf = (x: Tensor) => {
    const copy = noGrad(() => x.mul(1));
    copy.requiresGrad = true;
    return copy;
  };
  // In a tidy scope, as a training loop runs its steps (the train-step cell runs lsgrad train's own
  // scope): the run's buffers go back to the pool at its end for the next run, as PyTorch's caching
  // allocator keeps its blocks. Without it each run takes fresh memory (8–15% more CPU here).
  return () => tidy(() => { attend(leaf(q), leaf(k), leaf(v)).backward(upstream); });
}

function trainStep(spec: TorchCellSpec): () => void {
  return createTrainStep({ length: spec.length, batch: spec.model.batch, vocabSize: spec.model.vocabSize, seed: spec.seed });
}

const WORKLOADS: Record<TorchWorkload, (spec: TorchCellSpec) => () => void> = {
  'lsg-b128': (spec) => attentionStep(spec, (q, k, v) => lsgSelfAttention(q, k, v, { blockSize: 128, sparsityFactor: 4, sparsityType: 'norm' })),
  'lsg-b32': (spec) => attentionStep(spec, (q, k, v) => lsgSelfAttention(q, k, v, { blockSize: 32, sparsityFactor: 4, sparsityType: 'norm' })),
  dense: (spec) => attentionStep(spec, (q, k, v) => denseAttention(q, k, v)),
  'train-step': trainStep,
};

const spec = JSON.parse(process.argv[2] ?? 'null') as TorchCellSpec | null;
if (!spec || !(spec.workload in WORKLOADS)) throw new Error(`bench/torch/lsgrad-cell.ts: pass a cell spec as JSON (got ${process.argv[2]})`);
const run = WORKLOADS[spec.workload](spec);
run();                                        // warm-up, as on the PyTorch side
const wallMs: number[] = [];
const cpuMs: number[] = [];
for (let rep = 0; rep < spec.reps; rep++) {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  run();
  wallMs.push(performance.now() - start);
  const used = process.cpuUsage(cpuStart);
  cpuMs.push((used.user + used.system) / 1000);
}
emit({ wallMs, cpuMs });
