// One seed for every fast-check property of the suite, so that `npm test` (and CI) checks the same
// cases on every run: a property that fails once fails again, on any machine. Importing this module
// sets fast-check's global seed. LSGRAD_FUZZ_SEED picks another one, which is how `npm run fuzz` and
// a researcher exploring new cases run them; a failure prints the seed and path that replay it.
import fc from 'fast-check';

/** The seed of this run: LSGRAD_FUZZ_SEED when set, else a fixed one. */
export const PROPERTY_SEED = readSeed(process.env.LSGRAD_FUZZ_SEED);

function readSeed(text: string | undefined): number {
  if (text === undefined || text === '') return 20261202;
  const seed = Number(text);
  if (!Number.isInteger(seed)) throw new Error(`LSGRAD_FUZZ_SEED is ${JSON.stringify(text)}; expected an integer`);
  return seed;
}

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: PROPERTY_SEED });
