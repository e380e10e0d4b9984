// One attention cell: an implementation at one sequence length, forward then forward+backward.
// Runs in its own process (bench/cell.ts), so the process peak belongs to this cell alone.
import { createRng, denseAttention, noGrad, ones, randn, tensor, useBackend, type Tensor } from '../engine/index.js';
import { createLsgConfig, lsgAttention } from '../lsg/index.js';
import { attentionImpls, HEAD_DIM, HEADS, type AttentionImpl, type AttentionMode } from './attention-cases.js';
import { baselineRss, collectGarbage, peakRss, timingFields, type ModeResult } from './measure.js';
import { loadTfjs, tfjsDenseAttention, countTfjsAllocations } from './tfjs.js';
import { timeRuns, type RepPolicy, type RunTimes } from './timing.js';
import { TRACKED_BACKEND, useTrackedCpuBackend } from './tracked-backend.js';

export interface AttentionCellSpec {
  readonly task: 'attention';
  readonly implId: string;
  readonly length: number;
  readonly modes: readonly AttentionMode[];
  readonly reps: RepPolicy;
  readonly seed: number;
}

function implById(id: string): AttentionImpl {
  const impl = attentionImpls().find((candidate) => candidate.id === id);
  if (!impl) throw new Error(`attention cell: unknown implementation '${id}'`);
  return impl;
}

/** (q, k, v) → context on lsgrad tensors of shape (1, heads, rows, headDim). */
export function lsgradAttention(impl: AttentionImpl, length: number): { rows: number; attend: (q: Tensor, k: Tensor, v: Tensor) => Tensor } {
  if (impl.kind === 'lsgrad-dense') return { rows: length, attend: (q, k, v) => denseAttention(q, k, v) };
  if (impl.kind !== 'lsgrad-lsg') throw new Error(`not an lsgrad implementation: ${impl.id}`);
  // Model-level LSG: one global token in row 0, then `length` token rows (blocks of blockSize).
  const config = createLsgConfig({ ...impl.shape, sparsityType: impl.sparsityType, numGlobalTokens: 1 });
  const tokenKeep = ones([1, length]);
  return { rows: length + 1, attend: (q, k, v) => lsgAttention(q, k, v, tokenKeep, config) };
}

/**
 * One small dense forward+backward before the baseline, so the process peak leaves out what any
 * first call pays once (compiled kernels, the matmul helper thread's startup).
 */
function warmUpLsgrad(rng: ReturnType<typeof createRng>): void {
  const shape = [1, HEADS, 64, HEAD_DIM];
  const [q, k, v] = [0, 1, 2].map(() => randn(shape, { rng, requiresGrad: true }));
  denseAttention(q!, k!, v!).sum().backward();
}

async function runLsgrad(spec: AttentionCellSpec, impl: AttentionImpl, report: (r: ModeResult) => void): Promise<void> {
  const counter = useTrackedCpuBackend();
  useBackend(TRACKED_BACKEND);
  const { rows, attend } = lsgradAttention(impl, spec.length);
  const rng = createRng(spec.seed);
  const shape = [1, HEADS, rows, HEAD_DIM];
  const inputs = [randn(shape, { rng }), randn(shape, { rng }), randn(shape, { rng })];
  const upstream = randn(shape, { rng });
  const leaves = () => inputs.map((x) => tensor(x.toTypedArray(), { shape, requiresGrad: true }));
  warmUpLsgrad(createRng(spec.seed + 1));
  const baseline = baselineRss();
  for (const mode of spec.modes) {
    let allocation = { bytes: 0, buffers: 0, largest: 0 };
    let first = true;
    const measureFirst = (run: () => void) => {
      counter.reset();
      run();
      if (first) allocation = { bytes: counter.bytes, buffers: counter.buffers, largest: counter.largest };
      first = false;
    };
    let times: RunTimes;
    if (mode === 'forward') {
      times = await timeRuns(() => measureFirst(() => { noGrad(() => attend(inputs[0]!, inputs[1]!, inputs[2]!)); }), spec.reps);
    } else {
      // Fresh leaf tensors before each run (untimed), so gradients never accumulate across runs.
      let prepared: Tensor[] = [];
      times = await timeRuns(() => {
        const [q, k, v] = prepared;
        measureFirst(() => attend(q!, k!, v!).backward(upstream));
      }, spec.reps, () => { prepared = leaves(); });
    }
    report({
      mode, ...timingFields(times),
      allocatedBytes: allocation.bytes, buffers: allocation.buffers, largestBufferBytes: allocation.largest,
      peakRssDeltaBytes: Math.max(0, peakRss() - baseline),
    });
    collectGarbage();
  }
}

type TfTensor = import('@tensorflow/tfjs-core').Tensor;

async function runTfjs(spec: AttentionCellSpec, backend: 'cpu' | 'wasm', report: (r: ModeResult) => void): Promise<void> {
  const tf = await loadTfjs(backend);
  const shape: [number, number, number] = [HEADS, spec.length, HEAD_DIM];
  const [q, k, v, upstream] = [0, 1, 2, 3].map((i) => tf.randomNormal(shape, 0, 1, 'float32', spec.seed + i)) as [TfTensor, TfTensor, TfTensor, TfTensor];
  // d(context · upstream)/d(q, k, v): the gradients of q, k and v for a given upstream gradient.
  const gradients = tf.grads((...x: TfTensor[]) => tfjsDenseAttention(x[0]!, x[1]!, x[2]!));
  const forward = () => tf.tidy(() => tfjsDenseAttention(q, k, v));
  const forwardBackward = () => tf.tidy(() => gradients([q, k, v], upstream));
  // Warm-up at a small length, before the baseline (see warmUpLsgrad).
  tf.dispose(tf.tidy(() => {
    const small = [0, 1, 2].map(() => tf.randomNormal([HEADS, 64, HEAD_DIM]));
    return gradients(small);
  }));
  const baseline = baselineRss();
  for (const mode of spec.modes) {
    const body = async () => {
      const outputs = mode === 'forward' ? [forward()] : forwardBackward();
      await outputs[0]!.data();                            // kernels are synchronous here; read to be sure
      tf.dispose(outputs);
    };
    let allocation = { bytes: 0, buffers: 0, largest: 0, livePeak: 0 };
    let first = true;
    const times = await timeRuns(async () => {
      if (!first) return body();
      first = false;
      allocation = await countTfjsAllocations(body);
    }, spec.reps);
    report({
      mode, ...timingFields(times),
      allocatedBytes: allocation.bytes, buffers: allocation.buffers, largestBufferBytes: allocation.largest,
      livePeakBytes: allocation.livePeak,
      peakRssDeltaBytes: Math.max(0, peakRss() - baseline),
    });
    collectGarbage();
  }
}

export async function runAttentionCell(spec: AttentionCellSpec, report: (r: ModeResult) => void): Promise<void> {
  const impl = implById(spec.implId);
  if (impl.kind === 'tfjs') await runTfjs(spec, impl.backend, report);
  else await runLsgrad(spec, impl, report);
}
