// Child-process entry of the suite: runs one cell given as JSON in argv[2] and prints
// "RESULT <json>" lines (one per measured mode) for bench/index.ts to collect.
import { runAttentionCell, type AttentionCellSpec } from './attention-cell.js';
import { emit } from './measure.js';
import { runModelCell, type ModelCellSpec } from './model-cell.js';

export type CellSpec = AttentionCellSpec | ModelCellSpec;

const spec = JSON.parse(process.argv[2] ?? 'null') as CellSpec | null;
if (!spec) throw new Error('bench/cell.ts: pass the cell as JSON in the first argument');
if (spec.task === 'attention') await runAttentionCell(spec, emit);
else if (spec.task === 'model') await runModelCell(spec, emit);
else throw new Error(`bench/cell.ts: unknown task in ${process.argv[2]}`);
