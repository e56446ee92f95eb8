/** The bot's SQLite database and what lives in it: generations, the job journal, the outbox, battles. */
import { openDatabase, type Db } from './database.ts';
import { BattleStore } from './battles.ts';
import { Generations } from './generations.ts';
import { JobJournal } from './journal.ts';
import { Outbox } from './outbox.ts';

export class Store {
  /** Results by message id (buttons, reactions, /show). */
  readonly generations: Generations;
  /** The job journal (restart recovery). */
  readonly journal: JobJournal;
  /** Results waiting to be delivered (delivery survives Discord's errors and restarts). */
  readonly outbox: Outbox;
  readonly battles: BattleStore;

  private constructor(
    /** The SQLite connection itself (better-sqlite3). */
    readonly sqlite: Db,
    now: () => number,
  ) {
    this.generations = new Generations(sqlite);
    this.journal = new JobJournal(sqlite, now);
    this.outbox = new Outbox(sqlite, now);
    this.battles = new BattleStore(sqlite, now);
  }

  /** Opens (creating and migrating) the database at `path`; ':memory:' for one that lives with the process. */
  static open(path: string, opts: { now?: () => number } = {}): Store {
    return new Store(openDatabase(path), opts.now ?? Date.now);
  }

  /** Runs `fn` as one transaction (all of its writes, or none). */
  transaction<T>(fn: () => T): T {
    return this.sqlite.transaction(fn).immediate();
  }

  close(): void {
    if (this.sqlite.open) this.sqlite.close();
  }
}
