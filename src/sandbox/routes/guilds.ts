/** Routes of guilds: the guild, its channels, roles and members. */
import { route, type Route } from '../http.ts';
import type { RouteHost } from './host.ts';

export function guildRoutes(host: RouteHost): Route[] {
  const w = host.world;
  return [
    route('GET', '/guilds/:guild', 'bot', (ctx) => {
      const { members: _members, channels: _channels, threads: _threads, presences: _presences, voice_states: _voice, ...guild } = w.guildCreatePayload(ctx.params.guild!);
      return { status: 200, body: guild };
    }),
    route('GET', '/guilds/:guild/channels', 'bot', (ctx) => ({ status: 200, body: w.guild(ctx.params.guild!).channelIds.map((id) => w.channel(id)) })),
    route('GET', '/guilds/:guild/roles', 'bot', (ctx) => ({ status: 200, body: w.guild(ctx.params.guild!).roles })),
    route('GET', '/guilds/:guild/members/:user', 'bot', (ctx) => ({ status: 200, body: w.member(ctx.params.guild!, ctx.params.user!) })),
  ];
}
