/**
 * `npm start`: loads the configuration and the model pack, connects the bot to Discord, and on
 * SIGINT/SIGTERM stops taking jobs, finishes the running one, then exits.
 */
import { config as loadEnv } from 'dotenv';
import { Bot } from './discord/bot.ts';
import { ConfigError, loadConfig, type Config } from './discord/config.ts';
import { createLogger } from './discord/logger.ts';
import { Engine } from './engine/index.ts';

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
  if (!config.token) {
    console.error(
      [
        'DISCORD_TOKEN is not set, so there is no Discord to connect to.',
        'To run the bot on Discord: copy .env.example to .env, put your bot token in DISCORD_TOKEN,',
        'run `npm run deploy-commands` once, then `npm start` again (the README section "Discord" has the steps).',
      ].join('\n'),
    );
    process.exit(1);
  }
  const log = createLogger({ level: config.logLevel, secrets: [config.token] });
  const engine = await Engine.load({
    packDir: config.packDir,
    device: config.device,
    ...(config.threads ? { threads: config.threads } : {}),
    log: (line) => log.info(line, { component: 'engine' }),
  });
  log.info('model pack loaded', { pack: engine.pack.name, version: engine.pack.version, canGenerate: engine.pack.canGenerate });
  const bot = await Bot.create({ config, engine, log });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('signal received', { signal });
    bot
      .stop()
      .then(() => engine.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        log.error('unclean shutdown', { error });
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  await bot.start();
}

main().catch((error: unknown) => {
  console.error(`unclip-bot could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
