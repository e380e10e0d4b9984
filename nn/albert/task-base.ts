/**
 * What every ALBERT task model shares: the `albert` sub-model, built through an overridable hook
 * so LSG-ALBERT task models reuse the heads unchanged.
 */
import { createRng } from '../../engine/index.js';
import type { AlbertConfig } from './config.js';
import type { ModelBuildOptions } from './build-options.js';
import { AlbertModel, type AlbertModelOptions } from './model.js';
import { AlbertPreTrainedModel } from './pretrained.js';

export abstract class AlbertTaskModel extends AlbertPreTrainedModel {
  readonly albert: AlbertModel;
  /** The build options with one dropout generator shared by the whole model, for the heads. */
  protected readonly buildOptions: ModelBuildOptions;

  constructor(config: AlbertConfig, options: ModelBuildOptions, addPoolingLayer: boolean) {
    super(config);
    // One generator for every dropout of the model, so no two layers draw the same masks.
    this.buildOptions = { ...options, dropoutRng: options.dropoutRng ?? createRng(0) };
    this.albert = this.createBaseModel(config, { ...this.buildOptions, addPoolingLayer });
  }

  /** The sub-model; LSG task models return an LSG-ALBERT model here. */
  protected createBaseModel(config: AlbertConfig, options: AlbertModelOptions): AlbertModel {
    return new AlbertModel(config, options);
  }
}
