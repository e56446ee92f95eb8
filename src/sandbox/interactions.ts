/**
 * Interactions as Discord runs them: a payload dispatched with a token, a 3-second window for the
 * one acknowledgement, then 15 minutes during which the token may edit the original response and
 * send follow-ups.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ComponentType,
  InteractionContextType,
  InteractionType,
  type APIApplicationCommand,
  type APIApplicationCommandOption,
  type APIAttachment,
  type APIMessage,
  type APIModalInteractionResponseCallbackData,
  type APIUser,
} from 'discord-api-types/v10';
import { randomBytes } from 'node:crypto';
import type { World } from './world.ts';

export type OptionValue = string | number | boolean | AttachmentInput;

/** An attachment a simulated user uploads with a command; `url` overrides where it claims to live. */
export interface AttachmentInput {
  filename: string;
  data: Buffer;
  contentType?: string;
  url?: string;
}

export interface InteractionRecord {
  id: string;
  token: string;
  type: InteractionType;
  user: APIUser;
  channelId: string;
  guildId: string;
  createdAt: number;
  /** The name of the command, or the custom id of the component or modal. */
  name: string;
  payload: Record<string, unknown>;
  /** The response type of the one acknowledgement, or null before it. */
  response: number | null;
  ephemeral: boolean;
  originalMessageId: string | null;
  /** For components: the message the button was on. */
  sourceMessageId: string | null;
  followupIds: string[];
  modal: APIModalInteractionResponseCallbackData | null;
  tokenExpired: boolean;
  /** Calls made after the window closed or twice: what the bot got wrong. */
  lateAck: boolean;
}

export function newToken(): string {
  return `aW50ZXJhY3Rpb246${randomBytes(32).toString('base64url')}`;
}

export function isAttachmentInput(value: OptionValue): value is AttachmentInput {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as AttachmentInput).data);
}

/** Builds the `options` array of a chat-input command from plain values, checked against its schema. */
export function buildOptions(
  command: APIApplicationCommand,
  path: string[],
  values: Record<string, OptionValue>,
  uploadAttachment: (input: AttachmentInput) => APIAttachment,
): { options: unknown[]; attachments: Record<string, APIAttachment> } {
  const attachments: Record<string, APIAttachment> = {};
  let schema: APIApplicationCommandOption[] = command.options ?? [];
  const wrappers: { name: string; type: ApplicationCommandOptionType }[] = [];
  for (const name of path) {
    const sub = schema.find((o) => o.name === name);
    if (!sub || (sub.type !== ApplicationCommandOptionType.Subcommand && sub.type !== ApplicationCommandOptionType.SubcommandGroup)) {
      throw new Error(`/${command.name} has no subcommand "${name}"`);
    }
    wrappers.push({ name, type: sub.type });
    schema = (sub.options ?? []) as APIApplicationCommandOption[];
  }
  const leaf: unknown[] = [];
  for (const [name, value] of Object.entries(values)) {
    const option = schema.find((o) => o.name === name);
    if (!option) throw new Error(`/${command.name} has no option "${name}"`);
    if (option.type === ApplicationCommandOptionType.Attachment) {
      if (!isAttachmentInput(value)) throw new Error(`option "${name}" needs an attachment`);
      const attachment = uploadAttachment(value);
      attachments[attachment.id] = attachment;
      leaf.push({ name, type: option.type, value: attachment.id });
      continue;
    }
    checkValue(command.name, option, value);
    leaf.push({ name, type: option.type, value });
  }
  for (const option of schema) {
    if ('required' in option && option.required && !(option.name in values)) {
      throw new Error(`/${command.name} needs option "${option.name}" (Discord's client would not send it without)`);
    }
  }
  let options = leaf;
  for (const wrapper of wrappers.reverse()) options = [{ name: wrapper.name, type: wrapper.type, options }];
  return { options, attachments };
}

/** Discord's client enforces the limits a command declares; so does the simulated user. */
function checkValue(command: string, option: APIApplicationCommandOption, value: OptionValue): void {
  const where = `/${command} ${option.name}`;
  switch (option.type) {
    case ApplicationCommandOptionType.String:
      if (typeof value !== 'string') throw new Error(`${where} is a string`);
      if (option.max_length !== undefined && value.length > option.max_length) throw new Error(`${where} is longer than ${option.max_length}`);
      if (option.min_length !== undefined && value.length < option.min_length) throw new Error(`${where} is shorter than ${option.min_length}`);
      if (option.choices && !option.choices.some((c) => c.value === value)) throw new Error(`${where} is not one of its choices`);
      return;
    case ApplicationCommandOptionType.Integer:
    case ApplicationCommandOptionType.Number:
      if (typeof value !== 'number' || (option.type === ApplicationCommandOptionType.Integer && !Number.isInteger(value))) {
        throw new Error(`${where} is ${option.type === ApplicationCommandOptionType.Integer ? 'an integer' : 'a number'}`);
      }
      if (option.max_value !== undefined && value > option.max_value) throw new Error(`${where} is over ${option.max_value}`);
      if (option.min_value !== undefined && value < option.min_value) throw new Error(`${where} is under ${option.min_value}`);
      return;
    case ApplicationCommandOptionType.Boolean:
      if (typeof value !== 'boolean') throw new Error(`${where} is a boolean`);
      return;
    default:
      return;
  }
}

export interface InteractionBase {
  world: World;
  id: string;
  token: string;
  user: APIUser;
  guildId: string;
  channelId: string;
}

/** The fields every guild interaction payload carries. */
export function basePayload(b: InteractionBase, type: InteractionType): Record<string, unknown> {
  const channel = b.world.channel(b.channelId);
  const member = b.world.member(b.guildId, b.user.id);
  const permissions = b.world.permissions(b.guildId, b.user.id);
  return {
    id: b.id,
    application_id: b.world.applicationId,
    type,
    token: b.token,
    version: 1,
    guild_id: b.guildId,
    guild: { id: b.guildId, locale: b.world.guild(b.guildId).preferredLocale, features: [] },
    channel_id: b.channelId,
    channel,
    member: { ...member, permissions },
    app_permissions: b.world.permissions(b.guildId, b.world.bot.id),
    // The user's client language, and the server's preferred locale, as Discord sends them.
    locale: b.world.localeOf(b.user.id),
    guild_locale: b.world.guild(b.guildId).preferredLocale,
    entitlements: [],
    authorizing_integration_owners: { 0: b.guildId },
    context: InteractionContextType.Guild,
    attachment_size_limit: 10 * 1024 * 1024,
  };
}

export function chatInputData(command: APIApplicationCommand, options: unknown[], attachments: Record<string, APIAttachment>, users: ResolvedUsers = {}) {
  const resolved = { ...(Object.keys(attachments).length ? { attachments } : {}), ...users };
  return {
    id: command.id,
    name: command.name,
    type: ApplicationCommandType.ChatInput,
    ...(command.guild_id ? { guild_id: command.guild_id } : {}),
    options,
    ...(Object.keys(resolved).length ? { resolved } : {}),
  };
}

export interface ResolvedUsers {
  users?: Record<string, APIUser>;
  members?: Record<string, unknown>;
}

/** The users (and their members) that USER and MENTIONABLE options name, as Discord resolves them. */
export function resolveUsers(world: World, guildId: string, options: unknown[]): ResolvedUsers {
  const ids = new Set<string>();
  const walk = (list: unknown[]) => {
    for (const o of list as { type: number; value?: unknown; options?: unknown[] }[]) {
      if (o.options) walk(o.options);
      else if ((o.type === ApplicationCommandOptionType.User || o.type === ApplicationCommandOptionType.Mentionable) && typeof o.value === 'string') ids.add(o.value);
    }
  };
  walk(options);
  const users: Record<string, APIUser> = {};
  const members: Record<string, unknown> = {};
  for (const id of ids) {
    const user = world.users.get(id);
    if (!user) continue;
    users[id] = user;
    if (world.guild(guildId).memberIds.has(id)) {
      const { user: _user, ...member } = world.member(guildId, id);
      members[id] = { ...member, permissions: world.permissions(guildId, id) };
    }
  }
  return Object.keys(users).length ? { users, ...(Object.keys(members).length ? { members } : {}) } : {};
}

export function messageCommandData(command: APIApplicationCommand, target: APIMessage) {
  return {
    id: command.id,
    name: command.name,
    type: ApplicationCommandType.Message,
    ...(command.guild_id ? { guild_id: command.guild_id } : {}),
    target_id: target.id,
    resolved: { messages: { [target.id]: target } },
  };
}

/** The components a modal submit carries back, shaped like the modal that was shown. */
export function modalSubmitData(modal: APIModalInteractionResponseCallbackData, values: Record<string, string>) {
  const inputs = new Set<string>();
  const components = modal.components.map((row) => {
    const r = row as { type: number; components?: { type: number; custom_id: string }[]; component?: { type: number; custom_id: string } };
    if (r.type === ComponentType.ActionRow && r.components) {
      return {
        type: ComponentType.ActionRow,
        components: r.components.map((c) => {
          inputs.add(c.custom_id);
          return { type: c.type, custom_id: c.custom_id, value: values[c.custom_id] ?? '' };
        }),
      };
    }
    if (r.component) {
      inputs.add(r.component.custom_id);
      return { type: r.type, component: { type: r.component.type, custom_id: r.component.custom_id, value: values[r.component.custom_id] ?? '' } };
    }
    return r;
  });
  for (const key of Object.keys(values)) {
    if (!inputs.has(key)) throw new Error(`the modal "${modal.custom_id}" has no input "${key}"`);
  }
  return { custom_id: modal.custom_id, components };
}
