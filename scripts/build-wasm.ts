// Assembles the WebAssembly kernels of backends/cpu/wasm (*.wat) into their *.generated.ts (the
// module's bytes as base64), so that users and CI need no build step. Run after editing a .wat:
// npm run build:wasm. The kernels' tests reassemble each .wat and fail when the committed bytes
// are stale. wabt (the reference WAT assembler) is a devDependency of this build tool only:
// nothing under backends/ loads it, so the backend's bundles stay free of it.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import loadWabt from 'wabt';

const here = (name: string) => fileURLToPath(new URL(`../backends/cpu/wasm/${name}`, import.meta.url));

export interface WasmModuleSource {
  readonly wat: string;
  readonly generated: string;
  /** The exported base64 constant of the generated file. */
  readonly constant: string;
  readonly description: string;
  /** Assembled with its memory imported and shared instead of its own, so that the helper thread can run it too. */
  readonly sharedMemory?: boolean;
  /** Assembled with every multiply-then-add of a local accumulator fused (relaxed SIMD's f32x4.relaxed_madd). */
  readonly fusedMultiplyAdd?: boolean;
}

/** How a .wat that can run on both threads declares its own memory, and what replaces it then. */
const OWN_MEMORY = '(memory (export "memory") 1 65536)';
const SHARED_MEMORY = '(import "env" "memory" (memory 1 65536 shared))';
/** acc + x·y on locals, as the kernels write their multiply-adds; the fused build turns each into one instruction. */
const MULTIPLY_ADD = /\(f32x4\.add \(local\.get (\$\w+)\) \(f32x4\.mul \(local\.get (\$\w+)\) \(local\.get (\$\w+)\)\)\)/g;

const MATMUL: WasmModuleSource = { wat: 'matmul.wat', generated: 'matmul-wasm.generated.ts', constant: 'MATMUL_WASM_BASE64', description: 'The float32 matmul kernel' };
const BLOCK_ATTENTION: WasmModuleSource = {
  wat: 'block-attention.wat', generated: 'block-attention-wasm.generated.ts', constant: 'BLOCK_ATTENTION_WASM_BASE64',
  description: 'The float32 fused block-sparse attention kernel (forward and backward)',
};

/** Another build of a module's .wat, its file and constant named after what it changes. */
function variant(base: WasmModuleSource, change: { sharedMemory?: true; fusedMultiplyAdd?: true }): WasmModuleSource {
  const tags = [change.sharedMemory ? 'shared' : null, change.fusedMultiplyAdd ? 'fma' : null].filter((tag) => tag !== null);
  return {
    ...base, ...change,
    generated: base.generated.replace('-wasm.generated.ts', `-${tags.join('-')}-wasm.generated.ts`),
    constant: base.constant.replace('_WASM_BASE64', `_${tags.join('_').toUpperCase()}_WASM_BASE64`),
    description: base.description + (change.sharedMemory ? ', over an imported shared memory (both threads)' : '')
      + (change.fusedMultiplyAdd ? ', with fused multiply-adds (relaxed SIMD)' : ''),
  };
}

export const WASM_MODULES = {
  matmul: MATMUL,
  matmulFused: variant(MATMUL, { fusedMultiplyAdd: true }),
  blockAttention: BLOCK_ATTENTION,
  blockAttentionShared: variant(BLOCK_ATTENTION, { sharedMemory: true }),
  blockAttentionFused: variant(BLOCK_ATTENTION, { fusedMultiplyAdd: true }),
  blockAttentionSharedFused: variant(BLOCK_ATTENTION, { sharedMemory: true, fusedMultiplyAdd: true }),
  rows: {
    wat: 'rows.wat', generated: 'rows-wasm.generated.ts', constant: 'ROWS_WASM_BASE64',
    description: 'The float32 softmax, layer-norm and gelu_new kernels (forward and backward)',
  },
} as const satisfies Record<string, WasmModuleSource>;

/** The binary module of a .wat, with SIMD and shared memory (threads) enabled. */
export async function assemble(source: WasmModuleSource): Promise<Uint8Array> {
  const wabt = await loadWabt();
  const features = { simd: true, threads: true, relaxed_simd: source.fusedMultiplyAdd === true } as const;
  let text = readFileSync(here(source.wat), 'utf8');
  if (source.sharedMemory) {
    if (!text.includes(OWN_MEMORY)) throw new Error(`scripts/build-wasm.ts: ${source.wat} does not declare ${OWN_MEMORY}, which its shared-memory build replaces`);
    text = text.replace(OWN_MEMORY, SHARED_MEMORY);
  }
  if (source.fusedMultiplyAdd) {
    const plain = text;
    text = text.replace(MULTIPLY_ADD, '(f32x4.relaxed_madd (local.get $2) (local.get $3) (local.get $1))');
    if (text === plain) throw new Error(`scripts/build-wasm.ts: ${source.wat} has no (f32x4.add (local.get $acc) (f32x4.mul (local.get $x) (local.get $y))) for its fused build to fuse`);
  }
  // Bytes, not the string: wabt counts a string's length in UTF-16 units, and the comments hold non-ASCII.
  const parsed = wabt.parseWat(source.wat, new TextEncoder().encode(text), features);
  try {
    // NOTE: wabt's typings declare validate() without arguments, but without the features it
    // rejects the shared memory.
    (parsed.validate as (features: object) => void)(features);
    return parsed.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    parsed.destroy();
  }
}

/** The binary module of matmul.wat. */
export const assembleMatmul = (): Promise<Uint8Array> => assemble(WASM_MODULES.matmul);

/** The text of the generated module for these bytes. */
export function generatedSource(bytes: Uint8Array, source: WasmModuleSource = WASM_MODULES.matmul): string {
  const base64 = Buffer.from(bytes).toString('base64');
  const lines = base64.match(/.{1,100}/g) ?? [];
  return [
    `// Generated by scripts/build-wasm.ts from ${source.wat} (npm run build:wasm). Do not edit.`,
    `// ${source.description} as a WebAssembly binary, base64-encoded so that it bundles as plain TS.`,
    `export const ${source.constant} =`,
    ...lines.map((line, i) => `  '${line}'${i === lines.length - 1 ? ';' : ' +'}`),
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const source of Object.values(WASM_MODULES)) {
    const bytes = await assemble(source);
    writeFileSync(here(source.generated), generatedSource(bytes, source));
    console.log(`wrote ${here(source.generated)} (${bytes.length} bytes of wasm)`);
  }
}
