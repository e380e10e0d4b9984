import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import '../helpers/property-seed.js';
import { encodeBytes, decodeBytes, SPECIAL_TOKENS, BYTE_OFFSET, VOCAB_SIZE } from '../../cli/data/tokenizer.js';
import { batchIndices, seededPermutation, encodeSet, encodeRows, gatherRows } from '../../cli/data/batches.js';
import { loadCorpus, splitEmails, splitOf, labelOf, labelCounts } from '../../cli/data/corpus.js';
import { bodyOf, subjectOf } from '../../cli/data/mail.js';

test('encodeBytes lays out [CLS] bytes [SEP] [PAD]...', () => {
  const encoded = encodeBytes('hi', 6);
  assert.equal([...encoded.inputIds], [SPECIAL_TOKENS.cls, 104 + BYTE_OFFSET, 105 + BYTE_OFFSET, SPECIAL_TOKENS.sep, 0, 0]);
  assert.equal([...encoded.attentionMask], [1, 1, 1, 1, 0, 0]);
  assert.is(encoded.length, 4);
});

test('encodeBytes truncates to seqLen - 2 bytes and keeps SEP last', () => {
  const encoded = encodeBytes('abcdefgh', 5);
  assert.equal([...encoded.inputIds], [SPECIAL_TOKENS.cls, 97 + BYTE_OFFSET, 98 + BYTE_OFFSET, 99 + BYTE_OFFSET, SPECIAL_TOKENS.sep]);
  assert.equal([...encoded.attentionMask], [1, 1, 1, 1, 1]);
});

test('encodeBytes rejects a seqLen with no room for CLS and SEP', () => {
  assert.throws(() => encodeBytes('x', 1), /seqLen 1 .*>= 2/);
});

test('byte round trip for any string that fits (property)', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
    const bytes = new TextEncoder().encode(text).length;
    const encoded = encodeBytes(text, bytes + 2 + 3);
    assert.is(decodeBytes(encoded.inputIds), text);
    for (const id of encoded.inputIds) assert.ok(id >= 0 && id < VOCAB_SIZE);
  }));
});

test('splitOf is a fixed function of the checksum', () => {
  assert.is(splitOf('00000000aaaa'), 'train');
  assert.is(splitOf('cd000000'), 'validation'); // 0.80078
  assert.is(splitOf('e7000000'), 'test');       // 0.90234
  assert.is(splitOf('7c53336b37003a9286aba55d2945844c'), 'train');
  assert.throws(() => splitOf('xyz'), /not hexadecimal/);
});

test('labels: spam groups are 1, ham groups 0', () => {
  assert.is(labelOf('spam-2'), 1);
  assert.is(labelOf('hard-ham-1'), 0);
  assert.is(labelOf('easy-ham-1'), 0);
});

test('the corpus split has the documented sizes and never overlaps', () => {
  const corpus = loadCorpus();
  assert.is(corpus.length, 6046);
  const train = splitEmails(corpus, 'train');
  const validation = splitEmails(corpus, 'validation');
  const test_ = splitEmails(corpus, 'test');
  assert.equal([train.length, validation.length, test_.length], [4816, 598, 632]);
  assert.equal(labelCounts(test_), { ham: 425, spam: 207 });
  const keys = new Set([...train, ...validation, ...test_].map((email) => email.key));
  assert.is(keys.size, 6046);
});

test('--limit spreads over the corpus groups instead of taking the first emails', () => {
  const limited = splitEmails(loadCorpus(), 'train', 100);
  assert.is(limited.length, 100);
  const counts = labelCounts(limited);
  assert.ok(counts.spam > 20 && counts.ham > 50, `expected both classes, got ${JSON.stringify(counts)}`);
  assert.throws(() => splitEmails(loadCorpus(), 'train', -1), /limit -1/);
});

test('batches depend only on (seed, step) and cover each epoch once', () => {
  const epoch = [1, 2, 3].flatMap((step) => batchIndices(12, 4, step, 7));
  assert.equal([...epoch].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.equal(batchIndices(12, 4, 3, 7), batchIndices(12, 4, 3, 7));
  assert.not.equal(batchIndices(12, 4, 1, 7), batchIndices(12, 4, 1, 8));
  assert.not.equal(batchIndices(12, 4, 1, 7), batchIndices(12, 4, 4, 7)); // next epoch, new order
  assert.equal([...seededPermutation(5, 1)].sort(), [0, 1, 2, 3, 4]);
  assert.throws(() => batchIndices(12, 4, 0, 7), /step 0/);
});

test('encodeSet and gatherRows keep rows aligned with labels', () => {
  const set = encodeSet(['a', 'bb', 'ccc'], [0, 1, 0], 6);
  const batch = gatherRows(set, [2, 0]);
  assert.equal([...batch.labels], [0, 0]);
  assert.equal([...batch.attentionMask], [1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0]);
});

test('gatherRows computes only the padding a batch needs, and cuts long rows as encoding would', () => {
  const texts = ['a'.repeat(10), 'b'.repeat(100), 'c'.repeat(300)];
  const set = encodeSet(texts, [0, 1, 0], 400);
  assert.equal([...set.lengths], [12, 102, 302]);
  assert.equal(gatherRows(set, [0]).width, 64);          // 12 tokens, rounded up to WIDTH_MULTIPLE
  assert.equal(gatherRows(set, [0, 1]).width, 128);      // the longest row decides
  assert.equal(gatherRows(set, [2, 0]).width, 320);
  const cut = gatherRows(set, [2, 0], 64);
  assert.equal(cut.width, 64);
  const shortSet = encodeSet(texts, [0, 1, 0], 64);
  // Row 0 (300 bytes) cut at 64 equals the row encoded at 64; row 1 (10 bytes) is untouched.
  assert.equal([...cut.inputIds.subarray(0, 64)], [...shortSet.inputIds.subarray(2 * 64, 3 * 64)]);
  assert.equal([...cut.attentionMask.subarray(0, 64)], [...shortSet.attentionMask.subarray(2 * 64, 3 * 64)]);
  assert.equal([...cut.inputIds.subarray(64, 128)], [...shortSet.inputIds.subarray(0, 64)]);
  assert.throws(() => gatherRows(set, [0], 1), /maxWidth 1/);
});

test('encodeRows encodes a batch on the spot exactly as gatherRows gathers it from the whole set', () => {
  const utf8 = new TextEncoder();
  const texts = ['a'.repeat(10), 'b'.repeat(100), 'c'.repeat(300), 'héllo'];
  const documents = { bytes: texts.map((text) => utf8.encode(text)), labels: Int32Array.from([0, 1, 0, 1]), seqLen: 400, encode: encodeBytes, sepId: SPECIAL_TOKENS.sep };
  const set = encodeSet(texts, [0, 1, 0, 1], 400);
  for (const [indices, maxWidth] of [[[2, 0], 400], [[2, 0], 64], [[3, 1, 1], 400], [[0], 8]] as const) {
    const expected = gatherRows(set, indices, maxWidth);
    const batch = encodeRows(documents, indices, maxWidth);
    assert.is(batch.width, expected.width);
    assert.equal([...batch.inputIds], [...expected.inputIds]);
    assert.equal([...batch.attentionMask], [...expected.attentionMask]);
    assert.equal([...batch.labels], [...expected.labels]);
  }
});

test('subjectOf reads the first Subject header, unfolded, and ignores the body', () => {
  assert.is(subjectOf('From: a\nSubject: Hello\n  world\nTo: b\n\nbody'), 'Hello world');
  assert.is(subjectOf('SUBJECT:caps\n\n'), 'caps');
  assert.is(subjectOf('From: a\n\nSubject: in the body'), '');
});

test('bodyOf cuts the header block at the first empty line, LF or CRLF', () => {
  assert.is(bodyOf('From: a\nSubject: b\n\nline 1\n\nline 2'), 'line 1\n\nline 2');
  assert.is(bodyOf('From: a\r\n\r\nbody'), 'body');
  assert.is(bodyOf('From: a\nSubject: headers only'), '');
});

test.run();
