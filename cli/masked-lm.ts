// The masked language model behind `lsgrad pretrain` and `lsgrad fill-mask`: an ALBERT (LSG,
// local-only or dense attention, as for classification) with its masked-LM head, built from flags
// or loaded from a checkpoint in HuggingFace layout (LSGAlbertForMaskedLM for LSG attention).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../engine/index.js';
import { AlbertConfig, AlbertForMaskedLM } from '../nn/index.js';
import { LSGAlbertForMaskedLM, LsgAlbertConfig } from '../lsg/index.js';
import { writeJsonAtomic } from './atomic.js';
import { mixSeed } from './data/batches.js';
import { BYTE_TOKENIZER, loadTokenizerJson, saveTokenizer, type TextTokenizer } from './data/tokenizers.js';
import {
  LSGRAD_MODEL_FILE, ReseedableRng, attentionFor, describeAttention, modelConfig, modelMeta, type ModelMeta, type ModelOptions,
} from './model.js';

export interface MaskedLanguageModel {
  module: AlbertForMaskedLM;
  tokenizer: TextTokenizer;
  meta: ModelMeta;
  description: string;
  /** Makes dropout masks a function of (seed, step), so a resumed run repeats them. */
  reseedDropout(seed: number, step: number): void;
  savePretrained(directory: string): void;
}

function wrap(module: AlbertForMaskedLM, meta: ModelMeta, tokenizer: TextTokenizer, dropoutRng: ReseedableRng): MaskedLanguageModel {
  const config = module.config;
  return {
    module, tokenizer, meta,
    description: `${tokenizer.description} ALBERT ${config.numHiddenLayers}×${config.hiddenSize} (${config.numAttentionHeads} heads) with a masked-LM head, ${describeAttention(meta)}`,
    reseedDropout: (seed, step) => dropoutRng.reseed(mixSeed(seed, step)),
    savePretrained: (directory) => {
      module.savePretrained(directory);
      saveTokenizer(tokenizer, directory, config.maxPositionEmbeddings);
      writeJsonAtomic(join(directory, LSGRAD_MODEL_FILE), meta);
    },
  };
}

/**
 * A fresh masked language model from pretrain flags; its initial weights depend only on `--seed`.
 * @example createMaskedLm(flags, BYTE_TOKENIZER).module.config.vocabSize  // 261
 */
export function createMaskedLm(options: ModelOptions, tokenizer: TextTokenizer): MaskedLanguageModel {
  const config = modelConfig(options, tokenizer);
  const meta: ModelMeta = { ...modelMeta(options, tokenizer), task: 'masked-lm' };
  const dropoutRng = new ReseedableRng(mixSeed(options.seed, 0));
  const build = { rng: createRng(options.seed), dropoutRng };
  if (config instanceof LsgAlbertConfig) {
    return wrap(new LSGAlbertForMaskedLM(config, { ...build, attention: attentionFor(meta, config.lsg).kernel }), meta, tokenizer, dropoutRng);
  }
  return wrap(new AlbertForMaskedLM(config, { ...build, attention: attentionFor(meta, undefined).kernel }), meta, tokenizer, dropoutRng);
}

/**
 * The tokenizer saved in a checkpoint: tokenizer.json unless lsgrad_model.json says bytes (a
 * checkpoint without either one is byte-level, as lsgrad's first checkpoints were).
 */
export function checkpointTokenizer(directory: string, meta: Pick<ModelMeta, 'tokenizer'> | undefined): TextTokenizer {
  if (meta?.tokenizer === 'utf8-bytes') return BYTE_TOKENIZER;
  return existsSync(join(directory, 'tokenizer.json')) ? loadTokenizerJson(join(directory, 'tokenizer.json')) : BYTE_TOKENIZER;
}

/**
 * Loads a masked language model: a `lsgrad pretrain` checkpoint, or any HuggingFace-layout
 * ALBERT / LSG-ALBERT masked-LM checkpoint (LSG when config.json has LSG settings).
 * @example loadMaskedLm('out/pretrain/checkpoints/step-000300').tokenizer.special.mask
 */
export function loadMaskedLm(directory: string): MaskedLanguageModel {
  const configPath = join(directory, 'config.json');
  if (!existsSync(configPath)) throw new Error(`loadMaskedLm: no config.json in ${directory}; expected a checkpoint of lsgrad pretrain (or its run directory)`);
  const json = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  const metaPath = join(directory, LSGRAD_MODEL_FILE);
  const saved = existsSync(metaPath) ? (JSON.parse(readFileSync(metaPath, 'utf8')) as ModelMeta) : undefined;
  const tokenizer = checkpointTokenizer(directory, saved);
  const lsg = saved ? saved.attention === 'lsg' : 'block_size' in json;
  const dropoutRng = new ReseedableRng(0);
  if (lsg) {
    const config = LsgAlbertConfig.fromHfJson(json);
    const meta: ModelMeta = saved ?? { attention: 'lsg', ...config.lsg, tokenizer: tokenizer.kind === 'bytes' ? 'utf8-bytes' : 'tokenizer.json', seqLen: config.maxPositionEmbeddings, task: 'masked-lm' } as ModelMeta;
    const module = LSGAlbertForMaskedLM.fromPretrained(directory, { dropoutRng, attention: attentionFor(meta, config.lsg).kernel });
    return wrap(module, meta, tokenizer, dropoutRng);
  }
  const config = AlbertConfig.fromHfJson(json);
  const meta: ModelMeta = saved ?? {
    attention: 'dense', sparsityType: 'none', blockSize: 0, sparseBlockSize: 0, sparsityFactor: 1, numGlobalTokens: 0,
    tokenizer: tokenizer.kind === 'bytes' ? 'utf8-bytes' : 'tokenizer.json', seqLen: config.maxPositionEmbeddings, task: 'masked-lm',
  };
  const module = AlbertForMaskedLM.fromPretrained(directory, { dropoutRng, attention: attentionFor(meta, undefined).kernel });
  return wrap(module, meta, tokenizer, dropoutRng);
}
