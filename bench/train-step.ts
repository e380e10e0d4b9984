// One training step of `npm start`'s model (cli/train-flags.ts defaults) at a given length: forward,
// backward, gradient clipping and AdamW, on fixed random inputs. bench/torch times it next to the
// PyTorch reference; bench/profile.ts splits its CPU time by kernel.
import { parseArgs } from '../cli/args.js';
import { inDeviceScope } from '../cli/device-scope.js';
import { createClassifier } from '../cli/model.js';
import { BYTE_TOKENIZER } from '../cli/data/tokenizers.js';
import { TRAIN_FLAGS } from '../cli/train-flags.js';
import { createRng, ones, randint, tensor } from '../engine/index.js';
import { AdamW, clipGradNorm, weightDecayGroups } from '../nn/index.js';

export interface TrainStepShape {
  /** Tokens per sequence. */
  readonly length: number;
  readonly batch: number;
  readonly vocabSize: number;
  readonly seed: number;
}

/** Builds the model and optimizer once; each call of the result runs one step. */
export function createTrainStep({ length, batch, vocabSize, seed }: TrainStepShape): () => void {
  const argv = ['--seq-len', String(length), '--seed', String(seed)];
  const options = parseArgs('train', TRAIN_FLAGS, argv).flags;
  // The model's shape is all the step needs of a tokenizer: npm start's words vocabulary is built
  // from the corpus, so this one only has its size (ids are random anyway).
  const classifier = createClassifier(options, undefined, undefined, { ...BYTE_TOKENIZER, vocabSize });
  classifier.module.train();
  const optimizer = new AdamW(weightDecayGroups(classifier.module, 0.01), { lr: 1e-3 });
  const inputIds = randint(5, vocabSize, [batch, length], { rng: createRng(seed + 1), dtype: 'int32' });
  const attentionMask = ones([batch, length], { dtype: 'int32' });
  const labels = tensor(Array.from({ length: batch }, (_, i) => i % 2), { dtype: 'int32' });
  // In the training loop's device scope (cli/device-scope.ts), as lsgrad train runs a step with one replica.
  return () => inDeviceScope(() => {
    const { loss } = classifier.forward(inputIds, attentionMask, labels);
    loss!.backward();
    clipGradNorm(classifier.module.parameters(), 1);
    optimizer.step();
    optimizer.zeroGrad();
    loss!.item();
  }, [classifier.module, optimizer]);
}
