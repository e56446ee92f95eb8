import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // ONNX sessions and the local Discord are heavy on a 2-core machine: run files one after another.
    fileParallelism: false,
  },
});
