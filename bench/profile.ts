// npm run bench:profile -- <implementation id | train-step> <length> [--unfused]
// (train-step: one training step of npm start's model, batch 2, bench/train-step.ts)
// (--unfused: the CPU backend without its fused blockAttention pair, i.e. LSG's composed block
// product, for before/after profiles in one checkout)
// Where one lsgrad attention forward+backward spends its CPU time, per backend kernel (and, for
// the elementwise families, per op): a wrapper times every kernel call with process.cpuUsage.
// Single-threaded by default (LSGRAD_THREADS=1 is set before the engine loads), so the process's
// CPU time is the calling thread's.
import { argumentError } from '../engine/errors.js';

const unfused = process.argv.includes('--unfused');
const [implId, lengthText] = process.argv.slice(2).filter((arg) => arg !== '--unfused');
if (!implId || !lengthText) throw argumentError('bench/profile', 'arguments', process.argv.slice(2), '<implementation id> <length>, e.g. lsg-b128-norm 4096');
process.env.LSGRAD_THREADS ??= '1';
const { createRng, getBackend, randn, registerBackend, useBackend } = await import('../engine/index.js');
const { attentionImpls, HEAD_DIM, HEADS } = await import('./attention-cases.js');
const { lsgradAttention } = await import('./attention-cell.js');
const { wrapKernels } = await import('./wrap-kernels.js');

const TRAIN_STEP = 'train-step';
const impl = attentionImpls().find((candidate) => candidate.id === implId);
if (implId !== TRAIN_STEP && (!impl || impl.kind === 'tfjs')) {
  throw argumentError('bench/profile', 'implementation', implId, `${TRAIN_STEP} or an lsgrad implementation id (lsgrad-dense, lsg-b128-norm, …)`);
}
const length = Number(lengthText);

const totals = new Map<string, { ms: number; calls: number; flops: number }>();

/** 2·batch·M·K·N of a matmul call on views a [..., M, K] and b [..., K, N]. */
function matmulFlops(args: unknown[]): number {
  const [a, b] = args as [{ shape: readonly number[] }, { shape: readonly number[] }];
  const batch = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  return 2 * batch * a.shape.at(-2)! * a.shape.at(-1)! * b.shape.at(-1)!;
}
const { blockAttention: _fusedPair, ...withoutFused } = getBackend('cpu');
const cpu = unfused ? (withoutFused as typeof withoutFused & { name: string }) : getBackend('cpu');
const timed = wrapKernels(cpu, 'profiled-cpu', (kernelName, kernel) => (...args) => {
  // unary/binary/reduce name their op in the first argument.
  const key = typeof args[0] === 'string' ? `${kernelName}:${args[0]}` : kernelName;
  const start = process.cpuUsage();
  const result = kernel(...args);
  const used = process.cpuUsage(start);
  const entry = totals.get(key) ?? { ms: 0, calls: 0, flops: 0 };
  entry.ms += (used.user + used.system) / 1000;
  entry.calls += 1;
  if (kernelName === 'matmul') entry.flops += matmulFlops(args);
  totals.set(key, entry);
  return result;
}, ['tidy', 'adopt']); // scopes, not kernels: timing tidy would count its whole body
registerBackend(timed);
useBackend('profiled-cpu');

/** One forward+backward of the attention implementation on fresh random inputs. */
function attentionRun(attentionImpl: NonNullable<typeof impl>): () => void {
  const { rows, attend } = lsgradAttention(attentionImpl, length);
  const rng = createRng(1);
  const shape = [1, HEADS, rows, HEAD_DIM];
  return () => {
    const [q, k, v] = [0, 1, 2].map(() => randn(shape, { rng, requiresGrad: true }));
    const upstream = randn(shape, { rng });
    attend(q!, k!, v!).backward(upstream);
  };
}
const { createTrainStep } = await import('./train-step.js');
const { TRAIN_STEP_MODEL } = await import('./torch/workloads.js');
const step = impl
  ? attentionRun(impl)
  : createTrainStep({ length, batch: TRAIN_STEP_MODEL.batch, vocabSize: TRAIN_STEP_MODEL.vocabSize, seed: 1 });
const run = () => {
  totals.clear();
  const start = process.cpuUsage();
  step();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
run();                                    // warm-up (compiles the kernels)
const total = run();
const kernelMs = [...totals.values()].reduce((s, e) => s + e.ms, 0);
const what = impl ? `${impl.label}${unfused ? ' (composed block product)' : ''}, length ${length}, forward+backward` : `one training step of npm start's model, batch ${TRAIN_STEP_MODEL.batch} × ${length} tokens`;
console.log(`${what}: ${total.toFixed(0)} ms of CPU time (threads: ${process.env.LSGRAD_THREADS}; CPU time, since the machine may be shared)`);
console.log('| kernel | ms | share | calls | GFLOP/s |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [key, entry] of [...totals].sort((a, b) => b[1].ms - a[1].ms)) {
  const rate = entry.flops > 0 ? (entry.flops / (entry.ms / 1000) / 1e9).toFixed(2) : '';
  console.log(`| ${key} | ${entry.ms.toFixed(0)} | ${((100 * entry.ms) / total).toFixed(1)}% | ${entry.calls} | ${rate} |`);
}
console.log(`| outside kernels (graph, views, garbage collection) | ${(total - kernelMs).toFixed(0)} | ${((100 * (total - kernelMs)) / total).toFixed(1)}% | | |`);
