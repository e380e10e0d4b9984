/**
 * The run panel's computation, without the DOM: LSG and dense attention, forward and backward,
 * on seeded inputs, timed on a registered backend (the CPU backend, or gpu.js in WebGL2 mode in
 * a page that has it). The same function gives Node and the page the same outputs to compare.
 */
import { argumentError, createRng, denseAttention, getBackend, ones, randn, registerBackend, withBackend, zeros, type Tensor } from 'lsgrad';
import { lsgAttention } from 'lsgrad/lsg';
import { createGpuJsBackend, type GpuJsBackend } from 'lsgrad/gpujs';
import { patternConfig, type PatternSettings } from './pattern.js';

export type RunSettings = Omit<PatternSettings, 'head' | 'causal' | 'maskFirstToken'>;

export const RUN_DEFAULTS: RunSettings = {
  seqLen: 1024, blockSize: 64, sparseBlockSize: 64, sparsityFactor: 4, sparsityType: 'norm', numGlobalTokens: 1, heads: 4, headDim: 32, seed: 0,
};

export type AttentionKind = 'lsg' | 'dense';

export interface AttentionRun {
  readonly kind: AttentionKind;
  /** The backend's registry name, and the mode it really ran (gpu.js: from its kernel class). */
  readonly backend: string;
  readonly mode: string;
  /** After one untimed warm-up run (which compiles gpu.js's kernels). */
  readonly forwardMs: number;
  readonly backwardMs: number;
  /** The output (1, heads, g + seqLen, headDim) and the gradient of its sum with respect to q, as float32. */
  readonly output: Float32Array;
  readonly queryGradient: Float32Array;
}

/** Seeded (1, heads, g + seqLen, headDim) queries, keys and values; the same numbers on every backend. */
function inputs(settings: RunSettings): Tensor[] {
  const rng = createRng(settings.seed);
  const rows = settings.numGlobalTokens + settings.seqLen;
  return [0, 1, 2].map(() => randn([1, settings.heads, rows, settings.headDim], { rng, requiresGrad: true }));
}

/** One forward and backward pass of `kind` on the current backend, timed. */
function pass(kind: AttentionKind, settings: RunSettings) {
  const config = patternConfig({ ...settings, head: 0, causal: false, maskFirstToken: false });
  if (config.numGlobalTokens + settings.seqLen > 8192 || (settings.seqLen > 2 * config.blockSize && settings.seqLen % config.blockSize !== 0)) {
    throw argumentError('runAttention', 'seqLen', settings.seqLen, `a multiple of blockSize ${config.blockSize} (the run panel does not pad), at most 8192`);
  }
  const [q, k, v] = inputs(settings) as [Tensor, Tensor, Tensor];
  const rows = q.shape[2]!;
  let started = performance.now();
  const output = kind === 'lsg'
    ? lsgAttention(q, k, v, ones([1, settings.seqLen]), config, { lsh: { rng: createRng(settings.seed + 1) } })
    : denseAttention(q, k, v, zeros([1, 1, 1, rows]));
  const values = output.toTypedArray() as Float32Array;
  const forwardMs = performance.now() - started;
  started = performance.now();
  output.sum().backward();
  const queryGradient = q.grad!.toTypedArray() as Float32Array;
  return { forwardMs, backwardMs: performance.now() - started, output: values, queryGradient };
}

/**
 * LSG or dense attention forward and backward on the backend named `backend` (default: the CPU backend).
 * @example runAttention('lsg', { ...RUN_DEFAULTS, seqLen: 256 }).forwardMs
 */
export function runAttention(kind: AttentionKind, settings: RunSettings, backend = 'cpu'): AttentionRun {
  return withBackend(backend, () => {
    pass(kind, settings); // warm-up: compiles gpu.js kernels, grows the wasm memory
    const timed = pass(kind, settings);
    const used = getBackend(backend) as Partial<GpuJsBackend>;
    return { kind, backend, mode: used.mode ?? 'cpu', ...timed };
  });
}

let gpuJs: GpuJsBackend | null | undefined;
let gpuJsError = '';

/**
 * gpu.js in WebGL2 mode, registered as 'gpujs-webgl2', or null (see `gpuJsUnavailableReason`)
 * where the page has no WebGL2.
 */
export function webgl2Backend(): GpuJsBackend | null {
  if (gpuJs !== undefined) return gpuJs;
  try {
    gpuJs = createGpuJsBackend({ mode: 'webgl2', name: 'gpujs-webgl2' });
    registerBackend(gpuJs);
  } catch (error) {
    gpuJs = null;
    gpuJsError = (error as Error).message;
  }
  return gpuJs;
}

/** Why `webgl2Backend()` is null ('' when it is not). */
export function gpuJsUnavailableReason(): string {
  return gpuJsError;
}

/** The largest absolute difference of two equally long arrays. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw argumentError('maxAbsDifference', 'lengths', [a.length, b.length], 'two equal lengths');
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i]! - b[i]!));
  return largest;
}
