/**
 * Messages as Discord makes them from a create/edit body: validation with Discord's limits and
 * error shapes, attachments from multipart uploads (stored for the fake CDN), reactions, and the
 * mentions that would really ping given `allowed_mentions`.
 */
import {
  ComponentType,
  MessageFlags,
  MessageType,
  type APIActionRowComponent,
  type APIAttachment,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIMessage,
  type APIMessageInteractionMetadata,
  type APIMessageTopLevelComponent,
  type APIUser,
  type RESTAPIAttachment,
  type APIAllowedMentions,
} from 'discord-api-types/v10';
import sharp from 'sharp';
import { errors } from './errors.ts';
import type { MessageRecord, Pings, StoredFile, World } from './world.ts';

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface MessageBody {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIMessageTopLevelComponent[];
  attachments?: (RESTAPIAttachment | APIAttachment)[];
  allowed_mentions?: APIAllowedMentions;
  flags?: number;
  tts?: boolean;
  message_reference?: { message_id?: string };
}

export const DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024;

/** Discord's limits on a message body (https://discord.com/developers/docs/resources/message). */
export const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFooter: 2048,
  embedAuthor: 256,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  /** Titles, descriptions, field names and values, footers and author names of all embeds together. */
  embedTotal: 6000,
  rows: 5,
  buttonsPerRow: 5,
  customId: 100,
  buttonLabel: 80,
  files: 10,
} as const;

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** Discord derives an attachment's content type from its file name. */
export function contentTypeFor(filename: string): string {
  const ext = filename.split('.').pop()?.toLowerCase() ?? '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

export function validateMessageBody(body: MessageBody, opts: { requireSomething: boolean; fileCount: number }): void {
  if (body.content !== undefined && body.content !== null) {
    if (typeof body.content !== 'string') throw errors.invalidForm('content', 'Could not interpret "{}" as string.', 'STRING_TYPE_CONVERT');
    if (body.content.length > LIMITS.content) throw errors.maxLength('content', LIMITS.content);
  }
  const embeds = body.embeds ?? [];
  if (embeds.length > LIMITS.embeds) throw errors.maxLength('embeds', LIMITS.embeds);
  if (opts.fileCount > LIMITS.files) throw errors.maxLength('attachments', LIMITS.files);
  if ((body.attachments?.length ?? 0) > LIMITS.files) throw errors.maxLength('attachments', LIMITS.files);
  let embedChars = 0;
  embeds.forEach((embed, i) => {
    const check = (path: string, value: string | undefined, max: number) => {
      if (value === undefined) return;
      if (value.length > max) throw errors.maxLength(`embeds.${i}.${path}`, max);
      embedChars += value.length;
    };
    check('title', embed.title, LIMITS.embedTitle);
    check('description', embed.description, LIMITS.embedDescription);
    check('footer.text', embed.footer?.text, LIMITS.embedFooter);
    check('author.name', embed.author?.name, LIMITS.embedAuthor);
    if ((embed.fields?.length ?? 0) > LIMITS.embedFields) throw errors.maxLength(`embeds.${i}.fields`, LIMITS.embedFields);
    embed.fields?.forEach((field, j) => {
      if (!field.name) throw errors.required(`embeds.${i}.fields.${j}.name`);
      if (!field.value) throw errors.required(`embeds.${i}.fields.${j}.value`);
      check(`fields.${j}.name`, field.name, LIMITS.fieldName);
      check(`fields.${j}.value`, field.value, LIMITS.fieldValue);
    });
  });
  if (embedChars > LIMITS.embedTotal) throw errors.invalidForm('embeds', `Embed size exceeds maximum size of ${LIMITS.embedTotal}`, 'MAX_EMBED_SIZE_EXCEEDED');
  validateComponents(body.components ?? []);
  if (opts.requireSomething) {
    const empty = !body.content && embeds.length === 0 && opts.fileCount === 0 && (body.components ?? []).length === 0;
    if (empty) throw errors.cannotSendEmpty();
  }
}

function validateComponents(rows: APIMessageTopLevelComponent[]): void {
  if (rows.length > LIMITS.rows) throw errors.maxLength('components', LIMITS.rows);
  const ids = new Set<string>();
  rows.forEach((row, i) => {
    if (row.type !== ComponentType.ActionRow) throw errors.invalidForm(`components.${i}.type`, 'Value must be one of {1}.', 'BASE_TYPE_CHOICES');
    const children = (row as APIActionRowComponent<APIComponentInMessageActionRow>).components;
    if (children.length < 1 || children.length > LIMITS.buttonsPerRow) throw errors.invalidForm(`components.${i}.components`, `Must be between 1 and ${LIMITS.buttonsPerRow} in length.`, 'BASE_TYPE_BAD_LENGTH');
    children.forEach((child, j) => {
      const path = `components.${i}.components.${j}`;
      if ('custom_id' in child && child.custom_id !== undefined) {
        if (child.custom_id.length > LIMITS.customId) throw errors.maxLength(`${path}.custom_id`, LIMITS.customId);
        if (ids.has(child.custom_id)) throw errors.invalidForm(`${path}.custom_id`, 'Component custom id cannot be duplicated', 'COMPONENT_CUSTOM_ID_DUPLICATED');
        ids.add(child.custom_id);
      }
      if (child.type === ComponentType.Button && 'label' in child && (child.label?.length ?? 0) > LIMITS.buttonLabel) {
        throw errors.maxLength(`${path}.label`, LIMITS.buttonLabel);
      }
    });
  });
}

/** Who a message pings: Discord parses the content, then allowed_mentions filters. */
export function computePings(content: string, allowed: APIAllowedMentions | undefined, world: World): Pings {
  const parse = new Set(allowed?.parse ?? (allowed ? [] : ['users', 'roles', 'everyone']));
  const allowUsers = new Set(allowed?.users ?? []);
  const allowRoles = new Set(allowed?.roles ?? []);
  const userIds = [...content.matchAll(/<@!?(\d{17,20})>/g)].map((m) => m[1]!).filter((id) => world.users.has(id));
  const roleIds = [...content.matchAll(/<@&(\d{17,20})>/g)].map((m) => m[1]!);
  return {
    everyone: /@(everyone|here)\b/.test(content) && parse.has('everyone'),
    users: [...new Set(userIds)].filter((id) => parse.has('users') || allowUsers.has(id)),
    roles: [...new Set(roleIds)].filter((id) => parse.has('roles') || allowRoles.has(id)),
  };
}

/** Stores uploads as attachments of a channel, after Discord's size limit. */
export async function storeUploads(
  world: World,
  channelId: string,
  body: MessageBody,
  files: UploadedFile[],
  cdnBase: string,
  uploadLimit: number,
): Promise<APIAttachment[]> {
  const total = files.reduce((n, f) => n + f.data.length, 0);
  if (files.some((f) => f.data.length > uploadLimit) || total > uploadLimit) throw errors.tooLarge();
  const described = new Map<string, RESTAPIAttachment>();
  for (const a of (body.attachments ?? []) as RESTAPIAttachment[]) described.set(String(a.id), a);
  const out: APIAttachment[] = [];
  for (const file of files) {
    const index = /^files\[(\d+)\]$/.exec(file.field)?.[1] ?? file.field.replace(/^file/, '');
    const meta = described.get(index);
    const filename = meta?.filename ?? file.filename;
    const stored: StoredFile = {
      attachmentId: world.ids.next(),
      channelId,
      filename,
      contentType: contentTypeFor(filename),
      data: file.data,
    };
    world.files.set(stored.attachmentId, stored);
    const size = await imageSize(file.data);
    out.push(
      world.attachment(stored, cdnBase, {
        ...(meta?.description ? { description: meta.description } : {}),
        ...(size ? { width: size.width, height: size.height } : {}),
      }),
    );
  }
  return out;
}

async function imageSize(data: Buffer): Promise<{ width: number; height: number } | null> {
  try {
    const meta = await sharp(data, { limitInputPixels: false }).metadata();
    return meta.width && meta.height ? { width: meta.width, height: meta.height } : null;
  } catch {
    return null;
  }
}

export interface NewMessage {
  channelId: string;
  author: APIUser;
  body: MessageBody;
  attachments: APIAttachment[];
  type?: MessageType;
  webhookId?: string;
  applicationId?: string;
  interaction?: { metadata: APIMessageInteractionMetadata; name: string };
  ephemeralFor?: string | null;
  loading?: boolean;
}

export function createMessage(world: World, input: NewMessage): MessageRecord {
  const channel = world.channel(input.channelId);
  const content = input.body.content ?? '';
  const pings = computePings(content, input.body.allowed_mentions, world);
  let flags = (input.body.flags ?? 0) & (MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications);
  if (input.ephemeralFor) flags |= MessageFlags.Ephemeral;
  if (input.loading) flags |= MessageFlags.Loading;
  const message: APIMessage = {
    id: world.ids.next(),
    channel_id: channel.id,
    author: input.author,
    content,
    timestamp: new Date(world.now()).toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: pings.everyone,
    mentions: pings.users.map((id) => world.user(id)),
    mention_roles: pings.roles,
    attachments: input.attachments,
    embeds: input.body.embeds ?? [],
    components: input.body.components ?? [],
    pinned: false,
    type: input.type ?? MessageType.Default,
    flags,
    ...(input.webhookId ? { webhook_id: input.webhookId } : {}),
    ...(input.applicationId ? { application_id: input.applicationId } : {}),
    ...(input.interaction
      ? {
          interaction_metadata: input.interaction.metadata,
          interaction: {
            id: input.interaction.metadata.id,
            type: input.interaction.metadata.type,
            name: input.interaction.name,
            user: input.interaction.metadata.user,
          },
        }
      : {}),
  };
  channel.last_message_id = message.id;
  const record: MessageRecord = {
    message,
    guildId: channel.guild_id ?? null,
    ephemeralFor: input.ephemeralFor ?? null,
    pings,
    deleted: false,
    reactions: new Map(),
  };
  world.messages.set(message.id, record);
  return record;
}

/** Applies an edit body: only the fields given change; `attachments` lists the ones to keep. */
export function editMessage(world: World, record: MessageRecord, body: MessageBody, uploaded: APIAttachment[]): void {
  const m = record.message;
  if (body.content !== undefined) {
    m.content = body.content ?? '';
    // The message's mentions follow the new content, but as on Discord an edit notifies no one:
    // record.pings keeps who was notified when the message was created.
    const mentioned = computePings(m.content, body.allowed_mentions, world);
    m.mention_everyone = mentioned.everyone;
    m.mentions = mentioned.users.map((id) => world.user(id));
    m.mention_roles = mentioned.roles;
  }
  if (body.embeds !== undefined) m.embeds = body.embeds ?? [];
  if (body.components !== undefined) m.components = body.components ?? [];
  if (body.attachments !== undefined) {
    const keep = new Set((body.attachments ?? []).map((a) => String(a.id)));
    m.attachments = m.attachments.filter((a) => keep.has(a.id));
  }
  m.attachments = [...m.attachments, ...uploaded];
  if (body.flags !== undefined) {
    const keep = (m.flags ?? 0) & MessageFlags.Ephemeral;
    m.flags = keep | ((body.flags ?? 0) & MessageFlags.SuppressEmbeds);
  }
  m.flags = (m.flags ?? 0) & ~MessageFlags.Loading;
  m.edited_timestamp = new Date(world.now()).toISOString();
}

/** The message as the API returns it, with the reactions counted from the viewer's side. */
export function renderMessage(record: MessageRecord, viewerId: string): APIMessage {
  const reactions = [...record.reactions.entries()]
    .filter(([, users]) => users.length > 0)
    .map(([key, users]) => ({
      emoji: { id: null, name: key },
      count: users.length,
      count_details: { burst: 0, normal: users.length },
      me: users.includes(viewerId),
      me_burst: false,
      burst_colors: [],
    }));
  return { ...record.message, ...(reactions.length ? { reactions } : {}) };
}

/** The buttons of a message, row by row. */
export function buttons(message: APIMessage): { custom_id?: string; label?: string; emoji?: { name?: string }; disabled?: boolean }[] {
  return (message.components ?? []).flatMap((row) =>
    'components' in row ? (row.components as { type: number; custom_id?: string; label?: string; emoji?: { name?: string }; disabled?: boolean }[]).filter((c) => c.type === ComponentType.Button) : [],
  );
}
