import { describe, expect, it } from 'vitest';
import { checkAttachment } from '../../src/discord/attachments.ts';

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
