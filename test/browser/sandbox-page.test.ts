/**
 * The sandbox page in Debian's Chromium, against a small discord.js bot: commands offered from what
 * the bot registered, options filled in, files by picker and by drag and drop, embeds and images
 * drawn, buttons, reactions, ephemeral replies, modals, switching users, live updates.
 */
import { readFileSync } from 'node:fs';
import type { Client } from 'discord.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/web/sandbox.ts';
import { messageIdOf } from '../../commands/show.ts';
import { haveChromium, launchChromium, type Browser } from './chromium.ts';
import { startEchoBot } from './echo-bot.ts';

const FIXTURE = 'test/fixtures/world/heldout-000-big-black-circle-on-white.png';

describe.skipIf(!haveChromium)('the sandbox page', () => {
  let sandbox: Sandbox;
  let bot: Client;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    bot = await startEchoBot(sandbox.botEnv);
    browser = await launchChromium();
    page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(sandbox.url);
    await page.locator('#connection.live').waitFor();
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await bot?.destroy();
    await sandbox?.stop();
  });

  async function runCommand(name: string, fill: (page: Page) => Promise<void>) {
    await page.fill('#command-input', `/${name.slice(0, 2)}`);
    await page.locator(`#command-menu [data-command="${name}"]`).click();
    await fill(page);
    await page.click('#send');
  }

  it('offers the registered slash commands', async () => {
    await page.fill('#command-input', '/');
    const offered = await page.locator('#command-menu [data-command]').evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset.command));
    expect(offered).toEqual(['draw', 'game', 'size']);
    await page.fill('#command-input', '');
  });

  it('runs a command and draws the reply: text, mention, embed, image, buttons, the bot\'s reaction', async () => {
    await runCommand('draw', async (p) => {
      await p.fill('[data-option="prompt"]', 'a big red star');
      await p.fill('[data-option="count"]', '3');
    });
    const reply = page.locator('article.message', { hasText: 'a big red star' });
    await reply.locator('.attachment img').waitFor();
    await expect.poll(() => reply.locator('.attachment img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(96);
    expect(await reply.locator('.body > .content').innerText()).toContain('a big red star for @alice ×3');
    expect(await reply.locator('.used').innerText()).toBe('alice used /draw');
    expect(await reply.locator('.embed .e-title').innerText()).toBe('Details');
    expect(await reply.locator('button[data-custom-id="off"]').isDisabled()).toBe(true);
    await reply.locator('.reaction[data-emoji="1️⃣"]').waitFor();
    expect(await reply.locator('.reaction[data-emoji="1️⃣"] .count').innerText()).toBe('1');
  });

  it('copies a message link (Copy Message Link) that /show takes', async () => {
    const reply = page.locator('article.message', { hasText: 'a big red star' }).first();
    await reply.hover();
    const button = reply.locator('button.copy-link');
    const link = await button.getAttribute('data-link');
    expect(link).toMatch(/^https:\/\/discord\.com\/channels\/\d+\/\d+\/\d+$/);
    expect(messageIdOf(link!)).toBe(link!.split('/').pop());
    await button.click();
    await page.locator('#status .info', { hasText: link! }).waitFor();
  });

  it('clicks a button and reacts, as the chosen user', async () => {
    const reply = page.locator('article.message', { hasText: 'a big red star' });
    await reply.locator('button[data-custom-id="v1"]').click();
    await page.locator('article.message', { hasText: 'alice clicked v1' }).waitFor();

    await reply.locator('.reaction[data-emoji="1️⃣"]').click();
    await reply.locator('.reaction.me[data-emoji="1️⃣"] .count', { hasText: '2' }).waitFor();
    const message = sandbox.discord.channelMessages().find((m) => m.content.includes('a big red star'))!;
    expect(sandbox.discord.messageById(message.id).reactions.get('1️⃣')).toEqual([sandbox.discord.bot.id, sandbox.users[0]!.id]);
    await reply.locator('.reaction[data-emoji="1️⃣"]').click();
    await reply.locator('.reaction:not(.me)[data-emoji="1️⃣"] .count', { hasText: '1' }).waitFor();

    await reply.hover();
    await reply.locator('.add-reaction').click();
    await page.locator('#picker button', { hasText: '🔁' }).click();
    await reply.locator('.reaction.me[data-emoji="🔁"]').waitFor();
  });

  it('uploads an attachment with the file picker; the ephemeral reply is seen by its user only', async () => {
    await runCommand('size', (p) => p.locator('input[type=file][data-option="image"]').setInputFiles(FIXTURE));
    const bytes = readFileSync(FIXTURE).length;
    const ephemeral = page.locator('article.message.ephemeral', { hasText: `${bytes} bytes` });
    await ephemeral.waitFor();
    expect(await ephemeral.locator('.ephemeral-note').innerText()).toContain('Only you can see this');

    await page.locator('#users label[data-user="bob"]').click();
    await page.locator('#users label.me[data-user="bob"]').waitFor();
    await page.locator('article.message', { hasText: 'a big red star' }).waitFor();
    expect(await page.locator('article.message.ephemeral').count()).toBe(0);
  });

  it('takes a file dropped on the option', async () => {
    await runCommand('size', async (p) => {
      const data = readFileSync(FIXTURE).toString('base64');
      const transfer = await p.evaluateHandle((b64) => {
        const dt = new DataTransfer();
        dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'dropped.png', { type: 'image/png' }));
        return dt;
      }, data);
      await p.dispatchEvent('[data-drop="image"]', 'drop', { dataTransfer: transfer });
      await p.locator('[data-drop="image"].has-file').waitFor();
    });
    await page.locator('article.message.ephemeral', { hasText: 'dropped.png:' }).waitFor();
    const interaction = [...sandbox.discord.interactions.values()].at(-1)!;
    expect(interaction.user.username).toBe('bob');
  });

  it('posts messages, opens a message command\'s modal and submits it', async () => {
    await page.fill('#command-input', 'hello from bob');
    await page.keyboard.press('Enter');
    const posted = page.locator('article.message[data-author="bob"]', { hasText: 'hello from bob' });
    await posted.waitFor();
    await posted.hover();
    await posted.locator('.apps').click();
    await page.locator('#picker .app', { hasText: 'Label it' }).click();
    await page.locator('#modal-fields input[name="labels"]').fill('cat, dog');
    await page.click('#modal-submit');
    await page.locator('article.message', { hasText: 'bob labelled: cat, dog' }).waitFor();
  });

  it('fills in subcommands, choices, users and booleans', async () => {
    await runCommand('game', async (p) => {
      await p.locator('[data-subcommand="start"]').click();
      await p.selectOption('[data-option="theme"]', 'hearts');
    });
    await page.locator('article.message', { hasText: 'game start theme=hearts' }).waitFor();
    await runCommand('game', async (p) => {
      await p.locator('[data-subcommand="vote"]').click();
      await p.selectOption('[data-option="for"]', { label: 'carol' });
      await p.selectOption('[data-option="secret"]', 'true');
    });
    await page.locator('article.message', { hasText: 'game vote for=carol secret=true' }).waitFor();
  });

  it('a cancelled modal closes and stays closed after a reload; the next one opens', async () => {
    const posted = page.locator('article.message[data-author="bob"]', { hasText: 'hello from bob' });
    for (const action of ['cancel', 'submit'] as const) {
      await posted.hover();
      await posted.locator('.apps').click();
      await page.locator('#picker .app', { hasText: 'Label it' }).click();
      await page.locator('#modal-fields input[name="labels"]').fill(`${action}led`);
      await page.click(action === 'cancel' ? '#modal-cancel' : '#modal-submit');
      await page.locator('#modal').waitFor({ state: 'hidden' });
      if (action === 'cancel') {
        // A cancelled modal stays closed after a reload (it used to come back on every one).
        await page.reload();
        await posted.waitFor();
        await page.waitForTimeout(500); // the state has arrived and been drawn
        expect(await page.locator('#modal').isHidden()).toBe(true);
      }
    }
    await page.locator('article.message', { hasText: 'bob labelled: submitled' }).waitFor();
    expect(await page.locator('article.message', { hasText: 'cancelled' }).count()).toBe(0);
  });

  it('shows what happens in the channel live, without a reload', async () => {
    await sandbox.discord.post(sandbox.users[2]!, 'carol was here');
    await page.locator('article.message[data-author="carol"]', { hasText: 'carol was here' }).waitFor();
    sandbox.discord.assertNoUnhandledRequests();
  });
});
