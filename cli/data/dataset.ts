// A labelled dataset for train / eval: the built-in SpamAssassin corpus, or the user's files
// (see readers.ts), with class names, and train / validation / test parts fixed by a hash of
// each document's text.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { loadCorpus, splitEmails, splitOf, SPLIT_NAMES, type SplitName } from './corpus.js';
import { dataError, readDocuments, type RawDocument } from './readers.js';

/** One labelled document. `label` indexes the dataset's `labels`. */
export interface Example {
  /** Unique within the dataset: the corpus key, or `file:line` / `file row N` / the document's file. */
  key: string;
  /** The corpus group (spam-assassin), or the class name. */
  group: string;
  text: string;
  label: number;
}

/** Where the documents come from, as given on the command line (saved with a model). */
export interface DataSpec {
  /** `spam-assassin` or a path. */
  data: string;
  textField: string;
  labelField: string;
  /** Separate validation / test files; without them, parts of `data` by the hash split. */
  validation?: string;
  test?: string;
}

/**
 * The data flags of a run, paths made absolute so that a checkpoint names its data from anywhere.
 * @example dataSpecOf({ data: 'reviews.jsonl', textField: 'text', labelField: 'label' }).data  // '/home/me/reviews.jsonl'
 */
export function dataSpecOf(flags: { data: string; textField: string; labelField: string; validation?: string; test?: string }): DataSpec {
  const path = (value: string) => (value === BUILT_IN_DATASET ? value : resolve(value));
  return {
    data: path(flags.data), textField: flags.textField, labelField: flags.labelField,
    ...(flags.validation !== undefined ? { validation: resolve(flags.validation) } : {}),
    ...(flags.test !== undefined ? { test: resolve(flags.test) } : {}),
  };
}

export interface Dataset {
  /** What the run log and metrics.json call it. */
  name: string;
  /** Class names by class id. */
  labels: string[];
  train: Example[];
  validation: Example[];
  test: Example[];
  /** How train / validation / test were formed, in words. */
  split: string;
}

export const BUILT_IN_DATASET = 'spam-assassin';
export const SPAM_LABELS = ['ham', 'spam'];

/** The hash split rule in words: for the run log, metrics.json and the docs. */
export const HASH_SPLIT_RULE = 'fixed 80/10/10 split by the MD5 of each document\'s text: its first 8 hex digits as a fraction of 2^32 put it in train below 0.8, validation below 0.9, test otherwise';

/**
 * The part of the fixed split a document's text falls in: the same 80/10/10 rule as the spam
 * corpus, on the MD5 of its UTF-8 text. Identical texts always land together, and neither the
 * file order nor a seed moves a document between parts.
 * @example splitOfText('hello world')  // 'train' (MD5 5eb63bbb… = 0.37)
 */
export function splitOfText(text: string): SplitName {
  return splitOf(createHash('md5').update(text, 'utf8').digest('hex'));
}

/**
 * Class names from the labels as written: integers in numeric order, otherwise names in code-point
 * order, so the class ids never depend on the file order.
 * @example classNames(['pos', 'neg', 'pos'])  // ['neg', 'pos']
 */
export function classNames(labels: readonly string[]): string[] {
  const unique = [...new Set(labels)];
  const integers = unique.every((label) => /^-?\d+$/.test(label));
  return integers ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort();
}

/**
 * Documents as examples of a model's classes; a label outside `labels` is an error naming where
 * it was read and what the classes are.
 */
export function toExamples(documents: readonly RawDocument[], labels: readonly string[]): Example[] {
  const ids = new Map(labels.map((name, id) => [name, id] as const));
  return documents.map((document) => {
    const label = ids.get(document.label ?? '');
    if (label === undefined) {
      throw dataError(document.where, `label "${document.label}" never occurs in the training documents; expected one of ${labels.join(', ')}`);
    }
    return { key: document.where, group: document.label!, text: document.text, label };
  });
}

/** Keeps `count` items spread evenly over `items` (all when count is 0 or larger). */
export function spreadEvenly<T>(items: readonly T[], count: number): T[] {
  if (count <= 0 || count >= items.length) return [...items];
  const picked: T[] = [];
  for (let i = 0; i < count; i++) picked.push(items[Math.floor((i * items.length) / count)]!);
  return picked;
}

export interface Limits {
  /** Examples kept per part, spread evenly (0 = all). */
  train: number;
  validation: number;
  test: number;
}

function loadSpamAssassin(limits: Limits): Dataset {
  const corpus = loadCorpus();
  const part = (split: SplitName, limit: number): Example[] => splitEmails(corpus, split, limit || undefined);
  return {
    name: BUILT_IN_DATASET,
    labels: [...SPAM_LABELS],
    train: part('train', limits.train),
    validation: part('validation', limits.validation),
    test: part('test', limits.test),
    split: 'fixed 80/10/10 split by the MD5 checksum shipped with each email (see docs/training.md)',
  };
}

/**
 * Loads the dataset of `spec`: every document is read and checked before anything is trained,
 * so bad data fails fast. Without --validation / --test files, those parts are cut from --data by
 * the hash split; with them, the documents of --data that the split would have put there train too.
 * @example loadDataset({ data: 'reviews.jsonl', textField: 'text', labelField: 'label' }, { train: 0, validation: 0, test: 0 }).labels
 */
export function loadDataset(spec: DataSpec, limits: Limits): Dataset {
  if (spec.data === BUILT_IN_DATASET) {
    if (spec.validation !== undefined || spec.test !== undefined) {
      throw dataError('--validation / --test', `the built-in ${BUILT_IN_DATASET} corpus has its fixed split; expected them only with --data PATH`);
    }
    return loadSpamAssassin(limits);
  }
  const fields = { textField: spec.textField, labelField: spec.labelField };
  const documents = readDocuments(spec.data, fields);
  const parts: Record<SplitName, RawDocument[]> = { train: [], validation: [], test: [] };
  for (const document of documents) {
    const split = splitOfText(document.text);
    const separate = (split === 'validation' && spec.validation !== undefined) || (split === 'test' && spec.test !== undefined);
    parts[separate ? 'train' : split].push(document);
  }
  if (spec.validation !== undefined) parts.validation = readDocuments(spec.validation, fields);
  if (spec.test !== undefined) parts.test = readDocuments(spec.test, fields);
  for (const split of SPLIT_NAMES) {
    if (parts[split].length === 0) {
      throw dataError(spec.data, `the ${split} part is empty (${documents.length} documents in all); expected enough documents for the 80/10/10 split, or --${split === 'train' ? 'data' : split} FILE`);
    }
  }
  const labels = classNames(parts.train.map((document) => document.label!));
  if (labels.length < 2) {
    throw dataError(spec.data, `every training document has the label "${labels[0]}"; expected two or more classes`);
  }
  const given = [spec.validation && 'validation', spec.test && 'test'].filter(Boolean);
  return {
    name: resolve(spec.data),
    labels,
    train: spreadEvenly(toExamples(parts.train, labels), limits.train),
    validation: spreadEvenly(toExamples(parts.validation, labels), limits.validation),
    test: spreadEvenly(toExamples(parts.test, labels), limits.test),
    split: given.length === 2 ? 'train = all of --data; --validation and --test files as given'
      : `${HASH_SPLIT_RULE}${given.length > 0 ? `; --${given[0]} file as given (those documents of --data train)` : ''}`,
  };
}

/**
 * The documents of one labelled file as examples of a trained model's classes (lsgrad eval --data).
 * @example loadLabelledFile('more.jsonl', spec, ['neg', 'pos']).length
 */
export function loadLabelledFile(path: string, fields: Pick<DataSpec, 'textField' | 'labelField'>, labels: readonly string[]): Example[] {
  return toExamples(readDocuments(path, fields), labels);
}

/** `train 40 (neg 20, pos 20)`: for the run log. */
export function describePart(name: string, examples: readonly Example[], labels: readonly string[]): string {
  const counts = new Array<number>(labels.length).fill(0);
  for (const example of examples) counts[example.label]!++;
  const shown = labels.length <= 6 ? labels.map((label, id) => `${counts[id]} ${label}`).join(', ') : `${labels.length} classes`;
  return `${name} ${examples.length} (${shown})`;
}
