// float32 products through the system BLAS (backends/cpu/blas.ts): within the float32 bound of the
// exact product on every layout the engine hands a matmul (transposed views, strided rows, batches,
// broadcast weights, layouts BLAS cannot read and that are copied first, empty products), the same
// main-thread values while a worker thread (a training replica, which cannot load the binding)
// multiplies, a broadcast's gradient summed as a product, float32 adds and subtractions with the
// loops' bits, and LSGRAD_BLAS=0 keeps lsgrad's own kernels. Where the binding is not installed (an optional peer) the tests say so and skip.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, matmul, noGrad, randn, tensor, zeros, type Tensor } from '../../engine/index.js';
import { setSystemBlasEnabled, systemSgemm } from '../../backends/cpu/blas.js';
import { runScript } from '../helpers/node-script.js';

const available = systemSgemm() !== null;
if (!available) console.log('matmul-blas: the nblas binding is not installed (or LSGRAD_BLAS=0): skipped');
const blasTest = available ? test : test.skip;

/** The worst |BLAS − exact| / (float32 bound (K + 1)·2⁻²⁴·Σ|a||b|) over the product's elements. */
function worstError(a: Tensor, b: Tensor): number {
  const got = noGrad(() => matmul(a, b)).toTypedArray();
  const [A, B] = [a.cast('float64'), b.cast('float64')];
  const exact = noGrad(() => matmul(A, B)).toTypedArray();
  const magnitude = noGrad(() => matmul(A.abs(), B.abs())).toTypedArray();
  const K = a.shape.at(-1)!;
  assert.is(got.length, exact.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const error = Math.abs(got[i]! - exact[i]!) / ((K + 1) * 2 ** -24 * magnitude[i]! + 1e-30);
    worst = Number.isNaN(error) ? Infinity : Math.max(worst, error);
  }
  return worst;
}

blasTest('products on every layout are within the float32 bound', () => {
  const rng = createRng(5);
  const cases: [string, Tensor, Tensor][] = [
    ['odd shapes', randn([7, 5], { rng }), randn([5, 13], { rng })],
    ['A transposed', randn([300, 13], { rng }).transpose(), randn([300, 21], { rng })],
    ['B transposed', randn([9, 40], { rng }), randn([17, 40], { rng }).transpose()],
    ['both transposed', randn([40, 9], { rng }).transpose(), randn([17, 40], { rng }).transpose()],
    ['strided rows (a column slice)', randn([12, 30], { rng }).slice(1, 4, 15), randn([11, 6], { rng })],
    ['batched', randn([2, 3, 9, 70], { rng }), randn([2, 3, 70, 10], { rng })],
    ['a weight broadcast over the batch', randn([3, 9, 70], { rng }), randn([70, 10], { rng })],
    ['a batch axis permuted in', randn([9, 3, 70], { rng }).permute([1, 0, 2]), randn([3, 70, 8], { rng })],
    ['one row', randn([1, 64], { rng }), randn([64, 33], { rng })],
    ['one column', randn([33, 64], { rng }), randn([64, 1], { rng })],
    // Neither row- nor column-major: every other column, and a broadcast row (stride 0): copied first.
    ['every other column', randn([8, 20], { rng }).slice(1, 0, 20, 2), randn([10, 5], { rng })],
    ['rows broadcast', randn([1, 16], { rng }).expand([6, 16]), randn([16, 4], { rng })],
  ];
  for (const [label, a, b] of cases) {
    const worst = worstError(a, b);
    assert.ok(worst <= 1, `${label}: worst error / bound ${worst}`);
  }
});

blasTest('empty products: no rows, and an empty sum of zero', () => {
  assert.equal(Array.from(noGrad(() => matmul(zeros([0, 4]), zeros([4, 3]))).toTypedArray()), []);
  assert.equal(Array.from(noGrad(() => matmul(zeros([2, 0]), zeros([0, 3]))).toTypedArray()), [0, 0, 0, 0, 0, 0]);
});

blasTest('switched off, float32 products take lsgrad\'s own kernel again', () => {
  const rng = createRng(9);
  // K past one chunk of the wasm kernel: its k-order sum differs from OpenBLAS's in some bits.
  const [a, b] = [randn([64, 1000], { rng }), randn([1000, 64], { rng })];
  const withBlas = noGrad(() => matmul(a, b)).toTypedArray();
  setSystemBlasEnabled(false);
  try {
    assert.is(systemSgemm(), null);
    const own = noGrad(() => matmul(a, b)).toTypedArray();
    assert.ok(own.some((value, i) => value !== withBlas[i]), 'the two paths should not be the same code');
  } finally {
    setSystemBlasEnabled(true);
  }
  assert.is.not(systemSgemm(), null);
});

blasTest('a broadcast\'s gradient (a bias\'s) sums its rows on BLAS, within float32 rounding of the float64 sum', () => {
  const rng = createRng(12);
  for (const shape of [[2, 301, 7], [5, 64], [3, 1, 128]]) {
    const width = shape.at(-1)!;
    const bias = randn([width], { rng, requiresGrad: true });
    const upstream = randn(shape, { rng });
    randn(shape, { rng }).add(bias).backward(upstream);
    const rows = upstream.size / width;
    const values = upstream.toTypedArray();
    const got = bias.grad!.toTypedArray();
    for (let j = 0; j < width; j++) {
      let exact = 0, magnitude = 0;
      for (let row = 0; row < rows; row++) { exact += values[row * width + j]!; magnitude += Math.abs(values[row * width + j]!); }
      assert.ok(Math.abs(got[j]! - exact) <= (rows + 1) * 2 ** -24 * magnitude + 1e-30, `[${shape}] column ${j}: ${got[j]} against ${exact}`);
    }
  }
});

blasTest('float32 a + b and a − b, dense or with a broadcast last-axis vector, give the loops\' bits on BLAS (NaN, ±∞ and −0 included)', () => {
  const rng = createRng(13);
  const special = [NaN, Infinity, -Infinity, -0, 0, 3e38, -3e38, 1e-45];
  const withSpecials = (t: Tensor) => {
    const values = t.toTypedArray() as Float32Array;
    special.forEach((value, i) => { values[i * 7] = value; });
    return tensor(values, { shape: t.shape });
  };
  const a = withSpecials(randn([3, 50, 24], { rng }));
  const b = withSpecials(randn([3, 50, 24], { rng }));
  const bias = withSpecials(randn([24], { rng }));
  const cases: [string, () => Tensor][] = [
    ['a + b', () => a.add(b)], ['a − b', () => a.sub(b)], ['a + bias', () => a.add(bias)], ['a − bias', () => a.sub(bias)],
    ['bias + a', () => bias.add(a)], ['a + b on a slice', () => a.slice(1, 5, 40).add(b.slice(1, 5, 40))],
  ];
  for (const [label, run] of cases) {
    const viaBlas = noGrad(run).toTypedArray();
    setSystemBlasEnabled(false);
    let loops: ArrayLike<number>;
    try { loops = noGrad(run).toTypedArray(); } finally { setSystemBlasEnabled(true); }
    assert.is(viaBlas.length, loops.length);
    for (let i = 0; i < loops.length; i++) if (!Object.is(viaBlas[i], loops[i])) assert.unreachable(`${label}: element ${i}: ${viaBlas[i]} on BLAS, ${loops[i]} in the loop`);
  }
});

// A training replica's worker thread cannot load the binding (nblas is not a context-aware addon:
// "Module did not self-register"), so it multiplies with lsgrad's own kernel; meanwhile the main
// thread's BLAS products must stay exactly the product run alone.
const CONCURRENT = `
  const { Worker } = await import('node:worker_threads');
  const { createRng, matmul, noGrad, randn } = await import('./engine/index.js');
  const { systemSgemm } = await import('./backends/cpu/blas.js');
  const rng = createRng(3);
  const [a, b] = [randn([512, 96], { rng }), randn([96, 200], { rng })];
  const alone = noGrad(() => matmul(a, b)).toTypedArray();
  // CommonJS source (this script's --input-type=module is not passed on) that registers tsx, as
  // the training replicas' workers do (cli/replicas.ts).
  const source = "const { parentPort, workerData } = require('node:worker_threads');" +
    "import(workerData.tsx).then((tsx) => { tsx.register(); return Promise.all([import(workerData.engine), import(workerData.blas)]); }).then(([{ tensor, matmul, noGrad }, { systemSgemm }]) => {" +
    "  const a = tensor(workerData.a).reshape([512, 96]), b = tensor(workerData.b).reshape([96, 200]);" +
    "  let worst = 0;" +
    "  for (let round = 0; round < 100; round++) { const out = noGrad(() => matmul(a, b)).toTypedArray(); out.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - workerData.alone[i])); }); }" +
    "  parentPort.postMessage({ blas: systemSgemm() !== null, worst }); });";
  const file = (path) => new URL(path, 'file://' + process.cwd() + '/').href;
  const workerData = { tsx: import.meta.resolve('tsx/esm/api'), engine: file('./engine/index.ts'), blas: file('./backends/cpu/blas.ts'), a: a.toTypedArray(), b: b.toTypedArray(), alone };
  const worker = new Worker(source, { eval: true, execArgv: [], workerData });
  const fromWorker = new Promise((resolve, reject) => { worker.on('message', resolve); worker.on('error', reject); });
  let differing = 0;
  for (let round = 0; round < 300; round++) {
    const out = noGrad(() => matmul(a, b)).toTypedArray();
    if (out.some((v, i) => v !== alone[i])) differing++;
  }
  console.log(JSON.stringify({ blas: systemSgemm() !== null, differing, worker: await fromWorker }));
`;

blasTest('a worker thread multiplies with lsgrad\'s own kernel while the main thread\'s BLAS products stay exact', () => {
  const result = JSON.parse(runScript(CONCURRENT, { env: { LSGRAD_THREADS: '1' } }).at(-1)!);
  assert.equal({ ...result, worker: { ...result.worker, worst: undefined } }, { blas: true, differing: 0, worker: { blas: false, worst: undefined } });
  // The worker's kernel sums in another order: within float32 rounding of BLAS's values (|x| ≲ 40 here).
  assert.ok(result.worker.worst > 0 && result.worker.worst < 1e-4, `worker's worst |difference|: ${result.worker.worst}`);
});

test('LSGRAD_BLAS=0 leaves the system BLAS unloaded', () => {
  const [line] = runScript(`const { systemSgemm } = await import('./backends/cpu/blas.js'); console.log(systemSgemm() === null);`, { env: { LSGRAD_BLAS: '0' } });
  assert.is(line, 'true');
});

test.run();
