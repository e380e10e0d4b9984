// Every public function checks its arguments: the message names the op, the argument, the value or
// shapes, and what was expected.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as E from '../../engine/index.js';
import { tensor, zeros } from '../../engine/index.js';

/** Asserts fn throws a message containing every fragment (matched literally). */
function throwsWith(fn: () => unknown, ...fragments: string[]): void {
  let message: string | undefined;
  try {
    fn();
  } catch (error) {
    message = (error as Error).message;
  }
  assert.ok(message !== undefined, `expected a throw with ${JSON.stringify(fragments)}`);
  for (const fragment of fragments) assert.ok(message!.includes(fragment), `"${message}" should contain "${fragment}"`);
}

const x = () => zeros([2, 3]);
const ints = (values: number[]) => tensor(values, { dtype: 'int32' });

test('matmul names both shapes and the disagreeing dimension', () => {
  throwsWith(() => E.matmul(zeros([2, 3]), zeros([4, 5])), 'matmul: a.shape [2,3] and b.shape [4,5] disagree on the inner dimension (3 vs 4)');
  throwsWith(() => E.matmul(zeros([2, 2, 3]), zeros([3, 3, 4])), 'matmul: a.shape [2,2,3] and b.shape [3,3,4] have batch axes that do not broadcast ([2] vs [3])');
  throwsWith(() => E.matmul(tensor(1), zeros([2])), 'matmul', 'at least one axis');
});

test('creation', () => {
  throwsWith(() => tensor([[1, 2], [3]]), 'tensor: data[1] [3] is invalid', 'rectangular');
  throwsWith(() => tensor([1, 'a']), 'tensor: data[1] "a" is invalid', 'a number or boolean');
  throwsWith(() => tensor([1, 2], { shape: [3] }), 'tensor: options.shape [3] is invalid', '2 elements');
  throwsWith(() => tensor([1], { dtype: 'float16' as never }), 'tensor: dtype "float16" is invalid', 'float32, float64, int32, bool');
  throwsWith(() => zeros([2, -1]), 'shape [2,-1] is invalid', 'non-negative integers');
  throwsWith(() => E.arange(0, 3, 0), 'arange: step 0 is invalid');
  throwsWith(() => E.randint(3, 3, [2]), 'randint: high 3 is invalid', 'greater than low (3)');
  throwsWith(() => E.createRng(1.5), 'createRng: seed 1.5 is invalid', 'an integer');
});

test('elementwise and reductions', () => {
  throwsWith(() => E.add(zeros([2, 3]), zeros([4])), 'add: shapes [2,3] and [4] cannot be broadcast (axis -1: 3 vs 4)');
  throwsWith(() => E.add(1 as never, 2 as never), 'add: a 1 is invalid', 'at least one Tensor operand');
  throwsWith(() => E.mul(x(), 'two' as never), 'mul: b "two" is invalid');
  throwsWith(() => E.exp([1, 2] as never), 'exp: x [1,2] is invalid; expected a Tensor');
  throwsWith(() => E.maskedFill(x(), tensor([true, false, true]), 'big' as never), 'maskedFill: value "big" is invalid', 'a number');
  throwsWith(() => E.where(tensor([true, false]), x(), 0), 'where', '[2]', '[2,3]');
  throwsWith(() => E.maskedFill(tensor([1, 2]), tensor([[true], [false]]), 0), 'maskedFill: mask.shape [2,1] is invalid', 'broadcasts to x.shape [2]');
  throwsWith(() => E.sum(x(), 2), 'sum: axis 2 is invalid', '[-2, 1]', 'rank 2');
  throwsWith(() => E.sum(x(), [1, -1]), 'sum: axes [1,-1] is invalid', 'distinct axes');
  throwsWith(() => E.mean(x(), 5), 'mean: axis 5 is invalid');
  throwsWith(() => E.argmax(x(), -3), 'argmax: axis -3 is invalid');
  throwsWith(() => E.argmax(E.zeros([2, 0]), 1), 'argmax: axis 1 is invalid; expected an axis of non-zero length');
  throwsWith(() => E.argmin(E.zeros([0])), 'argmin: x has shape [0], no elements');
  assert.equal(E.argmax(E.zeros([0, 3]), 1).shape, [0]); // nothing to reduce over is fine when no rows exist
  throwsWith(() => E.softmax(x(), 2), 'softmax: axis 2 is invalid');
  throwsWith(() => x().item(), 'item: tensor.shape [2,3] is invalid', 'exactly one element');
});

test('movement', () => {
  throwsWith(() => x().reshape([4, 2]), 'reshape: shape [4,2] is invalid', '6 elements (from [2,3])');
  throwsWith(() => x().reshape([-1, -1]), 'reshape: shape [-1,-1] is invalid');
  throwsWith(() => x().permute([0, 0]), 'permute: axes [0,0] is invalid', 'a permutation of [0..1]');
  throwsWith(() => x().transpose(0, 2), 'transpose: axis 2 is invalid');
  throwsWith(() => x().slice(0, 0, 2, 0), 'slice: step 0 is invalid', 'a positive integer');
  throwsWith(() => x().narrow(1, 2, 2), 'narrow: start/length [2,2] is invalid', 'inside axis 1 of size 3');
  throwsWith(() => x().expand([3, 3]), 'expand: shape [3,3] is invalid', 'that [2,3] broadcasts to');
  throwsWith(() => x().unfold(1, 4, 1), 'unfold: size 4 is invalid', '[1, 3]');
  throwsWith(() => x().unfold(1, 2, 0), 'unfold: step 0 is invalid');
  throwsWith(() => x().pad([[1, 1]]), 'pad: pads [[1,1]] is invalid', '2 pairs [before, after]');
  throwsWith(() => x().flatten(1, 0), 'flatten: endAxis 0 is invalid');
  throwsWith(() => E.cat([x(), zeros([2, 2, 1])]), 'cat: tensors[1].shape [2,2,1] does not match tensors[0].shape [2,3]');
  throwsWith(() => E.cat([x(), zeros([2, 3], { dtype: 'int32' })]), 'cat: tensors[1] is int32 but tensors[0] is float32');
  throwsWith(() => E.cat([]), 'cat: tensors [] is invalid', 'a non-empty array of Tensors');
  throwsWith(() => E.stack([]), 'stack: tensors [] is invalid');
});

test('indexing', () => {
  throwsWith(() => x().gather(1, tensor([[0]])), 'gather: index.dtype "float32" is invalid', "'int32'");
  throwsWith(() => x().gather(1, ints([0])), 'gather: index.shape [1] must have the rank of x.shape [2,3]');
  throwsWith(() => x().gather(1, tensor([[5]], { dtype: 'int32' })), 'gather: index 5 is out of range for axis 1 of size 3');
  throwsWith(() => x().indexSelect(0, tensor([[0]], { dtype: 'int32' })), 'indexSelect: index.shape [1,1] is invalid', 'a 1-D tensor');
  throwsWith(() => E.scatterAdd(zeros([3]), 0, ints([3]), tensor([1])), 'scatterAdd: index 3 is out of range for axis 0 of size 3');
  throwsWith(() => E.scatterAdd(zeros([3]), 0, ints([0, 1]), tensor([1])), 'scatterAdd: src.shape [1] must cover index.shape [2]');
  throwsWith(() => E.topk(x(), 4), 'topk: k 4 is invalid', '[0, 3]');
  throwsWith(() => E.embedding(zeros([3]), ints([0])), 'embedding: weight.shape [3] is invalid', '[vocabSize, dim]');
  throwsWith(() => E.embedding(zeros([3, 2]), ints([3])), 'index 3 is out of range for axis 0 of size 3');
  throwsWith(() => E.embedding(zeros([3, 2]), tensor([1])), 'embedding: ids.dtype "float32" is invalid', "'int32' token ids");
});

test('nn-ish ops', () => {
  throwsWith(() => E.dropout(x(), 1), 'dropout: p 1 is invalid', '[0, 1)');
  throwsWith(() => E.layerNorm(x(), zeros([2])), 'layerNorm: weight.shape [2] is invalid', '[3] (the last axis of x)');
  throwsWith(() => E.crossEntropy(x(), tensor([0, 1])), 'crossEntropy: target.dtype "float32" is invalid', "'int32'");
  throwsWith(() => E.crossEntropy(x(), ints([0, 1, 1])), 'crossEntropy: logits.shape [2,3] must be target.shape [3] plus a class axis');
  throwsWith(() => E.crossEntropy(x(), ints([0, 1]), { reduction: 'avg' as never }), 'crossEntropy: reduction "avg" is invalid');
  throwsWith(() => E.crossEntropy(x(), ints([0, 1]), { labelSmoothing: 2 }), 'crossEntropy: labelSmoothing 2 is invalid', '[0, 1]');
  throwsWith(() => E.crossEntropy(x(), ints([0, 7])), 'out of range');
});

test('backends and assign', () => {
  throwsWith(() => E.getBackend('nope'), 'getBackend: name "nope" is invalid', 'one of the registered backends [cpu]');
  throwsWith(() => E.withBackend('nope', () => 1), 'getBackend: name "nope" is invalid');
  throwsWith(() => x().assign(zeros([3, 2])), 'assign: other "float32[3,2]" is invalid', 'a float32 tensor of shape [2,3]');
});

test.run();
