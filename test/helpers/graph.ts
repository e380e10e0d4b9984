// Reading the autograd graph in tests.
import type { Tensor } from '../../engine/index.js';

/** The defineOp names recorded in the graph that made t. */
export function graphOps(t: Tensor, seen = new Set<Tensor>(), names = new Set<string>()): Set<string> {
  if (seen.has(t) || !t.node) return names;
  seen.add(t);
  names.add(t.node.op);
  for (const input of t.node.inputs) graphOps(input, seen, names);
  return names;
}
