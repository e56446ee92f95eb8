import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/discord/config.ts';

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

  it('UNCLIP_SHARDS: one connection by default, auto, or a count; anything else named', () => {
    expect(loadConfig({}).shards).toBe(1);
    expect(loadConfig({ UNCLIP_SHARDS: 'auto' }).shards).toBe('auto');
    expect(loadConfig({ UNCLIP_SHARDS: 'AUTO' }).shards).toBe('auto');
    expect(loadConfig({ UNCLIP_SHARDS: '4' }).shards).toBe(4);
    for (const bad of ['0', '-2', '1.5', 'many', '5000']) {
      expect(() => loadConfig({ UNCLIP_SHARDS: bad })).toThrow(`UNCLIP_SHARDS must be auto or a whole number of shards from 1 to 1024 (got "${bad}")`);
    }
  });
});
