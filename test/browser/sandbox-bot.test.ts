/**
 * `npm start` with no DISCORD_TOKEN, as a newcomer runs it: the real bot on the bundled pack joins
 * the sandbox's local Discord, and a person in Chromium runs /imagine, clicks V1, runs /classify and /describe
 * with an uploaded image, then switches the user's Discord language to French and runs /imaginer. Saves a screenshot (docs/sandbox.png, the README's picture, when
 * UPDATE_SCREENSHOT=1; test-results/sandbox.png otherwise).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium, type Browser } from './chromium.ts';

const FIXTURE = 'test/fixtures/world/heldout-000-big-black-circle-on-white.png';
const UPDATE_SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1';
// Image quality does not matter to the assertions: few steps keep the test quick on 2 cores. The
// README's screenshot uses the pack's defaults.
const STEPS = UPDATE_SCREENSHOT ? {} : { UNCLIP_STEPS: '4', UNCLIP_PRIOR_STEPS: '4' };
const WAIT = { timeout: 240_000 };

/** Starts `src/main.ts` as `npm start` does, without a token; resolves with the page's URL once the bot is in. */
let started: ChildProcess | null = null;

function startBot(): Promise<{ child: ChildProcess; url: string; output: string[] }> {
  const output: string[] = [];
  const child = (started = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    // Whatever a developer's .env says, this is the newcomer's run: no token, the bundled pack.
    env: { ...process.env, DISCORD_TOKEN: '', SANDBOX_PORT: '0', UNCLIP_PACK: 'models/shapes-v1', UNCLIP_LOG_LEVEL: 'warn', ...STEPS },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
    lines.on('line', (line) => {
      output.push(line);
      const ready = /The bot is in the sandbox: open (http:\/\/\S+)/.exec(line);
      if (ready) resolve({ child, url: ready[1]!, output });
    });
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before the bot joined the sandbox:\n${output.join('\n')}`)));
  });
}

async function imageLoaded(img: Locator): Promise<{ width: number; height: number }> {
  await img.waitFor(WAIT);
  await expect.poll(() => img.evaluate((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0), WAIT).toBe(true);
  return img.evaluate((i) => ({ width: (i as HTMLImageElement).naturalWidth, height: (i as HTMLImageElement).naturalHeight }));
}

describe.skipIf(!haveChromium)('npm start without a token: the sandbox with the real bot', () => {
  let bot: { child: ChildProcess; url: string; output: string[] };
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    bot = await startBot();
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(bot.url);
    await page.locator('#connection.live').waitFor();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    // Also when it never said it was ready: no process is left behind.
    if (started && started.exitCode === null && started.signalCode === null) {
      const child = started;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('serves the page on 127.0.0.1 and offers the bot\'s commands', async () => {
    expect(new URL(bot.url).hostname).toBe('127.0.0.1');
    await page.fill('#command-input', '/');
    const offered = await page.locator('#command-menu [data-command]').evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset.command));
    expect(offered).toEqual(expect.arrayContaining(['imagine', 'classify', 'vary', 'blend']));
    await page.fill('#command-input', '');
  });

  it('/imagine draws a grid; V1 brings variations of the first image', async () => {
    await page.fill('#command-input', '/imag');
    await page.locator('#command-menu [data-command="imagine"]').click();
    await page.fill('[data-option="prompt"]', 'a big red star on a blue background');
    await page.fill('[data-option="seed"]', '7');
    await page.click('#send');

    const result = page.locator('article.message', { has: page.locator('button[data-custom-id="gen:v:1"]') }).filter({ hasText: 'alice used /imagine' });
    const grid = await imageLoaded(result.locator('.attachment img').first());
    expect(grid.width).toBeGreaterThan(0);
    expect(grid.width).toBe(grid.height);
    expect(await result.locator('.body > .content').innerText()).toContain('a big red star on a blue background');
    for (const emoji of ['1️⃣', '2️⃣', '3️⃣', '4️⃣']) await result.locator(`.reaction[data-emoji="${emoji}"]`).waitFor(WAIT);

    await result.locator('button[data-custom-id="gen:v:1"]').click();
    const variations = page.locator('article.message', { has: page.locator('button[data-custom-id="gen:v:1"]') }).filter({ hasText: 'alice clicked a button' });
    const varied = await imageLoaded(variations.locator('.attachment img').first());
    expect(varied).toEqual(grid);
    expect(await variations.locator('.body > .content').innerText()).toMatch(/variations/i);
  });

  it('/classify scores labels for an uploaded image', async () => {
    await page.fill('#command-input', '/clas');
    await page.locator('#command-menu [data-command="classify"]').click();
    await page.locator('input[type=file][data-option="image"]').setInputFiles(FIXTURE);
    await page.locator('[data-drop="image"].has-file').waitFor();
    await page.fill('[data-option="labels"]', 'a black circle, a red star, a blue square');
    await page.click('#send');

    const result = page.locator('article.message', { has: page.locator('.embed .e-title') }).filter({ hasText: 'alice used /classify' });
    await result.locator('.embed .e-title', { hasText: 'Most likely:' }).waitFor(WAIT);
    const lines = (await result.locator('.embed .e-desc').innerText()).split('\n');
    expect(lines).toHaveLength(3);
    const scores = lines.map((line) => Number(/([\d.]+) %$/.exec(line)?.[1]));
    expect(scores.every((s) => s >= 0 && s <= 100)).toBe(true);
    expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    expect(lines.map((l) => l.split(' — ')[0]).sort()).toEqual(['a black circle', 'a blue square', 'a red star']);
    await imageLoaded(result.locator('.embed img.e-image'));

    mkdirSync(UPDATE_SCREENSHOT ? 'docs' : 'test-results', { recursive: true });
    await page.setViewportSize({ width: 1280, height: 1240 });
    await page.locator('#messages').evaluate((m) => m.scrollTo(0, m.scrollHeight));
    await page.mouse.move(1, 1); // no hover toolbar in the picture
    await page.screenshot({ path: UPDATE_SCREENSHOT ? 'docs/sandbox.png' : 'test-results/sandbox.png' });
  });

  it('/describe ranks the captions of the pack\'s world for an uploaded image', async () => {
    await page.fill('#command-input', '/desc');
    await page.locator('#command-menu [data-command="describe"]').click();
    await page.locator('input[type=file][data-option="image"]').setInputFiles(FIXTURE);
    await page.locator('[data-drop="image"].has-file').waitFor();
    await page.fill('[data-option="count"]', '3');
    await page.click('#send');

    const result = page.locator('article.message', { has: page.locator('.embed .e-title') }).filter({ hasText: 'alice used /describe' });
    await result.locator('.embed .e-title', { hasText: 'Best caption:' }).waitFor(WAIT);
    const lines = (await result.locator('.embed .e-desc').innerText()).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.every((l, i) => l.startsWith(`${i + 1}. `) && / — [\d.]+ %$/.test(l))).toBe(true);
    await imageLoaded(result.locator('.embed img.e-image'));
  });

  it('in French: the language switch shows the commands’ French names, and the bot answers in French', async () => {
    await page.selectOption('#language', 'fr');
    await page.fill('#command-input', '/ima');
    const choice = page.locator('#command-menu [data-command="imagine"]');
    await choice.locator('b', { hasText: '/imaginer' }).waitFor(WAIT);
    expect(await choice.locator('.d').innerText()).toContain('Dessiner');
    await choice.click();
    expect(await page.inputValue('#command-input')).toBe('/imaginer ');
    expect(await page.locator('label[for="opt-prompt"]').innerText()).toContain('texte');
    await page.fill('[data-option="prompt"]', 'a small green circle');
    await page.fill('[data-option="count"]', '1');
    await page.click('#send');
    const result = page.locator('article.message', { has: page.locator('button[data-custom-id="gen:v:1"]') }).filter({ hasText: 'pour une nouvelle graine' });
    await imageLoaded(result.locator('.attachment img').first());
    expect(await result.locator('.body > .content').innerText()).toMatch(/graine \d+ · V1 ou réagissez 🔁 pour des variations/);
    await page.selectOption('#language', 'en-US');
    await page.fill('#command-input', '/ima');
    await page.locator('#command-menu [data-command="imagine"] b', { hasText: /^\/imagine$/ }).waitFor(WAIT);
    await page.fill('#command-input', '');
  });
});
