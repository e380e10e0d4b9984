// Debian's Chromium (apt-get install chromium), driven by playwright-core. Nothing is downloaded:
// playwright-core has no browser of its own, and the flags below keep Chromium off the network.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export interface Chromium {
  readonly browser: Browser | null;
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile; close() also removes the profile. */
export async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'lsgrad-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`launchChromium: ${CHROMIUM_PATH} did not start (install Debian's chromium: apt-get install chromium): ${(error as Error).message.split('\n')[0]}`);
  }
  return {
    browser: context.browser(),
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
