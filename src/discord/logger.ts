/**
 * Structured logs: one JSON object per line on stderr. Secrets (the bot token, interaction tokens)
 * are replaced by "[redacted]" wherever they appear, whatever the caller logged.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds these fields to every line. */
  child(fields: Record<string, unknown>): Logger;
  /** Adds a value never to print (e.g. the token once it is known). */
  addSecret(secret: string): void;
}

export interface LoggerOptions {
  level?: Level;
  secrets?: (string | null | undefined)[];
  write?: (line: string) => void;
}

// Discord bot tokens and interaction tokens, should one reach a log line unannounced.
const TOKEN_SHAPES = [/[\w-]{23,28}\.[\w-]{6,7}\.[\w-]{27,40}/g, /aW50ZXJhY3Rpb246[\w-]{20,}/g];

export function createLogger(opts: LoggerOptions = {}): Logger {
  const secrets = new Set((opts.secrets ?? []).filter((s): s is string => Boolean(s)));
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const redact = (text: string): string => {
    let out = text;
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    for (const shape of TOKEN_SHAPES) out = out.replace(shape, '[redacted]');
    return out;
  };
  const make = (base: Record<string, unknown>): Logger => {
    const emit = (level: Level, msg: string, fields: Record<string, unknown> = {}) => {
      if (ORDER[level] < min) return;
      const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields }, (_key, value: unknown) =>
        value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value,
      );
      write(redact(line));
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (fields) => make({ ...base, ...fields }),
      addSecret: (secret) => void secrets.add(secret),
    };
  };
  return make({});
}
