// Matmul throughput: lsgrad's CPU backend with its JS kernel and with its WebAssembly SIMD kernel,
// against tfjs-backend-cpu (and tfjs-backend-wasm when it initialises in Node), float32, measured in
// the same run. Prints a markdown table; asserts nothing.
// Run: npm run bench:matmul   (--quick: fewer rounds; LSGRAD_THREADS=1: no helper thread)
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { createRng, matmul, noGrad, randn } from '../engine/index.js';
import { setWasmKernelEnabled, wasmKernel } from '../backends/cpu/wasm/kernel.js';

interface Case {
  label: string;
  batch: number;
  M: number;
  K: number;
  N: number;
  /** A stored as [K, M] (or B as [N, K]) and used transposed, as in the gradients of a linear layer. */
  transposeA?: boolean;
  transposeB?: boolean;
}

const CASES: Case[] = [
  { label: '256³', batch: 1, M: 256, K: 256, N: 256 },
  { label: '512³', batch: 1, M: 512, K: 512, N: 512 },
  { label: '1024³', batch: 1, M: 1024, K: 1024, N: 1024 },
  { label: '8×(128×64 @ 64×128)', batch: 8, M: 128, K: 64, N: 128 },
  // The main workload's products (a training step): linear layers over 8192 tokens...
  { label: '8192×64 @ 64×64', batch: 1, M: 8192, K: 64, N: 64 },
  { label: '8192×64 @ 64×128', batch: 1, M: 8192, K: 64, N: 128 },
  { label: '8192×128 @ 128×64', batch: 1, M: 8192, K: 128, N: 64 },
  // ...their gradients: dx = dy @ wᵀ, dw = xᵀ @ dy...
  { label: '8192×128 @ (64×128)ᵀ', batch: 1, M: 8192, K: 128, N: 64, transposeB: true },
  { label: '(8192×64)ᵀ @ 8192×64', batch: 1, M: 64, K: 8192, N: 64, transposeA: true },
  { label: '(8192×128)ᵀ @ 8192×64', batch: 1, M: 128, K: 8192, N: 64, transposeA: true },
  // ...and attention blocks.
  { label: '512×(32×32 @ 32×160)', batch: 512, M: 32, K: 32, N: 160 },
  { label: '512×(32×160 @ 160×32)', batch: 512, M: 32, K: 160, N: 32 },
];

const quick = process.argv.includes('--quick');
/** Engines take turns, ROUNDS times per case, each turn lasting at least TURN_MS after a warm-up call. */
const ROUNDS = quick ? 2 : 4;
const TURN_MS = quick ? 150 : 400;

/**
 * Fastest seconds per call of fn over one turn. The machine is shared (other processes come and go),
 * and that noise only ever slows a run down, so the minimum is the estimate least distorted by it.
 */
function fastest(fn: () => void): number {
  let best = Infinity;
  const started = performance.now();
  let runs = 0;
  while (runs < 2 || performance.now() - started < TURN_MS) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
    runs++;
  }
  return best;
}

const flops = (c: Case) => 2 * c.batch * c.M * c.K * c.N;
/** The stored shapes: a transposed operand is stored with its last two axes swapped. */
const batched = (c: Case, rows: number, columns: number) => (c.batch === 1 ? [rows, columns] : [c.batch, rows, columns]);
const shapeA = (c: Case) => (c.transposeA ? batched(c, c.K, c.M) : batched(c, c.M, c.K));
const shapeB = (c: Case) => (c.transposeB ? batched(c, c.N, c.K) : batched(c, c.K, c.N));

/** A timer for each engine: setup once (inputs, warm-up), then one turn per call. */
type Engine = { name: string; tfBackend?: 'cpu' | 'wasm'; prepare: (c: Case) => Promise<() => number> };

/** lsgrad's CPU backend with the wasm kernel switched on or off for its turns. */
function lsgradEngine(wasm: boolean): Engine {
  return {
    name: wasm ? 'lsgrad wasm' : 'lsgrad js',
    prepare: async (c) => {
      const rng = createRng(1);
      const storedA = randn(shapeA(c), { rng });
      const storedB = randn(shapeB(c), { rng });
      // Transposed views: lsgrad's packing reads them in place (no copy).
      const a = c.transposeA ? storedA.transpose(-2, -1) : storedA;
      const b = c.transposeB ? storedB.transpose(-2, -1) : storedB;
      const run = () => {
        setWasmKernelEnabled(wasm);
        noGrad(() => { matmul(a, b); });
      };
      run(); // warm-up: JIT, packing buffers, helper threads
      return () => fastest(run);
    },
  };
}

function tfjsEngine(backend: 'cpu' | 'wasm'): Engine {
  return {
    name: `tfjs-backend-${backend}`,
    tfBackend: backend,
    prepare: async (c) => {
      await tf.setBackend(backend);
      const a = tf.randomNormal(shapeA(c), 0, 1, 'float32', 1);
      const b = tf.randomNormal(shapeB(c), 0, 1, 'float32', 2);
      const run = () => {
        const out = tf.matMul(a, b, c.transposeA, c.transposeB);
        out.dataSync(); // read back, so the work is surely done
        out.dispose();
      };
      run();
      return () => {
        if (tf.getBackend() !== backend) throw new Error(`tfjs backend is '${tf.getBackend()}', expected '${backend}'`);
        return fastest(run);
      };
    },
  };
}

/** Tries to start tfjs-backend-wasm; returns why not when it cannot. */
async function initWasm(): Promise<string | null> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(`${dist}/`);
    const ok = await tf.setBackend('wasm');
    if (!ok || tf.getBackend() !== 'wasm') return `tf.setBackend('wasm') left the backend as '${tf.getBackend()}'`;
    return null;
  } catch (error) {
    return String(error).split('\n')[0]!;
  }
}

const gflops = (c: Case, seconds: number) => flops(c) / seconds / 1e9;
const fmt = (x: number) => x.toFixed(2);

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  if (tf.getBackend() !== 'cpu') throw new Error(`tfjs backend is '${tf.getBackend()}', expected 'cpu'`);
  const wasmProblem = await initWasm();
  const engines = [lsgradEngine(false), lsgradEngine(true), tfjsEngine('cpu'), ...(wasmProblem === null ? [tfjsEngine('wasm')] : [])];
  const wasmFlags = wasmProblem === null ? `SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')}` : '';

  const rows: { c: Case; gflops: number[] }[] = [];
  for (const c of CASES) {
    const best = engines.map(() => Infinity);
    const timers: (() => number)[] = [];
    for (const engine of engines) timers.push(await engine.prepare(c));
    for (let round = 0; round < ROUNDS; round++) {
      for (let e = 0; e < engines.length; e++) {
        const tfBackend = engines[e]!.tfBackend;
        if (tfBackend) await tf.setBackend(tfBackend);
        best[e] = Math.min(best[e]!, timers[e]!());
      }
    }
    rows.push({ c, gflops: best.map((seconds) => gflops(c, seconds)) });
  }

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`\nmatmul, float32, GFLOP/s (fastest call; engines take turns, ${ROUNDS} rounds); Node ${process.version}, ${cpus().length} cores, ${cpu}, load average ${loadavg()[0]!.toFixed(1)}`);
  console.log(`lsgrad threads: ${process.env.LSGRAD_THREADS === '1' ? 'one (LSGRAD_THREADS=1)' : 'default (large products split with one helper thread)'}`);
  console.log(`lsgrad wasm: ${wasmKernel() ? 'the WebAssembly SIMD kernel (4×8 f32x4 tile)' : 'not available (LSGRAD_WASM=0 or no wasm SIMD): both lsgrad columns are the JS kernel'}; lsgrad js: the JS kernel (4×4 tile)`);
  console.log(`tfjs-backend-wasm: ${wasmProblem === null ? `measured, tf.getBackend() === 'wasm' (${wasmFlags})` : `not measured (${wasmProblem})`}\n`);
  const withWasm = wasmProblem === null;
  console.log(`| case | lsgrad js | lsgrad wasm | wasm / js | tfjs-backend-cpu | lsgrad wasm / tfjs-cpu |${withWasm ? ' tfjs-backend-wasm | lsgrad wasm / tfjs-wasm |' : ''}`);
  console.log(`| --- | ---: | ---: | ---: | ---: | ---: |${withWasm ? ' ---: | ---: |' : ''}`);
  for (const { c, gflops: [js, lsgrad, tfjsCpu, wasm] } of rows) {
    const wasmCells = withWasm ? ` ${fmt(wasm!)} | ${fmt(lsgrad! / wasm!)}× |` : '';
    console.log(`| ${c.label} | ${fmt(js!)} | ${fmt(lsgrad!)} | ${fmt(lsgrad! / js!)}× | ${fmt(tfjsCpu!)} | ${fmt(lsgrad! / tfjsCpu!)}× |${wasmCells}`);
  }
}

await main();
