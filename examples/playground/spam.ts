/**
 * Classifies an email in the page with a checkpoint from `npm start` (out/spam/checkpoints/step-N/:
 * config.json + model.safetensors, picked by the user), as `lsgrad predict` does in Node.
 * LSG checkpoints only: a local-only or dense run's attention is not in config.json.
 */
import type { PretrainedFiles } from 'lsgrad/nn';
import { LSGAlbertForSequenceClassification } from 'lsgrad/lsg';
import { classifyOne, type EmailVerdict } from '../../cli/evaluate.js';
import { VOCAB_SIZE } from '../../cli/data/tokenizer.js';

export type { EmailVerdict };

let loaded: { files: PretrainedFiles; model: LSGAlbertForSequenceClassification } | null = null;

/** The model of `files`, loaded once for as long as the same files are passed; anything but an email model is refused. */
function modelOf(files: PretrainedFiles): LSGAlbertForSequenceClassification {
  if (loaded?.files === files) return loaded.model;
  const config = JSON.parse(files['config.json']) as { architectures?: string[]; vocab_size?: number };
  // The page encodes emails as bytes (as lsgrad train does by default): the model's vocabulary must be the byte tokenizer's.
  if (config.vocab_size !== VOCAB_SIZE) {
    throw new Error(`classifyEmail: files['config.json'] has vocab_size ${config.vocab_size}; expected ${VOCAB_SIZE}, the byte vocabulary this page reads emails with. This checkpoint is not a byte-level email model of lsgrad train: a ${config.vocab_size}-token model of another task (such as the training panel's), or one trained with --tokenizer on a tokenizer.json (classify with lsgrad predict instead)`);
  }
  const architecture = config.architectures?.[0];
  if (architecture !== 'LSGAlbertForSequenceClassification') {
    throw new Error(`classifyEmail: files['config.json'] is for ${architecture ?? 'an unnamed architecture'}; expected LSGAlbertForSequenceClassification (a run of lsgrad train with --attention lsg, the default)`);
  }
  loaded = { files, model: LSGAlbertForSequenceClassification.fromPretrained(files) };
  return loaded.model;
}

/**
 * P(spam) of a raw email (headers and body) under the checkpoint's model.
 * @example classifyEmail(files, 'From: a@b\nSubject: FREE money\n\nClick here').label
 */
export function classifyEmail(files: PretrainedFiles, email: string): EmailVerdict {
  if (email.trim() === '') throw new Error('classifyEmail: email is empty; expected the raw text of an email (headers, a blank line, the body)');
  const model = modelOf(files);
  return classifyOne((inputIds, attentionMask) => model.forward({ inputIds, attentionMask }).logits, email, model.config.maxPositionEmbeddings);
}
