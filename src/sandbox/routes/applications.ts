/** Routes of the application itself: gateway discovery, the application and its bot user, and command registration (checked as Discord does: command-schema.ts). */
import { ApplicationCommandType, type APIApplicationCommand, type RESTPutAPIApplicationCommandsJSONBody } from 'discord-api-types/v10';
import { checkCommands } from '../command-schema.ts';
import { errors } from '../errors.ts';
import { SESSION_START_TOTAL } from '../shards.ts';
import { route, type Route } from '../http.ts';
import type { RouteHost } from './host.ts';

export function applicationRoutes(host: RouteHost): Route[] {
  const w = host.world;
  const app = () => ({
    id: w.applicationId,
    name: w.bot.username,
    icon: null,
    description: '',
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: 0,
    team: null,
    summary: '',
    owner: w.user(w.guild(host.guildId).ownerId),
    bot: w.bot,
  });
  const putCommands = (guildId: string | null, body: RESTPutAPIApplicationCommandsJSONBody): APIApplicationCommand[] => {
    if (!Array.isArray(body)) throw errors.invalidForm('', 'Expected an array of commands.');
    checkCommands(body as Parameters<typeof checkCommands>[0]);
    for (const [id, command] of w.commands) if ((command.guild_id ?? null) === guildId) w.commands.delete(id);
    return body.map((input) => {
      const command = { ...input, id: w.ids.next(), application_id: w.applicationId, version: w.ids.next(), type: input.type ?? ApplicationCommandType.ChatInput, default_member_permissions: null, ...(guildId ? { guild_id: guildId } : {}) } as APIApplicationCommand;
      w.commands.set(command.id, command);
      return command;
    });
  };
  const listCommands = (guildId: string | null) => [...w.commands.values()].filter((c) => (c.guild_id ?? null) === guildId);

  return [
    route('GET', '/gateway', 'none', () => ({ status: 200, body: { url: host.gatewayUrl } })),
    route('GET', '/gateway/bot', 'bot', () => ({
      status: 200,
      body: {
        url: host.gatewayUrl,
        shards: host.sharding.recommended(w.guilds.size),
        session_start_limit: {
          total: SESSION_START_TOTAL,
          remaining: host.sharding.sessionsRemaining,
          reset_after: 14_400_000,
          max_concurrency: host.sharding.maxConcurrency,
        },
      },
    })),
    route('GET', '/applications/@me', 'bot', () => ({ status: 200, body: app() })),
    route('GET', '/oauth2/applications/@me', 'bot', () => ({ status: 200, body: app() })),
    route('GET', '/users/@me', 'bot', () => ({ status: 200, body: w.bot })),
    route('GET', '/users/:user', 'bot', (ctx) => ({ status: 200, body: w.user(ctx.params.user!) })),
    route('GET', '/applications/:app/commands', 'bot', () => ({ status: 200, body: listCommands(null) })),
    route('PUT', '/applications/:app/commands', 'bot', (ctx) => ({ status: 200, body: putCommands(null, ctx.json) })),
    route('GET', '/applications/:app/guilds/:guild/commands', 'bot', (ctx) => ({ status: 200, body: listCommands(w.guild(ctx.params.guild!).id) })),
    route('PUT', '/applications/:app/guilds/:guild/commands', 'bot', (ctx) => ({ status: 200, body: putCommands(w.guild(ctx.params.guild!).id, ctx.json) })),
  ];
}
