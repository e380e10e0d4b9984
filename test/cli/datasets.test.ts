// The user's datasets: every file format gives the same documents, the fixed split by a hash of
// the text, class names, bad input named by file and line, and a three-class run end to end
// (train, eval --data, predict and predict --jsonl) on a tiny model.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../../engine/index.js';
import { classNames, loadDataset, splitOfText, HASH_SPLIT_RULE } from '../../cli/data/dataset.js';
import { readDocuments } from '../../cli/data/readers.js';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'lsgrad-data-'));
const TOPICS: Record<string, string[]> = {
  sport: ['goal', 'match', 'team', 'coach', 'league', 'score', 'player', 'season'],
  politics: ['vote', 'party', 'election', 'senate', 'minister', 'policy', 'campaign', 'law'],
  finance: ['stock', 'market', 'shares', 'bank', 'profit', 'rates', 'bond', 'investor'],
};

/** 90 short documents, 30 a topic, each a seeded draw of its topic's words. */
function corpus(): { text: string; label: string }[] {
  const rng = createRng(7);
  const documents: { text: string; label: string }[] = [];
  for (let i = 0; i < 30; i++) {
    for (const [label, words] of Object.entries(TOPICS)) {
      documents.push({ label, text: `${i}: ${Array.from({ length: 8 }, () => words[rng.int(words.length)]).join(' ')}` });
    }
  }
  return documents;
}

const csvField = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
const write = (name: string, contents: string | Uint8Array) => { const path = join(root, name); writeFileSync(path, contents); return path; };

const cli = runCli;

test('JSONL, CSV, TSV and label folders give the same documents', () => {
  const documents = corpus().slice(0, 12);
  documents[0]!.text = 'a text with "quotes", a comma\nand a second line';
  const jsonl = write('same.jsonl', documents.map((d) => JSON.stringify({ id: 1, body: d.text, topic: d.label })).join('\n') + '\n');
  const csv = write('same.csv', ['topic,body', ...documents.map((d) => `${d.label},${csvField(d.text)}`)].join('\r\n'));
  const tsv = write('same.tsv', ['body\ttopic', ...documents.slice(1).map((d) => `${d.text}\t${d.label}`)].join('\n'));
  const folders = join(root, 'same-folders');
  documents.forEach((d, index) => {
    mkdirSync(join(folders, d.label), { recursive: true });
    writeFileSync(join(folders, d.label, `${String(index).padStart(3, '0')}.txt`), d.text);
  });
  const fields = { textField: 'body', labelField: 'topic' };
  const sorted = (list: { text: string; label?: string }[]) => list.map((d) => `${d.label}|${d.text}`).sort();
  const expected = sorted(documents);
  assert.equal(sorted(readDocuments(jsonl, fields)), expected);
  assert.equal(sorted(readDocuments(csv, fields)), expected);
  assert.equal(sorted(readDocuments(tsv, fields)), sorted(documents.slice(1)));
  assert.equal(sorted(readDocuments(folders, fields)), expected);
  assert.is(readDocuments(jsonl, fields)[2]!.where, `${jsonl}:3`);
  assert.match(readDocuments(csv, fields)[1]!.where, /same\.csv row 2 \(line 4\)$/); // row 1 spans lines 2–3
});

test('the split is a fixed function of the text, about 80/10/10, and --validation / --test replace their part', () => {
  assert.is(splitOfText('hello world'), 'train');
  const counts = { train: 0, validation: 0, test: 0 };
  for (let i = 0; i < 2000; i++) counts[splitOfText(`document ${i}`)]++;
  assert.ok(Math.abs(counts.train / 2000 - 0.8) < 0.03 && Math.abs(counts.test / 2000 - 0.1) < 0.02, JSON.stringify(counts));
  const documents = corpus();
  const path = write('topics.jsonl', documents.map((d) => JSON.stringify(d)).join('\n'));
  const shuffled = write('topics-shuffled.jsonl', [...documents].reverse().map((d) => JSON.stringify(d)).join('\n'));
  const fields = { textField: 'text', labelField: 'label' };
  const none = { train: 0, validation: 0, test: 0 };
  const dataset = loadDataset({ data: path, ...fields }, none);
  const keysOf = (list: { text: string }[]) => list.map((d) => d.text).sort();
  assert.equal(keysOf(loadDataset({ data: shuffled, ...fields }, none).test), keysOf(dataset.test)); // order does not matter
  assert.equal(dataset.train.length + dataset.validation.length + dataset.test.length, 90);
  for (const part of ['train', 'validation', 'test'] as const) for (const d of dataset[part]) assert.is(splitOfText(d.text), part);
  assert.equal(dataset.labels, ['finance', 'politics', 'sport']);
  assert.is(dataset.split, HASH_SPLIT_RULE);
  const heldOut = write('held-out.jsonl', documents.slice(0, 6).map((d) => JSON.stringify(d)).join('\n'));
  const withTest = loadDataset({ data: path, ...fields, test: heldOut }, none);
  assert.is(withTest.test.length, 6);
  assert.is(withTest.train.length, 90 - dataset.validation.length);
  assert.match(withTest.split, /--test file as given/);
});

test('class names: integers in numeric order, names in code-point order', () => {
  assert.equal(classNames(['10', '2', '-1', '2']), ['-1', '2', '10']);
  assert.equal(classNames(['pos', 'neg', 'Neutral']), ['Neutral', 'neg', 'pos']);
  const integers = write('integers.jsonl', corpus().map((d) => JSON.stringify({ text: d.text, label: Object.keys(TOPICS).indexOf(d.label) * 5 })).join('\n'));
  assert.equal(loadDataset({ data: integers, textField: 'text', labelField: 'label' }, { train: 0, validation: 0, test: 0 }).labels, ['0', '5', '10']);
});

test('bad data is named by file and line (or row, or file) with what was expected', () => {
  const fields = { textField: 'text', labelField: 'label' };
  const load = (path: string, extra: object = {}) => loadDataset({ data: path, ...fields, ...extra }, { train: 0, validation: 0, test: 0 });
  const good = corpus().map((d) => JSON.stringify(d));
  const expectError = (run: () => unknown, pattern: RegExp) => {
    try { run(); assert.unreachable('no error'); } catch (error) { assert.match((error as Error).message, pattern); }
  };
  expectError(() => load(write('missing.jsonl', [...good.slice(0, 3), '{"body": "x", "label": "a"}'].join('\n'))), /missing\.jsonl:4: no field "text"; expected the text in "text" \(fields present: body, label; --text-field names another\)/);
  expectError(() => load(write('empty.jsonl', [good[0], '{"text": "  ", "label": "a"}'].join('\n'))), /empty\.jsonl:2: field "text" is empty/);
  expectError(() => load(write('nolabel.csv', 'text,label\nhello,\n')), /nolabel\.csv row 1 \(line 2\): no label in field "label"/);
  expectError(() => load(write('badjson.jsonl', `${good[0]}\n{"text": "x",\n`)), /badjson\.jsonl:2: not valid JSON/);
  const bytes = new Uint8Array([...new TextEncoder().encode(`${good[0]}\n${good[1]}\n{"text": "caf`), 0xe9, ...new TextEncoder().encode('", "label": "a"}\n')]);
  expectError(() => load(write('latin1.jsonl', bytes)), /latin1\.jsonl:3: invalid UTF-8/);
  expectError(() => load(join(root, 'nowhere.jsonl')), /nowhere\.jsonl: cannot read it \(ENOENT\)/);
  expectError(() => load(write('data.xml', '<x/>')), /unknown data format "\.xml"; expected \.jsonl, \.csv, \.tsv, \.txt or a folder/);
  const oneClass = corpus().map((d) => JSON.stringify({ ...d, label: 'sport' }));
  expectError(() => load(write('one-class.jsonl', oneClass.join('\n'))), /every training document has the label "sport"; expected two or more classes/);
  const unseen = write('unseen.jsonl', [good[0], JSON.stringify({ text: 'weather news', label: 'weather' })].join('\n'));
  expectError(() => load(write('known.jsonl', good.join('\n')), { test: unseen }), /unseen\.jsonl:2: label "weather" never occurs in the training documents; expected one of finance, politics, sport/);
  const folders = join(root, 'bad-folders');
  mkdirSync(join(folders, 'a'), { recursive: true });
  writeFileSync(join(folders, 'a', 'empty.txt'), '\n');
  expectError(() => load(folders), /bad-folders\/a\/empty\.txt: the file is empty/);
});

const TINY = [
  '--tokenizer', 'bytes', '--seq-len', '64', '--short-seq-len', '0', '--steps', '4', '--batch-size', '4', '--warmup', '1', '--eval-every', '0', '--checkpoint-every', '0',
  '--hidden-size', '16', '--embedding-size', '8', '--intermediate-size', '32', '--heads', '2', '--num-layers', '1',
  '--block-size', '16', '--sparse-block-size', '16', '--quiet', '--threads', '1',
];

test('a three-class JSONL run: train, eval --data, predict and predict --jsonl', async () => {
  const path = write('run.jsonl', corpus().map((d) => JSON.stringify(d)).join('\n'));
  const out = join(root, 'run');
  const trained = await cli(['train', ...TINY, '--data', path, '--out', out]);
  assert.is(trained.status, 0, trained.stderr);
  assert.match(trained.stderr, /3 classes \(finance, politics, sport\); fixed 80\/10\/10 split by the MD5 of each document's text/);
  assert.match(trained.stderr, /baseline \(.*\): test acc \d+\.\d+% · macro P/);
  const config = JSON.parse(readFileSync(join(out, 'checkpoints/step-000004/config.json'), 'utf8'));
  assert.equal(config.id2label, { 0: 'finance', 1: 'politics', 2: 'sport' });
  assert.equal(config.label2id, { finance: 0, politics: 1, sport: 2 });
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.equal(metrics.test.perClass.map((entry: { label: string }) => entry.label), ['finance', 'politics', 'sport']);
  assert.is(metrics.test.confusion.flat().reduce((a: number, b: number) => a + b, 0), metrics.test.count);
  assert.is(metrics.data.labels.length, 3);

  const evaluated = await cli(['eval', out, '--data', path, '--json', '--threads', '1']);
  assert.is(evaluated.status, 0, evaluated.stderr);
  assert.is(JSON.parse(evaluated.stdout).count, 90); // the whole file
  const ownTest = await cli(['eval', out, '--threads', '1']);
  assert.match(ownTest.stdout, new RegExp(`run\\.jsonl test \\(${metrics.test.count} documents, 64 tokens\\): acc`));
  assert.match(ownTest.stdout, /confusion \(rows: true class, columns: predicted\)/);

  const document = write('one.txt', 'goal match team coach');
  const predicted = await cli(['predict', out, document, '--json']);
  assert.is(predicted.status, 0, predicted.stderr);
  const answer = JSON.parse(predicted.stdout);
  assert.equal(Object.keys(answer.probabilities), ['finance', 'politics', 'sport']);
  assert.ok(Math.abs(Object.values(answer.probabilities as Record<string, number>).reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.match((await cli(['predict', out, document])).stdout, /^(finance|politics|sport) \(P\(\w+\) = 0\.\d{4}, P\(\w+\) = 0\.\d{4}, P\(\w+\) = 0\.\d{4}\); 21 of 21 bytes read\n$/);
  const lines = write('many.jsonl', ['{"text": "vote party"}', '', '{"text": "stock market"}'].join('\n'));
  const many = await cli(['predict', out, lines, '--jsonl']);
  assert.is(many.status, 0, many.stderr);
  assert.is(many.stdout.trim().split('\n').length, 2);
  assert.ok(many.stdout.trim().split('\n').every((line) => 'probabilities' in JSON.parse(line)));

  const unseen = write('unseen-eval.jsonl', '{"text": "sunny", "label": "weather"}\n');
  const refused = await cli(['eval', out, '--data', unseen]);
  assert.is(refused.status, 1);
  assert.match(refused.stderr, /unseen-eval\.jsonl:1: label "weather" never occurs in the training documents; expected one of finance, politics, sport/);
  assert.match((await cli(['predict', out, join(root, 'absent.txt')])).stderr, /document file ".*absent\.txt" does not exist/);
});

test('bad data fails before anything is written to --out', async () => {
  const out = join(root, 'never');
  const result = await cli(['train', ...TINY, '--data', write('single.jsonl', '{"text": "a b", "label": "x"}\n{"text": "c d", "label": "x"}\n'), '--out', out]);
  assert.is(result.status, 1);
  assert.match(result.stderr, /single\.jsonl/);
  assert.not.ok(existsSync(out));
});

test.run();
