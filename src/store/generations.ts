/**
 * What buttons and reactions need to find a result again: the generation behind a message, by the
 * message's id, in SQLite (results outlive a restart).
 */
import { blobToF32, f32ToBlob, packF32, unpackF32 } from './codec.ts';
import type { Db } from './database.ts';

export type GenerationKind = 'imagine' | 'vary' | 'blend';

export interface StoredGeneration {
  messageId: string;
  channelId: string;
  guildId: string | null;
  ownerId: string;
  kind: GenerationKind;
  /** The prompt of an imagine; null for vary and blend. */
  prompt: string | null;
  seed: number;
  /** The normalized CLIP image embedding of each cell, in order (cell 1 first). */
  embeddings: Float32Array[];
  /** What vary/blend decoded from (the image's or the blended embedding): 🔁 decodes it again. */
  source: Float32Array | null;
  /** The PNG that was shown (the grid), so /show can post it again. */
  grid?: Buffer | null;
  createdAt: number;
}

type GenerationRow = {
  message_id: string;
  channel_id: string;
  guild_id: string | null;
  owner_id: string;
  kind: GenerationKind;
  prompt: string | null;
  seed: number;
  cells: number;
  embeddings: Buffer;
  source: Buffer | null;
  grid: Buffer | null;
  created_at: number;
};

/** The generations table: buttons and reactions find results made before a restart. */
export class Generations {
  readonly #insert;
  readonly #get;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO generations (message_id, channel_id, guild_id, owner_id, kind, prompt, seed, cells, embeddings, source, grid, created_at)
       VALUES (@message_id, @channel_id, @guild_id, @owner_id, @kind, @prompt, @seed, @cells, @embeddings, @source, @grid, @created_at)
       ON CONFLICT (message_id) DO UPDATE SET channel_id = excluded.channel_id, guild_id = excluded.guild_id, owner_id = excluded.owner_id,
         kind = excluded.kind, prompt = excluded.prompt, seed = excluded.seed, cells = excluded.cells, embeddings = excluded.embeddings,
         source = excluded.source, grid = excluded.grid, created_at = excluded.created_at`,
    );
    this.#get = db.prepare<[string], GenerationRow>('SELECT * FROM generations WHERE message_id = ?');
  }

  /** Saves (or replaces) the generation behind a message. */
  save(g: StoredGeneration): void {
    this.#insert.run({
      message_id: g.messageId,
      channel_id: g.channelId,
      guild_id: g.guildId,
      owner_id: g.ownerId,
      kind: g.kind,
      prompt: g.prompt,
      seed: g.seed,
      cells: g.embeddings.length,
      embeddings: packF32(g.embeddings),
      source: g.source ? f32ToBlob(g.source) : null,
      grid: g.grid ?? null,
      created_at: g.createdAt,
    });
  }

  get(messageId: string): StoredGeneration | null {
    const row = this.#get.get(messageId);
    if (!row) return null;
    return {
      messageId: row.message_id,
      channelId: row.channel_id,
      guildId: row.guild_id,
      ownerId: row.owner_id,
      kind: row.kind,
      prompt: row.prompt,
      seed: row.seed,
      embeddings: unpackF32(row.embeddings, row.cells),
      source: row.source ? blobToF32(row.source) : null,
      grid: row.grid,
      createdAt: row.created_at,
    };
  }
}
