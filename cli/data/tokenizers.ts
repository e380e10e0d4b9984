// The tokenizers of the CLI: bytes (every UTF-8 byte a token; no vocabulary, no unknown input) or a
// HuggingFace tokenizer.json (WordPiece, BPE or Unigram, with its normalizer, pre-tokenizer and
// special tokens), read by @huggingface/tokenizers. Either one is saved beside every checkpoint as
// tokenizer.json, tokenizer_config.json and special_tokens_map.json, so eval, predict, fill-mask and
// a PyTorch user get the same ids. This file reads and writes those files; what a tokenizer is and
// how tokenizer.json contents become one lives in text-tokenizer.ts, which a browser can import.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { writeJsonAtomic } from '../atomic.js';
import { dataError } from './readers.js';
import { WORDS_TOKENIZER, wordPieceTokenizerJson, wordPieceVocabulary } from './word-vocabulary.js';
import { BYTE_TOKENIZER, tokenizerFromJsonWith, type TextTokenizer, type TokenizerClass, type TokenizerFiles } from './text-tokenizer.js';

export {
  BYTE_TOKENIZER, MASK_LITERAL, byteTokenizerJson, encodeForModel, encodeWithMasks, layout,
  type SpecialIds, type TextTokenizer, type TokenizerFiles,
} from './text-tokenizer.js';

const TOKENIZERS_PACKAGE = '@huggingface/tokenizers';

/** The tokenizers library is an optional peer dependency of lsgrad, loaded only for --tokenizer PATH. */
function tokenizersLibrary(path: string): TokenizerClass {
  try {
    return (createRequire(import.meta.url)(TOKENIZERS_PACKAGE) as { Tokenizer: TokenizerClass }).Tokenizer;
  } catch (error) {
    throw dataError(path, `reading tokenizer.json needs the ${TOKENIZERS_PACKAGE} package (an optional peer dependency of lsgrad): npm install ${TOKENIZERS_PACKAGE}; ${(error as Error).message}`);
  }
}

function readJsonFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw dataError(path, `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); expected a HuggingFace tokenizer.json`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw dataError(path, `not valid JSON (${(error as Error).message}); expected a HuggingFace tokenizer.json`);
  }
}

/**
 * A HuggingFace tokenizer.json (and the tokenizer_config.json beside it, if any, which names the
 * special tokens). Its [CLS], [SEP], [PAD], [MASK] and [UNK] (or <s>, </s>, <pad>, <mask>, <unk>)
 * must be in its vocabulary.
 * @example loadTokenizerJson('bert-base-uncased/tokenizer.json').encode('Hello world')
 */
export function loadTokenizerJson(path: string): TextTokenizer {
  const configPath = join(dirname(path), 'tokenizer_config.json');
  return tokenizerFromJson(readJsonFile(path), existsSync(configPath) ? readJsonFile(configPath) : {}, path);
}

/**
 * A tokenizer from the contents of tokenizer.json and tokenizer_config.json ({} when there is none);
 * `source` names where they came from in errors.
 */
export function tokenizerFromJson(json: Record<string, unknown>, config: Record<string, unknown>, source: string): TextTokenizer {
  return tokenizerFromJsonWith(() => tokenizersLibrary(source), json, config, source);
}

/**
 * The tokenizer of a file choice: `bytes`, or a tokenizer.json file (or a folder holding one).
 * `words` is refused here: its vocabulary comes from a run's training documents (tokenizerForTraining).
 * @example loadTokenizer('bytes').vocabSize  // 261
 */
export function loadTokenizer(choice: string): TextTokenizer {
  if (choice === 'bytes') return BYTE_TOKENIZER;
  if (choice === WORDS_TOKENIZER) {
    throw new Error(`--tokenizer ${WORDS_TOKENIZER} builds its vocabulary from a run's training documents, so only train and pretrain take it; expected bytes or a tokenizer.json here`);
  }
  const path = existsSync(join(choice, 'tokenizer.json')) ? join(choice, 'tokenizer.json') : choice;
  return loadTokenizerJson(path);
}

/**
 * The tokenizer of a training run's --tokenizer: `words` builds a WordPiece vocabulary of
 * `vocabSize` tokens from `trainingTexts` (read only then); `bytes` or a path loads as loadTokenizer.
 * @example tokenizerForTraining('words', 8000, () => train.map((example) => example.text)).description  // 'WordPiece tokenizer (8,000 tokens)'
 */
export function tokenizerForTraining(choice: string, vocabSize: number, trainingTexts: () => Iterable<string>): TextTokenizer {
  if (choice !== WORDS_TOKENIZER) return loadTokenizer(choice);
  const json = wordPieceTokenizerJson(wordPieceVocabulary(trainingTexts(), vocabSize)) as Record<string, unknown>;
  return tokenizerFromJson(json, {}, `--tokenizer ${WORDS_TOKENIZER}`);
}

/**
 * The tokenizer.json tokenizer that `files` describe: how a worker thread gets the very tokenizer of
 * its caller (whose vocabulary may have been built from the training documents).
 */
export function tokenizerFromFiles(files: TokenizerFiles): TextTokenizer {
  return tokenizerFromJson(files['tokenizer.json'] as Record<string, unknown>, files['tokenizer_config.json'] as Record<string, unknown>, 'the caller\'s tokenizer.json');
}

/** Writes the tokenizer's three files into a checkpoint directory. */
export function saveTokenizer(tokenizer: TextTokenizer, directory: string, maxLength: number): void {
  for (const [name, contents] of Object.entries(tokenizer.files(maxLength))) writeJsonAtomic(join(directory, name), contents);
}
