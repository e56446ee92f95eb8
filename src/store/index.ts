export { Generations, type GenerationKind, type StoredGeneration } from './generations.ts';
export { JobJournal, type JournalEntry, type JournalState } from './journal.ts';
export { Outbox, type DeliveryEntry, type DeliveryState } from './outbox.ts';
export { BattleStore, POINTS, rankEntries, type Battle, type BattleState, type Entry, type EnterResult, type LeaderboardRow, type Standing, type VoteResult } from './battles.ts';
export { DEFAULT_DB_PATH, migrate, openDatabase, type Db } from './database.ts';
export { fromJson, toJson } from './codec.ts';
export { Store } from './store.ts';
