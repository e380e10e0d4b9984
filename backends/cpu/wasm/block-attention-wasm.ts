// Runs block-attention.wat: copies the float32 operands into the module's memory, calls the
// forward or backward export, and copies the results out. Where shared memory is there (Node, an
// isolated page), the module's build over a shared memory runs and the helper thread takes half of
// the (batch, head) pairs: each pair's outputs and gradients are its own, so the halves never write
// the same place. Otherwise the module runs over its own memory on this thread. Where WebAssembly
// SIMD is missing, or LSGRAD_WASM=0, or a head dimension is not a multiple of 4, block-attention.ts
// runs its TypeScript loops instead.
import { pairTableStride, type BlockAttentionGradients, type BlockAttentionPlan } from '../../../engine/backend.js';
import type { TypedArray } from '../../../engine/dtype.js';
import { instantiateShared, instantiateStandalone, pickBuild } from './instantiate.js';
import type { NewOutput } from './rows-wasm.js';
import { BLOCK_ATTENTION_WASM_BASE64 } from './block-attention-wasm.generated.js';
import { BLOCK_ATTENTION_SHARED_WASM_BASE64 } from './block-attention-shared-wasm.generated.js';
import { BLOCK_ATTENTION_FMA_WASM_BASE64 } from './block-attention-fma-wasm.generated.js';
import { BLOCK_ATTENTION_SHARED_FMA_WASM_BASE64 } from './block-attention-shared-fma-wasm.generated.js';

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
  /** The bytes of probabilities the forward keeps per query block, for the backward. */
  weightBytesPerBlock: (blockSize: number, width: number) => number;
  forward: (...args: number[]) => void;
  backward: (...args: number[]) => void;
}

const PAGE_BYTES = 65536;
/** Operands past this stay in TypeScript: byte addresses are i32 in the module. */
const MAX_BYTES = 2 ** 31 - PAGE_BYTES;

/** The module's maximum memory in pages (block-attention.wat declares 1 to 65536). */
const MAX_PAGES = 65536;

/** The shared-memory build, which the helper thread can instantiate too; `version` tells the helper a new one. */
interface SharedBuild { module: WebAssembly.Module; version: number }

interface Loaded extends Exports {
  shared: SharedBuild | null;
  /** Whether this is a build with fused multiply-adds (the engine has relaxed SIMD). */
  fused: boolean;
}

let versions = 0;

/** The build over a shared memory where there is one (the helper thread can run it), else over its own. */
function load(): Loaded | null {
  const sharedBuild = pickBuild(BLOCK_ATTENTION_SHARED_WASM_BASE64, BLOCK_ATTENTION_SHARED_FMA_WASM_BASE64);
  const shared = instantiateShared<Omit<Exports, 'memory'>>(sharedBuild, MAX_PAGES);
  if (shared) return { ...shared.exports, memory: shared.memory, shared: { module: shared.module, version: ++versions }, fused: sharedBuild!.fused };
  const ownBuild = pickBuild(BLOCK_ATTENTION_WASM_BASE64, BLOCK_ATTENTION_FMA_WASM_BASE64);
  const own = instantiateStandalone<Exports>(ownBuild);
  return own && { memory: own.memory, scratchBytes: own.scratchBytes, weightBytesPerBlock: own.weightBytesPerBlock, forward: own.forward, backward: own.backward, shared: null, fused: ownBuild!.fused };
}

let loaded: Loaded | null | undefined;
let enabled = true;

function kernel(): Loaded | null {
  if (!enabled) return null;
  if (loaded === undefined) loaded = load();
  return loaded;
}

/**
 * The helper's half of a call: an export of the shared-memory build and its arguments (that half's
 * pairs and scratch). `version` names the module and memory, so the helper instantiates them once.
 */
export interface BlockAttentionHalf {
  kind: 'blockAttention'; version: number; module: WebAssembly.Module; memory: WebAssembly.Memory;
  entry: 'forward' | 'backward'; args: number[];
}

/**
 * The other thread (matmul-pool.ts's helper, handed in by block-attention.ts: this folder imports
 * nothing above it). `split` runs `hereHalf` here while the helper runs its half, recomputing that
 * half here should the helper fail; false, with nothing run, when there is no helper.
 */
export interface HelperThread {
  available(): boolean;
  split(half: BlockAttentionHalf, hereHalf: () => void, helperHalfHere: () => void, onTimeout: () => void): boolean;
}

let helper: HelperThread | null = null;

/** Lets calls split their pairs with this thread. */
export function useHelperThread(thread: HelperThread): void {
  helper = thread;
}

/** A helper that timed out may still write into the memory: later calls load a fresh module. */
const retire = () => { loaded = undefined; };

/** Work (pairs × tokens × width × headDim multiply-adds) below which one thread does it all. */
const SPLIT_THRESHOLD = 1 << 20;

/** Whether the kernel that runs is a build with fused multiply-adds (null: no wasm kernel). */
export function wasmBlockAttentionFused(): boolean | null {
  return kernel()?.fused ?? null;
}

let splitCalls = 0;

/** How many forward or backward calls ran half their pairs on the helper thread (tests check the split happens). */
export function wasmBlockAttentionSplits(): number {
  return splitCalls;
}

/**
 * Runs `entry` over pairs [0, pairs): on two threads when there is a helper and the work pays for
 * the hand-off, each half with its own scratch area; else here. `args(pairStart, pairEnd, scratch)`
 * lays out the export's arguments.
 */
function runPairs(entry: 'forward' | 'backward', pairs: number, work: number, scratches: readonly [number, number], args: (pairStart: number, pairEnd: number, scratch: number) => number[]): void {
  const k = kernel()!;
  const middle = Math.floor(pairs / 2);
  const here = (start: number, end: number) => k[entry](...args(start, end, scratches[0]));
  const split = k.shared !== null && helper !== null && pairs >= 2 && work >= SPLIT_THRESHOLD && helper.split(
    { kind: 'blockAttention', version: k.shared.version, module: k.shared.module, memory: k.memory, entry, args: args(0, middle, scratches[1]) },
    () => here(middle, pairs), () => here(0, middle), retire,
  );
  if (split) splitCalls++;
  else here(0, pairs);
}

/** Whether calls now split their pairs with the helper thread (so they need a second scratch area). */
function splits(): boolean {
  return kernel()?.shared != null && helper !== null && helper.available();
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

/** The multiply-adds of one pass over every query row's block, for the split's threshold. */
const work = (ops: BlockAttentionOperands, plan: BlockAttentionPlan) => ops.pairs * ops.tokens * plan.width * ops.headDim;

const planArgs = (ops: BlockAttentionOperands, plan: BlockAttentionPlan, pairStart: number, pairEnd: number) =>
  [pairStart, pairEnd, pairTableStride(plan) * 4, ops.tokens, ops.bankRows, ops.headDim, plan.numBlocks, plan.blockSize, plan.width, plan.isCausal ? 1 : 0, plan.scale, plan.maskValue];

/** Weights this kernel's forward kept: only its backward reads them (their layout is the kernel's). */
const keptHere = new WeakSet<Float32Array>();

/** The floats of probabilities the forward keeps for the backward (0 without the kernel). */
function weightFloats(ops: BlockAttentionOperands, plan: BlockAttentionPlan): number {
  return wasmBlockAttentionAvailable(ops.headDim) ? (ops.pairs * plan.numBlocks * kernel()!.weightBytesPerBlock(plan.blockSize, plan.width)) / 4 : 0;
}

/**
 * The forward in wasm, or null when the kernel does not take these operands. With `keepWeights`
 * it also returns the softmax weights in the kernel's own layout, for wasmBlockAttentionBackward.
 */
export function wasmBlockAttentionForward(ops: BlockAttentionOperands, plan: BlockAttentionPlan, newOutput: NewOutput, keepWeights: boolean): { out: Float32Array; weights: Float32Array | null } | null {
  const s = sizes(ops, plan);
  const scratch = scratchFloats(ops, plan);
  const kept = keepWeights ? weightFloats(ops, plan) : 0;
  const { offsets, bytes } = layout([s.tokenFloats, s.bankFloats, s.bankFloats, s.maskFloats, s.rowFloats, s.tokenFloats, kept, scratch, splits() ? scratch : 0]);
  if (!wasmBlockAttentionReady(ops, bytes / 4)) return null;
  const { memory } = kernel()!;
  reserve(memory, bytes);
  const [q, keys, values, mask, rows, out, weights, scratch0, scratch1] = offsets as [number, number, number, number, number, number, number, number, number];
  put(memory, q, ops.q as never, s.tokenFloats);
  put(memory, keys, ops.keys as never, s.bankFloats);
  put(memory, values, ops.values as never, s.bankFloats);
  new Float32Array(memory.buffer, mask, s.maskFloats).set(ops.mask);
  new Int32Array(memory.buffer, rows, s.rowFloats).set(plan.rows);
  runPairs('forward', ops.pairs, work(ops, plan), [scratch0, scratch1], (start, end, at) => [q, keys, values, mask, rows, out, weights, keepWeights ? 1 : 0, at, ...planArgs(ops, plan, start, end)]);
  const keptWeights = keepWeights ? copyOut(memory, weights, kept, newOutput) : null;
  if (keptWeights) keptHere.add(keptWeights);
  return { out: copyOut(memory, out, s.tokenFloats, newOutput), weights: keptWeights };
}

/**
 * The backward in wasm, or null when the kernel does not take these operands. `weights`: what the
 * forward kept for these operands and plan (then the softmax is not recomputed), or null.
 */
export function wasmBlockAttentionBackward(
  ops: BlockAttentionOperands, output: { data: Float32Array; start: number }, gradOut: { data: Float32Array; start: number }, plan: BlockAttentionPlan, newOutput: NewOutput,
  weights: Float32Array | null,
): BlockAttentionGradients<Float32Array> | null {
  const s = sizes(ops, plan);
  const scratch = scratchFloats(ops, plan);
  const kept = weights !== null && keptHere.has(weights) && weights.length === weightFloats(ops, plan) ? weights : null;
  const { offsets, bytes } = layout([
    s.tokenFloats, s.bankFloats, s.bankFloats, s.maskFloats, s.rowFloats, s.tokenFloats, s.tokenFloats,
    s.tokenFloats, s.bankFloats, s.bankFloats, kept?.length ?? 0, scratch, splits() ? scratch : 0,
  ]);
  if (!wasmBlockAttentionReady(ops, bytes / 4)) return null;
  const { memory } = kernel()!;
  reserve(memory, bytes);
  const [q, keys, values, mask, rows, out, dout, dq, dkeys, dvalues, weightsAt, scratch0, scratch1] = offsets as [number, number, number, number, number, number, number, number, number, number, number, number, number];
  put(memory, q, ops.q as never, s.tokenFloats);
  put(memory, keys, ops.keys as never, s.bankFloats);
  put(memory, values, ops.values as never, s.bankFloats);
  new Float32Array(memory.buffer, mask, s.maskFloats).set(ops.mask);
  new Int32Array(memory.buffer, rows, s.rowFloats).set(plan.rows);
  put(memory, out, output, s.tokenFloats);
  put(memory, dout, gradOut, s.tokenFloats);
  if (kept) new Float32Array(memory.buffer, weightsAt, kept.length).set(kept);
  // dq is stored whole; dkeys and dvalues are sums over the blocks that read each bank row.
  new Uint8Array(memory.buffer, dkeys, weightsAt - dkeys).fill(0);
  runPairs('backward', ops.pairs, work(ops, plan), [scratch0, scratch1], (start, end, at) => [q, keys, values, mask, rows, out, dout, dq, dkeys, dvalues, weightsAt, kept ? 1 : 0, at, ...planArgs(ops, plan, start, end)]);
  return {
    dq: copyOut(memory, dq, s.tokenFloats, newOutput),
    dkeys: copyOut(memory, dkeys, s.bankFloats, newOutput),
    dvalues: copyOut(memory, dvalues, s.bankFloats, newOutput),
  };
}
