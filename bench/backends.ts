// Backends benchmark: matmul, dense attention (softmax(QKᵀ/√d)V from engine ops) and LSG attention, forward
// and forward+backward, and an LSG-ALBERT training step, on the CPU backend and on gpujs in every mode this
// machine offers, in one run. GPU modes run in child processes (headlessgl under xvfb-run, webgpu with Dawn on EGL).
// Prints a markdown table of milliseconds per call (readback included) and ratios to the CPU backend.
// Run: npm run bench:backends   (--quick: smaller shapes; --large: GPU-sized shapes, LSG at 4096 tokens;
//      --modes cpu,webasm,headlessgl,webgpu)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { createRng, randn, registerBackend, withBackend, type Tensor } from '../engine/index.js';
import { lsgTrainingStep } from './model-cell.js';
import { lsgSelfAttention } from '../lsg/index.js';
import { createGpuJsBackend, type GpuJsBackend } from '../backends/gpujs/index.js';

const SIZES = {
  quick: { matmul: 128, attention: { heads: 2, tokens: 128, headDim: 32 }, lsgTokens: 256, rounds: 3 },
  default: { matmul: 256, attention: { heads: 4, tokens: 256, headDim: 32 }, lsgTokens: 512, rounds: 5 },
  large: { matmul: 1024, attention: { heads: 4, tokens: 1024, headDim: 64 }, lsgTokens: 4096, rounds: 3 },
};
const size = process.argv.includes('--quick') ? 'quick' : process.argv.includes('--large') ? 'large' : 'default';
const MATMUL = SIZES[size].matmul;
const ATTENTION = SIZES[size].attention;
const LSG = { ...ATTENTION, tokens: SIZES[size].lsgTokens, blockSize: 32, sparsityFactor: 4 };
const ROUNDS = SIZES[size].rounds;

interface Workload {
  label: string;
  /**
   * Builds inputs on the current backend and returns the call to time (which must read its result back),
   * and what must outlive each call's tidy scope on gpujs (a model and its optimizer).
   */
  setup: () => { run: () => void; keep?: unknown[] };
}

function inputs(shapes: number[][], grad: boolean): Tensor[] {
  const rng = createRng(1);
  return shapes.map((shape) => {
    const t = randn(shape, { rng });
    t.requiresGrad = grad;
    return t;
  });
}

/** Forward, or forward + backward with every input gradient read back. */
function timed(label: string, shapes: number[][], forward: (...xs: Tensor[]) => Tensor): Workload[] {
  return [false, true].map((backward) => ({
    label: `${label} ${backward ? 'fwd+bwd' : 'fwd'}`,
    setup: () => {
      const xs = inputs(shapes, backward);
      return {
        run: () => {
          const out = forward(...xs);
          if (!backward) return void out.toTypedArray();
          out.sum().backward();
          for (const x of xs) {
            x.grad!.toTypedArray();
            x.grad = null;
          }
        },
      };
    },
  }));
}

const dense = (q: Tensor, k: Tensor, v: Tensor) => q.matmul(k.transpose()).div(Math.sqrt(q.shape[3]!)).softmax(-1).matmul(v);
const { heads, tokens, headDim } = ATTENTION;

const WORKLOADS: Workload[] = [
  ...timed(`matmul ${MATMUL}³`, [[MATMUL, MATMUL], [MATMUL, MATMUL]], (a, b) => a.matmul(b)),
  ...timed(`dense attention ${heads}×${tokens}×${headDim}`, [[1, heads, tokens, headDim], [1, heads, tokens, headDim], [1, heads, tokens, headDim]], dense),
  ...timed(`LSG attention ${heads}×${LSG.tokens}×${headDim} (block ${LSG.blockSize}, stride ×${LSG.sparsityFactor})`,
    [[1, heads, LSG.tokens, headDim], [1, heads, LSG.tokens, headDim], [1, heads, LSG.tokens, headDim]],
    (q, k, v) => lsgSelfAttention(q, k, v, { blockSize: LSG.blockSize, sparsityFactor: LSG.sparsityFactor, sparsityType: 'stride' })),
  lsgAlbertStep(LSG.tokens),
];

/** One training step (forward, backward, AdamW) of bench/model-cell.ts's small LSG-ALBERT on one sequence. */
function lsgAlbertStep(length: number): Workload {
  return { label: `LSG-ALBERT training step, ${length} tokens (1 layer × 256, block 128, norm)`, setup: () => lsgTrainingStep(length) };
}

/**
 * Fastest milliseconds per call of ROUNDS, after one warm-up call (which compiles the kernels).
 * The machine is shared and other load only ever slows a call down, so the minimum is the least distorted.
 */
function measure(backendName: string, gpu: GpuJsBackend | null): number[] {
  return withBackend(backendName, () => WORKLOADS.map((workload) => {
    const { run, keep = [] } = workload.setup();
    const once = () => {
      const started = performance.now();
      if (gpu) gpu.tidy(run, { keep });
      else run();
      return performance.now() - started;
    };
    once();
    return Math.min(...Array.from({ length: ROUNDS }, once));
  }));
}

interface Column { mode: string; adapter?: string; ms: number[] }

function measureMode(mode: string): Column {
  const gpu = createGpuJsBackend({ mode: mode as never });
  registerBackend(gpu);
  return { mode: `gpujs ${gpu.mode}`, adapter: gpu.adapter, ms: measure(gpu.name, gpu) };
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  console.log(`BENCH_RESULT ${JSON.stringify(measureMode(process.argv[childIndex + 1]!))}`);
  // NOTE: webgpu's worker holds Dawn; exit at once rather than tear it down (see sync-webgpu.ts).
  process.exit(0);
}

const modesFlag = process.argv.indexOf('--modes');
const modes = modesFlag >= 0 ? process.argv[modesFlag + 1]!.split(',') : ['cpu', 'webasm', 'headlessgl', 'webgpu'];
const self = fileURLToPath(import.meta.url);

function inChild(mode: string): Column | { mode: string; error: string } {
  const node = [process.execPath, '--import', 'tsx', self, '--child', mode, ...(size === 'default' ? [] : [`--${size}`])];
  const [command, ...args] = mode === 'headlessgl' ? ['xvfb-run', '-a', ...node] : node;
  const child = spawnSync(command!, args, { encoding: 'utf8', env: { ...process.env, EGL_PLATFORM: 'surfaceless' }, maxBuffer: 16 << 20 });
  const line = child.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) return { mode: `gpujs ${mode}`, error: `no result (exit ${child.status}): ${child.stderr.split('\n').filter((l) => !l.startsWith('Warning')).slice(-3).join(' ')}` };
  return JSON.parse(line.slice('BENCH_RESULT '.length));
}

console.error(`bench:backends on ${cpus().length} cores (${cpus()[0]?.model}), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, fastest of ${ROUNDS} after a warm-up call`);
const reference = { mode: 'cpu backend', ms: measure('cpu', null) };
const columns: (Column | { mode: string; error: string })[] = [reference];
for (const mode of modes) {
  console.error(`… gpujs ${mode}`);
  columns.push(mode === 'cpu' || mode === 'webasm' ? measureMode(mode) : inChild(mode));
}

const format = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
console.log(`| workload | ${columns.map((c) => c.mode).join(' | ')} |`);
console.log(`|---|${columns.map(() => '---:').join('|')}|`);
WORKLOADS.forEach((workload, row) => {
  const cells = columns.map((column) => {
    if ('error' in column) return 'n/a';
    const ms = column.ms[row]!;
    return column === reference ? `${format(ms)} ms` : `${format(ms)} ms (${(reference.ms[row]! / ms).toFixed(2)}×)`;
  });
  console.log(`| ${workload.label} | ${cells.join(' | ')} |`);
});
for (const column of columns) if ('error' in column) console.log(`\n${column.mode}: ${column.error}`);
for (const column of columns) if ('adapter' in column) console.log(`\n${column.mode} ran on: ${column.adapter}`);
console.log('\nms per call, readback included; (n×) = CPU backend time / this time, so above 1 is faster than the CPU backend.');
