/**
 * The local Discord's data: users, one or more guilds with text channels, messages with attachments
 * and reactions, and the application's registered commands. Plain data and lookups; the REST routes
 * and the gateway change it and announce the changes.
 */
import {
  ChannelType,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildSystemChannelFlags,
  GuildVerificationLevel,
  Locale,
  PermissionFlagsBits,
  type APIApplicationCommand,
  type ChannelFlags,
  type GuildMemberFlags,
  type RoleFlags,
  type APIAttachment,
  type APIGuildMember,
  type APIGuildTextChannel,
  type APIMessage,
  type APIRole,
  type APIUser,
  type GatewayGuildCreateDispatchData,
} from 'discord-api-types/v10';
import { errors } from './errors.ts';
import { SnowflakeFactory } from './snowflake.ts';

export interface StoredFile {
  attachmentId: string;
  channelId: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  roles: APIRole[];
  channelIds: string[];
  memberIds: Set<string>;
  createdAt: number;
  /** The server's preferred locale (Server Settings → Community → Overview); interactions carry it as guild_locale. */
  preferredLocale: Locale;
}

/** What a message really pinged, computed from its content and its allowed_mentions. */
export interface Pings {
  everyone: boolean;
  users: string[];
  roles: string[];
}

export interface MessageRecord {
  message: APIMessage;
  guildId: string | null;
  /** Ephemeral messages are seen only by this user, and never dispatched to the bot. */
  ephemeralFor: string | null;
  /** Who the message notified: set when it was created (an edit that adds a mention notifies no one). */
  pings: Pings;
  deleted: boolean;
  /** Reactions: emoji key → user ids, in order. */
  reactions: Map<string, string[]>;
}

export class World {
  readonly ids: SnowflakeFactory;
  readonly users = new Map<string, APIUser>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, APIGuildTextChannel<ChannelType.GuildText>>();
  readonly messages = new Map<string, MessageRecord>();
  readonly files = new Map<string, StoredFile>();
  readonly commands = new Map<string, APIApplicationCommand>();
  /** Each user's client language (Discord's User Settings → Language), sent as an interaction's `locale`; en-US unless set. */
  readonly locales = new Map<string, Locale>();
  readonly bot: APIUser;
  readonly applicationId: string;

  constructor(readonly now: () => number, botName = 'unclip') {
    this.ids = new SnowflakeFactory(now);
    this.bot = this.addUser(botName, { bot: true });
    this.applicationId = this.bot.id;
  }

  addUser(username: string, opts: { bot?: boolean } = {}): APIUser {
    const user: APIUser = {
      id: this.ids.next(),
      username,
      global_name: opts.bot ? null : username,
      discriminator: '0',
      avatar: null,
      ...(opts.bot ? { bot: true } : {}),
    };
    this.users.set(user.id, user);
    for (const guild of this.guilds.values()) guild.memberIds.add(user.id);
    return user;
  }

  /** The language a user's client runs in. */
  localeOf(userId: string): Locale {
    return this.locales.get(userId) ?? Locale.EnglishUS;
  }

  addGuild(name: string, ownerId: string, id: string = this.ids.next()): GuildRecord {
    const everyone: APIRole = {
      id,
      name: '@everyone',
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position: 0,
      permissions: String(
        PermissionFlagsBits.ViewChannel |
          PermissionFlagsBits.SendMessages |
          PermissionFlagsBits.AttachFiles |
          PermissionFlagsBits.EmbedLinks |
          PermissionFlagsBits.AddReactions |
          PermissionFlagsBits.ReadMessageHistory |
          PermissionFlagsBits.UseApplicationCommands,
      ),
      managed: false,
      mentionable: false,
      flags: 0 as RoleFlags,
    };
    const guild: GuildRecord = {
      id,
      name,
      ownerId,
      roles: [everyone],
      channelIds: [],
      memberIds: new Set(this.users.keys()),
      createdAt: this.now(),
      preferredLocale: Locale.EnglishUS,
    };
    this.guilds.set(id, guild);
    return guild;
  }

  addChannel(guildId: string, name: string): APIGuildTextChannel<ChannelType.GuildText> {
    const guild = this.guild(guildId);
    const channel: APIGuildTextChannel<ChannelType.GuildText> = {
      id: this.ids.next(),
      type: ChannelType.GuildText,
      guild_id: guild.id,
      name,
      position: guild.channelIds.length,
      permission_overwrites: [],
      nsfw: false,
      topic: null,
      last_message_id: null,
      rate_limit_per_user: 0,
      parent_id: null,
      flags: 0 as ChannelFlags,
    };
    this.channels.set(channel.id, channel);
    guild.channelIds.push(channel.id);
    return channel;
  }

  user(id: string): APIUser {
    const user = this.users.get(id);
    if (!user) throw errors.unknownUser();
    return user;
  }

  guild(id: string): GuildRecord {
    const guild = this.guilds.get(id);
    if (!guild) throw errors.unknownGuild();
    return guild;
  }

  channel(id: string): APIGuildTextChannel<ChannelType.GuildText> {
    const channel = this.channels.get(id);
    if (!channel) throw errors.unknownChannel();
    return channel;
  }

  /** A message visible in a channel (not deleted). */
  message(channelId: string, messageId: string): MessageRecord {
    const record = this.messages.get(messageId);
    if (!record || record.deleted || record.message.channel_id !== channelId) throw errors.unknownMessage();
    return record;
  }

  member(guildId: string, userId: string): APIGuildMember {
    const guild = this.guild(guildId);
    if (!guild.memberIds.has(userId)) throw errors.unknownMember();
    return {
      user: this.user(userId),
      nick: null,
      avatar: null,
      banner: null,
      roles: [],
      joined_at: new Date(guild.createdAt).toISOString(),
      deaf: false,
      mute: false,
      flags: 0 as GuildMemberFlags,
      pending: false,
    };
  }

  /** Permissions of a member in a channel, as Discord sends them (a decimal string). */
  permissions(guildId: string, userId: string): string {
    const guild = this.guild(guildId);
    if (guild.ownerId === userId) return String(PermissionFlagsBits.Administrator | BigInt(guild.roles[0]!.permissions));
    return guild.roles[0]!.permissions;
  }

  guildCreatePayload(guildId: string): GatewayGuildCreateDispatchData {
    const guild = this.guild(guildId);
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: GuildVerificationLevel.None,
      default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
      explicit_content_filter: GuildExplicitContentFilter.Disabled,
      roles: guild.roles,
      emojis: [],
      features: [],
      mfa_level: GuildMFALevel.None,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: GuildSystemChannelFlags.SuppressJoinNotifications,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: GuildPremiumTier.None,
      preferred_locale: guild.preferredLocale,
      public_updates_channel_id: null,
      nsfw_level: GuildNSFWLevel.Default,
      premium_progress_bar_enabled: false,
      hub_type: null,
      safety_alerts_channel_id: null,
      incidents_data: null,
      stickers: [],
      joined_at: new Date(guild.createdAt).toISOString(),
      large: false,
      unavailable: false,
      member_count: guild.memberIds.size,
      voice_states: [],
      members: [this.member(guild.id, this.bot.id)],
      channels: guild.channelIds.map((id) => this.channel(id)),
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  /** The attachment objects of a message, and so the URLs the fake CDN serves. */
  attachment(file: StoredFile, cdnBase: string, extra: Partial<APIAttachment> = {}): APIAttachment {
    return {
      id: file.attachmentId,
      filename: file.filename,
      size: file.data.length,
      url: `${cdnBase}/attachments/${file.channelId}/${file.attachmentId}/${encodeURIComponent(file.filename)}`,
      proxy_url: `${cdnBase}/attachments/${file.channelId}/${file.attachmentId}/${encodeURIComponent(file.filename)}`,
      content_type: file.contentType,
      ...extra,
    };
  }
}

/** The key a reaction is stored under: the unicode emoji, or name:id for a custom one. */
export function emojiKey(emoji: string): string {
  return decodeURIComponent(emoji);
}
