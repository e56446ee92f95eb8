/**
 * The local Discord as tests drive it: everything LocalDiscord does, plus waiting for what the bot
 * does, fault injection, moving the clock and expiring tokens. The product's sandbox does not import
 * this module; tests reach it through src/sandbox/index.ts.
 */
import { GatewayDispatchEvents, type APIAttachment, type APIMessage } from 'discord-api-types/v10';
import { toMatcher, type RequestMatcher } from '../faults.ts';
import type { InteractionRecord } from '../interactions.ts';
import { LocalDiscord } from '../local-discord.ts';
import { renderMessage } from '../messages.ts';
import type { RecordedRequest } from '../rest.ts';
import type { MessageRecord } from '../world.ts';
import { TestInteraction, WAIT_MS } from './interaction.ts';

export class LocalDiscordDriver extends LocalDiscord {
  // ---------------------------------------------------------------- interactions that can be waited on

  override slash(...args: Parameters<LocalDiscord['slash']>): TestInteraction {
    return super.slash(...args) as TestInteraction;
  }
  override messageCommand(...args: Parameters<LocalDiscord['messageCommand']>): TestInteraction {
    return super.messageCommand(...args) as TestInteraction;
  }
  override click(...args: Parameters<LocalDiscord['click']>): TestInteraction {
    return super.click(...args) as TestInteraction;
  }
  override submitModal(...args: Parameters<LocalDiscord['submitModal']>): TestInteraction {
    return super.submitModal(...args) as TestInteraction;
  }
  protected override newHandle(record: InteractionRecord): TestInteraction {
    return new TestInteraction(this.world, record, this);
  }

  // ---------------------------------------------------------------- faults, clock, tokens

  /** The next `times` requests matching get 429 with retry_after, as Discord's rate limiter answers. */
  rateLimitNext(match: RequestMatcher, opts: { retryAfterMs?: number; global?: boolean; times?: number } = {}): void {
    this.faults.rateLimitNext(match, opts);
  }

  /** The next `times` requests matching fail with this status (500, 502, 503…). */
  failNext(match: RequestMatcher, status = 500, times = 1): void {
    this.faults.failNext(match, status, times);
  }

  /**
   * Every request matching fails with `status` (500) until the returned function is called, or for
   * `forMs`: a persistent outage on one route (discord.js's retries all fail too).
   */
  failPersistently(match: RequestMatcher, opts: { status?: number; forMs?: number } = {}): () => void {
    return this.faults.failPersistently(match, opts);
  }

  /** Removes every injected fault. */
  clearFaults(): void {
    this.faults.clear();
  }

  /**
   * Delivers an interaction again on the gateway (same id, same token), as Discord sometimes repeats a
   * dispatch. The interaction's one acknowledgement is still one: a second answer gets 40060.
   */
  repeatDispatch(handle: TestInteraction): TestInteraction {
    this.gateway.dispatch(GatewayDispatchEvents.InteractionCreate, handle.record.payload as never, { guildId: handle.record.guildId });
    this.emit('interaction', handle.record);
    return handle;
  }

  // ---------------------------------------------------------------- counters

  /** Requests that created, edited or deleted this message (successful ones), oldest first. */
  requestsFor(messageId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.messageId === messageId);
  }

  /** How many times the bot edited this message (REST PATCH by bot or interaction token, or an UPDATE_MESSAGE answer). */
  editsOf(messageId: string): number {
    return this.requests.filter((r) => r.messageId === messageId && r.action === 'edit').length;
  }

  /** Successful edits per message, for every message edited at least once. */
  editCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.requests) if (r.action === 'edit' && r.messageId) counts.set(r.messageId, (counts.get(r.messageId) ?? 0) + 1);
    return counts;
  }

  /** The 429s the rate limits answered (not the ones a test injected with rateLimitNext). */
  rateLimited(): RecordedRequest[] {
    return this.requests.filter((r) => r.status === 429 && !r.fault);
  }

  /** Moves the local Discord's clock forward: interactions age (3 s window, 15 min tokens), new ids are later. */
  advanceClock(ms: number): void {
    this.clockOffset += ms;
  }

  /** Every interaction token issued so far stops working, as 15 minutes later. */
  expireInteractionTokens(): void {
    for (const interaction of this.interactions.values()) interaction.tokenExpired = true;
  }

  /** Someone deletes a message (a moderator, or its author). */
  deleteMessage(message: APIMessage | string): void {
    this.announce.delete(this.messageById(typeof message === 'string' ? message : message.id));
  }

  /** The bytes of an attachment, read back from the fake CDN. */
  attachmentData(attachment: APIAttachment): Buffer {
    const file = this.world.files.get(attachment.id);
    if (!file) throw new Error(`no file for attachment ${attachment.id}`);
    return file.data;
  }

  // ---------------------------------------------------------------- waiting

  /** Resolves with the first message (now or later) that matches; rejects after `timeoutMs`. */
  waitForMessage(predicate: (m: APIMessage, r: MessageRecord) => boolean, timeoutMs = WAIT_MS): Promise<APIMessage> {
    const check = (): APIMessage | null => {
      for (const r of this.world.messages.values()) {
        if (!r.deleted && predicate(renderMessage(r, ''), r)) return renderMessage(r, '');
      }
      return null;
    };
    return this.#waitFor('message', check, timeoutMs, 'a matching message');
  }

  /** Resolves with the first recorded request (now or later) that matches. */
  waitForRequest(match: RequestMatcher | ((r: RecordedRequest) => boolean), timeoutMs = WAIT_MS): Promise<RecordedRequest> {
    const test = typeof match === 'string' ? toMatcher(match) : match;
    const check = () => this.requests.find((r) => (test as (r: RecordedRequest) => boolean)(r)) ?? null;
    return this.#waitFor('request', check, timeoutMs, `a request matching ${String(match)}`);
  }

  /** Resolves when `check` returns something (checked on every change here, and every 25 ms). */
  waitUntil<T>(check: () => T | null, timeoutMs: number, what: string): Promise<T> {
    return this.#waitFor('change', check, timeoutMs, what);
  }

  /** Resolves when `check` returns something, re-checking on every `event`. */
  #waitFor<T>(event: string, check: () => T | null, timeoutMs: number, what: string): Promise<T> {
    const now = check();
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const onEvent = () => {
        const found = check();
        if (!found) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      // Also poll: what the test checks may change in the bot's process after the last event here.
      const poll = setInterval(onEvent, 25);
      const cleanup = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.off(event, onEvent);
      };
      this.on(event, onEvent);
    });
  }
}
