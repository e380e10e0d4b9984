/** AlbertForMaskedLM and AlbertForPreTraining (masked LM + sentence-order prediction). */
import { Tensor } from '../../engine/index.js';
import { tokenLoss } from '../encoder/task-losses.js';
import { maskedLmOutputs, preTrainingLoss, withEncoderOutputs, type ModelOutput } from '../encoder/task-heads.js';
import type { AlbertConfig } from './config.js';
import type { ModelBuildOptions } from './build-options.js';
import type { AlbertInputs } from './model.js';
import { AlbertMLMHead, AlbertSOPHead, MLM_TIED_KEYS } from './heads.js';
import { AlbertTaskModel } from './task-base.js';

/** Mean cross entropy over the tokens whose label is not -100. */
export const maskedLmLoss = tokenLoss;

/**
 * @example
 *   const model = AlbertForMaskedLM.fromPretrained('test/fixtures/albert/dense_mlm_t48');
 *   const { loss, logits } = model.forward({ inputIds, attentionMask, labels });
 */
export class AlbertForMaskedLM extends AlbertTaskModel {
  static override readonly hfClassName: string = 'AlbertForMaskedLM';
  readonly predictions: AlbertMLMHead;

  constructor(config: AlbertConfig, options: ModelBuildOptions = {}) {
    super(config, options, false);
    this.predictions = new AlbertMLMHead(config, this.albert.embeddings.wordEmbeddings.weight, this.buildOptions);
  }

  override get tiedKeys(): readonly string[] {
    return MLM_TIED_KEYS;
  }

  /** labels: (batch, seq) int32, -100 where no prediction is scored. */
  forward(inputs: AlbertInputs & { labels?: Tensor }): ModelOutput {
    const out = this.albert.forward(inputs);
    return maskedLmOutputs(this.predictions.forward(out.lastHiddenState), out, inputs.labels);   // logits (batch, seq, vocab)
  }
}

/**
 * Masked LM plus sentence-order prediction on the pooled output; the loss is their sum.
 * @example
 *   const { loss, logits, sopLogits } = model.forward({ inputIds, labels, sentenceOrderLabel });
 */
export class AlbertForPreTraining extends AlbertTaskModel {
  static override readonly hfClassName: string = 'AlbertForPreTraining';
  readonly predictions: AlbertMLMHead;
  readonly sopClassifier: AlbertSOPHead;

  constructor(config: AlbertConfig, options: ModelBuildOptions = {}) {
    super(config, options, true);
    this.predictions = new AlbertMLMHead(config, this.albert.embeddings.wordEmbeddings.weight, this.buildOptions);
    this.sopClassifier = new AlbertSOPHead(config, this.buildOptions);
  }

  override get tiedKeys(): readonly string[] {
    return MLM_TIED_KEYS;
  }

  /** labels: (batch, seq) int32 with -100; sentenceOrderLabel: (batch) int32 (0 in order, 1 swapped). */
  forward(inputs: AlbertInputs & { labels?: Tensor; sentenceOrderLabel?: Tensor }): ModelOutput & { sopLogits: Tensor } {
    const out = this.albert.forward(inputs);
    const logits = this.predictions.forward(out.lastHiddenState);
    const sopLogits = this.sopClassifier.forward(out.pooledOutput!); // (batch, numLabels)
    const loss = preTrainingLoss(logits, inputs.labels, sopLogits, inputs.sentenceOrderLabel);
    return withEncoderOutputs({ loss, logits, sopLogits }, out);
  }
}
