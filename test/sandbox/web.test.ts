/**
 * The sandbox's server glue without a browser: SANDBOX_PORT, a busy port, and what the page's API
 * answers to requests the page should not make (unknown user, a missing required option).
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { REST, Routes, SlashCommandBuilder } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { sandboxPort, startSandbox, type Sandbox } from '../../src/sandbox/web/sandbox.ts';

let sandbox: Sandbox | null = null;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = null;
});

async function post(path: string, body: unknown) {
  const res = await fetch(`${sandbox!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('the sandbox server', () => {
  it('reads SANDBOX_PORT, 3000 by default, and refuses what is not a port', () => {
    expect(sandboxPort({})).toBe(3000);
    expect(sandboxPort({ SANDBOX_PORT: '0' })).toBe(0);
    expect(sandboxPort({ SANDBOX_PORT: ' 8080 ' })).toBe(8080);
    expect(() => sandboxPort({ SANDBOX_PORT: 'http' })).toThrow('SANDBOX_PORT must be a port number from 0 to 65535 (got "http")');
    expect(() => sandboxPort({ SANDBOX_PORT: '70000' })).toThrow(/SANDBOX_PORT/);
  });

  it('names SANDBOX_PORT when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      await expect(startSandbox({ port })).rejects.toThrow(`the sandbox's port ${port} is in use: set SANDBOX_PORT`);
    } finally {
      blocker.close();
    }
  });

  it('serves the page and the state, and answers 400 with the reason to what Discord\'s client would not send', async () => {
    sandbox = await startSandbox({ port: 0 });
    const page = await fetch(sandbox.url);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    // app.js imports the page's other modules from the same folder; nothing else is served from it.
    const app = await (await fetch(`${sandbox.url}/app.js`)).text();
    for (const [, name] of app.matchAll(/from '\.\/([a-z-]+\.js)'/g)) {
      const module = await fetch(`${sandbox.url}/${name}`);
      expect([name, module.status, module.headers.get('content-type')]).toEqual([name, 200, 'text/javascript; charset=utf-8']);
    }
    expect([...app.matchAll(/from '\.\/([a-z-]+\.js)'/g)].length).toBeGreaterThanOrEqual(5);
    expect((await fetch(`${sandbox.url}/no-such-module.js`)).status).toBe(404);
    expect((await fetch(`${sandbox.url}/%2e%2e/sandbox.ts`)).status).toBe(404);

    const env = sandbox.botEnv;
    await new REST({ api: env.DISCORD_REST_URL! }).setToken(env.DISCORD_TOKEN!).put(Routes.applicationGuildCommands(env.DISCORD_APPLICATION_ID!, env.DISCORD_GUILD_ID!), {
      body: [new SlashCommandBuilder().setName('say').setDescription('d').addStringOption((o) => o.setName('text').setDescription('t').setRequired(true)).toJSON()],
    });
    const state = (await (await fetch(`${sandbox.url}/api/state`)).json()) as { users: { username: string }[]; commands: { name: string }[]; bot: { online: boolean } };
    expect(state.users.map((u) => u.username)).toEqual(['alice', 'bob', 'carol']);
    expect(state.commands.map((c) => c.name)).toEqual(['say']);
    expect(state.bot.online).toBe(false);

    const alice = sandbox.users[0]!.id;
    expect(await post('/api/command', { user: 'nobody', command: 'say', options: { text: 'hi' } })).toEqual({ status: 400, json: { error: 'no simulated user "nobody"' } });
    expect(await post('/api/command', { user: alice, command: 'say', options: {} })).toEqual({
      status: 400,
      json: { error: '/say needs option "text" (Discord\'s client would not send it without)' },
    });
    expect((await post('/api/post', { user: alice, content: '  ' })).status).toBe(400);
    expect((await post('/api/post', { user: alice, content: 'hello' })).status).toBe(200);
    expect(sandbox.discord.channelMessages().map((m) => [m.author.username, m.content])).toEqual([['alice', 'hello']]);
  });

  it('switches a simulated user’s Discord language: their interactions carry it, the state names the commands’ localizations', async () => {
    sandbox = await startSandbox({ port: 0 });
    const env = sandbox.botEnv;
    const say = new SlashCommandBuilder().setName('say').setNameLocalization('fr', 'dire').setDescription('d').setDescriptionLocalization('fr', 'dire quelque chose');
    say.addStringOption((o) => o.setName('text').setNameLocalization('fr', 'texte').setDescription('t').setRequired(true));
    await new REST({ api: env.DISCORD_REST_URL! }).setToken(env.DISCORD_TOKEN!).put(Routes.applicationGuildCommands(env.DISCORD_APPLICATION_ID!, env.DISCORD_GUILD_ID!), { body: [say.toJSON()] });
    const bob = sandbox.users[1]!;
    const stateOf = async (user: string) => (await (await fetch(`${sandbox!.url}/api/state?user=${user}`)).json()) as { locale: string; languages: { locale: string }[]; commands: Record<string, unknown>[] };
    expect((await stateOf(bob.id)).locale).toBe('en-US');
    expect(await post('/api/locale', { user: bob.id, locale: 'de' })).toEqual({ status: 400, json: { error: 'no language "de" (en-US or fr)' } });
    expect(await post('/api/locale', { user: bob.id, locale: 'fr' })).toEqual({ status: 200, json: { ok: true } });
    const state = await stateOf(bob.id);
    expect(state.locale).toBe('fr');
    expect(state.languages.map((l) => l.locale)).toEqual(['en-US', 'fr']);
    expect(state.commands[0]).toMatchObject({ name: 'say', name_localizations: { fr: 'dire' }, description_localizations: { fr: 'dire quelque chose' }, options: [{ name: 'text', name_localizations: { fr: 'texte' } }] });
    expect((await stateOf(sandbox.users[0]!.id)).locale).toBe('en-US');
    const sent = await post('/api/command', { user: bob.id, command: 'say', options: { text: 'salut' } });
    const record = sandbox.discord.interactions.get(String(sent.json.interaction))!;
    expect(record.payload).toMatchObject({ locale: 'fr', guild_locale: 'en-US' });
  });
});
