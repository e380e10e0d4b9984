// The gpu.js Backend: float32 kernels run on the device and stay there; float64, int32 and bool data,
// and the kernels whose output is an index or a bool, run the CPU loops of backends/cpu on the host.
import type { ArgReduceOp, Backend, BinaryOp, Layout, ReduceOp, UnaryOp, View } from '../../engine/backend.js';
import type { DType, TypedArray } from '../../engine/dtype.js';
import { opError } from '../../engine/errors.js';
import { contiguousStrides, sizeOf } from '../../engine/shape.js';
import * as cpuKernels from '../cpu/kernels.js';
import type { Device, KernelArgument } from './device.js';
import { BINARY_EXPRESSIONS } from './expressions.js';
import * as K from './kernels.js';
import { GpuJsStorage, MemoryPool } from './memory.js';
import { checkLive, deviceOf, hostOf, hostView, layoutOf } from './storage-access.js';
import { FLOAT_INDEX_LIMIT } from './layout.js';
import { repeatedIndexLists, scatterLists } from './scatter-lists.js';

type S = GpuJsStorage;

export interface KernelStats {
  deviceRuns: Record<string, number>;
  /** Milliseconds spent in kernel calls per family (submission only in webgpu, where runs are asynchronous). */
  deviceMs: Record<string, number>;
  hostRuns: Record<string, number>;
  /**
   * Kernel calls per family whose output exceeded the device's per-call limit (maxOutputElements): they ran in
   * chunks whose parts met on the host, so each is a readback (and its consumer an upload).
   */
  splitRuns: Record<string, number>;
  /** Device data read back to the host (once per storage: the host copy is kept). */
  readbacks: number;
  /** Host data uploaded to the device (once per storage). */
  uploads: number;
}
type V = View<S>;

/** Kernels index in float32: a larger array would be read or written at the wrong places, so it is refused. */
function checkIndexable(fn: string, what: 'input' | 'output', size: number): void {
  if (size > FLOAT_INDEX_LIMIT) {
    throw new RangeError(`gpujs ${fn}: an ${what} of ${size} elements is over the ${FLOAT_INDEX_LIMIT} (2^24) that float32 kernel indices address exactly; use the cpu backend for tensors this large`);
  }
}

/** The value of a one-element float32 storage whose host copy exists (e.g. a scalar from full()), if `x` is one. */
function hostScalar(x: V): number | undefined {
  const { storage } = x;
  return storage.size === 1 && storage.host !== null && !storage.disposed ? storage.host[0] : undefined;
}

/** Concatenations of more inputs than this run on the host (each input is one texture unit in GL). */
const MAX_CONCAT_INPUTS = 8;

/** The fused pairs are assembled from this class's methods in index.ts. */
type FusedPairs = 'softmax' | 'activation' | 'layerNorm';

export class GpuJsKernels implements Omit<Backend<S>, 'name' | FusedPairs> {
  constructor(readonly device: Device, readonly pool: MemoryPool) {}

  /** What ran where: kernel launches per family, host (CPU loop) runs per kernel, readbacks and uploads. */
  readonly stats: KernelStats = { deviceRuns: {}, deviceMs: {}, hostRuns: {}, splitRuns: {}, readbacks: 0, uploads: 0 };

  // ── plumbing ──
  private hostStorage(dtype: DType, data: TypedArray): S {
    return new GpuJsStorage(dtype, data.length, data, null, this.pool);
  }

  /** A result computed by the CPU loops on the host. */
  private fallback(kernel: string, dtype: DType, data: TypedArray): S {
    this.stats.hostRuns[kernel] = (this.stats.hostRuns[kernel] ?? 0) + 1;
    return this.hostStorage(dtype, data);
  }

  /** Runs a float32 kernel over `size` outputs, in chunks when the device limits one call. */
  private launch(spec: K.KernelSpec, size: number, args: readonly KernelArgument[]): S {
    if (size === 0) return this.hostStorage('float32', new Float32Array(0));
    const family = spec.key.slice(0, spec.key.indexOf('|'));
    checkIndexable(family, 'output', size);
    this.stats.deviceRuns[family] = (this.stats.deviceRuns[family] ?? 0) + 1;
    const limit = this.device.maxOutputElements;
    if (size <= limit) {
      const started = performance.now();
      const result = this.device.run(spec, size, [...args, 0]);
      this.stats.deviceMs[family] = (this.stats.deviceMs[family] ?? 0) + performance.now() - started;
      return new GpuJsStorage('float32', size, result instanceof Float32Array ? result : null, result, this.pool);
    }
    // Split: each chunk is its own kernel call over [start, start + length); the parts meet on the host.
    this.stats.splitRuns[family] = (this.stats.splitRuns[family] ?? 0) + 1;
    const out = new Float32Array(size);
    for (let start = 0; start < size; start += limit) {
      const length = Math.min(limit, size - start);
      const part = this.device.run(spec, length, [...args, start]);
      out.set(this.device.download(part, length), start);
      if (!(part instanceof Float32Array)) this.device.release(part);
    }
    return this.hostStorage('float32', out);
  }

  private arg(fn: string, x: V): KernelArgument {
    checkIndexable(fn, 'input', x.storage.size);
    if (x.storage.device === null) this.stats.uploads++;
    return deviceOf(fn, this.device, x.storage);
  }

  private host(fn: string, x: V): View<TypedArray> {
    if (x.storage.host === null) this.stats.readbacks++;
    return hostView(fn, this.device, x);
  }

  // ── Backend ──
  fromTypedArray(data: TypedArray, dtype: DType): S {
    return this.hostStorage(dtype, data);
  }

  read(x: V): TypedArray {
    return cpuKernels.read(this.host('read', x));
  }

  full(size: number, value: number, dtype: DType): S {
    if (dtype !== 'float32' || !Number.isFinite(value)) return this.fallback('full', dtype, cpuKernels.full(size, value, dtype));
    // A single value (the scalar of x·0.9 or x + 1e-8) stays on the host: binary() hands it to its kernel as an
    // argument. On a GPU that saves two kernel launches per scalar op, most of AdamW's per-parameter work.
    if (size === 1) return this.hostStorage('float32', Float32Array.of(value));
    return this.launch(K.fillKernel(), size, [value]);
  }

  unary(op: UnaryOp, x: V): S {
    if (x.dtype !== 'float32') return this.fallback('unary', x.dtype, cpuKernels.unary(op, this.host('unary', x)));
    return this.launch(K.mapKernel(op, layoutOf(x)), sizeOf(x.shape), [this.arg('unary', x), x.offset]);
  }

  binary(op: BinaryOp, a: V, b: V, outDtype: DType): S {
    if (a.dtype !== 'float32' || outDtype !== 'float32' || !BINARY_EXPRESSIONS[op]) {
      return this.fallback('binary', outDtype, cpuKernels.binary(op, this.host('binary', a), this.host('binary', b), outDtype));
    }
    const [scalarA, scalarB] = [hostScalar(a), hostScalar(b)];
    if (scalarB !== undefined || scalarA !== undefined) {
      const [tensor, side, value] = scalarB !== undefined ? [a, 'b', scalarB] as const : [b, 'a', scalarA!] as const;
      const spec = K.scalarZipKernel(op, side, layoutOf(tensor));
      return this.launch(spec, sizeOf(a.shape), [this.arg('binary', tensor), tensor.offset, value]);
    }
    const spec = K.zipKernel(op, layoutOf(a), layoutOf(b));
    return this.launch(spec, sizeOf(a.shape), [this.arg('binary', a), a.offset, this.arg('binary', b), b.offset]);
  }

  where(cond: V, a: V, b: V): S {
    if (a.dtype !== 'float32') return this.fallback('where', a.dtype, cpuKernels.where(this.host('where', cond), this.host('where', a), this.host('where', b)));
    const spec = K.whereKernel(layoutOf(cond), layoutOf(a), layoutOf(b));
    return this.launch(spec, sizeOf(a.shape), [this.arg('where', cond), cond.offset, this.arg('where', a), a.offset, this.arg('where', b), b.offset]);
  }

  reduce(op: ReduceOp, x: V, axes: readonly number[]): S {
    const groupSize = sizeOf(axes.map((axis) => x.shape[axis]!));
    if (x.dtype !== 'float32' || groupSize === 0) return this.fallback('reduce', x.dtype, cpuKernels.reduce(op, this.host('reduce', x), axes));
    const outSize = sizeOf(x.shape.filter((_, axis) => !axes.includes(axis)));
    return this.launch(K.reduceKernel(op, layoutOf(x), axes), outSize, [this.arg('reduce', x), x.offset]);
  }

  /**
   * Softmax over the last axis as two kernels (row log-sum-exp, then exp(x − lse)) instead of the
   * composition's five; the engine differentiates it with ops. Other dtypes run the CPU backend's loop on the host.
   */
  softmax(x: V): S {
    const length = x.shape[x.shape.length - 1]!;
    const size = sizeOf(x.shape);
    if (x.dtype !== 'float32' || length === 0 || size === 0) return this.fallback('softmax', x.dtype, cpuKernels.softmax(this.host('softmax', x)));
    const lse = this.launch(K.logSumExpRowsKernel(layoutOf(x)), size / length, [this.arg('softmax', x), x.offset]);
    try {
      return this.launch(K.softmaxKernel(layoutOf(x)), size, [this.arg('softmax', x), x.offset, deviceOf('softmax', this.device, lse)]);
    } finally {
      this.pool.dispose(lse);
    }
  }

  /**
   * The softmax's exact backward y ⊙ (dy − Σ dy ⊙ y) from this backend's own multiply, row-sum and
   * subtract kernels (four launches), for y the softmax output over the last axis.
   */
  softmaxGrad(y: V, dy: V): S {
    const rank = y.shape.length;
    if (y.dtype !== 'float32' || rank === 0 || sizeOf(y.shape) === 0) {
      return this.fallback('softmaxGrad', y.dtype, cpuKernels.softmaxGrad(this.host('softmaxGrad', y), this.host('softmaxGrad', dy)));
    }
    const contiguous = (storage: S, shape: readonly number[]): V => ({ storage, shape, strides: contiguousStrides(shape), offset: 0, dtype: 'float32' });
    const product = this.binary('mul', y, dy, 'float32');
    const rowShape = y.shape.slice(0, -1);
    const rowSums = this.reduce('sum', contiguous(product, y.shape), [rank - 1]);
    // Each row's sum broadcast along the last axis by a zero stride.
    const broadcast: V = { storage: rowSums, shape: y.shape, strides: [...contiguousStrides(rowShape), 0], offset: 0, dtype: 'float32' };
    const centered = this.binary('sub', dy, broadcast, 'float32');
    try {
      return this.binary('mul', y, contiguous(centered, y.shape), 'float32');
    } finally {
      this.pool.dispose(product);
      this.pool.dispose(rowSums);
      this.pool.dispose(centered);
    }
  }

  argReduce(op: ArgReduceOp, x: V, axis: number): S {
    return this.fallback('argReduce', 'int32', cpuKernels.argReduce(op, this.host('argReduce', x), axis));
  }

  matmul(a: V, b: V): S {
    if (a.dtype !== 'float32') return this.fallback('matmul', a.dtype, cpuKernels.matmul(this.host('matmul', a), this.host('matmul', b)));
    const rank = a.shape.length;
    const size = sizeOf(a.shape.slice(0, -1)) * b.shape[rank - 1]!;
    return this.launch(K.matmulKernel(layoutOf(a), layoutOf(b)), size, [this.arg('matmul', a), a.offset, this.arg('matmul', b), b.offset]);
  }

  contiguous(x: V): S {
    if (x.dtype !== 'float32') return this.fallback('contiguous', x.dtype, cpuKernels.contiguous(this.host('contiguous', x)));
    return this.launch(K.copyKernel(layoutOf(x)), sizeOf(x.shape), [this.arg('contiguous', x), x.offset]);
  }

  cast(x: V, dtype: DType): S {
    if (x.dtype === 'float32' && dtype === 'float32') return this.contiguous(x);
    return this.fallback('cast', dtype, cpuKernels.cast(this.host('cast', x), dtype));
  }

  scatterView(size: number, target: Layout, src: V): S {
    const spec = src.dtype === 'float32' ? K.scatterViewKernel(size, target, layoutOf(src)) : null;
    if (!spec) return this.fallback('scatterView', src.dtype, cpuKernels.scatterView(size, target, this.host('scatterView', src)));
    return this.launch(spec, size, [this.arg('scatterView', src), src.offset]);
  }

  concat(xs: readonly V[], axis: number): S {
    const dtype = xs[0]!.dtype;
    if (dtype !== 'float32' || xs.length > MAX_CONCAT_INPUTS) {
      return this.fallback('concat', dtype, cpuKernels.concat(xs.map((x) => this.host('concat', x)), axis));
    }
    const spec = K.concatKernel(xs.map(layoutOf), axis);
    const outSize = sizeOf(xs[0]!.shape.map((d, a) => (a === axis ? xs.reduce((total, x) => total + x.shape[axis]!, 0) : d)));
    return this.launch(spec, outSize, xs.flatMap((x) => [this.arg('concat', x), x.offset]));
  }

  pad(x: V, pads: readonly (readonly [number, number])[], value: number): S {
    if (x.dtype !== 'float32' || !Number.isFinite(value)) return this.fallback('pad', x.dtype, cpuKernels.pad(this.host('pad', x), pads, value));
    const size = sizeOf(x.shape.map((d, axis) => d + pads[axis]![0] + pads[axis]![1]));
    return this.launch(K.padKernel(layoutOf(x), pads), size, [this.arg('pad', x), x.offset, value]);
  }

  gather(x: V, axis: number, index: V): S {
    if (x.dtype !== 'float32') return this.fallback('gather', x.dtype, cpuKernels.gather(this.host('gather', x), axis, this.host('gather', index)));
    this.checkIndices('gather', index, x.shape[axis]!, axis);
    const spec = K.gatherKernel(layoutOf(x), axis, layoutOf(index));
    return this.launch(spec, sizeOf(index.shape), [this.arg('gather', x), x.offset, this.arg('gather', index), index.offset]);
  }

  scatterAdd(x: V, axis: number, index: V, src: V): S {
    if (x.dtype !== 'float32') {
      return this.fallback('scatterAdd', x.dtype, cpuKernels.scatterAdd(this.host('scatterAdd', x), axis, this.host('scatterAdd', index), this.host('scatterAdd', src)));
    }
    this.checkIndices('scatterAdd', index, x.shape[axis]!, axis);
    const indexValues = hostOf('scatterAdd', this.device, index.storage);
    const repeated = repeatedIndexLists(x.shape, axis, index, indexValues);
    const lists = repeated ?? scatterLists(x.shape, axis, index, indexValues, src);
    const starts = this.hostStorage('float32', lists.starts);
    const sources = this.hostStorage('float32', lists.sources.length > 0 ? lists.sources : new Float32Array(1));
    try {
      const [xArg, startsArg, sourcesArg, srcArg] = [this.arg('scatterAdd', x), deviceOf('scatterAdd', this.device, starts), deviceOf('scatterAdd', this.device, sources), this.arg('scatterAdd', src)];
      if (repeated) {
        const spec = K.scatterKeyedListsKernel(layoutOf(x), axis, repeated.keyStrides, lists.maxCount, sources.size, layoutOf(src));
        return this.launch(spec, sizeOf(x.shape), [xArg, x.offset, startsArg, sourcesArg, srcArg, src.offset]);
      }
      const spec = K.scatterListsKernel(layoutOf(x), lists.maxCount, sources.size, layoutOf(src));
      return this.launch(spec, sizeOf(x.shape), [xArg, x.offset, startsArg, sourcesArg, srcArg]);
    } finally {
      this.pool.dispose(starts);
      this.pool.dispose(sources);
    }
  }

  topkIndices(x: V, k: number, largest: boolean): S {
    return this.fallback('topkIndices', 'int32', cpuKernels.topkIndices(this.host('topkIndices', x), k, largest));
  }

  dispose(storage: S): void {
    if (storage instanceof GpuJsStorage) this.pool.dispose(storage);
  }

  /** Index tensors live on the host, so an out-of-range index is caught here, as the CPU backend does. */
  private checkIndices(fn: string, index: V, axisSize: number, axis: number): void {
    const values = hostOf(fn, this.device, checkLive(fn, index.storage));
    const { strides, offset } = index;
    // Each stored index once: the repeats of an expanded index (stride 0) are the same value.
    const shape = index.shape.map((d, a) => (strides[a] === 0 ? 1 : d));
    cpuKernels.forEachRun(shape, [{ strides, offset }], (bases, length, _o, steps) => {
      for (let j = 0, i = bases[0]!; j < length; j++, i += steps[0]!) {
        const position = values[i]!;
        if (!(position >= 0 && position < axisSize)) throw opError(fn, `index ${position} is out of range for axis ${axis} of size ${axisSize}`);
      }
    });
  }
}
