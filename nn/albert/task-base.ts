/**
 * What every ALBERT task model shares: the `albert` sub-model, built from the class's
 * `baseModelClass`, so LSG-ALBERT task models reuse the heads unchanged over an LSG-ALBERT model.
 */
import type { AlbertConfig } from './config.js';
import type { ModelBuildOptions } from './build-options.js';
import type { HfJson } from './config-json.js';
import { AlbertModel, type AlbertModelOptions } from './model.js';
import { AlbertPreTrainedModel } from './pretrained.js';

/** What a task model needs of its sub-model's class: the constructor and the config reader. */
export interface AlbertBaseModelClass {
  // `never`: each constructor takes its own config subclass (LSGAlbertModel an LsgAlbertConfig).
  new (config: never, options: AlbertModelOptions): AlbertModel;
  configFromHfJson(json: HfJson): AlbertConfig;
}

export abstract class AlbertTaskModel extends AlbertPreTrainedModel {
  /** The sub-model's class; it also gives the task model its config reader. */
  static readonly baseModelClass: AlbertBaseModelClass = AlbertModel;

  static override configFromHfJson(json: HfJson): AlbertConfig {
    return this.baseModelClass.configFromHfJson(json);
  }

  readonly albert: AlbertModel;
  /** The build options the model was made with, for the heads. */
  protected readonly buildOptions: ModelBuildOptions;

  constructor(config: AlbertConfig, options: ModelBuildOptions, addPoolingLayer: boolean) {
    super(config);
    // Every dropout of the model draws from options.dropoutRng, else from the global generator.
    this.buildOptions = options;
    const { baseModelClass } = this.constructor as typeof AlbertTaskModel;
    this.albert = new baseModelClass(config as never, { ...options, addPoolingLayer });
  }
}
