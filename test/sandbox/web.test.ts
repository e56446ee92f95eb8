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
});
