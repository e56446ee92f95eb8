export type { AddOptions, Hold, AddResult, CancelResult, JobData, JobEvents, JobHandle, JobInfo, JobQueue, JobState, Processor, ProcessorJob, QueueLimits } from './queue.ts';
export { InferenceQueue, type QueueOptions } from './inference-queue.ts';
export { QueueError, JobCancelledError, JobTimeoutError, QueueClosedError, JobPostponedError, type QueueErrorCode, type RejectReason } from './errors.ts';
