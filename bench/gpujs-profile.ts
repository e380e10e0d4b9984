// npm run bench:gpujs-profile -- [length] [mode] [stride|norm|step]
// Where gpujs spends its time, per backend call, for LSG attention forward+backward (4 heads × 64) or one
// training step of bench/model-cell.ts's LSG-ALBERT: each backend call is preceded and followed by a one-element
// readback, which waits for every queued kernel, and the time between is charged to the call (one readback's
// own cost, measured first, is subtracted). Calls are asynchronous on webgpu, so this is the only way to see
// them; the unprofiled time is printed too. Used on an H100 to find what made LSG slow there (docs/gpujs.md).
import { argumentError } from '../engine/errors.js';
import { createRng, randn, registerBackend, withBackend, type Backend } from '../engine/index.js';
import { lsgSelfAttention } from '../lsg/index.js';
import { createGpuJsBackend, GPUJS_MODES, type GpuJsMode } from '../backends/gpujs/index.js';
import { lsgTrainingStep } from './model-cell.js';

const [lengthText = '4096', mode = 'webgpu', workload = 'stride'] = process.argv.slice(2);
const length = Number(lengthText);
if (!(Number.isInteger(length) && length > 0 && length % 32 === 0)) throw argumentError('bench/gpujs-profile', 'length', lengthText, 'a positive multiple of 32');
if (!(GPUJS_MODES as readonly string[]).includes(mode)) throw argumentError('bench/gpujs-profile', 'mode', mode, `one of ${GPUJS_MODES.join(', ')}`);
if (!['stride', 'norm', 'step'].includes(workload)) throw argumentError('bench/gpujs-profile', 'workload', workload, 'stride, norm or step');

const gpu = createGpuJsBackend({ mode: mode as GpuJsMode, name: 'gpujs-raw' });
const sync = () => {
  const storage = gpu.full(2, 0, 'float32');
  gpu.read({ storage, dtype: 'float32', shape: [2], strides: [1], offset: 0 } as never);
  gpu.dispose?.(storage);
};
const totals = new Map<string, { ms: number; calls: number }>();
let profiling = false;
const NOT_KERNELS = new Set(['read', 'dispose', 'adopt', 'tidy', 'keep', 'memory', 'stats', 'destroy']);
registerBackend(new Proxy(gpu as Backend, {
  get(target, property, receiver) {
    if (property === 'name') return 'gpujs-profiled';
    const value = Reflect.get(target, property, receiver);
    if (typeof value !== 'function' || !profiling || NOT_KERNELS.has(String(property))) return value;
    return (...args: unknown[]) => {
      const key = typeof args[0] === 'string' ? `${String(property)}:${args[0]}` : String(property);
      sync();
      const start = performance.now();
      const result = (value as (...a: unknown[]) => unknown).apply(target, args);
      sync();
      const entry = totals.get(key) ?? { ms: 0, calls: 0 };
      entry.ms += performance.now() - start;
      entry.calls++;
      totals.set(key, entry);
      return result;
    };
  },
}));

withBackend('gpujs-profiled', () => {
  const syncMs = (() => { sync(); const t0 = performance.now(); for (let k = 0; k < 50; k++) sync(); return (performance.now() - t0) / 50; })();
  const rng = createRng(1);
  let body: () => void;
  let keep: unknown[];
  if (workload === 'step') {
    ({ run: body, keep } = lsgTrainingStep(length));
  } else {
    const qkv = [0, 1, 2].map(() => { const t = randn([1, 4, length, 64], { rng }); t.requiresGrad = true; return t; });
    body = () => {
      lsgSelfAttention(qkv[0]!, qkv[1]!, qkv[2]!, { blockSize: 32, sparsityFactor: 4, sparsityType: workload as 'stride' | 'norm' }).sum().backward();
      for (const x of qkv) { x.grad!.toTypedArray(); x.grad = null; }
    };
    keep = qkv;
  }
  const run = (profile: boolean) => {
    profiling = profile;
    totals.clear();
    const t0 = performance.now();
    gpu.tidy(body, { keep });
    profiling = false;
    return performance.now() - t0;
  };
  run(false); // compiles every kernel
  const plain = run(false);
  const profiled = run(true);
  const what = workload === 'step' ? `LSG-ALBERT training step, ${length} tokens` : `LSG attention (${workload}) 4×${length}×64 fwd+bwd`;
  console.log(`${what} on gpujs ${gpu.mode} (${gpu.adapter}): ${plain.toFixed(1)} ms unprofiled, ${profiled.toFixed(1)} ms profiled; one readback ${syncMs.toFixed(2)} ms (subtracted per call)\n`);
  console.log('| backend call | calls | ms | ms per call |\n|---|---:|---:|---:|');
  for (const [key, { ms, calls }] of [...totals].sort((a, b) => b[1].ms - a[1].ms)) {
    const net = ms - calls * syncMs;
    console.log(`| ${key} | ${calls} | ${net.toFixed(1)} | ${(net / calls).toFixed(2)} |`);
  }
  const { splitRuns, hostRuns } = gpu.stats();
  console.log(`\nover all three runs: split outputs ${JSON.stringify(splitRuns)}, host fallbacks ${JSON.stringify(hostRuns)}`);
});
await gpu.destroy();
