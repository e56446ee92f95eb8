/** What every command and handler is given: the engine, the queue, the store, config and logs. */
import type { Engine } from '../engine/index.ts';
import type { InferenceQueue } from '../queue/index.ts';
import type { GenerationStore, Store } from '../store/index.ts';
import type { AttachmentMeta, AttachmentPolicy } from './attachments.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';

export interface BotContext {
  engine: Engine;
  queue: InferenceQueue;
  /** The results behind messages, by message id (buttons and reactions). */
  store: GenerationStore;
  /** The SQLite database: generations, the job journal, battles. */
  db: Store;
  /** Whether `db` outlives the process (a file): jobs then wait for a restart instead of being dropped. */
  durable: boolean;
  /** The clock battles' deadlines are read from. */
  now: () => number;
  /** Timers that close battles at their deadline, by battle id. */
  battleTimers: Map<number, NodeJS.Timeout>;
  config: Config;
  log: Logger;
  attachments: AttachmentPolicy;
  /** Images waiting for the labels of the "Classify image" modal, by modal key. */
  pendingClassify: Map<string, AttachmentMeta>;
  /** Jobs whose result is still being delivered; shutdown waits for them. */
  inflight: Set<Promise<void>>;
}
