/**
 * What buttons and reactions need to find a result again: the generation behind a message, by the
 * message's id. An interface, so the SQLite store (issue 5) can replace the in-memory one.
 */
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
  createdAt: number;
}

export interface GenerationStore {
  save(generation: StoredGeneration): Promise<void>;
  get(messageId: string): Promise<StoredGeneration | null>;
}

export class MemoryGenerationStore implements GenerationStore {
  readonly #byMessage = new Map<string, StoredGeneration>();

  async save(generation: StoredGeneration): Promise<void> {
    this.#byMessage.set(generation.messageId, {
      ...generation,
      embeddings: generation.embeddings.map((e) => Float32Array.from(e)),
      source: generation.source ? Float32Array.from(generation.source) : null,
    });
  }

  async get(messageId: string): Promise<StoredGeneration | null> {
    return this.#byMessage.get(messageId) ?? null;
  }
}
