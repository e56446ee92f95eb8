/** The local Discord's route table: every REST route it knows, by resource. */
import type { Route } from '../http.ts';
import { applicationRoutes } from './applications.ts';
import { channelRoutes } from './channels.ts';
import { guildRoutes } from './guilds.ts';
import type { RouteHost } from './host.ts';
import { interactionRoutes } from './interactions.ts';
import { webhookRoutes } from './webhooks.ts';

export type { RouteHost } from './host.ts';

export function buildRoutes(host: RouteHost): Route[] {
  return [...applicationRoutes(host), ...interactionRoutes(host), ...webhookRoutes(host), ...channelRoutes(host), ...guildRoutes(host)];
}
