// `lsgrad convert <in-dir> <out-dir> [options]`: an ALBERT, BERT, RoBERTa, XLM-RoBERTa or CamemBERT checkpoint → its LSG version.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, formatHelp, UsageError, type FlagSpecs } from './args.js';
import { writeJsonAtomic } from './atomic.js';
import { readJsonObject } from './json-file.js';
import { LSGRAD_MODEL_FILE } from './model.js';
import { convertToLsg, CONVERT_DEFAULTS, CONVERTIBLE_MODEL_TYPES, type ConversionReport } from '../lsg/convert.js';
import { LSG_ALBERT_DEFAULTS } from '../lsg/albert.js';
import { SPARSITY_TYPES } from '../lsg/config.js';

const FLAGS = {
  maxSequenceLength: { kind: 'int', default: CONVERT_DEFAULTS.maxSequenceLength, min: 1, help: 'the longest input the model accepts (the position table gets this many rows, +2 offset rows for the RoBERTa family)' },
  blockSize: { kind: 'int', default: LSG_ALBERT_DEFAULTS.blockSize, min: 1, help: 'tokens per local attention block' },
  sparseBlockSize: { kind: 'int', default: LSG_ALBERT_DEFAULTS.sparseBlockSize, min: 0, help: 'sparse tokens on each side of the local window (0: none)' },
  sparsityFactor: { kind: 'int', default: LSG_ALBERT_DEFAULTS.sparsityFactor, min: 1, help: 'original tokens per sparse token' },
  sparsityType: { kind: 'choice', choices: SPARSITY_TYPES, default: 'norm', help: 'how sparse tokens are chosen' },
  numGlobalTokens: { kind: 'int', default: LSG_ALBERT_DEFAULTS.numGlobalTokens, min: 1, max: 512, help: 'learned global tokens prepended to every input' },
  maskFirstToken: { kind: 'bool', default: LSG_ALBERT_DEFAULTS.maskFirstToken, help: 'mask the first real token ([CLS]) as a key' },
  poolWithGlobal: { kind: 'bool', default: LSG_ALBERT_DEFAULTS.poolWithGlobal, help: 'take the [CLS] output from global token 0 (--no-pool-with-global to turn off)' },
  adaptive: { kind: 'bool', default: LSG_ALBERT_DEFAULTS.adaptive, help: 'pad inputs to a multiple of the block size (--no-adaptive: error instead)' },
  lshNumPreRounds: { kind: 'int', default: LSG_ALBERT_DEFAULTS.lshNumPreRounds, min: 0, help: 'LSH rounds before the final bucketing (sparsity type lsh)' },
  globalPositionalStride: { kind: 'int', default: CONVERT_DEFAULTS.globalPositionalStride, min: 1, help: 'stride spreading the original positions over the global tokens' },
  useTokenIds: { kind: 'bool', default: CONVERT_DEFAULTS.useTokenIds, help: 'add the token-type-0 embedding to the global tokens (ALBERT, BERT; the RoBERTa family never does)' },
  architecture: { kind: 'string', help: 'target class, e.g. RobertaForSequenceClassification (default: from config.json); new heads are initialised, weights the class lacks dropped', placeholder: 'NAME' },
  bosTokenId: { kind: 'int', default: -1, min: -1, help: 'word id added to global token 0 (-1: the tokenizer files\' bos or [CLS], else the family default)' },
  maskTokenId: { kind: 'int', default: -1, min: -1, help: 'word id added to the other global tokens (-1: the tokenizer files\' mask token, else the family default)' },
  referenceQuirks: { kind: 'bool', default: true, help: 'compute what the reference PyTorch code computes (--no-reference-quirks: lsgrad\'s corrections, which PyTorch refuses to load where they matter)' },
} satisfies FlagSpecs;

const USAGE = 'lsgrad convert <in-dir> <out-dir> [options]';
const DESCRIPTION = [
  `Converts a HuggingFace checkpoint (config.json + model.safetensors; model_type ${CONVERTIBLE_MODEL_TYPES.join(', ')})`,
  'to its LSG version, as the reference converter (ccdv-ai/convert_checkpoint_to_lsg) does: position',
  'embeddings tiled to --max-sequence-length, global embeddings initialised from the positions and the',
  'bos/[CLS] and mask tokens, every other weight of the target class copied. The output loads here and',
  'in the reference PyTorch code.',
  '',
  'An LSG checkpoint keeps its own LSG settings (block sizes, sparsity, global tokens…) and its trained',
  'global tokens; only the LSG flags given on the command line replace them. A checkpoint of',
  `lsgrad train keeps its ${LSGRAD_MODEL_FILE}, so lsgrad eval and predict read the output.`,
  '',
  'Example: lsgrad convert albert-base-v2 lsg-albert-4096 --max-sequence-length 4096 --sparsity-type norm --block-size 128',
].join('\n');

/** Runs `lsgrad convert`; prints --help, or converts and prints a one-line summary. */
export async function runConvert(argv: string[]): Promise<void> {
  const { flags, positionals, help, given } = parseArgs('lsgrad convert', FLAGS, argv);
  if (help) {
    process.stdout.write(`${formatHelp(USAGE, DESCRIPTION, FLAGS)}\n`);
    return;
  }
  if (positionals.length !== 2) {
    throw new UsageError(`lsgrad convert: expected <in-dir> <out-dir>, got ${positionals.length} argument(s) (see lsgrad convert --help)`);
  }
  const [inDir, outDir] = positionals as [string, string];
  const { bosTokenId, maskTokenId, architecture, ...rest } = flags;
  // LSG settings not written on the command line stay undefined, so an LSG checkpoint keeps its own
  // and a dense one gets the LSG defaults.
  const options: Record<string, unknown> = { ...rest };
  for (const key of [...Object.keys(LSG_ALBERT_DEFAULTS), 'referenceQuirks']) if (!given.has(key)) delete options[key];
  const started = Date.now();
  const report = convertToLsg(inDir, outDir, {
    ...options,
    architecture,
    bosTokenId: bosTokenId >= 0 ? bosTokenId : undefined,
    maskTokenId: maskTokenId >= 0 ? maskTokenId : undefined,
  });
  const lsgradModel = report.family === 'albert' && carryLsgradModel(inDir, outDir, report.config);
  process.stdout.write(`${summaryOf(inDir, outDir, report, lsgradModel)} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

/** The lines `lsgrad convert` prints: what was written, which ids seeded the globals, what changed. */
export function summaryOf(inDir: string, outDir: string, report: ConversionReport, lsgradModel: boolean): string {
  const { config } = report;
  const lines = [
    `converted ${inDir} → ${outDir}: ${report.architecture}, max length ${config.maxPositionEmbeddings}, ` +
    `block ${config.blockSize}, sparse block ${config.sparseBlockSize}, sparsity ${config.sparsityType} ×${config.sparsityFactor}, ` +
    `${config.numGlobalTokens} global token(s)` +
    `${lsgradModel ? `, ${LSGRAD_MODEL_FILE} updated (eval and predict read ${config.maxPositionEmbeddings} tokens)` : ''}, reference_quirks ${config.referenceQuirks}`,
    `  global tokens from word ids ${report.tokenIds.bos} (token 0) and ${report.tokenIds.mask} (the others): ${report.tokenIds.source}`,
  ];
  if (report.initialised.length > 0) lines.push(`  initialised (not in the source): ${report.initialised.join(', ')}`);
  if (report.dropped.length > 0) lines.push(`  dropped (no place in ${report.architecture}): ${report.dropped.join(', ')}`);
  for (const note of report.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}

/**
 * A checkpoint of `lsgrad train` also holds lsgrad_model.json (attention kind, LSG settings, input
 * length); the converted one gets it too, describing the converted model, so eval and predict load it.
 */
function carryLsgradModel(inDir: string, outDir: string, config: ConversionReport['config']): boolean {
  const source = join(inDir, LSGRAD_MODEL_FILE);
  if (!existsSync(source)) return false;
  const meta = readJsonObject(source, 'lsgrad convert', 'the model settings lsgrad train writes');
  writeJsonAtomic(join(outDir, LSGRAD_MODEL_FILE), {
    ...meta,
    attention: 'lsg',
    sparsityType: config.sparsityType ?? 'none',
    blockSize: config.blockSize,
    sparseBlockSize: config.sparseBlockSize,
    sparsityFactor: config.sparsityFactor,
    numGlobalTokens: config.numGlobalTokens,
    // The new position table is what the conversion was for: eval and predict read that many tokens.
    seqLen: config.maxPositionEmbeddings,
  });
  return true;
}
