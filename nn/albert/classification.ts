/** Sequence classification (regression, single- and multi-label), token classification, multiple choice. */
import { Tensor } from '../../engine/index.js';
import { Linear } from '../linear.js';
import { Dropout } from '../dropout.js';
import { classifyPooled, classifyTokens, scoreChoices, type ModelOutput } from '../encoder/task-heads.js';
import type { AlbertConfig } from './config.js';
import { weightInit, type ModelBuildOptions } from './build-options.js';
import type { AlbertInputs } from './model.js';
import { AlbertTaskModel } from './task-base.js';

/**
 * Pooled output → dropout → classifier. Loss by `problemType` (regression, single-label cross
 * entropy, or multi-label binary cross entropy), as HuggingFace.
 * @example
 *   const { loss, logits } = model.forward({ inputIds, attentionMask, labels: tensor([2, 0], { dtype: 'int32' }) });
 */
export class AlbertForSequenceClassification extends AlbertTaskModel {
  static override readonly hfClassName: string = 'AlbertForSequenceClassification';
  readonly dropout: Dropout;
  readonly classifier: Linear;

  constructor(config: AlbertConfig, options: ModelBuildOptions = {}) {
    super(config, options, true);
    this.dropout = new Dropout(config.classifierDropoutProb ?? 0, { rng: this.buildOptions.dropoutRng });
    this.classifier = new Linear(config.hiddenSize, config.numLabels, weightInit(config, this.buildOptions));
  }

  /** labels: (batch) int32 classes, (batch) / (batch, numLabels) floats for regression, (batch, numLabels) 0/1 floats for multi-label. */
  forward(inputs: AlbertInputs & { labels?: Tensor }): ModelOutput {
    return classifyPooled(this, this.albert.forward(inputs), this.config, inputs.labels);
  }
}

/**
 * Per-token classifier on the last hidden state; cross entropy over labels != -100.
 * @example
 *   const { logits } = model.forward({ inputIds }); // (batch, seq, numLabels)
 */
export class AlbertForTokenClassification extends AlbertTaskModel {
  static override readonly hfClassName: string = 'AlbertForTokenClassification';
  readonly dropout: Dropout;
  readonly classifier: Linear;

  constructor(config: AlbertConfig, options: ModelBuildOptions = {}) {
    super(config, options, false);
    this.dropout = new Dropout(config.classifierDropoutProb ?? config.hiddenDropoutProb, { rng: this.buildOptions.dropoutRng });
    this.classifier = new Linear(config.hiddenSize, config.numLabels, weightInit(config, this.buildOptions));
  }

  forward(inputs: AlbertInputs & { labels?: Tensor }): ModelOutput {
    return classifyTokens(this, this.albert.forward(inputs), inputs.labels);
  }
}

/**
 * Inputs `(batch, numChoices, seq)`: every choice is encoded, scored from its pooled output by a
 * 1-unit classifier; logits `(batch, numChoices)`, cross entropy against the right choice.
 * @example
 *   const { logits } = model.forward({ inputIds: ids3d }); // (batch, numChoices)
 */
export class AlbertForMultipleChoice extends AlbertTaskModel {
  static override readonly hfClassName: string = 'AlbertForMultipleChoice';
  readonly dropout: Dropout;
  readonly classifier: Linear;

  constructor(config: AlbertConfig, options: ModelBuildOptions = {}) {
    super(config, options, true);
    this.dropout = new Dropout(config.classifierDropoutProb ?? 0, { rng: this.buildOptions.dropoutRng });
    this.classifier = new Linear(config.hiddenSize, 1, weightInit(config, this.buildOptions));
  }

  forward(inputs: AlbertInputs & { labels?: Tensor }): ModelOutput {
    return scoreChoices('AlbertForMultipleChoice', inputs, (flat) => this.albert.forward(flat), this);
  }
}
