// Runs block-attention.wat: copies the float32 operands into the module's own memory, calls the
// forward or backward export, and copies the results out. Where WebAssembly SIMD is missing, or
// LSGRAD_WASM=0, or a head dimension is not a multiple of 4, block-attention.ts runs its
// TypeScript loops instead.
import { pairTableStride, type BlockAttentionGradients, type BlockAttentionPlan } from '../../../engine/backend.js';
import type { TypedArray } from '../../../engine/dtype.js';
import { instantiateStandalone } from './instantiate.js';
import type { NewOutput } from './rows-wasm.js';
import { BLOCK_ATTENTION_WASM_BASE64 } from './block-attention-wasm.generated.js';

/** The operands as row-major arrays with their start offsets, and the sizes. */
export interface BlockAttentionOperands {
  readonly q: { data: TypedArray; start: number };
  readonly keys: { data: TypedArray; start: number };
  readonly values: { data: TypedArray; start: number };
  /** (B, H, R) contiguous. */
  readonly mask: TypedArray;
  /** batch × heads */
  readonly pairs: number;
  readonly tokens: number;
  readonly bankRows: number;
  readonly headDim: number;
}

interface Exports {
  memory: WebAssembly.Memory;
  /** The bytes of scratch the kernels need for this block width and head dimension. */
  scratchBytes: (width: number, headDim: number) => number;
  forward: (...args: number[]) => void;
  backward: (...args: number[]) => void;
}

const PAGE_BYTES = 65536;
/** Operands past this stay in TypeScript: byte addresses are i32 in the module. */
const MAX_BYTES = 2 ** 31 - PAGE_BYTES;

const load = (): Exports | null => instantiateStandalone<Exports>(BLOCK_ATTENTION_WASM_BASE64);

let loaded: Exports | null | undefined;
let enabled = true;

function kernel(): Exports | null {
  if (!enabled) return null;
  if (loaded === undefined) loaded = load();
  return loaded;
}

/**
 * Switches the block-attention kernel off or back on, so that tests and benchmarks can compare
 * the TypeScript fallback and the composition in one process (LSGRAD_WASM=0 does it for a run).
 * @example setWasmBlockAttentionEnabled(false); lsgSelfAttention(q, k, v, config); setWasmBlockAttentionEnabled(true);
 */
export function setWasmBlockAttentionEnabled(on: boolean): void {
  enabled = on;
}

/** Whether float32 operands of this head dimension run here (short of the size limit) rather than in TypeScript. */
export function wasmBlockAttentionAvailable(headDim: number): boolean {
  return headDim % 4 === 0 && kernel() !== null;
}

/** Byte offsets of consecutive arrays of these float counts, 16-byte aligned, and the total. */
function layout(counts: readonly number[]): { offsets: number[]; bytes: number } {
  const offsets: number[] = [];
  let at = 0;
  for (const count of counts) {
    offsets.push(at);
    at += Math.ceil((count * 4) / 16) * 16;
  }
  return { offsets, bytes: at };
}

function reserve(memory: WebAssembly.Memory, bytes: number): void {
  const pages = Math.ceil(bytes / PAGE_BYTES) - memory.buffer.byteLength / PAGE_BYTES;
  if (pages > 0) memory.grow(pages);
}

/** Whether the wasm kernel takes these operands (float32, head dimension a multiple of 4, size). */
export function wasmBlockAttentionReady(ops: BlockAttentionOperands, floats: number): boolean {
  return ops.q.data instanceof Float32Array && floats * 4 < MAX_BYTES && wasmBlockAttentionAvailable(ops.headDim);
}

function sizes(ops: BlockAttentionOperands, plan: BlockAttentionPlan) {
  const tokenFloats = ops.pairs * ops.tokens * ops.headDim;
  const bankFloats = ops.pairs * ops.bankRows * ops.headDim;
  return { tokenFloats, bankFloats, maskFloats: ops.pairs * ops.bankRows, rowFloats: plan.rows.length };
}

/** The scratch area's size in floats (0 without the kernel: then nothing is laid out). */
function scratchFloats(ops: BlockAttentionOperands, plan: BlockAttentionPlan): number {
  return wasmBlockAttentionAvailable(ops.headDim) ? kernel()!.scratchBytes(plan.width, ops.headDim) / 4 : 0;
}

function put(memory: WebAssembly.Memory, at: number, source: { data: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }; start: number }, count: number): void {
  new Float32Array(memory.buffer, at, count).set(source.data.subarray(source.start, source.start + count));
}

/** `count` floats of the module's memory from byte `at`, in a new output array. */
function copyOut(memory: WebAssembly.Memory, at: number, count: number, newOutput: NewOutput): Float32Array {
  const out = newOutput(count);
  out.set(new Float32Array(memory.buffer, at, count));
  return out;
}

const planArgs = (ops: BlockAttentionOperands, plan: BlockAttentionPlan) =>
  [0, ops.pairs, pairTableStride(plan) * 4, ops.tokens, ops.bankRows, ops.headDim, plan.numBlocks, plan.blockSize, plan.width, plan.isCausal ? 1 : 0, plan.scale, plan.maskValue];

/** The forward in wasm, or null when the kernel does not take these operands. */
export function wasmBlockAttentionForward(ops: BlockAttentionOperands, plan: BlockAttentionPlan, newOutput: NewOutput): Float32Array | null {
  const s = sizes(ops, plan);
  const { offsets, bytes } = layout([s.tokenFloats, s.bankFloats, s.bankFloats, s.maskFloats, s.rowFloats, s.tokenFloats, scratchFloats(ops, plan)]);
  if (!wasmBlockAttentionReady(ops, bytes / 4)) return null;
  const { memory, forward } = kernel()!;
  reserve(memory, bytes);
  const [q, keys, values, mask, rows, out, scratch] = offsets as [number, number, number, number, number, number, number];
  put(memory, q, ops.q as never, s.tokenFloats);
  put(memory, keys, ops.keys as never, s.bankFloats);
  put(memory, values, ops.values as never, s.bankFloats);
  new Float32Array(memory.buffer, mask, s.maskFloats).set(ops.mask);
  new Int32Array(memory.buffer, rows, s.rowFloats).set(plan.rows);
  forward(q, keys, values, mask, rows, out, scratch, ...planArgs(ops, plan));
  return copyOut(memory, out, s.tokenFloats, newOutput);
}

/** The backward in wasm, or null when the kernel does not take these operands. */
export function wasmBlockAttentionBackward(
  ops: BlockAttentionOperands, output: { data: Float32Array; start: number }, gradOut: { data: Float32Array; start: number }, plan: BlockAttentionPlan, newOutput: NewOutput,
): BlockAttentionGradients<Float32Array> | null {
  const s = sizes(ops, plan);
  const { offsets, bytes } = layout([
    s.tokenFloats, s.bankFloats, s.bankFloats, s.maskFloats, s.rowFloats, s.tokenFloats, s.tokenFloats,
    s.tokenFloats, s.bankFloats, s.bankFloats, scratchFloats(ops, plan),
  ]);
  if (!wasmBlockAttentionReady(ops, bytes / 4)) return null;
  const { memory, backward } = kernel()!;
  reserve(memory, bytes);
  const [q, keys, values, mask, rows, out, dout, dq, dkeys, dvalues, scratch] = offsets as number[] as [number, number, number, number, number, number, number, number, number, number, number];
  put(memory, q, ops.q as never, s.tokenFloats);
  put(memory, keys, ops.keys as never, s.bankFloats);
  put(memory, values, ops.values as never, s.bankFloats);
  new Float32Array(memory.buffer, mask, s.maskFloats).set(ops.mask);
  new Int32Array(memory.buffer, rows, s.rowFloats).set(plan.rows);
  put(memory, out, output, s.tokenFloats);
  put(memory, dout, gradOut, s.tokenFloats);
  // dq is stored whole; dkeys and dvalues are sums over the blocks that read each bank row.
  new Uint8Array(memory.buffer, dkeys, scratch - dkeys).fill(0);
  backward(q, keys, values, mask, rows, out, dout, dq, dkeys, dvalues, scratch, ...planArgs(ops, plan));
  return {
    dq: copyOut(memory, dq, s.tokenFloats, newOutput),
    dkeys: copyOut(memory, dkeys, s.bankFloats, newOutput),
    dvalues: copyOut(memory, dvalues, s.bankFloats, newOutput),
  };
}
