/** Replies on their own: edits serialized, statuses coalesced, nothing after the result; dead tokens recognised; the words for the queue's codes. */
import { describe, expect, it } from 'vitest';
import { DiscordAPIError, RESTJSONErrorCodes, type Message } from 'discord.js';
import { createLogger } from '../../src/discord/logger.ts';
import { isDeadTokenError, Reply, type ReplyPayload } from '../../src/discord/replies.ts';
import { queueErrorText, rejectText } from '../../src/discord/texts.ts';
import { JobCancelledError, JobPostponedError, JobTimeoutError, QueueClosedError } from '../../src/queue/index.ts';

/** A reply whose edits take as long as the test says, recording them in order. */
class SlowReply extends Reply {
  readonly sent: string[] = [];
  readonly releases: (() => void)[] = [];
  constructor() {
    super('u', 'c', 'g', createLogger({ write: () => {} }));
  }
  protected send(payload: ReplyPayload, final: boolean): Promise<Message | null> {
    return new Promise((resolve) =>
      this.releases.push(() => {
        this.sent.push(`${final ? 'final' : 'status'}: ${payload.content}`);
        resolve(final ? ({ id: 'm' } as Message) : null);
      }),
    );
  }
  async targetMessageId(): Promise<string | null> {
    return null;
  }
  async userError(): Promise<void> {}
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Reply', () => {
  it('sends one edit at a time, only the newest of the statuses that piled up, and none after the result', async () => {
    const reply = new SlowReply();
    reply.status({ content: 'position 3' });
    await tick();
    reply.status({ content: 'position 2' });
    reply.status({ content: 'position 1' });
    await tick();
    expect(reply.releases).toHaveLength(1); // the first edit still in flight: nothing else sent yet
    reply.releases.shift()!();
    await tick();
    expect(reply.releases).toHaveLength(1);
    reply.releases.shift()!();
    const final = reply.final({ content: 'the result' });
    reply.status({ content: 'step 9/10' });
    await tick();
    reply.releases.shift()!();
    expect((await final)?.id).toBe('m');
    await tick();
    expect(reply.releases).toHaveLength(0);
    expect(reply.sent).toEqual(['status: position 3', 'status: position 1', 'final: the result']);
  });

  it('knows the codes that mean an interaction token is dead', () => {
    const error = (code: number) => new DiscordAPIError({ code, message: 'x' }, code, 404, 'PATCH', '/webhooks/1/t/messages/@original', {});
    expect(isDeadTokenError(error(RESTJSONErrorCodes.InvalidWebhookToken))).toBe(true);
    expect(isDeadTokenError(error(RESTJSONErrorCodes.UnknownInteraction))).toBe(true);
    expect(isDeadTokenError(error(RESTJSONErrorCodes.MissingPermissions))).toBe(false);
    expect(isDeadTokenError(new Error('Unknown Webhook'))).toBe(false);
  });
});

describe('texts for the queue’s codes', () => {
  it('say what happened and what to do', () => {
    const limits = { perUser: 2, global: 50 };
    expect(rejectText('user-limit', limits)).toMatch(/already have 2 jobs waiting or running/);
    expect(rejectText('user-limit', { perUser: 1, global: 50 })).toMatch(/already have 1 job waiting/);
    expect(rejectText('global-limit', limits)).toBe('The queue is full (50 jobs). Please try again in a few minutes.');
    expect(rejectText('closed', limits)).toMatch(/shutting down and is not taking new jobs/);
    expect(queueErrorText(new JobCancelledError())).toBe('✖️ Cancelled.');
    expect(queueErrorText(new JobTimeoutError(300))).toMatch(/longer than 300 s and was stopped/);
    expect(queueErrorText(new QueueClosedError())).toMatch(/did not run this/);
    expect(queueErrorText(new JobPostponedError())).toMatch(/keeps its place/);
    // The queue's own messages name the mechanism, not the user.
    expect(new JobTimeoutError(300).message).not.toMatch(/Try/);
  });
});
