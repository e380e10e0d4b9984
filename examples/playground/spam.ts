/**
 * Classifies an email in the page with a checkpoint from `npm start` (out/spam/checkpoints/step-N/:
 * config.json + model.safetensors, and the tokenizer.json beside them, picked by the user), as
 * `lsgrad predict` does in Node: the same tokenizer, the same [CLS] … [SEP] framing, the same model.
 * LSG checkpoints only: a local-only or dense run's attention is not in config.json.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { LSGAlbertForSequenceClassification } from 'lsgrad/lsg';
import { classifyOne, type EmailVerdict } from '../../cli/evaluate.js';
import { VOCAB_SIZE } from '../../cli/data/tokenizer.js';
import { BYTE_TOKENIZER, byteTokenizerJson, tokenizerFromJsonWith, type TextTokenizer } from '../../cli/data/text-tokenizer.js';
import type { CheckpointFiles } from './checkpoint-files.js';

/** A verdict, and what its token count counts. */
export interface PageVerdict extends EmailVerdict {
  readonly unit: 'bytes' | 'tokens';
}

let loaded: { files: CheckpointFiles; model: LSGAlbertForSequenceClassification; tokenizer: TextTokenizer } | null = null;

/** The JSON object in files[name]; anything else is refused, naming the file. */
function jsonObject(files: CheckpointFiles, name: 'tokenizer.json' | 'tokenizer_config.json', text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`classifyEmail: files['${name}'] is not valid JSON (${(error as Error).message}); expected the ${name} that lsgrad train saved beside config.json`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`classifyEmail: files['${name}'] holds ${Array.isArray(value) ? 'an array' : String(value)}; expected the JSON object of the ${name} that lsgrad train saved beside config.json`);
  }
  return value as Record<string, unknown>;
}

/**
 * The tokenizer the checkpoint was trained with: its tokenizer.json, read as lsgrad predict reads it,
 * or, with none picked, the byte tokenizer, which only a model of the byte vocabulary can have.
 */
function tokenizerOf(files: CheckpointFiles, vocabSize: number | undefined): TextTokenizer {
  const text = files['tokenizer.json'];
  if (text === undefined) {
    if (vocabSize === VOCAB_SIZE) return BYTE_TOKENIZER;
    throw new Error(`classifyEmail: files['config.json'] has vocab_size ${vocabSize} and no tokenizer.json was picked; expected ${VOCAB_SIZE}, the byte vocabulary, or the tokenizer.json beside config.json picked with it (npm start's checkpoints hold one: lsgrad train --tokenizer words, its default). A ${vocabSize}-token model of another task, such as the training panel's, is not an email model`);
  }
  const json = jsonObject(files, 'tokenizer.json', text);
  const configText = files['tokenizer_config.json'];
  const config = configText === undefined ? {} : jsonObject(files, 'tokenizer_config.json', configText);
  // lsgrad train --tokenizer bytes saves the byte tokenizer as a tokenizer.json too; lsgrad predict
  // reads such a checkpoint with the byte tokenizer itself (its lsgrad_model.json says utf8-bytes).
  const tokenizer = JSON.stringify(json) === JSON.stringify(byteTokenizerJson())
    ? BYTE_TOKENIZER
    : tokenizerFromJsonWith(() => Tokenizer, json, config, "classifyEmail: files['tokenizer.json']");
  if (tokenizer.vocabSize !== vocabSize) {
    throw new Error(`classifyEmail: files['tokenizer.json'] has ${tokenizer.vocabSize} tokens, files['config.json'] has vocab_size ${vocabSize}; expected the same: pick the tokenizer.json beside this config.json, not another checkpoint's`);
  }
  return tokenizer;
}

/** The model and tokenizer of `files`, loaded once for as long as the same files are passed; anything but an email model is refused. */
function checkpointOf(files: CheckpointFiles): { model: LSGAlbertForSequenceClassification; tokenizer: TextTokenizer } {
  if (loaded?.files === files) return loaded;
  const config = JSON.parse(files['config.json']) as { architectures?: string[]; vocab_size?: number };
  const tokenizer = tokenizerOf(files, config.vocab_size);
  const architecture = config.architectures?.[0];
  if (architecture !== 'LSGAlbertForSequenceClassification') {
    throw new Error(`classifyEmail: files['config.json'] is for ${architecture ?? 'an unnamed architecture'}; expected LSGAlbertForSequenceClassification (a run of lsgrad train with --attention lsg, the default)`);
  }
  loaded = { files, model: LSGAlbertForSequenceClassification.fromPretrained(files), tokenizer };
  return loaded;
}

/**
 * P(spam) of a raw email (headers and body) under the checkpoint's model, read with its tokenizer.
 * @example classifyEmail(files, 'From: a@b\nSubject: FREE money\n\nClick here').label
 */
export function classifyEmail(files: CheckpointFiles, email: string): PageVerdict {
  if (email.trim() === '') throw new Error('classifyEmail: email is empty; expected the raw text of an email (headers, a blank line, the body)');
  const { model, tokenizer } = checkpointOf(files);
  const verdict = classifyOne((inputIds, attentionMask) => model.forward({ inputIds, attentionMask }).logits, email, model.config.maxPositionEmbeddings, tokenizer);
  return { ...verdict, unit: tokenizer.kind === 'bytes' ? 'bytes' : 'tokens' };
}
