/** Small doubles for the Discord layer's unit tests: a reply that records what a person would see, and a context on a real queue and an in-memory store. */
import type { Message } from 'discord.js';
import type { Progress } from '../../src/engine/index.ts';
import { Downloads } from '../../src/discord/attachments.ts';
import type { BotContext } from '../../src/discord/context.ts';
import { createLogger } from '../../src/discord/logger.ts';
import { Deliveries, type DeliveryTimings } from '../../src/discord/outbox.ts';
import { JobDurations } from '../../src/discord/pacing.ts';
import { Reply, type ReplyPayload } from '../../src/discord/replies.ts';
import type { JobRequest, JobResult } from '../../src/discord/request.ts';
import { SeenInteractions } from '../../src/discord/seen-interactions.ts';
import { InferenceQueue, type Processor, type QueueOptions } from '../../src/queue/index.ts';
import { Store } from '../../src/store/index.ts';

export class RecordingReply extends Reply {
  readonly shown: { payload: ReplyPayload; final: boolean }[] = [];
  readonly errors: string[] = [];
  begun = 0;
  /** `messageId`: the id of the message it shows things in (null: none, as when a channel post failed). */
  constructor(
    userId: string,
    readonly messageId: string | null = null,
    readonly interaction: string | null = null,
  ) {
    super(userId, 'channel', 'guild', createLogger({ write: () => {} }));
  }
  override get interactionId(): string | null {
    return this.interaction;
  }
  override begin(): void {
    this.begun++;
  }
  protected async send(payload: ReplyPayload, final: boolean): Promise<Message | null> {
    if (!this.shown.length && this.messageId) this.messageKnown(this.messageId);
    this.shown.push({ payload, final });
    return final && this.messageId ? ({ id: this.messageId, react: async () => {} } as unknown as Message) : null;
  }
  /** Known once something was shown (as a real reply's message is), after the edits asked for so far. */
  targetMessageId(): Promise<string | null> {
    return this.enqueue(async () => (this.shown.length ? this.messageId : null));
  }
  async userError(text: string): Promise<void> {
    this.errors.push(text);
  }
  get last(): string {
    return this.shown.at(-1)?.payload.content ?? '';
  }
}

export interface TestContext extends BotContext {
  lines: Record<string, unknown>[];
}

/** A context with a real queue (whose processor is `processor`), a real in-memory store, and logs kept in `lines`. */
export function testContext(processor: Processor<JobRequest, JobResult, Progress>, opts: QueueOptions & { delivery?: Partial<DeliveryTimings> } = {}): TestContext {
  const queue = new InferenceQueue<JobRequest, JobResult, Progress>({ jobTimeoutMs: 200, ...opts });
  queue.process(processor);
  const lines: Record<string, unknown>[] = [];
  const attachments = { hosts: ['cdn.discordapp.com'], maxBytes: 1024 * 1024 };
  return {
    queue,
    store: Store.open(':memory:'),
    log: createLogger({ level: 'debug', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }),
    inflight: new Set(),
    attachments,
    downloads: new Downloads(attachments),
    interactions: new SeenInteractions(),
    pendingClassify: new Map(),
    battleTimers: new Map(),
    now: Date.now,
    deliveries: new Deliveries(opts.delivery ?? { backoffMs: 5, fallbackAfterMs: 20, giveUpAfterMs: 200 }),
    pacing: { durations: new JobDurations(), positionIntervalMs: 10_000 },
    lines,
  } as unknown as TestContext;
}

export async function settle(ctx: BotContext): Promise<void> {
  while (ctx.inflight.size) await Promise.allSettled([...ctx.inflight]);
}

export const emb = (...v: number[]) => Float32Array.from(v);

/** A classification request (not journalled, no store needed); `headline` tells the test processor what to do. */
export function classifyJob(userId: string, headline: string): JobRequest {
  return { kind: 'classify', userId, headline, label: 'x', image: { name: 'a.png', url: 'https://cdn.discordapp.com/a.png', size: 10, contentType: 'image/png' }, labels: ['a', 'b'], template: null };
}

/** An images result as the processor returns it (PNG bytes are not looked at by delivery). */
export function imagesResult(cells: number, seed = 7): JobResult {
  return { kind: 'images', images: Array.from({ length: cells }, () => Buffer.from('png')), grid: Buffer.from('grid'), embeddings: Array.from({ length: cells }, (_, i) => emb(i, 1)), seed, timings: {} };
}
