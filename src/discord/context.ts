/** What every command and handler is given: the engine, the queue, the store, config and logs. */
import type { Engine } from '../engine/index.ts';
import type { InferenceQueue } from '../queue/index.ts';
import type { GenerationStore } from '../store/index.ts';
import type { AttachmentMeta, AttachmentPolicy } from './attachments.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';

export interface BotContext {
  engine: Engine;
  queue: InferenceQueue;
  store: GenerationStore;
  config: Config;
  log: Logger;
  attachments: AttachmentPolicy;
  /** Images waiting for the labels of the "Classify image" modal, by modal key. */
  pendingClassify: Map<string, AttachmentMeta>;
  /** Jobs whose result is still being delivered; shutdown waits for them. */
  inflight: Set<Promise<void>>;
}
