/** `npm start` as a process: SIGTERM with jobs queued stops taking jobs, finishes the running one, exits 0. */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { deployCommands } from '../../src/discord/deploy.ts';
import { LocalDiscordDriver } from '../../src/sandbox/index.ts';
import { hasResult, sandboxEnv } from './harness.ts';

let discord: LocalDiscordDriver | undefined;

afterAll(async () => {
  await discord?.stop();
});

describe('shutdown', () => {
  it('on SIGTERM with jobs queued: the running job finishes, the waiting ones are told, the process exits 0', async () => {
    discord = await LocalDiscordDriver.start();
    await deployCommands({ token: discord.token, restUrl: discord.apiUrl, guildId: discord.guildId });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, ...sandboxEnv(discord, { UNCLIP_STEPS: '40' }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await discord.gateway.waitForReady();
      const users = ['kim', 'lee', 'max'].map((n) => discord!.addUser(n));
      const runs = users.map((u) => discord!.slash(u, 'imagine', { prompt: `a big ${u.username} star`, count: 4 }));
      await runs[2]!.waitForMessage((m) => m.content.includes('Queued: position 2'));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    const finished = outcomes(discord);
    expect(finished.results).toBeGreaterThanOrEqual(1);
    expect(finished.told).toBeGreaterThanOrEqual(1);
    expect(finished.results + finished.told).toBe(3);
    expect(output).toContain('"msg":"stopped"');
    expect(output).not.toContain(discord.token);
    discord.assertNoUnhandledRequests();
  });
});

function outcomes(discord: LocalDiscordDriver) {
  const messages = [...discord.interactions.values()].flatMap((i) => (i.originalMessageId ? [discord.messageById(i.originalMessageId).message] : []));
  return {
    results: messages.filter(hasResult).length,
    told: messages.filter((m) => m.content.includes('shutting down')).length,
  };
}
