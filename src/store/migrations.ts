/**
 * The schema, as numbered migrations. The database's `user_version` is the number of migrations
 * applied; at open, the missing ones run in order, each in its own transaction. Never edit a
 * migration that has shipped: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: generations, the job journal, battles, entries, votes, battle results.
  `
  CREATE TABLE generations (
    message_id  TEXT PRIMARY KEY,
    channel_id  TEXT NOT NULL,
    guild_id    TEXT,
    owner_id    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('imagine', 'vary', 'blend')),
    prompt      TEXT,
    seed        INTEGER NOT NULL,
    cells       INTEGER NOT NULL,
    embeddings  BLOB NOT NULL,      -- the cells' float32 embeddings, one after another
    source      BLOB,
    grid        BLOB,               -- the PNG shown (for /show)
    created_at  INTEGER NOT NULL
  );

  CREATE TABLE jobs (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    state             TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    user_id           TEXT NOT NULL,
    channel_id        TEXT NOT NULL,
    guild_id          TEXT,
    interaction_id    TEXT,
    payload           TEXT NOT NULL,   -- what to run, as JSON (float32 arrays as base64)
    attempts          INTEGER NOT NULL DEFAULT 0,
    result_message_id TEXT,
    error             TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
  );
  CREATE INDEX jobs_unfinished ON jobs (id) WHERE state IN ('queued', 'running');

  CREATE TABLE battles (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id     TEXT,
    channel_id   TEXT NOT NULL,
    starter_id   TEXT NOT NULL,
    theme        TEXT NOT NULL,
    max_entries  INTEGER,
    message_id   TEXT,
    created_at   INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('open', 'closed', 'announced')),
    closed_at    INTEGER
  );
  CREATE UNIQUE INDEX battles_one_open_per_channel ON battles (channel_id) WHERE state = 'open';

  CREATE TABLE entries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    battle_id   INTEGER NOT NULL REFERENCES battles (id),
    user_id     TEXT NOT NULL,
    prompt      TEXT NOT NULL,
    message_id  TEXT UNIQUE,        -- null while the entry is being drawn
    image       BLOB,               -- PNG
    embedding   BLOB,
    judge       REAL,               -- cosine(theme text embedding, image embedding)
    created_at  INTEGER NOT NULL,
    UNIQUE (battle_id, user_id)
  );

  CREATE TABLE votes (
    battle_id   INTEGER NOT NULL REFERENCES battles (id),
    voter_id    TEXT NOT NULL,
    entry_id    INTEGER NOT NULL REFERENCES entries (id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (battle_id, voter_id)
  );

  CREATE TABLE battle_results (
    battle_id  INTEGER NOT NULL REFERENCES battles (id),
    entry_id   INTEGER NOT NULL REFERENCES entries (id),
    guild_id   TEXT,
    user_id    TEXT NOT NULL,
    rank       INTEGER NOT NULL,
    votes      INTEGER NOT NULL,
    judge      REAL,
    points     INTEGER NOT NULL,
    PRIMARY KEY (battle_id, entry_id)
  );
  CREATE INDEX battle_results_by_guild ON battle_results (guild_id);
  `,
  // 2: the message a job is shown in (edited after a restart), and finding a job by its interaction.
  `
  ALTER TABLE jobs ADD COLUMN status_message_id TEXT;
  CREATE INDEX jobs_by_interaction ON jobs (interaction_id) WHERE interaction_id IS NOT NULL;
  `,
  // 3: the outbox: a finished result, stored before it is delivered, until Discord has it (or it is given up).
  `
  CREATE TABLE deliveries (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id            INTEGER REFERENCES jobs (id),   -- the journalled job it is the result of (null: not journalled)
    state             TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'given-up')),
    user_id           TEXT NOT NULL,
    channel_id        TEXT NOT NULL,
    guild_id          TEXT,
    status_message_id TEXT,            -- the message the job was shown in, if any
    payload           TEXT,            -- { request, result } as JSON (bytes as base64); null once delivered
    attempts          INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT,
    message_id        TEXT,            -- the message the result was delivered in
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
  );
  CREATE INDEX deliveries_pending ON deliveries (id) WHERE state = 'pending';
  `,
  // 4: the language a battle was started in (its card's), for its results (null: a battle from before languages).
  `
  ALTER TABLE battles ADD COLUMN locale TEXT;
  `,
];
