// Optimizers check what they are given: a module instead of its parameters, an empty or mixed
// list, a misspelt option or a non-finite rate is an ArgumentError that says what was expected.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ArgumentError, createRng, tensor } from '../../engine/index.js';
import { AdamW, Linear, SGD, weightDecayGroups } from '../../nn/index.js';

function throwsArgument(fn: () => unknown, ...fragments: string[]): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, ArgumentError);
    for (const fragment of fragments) assert.ok((error as Error).message.includes(fragment), `"${(error as Error).message}" should contain "${fragment}"`);
    return;
  }
  assert.unreachable(`expected an ArgumentError with ${fragments.join(' … ')}`);
}

const model = () => new Linear(3, 2, { rng: createRng(0) });

test('new AdamW(model) says to pass its parameters', () => {
  throwsArgument(() => new AdamW(model() as never), 'AdamW: params "a Linear" is invalid', 'new AdamW(model.parameters(), …)', 'weightDecayGroups(model, wd)');
  throwsArgument(() => new SGD(model() as never, { lr: 0.1 }), 'SGD: params "a Linear"');
});

test('params must be a non-empty list of tensors or of groups, not a mix', () => {
  const [weight, bias] = model().parameters();
  throwsArgument(() => new AdamW([]), 'AdamW: params [] is invalid', 'not empty');
  throwsArgument(() => new AdamW(undefined as never), 'AdamW: params undefined is invalid');
  throwsArgument(() => new AdamW([weight!, { params: [bias!] }] as never), 'AdamW: params[0]', 'not a mix');
  throwsArgument(() => new AdamW([{ params: [weight!], learningRate: 1 }] as never), 'AdamW: params[0] key "learningRate" is invalid; expected one of params, lr, weightDecay');
  throwsArgument(() => new AdamW([{ params: [weight!, 3] }] as never), 'AdamW: params[0].params[1] 3 is invalid; expected a Tensor');
  throwsArgument(() => new AdamW([tensor([1, 2])]), 'tensors with requiresGrad');
});

test('options: unknown keys, non-finite rates and bad betas are refused', () => {
  const params = model().parameters();
  throwsArgument(() => new AdamW(params, { learningRate: 0.1 } as never), 'AdamW: options key "learningRate" is invalid; expected one of lr, betas, eps, weightDecay');
  throwsArgument(() => new AdamW(params, { lr: Number.NaN }), 'AdamW: paramGroups[0].lr NaN is invalid');
  throwsArgument(() => new AdamW(params, { lr: Infinity }), 'paramGroups[0].lr Infinity');
  throwsArgument(() => new AdamW(params, { betas: [0.9] as never }), 'AdamW: betas [0.9] is invalid');
  throwsArgument(() => new AdamW(params, { betas: [0.9, 1] }), 'AdamW: betas[1] 1 is invalid');
  throwsArgument(() => new AdamW(params, { eps: -1 }), 'AdamW: eps -1');
  throwsArgument(() => new SGD(params, undefined as never), 'SGD: options undefined is invalid');
  throwsArgument(() => new SGD(params, {} as never), 'SGD: options.lr undefined is invalid', 'no default learning rate');
  throwsArgument(() => new SGD(params, { lr: 0.1, dampening: 2 }), 'SGD: dampening 2');
  assert.is(new SGD([{ params, lr: 0.5 }], {} as never).paramGroups[0]!.lr, 0.5, 'a group\'s own lr stands in for options.lr');
  throwsArgument(() => weightDecayGroups(params as never, 0.01), 'weightDecayGroups: model');
  throwsArgument(() => weightDecayGroups(model(), -1), 'weightDecayGroups: weightDecay -1');
});

test.run();
