/** The bot's SQLite database and what lives in it: generations, the job journal, battles. */
import { openDatabase, type Db } from './database.ts';
import { BattleStore } from './battles.ts';
import { SqliteGenerationStore } from './generations.ts';
import { JobJournal } from './jobs.ts';

export class Store {
  readonly generations: SqliteGenerationStore;
  readonly jobs: JobJournal;
  readonly battles: BattleStore;

  private constructor(
    readonly db: Db,
    now: () => number,
  ) {
    this.generations = new SqliteGenerationStore(db);
    this.jobs = new JobJournal(db, now);
    this.battles = new BattleStore(db, now);
  }

  /** Opens (creating and migrating) the database at `path`; ':memory:' for one that lives with the process. */
  static open(path: string, opts: { now?: () => number } = {}): Store {
    return new Store(openDatabase(path), opts.now ?? Date.now);
  }

  /** Runs `fn` as one transaction (all of its writes, or none). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
