// lsgrad's side of one PyTorch comparison cell: the workload of reference_cell.py with lsgrad,
// in its own process (LSGRAD_THREADS set by the parent). Prints `RESULT {wallMs, cpuMs}`.
import { parseArgs } from '../../cli/args.js';
import { createClassifier } from '../../cli/model.js';
import { TRAIN_FLAGS } from '../../cli/train-flags.js';
import { createRng, denseAttention, randint, randn, tensor, ones, type Tensor } from '../../engine/index.js';
import { lsgSelfAttention } from '../../lsg/index.js';
import { AdamW, clipGradNorm, weightDecayGroups } from '../../nn/index.js';
import { emit } from '../measure.js';
import type { TorchCellSpec, TorchWorkload } from './workloads.js';

function attentionStep(spec: TorchCellSpec, attend: (q: Tensor, k: Tensor, v: Tensor) => Tensor): () => void {
  const rng = createRng(spec.seed);
  const shape = [1, spec.heads, spec.length, spec.headDim];
  const [q, k, v, upstream] = [0, 1, 2, 3].map(() => randn(shape, { rng })) as [Tensor, Tensor, Tensor, Tensor];
  const leaf = (x: Tensor) => tensor(x.toTypedArray(), { shape, requiresGrad: true });
  return () => attend(leaf(q), leaf(k), leaf(v)).backward(upstream);
}

function trainStep(spec: TorchCellSpec): () => void {
  const { model } = spec;
  const argv = ['--seq-len', String(spec.length), '--seed', String(spec.seed)];
  const options = parseArgs('train', TRAIN_FLAGS, argv).flags;
  const classifier = createClassifier(options);
  classifier.module.train();
  const optimizer = new AdamW(weightDecayGroups(classifier.module, 0.01), { lr: 1e-3 });
  const inputIds = randint(5, model.vocabSize, [model.batch, spec.length], { rng: createRng(spec.seed + 1), dtype: 'int32' });
  const attentionMask = ones([model.batch, spec.length], { dtype: 'int32' });
  const labels = tensor(Array.from({ length: model.batch }, (_, i) => i % 2), { dtype: 'int32' });
  return () => {
    const { loss } = classifier.forward(inputIds, attentionMask, labels);
    loss!.backward();
    clipGradNorm(classifier.module.parameters(), 1);
    optimizer.step();
    optimizer.zeroGrad();
    loss!.item();
  };
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
