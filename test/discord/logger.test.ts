import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/discord/logger.ts';

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
