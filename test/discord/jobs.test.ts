/** startJob's outcomes, with a reply that records what a person would see (no Discord needed here). */
import { describe, expect, it } from 'vitest';
import type { Message } from 'discord.js';
import { UserInputError } from '../../src/engine/index.ts';
import type { BotContext } from '../../src/discord/context.ts';
import { startJob } from '../../src/discord/jobs.ts';
import { createLogger } from '../../src/discord/logger.ts';
import { Reply, type ReplyPayload } from '../../src/discord/replies.ts';
import { InferenceQueue } from '../../src/queue/index.ts';

class RecordingReply extends Reply {
  readonly shown: { payload: ReplyPayload; final: boolean }[] = [];
  readonly errors: string[] = [];
  constructor(userId: string) {
    super(userId, 'channel', 'guild', createLogger({ write: () => {} }));
  }
  protected async send(payload: ReplyPayload, final: boolean): Promise<Message | null> {
    this.shown.push({ payload, final });
    return null;
  }
  async targetMessageId(): Promise<string | null> {
    return null;
  }
  async userError(text: string): Promise<void> {
    this.errors.push(text);
  }
  get last(): string {
    return this.shown.at(-1)?.payload.content ?? '';
  }
}

function context(queue = new InferenceQueue({ jobTimeoutMs: 200 })): BotContext {
  return { queue, log: createLogger({ write: () => {} }), inflight: new Set() } as unknown as BotContext;
}

async function settle(ctx: BotContext) {
  while (ctx.inflight.size) await Promise.allSettled([...ctx.inflight]);
}

describe('startJob', () => {
  it('a model error fails that job with a message, and the next job still runs', async () => {
    const ctx = context();
    const broken = new RecordingReply('a');
    const fine = new RecordingReply('b');
    const request = (run: () => Promise<string>) => ({ userId: 'u', label: 'x', headline: 'H', run, render: (r: string) => ({ content: r }) });
    startJob(ctx, broken, request(async () => { throw new Error('onnxruntime: invalid dimensions'); }), () => {});
    startJob(ctx, fine, request(async () => 'the result'), () => {});
    await settle(ctx);
    expect(broken.last).toBe('H\n⚠️ The model failed on this one. Nothing else is affected; please try again.');
    expect(broken.last).not.toContain('onnxruntime');
    expect(fine.last).toBe('the result');
  });

  it('a user error goes to userError; a timeout says so; a refusal never acknowledges', async () => {
    const ctx = context(new InferenceQueue({ jobTimeoutMs: 100, perUser: 1, abortGraceMs: 50 }));
    const bad = new RecordingReply('a');
    startJob(ctx, bad, { userId: 'a', label: 'x', headline: 'H', run: async () => { throw new UserInputError('The image is corrupt.'); }, render: () => ({ content: '' }) }, () => {});
    await settle(ctx);
    expect(bad.errors).toEqual(['The image is corrupt.']);

    const slow = new RecordingReply('b');
    startJob(ctx, slow, { userId: 'b', label: 'x', headline: 'H', run: () => new Promise(() => {}), render: () => ({ content: '' }) }, () => {});
    const refused = new RecordingReply('b');
    let acknowledged = false;
    const ok = startJob(ctx, refused, { userId: 'b', label: 'x', headline: 'H', run: async () => 'x', render: () => ({ content: '' }) }, () => (acknowledged = true));
    expect(ok).toBe(false);
    expect(acknowledged).toBe(false);
    await settle(ctx);
    expect(refused.errors[0]).toMatch(/already have 1 job waiting/);
    expect(slow.last).toMatch(/longer than 0 s and was stopped/);
  });
});
