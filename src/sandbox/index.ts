/**
 * The local Discord for tests: the driver (LocalDiscord plus waiting, faults and the clock) and the
 * types tests use. The product's sandbox (web/) imports local-discord.ts itself, not this module.
 */
export { LocalDiscord, InteractionHandle, type LocalDiscordOptions, type RecordedRequest, type ScenarioOptions } from './local-discord.ts';
export { LocalDiscordDriver } from './testing/driver.ts';
export { TestInteraction } from './testing/interaction.ts';
export { buttons } from './messages.ts';
export { Sharding, shardOf, type ShardingOptions, type ShardPair } from './shards.ts';
export type { RequestMatcher } from './faults.ts';
export type { AttachmentInput, InteractionRecord, OptionValue } from './interactions.ts';
export type { MessageRecord } from './world.ts';
