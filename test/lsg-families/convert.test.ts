// `lsgrad convert` on BERT, RoBERTa and XLM-RoBERTa: converting each golden case's dense base gives
// the reference's converted checkpoint bit for bit; lengths the reference mishandles; heads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertToLsg, convertToLsgFiles, referencePositionRows } from '../../lsg/convert.js';
import { LSGRobertaForMaskedLM, LSGXLMRobertaForSequenceClassification } from '../../lsg/index.js';
import { FIXTURES, readCase, intTensor } from '../nn/golden-helpers.js';
import { readJson, converterFlagsOf, denseBaseOf, expectSameTensors, comparableToReference } from '../helpers/checkpoints.js';
import { LSG_FAMILY_CASES } from './cases.js';

/** Each family's dense base for the head the fixtures converted from a stored dense case. */
const STORED_BASE: Record<string, { head: string; name: string }> = {
  bert: { head: 'lsg_mlm', name: 'dense_mlm_t40' },
  roberta: { head: 'lsg_mlm', name: 'dense_mlm_t48' },
  'xlm-roberta': { head: 'lsg_tok', name: 'dense_tok_t56' },
};


for (const [family, name] of LSG_FAMILY_CASES) {
  test(`${family}/${name}: converting the dense base gives the reference's checkpoint bit for bit`, () => {
    const work = mkdtempSync(join(tmpdir(), 'lsgrad-convert-'));
    try {
      const lsgDir = `${FIXTURES}${family}/${name}`;
      const expectedConfig = readJson(join(lsgDir, 'config.json'));
      const offset = family === 'bert' ? 0 : 2;
      const stored = STORED_BASE[family]!;
      let denseDir = `${FIXTURES}${family}/${stored.name}`;
      if (!name.startsWith(stored.head)) {
        denseDir = join(work, 'dense');
        denseBaseOf(lsgDir, denseDir, 512 + offset);
      }
      // BERT configs have no bos id and the fixtures' vocabulary is not bert-base's: the ids are
      // given, as the reference read them from its tokenizer. RoBERTa's come from the config (<s> 0)
      // and the last id (<mask> 99).
      const ids = family === 'bert' ? { bosTokenId: 2, maskTokenId: 4 } : {};
      const report = convertToLsg(denseDir, join(work, 'lsg'), { ...converterFlagsOf(expectedConfig, offset), ...ids });
      assert.equal(report.initialised, []);
      assert.equal(report.dropped, []);
      expectSameTensors(join(work, 'lsg', 'model.safetensors'), join(lsgDir, 'model.safetensors'));
      assert.equal(comparableToReference(readJson(join(work, 'lsg', 'config.json'))), comparableToReference(expectedConfig));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

test('BERT without tokenizer files: the bert-base ids 101/103 do not fit a 100-word vocabulary, and the error names the flags', () => {
  const work = mkdtempSync(join(tmpdir(), 'lsgrad-convert-'));
  try {
    assert.throws(() => convertToLsg(`${FIXTURES}bert/dense_mlm_t40`, work, { maxSequenceLength: 1024 }),
      /bosTokenId is 101 is invalid|bosTokenId 101 is invalid.*word id in \[0, 100\).*--bos-token-id \/ --mask-token-id/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('RoBERTa to a length the reference mishandles (1025: it writes 1026 rows for a config of 1027): lsgrad writes 1027 and says so', () => {
  assert.is(referencePositionRows(1025, 512, 2), 1026);
  assert.is(referencePositionRows(1024, 512, 2), 1026);
  assert.is(referencePositionRows(1193, 512, 2), 1195);
  const dir = `${FIXTURES}roberta/dense_mlm_t48`;
  const files = { 'config.json': readFileSync(join(dir, 'config.json'), 'utf8'), 'model.safetensors': new Uint8Array(readFileSync(join(dir, 'model.safetensors'))) };
  const { files: converted, report } = convertToLsgFiles(files, { maxSequenceLength: 1025, blockSize: 16, sparseBlockSize: 16 });
  assert.is(report.notes.length, 1);
  assert.match(report.notes[0]!, /reference converter would write only 1026 position rows for --max-sequence-length 1025/);
  const model = LSGRobertaForMaskedLM.fromPretrained(converted);
  assert.equal(model.baseModel.embeddings.positionEmbeddings.weight.shape, [1027, 32]);
  // A 1025-token input reaches position row 1026, the one the reference's table lacks.
  const ids = intTensor({ shape: [1, 1025], data: Array.from({ length: 1025 }, (_, i) => 4 + (i % 90)) });
  assert.equal(model.forward({ inputIds: ids }).logits.shape, [1, 1025, 100]);
});

test('--architecture keeps exactly the target class keys: new heads initialised and reported, others dropped', () => {
  const golden = readCase('dense_tok_t56', 'xlm-roberta');
  const files = { 'config.json': readFileSync(join(golden.dir, 'config.json'), 'utf8'), 'model.safetensors': new Uint8Array(readFileSync(join(golden.dir, 'model.safetensors'))) };
  const { files: converted, report } = convertToLsgFiles(files, { maxSequenceLength: 1024, architecture: 'XLMRobertaForSequenceClassification' });
  assert.is(report.architecture, 'LSGXLMRobertaForSequenceClassification');
  assert.equal(report.initialised.sort(), ['classifier.dense.bias', 'classifier.dense.weight', 'classifier.out_proj.bias', 'classifier.out_proj.weight']);
  assert.equal(report.dropped.sort(), ['classifier.bias', 'classifier.weight']);
  // strict loading (lsgrad's own, as PyTorch's) accepts the output.
  const model = LSGXLMRobertaForSequenceClassification.fromPretrained(converted);
  assert.equal(JSON.parse(converted['config.json']).architectures, ['LSGXLMRobertaForSequenceClassification']);
  assert.ok(model.stateDict()['classifier.out_proj.weight']);
});

test.run();
