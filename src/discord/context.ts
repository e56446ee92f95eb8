/** What every command and handler is given: the engine, the queue, the store, config and logs. */
import type { Engine, Progress } from '../engine/index.ts';
import type { JobQueue } from '../queue/index.ts';
import type { Store } from '../store/index.ts';
import type { AttachmentMeta, AttachmentPolicy, Downloads } from './attachments.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { Deliveries } from './deliveries.ts';
import type { JobDurations } from './pacing.ts';
import type { JobRequest, JobResult } from './request.ts';
import type { SeenInteractions } from './seen-interactions.ts';

export interface BotContext {
  /** The model, in this process; null with the Redis queue, whose workers hold it. */
  engine: Engine | null;
  /** The one queue every job goes through; its processor is processor.ts's. */
  queue: JobQueue<JobRequest, JobResult, Progress>;
  /** The SQLite database: `generations` (results by message id), `journal` (jobs), `battles`. */
  store: Store;
  /** Whether `store` outlives the process (a file): jobs then wait for a restart instead of being dropped. */
  durable: boolean;
  /** The clock battles' deadlines are read from. */
  now: () => number;
  /** Timers that close battles at their deadline, by battle id. */
  battleTimers: Map<number, NodeJS.Timeout>;
  config: Config;
  log: Logger;
  attachments: AttachmentPolicy;
  /** Attachments fetched while their job waits. */
  downloads: Downloads;
  /** Interaction ids already routed: a repeated dispatch runs nothing twice. */
  interactions: SeenInteractions;
  /** Images waiting for the labels of the "Classify image" modal, by modal key (`cells`: a result grid's, classified cell by cell). */
  pendingClassify: Map<string, AttachmentMeta & { cells?: number }>;
  /** The outbox's retry timings and its stop (outbox.ts). */
  deliveries: Deliveries;
  /** Position edits: how long jobs take (the estimated wait), and at most one edit per message per interval. */
  pacing: { durations: JobDurations; positionIntervalMs: number };
  /** Jobs whose result is still being delivered; shutdown waits for them. */
  inflight: Set<Promise<void>>;
}
