/**
 * Child process of crash.test.ts: writes to the store in a loop — a battle's entries and votes, and
 * finished results with their journal rows — and prints "committed <n>" after each transaction, until
 * it is killed.
 */
import { Store } from '../../src/store/index.ts';

const store = Store.open(process.argv[2]!);
const battle = store.battles.start({ guildId: 'g', channelId: `c-${process.pid}`, starterId: 'host', theme: 'a red star', maxEntries: null, endsAt: Date.now() + 3_600_000 })!;
const embedding = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
const grid = Buffer.alloc(64 * 1024, 7); // a result-sized blob, so a write spans several pages

for (let n = 1; ; n++) {
  store.transaction(() => {
    const entry = store.battles.reserveEntry(battle.id, `user-${n}`, `prompt ${n}`);
    if (!entry.ok) throw new Error(entry.reason);
    store.battles.completeEntry(entry.entryId, { messageId: `entry-${n}`, image: grid, embedding, judge: n / 1000 });
    if (n > 1) store.battles.vote(entry.entryId - 1, `user-${n}`);
    const job = store.journal.add({ userId: `user-${n}`, channelId: 'c', guildId: 'g', interactionId: null, payload: { n } });
    store.journal.started(job);
    store.generations.save({ messageId: `result-${n}`, channelId: 'c', guildId: 'g', ownerId: `user-${n}`, kind: 'imagine', prompt: `prompt ${n}`, seed: n, embeddings: [embedding, embedding, embedding, embedding], source: null, grid, createdAt: n });
    store.journal.done(job, `result-${n}`);
  });
  process.stdout.write(`committed ${n}\n`);
}
