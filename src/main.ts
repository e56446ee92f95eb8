/**
 * `npm start`: loads the configuration and the model pack (or, with UNCLIP_REDIS_URL, connects to the
 * Redis queue whose workers hold the model: src/worker.ts), connects the bot to Discord (or, without a
 * DISCORD_TOKEN, to the sandbox's local Discord and its page) with its SQLite database (UNCLIP_DB),
 * and on SIGINT/SIGTERM stops taking jobs, finishes the running one (waiting ones stay journalled
 * and run after the restart), then exits.
 */
import { config as loadEnv } from 'dotenv';
import { Bot, type BotOptions } from './discord/bot.ts';
import { ConfigError, loadConfig, type Config } from './discord/config.ts';
import { deployCommands } from './discord/deploy.ts';
import { createLogger } from './discord/logger.ts';
import { onStopSignals } from './stop-signals.ts';
import { Engine } from './engine/index.ts';
import { sandboxPort, startSandbox, type Sandbox } from './sandbox/web/sandbox.ts';
import { loadRedisConfig, packNameFor, queueNameFor, type RedisConfig } from './queue/redis-config.ts';
import { Store } from './store/index.ts';

async function main(): Promise<void> {
  loadEnv({ quiet: true });
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  let sandbox: Sandbox | null = null;
  if (!config.token) {
    // No Discord: the sandbox, a local Discord with a web page; the bot connects to it as to Discord.
    sandbox = await startSandbox({ port: sandboxPort() });
    config = loadConfig({ ...process.env, ...sandbox.botEnv });
    console.log(`No DISCORD_TOKEN: the sandbox (a local Discord) is at ${sandbox.url} — the bot joins it once the model pack is loaded.`);
  }
  const log = createLogger({ level: config.logLevel, secrets: [config.token] });
  let redis: RedisConfig | null;
  try {
    redis = loadRedisConfig();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
  // With Redis the workers (npm run worker) hold the model; this process holds none.
  let engine: Engine | null = null;
  let queue: BotOptions['queue'];
  if (redis) {
    const { connectJobQueue } = await import('./queue/remote-jobs.ts');
    const name = queueNameFor(config.packDir);
    queue = await connectJobQueue({ url: redis.url, name, pack: packNameFor(config.packDir), limits: config.queue, log: (msg, fields) => log.info(msg, { component: 'queue', ...fields }) });
    log.info('queue on redis: jobs run in workers', { queue: name });
  } else {
    engine = await Engine.load({
      packDir: config.packDir,
      device: config.device,
      ...(config.threads ? { threads: config.threads } : {}),
      log: (line) => log.info(line, { component: 'engine' }),
    });
    log.info('model pack loaded', { pack: engine.pack.name, version: engine.pack.version, canGenerate: engine.pack.canGenerate });
  }
  // The sandbox's Discord lives in memory, so its database does too unless UNCLIP_DB names a file.
  const dbPath = sandbox && !config.dbPathSet ? ':memory:' : config.dbPath;
  const store = Store.open(dbPath);
  log.info('database open', { path: dbPath });
  const bot = await Bot.create({ config, log, store, ...(engine ? { engine } : {}), ...(queue ? { queue } : {}) });

  onStopSignals(log, () =>
    bot
      .stop()
      .then(() => engine?.close())
      .then(() => store.close())
      .then(() => sandbox?.stop()),
  );
  await bot.start();
  if (sandbox) {
    await deployCommands({ token: config.token!, restUrl: config.restUrl, applicationId: config.applicationId, guildId: config.guildId, ...(engine ? { pack: engine.summary } : { packDir: config.packDir }) });
    console.log(`The bot is in the sandbox: open ${sandbox.url}`);
  }
}

main().catch((error: unknown) => {
  console.error(`unclip-bot could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
