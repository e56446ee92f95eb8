/**
 * Why the queue refused or ended a job, as codes (BullMQ's way: error classes name the mechanism).
 * The words people read are the Discord layer's (src/discord/texts.ts).
 */
export type QueueErrorCode = 'cancelled' | 'timeout' | 'closed' | 'postponed';

export class QueueError extends Error {
  constructor(
    readonly code: QueueErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class JobCancelledError extends QueueError {
  constructor() {
    super('cancelled', 'the job was cancelled by its owner');
  }
}

export class JobTimeoutError extends QueueError {
  constructor(readonly seconds: number) {
    super('timeout', `the job ran past its timeout of ${seconds} s and was aborted`);
  }
}

export class QueueClosedError extends QueueError {
  constructor() {
    super('closed', 'the queue closed before the job ran');
  }
}

/** Shutdown with a journal: the job was not run now; it stays journalled and runs after the restart. */
export class JobPostponedError extends QueueError {
  constructor() {
    super('postponed', 'the queue closed before the job ran; it stays journalled for the next start');
  }
}

/** Why `add` refused a job. */
export type RejectReason = 'user-limit' | 'global-limit' | 'closed';
