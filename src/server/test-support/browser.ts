/**
 * @module server/test-support/browser — headless Chromium for the dashboard's browser tests, driven by
 * playwright-core: the system's `/usr/bin/chromium` (nothing downloaded), a fresh profile, and no background
 * networking (a closed network refuses Chromium's own connections, which would show as errors).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser tests can run; they are skipped, saying why, when not. */
export const hasChromium = (): boolean => existsSync(CHROMIUM);

export interface LaunchedBrowser {
  /** The browser's one context, on a fresh profile (Playwright takes the profile folder as its own argument). */
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'tighten-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
