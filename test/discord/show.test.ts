import { describe, expect, it } from 'vitest';
import { messageIdOf } from '../../commands/show.ts';

describe('/show message', () => {
  it('takes a message link or a bare id', () => {
    expect(messageIdOf('https://discord.com/channels/1100000000000000001/1100000000000000002/1100000000000000003')).toBe('1100000000000000003');
    expect(messageIdOf('https://discord.com/channels/@me/1100000000000000002/1100000000000000003')).toBe('1100000000000000003');
    expect(messageIdOf(' 1100000000000000003 ')).toBe('1100000000000000003');
    expect(messageIdOf('not a link')).toBeNull();
  });
});
