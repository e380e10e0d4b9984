/**
 * AlbertModel: embeddings → encoder → optional pooler (tanh(Linear(h[:, 0])))), as HuggingFace's
 * AlbertModel. Subclasses (LSG-ALBERT) replace the embeddings or the encoder through the
 * `createEmbeddings` / `createEncoder` hooks.
 */
import { Tensor, ones, MASK_VALUE } from '../../engine/index.js';
import { argumentError } from '../../engine/errors.js';
import { AlbertPreTrainedModel } from './pretrained.js';
import { Linear } from '../linear.js';
import type { AlbertConfig } from './config.js';
import { weightInit, type ModelBuildOptions } from './build-options.js';
import { AlbertEmbeddings } from './embeddings.js';
import { AlbertTransformer, type EncoderOutput } from './transformer.js';

export interface AlbertInputs {
  inputIds: Tensor;               // (batch, seq) int32
  /** 1 for real tokens, 0 for padding: (batch, seq) int32 or bool; default all ones. */
  attentionMask?: Tensor;
  tokenTypeIds?: Tensor;          // (batch, seq) int32
  positionIds?: Tensor;           // (batch | 1, seq) int32
  outputHiddenStates?: boolean;
  outputAttentions?: boolean;
}

export interface AlbertModelOutput {
  lastHiddenState: Tensor;        // (batch, seq, hiddenSize)
  pooledOutput?: Tensor;          // (batch, hiddenSize)
  hiddenStates?: Tensor[];
  attentions?: Tensor[];
}

export interface AlbertModelOptions extends ModelBuildOptions {
  /** Include the pooler (default true; HuggingFace's masked-LM, token and QA heads leave it out). */
  addPoolingLayer?: boolean;
}

/**
 * Keep-mask (batch, seq) → additive mask (batch, 1, 1, seq): 0 where kept, MASK_VALUE where padded.
 * @example
 *   extendedAttentionMask(tensor([[1, 0]], { dtype: 'int32' }), 'float32'); // [[[[0, -3.4e38]]]]
 */
export function extendedAttentionMask(attentionMask: Tensor, dtype: Tensor['dtype']): Tensor {
  const [batch, seqLength] = attentionMask.shape as [number, number];
  const additive = attentionMask.cast(dtype).neg().add(1).mul(MASK_VALUE);     // (batch, seq): 0 keep, MASK_VALUE drop
  return additive.reshape([batch, 1, 1, seqLength]);                            // broadcasts over (heads, queries)
}

/** What `encodeInputs` needs of a model: its embeddings and its encoder (ALBERT's, BERT's, or their LSG variants). */
export interface EmbeddingsAndEncoder {
  readonly embeddings: { forward(inputs: AlbertInputs): Tensor };
  readonly encoder: { forward(embedded: Tensor, mask: Tensor | null, options: AlbertInputs): EncoderOutput };
}

/**
 * Embeddings → additive padding mask → encoder, as every family's model runs them. No attention
 * mask means every token is real, as in HuggingFace.
 */
export function encodeInputs(owner: string, model: EmbeddingsAndEncoder, inputs: AlbertInputs): EncoderOutput {
  const { inputIds } = inputs;
  if (inputs.attentionMask && inputs.attentionMask.shape.join(',') !== inputIds.shape.join(',')) {
    throw argumentError(owner, 'attentionMask.shape', inputs.attentionMask.shape, `the inputIds shape [${inputIds.shape.join(',')}]`);
  }
  const embedded = model.embeddings.forward(inputs);                                 // (batch, seq, embedding width)
  const keep = inputs.attentionMask ?? ones(inputIds.shape, { dtype: 'int32' });     // (batch, seq)
  const mask = extendedAttentionMask(keep, embedded.dtype);                          // (batch, 1, 1, seq)
  return model.encoder.forward(embedded, mask, inputs);
}

export class AlbertModel extends AlbertPreTrainedModel {
  static override readonly hfClassName: string = 'AlbertModel';
  readonly embeddings: AlbertEmbeddings;
  readonly encoder: AlbertTransformer;
  readonly pooler: Linear | null;

  constructor(config: AlbertConfig, modelOptions: AlbertModelOptions = {}) {
    super(config);
    if (config.pytorchRefusal !== null && modelOptions.attention === undefined) {
      // The dense default would silently compute another model (e.g. one lsgrad train --attention local wrote).
      throw new Error(`${this.constructor.name}: config.json says ${JSON.stringify(config.pytorchRefusal)}: this checkpoint ` +
        'needs an attention kernel that is not dense; load it with lsgrad eval / predict (they read lsgrad_model.json), or pass options.attention');
    }
    // Every dropout of the model draws from options.dropoutRng, else from the global generator.
    const options = modelOptions;
    this.embeddings = this.createEmbeddings(config, options);
    this.encoder = this.createEncoder(config, options);
    // The pooler is on by default because the bare AlbertModel has one in HuggingFace; the heads that
    // never read it (masked LM, token classification, question answering) pass false, so their
    // checkpoints hold no pooler keys either.
    this.pooler = (options.addPoolingLayer ?? true) ? new Linear(config.hiddenSize, config.hiddenSize, weightInit(config, options)) : null;
  }

  protected createEmbeddings(config: AlbertConfig, options: ModelBuildOptions): AlbertEmbeddings {
    return new AlbertEmbeddings(config, options);
  }

  protected createEncoder(config: AlbertConfig, options: ModelBuildOptions): AlbertTransformer {
    return new AlbertTransformer(config, options);
  }

  /**
   * @example
   *   const model = new AlbertModel(new AlbertConfig({ vocabSize: 50, hiddenSize: 32, numAttentionHeads: 4,
   *     intermediateSize: 64, numHiddenLayers: 2 }));
   *   model.forward({ inputIds: tensor([[2, 7, 3]], { dtype: 'int32' }) }).lastHiddenState.shape; // [1, 3, 32]
   */
  forward(inputs: AlbertInputs): AlbertModelOutput {
    const encoded = encodeInputs('AlbertModel.forward', this, inputs);                 // embeddings (batch, seq, embeddingSize) → encoder
    const lastHiddenState = encoded.lastHiddenState;                                   // (batch, seq, hiddenSize)
    const first = lastHiddenState.narrow(1, 0, 1).squeeze(1);                          // (batch, hiddenSize): [CLS]
    const pooledOutput = this.pooler === null ? undefined : this.pooler.forward(first).tanh();
    return { lastHiddenState, pooledOutput, hiddenStates: encoded.hiddenStates, attentions: encoded.attentions };
  }
}
