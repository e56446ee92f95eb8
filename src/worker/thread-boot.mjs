// A worker thread's entry: TypeScript through tsx (as `npm run worker` itself runs), then the module named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
