// tfjs as the outside reference: @tensorflow/tfjs-core with its cpu and wasm backends.
// NOTE: tfjs-core's Node bundle registers no gradients, and its ESM files use directory imports
// Node refuses; esbuild bundles register_all_gradients into one CommonJS file instead. The
// bundled gradient code shares the engine and the registries with the loaded core (tfjs keeps
// them on the global object), so tf.grads finds them.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

export type TfjsBackendName = 'cpu' | 'wasm';
export { tf };

const require = createRequire(import.meta.url);

async function registerGradients(): Promise<void> {
  const entry = require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  const result = await build({ entryPoints: [entry], bundle: true, format: 'cjs', platform: 'node', write: false, logLevel: 'silent' });
  const dir = join(tmpdir(), `lsgrad-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'tfjs-gradients.cjs');
  writeFileSync(file, result.outputFiles[0]!.text);
  require(file);
}

/**
 * Loads tfjs with gradients and makes `name` the active backend; throws if tfjs fell back to
 * another one (tfjs-backend-wasm silently falls back to cpu when it cannot start).
 */
export async function loadTfjs(name: TfjsBackendName): Promise<typeof tf> {
  tf.enableProdMode();                                  // no debug checks; also silences the tfjs-node banner
  await import(name === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : '@tensorflow/tfjs-backend-cpu');
  await registerGradients();
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) throw new Error(`loadTfjs: asked for tfjs backend '${name}', got '${tf.getBackend()}'`);
  return tf;
}

/**
 * 2-D matmul whose gradient uses explicit transposes. NOTE: tfjs-backend-wasm's matMul with a
 * transpose flag is 10-40× slower than transposing first (measured: 1024×64 by 1024×1024,
 * 600-800 ms flagged vs 20 ms explicit), and tfjs's own matMul gradient uses the flags.
 */
const matMul2d = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, [sa, sb]: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(sb!) as tf.Tensor2D),
      tf.matMul(tf.transpose(sa!) as tf.Tensor2D, dy as tf.Tensor2D),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/**
 * Dense attention the fastest way tfjs-wasm runs it: one 2-D matmul chain per head
 * (its batched matmul takes a slow path). q, k, v: (heads, seq, headDim) → (heads, seq, headDim).
 */
export function tfjsDenseAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): tf.Tensor {
  const [heads, , headDim] = q.shape as [number, number, number];
  const scale = 1 / Math.sqrt(headDim);
  const qs = tf.unstack(q), ks = tf.unstack(k), vs = tf.unstack(v);
  const contexts: tf.Tensor[] = [];
  for (let h = 0; h < heads; h++) {
    const scores = matMul2d(tf.mul(qs[h]!, scale), tf.transpose(ks[h]!));   // (seq, seq)
    contexts.push(matMul2d(tf.softmax(scores), vs[h]!));                    // (seq, headDim)
  }
  return tf.stack(contexts);
}

/**
 * Runs `body` once and counts the tensor buffers tfjs creates: their bytes, count, the largest,
 * and the peak of tfjs's live-bytes counter (tfjs frees eagerly under tidy, so this is exact).
 */
export async function countTfjsAllocations(body: () => Promise<void>): Promise<{ bytes: number; buffers: number; largest: number; livePeak: number }> {
  type TrackedTensor = { dataId: object; size: number; dtype: string };
  const engine = tf.engine() as unknown as {
    state: { numBytes: number; tensorInfo: Map<object, unknown> };
    trackTensor: (a: TrackedTensor, backend: unknown) => void;
  };
  const original = engine.trackTensor;
  const startBytes = engine.state.numBytes;
  const counts = { bytes: 0, buffers: 0, largest: 0, livePeak: 0 };
  engine.trackTensor = function (this: typeof engine, a: TrackedTensor, backend: unknown) {
    const isNewBuffer = !engine.state.tensorInfo.has(a.dataId);
    original.call(this, a, backend);
    if (isNewBuffer) {
      const bytes = a.size * (a.dtype === 'float32' || a.dtype === 'int32' ? 4 : 1);
      counts.bytes += bytes;
      counts.buffers += 1;
      counts.largest = Math.max(counts.largest, bytes);
    }
    counts.livePeak = Math.max(counts.livePeak, engine.state.numBytes - startBytes);
  };
  try {
    await body();
  } finally {
    engine.trackTensor = original;
  }
  return counts;
}
