// When LSG runs the fused block-attention op and when it composes gathers, matmul and softmax:
// fused in float32 only where the WebAssembly kernel runs (its TypeScript fallback is slower than
// the composition), fused in float64 (gradient checks test the op's own gradient); the two paths
// give the same values either way.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, randn, type DType, type Tensor } from '../../engine/index.js';
import { setWasmBlockAttentionEnabled, wasmBlockAttentionAvailable } from '../../backends/cpu/wasm/block-attention-wasm.js';
import { lsgSelfAttention } from '../../lsg/index.js';
import { expectClose, F32_TOL } from '../helpers/close.js';
import { graphOps } from '../helpers/graph.js';

/** LSG self-attention of (1, 2, 16, headDim) inputs with gradients on, and whether its graph holds the fused op. */
function attend(dtype: DType, headDim: number): { out: Tensor; fused: boolean } {
  const rng = createRng(2);
  const [q, k, v] = [0, 1, 2].map(() => randn([1, 2, 16, headDim], { rng, dtype, requiresGrad: true })) as [Tensor, Tensor, Tensor];
  const out = lsgSelfAttention(q, k, v, { blockSize: 4, sparsityFactor: 2, sparsityType: 'norm' });
  return { out, fused: graphOps(out).has('blockAttention') };
}

test('float32 runs fused where the wasm kernel takes the head dimension (a multiple of 4)', () => {
  // LSGRAD_WASM=0 (or an engine without wasm SIMD) leaves no kernel: then this run composes too.
  assert.equal(attend('float32', 8).fused, wasmBlockAttentionAvailable(8));
});

test('float32 without the wasm kernel composes, with the same values', () => {
  const fused = attend('float32', 8);
  setWasmBlockAttentionEnabled(false);
  try {
    const composed = attend('float32', 8);
    assert.not.ok(composed.fused, 'the TypeScript fallback is not chosen');
    expectClose(composed.out, fused.out, F32_TOL, 'output');
  } finally {
    setWasmBlockAttentionEnabled(true);
  }
});

test('float32 with a head dimension the wasm kernel does not take composes', () => {
  assert.not.ok(attend('float32', 6).fused);
});

test('float64 runs fused, with or without the wasm kernel', () => {
  assert.ok(attend('float64', 6).fused);
  setWasmBlockAttentionEnabled(false);
  try {
    assert.ok(attend('float64', 8).fused);
  } finally {
    setWasmBlockAttentionEnabled(true);
  }
});

test.run();
