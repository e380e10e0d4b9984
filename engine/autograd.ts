// The dynamic tape: graph nodes recorded by ops, reverse-mode backward, and grad mode.
import { checkBackward, duringBackward } from './anomaly.js';
import { checkFunction, opError } from './errors.js';
import { sameShape } from './shape.js';
import { GradientStorageRelease } from './storage-release.js';
import type { Tensor } from './tensor.js';

/** How a tensor was made: the op, its inputs, and the closure that maps the output's gradient to the inputs'. */
export interface GraphNode {
  readonly op: string;
  inputs: readonly Tensor[];
  /** null once a backward pass has released the saved tensors. */
  gradient: ((dy: Tensor) => readonly (Tensor | null)[]) | null;
  /** Where the op was called, recorded only under detectAnomaly. */
  readonly createdAt?: string[];
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs fn without recording a graph: results do not require grad.
 * @example const prediction = noGrad(() => model.forward(x));
 */
export function noGrad<T>(fn: () => T): T {
  checkFunction('noGrad', 'fn', fn);
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Tensors reachable from root through nodes, inputs before the tensors made from them. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [tensor, expanded] = stack.pop()!;
    if (expanded) {
      order.push(tensor);
      continue;
    }
    if (visited.has(tensor)) continue;
    visited.add(tensor);
    stack.push([tensor, true]);
    const node = tensor.node;
    if (node && node.gradient === null) {
      throw opError('backward', `the graph through '${node.op}' was already freed by an earlier backward(); call the first backward({ retainGraph: true }) to run backward twice`);
    }
    for (const input of node?.inputs ?? []) if (input.requiresGrad && !visited.has(input)) stack.push([input, false]);
  }
  return order;
}

export interface BackwardOptions {
  /** Keep the saved tensors so that backward can run through this graph again. */
  retainGraph?: boolean;
}

/** Accumulates d(root)/d(leaf) · grad into every leaf that requires grad. */
export function runBackward(root: Tensor, grad: Tensor, options: BackwardOptions = {}): void {
  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, grad]]);
  // Gradient storage that nothing refers to any more goes back to its backend between nodes, so
  // the next gradients reuse it instead of touching fresh memory.
  const release = new GradientStorageRelease(root);
  release.keep(grad);
  release.hold(grad);
  noGrad(() => duringBackward(() => {
    for (let i = order.length - 1; i >= 0; i--) {
      const tensor = order[i]!;
      const dy = grads.get(tensor);
      grads.delete(tensor);
      if (!dy) continue;
      release.drop(dy);
      const node = tensor.node;
      if (!node || tensor.retainsGrad) {
        tensor.grad = tensor.grad ? tensor.grad.add(dy) : dy;
        release.keep(tensor.grad);
      }
      if (node) backwardThrough(node, tensor, dy, grads, release, options);
      release.releaseUnreferenced();
    }
  }));
}

/** Runs one node's gradient and adds the results to the inputs' pending gradients. */
function backwardThrough(
  node: GraphNode, tensor: Tensor, dy: Tensor, grads: Map<Tensor, Tensor>, release: GradientStorageRelease, options: BackwardOptions,
): void {
  const inputGrads = node.gradient!(dy);
  checkBackward(node.op, node.inputs, tensor, dy, inputGrads, node.createdAt);
  node.inputs.forEach((input, k) => {
    const g = inputGrads[k];
    if (!g) return;
    if (!input.requiresGrad) {
      release.discard(g);
      return;
    }
    if (!sameShape(g.shape, input.shape)) {
      throw opError('backward', `the gradient of '${node.op}' for input ${k} has shape [${g.shape}] but the input has shape [${input.shape}]`);
    }
    const previous = grads.get(input);
    if (previous) {
      grads.set(input, previous.add(g));
      release.drop(previous);
      release.discard(g);
    } else {
      grads.set(input, g);
    }
    release.hold(grads.get(input)!);
  });
  if (!options.retainGraph) {
    // Release the saved tensors: the gradient closure and the inputs (which hold the
    // intermediates' storage alive for as long as the output lives).
    node.gradient = null;
    node.inputs = [];
  }
}
