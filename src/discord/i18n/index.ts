/**
 * The bot's languages: English (the fallback) and French. An interaction carries its user's Discord
 * locale ('fr', 'en-US', 'en-GB'…); French for 'fr', English for every other. A job keeps the
 * language of whoever asked (its request's `locale`), so its statuses and result are in it even
 * after a restart; a job from a reaction (no locale) takes the server's preferred locale.
 */
import type { UserInputError } from '../../engine/index.ts';
import { en, type Messages } from './en.ts';
import { fr } from './fr.ts';

export type { Messages } from './en.ts';
export { en };
export type Lang = 'en' | 'fr';
export const LANGS: readonly Lang[] = ['en', 'fr'];

const CATALOGUES: Record<Lang, Messages> = { en, fr };

/** The language for a Discord locale: French for fr, English for anything else (or none). */
export function langOf(locale: string | null | undefined): Lang {
  return typeof locale === 'string' && locale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

/** The texts of a language (English when none is known, as for jobs journalled before languages). */
export function messagesFor(lang: Lang | null | undefined): Messages {
  return CATALOGUES[lang ?? 'en'] ?? en;
}

/** The texts for an interaction's user. */
export function interactionMessages(interaction: { locale: string }): Messages {
  return messagesFor(langOf(interaction.locale));
}

/** What a UserInputError says to the person: the engine's detail in their language, else its message (the bot's own are already in it). */
export function userErrorText(error: UserInputError, m: Messages): string {
  return (error.detail && m.inputError(error.detail)) ?? error.message;
}
