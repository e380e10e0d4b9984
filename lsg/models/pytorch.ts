// What makes a checkpoint lsgrad writes compute the same in PyTorch: the reference's `auto_map`
// (its modeling file, which lsgrad does not ship, loads the folder), the record of lsgrad's mode
// (`reference_quirks`), and when PyTorch would compute otherwise (then config.json carries a
// `problem_type` transformers refuses: nn's `refusalMarker`).
import { normalSlots, referenceSlots } from '../slots.js';
import type { LsgConfig } from '../config.js';

/**
 * A published LSG model repository holding each family's modeling file, to put beside a checkpoint
 * for `AutoModel.from_pretrained(dir, trust_remote_code=True)` (docs/lsg.md). NOTE: `auto_map`
 * cannot name them in the `repo--module.Class` form: the reference's config class rewrites
 * `auto_map` to bare module names when it loads, so the model class is looked up in the folder.
 */
export const LSG_CODE_REPOSITORIES = {
  albert: 'ccdv/lsg-albert-base-v2-4096',
  bert: 'ccdv/lsg-bert-base-uncased-4096',
  roberta: 'ccdv/lsg-base-4096',
  'xlm-roberta': 'ccdv/lsg-xlm-roberta-base-4096',
  camembert: 'ccdv/lsg-camembert-base-4096',
} as const;
export type LsgFamily = keyof typeof LSG_CODE_REPOSITORIES;

/**
 * The `auto_map` of an LSG family, as the reference writes it: each Auto class → `modeling_lsg_<family>.LSG<Stem><Head>`.
 * @example lsgAutoMap('roberta', 'Roberta', ['Model', 'ForMaskedLM']).AutoModel // 'modeling_lsg_roberta.LSGRobertaModel'
 */
export function lsgAutoMap(family: LsgFamily, classStem: string, heads: readonly string[], causalClass?: string): Record<string, string> {
  const module = `modeling_lsg_${family.replace('-', '_')}`;
  const map: Record<string, string> = { AutoConfig: `${module}.LSG${classStem}Config` };
  for (const head of heads) map[head === 'Model' ? 'AutoModel' : `AutoModel${head}`] = `${module}.LSG${classStem}${head}`;
  // The reference lists its causal-LM class too; lsgrad has none, but PyTorch may load one.
  if (causalClass !== undefined) map.AutoModelForCausalLM = `${module}.${causalClass}`;
  return map;
}

/** config.json's name for `referenceQuirks`. */
export const REFERENCE_QUIRKS_KEY = 'reference_quirks';

/**
 * A config.json object with `reference_quirks: true` when it has no record: such a checkpoint was
 * made by the reference (or by lsgrad before it recorded its mode), so lsgrad computes what PyTorch does.
 */
export function withReferenceDefault<T extends Record<string, unknown>>(json: T): T {
  // Not an object: left for the config parser, which names what config.json should hold.
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return json;
  return REFERENCE_QUIRKS_KEY in json ? json : { ...json, [REFERENCE_QUIRKS_KEY]: true };
}

/**
 * Why the reference computes something else than lsgrad's corrected mode (`referenceQuirks: false`)
 * for this configuration, or null when the two modes agree on every input.
 * @example whereReferenceDiffers(createLsgConfig({ sparsityType: 'bos_pooling' })) // 'bos_pooling: …'
 */
export function whereReferenceDiffers(lsg: LsgConfig): string | null {
  if (lsg.referenceQuirks) return null;
  if (lsg.sparsityType === 'bos_pooling') return 'bos_pooling: the reference attends groups made only of padding';
  if (lsg.sparsityType === 'lsh' && lsg.sparsityFactor === lsg.sparseBlockSize && lsg.sparsityFactor > 1) {
    return 'lsh with sparsity_factor == sparse_block_size: the reference runs bos_pooling';
  }
  if (lsg.sparsityType !== 'none' && lsg.sparseBlockSize > 0) {
    const geometry = { blockSize: lsg.blockSize, sparsityFactor: lsg.sparsityFactor, slotsPerSide: lsg.sparseBlockSize, isCausal: lsg.isCausal };
    const ours = normalSlots(geometry);
    let theirs: ReturnType<typeof referenceSlots> | null;
    try {
      theirs = referenceSlots('model', geometry);
    } catch {
      theirs = null;
    }
    if (theirs === null || ours.left.join() !== theirs.left.join() || ours.right.join() !== theirs.right.join()) {
      return `block_size ${lsg.blockSize}, sparse_block_size ${lsg.sparseBlockSize}, sparsity_factor ${lsg.sparsityFactor}: the reference takes other sparse keys`;
    }
  }
  return null;
}

