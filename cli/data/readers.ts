// Reads labelled documents from the user's files: JSONL (one object a line), CSV or TSV with a
// header row, or a folder with one subfolder per label holding one text file per document (the
// layout of scikit-learn's load_files). Every error names the file and the line, row or file at
// fault, and what was expected.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { DataError } from '../../engine/index.js';

/** A document as read: its text, its label as written (string or integer), and where it came from. */
export interface RawDocument {
  text: string;
  /** undefined when the reader was asked for text only (pretraining). */
  label?: string;
  /** `file:line`, `file row N (line L)` or the document's own file: what error messages cite. */
  where: string;
}

export interface FieldNames {
  textField: string;
  /** undefined: texts only, no label is read. */
  labelField?: string;
}

export type DataFormat = 'jsonl' | 'csv' | 'tsv' | 'folders' | 'text';

/**
 * A DataError whose message starts with the place at fault (`file:line`, `file row N (line L)`,
 * or a file), as a compiler's does; the CLI prints it (exit status 1).
 * @example throw dataError('reviews.jsonl:4', 'no field "text"; expected ...')
 */
export function dataError(where: string, message: string): DataError {
  return new DataError(where, message);
}

const FORMAT_BY_EXTENSION: Record<string, DataFormat> = { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv', '.tsv': 'tsv', '.txt': 'text' };

/**
 * The format of `path`: a folder, or a file named by its extension.
 * @example formatOf('reviews.jsonl')  // 'jsonl'
 */
export function formatOf(path: string): DataFormat {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    throw dataError(path, `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); expected a .jsonl, .csv, .tsv or .txt file or a folder`);
  }
  if (isDirectory) return 'folders';
  const format = FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
  if (!format) throw dataError(path, `unknown data format "${extname(path) || '(no extension)'}"; expected .jsonl, .csv, .tsv, .txt or a folder`);
  return format;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The file's text; invalid UTF-8 is an error naming the line of the first bad byte. */
export function readUtf8(path: string): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw dataError(path, `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return decodeUtf8(bytes, path);
}

/**
 * UTF-8 bytes as text (a leading byte-order mark dropped); invalid UTF-8 is an error naming
 * `where` and the line of the first bad byte.
 * @example decodeUtf8(new Uint8Array([0x68, 0x69]), 'stdin')  // 'hi'
 */
export function decodeUtf8(bytes: Uint8Array, where: string): string {
  try {
    const text = strictUtf8.decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    throw dataError(`${where}:${lineOfFirstInvalidByte(bytes)}`, `invalid UTF-8; expected text encoded as UTF-8`);
  }
}

function lineOfFirstInvalidByte(bytes: Uint8Array): number {
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try { strictUtf8.decode(bytes.subarray(start, i)); } catch { return line; }
      line++;
      start = i + 1;
    }
  }
  return line;
}

function checkText(value: unknown, where: string, field: string, present: string): string {
  if (value === undefined || value === null) throw dataError(where, `no field "${field}"; expected the text in "${field}" (${present}; --text-field names another)`);
  if (typeof value !== 'string') throw dataError(where, `field "${field}" is ${JSON.stringify(value)}; expected a string`);
  if (value.trim() === '') throw dataError(where, `field "${field}" is empty; expected a non-empty text`);
  return value;
}

function checkLabel(value: unknown, where: string, field: string, present: string): string {
  if (value === undefined || value === null || value === '') throw dataError(where, `no label in field "${field}"; expected a string or an integer (${present}; --label-field names another)`);
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value === 'string') return value.trim();
  throw dataError(where, `label ${JSON.stringify(value)} in field "${field}"; expected a string or an integer`);
}

function describeFields(record: object): string {
  const keys = Object.keys(record);
  return keys.length > 0 ? `fields present: ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', …' : ''}` : 'no fields present';
}

function readJsonl(path: string, fields: FieldNames): RawDocument[] {
  const documents: RawDocument[] = [];
  readUtf8(path).split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${path}:${index + 1}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw dataError(where, `not valid JSON (${(error as Error).message}); expected one JSON object a line`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw dataError(where, `${JSON.stringify(record).slice(0, 40)} is not an object; expected one JSON object a line`);
    }
    const values = record as Record<string, unknown>;
    const present = describeFields(values);
    documents.push({
      text: checkText(values[fields.textField], where, fields.textField, present),
      label: fields.labelField === undefined ? undefined : checkLabel(values[fields.labelField], where, fields.labelField, present),
      where,
    });
  });
  return documents;
}

interface CsvRecord { record: Record<string, string>; info: { lines: number; records: number } }
type ParseCsv = (input: string, options: object) => unknown;

const CSV_PACKAGE = 'csv-parse';

/** csv-parse is an optional peer dependency of lsgrad, loaded only when a CSV or TSV file is read. */
function csvParser(path: string): ParseCsv {
  try {
    return (createRequire(import.meta.url)(`${CSV_PACKAGE}/sync`) as { parse: ParseCsv }).parse;
  } catch (error) {
    throw dataError(path, `reading CSV and TSV needs the ${CSV_PACKAGE} package (an optional peer dependency of lsgrad): npm install ${CSV_PACKAGE}; ${(error as Error).message}`);
  }
}

function readDelimited(path: string, fields: FieldNames, delimiter: ',' | '\t'): RawDocument[] {
  const parseCsv = csvParser(path);
  let records: CsvRecord[];
  try {
    // NOTE: quotes are honoured in CSV only; a TSV field may hold a literal " (as in most TSV exports).
    records = parseCsv(readUtf8(path), { columns: true, delimiter, info: true, skip_empty_lines: true, quote: delimiter === ',' ? '"' : false }) as CsvRecord[];
  } catch (error) {
    if (error instanceof DataError) throw error;
    const lines = (error as { lines?: number }).lines;
    throw dataError(`${path}${lines ? `:${lines}` : ''}`, `${(error as Error).message}; expected ${delimiter === ',' ? 'CSV' : 'TSV'} with a header row`);
  }
  return records.map(({ record, info }) => {
    const where = `${path} row ${info.records} (line ${info.lines})`;
    const present = describeFields(record);
    return {
      text: checkText(record[fields.textField], where, fields.textField, `columns: ${Object.keys(record).join(', ')}`),
      label: fields.labelField === undefined ? undefined : checkLabel(record[fields.labelField], where, fields.labelField, present),
      where,
    };
  });
}

/** Visible entries of a folder, sorted, so that the order never depends on the file system. */
function listFolder(path: string): string[] {
  try {
    return readdirSync(path).filter((name) => !name.startsWith('.')).sort();
  } catch (error) {
    throw dataError(path, `cannot list it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function readTextDocument(path: string): string {
  const text = readUtf8(path);
  if (text.trim() === '') throw dataError(path, `the file is empty; expected a non-empty document`);
  return text;
}

function readLabelFolders(path: string, fields: FieldNames): RawDocument[] {
  const documents: RawDocument[] = [];
  for (const label of listFolder(path)) {
    const folder = join(path, label);
    if (!statSync(folder).isDirectory()) {
      if (fields.labelField !== undefined) throw dataError(folder, `a file beside the label folders; expected only one subfolder per label in ${path}`);
      documents.push({ text: readTextDocument(folder), where: folder });
      continue;
    }
    for (const name of listFolder(folder)) {
      const file = join(folder, name);
      if (statSync(file).isDirectory()) throw dataError(file, `a folder inside the label folder "${label}"; expected one text file per document`);
      documents.push({ text: readTextDocument(file), label: fields.labelField === undefined ? undefined : label, where: file });
    }
  }
  if (documents.length === 0) throw dataError(path, `no documents; expected one subfolder per label, each holding text files`);
  return documents;
}

/** A .txt file of raw text: documents are separated by blank lines (pretraining only). */
function readTextFile(path: string, fields: FieldNames): RawDocument[] {
  if (fields.labelField !== undefined) throw dataError(path, `a .txt file holds no labels; expected .jsonl, .csv, .tsv or label folders for classification`);
  const documents: RawDocument[] = [];
  let block: string[] = [];
  let firstLine = 0;
  const flush = () => {
    const text = block.join('\n').trim();
    if (text !== '') documents.push({ text, where: `${path}:${firstLine}` });
    block = [];
  };
  readUtf8(path).split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') { flush(); return; }
    if (block.length === 0) firstLine = index + 1;
    block.push(line);
  });
  flush();
  return documents;
}

/**
 * Reads every document of `path` (a .jsonl, .csv, .tsv or .txt file, or a folder of label
 * folders), in file order.
 * @example readDocuments('reviews.csv', { textField: 'review', labelField: 'stars' })[0]?.label
 */
export function readDocuments(path: string, fields: FieldNames): RawDocument[] {
  const format = formatOf(path);
  const documents = format === 'jsonl' ? readJsonl(path, fields)
    : format === 'csv' ? readDelimited(path, fields, ',')
    : format === 'tsv' ? readDelimited(path, fields, '\t')
    : format === 'text' ? readTextFile(path, fields)
    : readLabelFolders(path, fields);
  if (documents.length === 0) throw dataError(path, `no documents; expected at least one`);
  return documents;
}
