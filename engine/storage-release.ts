// Which gradient storage a backward pass may hand back to its backend for reuse.
// The proof: during backward, a gradient tensor is reachable only from the pending-gradient map,
// from a `.grad`, or from the gradient function that is running (gradient functions keep nothing:
// OpDefinition.gradient). So once a node is done, a storage that no pending gradient refers to and
// that no `.grad` holds is unreferenced, provided it was made during this pass; the backend checks
// that last part itself (StorageRecycler), which keeps forward activations, parameters and arrays
// a caller owns out of reach whatever the engine passes.
import type { Backend } from './backend.js';
import type { Tensor } from './tensor.js';

export class GradientStorageRelease {
  /** The backend's mark, taken the first time a tensor of that backend is seen in this pass. */
  readonly #marks = new Map<Backend, number>();
  /** Storage → how many pending gradients (entries of backward's map) refer to it. */
  readonly #pending = new Map<unknown, number>();
  /** Storage that outlives the pass: a `.grad`, or the caller's output gradient. */
  readonly #kept = new Set<unknown>();
  /** Tensors dropped or discarded since the last release, whose storage may now be unreferenced. */
  #candidates: Tensor[] = [];

  constructor(anyTensor: Tensor) {
    this.#markOf(anyTensor.backend);
  }

  /** A pending gradient now refers to t. */
  hold(t: Tensor): void {
    this.#pending.set(t.storage, (this.#pending.get(t.storage) ?? 0) + 1);
  }

  /** A pending gradient no longer refers to t. */
  drop(t: Tensor): void {
    const count = this.#pending.get(t.storage)! - 1;
    if (count === 0) this.#pending.delete(t.storage);
    else this.#pending.set(t.storage, count);
    this.#candidates.push(t);
  }

  /** t is not kept by the pass (a gradient nobody needs, or one just summed into another). */
  discard(t: Tensor): void {
    this.#candidates.push(t);
  }

  /** t outlives the pass: its storage is never released. */
  keep(t: Tensor): void {
    this.#kept.add(t.storage);
  }

  /** Hands back the candidates' storage that nothing pending or kept refers to. Call between nodes. */
  releaseUnreferenced(): void {
    const seen = new Set<unknown>();
    for (const t of this.#candidates) {
      const storage = t.storage;
      if (seen.has(storage) || this.#pending.has(storage) || this.#kept.has(storage)) continue;
      seen.add(storage);
      const recycler = t.backend.recycler;
      if (recycler) recycler.release(storage, this.#markOf(t.backend));
    }
    this.#candidates = [];
  }

  #markOf(backend: Backend): number {
    let mark = this.#marks.get(backend);
    if (mark === undefined && backend.recycler) {
      // NOTE: a mark taken late only excludes more storage (whatever the backend made before it).
      mark = backend.recycler.mark();
      this.#marks.set(backend, mark);
    }
    return mark ?? 0;
  }
}
