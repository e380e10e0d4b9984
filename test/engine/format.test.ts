// Tensors print their values, dtype and shape (String, toString, util.inspect), abbreviated past
// 1000 elements, in one notation per tensor, as PyTorch prints them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inspect } from 'node:util';
import { arange, tensor, zeros } from '../../engine/index.js';

test('a small tensor prints every value, aligned, then its dtype and shape', () => {
  assert.is(String(tensor([[1, 2], [3, 4]])), 'tensor([[1., 2.],\n        [3., 4.]], dtype=float32, shape=[2, 2])');
  assert.is(tensor([[1, -2], [3, 4.5]]).toString(), 'tensor([[ 1.0000, -2.0000],\n        [ 3.0000,  4.5000]], dtype=float32, shape=[2, 2])');
  assert.is(String(tensor(3.25, { dtype: 'float64' })), 'tensor(3.2500, dtype=float64, shape=[])');
  assert.is(String(zeros([0, 3])), 'tensor([], dtype=float32, shape=[0, 3])');
});

test('int32 and bool print as integers and true/false; NaN and Infinity as JavaScript spells them', () => {
  assert.is(String(tensor([1, -20, 3], { dtype: 'int32' })), 'tensor([  1, -20,   3], dtype=int32, shape=[3])');
  assert.is(String(tensor([true, false])), 'tensor([ true, false], dtype=bool, shape=[2])');
  assert.is(String(tensor([NaN, -Infinity, 1.5])), 'tensor([      NaN, -Infinity,    1.5000], dtype=float32, shape=[3])');
});

test('magnitudes more than 1000 apart switch the whole tensor to scientific notation', () => {
  assert.is(String(tensor([1e-6, 1, 1000], { dtype: 'float64' })), 'tensor([1.0000e-06, 1.0000e+00, 1.0000e+03], dtype=float64, shape=[3])');
  assert.is(String(tensor([0.5, 100])), 'tensor([  0.5000, 100.0000], dtype=float32, shape=[2])');
});

test('past 1000 elements each long axis shows its first and last 3 entries around "..."', () => {
  const text = String(arange(2000).reshape([20, 100]));
  assert.is(text, [
    'tensor([[   0.,    1.,    2., ...,   97.,   98.,   99.],',
    '        [ 100.,  101.,  102., ...,  197.,  198.,  199.],',
    '        [ 200.,  201.,  202., ...,  297.,  298.,  299.],',
    '        ...,',
    '        [1700., 1701., 1702., ..., 1797., 1798., 1799.],',
    '        [1800., 1801., 1802., ..., 1897., 1898., 1899.],',
    '        [1900., 1901., 1902., ..., 1997., 1998., 1999.]], dtype=float32, shape=[20, 100])',
  ].join('\n'));
  // A strided view prints its own values: the corners of the transpose.
  assert.match(String(arange(2000).reshape([20, 100]).transpose()), /^tensor\(\[\[   0\.,  100\.,  200\., \.\.\., 1700\., 1800\., 1900\.\],\n/);
});

test('higher dimensions are set apart by blank lines; long rows wrap at 80 columns', () => {
  assert.is(String(arange(8).reshape([2, 2, 2])), 'tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]], dtype=float32, shape=[2, 2, 2])');
  const lines = String(arange(30)).split('\n');
  assert.is(lines.length, 3);
  assert.ok(lines.every((line) => line.length <= 80), lines.join('\n'));
  assert.is(lines[1], '        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,');
});

test('console.log and util.inspect print the same text; a tensor that requires grad says so, and printing records no op', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  assert.is(inspect(x), 'tensor([1., 2.], dtype=float32, shape=[2], requiresGrad=true)');
  const y = arange(3000).reshape([3000]).mul(x.sum());
  const node = y.node;
  assert.match(inspect(y), /^tensor\(\[   0\.,    3\.,    6\., \.\.\., 8991\., 8994\., 8997\.\], dtype=float32, shape=\[3000\], requiresGrad=true\)$/);
  assert.ok(y.node === node);
  assert.is(inspect({ weights: tensor([1]) }), '{ weights: tensor([1.], dtype=float32, shape=[1]) }');
});

test.run();
