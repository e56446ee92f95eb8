export { MemoryGenerationStore, type GenerationKind, type GenerationStore, type StoredGeneration } from './generations.ts';
