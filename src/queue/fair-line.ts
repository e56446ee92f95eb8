/**
 * Round-robin across users, as a line of waiting items: each item gets a round (its user's previous
 * round + 1, but never before the round now being served), and the next item is the one with the
 * lowest round, then the oldest. Three users with three jobs each: a1 b1 c1 a2 b2 c2 a3 b3 c3.
 * The Redis queue keeps its waiting jobs in one of these and releases them to BullMQ in this order.
 */
export interface FairItem {
  userId: string;
}

export class FairLine<T extends FairItem> {
  #items: { item: T; seq: number; round: number }[] = [];
  #lastRound = new Map<string, number>();
  #currentRound = 0;
  #seq = 0;

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    const round = Math.max(this.#currentRound, (this.#lastRound.get(item.userId) ?? -1) + 1);
    this.#lastRound.set(item.userId, round);
    this.#items.push({ item, seq: this.#seq++, round });
  }

  /** The items in the order they will be taken. */
  order(): T[] {
    return [...this.#items].sort((a, b) => a.round - b.round || a.seq - b.seq).map((e) => e.item);
  }

  /** Takes the next item that `eligible` accepts. */
  take(eligible: (item: T) => boolean = () => true): T | null {
    const next = [...this.#items].sort((a, b) => a.round - b.round || a.seq - b.seq).find((e) => eligible(e.item));
    if (!next) return null;
    this.#items = this.#items.filter((e) => e !== next);
    this.#currentRound = next.round;
    for (const [userId, round] of this.#lastRound) if (round < this.#currentRound) this.#lastRound.delete(userId);
    return next.item;
  }

  remove(item: T): boolean {
    const before = this.#items.length;
    this.#items = this.#items.filter((e) => e.item !== item);
    return this.#items.length !== before;
  }
}
