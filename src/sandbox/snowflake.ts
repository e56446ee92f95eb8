/** Discord snowflakes: milliseconds since the Discord epoch in the top bits, a counter below. */
export const DISCORD_EPOCH = 1_420_070_400_000n;

export class SnowflakeFactory {
  #increment = 0n;

  constructor(private readonly now: () => number) {}

  next(atMs: number = this.now()): string {
    this.#increment = (this.#increment + 1n) & 0xfffn;
    return (((BigInt(Math.floor(atMs)) - DISCORD_EPOCH) << 22n) | (1n << 17n) | this.#increment).toString();
  }
}

export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}
