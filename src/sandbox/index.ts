export { LocalDiscord, InteractionHandle, buttons, type LocalDiscordOptions, type RecordedRequest, type RequestMatcher } from './local-discord.ts';
export type { AttachmentInput, InteractionRecord, OptionValue } from './interactions.ts';
export type { MessageRecord } from './world.ts';
