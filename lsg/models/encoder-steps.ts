// What every LSG model (ALBERT, BERT, RoBERTa) adds around its dense encoder, as the reference's
// LSG model classes do: the global-token rows in front of the embeddings, the LSG attention kernel,
// and the sequence steps (mask the first token, pad to a block multiple, pool, cut back).
import { cat, type Tensor } from '../../engine/index.js';
import { extendedAttentionMask, type EncoderOutput, type ModelBuildOptions } from '../../nn/index.js';
import { createLsgAttentionFunction } from '../attention-function.js';
import { prepareLsgInputs, finishLsgOutputs } from '../sequence.js';
import type { LsgRuntimeOptions } from '../attention.js';
import type { LsgConfig } from '../config.js';

export interface LsgBuildOptions extends ModelBuildOptions {
  /** LSH projections or a trace, passed to the LSG attention kernel. */
  lsgRuntime?: LsgRuntimeOptions;
}

/**
 * The build options with the LSG attention kernel (unless the caller gives its own kernel).
 * @example new BertModel(config, withLsgAttention(config.lsg, options))
 */
export function withLsgAttention<T extends LsgBuildOptions>(lsg: LsgConfig, options: T): T {
  // LSH hyperplanes come from runtime.lsh (recorded projections or a generator), else, as in the
  // reference, from the global generator on every call.
  return { ...options, attention: options.attention ?? createLsgAttentionFunction(lsg, options.lsgRuntime ?? {}) };
}

/**
 * The first `numGlobalTokens` rows of the global table in front of the summed embeddings, before
 * the embedding LayerNorm: (batch, seq, width) → (batch, g + seq, width). Globals get no position
 * or token type at run time (the converter folded them into the table).
 */
export function prependGlobalRows(summed: Tensor, globalTable: Tensor, numGlobalTokens: number): Tensor {
  const [batch, , width] = summed.shape as [number, number, number];
  const globals = globalTable.narrow(0, 0, numGlobalTokens).unsqueeze(0).expand([batch, numGlobalTokens, width]);
  return cat([globals, summed], 1);
}

/**
 * Runs the dense encoder's layers (`runLayers`) inside the LSG sequence steps. `embedded` is
 * (batch, g + t, width) with the globals first; `mask` the additive (batch, 1, 1, t) mask over the
 * real tokens (or null). The output's lastHiddenState is (batch, t, hidden), globals dropped.
 */
export function runLsgEncoder(
  embedded: Tensor, mask: Tensor | null, lsg: LsgConfig,
  runLayers: (hidden: Tensor, paddedMask: Tensor) => EncoderOutput,
): EncoderOutput {
  const [batch, rows] = embedded.shape as [number, number];
  const length = rows - lsg.numGlobalTokens;
  const tokenKeep = mask === null ? undefined : mask.reshape([batch, length]).eq(0).cast(embedded.dtype);  // (batch, t)
  const prepared = prepareLsgInputs(embedded, tokenKeep, lsg);               // (batch, g + T, width), T ≥ t
  const encoded = runLayers(prepared.hidden, extendedAttentionMask(prepared.tokenKeep, embedded.dtype));
  return { ...encoded, lastHiddenState: finishLsgOutputs(encoded.lastHiddenState, prepared.length, lsg) };
}

/** The message for inputs longer than an LSG model's position table. */
export function lsgTooLongMessage(limit: string): string {
  return `a sequence length of at most ${limit}; ` +
    'convert the checkpoint with a larger --max-sequence-length (lsgrad convert) to accept longer inputs';
}
