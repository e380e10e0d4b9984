// Fuzzing checkpoint loading from random and mutated bytes: safetensors files, config.json, and the
// files `lsgrad train` writes beside them. Each load gives a model (or state) that works, or a
// typed error naming the file; never a TypeError, a SyntaxError from JSON.parse, or a huge allocation.
import { test } from 'uvu';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, tensor } from '../../engine/index.js';
import { AlbertConfig, AlbertForSequenceClassification, parseSafetensors, stateDictFromSafetensors } from '../../nn/index.js';
import { LSGAlbertForSequenceClassification, LsgAlbertConfig } from '../../lsg/index.js';
import { UsageError } from '../../cli/args.js';
import { expectShapeAndFinite, fuzz, typedOrValue } from './helpers.js';

const RUNS = 60;
const TINY = { vocabSize: 20, embeddingSize: 4, hiddenSize: 4, numHiddenLayers: 1, numAttentionHeads: 1, intermediateSize: 8, maxPositionEmbeddings: 16, numLabels: 2 };
const lsgModel = new LSGAlbertForSequenceClassification(new LsgAlbertConfig({ ...TINY, blockSize: 4, sparseBlockSize: 4, sparsityFactor: 2 }), { rng: createRng(0) });
const files = lsgModel.toPretrainedFiles();
const weights = files['model.safetensors'];
const configText = files['config.json'];

/** A copy of `bytes` with a few bytes overwritten, a range cut out, or the tail cut off. */
const mutated = (bytes: Uint8Array) => fc.oneof(
  fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
    const copy = bytes.slice();
    for (const [at, value] of edits) copy[at] = value;
    return copy;
  }),
  fc.nat(bytes.length).map((length) => bytes.slice(0, length)),
  fc.tuple(fc.nat(bytes.length), fc.nat(64)).map(([at, cut]) => new Uint8Array([...bytes.slice(0, at), ...bytes.slice(at + cut)])),
  // Edits inside the JSON header (offsets, shapes, dtypes) are the interesting ones.
  fc.array(fc.tuple(fc.integer({ min: 8, max: Math.min(bytes.length - 1, 8 + 600) }), fc.integer({ min: 32, max: 126 })), { minLength: 1, maxLength: 4 }).map((edits) => {
    const copy = bytes.slice();
    for (const [at, value] of edits) copy[at] = value;
    return copy;
  }),
);

const ids = tensor([[2, 5, 6, 7, 3]], { dtype: 'int32' });

fuzz('safetensors from random bytes: parsed or a CheckpointError', RUNS, fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, withHeader) => {
  // Half of the cases start with a plausible header length, so the JSON parser is reached.
  const input = withHeader && bytes.length >= 8 ? (() => { const copy = bytes.slice(); new DataView(copy.buffer).setBigUint64(0, BigInt(bytes.length - 8), true); return copy; })() : bytes;
  typedOrValue(() => parseSafetensors(input));
}));

fuzz('a mutated model checkpoint: the model it loads runs and gives finite logits, or a typed error', RUNS, fc.property(mutated(weights), (bytes) => {
  const outcome = typedOrValue(() => LSGAlbertForSequenceClassification.fromPretrained({ 'config.json': configText, 'model.safetensors': bytes }));
  if (!outcome.ok) return;
  // A mutation inside the values may give NaN or huge (1e38) weights, which overflow as they would
  // anywhere: the logits must then only have their shape.
  const state = stateDictFromSafetensors(bytes);
  const finiteWeights = Object.values(state).every((t) => Array.from(t.toTypedArray()).every((value) => Math.abs(value) < 1e4));
  const logits = outcome.value.forward({ inputIds: ids }).logits;
  if (finiteWeights) expectShapeAndFinite('logits', logits, [1, 2]);
  else if (logits.shape.join() !== '1,2') throw new Error(`logits shape [${logits.shape}]`);
}));

/** config.json with one value replaced by something odd. */
const mutatedConfig = fc.tuple(
  fc.constantFrom(...Object.keys(JSON.parse(configText) as object)),
  fc.oneof(fc.constant(null), fc.constant(-1), fc.constant(0), fc.constant(64), fc.constant('x'), fc.constant([]), fc.constant({}), fc.constant(true), fc.constant(2.5)),
).map(([key, value]) => JSON.stringify({ ...JSON.parse(configText), [key]: value }));

fuzz('a mutated config.json: the model loads and runs, or a typed error', RUNS, fc.property(
  fc.oneof(mutatedConfig, fc.string({ maxLength: 40 }), mutated(new TextEncoder().encode(configText)).map((bytes) => new TextDecoder().decode(bytes))),
  (text) => {
    const outcome = typedOrValue(() => LSGAlbertForSequenceClassification.fromPretrained({ 'config.json': text, 'model.safetensors': weights }));
    if (!outcome.ok) return;
    typedOrValue(() => outcome.value.forward({ inputIds: ids }));
  },
));

// The files `lsgrad train` writes beside a checkpoint, mutated on disk, read by the CLI's loaders.
const root = mkdtempSync(join(tmpdir(), 'lsgrad-fuzz-files-'));
const dense = new AlbertForSequenceClassification(new AlbertConfig(TINY), { rng: createRng(1) });
const denseFiles = dense.toPretrainedFiles();
const META = JSON.stringify({ attention: 'dense', sparsityType: 'norm', blockSize: 4, sparseBlockSize: 4, sparsityFactor: 2, numGlobalTokens: 1, tokenizer: 'utf8-bytes', seqLen: 16 });

fuzz('a checkpoint directory with a mutated lsgrad_model.json, config.json or latest-checkpoint.json: loaded, or a clear error', RUNS, fc.asyncProperty(
  fc.constantFrom('lsgrad_model.json', 'config.json', 'latest-checkpoint.json'),
  fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('{}', 'null', '[]', '{"attention":"lsg"}', '{"path":"../../etc"}', '{"seqLen":-1,"attention":"dense"}')),
  fc.nat(1e6),
  async (name, text, id) => {
    const { loadClassifier } = await import('../../cli/model.js');
    const { resolveCheckpoint } = await import('../../cli/run-state.js');
    const run = join(root, `run-${id}-${Math.random().toString(36).slice(2)}`);
    const checkpoint = join(run, 'checkpoints', 'step-000001');
    mkdirSync(checkpoint, { recursive: true });
    // NOTE: a config.json object missing its sizes builds ALBERT-base (seconds); objects are the previous property's.
    const isObject = (() => { try { const v = JSON.parse(text); return v !== null && typeof v === 'object' && !Array.isArray(v); } catch { return false; } })();
    writeFileSync(join(checkpoint, 'config.json'), name === 'config.json' && !isObject ? text : denseFiles['config.json']);
    writeFileSync(join(checkpoint, 'model.safetensors'), denseFiles['model.safetensors']);
    writeFileSync(join(checkpoint, 'lsgrad_model.json'), name === 'lsgrad_model.json' ? text : META);
    writeFileSync(join(run, 'latest-checkpoint.json'), name === 'latest-checkpoint.json' ? text : JSON.stringify({ step: 1, path: 'checkpoints/step-000001' }));
    try {
      const classifier = await loadClassifier(resolveCheckpoint(run));
      const logits = classifier.forward(tensor([[2, 5, 6, 3]], { dtype: 'int32' }), tensor([[1, 1, 1, 1]], { dtype: 'int32' })).logits;
      expectShapeAndFinite('classifier logits', logits, [1, 2]);
    } catch (error) {
      if (!(error instanceof UsageError) && !((error as Error).constructor.name.endsWith('Error') && (error as { fn?: unknown }).fn !== undefined)) {
        throw new Error(`an untyped ${(error as Error).name} escaped for ${name} = ${JSON.stringify(text)}: ${(error as Error).stack}`);
      }
    } finally {
      rmSync(run, { recursive: true, force: true });
    }
  },
));

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
