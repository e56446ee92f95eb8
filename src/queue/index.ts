export { InferenceQueue, type Job, type JobContext, type JobInfo, type JobSpec, type JobState, type QueueLimits, type QueueOptions, type SubmitResult, type CancelResult } from './inference-queue.ts';
export { QueueError, JobCancelledError, JobTimeoutError, QueueClosedError, JobPostponedError, rejectMessage, type RejectReason } from './errors.ts';
