/**
 * What every ALBERT task model shares: the `albert` sub-model, built through an overridable hook
 * so LSG-ALBERT task models reuse the heads unchanged.
 */
import type { AlbertConfig } from './config.js';
import type { ModelBuildOptions } from './build-options.js';
import { AlbertModel, type AlbertModelOptions } from './model.js';
import { AlbertPreTrainedModel } from './pretrained.js';

export abstract class AlbertTaskModel extends AlbertPreTrainedModel {
  readonly albert: AlbertModel;
  /** The build options the model was made with, for the heads. */
  protected readonly buildOptions: ModelBuildOptions;

  constructor(config: AlbertConfig, options: ModelBuildOptions, addPoolingLayer: boolean) {
    super(config);
    // Every dropout of the model draws from options.dropoutRng, else from the global generator.
    this.buildOptions = options;
    this.albert = this.createBaseModel(config, { ...this.buildOptions, addPoolingLayer });
  }

  /** The sub-model; LSG task models return an LSG-ALBERT model here. */
  protected createBaseModel(config: AlbertConfig, options: AlbertModelOptions): AlbertModel {
    return new AlbertModel(config, options);
  }
}
