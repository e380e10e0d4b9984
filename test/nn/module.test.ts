import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, createRng, type Tensor } from '../../engine/index.js';
import { Module, Linear, LayerNorm, Dropout } from '../../nn/index.js';

class Block extends Module {
  readonly layerNorm = new LayerNorm(3);
  readonly projections = [new Linear(3, 3, { rng: createRng(1) }), new Linear(3, 2, { rng: createRng(2) })];
  readonly drop = new Dropout(0.5);
  readonly scale: Tensor;
  constructor() {
    super();
    this.scale = tensor([1, 2], { requiresGrad: true });
  }
  protected override stateNames(): Record<string, string> {
    return { layerNorm: 'LayerNorm' };
  }
}

class Outer extends Module {
  readonly block = new Block();
  readonly sharedTwice: Block[];
  constructor() {
    super();
    this.sharedTwice = [this.block, this.block];
  }
}

test('dotted names walk fields, arrays and renames; snake_case by default', () => {
  const names = new Block().namedParameters().map(([name]) => name);
  assert.equal(names, ['LayerNorm.weight', 'LayerNorm.bias', 'projections.0.weight', 'projections.0.bias', 'projections.1.weight', 'projections.1.bias', 'scale']);
});

test('a tensor reached twice is listed once, under its first name', () => {
  const outer = new Outer();
  const names = outer.namedParameters().map(([name]) => name);
  assert.ok(names.every((name) => name.startsWith('block.')));
  assert.is(outer.parameters().length, 7);
});

test('train()/eval() reach every module', () => {
  const outer = new Outer();
  outer.eval();
  assert.ok(outer.modules().every((module) => !module.training));
  outer.train();
  assert.ok(outer.block.drop.training);
});

test('zeroGrad clears gradients', () => {
  const layer = new Linear(2, 1);
  layer.forward(tensor([[1, 2]])).sum().backward();
  assert.ok(layer.weight.grad !== null);
  layer.zeroGrad();
  assert.is(layer.weight.grad, null);
});

test('stateDict / loadStateDict copy values', () => {
  const source = new Block();
  const target = new Block();
  target.loadStateDict(source.stateDict());
  for (const [name, value] of target.namedParameters()) {
    assert.equal(value.toArray(), source.stateDict()[name]!.toArray(), name);
  }
  // The loaded parameters are still the same objects (values are copied in).
  assert.ok(target.stateDict()['scale'] === target.scale);
});

test('strict loading lists every missing, unexpected and mis-shaped key in one error', () => {
  const state = new Block().stateDict();
  delete state['scale'];
  delete state['LayerNorm.bias'];
  state['extra.weight'] = tensor([1]);
  state['projections.1.weight'] = tensor([[1, 2]]);
  try {
    new Block().loadStateDict(state);
    assert.unreachable('should throw');
  } catch (error) {
    const message = (error as Error).message;
    assert.match(message, /loadStateDict: state does not fit Block/);
    assert.match(message, /missing keys \(2\): LayerNorm\.bias, scale/);
    assert.match(message, /unexpected keys \(1\): extra\.weight/);
    assert.match(message, /shape mismatches \(1\): projections\.1\.weight: checkpoint \[1, 2\] vs model \[2, 3\]/);
  }
  delete state['extra.weight'];
  delete state['projections.1.weight'];
  const result = new Block().loadStateDict(state, { strict: false });
  assert.equal(result.missingKeys, ['LayerNorm.bias', 'projections.1.weight', 'scale']);
});

test.run();
