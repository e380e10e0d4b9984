// Layer normalisation: one fused op where the backend has the kernels, the composition otherwise.
import { argumentError } from '../errors.js';
import { defineOp } from '../op.js';
import type { Tensor } from '../tensor.js';
import { gradientTensor } from './fused.js';
import { checkTensor } from './prepare.js';

interface LayerNormParams {
  readonly eps: number;
  readonly hasWeight: boolean;
  readonly hasBias: boolean;
}

/** Inputs [x, weight?, bias?] (the flags say which are present); gradients from one call of the backend's `layerNorm.backward`. */
const layerNormOp = defineOp<LayerNormParams>({
  name: 'layerNorm',
  forward: (backend, inputs, { eps, hasWeight, hasBias }) => {
    const x = inputs[0]!;
    const weight = hasWeight ? inputs[1]! : null;
    const bias = hasBias ? inputs[hasWeight ? 2 : 1]! : null;
    return { storage: backend.layerNorm!.forward(x, weight, bias, eps), shape: x.shape, dtype: x.dtype };
  },
  gradient: (inputs, _out, dy, { eps, hasWeight, hasBias }) => {
    const x = inputs[0]!;
    const { backend } = x;
    const width = [x.shape[x.rank - 1]!];
    const grads = backend.layerNorm!.backward(x, hasWeight ? inputs[1]! : null, dy, eps);
    return [
      gradientTensor(backend, grads.dx, x.shape, x.dtype),
      ...(hasWeight ? [gradientTensor(backend, grads.dweight, width, x.dtype)] : []),
      ...(hasBias ? [gradientTensor(backend, grads.dbias, width, x.dtype)] : []),
    ];
  },
});

/** The composition, for backends without the fused kernels (and for mixed dtypes). */
function composedLayerNorm(x: Tensor, weight: Tensor | undefined, bias: Tensor | undefined, eps: number): Tensor {
  const centered = x.sub(x.mean(-1, true));
  const variance = centered.mul(centered).mean(-1, true);
  let out = centered.mul(variance.add(eps).rsqrt());
  if (weight) out = out.mul(weight);
  if (bias) out = out.add(bias);
  return out;
}

/**
 * Normalises the last axis to zero mean and unit variance (biased), then scales and shifts.
 * @example layerNorm(hidden, gamma, beta, 1e-12)
 */
export function layerNorm(x: Tensor, weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  checkTensor('layerNorm', 'x', x);
  const width = x.shape[x.rank - 1];
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && (t.rank !== 1 || t.shape[0] !== width)) throw argumentError('layerNorm', `${name}.shape`, t.shape, `[${width}] (the last axis of x)`);
  }
  const { backend } = x;
  const fusable = backend.layerNorm && x.rank > 0 && (x.dtype === 'float32' || x.dtype === 'float64')
    && [weight, bias].every((t) => !t || (t.dtype === x.dtype && t.backend === backend));
  if (!fusable) return composedLayerNorm(x, weight, bias, eps);
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return layerNormOp(inputs, { eps, hasWeight: weight !== undefined, hasBias: bias !== undefined });
}
