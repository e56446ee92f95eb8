/**
 * Discord may dispatch one interaction twice (a command, a button click, a modal): each id is routed
 * once. Ids are kept 15 minutes, as long as an interaction can be answered at all.
 */
export class SeenInteractions {
  readonly #seen = new Map<string, number>();

  constructor(
    readonly ttlMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time an id is seen (within the ttl), false for a repeat. */
  first(id: string): boolean {
    const now = this.now();
    for (const [seenId, at] of this.#seen) {
      if (now - at < this.ttlMs) break; // insertion order is time order
      this.#seen.delete(seenId);
    }
    if (this.#seen.has(id)) return false;
    this.#seen.set(id, now);
    return true;
  }
}
