// Matmul throughput: lsgrad's CPU backend against tfjs-backend-cpu (and tfjs-backend-wasm when it
// initialises in Node), float32, measured in the same run. Prints a markdown table; asserts nothing.
// Run: npm run bench:matmul   (options: --quick for fewer repetitions)
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { cpus } from 'node:os';
import { createRng, matmul, noGrad, randn, type Tensor } from '../engine/index.js';

interface Case {
  label: string;
  batch: number;
  M: number;
  K: number;
  N: number;
}

const CASES: Case[] = [
  { label: '256³', batch: 1, M: 256, K: 256, N: 256 },
  { label: '512³', batch: 1, M: 512, K: 512, N: 512 },
  { label: '1024³', batch: 1, M: 1024, K: 1024, N: 1024 },
  { label: '8×(128×64 @ 64×128)', batch: 8, M: 128, K: 64, N: 128 },
];

const quick = process.argv.includes('--quick');
/** Each engine runs until this much time is spent (after one warm-up call), at least MIN_RUNS times. */
const BUDGET_MS = quick ? 300 : 1500;
const MIN_RUNS = quick ? 2 : 3;

/** Median seconds per call of fn. */
function time(fn: () => void): number {
  fn(); // warm-up: JIT, packing buffers, tfjs kernel setup
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < MIN_RUNS || performance.now() - started < BUDGET_MS) {
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const flops = (c: Case) => 2 * c.batch * c.M * c.K * c.N;
const shapeA = (c: Case) => (c.batch === 1 ? [c.M, c.K] : [c.batch, c.M, c.K]);
const shapeB = (c: Case) => (c.batch === 1 ? [c.K, c.N] : [c.batch, c.K, c.N]);

function lsgradSeconds(c: Case): number {
  const rng = createRng(1);
  const a = randn(shapeA(c), { rng });
  const b = randn(shapeB(c), { rng });
  return noGrad(() => time(() => { matmul(a, b); }));
}

function tfjsSeconds(c: Case): number {
  const a = tf.randomNormal(shapeA(c), 0, 1, 'float32', 1);
  const b = tf.randomNormal(shapeB(c), 0, 1, 'float32', 2);
  const seconds = time(() => {
    const out = tf.matMul(a, b);
    out.dataSync(); // the wasm backend computes eagerly too, but read back to be sure the work is done
    out.dispose();
  });
  a.dispose();
  b.dispose();
  return seconds;
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
  const rows = CASES.map((c) => ({ c, lsgrad: gflops(c, lsgradSeconds(c)), tfjsCpu: gflops(c, tfjsSeconds(c)), wasm: NaN }));

  const wasmProblem = await initWasm();
  if (wasmProblem === null) {
    for (const row of rows) {
      if (tf.getBackend() !== 'wasm') throw new Error(`tfjs backend changed to '${tf.getBackend()}'`);
      row.wasm = gflops(row.c, tfjsSeconds(row.c));
    }
  }

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`\nmatmul, float32, GFLOP/s (median of ≥${MIN_RUNS} runs); Node ${process.version}, ${cpus().length} cores, ${cpu}`);
  console.log(`tfjs-backend-wasm: ${wasmProblem === null ? `backend '${tf.getBackend()}' (SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')})` : `not measured (${wasmProblem})`}\n`);
  const withWasm = wasmProblem === null;
  console.log(`| case | lsgrad cpu | tfjs-backend-cpu | lsgrad / tfjs-cpu |${withWasm ? ' tfjs-backend-wasm | lsgrad / wasm |' : ''}`);
  console.log(`| --- | ---: | ---: | ---: |${withWasm ? ' ---: | ---: |' : ''}`);
  for (const { c, lsgrad, tfjsCpu, wasm } of rows) {
    const wasmCells = withWasm ? ` ${fmt(wasm)} | ${fmt(lsgrad / wasm)}× |` : '';
    console.log(`| ${c.label} | ${fmt(lsgrad)} | ${fmt(tfjsCpu)} | ${fmt(lsgrad / tfjsCpu)}× |${wasmCells}`);
  }
}

await main();
