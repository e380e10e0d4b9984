// The one command-line parser of the CLI, the benchmarks and the examples. Node's own
// `util.parseArgs` splits the command line into options and positionals (`--name value`,
// `--name=value`, `-h`, `--`); each program declares its flags once (kind, default, help) and gets
// back a typed record, a --help text that shows every default, and errors that name the flag, the
// value and what was expected.
import { parseArgs as splitCommandLine } from 'node:util';

export type FlagSpec =
  | { kind: 'int'; default: number; min?: number; max?: number; help: string }
  | { kind: 'float'; default: number; min?: number; max?: number; help: string }
  | { kind: 'string'; default?: string; help: string; placeholder?: string }
  | { kind: 'choice'; choices: readonly string[]; default: string; help: string }
  | { kind: 'bool'; default: boolean; help: string }
  /** Comma-separated integers, each at least `min`. */
  | { kind: 'ints'; default: readonly number[]; min?: number; help: string }
  /** Comma-separated names; each one of `choices` when given. */
  | { kind: 'list'; default: readonly string[]; choices?: readonly string[]; help: string; placeholder?: string };

export type FlagSpecs = Record<string, FlagSpec>;

/** The parsed value type of each flag: numbers, booleans, one of the choices, lists, or a string. */
export type FlagValues<S extends FlagSpecs> = {
  [K in keyof S]: S[K] extends { kind: 'int' | 'float' } ? number
    : S[K] extends { kind: 'bool' } ? boolean
    : S[K] extends { kind: 'choice'; choices: readonly (infer C)[] } ? C
    : S[K] extends { kind: 'ints' } ? number[]
    : S[K] extends { kind: 'list'; choices: readonly (infer C)[] } ? C[]
    : S[K] extends { kind: 'list' } ? string[]
    : S[K] extends { kind: 'string'; default: string } ? string
    : string | undefined;
};

export interface ParsedArgs<S extends FlagSpecs> {
  flags: FlagValues<S>;
  positionals: string[];
  help: boolean;
  /** The flags written on the command line (camelCase keys), as opposed to defaulted. */
  given: Set<string>;
}

/** Thrown for bad command lines; the CLI prints its message and exits with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `seqLen` → `seq-len`. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/**
 * Parses `argv` (without the command name) against `specs`. Accepts `--name value`,
 * `--name=value`, `--flag` / `--no-flag` for booleans, `-h`/`--help`, and `--` before
 * positionals that start with a dash.
 * @example parseArgs('train', { steps: { kind: 'int', default: 10, min: 1, help: 'steps' } }, ['--steps', '5']).flags.steps  // 5
 */
export function parseArgs<S extends FlagSpecs>(command: string, specs: S, argv: readonly string[]): ParsedArgs<S> {
  const byName = new Map(Object.keys(specs).map((key) => [flagName(key), key] as const));
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, key] of byName) options[name] = { type: specs[key]!.kind === 'bool' ? 'boolean' : 'string' };
  // NOTE: not strict, so that unknown flags and missing values reach the checks below, which
  // name the flag and suggest the closest known one; Node's own messages do neither.
  const { tokens } = splitCommandLine({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) values[key] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
  const positionals: string[] = [];
  const given = new Set<string>();
  let help = false;
  for (const token of tokens) {
    if (token.kind === 'positional') { positionals.push(token.value); continue; }
    if (token.kind === 'option-terminator') continue;
    const { name, rawName } = token;
    const value = token.value;
    if (name === 'help') { help = true; continue; }
    if (!rawName.startsWith('--')) {
      throw new UsageError(`${command}: unknown option ${rawName}; flags are written --name (see ${command} --help)`);
    }
    let key = byName.get(name);
    if (key === undefined && name.startsWith('no-') && specs[byName.get(name.slice(3)) ?? '']?.kind === 'bool') {
      key = byName.get(name.slice(3))!;
      if (value !== undefined) throw new UsageError(`${command}: --${name} takes no value (got "${value}")`);
      values[key] = false;
      given.add(key);
      continue;
    }
    if (key === undefined) {
      const suggestion = closestName(name, [...byName.keys()]);
      throw new UsageError(`${command}: unknown flag --${name}${suggestion ? `; did you mean --${suggestion}?` : ''} (see ${command} --help)`);
    }
    const spec = specs[key]!;
    given.add(key);
    if (spec.kind === 'bool') {
      values[key] = value === undefined ? true : parseBoolean(command, name, value);
      continue;
    }
    // A value that is the next flag (`--lr --steps 5`) means the value was forgotten.
    if (value === undefined || (!token.inlineValue && value.startsWith('--'))) {
      throw new UsageError(`${command}: --${name} needs a value (${describeExpected(spec)})`);
    }
    values[key] = parseValue(command, name, spec, value);
  }
  return { flags: values as FlagValues<S>, positionals, help, given };
}

function parseBoolean(command: string, name: string, text: string): boolean {
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new UsageError(`${command}: --${name} "${text}" is not a boolean; expected true or false`);
}

function parseNumber(text: string, integer: boolean, min?: number, max?: number): number | undefined {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) return undefined;
  if (integer && !Number.isInteger(value)) return undefined;
  if (min !== undefined && value < min) return undefined;
  if (max !== undefined && value > max) return undefined;
  return value;
}

function parseValue(command: string, name: string, spec: FlagSpec, text: string): unknown {
  const bad = () => new UsageError(`${command}: --${name} "${text}" is invalid; expected ${describeExpected(spec)}`);
  switch (spec.kind) {
    case 'int':
    case 'float': {
      const value = parseNumber(text, spec.kind === 'int', spec.min, spec.max);
      if (value === undefined) throw bad();
      return value;
    }
    case 'ints': {
      const numbers = text.split(',').map((part) => parseNumber(part, true, spec.min));
      if (numbers.some((value) => value === undefined)) throw bad();
      return numbers;
    }
    case 'list': {
      const names = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
      if (names.length === 0 || (spec.choices && names.some((part) => !spec.choices!.includes(part)))) throw bad();
      return names;
    }
    case 'choice':
      if (!spec.choices.includes(text)) throw bad();
      return text;
    case 'string':
      return text;
    case 'bool':
      return parseBoolean(command, name, text);
  }
}

function describeExpected(spec: FlagSpec): string {
  switch (spec.kind) {
    case 'int':
    case 'float': {
      const noun = spec.kind === 'int' ? 'an integer' : 'a number';
      if (spec.min !== undefined && spec.max !== undefined) return `${noun} from ${spec.min} to ${spec.max}`;
      if (spec.min !== undefined) return `${noun} >= ${spec.min}`;
      if (spec.max !== undefined) return `${noun} <= ${spec.max}`;
      return noun;
    }
    case 'ints': return `integers${spec.min !== undefined ? ` >= ${spec.min}` : ''} separated by commas`;
    case 'list': return spec.choices ? `names separated by commas, each one of ${spec.choices.join(', ')}` : 'names separated by commas';
    case 'choice': return `one of ${spec.choices.join(', ')}`;
    case 'string': return spec.placeholder ?? 'a string';
    case 'bool': return 'true or false';
  }
}

/** The known name within edit distance 2, if any, for "did you mean". */
function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) { best = candidate; bestDistance = distance; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function describeDefault(spec: FlagSpec): string {
  if (spec.default === undefined) return '';
  if (Array.isArray(spec.default)) return spec.default.length > 0 ? ` (default: ${spec.default.join(',')})` : '';
  return ` (default: ${spec.default})`;
}

/**
 * The --help text: usage line, then one aligned line per flag with its default.
 * @example formatHelp('lsgrad train', 'Train a model.', specs)
 */
export function formatHelp(usage: string, description: string, specs: FlagSpecs, sections: Record<string, readonly string[]> = {}): string {
  const rows = Object.entries(specs).map(([key, spec]) => {
    const left = spec.kind === 'bool' ? `--${flagName(key)}` : `--${flagName(key)} ${placeholder(spec)}`;
    const choices = (spec.kind === 'choice' && placeholder(spec) === 'NAME') || (spec.kind === 'list' && spec.choices) ? `; one of ${spec.choices!.join(', ')}` : '';
    return [left, `${spec.help}${choices}${describeDefault(spec)}`] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length), 10) + 2;
  const lines = [`Usage: ${usage}`, '', description, ''];
  const groups: Record<string, readonly string[]> = Object.keys(sections).length > 0 ? sections : { Options: Object.keys(specs) };
  for (const [title, keys] of Object.entries(groups)) {
    lines.push(`${title}:`);
    for (const key of keys) {
      const row = rows[Object.keys(specs).indexOf(key)];
      if (row) lines.push(`  ${row[0].padEnd(width)}${row[1]}`);
    }
    lines.push('');
  }
  lines.push(`  ${'-h, --help'.padEnd(width)}show this help`);
  return lines.join('\n');
}

function placeholder(spec: FlagSpec): string {
  switch (spec.kind) {
    case 'int': return 'N';
    case 'float': return 'X';
    case 'ints': return 'N,N';
    case 'list': return spec.placeholder ?? 'NAME';
    case 'choice': return spec.choices.join('|').length <= 16 ? spec.choices.join('|') : 'NAME';
    case 'string': return spec.placeholder ?? 'VALUE';
    case 'bool': return '';
  }
}

/**
 * Parses a program's flags or prints its help and exits: for scripts (benchmarks, examples)
 * whose whole interface is a handful of flags. A bad flag prints the error and exits with status 2.
 * @example const { steps } = parseProgramArgs('examples/xor-mlp.ts', 'A perceptron learns XOR.', { steps: { kind: 'int', default: 300, min: 1, help: 'steps' } });
 */
export function parseProgramArgs<S extends FlagSpecs>(program: string, description: string, specs: S, argv: readonly string[] = process.argv.slice(2), usage = `npx tsx ${program} [options]`): FlagValues<S> {
  try {
    const parsed = parseArgs(program, specs, argv);
    if (parsed.help) {
      process.stdout.write(formatHelp(usage, description, specs) + '\n');
      process.exit(0);
    }
    if (parsed.positionals.length > 0) throw new UsageError(`${program}: unexpected argument "${parsed.positionals[0]}" (see --help)`);
    return parsed.flags;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}
