import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/discord/config.ts';
import { createLogger } from '../../src/discord/logger.ts';
import { checkAttachment } from '../../src/discord/attachments.ts';
import { cellForReaction, customIds, parseCustomId } from '../../src/discord/custom-ids.ts';
import { messageIdOf } from '../../commands/show.ts';

describe('config', () => {
  it('has defaults for everything but the token', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ token: null, packDir: 'models/shapes-v1', device: 'cpu', queue: { perUser: 3, global: 50, jobTimeoutMs: 300_000 }, cdnHosts: ['cdn.discordapp.com', 'media.discordapp.net'] });
  });

  it('lists every problem at once, one clear line each', () => {
    try {
      loadConfig({ DISCORD_TOKEN: 'not a token', UNCLIP_QUEUE_PER_USER: 'three', DISCORD_GUILD_ID: '12', DISCORD_REST_URL: 'ftp://x', UNCLIP_DEVICE: 'tpu' });
      throw new Error('no error');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(5);
      expect(problems.join('\n')).toMatch(/DISCORD_TOKEN does not look like a bot token/);
      expect(problems.join('\n')).toMatch(/UNCLIP_QUEUE_PER_USER must be a whole number from 1 to 100 \(got "three"\)/);
      expect((error as Error).message).not.toContain('not a token');
    }
  });

  it('adds local CDN hosts and trims the REST URL', () => {
    const config = loadConfig({ DISCORD_REST_URL: 'http://127.0.0.1:8080/api/', DISCORD_CDN_HOSTS: '127.0.0.1:8080' });
    expect(config.restUrl).toBe('http://127.0.0.1:8080/api');
    expect(config.cdnHosts).toContain('127.0.0.1:8080');
  });

  it('UNCLIP_DB: ./data/unclip.db by default, and whether it was set', () => {
    expect(loadConfig({})).toMatchObject({ dbPath: './data/unclip.db', dbPathSet: false });
    expect(loadConfig({ UNCLIP_DB: '/var/lib/unclip/bot.db' })).toMatchObject({ dbPath: '/var/lib/unclip/bot.db', dbPathSet: true });
  });
});

describe('logger', () => {
  it('never prints the token or an interaction token, whatever is logged', () => {
    const lines: string[] = [];
    const token = 'MTAxMjM0NTY3ODkwMTIzNDU2.GabcDe.abcdefghijklmnopqrstuvwxyz0123456';
    const log = createLogger({ secrets: [token], write: (l) => lines.push(l) });
    log.info(`login with ${token}`, { headers: { authorization: `Bot ${token}` }, error: new Error(`bad ${token}`) });
    log.child({ a: 1 }).warn('webhook', { url: '/webhooks/1/aW50ZXJhY3Rpb246abcdefghijklmnopqrstuvwxyz/messages/@original' });
    expect(lines.join('\n')).not.toContain(token);
    expect(lines.join('\n')).not.toContain('aW50ZXJhY3Rpb246abc');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', msg: 'login with [redacted]' });
  });

  it('filters by level', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', write: (l) => lines.push(l) });
    log.info('no');
    log.error('yes');
    expect(lines).toHaveLength(1);
  });
});

describe('attachments', () => {
  const policy = { hosts: ['cdn.discordapp.com', 'media.discordapp.net'], maxBytes: 10 * 1024 * 1024 };
  const ok = { name: 'a.png', url: 'https://cdn.discordapp.com/attachments/1/2/a.png?ex=1', size: 1000, contentType: 'image/png' };
  it('accepts an image on the CDN', () => expect(() => checkAttachment(ok, policy)).not.toThrow());
  it.each([
    [{ url: 'https://evil.example/a.png' }, /not on Discord's CDN \(evil\.example\)/],
    [{ url: 'https://cdn.discordapp.com.evil.example/a.png' }, /not on Discord's CDN/],
    [{ size: 0 }, /empty \(0 bytes\)/],
    [{ size: 11 * 1024 * 1024 }, /11\.0 MiB; the limit is 10\.0 MiB/],
    [{ contentType: 'image/svg+xml' }, /SVG/],
    [{ contentType: 'application/pdf' }, /not an image \(application\/pdf\)/],
  ])('refuses %o before downloading', (change, message) => {
    expect(() => checkAttachment({ ...ok, ...change }, policy)).toThrow(message);
  });
});

describe('custom ids', () => {
  it('round-trip, and reactions map to cells', () => {
    expect(parseCustomId(customIds.variations(2))).toEqual({ kind: 'variations', cell: 2 });
    expect(parseCustomId(customIds.again())).toEqual({ kind: 'again' });
    expect(parseCustomId(customIds.cancel('17'))).toEqual({ kind: 'cancel', jobId: '17' });
    expect(parseCustomId(customIds.vote(42))).toEqual({ kind: 'vote', entryId: 42 });
    expect(parseCustomId('battle:vote:x')).toBeNull();
    expect(parseCustomId('gen:v:9')).toBeNull();
    expect(cellForReaction('2️⃣', 4)).toBe(1);
    expect(cellForReaction('4️⃣', 2)).toBeNull();
    expect(cellForReaction('🔁', 1)).toBe(0);
    expect(cellForReaction('🔁', 4)).toBeNull();
  });
});

describe('/show message', () => {
  it('takes a message link or a bare id', () => {
    expect(messageIdOf('https://discord.com/channels/1100000000000000001/1100000000000000002/1100000000000000003')).toBe('1100000000000000003');
    expect(messageIdOf('https://discord.com/channels/@me/1100000000000000002/1100000000000000003')).toBe('1100000000000000003');
    expect(messageIdOf(' 1100000000000000003 ')).toBe('1100000000000000003');
    expect(messageIdOf('not a link')).toBeNull();
  });
});
