// Test helper: Debian's Chromium (/usr/bin/chromium, installed by .ci/run) driven by playwright-core;
// never a downloaded browser. The network flags keep Chromium from reaching out on its own: this
// machine's network refuses those connections, and a report must not need any.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO } from './cli.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots and rendered reports for people to look at (git-ignored). */
export const TEST_OUTPUT = path.join(REPO, 'test-output');
mkdirSync(TEST_OUTPUT, { recursive: true });

export interface Browser {
  context: BrowserContext;
  close: () => Promise<void>;
}

export async function launchBrowser(options: { javaScriptEnabled?: boolean; colorScheme?: 'light' | 'dark' } = {}): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'apiaudit-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    colorScheme: options.colorScheme ?? 'light',
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface PageProblems {
  dialogs: string[];
  consoleErrors: string[];
  pageErrors: string[];
  /** Every URL the page asked for besides the report file itself. */
  requests: string[];
}

/** Opens a report file, recording dialogs (alert/confirm/prompt), console errors and requests. */
export async function openReport(browser: Browser, file: string): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.context.newPage();
  const problems: PageProblems = { dialogs: [], consoleErrors: [], pageErrors: [], requests: [] };
  const url = `file://${path.resolve(file)}`;
  page.on('dialog', (dialog) => {
    problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  page.on('request', (request) => {
    if (request.url() !== url) problems.requests.push(request.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}
