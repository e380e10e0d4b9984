// defineOp: the one place that runs a kernel and records the graph node for its gradient.
import type { Backend } from './backend.js';
import { captureCallSite, checkForward } from './anomaly.js';
import { isGradEnabled } from './autograd.js';
import type { DType } from './dtype.js';
import { opError } from './errors.js';
import { contiguousStrides } from './shape.js';
import { Tensor } from './tensor.js';

/** What a forward returns: fresh contiguous storage, or a view (strides and offset) of an input's storage. */
export interface ForwardResult {
  readonly storage: unknown;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly strides?: readonly number[];
  readonly offset?: number;
  /** The backend the output lives on when not the inputs' (a copy across backends); storage is then fresh storage of it. */
  readonly backend?: Backend;
  /**
   * What the forward computed that its gradient reuses instead of recomputing (a fused kernel's
   * intermediate), handed to `gradient` as `saved`; dropped when no gradient is recorded.
   */
  readonly saved?: unknown;
}

export interface OpDefinition<Params> {
  readonly name: string;
  /** `recordsGradient`: whether defineOp will record this call for backward (so `saved` is worth keeping). */
  readonly forward: (backend: Backend, inputs: readonly Tensor[], params: Params, recordsGradient: boolean) => ForwardResult;
  /**
   * Input gradients from the output gradient, written in ops (so it runs on any backend); null where none flows.
   * It must keep no reference to dy or to the tensors it makes once it returns (no caching in a closure or a
   * global): backward hands gradient storage that nothing pending refers to back to the backend for reuse.
   */
  readonly gradient?: (inputs: readonly Tensor[], output: Tensor, dy: Tensor, params: Params, saved: unknown) => readonly (Tensor | null)[];
}

export type Op<Params> = (inputs: readonly Tensor[], params: Params) => Tensor;

const definedOps = new Set<string>();

/** Names of every op defined so far (the gradient-check table must cover each). */
export function definedOpNames(): string[] {
  return [...definedOps];
}

/**
 * Pairs a kernel call with its gradient.
 * @example const exp = defineOp({ name: 'exp', forward: (b, [x]) => unaryKernel(b, 'exp', x), gradient: (_, out, dy) => [dy.mul(out)] });
 */
export function defineOp<Params = void>(definition: OpDefinition<Params>): Op<Params> {
  definedOps.add(definition.name);
  return (inputs, params) => {
    const backend = inputs[0]!.backend;
    for (const input of inputs) {
      if (input.backend !== backend) {
        throw opError(definition.name, `inputs live on different backends ('${backend.name}' and '${input.backend.name}'); move one with toBackend()`);
      }
    }
    const { gradient } = definition;
    const recordsGradient = gradient !== undefined && isGradEnabled() && inputs.some((input) => input.requiresGrad);
    const result = definition.forward(backend, inputs, params, recordsGradient);
    const output = new Tensor({
      storage: result.storage,
      shape: result.shape,
      strides: result.strides ?? contiguousStrides(result.shape),
      offset: result.offset ?? 0,
      dtype: result.dtype,
      backend: result.backend ?? backend,
    });
    const createdAt = captureCallSite(); // undefined unless detectAnomaly runs
    checkForward(definition.name, inputs, output, createdAt);
    if (recordsGradient) {
      output.node = {
        op: definition.name,
        inputs,
        gradient: (dy) => gradient!(inputs, output, dy, params, result.saved),
        ...(createdAt ? { createdAt } : {}),
      };
    }
    return output;
  };
}
