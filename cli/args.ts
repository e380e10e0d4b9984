// A small typed flag parser: each command declares its flags once (kind, default, help), and
// gets back a typed record, a --help text, and errors that name the flag, the value and what
// was expected.

export type FlagSpec =
  | { kind: 'int'; default: number; min?: number; max?: number; help: string }
  | { kind: 'float'; default: number; min?: number; max?: number; help: string }
  | { kind: 'string'; default?: string; help: string; placeholder?: string }
  | { kind: 'choice'; choices: readonly string[]; default: string; help: string }
  | { kind: 'bool'; default: boolean; help: string };

export type FlagSpecs = Record<string, FlagSpec>;

/** The parsed value type of each flag: numbers, booleans, one of the choices, or a string. */
export type FlagValues<S extends FlagSpecs> = {
  [K in keyof S]: S[K] extends { kind: 'int' | 'float' } ? number
    : S[K] extends { kind: 'bool' } ? boolean
    : S[K] extends { kind: 'choice'; choices: readonly (infer C)[] } ? C
    : S[K] extends { kind: 'string'; default: string } ? string
    : string | undefined;
};

export interface ParsedArgs<S extends FlagSpecs> {
  flags: FlagValues<S>;
  positionals: string[];
  help: boolean;
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
 * `--name=value`, `--flag` / `--no-flag` for booleans, and `-h`/`--help`.
 * @example parseArgs('train', { steps: { kind: 'int', default: 10, min: 1, help: 'steps' } }, ['--steps', '5']).flags.steps  // 5
 */
export function parseArgs<S extends FlagSpecs>(command: string, specs: S, argv: readonly string[]): ParsedArgs<S> {
  const byName = new Map(Object.keys(specs).map((key) => [flagName(key), key] as const));
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) values[key] = spec.default;
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i]!;
    if (argument === '-h' || argument === '--help') { help = true; continue; }
    if (argument === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (!argument.startsWith('--')) {
      if (argument.startsWith('-') && argument !== '-') {
        throw new UsageError(`${command}: unknown option ${argument}; flags are written --name (see ${command} --help)`);
      }
      positionals.push(argument);
      continue;
    }
    const equals = argument.indexOf('=');
    let name = equals >= 0 ? argument.slice(2, equals) : argument.slice(2);
    let inline = equals >= 0 ? argument.slice(equals + 1) : undefined;
    let key = byName.get(name);
    if (key === undefined && name.startsWith('no-') && specs[byName.get(name.slice(3)) ?? '']?.kind === 'bool') {
      key = byName.get(name.slice(3))!;
      if (inline !== undefined) throw new UsageError(`${command}: --${name} takes no value (got "${inline}")`);
      values[key] = false;
      continue;
    }
    if (key === undefined) {
      const suggestion = closestName(name, [...byName.keys()]);
      throw new UsageError(`${command}: unknown flag --${name}${suggestion ? `; did you mean --${suggestion}?` : ''} (see ${command} --help)`);
    }
    const spec = specs[key]!;
    if (spec.kind === 'bool') {
      values[key] = inline === undefined ? true : parseBoolean(command, name, inline);
      continue;
    }
    if (inline === undefined) {
      if (i + 1 >= argv.length || argv[i + 1]!.startsWith('--')) {
        throw new UsageError(`${command}: --${name} needs a value (${describeExpected(spec)})`);
      }
      inline = argv[++i]!;
    }
    values[key] = parseValue(command, name, spec, inline);
  }
  return { flags: values as FlagValues<S>, positionals, help };
}

function parseBoolean(command: string, name: string, text: string): boolean {
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new UsageError(`${command}: --${name} "${text}" is not a boolean; expected true or false`);
}

function parseValue(command: string, name: string, spec: FlagSpec, text: string): unknown {
  const bad = () => new UsageError(`${command}: --${name} "${text}" is invalid; expected ${describeExpected(spec)}`);
  switch (spec.kind) {
    case 'int':
    case 'float': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) throw bad();
      if (spec.kind === 'int' && !Number.isInteger(value)) throw bad();
      if (spec.min !== undefined && value < spec.min) throw bad();
      if (spec.max !== undefined && value > spec.max) throw bad();
      return value;
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

/**
 * The --help text: usage line, then one aligned line per flag with its default.
 * @example formatHelp('lsgrad train', 'Train a model.', specs)
 */
export function formatHelp(usage: string, description: string, specs: FlagSpecs, sections: Record<string, readonly string[]> = {}): string {
  const rows = Object.entries(specs).map(([key, spec]) => {
    const left = spec.kind === 'bool' ? `--${flagName(key)}` : `--${flagName(key)} ${placeholder(spec)}`;
    const fallback = spec.default === undefined ? '' : ` (default: ${spec.default})`;
    const choices = spec.kind === 'choice' && placeholder(spec) === 'NAME' ? `; one of ${spec.choices.join(', ')}` : '';
    return [left, `${spec.help}${choices}${fallback}`] as const;
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
    case 'choice': return spec.choices.join('|').length <= 16 ? spec.choices.join('|') : 'NAME';
    case 'string': return spec.placeholder ?? 'VALUE';
    case 'bool': return '';
  }
}
