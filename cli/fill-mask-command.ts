// `lsgrad fill-mask DIR TEXT|FILE|-`: the most probable fillings of each [MASK] in a text under a
// masked language model, with their probabilities, as HuggingFace's fill-mask pipeline gives them.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { noGrad, tensor } from '../engine/index.js';
import { formatHelp, parseArgs, UsageError, type FlagSpecs } from './args.js';
import { encodeWithMasks, MASK_LITERAL } from './data/tokenizers.js';
import { softmax } from './evaluate.js';
import { loadMaskedLm, type MaskedLanguageModel } from './masked-lm.js';
import { selectBackend } from './model.js';
import { resolveCheckpoint } from './run-state.js';
import { BACKENDS, GPUJS_MODE_FLAG } from './train-flags.js';

const FILL_MASK_FLAGS = {
  topK: { kind: 'int', default: 5, min: 1, help: 'fillings shown per [MASK]' },
  json: { kind: 'bool', default: false, help: 'print the fillings as JSON: per [MASK], a list of {score, token, token_str, sequence}' },
  backend: { kind: 'choice', choices: BACKENDS, default: 'cpu', help: 'engine backend' },
  gpujsMode: GPUJS_MODE_FLAG,
} as const satisfies FlagSpecs;

const DESCRIPTION = `Prints the --top-k most probable tokens for every [MASK] in the text, with their probabilities and
the text they make. The literal [MASK] is the mask token whatever the tokenizer calls it (for the
byte tokenizer it stands for one byte). The text is the argument itself, or the file it names, or
stdin for "-". DIR is a checkpoint of lsgrad pretrain (or its run directory), or any HuggingFace
ALBERT / LSG-ALBERT masked-LM checkpoint with its tokenizer.json.`;

export interface Filling {
  score: number;
  token: number;
  token_str: string;
  sequence: string;
}

/**
 * The top-k fillings of each mask in `text`, each mask scored with the others left masked.
 * @example fillMask(loadMaskedLm('out/pretrain'), 'Mr. [MASK] said', 3)[0]![0]!.token_str
 */
export function fillMask(model: MaskedLanguageModel, text: string, topK: number): Filling[][] {
  const { tokenizer } = model;
  const ids = encodeWithMasks(tokenizer, text);
  const maxTokens = model.module.config.maxPositionEmbeddings - 2;
  if (ids.length > maxTokens) throw new UsageError(`lsgrad fill-mask: the text is ${ids.length} tokens; expected at most ${maxTokens} (the model's positions minus [CLS] and [SEP])`);
  const positions = Array.from(ids.keys()).filter((index) => ids[index] === tokenizer.special.mask);
  if (positions.length === 0) throw new UsageError(`lsgrad fill-mask: the text has no ${MASK_LITERAL}; expected at least one, e.g. "The capital of France is ${MASK_LITERAL}."`);
  const inputIds = Int32Array.from([tokenizer.special.cls, ...ids, tokenizer.special.sep]);
  const shape = [1, inputIds.length];
  model.module.eval();
  const logits = noGrad(() => model.module.forward({ inputIds: tensor(inputIds, { shape, dtype: 'int32' }), attentionMask: tensor(new Int32Array(inputIds.length).fill(1), { shape, dtype: 'int32' }) }).logits.toTypedArray());
  const vocab = model.module.config.vocabSize;
  return positions.map((position) => {
    const row = position + 1; // after [CLS]
    const probabilities = softmax(logits.subarray(row * vocab, (row + 1) * vocab));
    const ranked = Array.from(probabilities.keys()).sort((a, b) => probabilities[b]! - probabilities[a]! || a - b).slice(0, topK);
    return ranked.map((token) => {
      const filled = Int32Array.from(ids);
      filled[position] = token;
      return { score: probabilities[token]!, token, token_str: tokenizer.tokenText(token), sequence: tokenizer.decode(filled) };
    });
  });
}

function readText(source: string): string {
  if (source === '-') return readFileSync(0, 'utf8');
  if (!source.includes(MASK_LITERAL) && existsSync(source) && statSync(source).isFile()) return readFileSync(source, 'utf8');
  return source;
}

export async function runFillMask(argv: string[]): Promise<void> {
  const parsed = parseArgs('lsgrad fill-mask', FILL_MASK_FLAGS, argv);
  if (parsed.help) {
    process.stdout.write(formatHelp('lsgrad fill-mask DIR "text with [MASK]"|FILE|- [options]', DESCRIPTION, FILL_MASK_FLAGS) + '\n');
    return;
  }
  const [directory, source, ...extra] = parsed.positionals;
  if (directory === undefined || source === undefined || extra.length > 0) {
    throw new UsageError(`lsgrad fill-mask: expected DIR and one text (or a file, or - for stdin), got ${parsed.positionals.length} arguments (see lsgrad fill-mask --help)`);
  }
  const text = readText(source);
  const checkpoint = resolveCheckpoint(directory);
  await selectBackend(parsed.flags.backend, parsed.flags.gpujsMode);
  const fillings = fillMask(loadMaskedLm(checkpoint), text, parsed.flags.topK);
  if (parsed.flags.json) {
    process.stdout.write(JSON.stringify(fillings.length === 1 ? fillings[0] : fillings, null, 2) + '\n');
    return;
  }
  const lines: string[] = [];
  fillings.forEach((candidates, index) => {
    if (fillings.length > 1) lines.push(`${MASK_LITERAL} #${index + 1}:`);
    for (const candidate of candidates) lines.push(`  ${candidate.score.toFixed(4)}  ${JSON.stringify(candidate.token_str).padEnd(14)} ${JSON.stringify(candidate.sequence)}`);
  });
  process.stdout.write(lines.join('\n') + '\n');
}
