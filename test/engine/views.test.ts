// Views share storage where they should, contiguous() copies; dtype rules; nested, typed-array and ndarray interop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import ndarray from 'ndarray';
import * as E from '../../engine/index.js';
import { arange, fromNdarray, tensor, toNdarray, type Tensor } from '../../engine/index.js';
import { isInjective, scatterView } from '../../backends/cpu/movement.js';

const base = () => arange(6).reshape([2, 3]);
const shares = (view: Tensor, x: Tensor) => view.storage === x.storage;

test('reshape, permute, transpose, slice, narrow, expand, unfold, flip, squeeze, unsqueeze are views', () => {
  const x = base();
  const views: [string, Tensor][] = [
    ['reshape', x.reshape([3, 2])],
    ['flatten', x.flatten()],
    ['permute', x.permute([1, 0])],
    ['transpose', x.transpose()],
    ['slice with step', x.slice(1, 0, 3, 2)],
    ['narrow', x.narrow(0, 1, 1)],
    ['expand', x.expand([4, 2, 3])],
    ['unfold', x.unfold(1, 2, 1)],
    ['flip', x.flip([0, 1])],
    ['unsqueeze', x.unsqueeze(1)],
    ['squeeze', x.unsqueeze(0).squeeze(0)],
    ['contiguous of a contiguous tensor', x.contiguous()],
  ];
  for (const [name, view] of views) assert.ok(shares(view, x), `${name} shares storage`);
  assert.equal(x.slice(1, 0, 3, 2).strides, [3, 2]);
  assert.is(x.narrow(0, 1, 1).offset, 3);
  assert.equal(x.expand([4, 2, 3]).strides, [0, 3, 1]);
  assert.equal(x.flip(1).strides, [3, -1]);
  assert.is(x.flip(1).offset, 2);
  assert.equal(x.unfold(1, 2, 1).strides, [3, 1, 1]);
});

test('views see the same memory: a write through storage shows in every view', () => {
  const x = base();
  const t = x.transpose();
  const f = x.flip(0);
  (x.storage as Float32Array)[1] = 100;
  assert.equal(t.toArray(), [[0, 3], [100, 4], [2, 5]]);
  assert.equal(f.toArray(), [[3, 4, 5], [0, 100, 2]]);
});

test('contiguous() copies a non-contiguous view into row-major storage; reshape of a transpose copies', () => {
  const x = base();
  const c = x.transpose().contiguous();
  assert.not.ok(shares(c, x));
  assert.ok(c.isContiguous);
  assert.equal(c.strides, [2, 1]);
  assert.equal(c.toArray(), [[0, 3], [1, 4], [2, 5]]);
  const r = x.transpose().reshape([6]);
  assert.not.ok(shares(r, x));
  assert.equal(r.toArray(), [0, 3, 1, 4, 2, 5]);
  // A slice of contiguous rows reshapes as a view.
  const rows = arange(12).reshape([4, 3]).narrow(0, 1, 2);
  assert.ok(shares(rows.reshape([6]), rows));
});

test('dtype rules', () => {
  const i = tensor([1, 2], { dtype: 'int32' });
  const b = tensor([true, false]);
  assert.is(tensor([1, 2]).dtype, 'float32');
  assert.is(b.dtype, 'bool');
  assert.is(tensor(new Float64Array(2)).dtype, 'float64');
  assert.is(tensor(new Int32Array(2)).dtype, 'int32');
  assert.is(tensor(new Uint8Array(2)).dtype, 'bool');
  assert.is(i.add(1).dtype, 'int32');
  assert.is(i.add(0.5).dtype, 'float32'); // a fraction next to an int tensor
  assert.equal(i.add(0.5).toArray(), [1.5, 2.5]);
  assert.is(i.div(2).dtype, 'float32'); // true division
  assert.equal(i.div(2).toArray(), [0.5, 1]);
  assert.is(i.add(tensor([0.5, 0.5])).dtype, 'float32');
  assert.is(tensor([1], { dtype: 'float32' }).add(tensor([1], { dtype: 'float64' })).dtype, 'float64');
  assert.is(b.add(b).dtype, 'int32'); // bool arithmetic counts in int32
  assert.equal(b.add(b).toArray(), [2, 0]);
  assert.equal(b.sub(tensor([true, true])).toArray(), [0, -1]);
  assert.is(b.mul(2.5).dtype, 'float32');
  assert.is(i.exp().dtype, 'float32'); // transcendental ops compute in float
  assert.is(i.neg().dtype, 'int32');
  assert.is(i.mean().dtype, 'float32');
  assert.is(b.sum().dtype, 'int32');
  assert.is(i.eq(1).dtype, 'bool');
  assert.is(tensor([1.5]).double().matmul(tensor([[2]])).dtype, 'float64');
  assert.is(E.argmax(tensor([1, 2])).dtype, 'int32');
});

test('nested arrays and typed arrays in and out', () => {
  const x = tensor([[1, 2], [3, 4]]);
  assert.equal(x.shape, [2, 2]);
  assert.equal(x.toArray(), [[1, 2], [3, 4]]);
  assert.equal(tensor(5).toArray(), 5);
  assert.equal(tensor(5).shape, []);
  assert.is(tensor(5).item(), 5);
  assert.equal(tensor([]).shape, [0]);
  assert.equal(tensor([[true, false]]).toArray(), [[1, 0]]);
  const data = new Float32Array([1, 2, 3, 4, 5, 6]);
  const t = tensor(data, { shape: [2, 3] });
  assert.equal(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  data[0] = 100; // tensor() copies its input
  assert.is((t.toArray() as number[][])[0]![0], 1);
  const out = t.transpose().toTypedArray();
  assert.ok(out instanceof Float32Array);
  assert.equal(Array.from(out), [1, 4, 2, 5, 3, 6]);
  out[0] = -1; // toTypedArray() is a copy
  assert.equal(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.ok(tensor([1], { dtype: 'int32' }).toTypedArray() instanceof Int32Array);
  assert.ok(tensor([1], { dtype: 'float64' }).toTypedArray() instanceof Float64Array);
  assert.ok(tensor([true]).toTypedArray() instanceof Uint8Array);
});

test('ndarray interop is zero-copy both ways', () => {
  const x = base();
  const nd = toNdarray(x);
  assert.ok(nd.data === x.storage);
  assert.is(nd.get(1, 2), 5);
  nd.set(0, 0, 42);
  assert.is((x.toArray() as number[][])[0]![0], 42);
  // Strided views keep their layout.
  const t = toNdarray(x.transpose());
  assert.ok(t.data === x.storage);
  assert.equal(t.shape, [3, 2]);
  assert.is(t.get(2, 1), 5);
  const flipped = toNdarray(x.flip(1));
  assert.is(flipped.get(0, 0), 2);

  const data = new Float64Array([1, 2, 3, 4, 5, 6]);
  const from = fromNdarray(ndarray(data, [2, 3]));
  assert.is(from.dtype, 'float64');
  assert.ok(from.storage === data);
  data[5] = 60;
  assert.equal(from.toArray(), [[1, 2, 3], [4, 5, 60]]);
  const transposed = fromNdarray(ndarray(data, [2, 3]).transpose(1, 0));
  assert.ok(transposed.storage === data);
  assert.equal(transposed.toArray(), [[1, 4], [2, 5], [3, 60]]);
  assert.equal(fromNdarray(ndarray(new Int32Array([1, 2]), [2])).dtype, 'int32');
  assert.throws(() => fromNdarray(ndarray(new Int16Array(2) as never, [2])), /fromNdarray: nd.data/);
});

test('scatterView copies into a layout that hits each position once, and accumulates where positions repeat', () => {
  const layout = (shape: number[], strides: number[], offset = 0) => ({ shape, strides, offset });
  assert.ok(isInjective(layout([2, 3], [3, 1])));
  assert.ok(isInjective(layout([3, 2], [1, 3], 1)), 'a transpose');
  assert.ok(isInjective(layout([2, 3], [-3, 1], 3)), 'a flip');
  assert.ok(isInjective(layout([2, 2, 4096, 32], [262208, 131104, 32, 1], 32)), 'a slice');
  assert.not.ok(isInjective(layout([4, 3], [0, 1])), 'an expand');
  assert.not.ok(isInjective(layout([3, 2], [1, 1])), 'overlapping windows');
  const src = { storage: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [3, 2], strides: [2, 1], offset: 0, dtype: 'float32' as const };
  assert.equal(Array.from(scatterView(7, layout([3, 2], [1, 3], 1), src)), [0, 1, 3, 5, 2, 4, 6]);
  assert.equal(Array.from(scatterView(4, layout([3, 2], [1, 1]), src)), [1, 2 + 3, 4 + 5, 6]);
});

test.run();
