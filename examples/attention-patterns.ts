// Writes one SVG per LSG sparsity type showing which keys each query attends to, like the LSG
// paper's figure 1: rows are queries, columns are keys; pooled sparse tokens (pooling,
// bos_pooling, lsh) are extra columns on the right, one per group of `factor` tokens.
//
//   npx tsx examples/attention-patterns.ts --length 64 --block-size 8 --factor 4 --out out/attention-patterns
//
// Flags: --length, --block-size, --factor, --head (stride types differ per head), --causal,
// --no-global, --reference-quirks, --out; --model draws the LSG-ALBERT attention instead of the
// standalone layer, with --global-tokens and --sparse-block-size.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProgramArgs } from '../cli/args.js';
import { createRng, ones, randn, type Tensor } from 'lsgrad';
import { createLsgConfig, lsgConnectivity, lsgModelConnectivity, SPARSITY_TYPES, type Connectivity, type SparsityType } from 'lsgrad/lsg';

interface Settings {
  length: number;
  blockSize: number;
  factor: number;
  head: number;
  causal: boolean;
  global: boolean;
  referenceQuirks: boolean;
  out: string;
  model: boolean;
  globalTokens: number;
  sparseBlockSize: number | undefined;
}

const DEFAULTS: Settings = { length: 64, blockSize: 8, factor: 4, head: 0, causal: false, global: true, referenceQuirks: false, out: 'out/attention-patterns', model: false, globalTokens: 1, sparseBlockSize: undefined };

function parseFlags(argv: readonly string[]): Settings {
  const flags = parseProgramArgs('examples/attention-patterns.ts', 'Writes one SVG per LSG sparsity type showing which keys each query attends to.', {
    length: { kind: 'int', default: DEFAULTS.length, min: 1, help: 'tokens (rows and columns)' },
    blockSize: { kind: 'int', default: DEFAULTS.blockSize, min: 1, help: 'LSG local block size' },
    factor: { kind: 'int', default: DEFAULTS.factor, min: 1, help: 'sparsity factor' },
    head: { kind: 'int', default: DEFAULTS.head, min: 0, help: 'which head to draw (stride types differ per head)' },
    causal: { kind: 'bool', default: DEFAULTS.causal, help: 'causal attention' },
    global: { kind: 'bool', default: DEFAULTS.global, help: 'a global token (--no-global: none)' },
    referenceQuirks: { kind: 'bool', default: DEFAULTS.referenceQuirks, help: 'reproduce the reference implementation\'s quirks' },
    model: { kind: 'bool', default: DEFAULTS.model, help: 'draw the LSG-ALBERT attention instead of the standalone layer' },
    globalTokens: { kind: 'int', default: DEFAULTS.globalTokens, min: 0, help: 'global tokens (with --model)' },
    sparseBlockSize: { kind: 'int', default: -1, min: -1, help: 'sparse block size (with --model; -1 = the block size)' },
    out: { kind: 'string', default: DEFAULTS.out, placeholder: 'DIR', help: 'output folder' },
  }, argv);
  return { ...flags, sparseBlockSize: flags.sparseBlockSize >= 0 ? flags.sparseBlockSize : undefined };
}

const CELL = 6;
const MARGIN = 40;
const GAP = 8;

/** A grid of squares: rows × (keys + pooled) counts; count 2 (a duplicated key) in red. */
function connectivitySvg(counts: ArrayLike<number>, rows: number, keys: number, pooled: number, title: string): string {
  const width = MARGIN * 2 + (keys + pooled) * CELL + (pooled ? GAP : 0);
  const height = MARGIN * 2 + rows * CELL;
  const columns = keys + pooled;
  const cells: string[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const count = counts[r * columns + c]!;
      if (!count) continue;
      const x = MARGIN + c * CELL + (c >= keys ? GAP : 0);
      const color = count > 1 ? '#d62728' : c >= keys ? '#2ca02c' : '#1f4e9c';
      cells.push(`<rect x="${x}" y="${MARGIN + r * CELL}" width="${CELL - 1}" height="${CELL - 1}" fill="${color}"/>`);
    }
  }
  const frame = `<rect x="${MARGIN - 1}" y="${MARGIN - 1}" width="${keys * CELL + 1}" height="${rows * CELL + 1}" fill="none" stroke="#999"/>`;
  const pooledFrame = pooled
    ? `<rect x="${MARGIN + keys * CELL + GAP - 1}" y="${MARGIN - 1}" width="${pooled * CELL + 1}" height="${rows * CELL + 1}" fill="none" stroke="#999"/>`
    : '';
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${MARGIN}" y="${MARGIN / 2}">${escape(title)}</text>`,
    `<text x="${MARGIN}" y="${height - MARGIN / 3}">keys →${pooled ? '   (green: pooled sparse tokens)' : ''}</text>`,
    `<text x="${MARGIN / 3}" y="${MARGIN + 12}" transform="rotate(90 ${MARGIN / 3} ${MARGIN + 12})">queries →</text>`,
    frame, pooledFrame, ...cells, '</svg>',
  ].join('\n');
}

function main(): void {
  const settings = parseFlags(process.argv.slice(2));
  mkdirSync(settings.out, { recursive: true });
  const rng = createRng(0);
  const heads = settings.head + 1;
  const rows = settings.model ? settings.globalTokens + settings.length : settings.length;
  const [q, k, v] = [0, 1, 2].map(() => randn([1, heads, rows, 16], { rng })) as [Tensor, Tensor, Tensor];
  for (const sparsityType of SPARSITY_TYPES as readonly SparsityType[]) {
    const lsh = { rng: createRng(1) };
    const connectivity: Connectivity = settings.model
      ? lsgModelConnectivity(q, k, v, ones([1, settings.length]), createLsgConfig({
          blockSize: settings.blockSize,
          sparseBlockSize: settings.sparseBlockSize ?? settings.blockSize,
          sparsityFactor: settings.factor,
          sparsityType,
          numGlobalTokens: settings.globalTokens,
          isCausal: settings.causal,
          referenceQuirks: settings.referenceQuirks,
        }), { lsh })
      : lsgConnectivity(q, k, v, {
          blockSize: settings.blockSize,
          sparsityFactor: settings.factor,
          sparsityType,
          isCausal: settings.causal,
          computeGlobalAttention: settings.global,
          referenceQuirks: settings.referenceQuirks,
          lsh,
        });
    const columns = connectivity.counts.shape[3]!;
    const headCounts = connectivity.counts.narrow(1, settings.head, 1).toTypedArray();
    const pooled = columns - connectivity.numKeys;
    const model = settings.model ? `model, ${settings.globalTokens} global, sparse block ${settings.sparseBlockSize ?? settings.blockSize}, ` : '';
    const title = `${sparsityType}: ${model}length ${settings.length}, block ${settings.blockSize}, factor ${settings.factor}, head ${settings.head}` +
      `${settings.causal ? ', causal' : ''}${settings.global || settings.model ? '' : ', no global'}` +
      `${settings.referenceQuirks ? ', reference quirks' : ''}${settings.length <= 2 * settings.blockSize ? ' (short input: dense)' : ''}`;
    const path = join(settings.out, `${sparsityType}.svg`);
    writeFileSync(path, connectivitySvg(headCounts, rows, connectivity.numKeys, pooled, title));
    console.log(`wrote ${path}`);
  }
}

main();
