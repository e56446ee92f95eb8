/**
 * The commands in French: Discord's `name_localizations` / `description_localizations` for 'fr',
 * by path (`imagine`, `imagine.prompt`, `battle.start.theme`, a choice: `dream.mode.loop`; a message
 * menu by its name). A French client shows these; the interaction still carries the default names,
 * so the commands read their options as always. test/discord/i18n.test.ts checks every command,
 * option and choice has its entry, and Discord's rules for them (the local Discord checks them too).
 */
import { DEFAULT_MAX_LABELS, type PackSummary } from '../../engine/index.ts';
import { DEFAULT_DREAM_FRAMES, MAX_DREAM_FRAMES, MIN_DREAM_FRAMES } from '../../engine/dream.ts';
import { DEFAULT_TEXT_DIFF_STRENGTH } from '../../engine/text-diff.ts';
import { guidanceHint, promptExample, promptLimitHint } from '../prompts.ts';
import { fr } from './fr.ts';

const IMAGE = { name: 'image', description: 'Un PNG, JPEG, WebP ou GIF' };

export interface Localized {
  name: string;
  /** Chat-input commands and options only (message menus and choices have none). */
  description?: string;
}

/**
 * The table for the pack the bot runs (null: unknown where the schemas are built), as the English
 * descriptions of commands/ state it: its prompt limit (what Discord shows while typing a prompt), an
 * example of its world (prompts stay English), its guidance.
 */
export function commandsFr(pack: PackSummary | null): Readonly<Record<string, Localized>> {
  const LIMIT = promptLimitHint(pack, fr);
  const example = promptExample(pack);
  const short = promptExample(pack, true);
  return {
    imagine: { name: 'imaginer', description: 'Dessiner d’après une description en anglais : une grille 2×2, les variations à un clic' },
    'imagine.prompt': { name: 'texte', description: `En anglais, p. ex. « ${example} » (${LIMIT})` },
    'imagine.count': { name: 'nombre', description: 'Combien d’images (4 par défaut)' },
    'imagine.seed': { name: 'graine', description: 'Graine, pour retrouver les mêmes images' },
    'imagine.guidance': { name: 'guidage', description: `À quel point suivre le texte (${guidanceHint(pack, fr)})` },

    vary: { name: 'varier', description: 'Variations d’une image : la même idée redessinée (ou déplacée vers un texte)' },
    'vary.image': IMAGE,
    'vary.count': { name: 'nombre', description: 'Combien de variations (4 par défaut)' },
    'vary.toward': { name: 'vers', description: 'Différence de textes : la légende vers laquelle déplacer l’image, p. ex. « a blue heart »' },
    'vary.from': { name: 'depuis', description: 'Avec vers : ce que montre l’image (par défaut : sa meilleure légende)' },
    'vary.strength': { name: 'force', description: `Avec vers : de combien la déplacer, 0–100 (${DEFAULT_TEXT_DIFF_STRENGTH} par défaut)` },
    'vary.animate': { name: 'animer', description: 'Avec vers : aussi une animation de l’image au résultat' },

    blend: { name: 'mélanger', description: 'Mélanger deux images (ou textes) : une image entre les deux' },
    'blend.first': { name: 'première', description: 'La première image (ou donnez premier_texte)' },
    'blend.second': { name: 'seconde', description: 'La seconde image (ou donnez second_texte)' },
    'blend.first_text': { name: 'premier_texte', description: `Un texte à la place de la première image, p. ex. « ${short} »` },
    'blend.second_text': { name: 'second_texte', description: `Un texte à la place de la seconde image (${LIMIT})` },
    'blend.ratio': { name: 'proportion', description: 'Pourcentage de la première (50 par défaut)' },
    'blend.animate': { name: 'animer', description: 'Aussi une animation de la première à la seconde' },

    dream: { name: 'rêver', description: 'Une animation en boucle : variations de variations, ou une promenade qui revient' },
    'dream.prompt': { name: 'texte', description: `Partir d’un texte en anglais, p. ex. « ${short} » (${LIMIT})` },
    'dream.image': { name: 'image', description: 'Partir d’une image (ou donnez un texte)' },
    'dream.mode': { name: 'mode', description: 'boucle : chaque image varie la précédente (défaut) ; promenade : un tour qui revient' },
    'dream.mode.loop': { name: 'boucle' },
    'dream.mode.walk': { name: 'promenade' },
    'dream.frames': { name: 'nb_images', description: `De ${MIN_DREAM_FRAMES} à ${MAX_DREAM_FRAMES} images (${DEFAULT_DREAM_FRAMES} par défaut)` },

    classify: { name: 'classer', description: 'Laquelle de vos étiquettes va le mieux à une image (CLIP zero-shot)' },
    'classify.image': IMAGE,
    'classify.labels': { name: 'étiquettes', description: `De 2 à ${DEFAULT_MAX_LABELS} étiquettes séparées par des virgules : « cat, dog, a red star »` },
    'classify.template': { name: 'modèle', description: 'Phrase autour de chaque étiquette, avec {} à sa place : « a photo of {} »' },
    'Classify image': { name: 'Classer l’image' },

    describe: { name: 'décrire', description: 'Les légendes que CLIP trouve les meilleures pour une image, avec leurs scores' },
    'describe.image': IMAGE,
    'describe.count': { name: 'nombre', description: 'Combien de légendes (5 par défaut)' },
    'Describe image': { name: 'Décrire l’image' },

    queue: { name: 'file', description: 'Vos tâches et la longueur de la file' },

    show: { name: 'montrer', description: 'Reposter un ancien résultat, avec ses boutons' },
    'show.message': { name: 'message', description: 'Le lien du message du résultat (Copier le lien du message) ou son identifiant' },

    battle: { name: 'bataille', description: 'Batailles d’images : un thème, une participation chacun, des votes, un juge CLIP' },
    'battle.start': { name: 'lancer', description: 'Lancer une bataille dans ce salon' },
    'battle.start.theme': { name: 'thème', description: `Ce que les participations doivent montrer, en anglais, p. ex. « ${short} »` },
    'battle.start.minutes': { name: 'minutes', description: 'Combien de temps participations et votes restent ouverts' },
    'battle.start.max_entries': { name: 'max_participations', description: 'Le plus de participations (par défaut : sans limite)' },
    'battle.enter': { name: 'participer', description: 'Participer à la bataille de ce salon avec une image tirée de votre texte' },
    'battle.enter.prompt': { name: 'texte', description: `Quoi dessiner, en anglais (${LIMIT})` },
    'battle.status': { name: 'état', description: 'La bataille de ce salon : thème, échéance, participations et votes' },
    'battle.end': { name: 'terminer', description: 'Clore la bataille maintenant (qui l’a lancée, ou « Gérer le serveur »)' },
    'battle.leaderboard': { name: 'classement', description: 'Le top 10 de ce serveur : victoires et points' },
  };
}

/** The table's paths (the same for every pack), for the tests. */
export const COMMANDS_FR = commandsFr(null);

interface Named {
  name: string;
  description?: string;
  name_localizations?: Record<string, string> | null;
  description_localizations?: Record<string, string> | null;
  options?: Named[];
  choices?: Named[];
}

/** The paths a command's JSON has (itself, its options, subcommands and choices), in order. */
export function commandPaths(command: Named): string[] {
  const out: string[] = [];
  const walk = (node: Named, path: string) => {
    out.push(path);
    for (const o of node.options ?? []) walk(o, `${path}.${o.name}`);
    for (const c of node.choices ?? []) out.push(`${path}.${c.name}`);
  };
  walk(command, command.name);
  return out;
}

/** The command's JSON with the French names and descriptions of COMMANDS_FR (a path it lacks stays English only). */
export function localizeCommand<T extends object>(command: T, table: Readonly<Record<string, Localized>> = COMMANDS_FR): T {
  const apply = <N extends Named>(node: N, path: string): N => {
    const fr = table[path];
    return {
      ...node,
      ...(fr ? { name_localizations: { ...node.name_localizations, fr: fr.name } } : {}),
      ...(fr?.description ? { description_localizations: { ...node.description_localizations, fr: fr.description } } : {}),
      ...(node.options ? { options: node.options.map((o) => apply(o, `${path}.${o.name}`)) } : {}),
      ...(node.choices ? { choices: node.choices.map((c) => apply(c, `${path}.${c.name}`)) } : {}),
    };
  };
  const root = command as unknown as Named;
  return apply(root, root.name) as unknown as T;
}
