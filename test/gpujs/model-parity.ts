// Parity of whole models on a gpujs backend vs CPU: LSG attention (forward and gradients) and one
// training step of a small ALBERT (loss, every parameter gradient, and the parameters after AdamW).
import { createRng, randn, tensor, withBackend, type Tensor } from '../../engine/index.js';
import { lsgSelfAttention, type SparsityType } from '../../lsg/index.js';
import { AdamW, AlbertConfig, AlbertForMaskedLM } from '../../nn/index.js';
import { expectClose } from '../helpers/close.js';
import { GPUJS_TOL, type CaseResult } from './parity.js';

function attempt(name: string, check: () => void): CaseResult {
  try {
    check();
    return { name, ok: true };
  } catch (error) {
    return { name, ok: false, message: (error as Error).message };
  }
}

function lsgOutcome(backendName: string, sparsityType: SparsityType) {
  return withBackend(backendName, () => {
    const rng = createRng(11);
    const [q, k, v] = [0, 1, 2].map(() => randn([1, 2, 24, 4], { rng }).toBackend(backendName).detach());
    for (const x of [q, k, v]) x!.requiresGrad = true;
    const out = lsgSelfAttention(q!, k!, v!, { blockSize: 4, sparsityFactor: 2, sparsityType });
    out.mul(randn(out.shape, { rng: createRng(12) })).sum().backward();
    return [out, q!.grad!, k!.grad!, v!.grad!].map((t) => t.toTypedArray());
  });
}

export function checkLsgAttention(backendName: string): CaseResult[] {
  return (['stride', 'norm', 'pooling'] as SparsityType[]).map((type) => attempt(`lsgSelfAttention ${type}`, () => {
    const expected = lsgOutcome('cpu', type);
    const actual = lsgOutcome(backendName, type);
    ['output', 'dq', 'dk', 'dv'].forEach((label, k) => expectClose(actual[k]!, expected[k]!, GPUJS_TOL, `lsg ${type} ${label}`));
  }));
}

function albertStep(backendName: string) {
  return withBackend(backendName, () => {
    const config = new AlbertConfig({
      vocabSize: 20, embeddingSize: 8, hiddenSize: 16, numHiddenLayers: 2, numHiddenGroups: 1,
      numAttentionHeads: 2, intermediateSize: 24, maxPositionEmbeddings: 16, hiddenDropoutProb: 0, attentionProbsDropoutProb: 0,
    });
    const model = new AlbertForMaskedLM(config, { rng: createRng(3) }).train();
    const inputIds = tensor([[2, 5, 4, 7, 9, 3], [2, 6, 8, 4, 10, 3]], { dtype: 'int32' });
    const labels = tensor([[-100, -100, 11, -100, -100, -100], [-100, 12, -100, 13, -100, -100]], { dtype: 'int32' });
    const { loss } = model.forward({ inputIds, labels });
    loss!.backward();
    const named = model.namedParameters();
    const grads = named.map(([name, p]) => [name, p.grad ? p.grad.toTypedArray() : null] as const);
    new AdamW(model.parameters(), { lr: 1e-2 }).step();
    const after = named.map(([name, p]) => [name, p.toTypedArray()] as const);
    return { loss: loss!.item(), grads, after };
  });
}

export function checkAlbertStep(backendName: string): CaseResult {
  return attempt('ALBERT training step (loss, gradients, AdamW update)', () => {
    const expected = albertStep('cpu');
    const actual = albertStep(backendName);
    expectClose([actual.loss], [expected.loss], GPUJS_TOL, 'albert loss');
    expected.grads.forEach(([name, grad], k) => {
      const got = actual.grads[k]![1];
      if (!grad || !got) throw new Error(`albert gradient of ${name}: ${got ? 'present' : 'missing'} on ${backendName}, ${grad ? 'present' : 'missing'} on cpu`);
      expectClose(got, grad, GPUJS_TOL, `albert gradient of ${name}`);
    });
    expected.after.forEach(([name, values], k) => expectClose(actual.after[k]![1], values, GPUJS_TOL, `albert ${name} after AdamW`));
  });
}

export type { Tensor };
