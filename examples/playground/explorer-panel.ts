/** The pattern explorer's controls, picture and counts; redrawn whenever a control changes. */
import { SPARSITY_TYPES, type SparsityType } from 'lsgrad/lsg';
import { byId, checkedIn, compact, messageOf, numberIn, valueIn } from './dom.js';
import { explorePattern, type PatternResult, type PatternSettings } from './pattern.js';

/** The explorer's settings as the controls show them now. */
export function explorerSettings(): PatternSettings {
  return {
    seqLen: numberIn('p-seqLen'), blockSize: numberIn('p-blockSize'), sparseBlockSize: numberIn('p-sparseBlockSize'),
    sparsityFactor: numberIn('p-sparsityFactor'), sparsityType: valueIn('p-sparsityType') as SparsityType,
    numGlobalTokens: numberIn('p-numGlobalTokens'), causal: checkedIn('p-causal'), maskFirstToken: checkedIn('p-maskFirstToken'),
    heads: numberIn('p-heads'), head: numberIn('p-head'), headDim: numberIn('p-headDim'), seed: numberIn('p-seed'),
  };
}

function countsTable(result: PatternResult, settings: PatternSettings): string {
  const { lsg, dense } = result;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(3)}×`;
  const rows = [
    ['keys per token query', `${result.keysPerQuery.mean.toFixed(1)} (min ${result.keysPerQuery.min}, max ${result.keysPerQuery.max})`, String(settings.seqLen), ''],
    ['fraction of the dense matrix', result.fractionOfDense.toFixed(3), '1', ''],
    ['attention FLOPs (all heads)', compact(lsg.flops), compact(dense.flops), ratio(lsg.flops, dense.flops)],
    ['score memory (float32, all heads)', `${compact(lsg.scoreBytes)}B`, `${compact(dense.scoreBytes)}B`, ratio(lsg.scoreBytes, dense.scoreBytes)],
  ];
  return `<table><thead><tr><th></th><th>LSG</th><th>dense</th><th>LSG / dense</th></tr></thead><tbody>${
    rows.map(([name, a, b, c]) => `<tr><td>${name}</td><td id="p-count-${rows.findIndex((row) => row[0] === name)}">${a}</td><td>${b}</td><td>${c}</td></tr>`).join('')
  }</tbody></table>`;
}

/** Recomputes the picture and counts, or shows the library's error for an invalid combination. */
let revision = 0;

export function redrawExplorer(): PatternResult | null {
  // Tests wait for the revision to move before they read the picture and counts.
  byId('explorer').dataset.revision = String(++revision);
  const settings = explorerSettings();
  byId<HTMLInputElement>('p-head').max = String(Math.max(0, settings.heads - 1));
  try {
    const result = explorePattern(settings);
    byId('p-error').textContent = '';
    byId('p-picture').innerHTML = result.svg;
    byId('p-counts').innerHTML = countsTable(result, settings);
    byId('p-keysPerQuery').textContent = result.keysPerQuery.mean.toFixed(2);
    const notes = [
      result.dataDependent ? `${settings.sparsityType} picks its sparse keys from the inputs: these are seeded random queries and keys (seed ${settings.seed}); change the seed to see another draw.` : '',
      result.isShort ? `At most 2 blocks of tokens (${settings.seqLen} ≤ 2 × ${settings.blockSize}): LSG runs plain dense attention.` : '',
      settings.causal ? 'Causal is the reference\'s is_decoder, which lsgrad allows only with referenceQuirks (set here): only the block product is causal; global tokens still see everything.' : '',
      `FLOPs count q·kᵀ and p·v at head size ${settings.headDim}; LSG's count includes the padded slots its block layout computes.`,
    ];
    byId('p-notes').innerHTML = notes.filter(Boolean).map((note) => `<li>${note}</li>`).join('');
    return result;
  } catch (error) {
    byId('p-error').textContent = messageOf(error);
    byId('p-picture').innerHTML = '';
    byId('p-counts').innerHTML = '';
    byId('p-keysPerQuery').textContent = '';
    return null;
  }
}

export function setUpExplorer(): void {
  byId('p-sparsityType').innerHTML = SPARSITY_TYPES.map((type) => `<option${type === 'norm' ? ' selected' : ''}>${type}</option>`).join('');
  let pending: ReturnType<typeof setTimeout> | undefined;
  byId('explorer-form').addEventListener('input', () => {
    clearTimeout(pending);
    pending = setTimeout(redrawExplorer, 120);
  });
  redrawExplorer();
}
