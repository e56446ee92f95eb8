/** Why the queue refused or ended a job; every message is written for the person who asked. */
export class QueueError extends Error {}

export class JobCancelledError extends QueueError {
  constructor() {
    super('Cancelled.');
  }
}

export class JobTimeoutError extends QueueError {
  constructor(seconds: number) {
    super(`That took longer than ${seconds} s and was stopped. Try fewer images or fewer steps.`);
  }
}

export class QueueClosedError extends QueueError {
  constructor() {
    super('The bot is shutting down and did not run this. Please try again in a minute.');
  }
}

/** Shutdown with a journal: the job was not run now; it stays journalled and runs after the restart. */
export class JobPostponedError extends QueueError {
  constructor() {
    super('The bot is shutting down for a moment. This job keeps its place and runs when the bot is back; the result will be posted in this channel.');
  }
}

export type RejectReason = 'user-limit' | 'global-limit' | 'closed';

export function rejectMessage(reason: RejectReason, limits: { perUser: number; global: number }): string {
  switch (reason) {
    case 'user-limit':
      return `You already have ${limits.perUser} job${limits.perUser === 1 ? '' : 's'} waiting or running. Wait for one to finish (or cancel one) and try again.`;
    case 'global-limit':
      return `The queue is full (${limits.global} jobs). Please try again in a few minutes.`;
    case 'closed':
      return 'The bot is shutting down and is not taking new jobs. Please try again in a minute.';
  }
}
