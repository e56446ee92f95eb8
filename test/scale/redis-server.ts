/**
 * A real redis-server for a test file: on a free port of 127.0.0.1, in a temp dir, with its
 * append-only file on (appendfsync always), restartable on the same port and data. Without
 * /usr/bin/redis-server the tests are skipped with a warning, except in CI (CI=true), where
 * .ci/run installs it and a missing server is a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const REDIS_SERVER = process.env['REDIS_SERVER'] ?? '/usr/bin/redis-server';
export const hasRedis = existsSync(REDIS_SERVER);
if (!hasRedis) {
  if (process.env['CI']) throw new Error(`${REDIS_SERVER} is missing: .ci/run installs it (apt-get install -y redis-server)`);
  console.warn(`⚠️  ${REDIS_SERVER} not found: the Redis queue tests are skipped (apt-get install -y redis-server)`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export class RedisServer {
  #child: ChildProcess | null = null;
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'unclip-redis-')));
    await server.restart();
    return server;
  }

  /** (Re)starts the server on the same port and data directory; resolves once it answers PING. */
  async restart(): Promise<void> {
    if (this.#child) throw new Error('redis-server is running');
    const child = spawn(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--protected-mode', 'no'], { stdio: 'ignore' });
    this.#child = child;
    child.on('exit', () => {
      if (this.#child === child) this.#child = null;
    });
    for (let i = 0; i < 100; i++) {
      const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => {});
      try {
        await client.connect();
        if ((await client.ping()) === 'PONG') return;
      } catch {
        // not up yet
      } finally {
        client.disconnect();
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('redis-server did not start');
  }

  /** Stops the server (SIGTERM, or SIGKILL: with appendfsync always nothing acknowledged is lost either way). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
