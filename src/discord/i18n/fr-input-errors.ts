/**
 * The engine's input errors in French, from their data (UserInputError.detail): one text per code,
 * typed so that a new code without its French text is a type error. English needs none: the
 * engine's messages are English.
 */
import type { UserInputCode, UserInputDetail } from '../../engine/index.ts';

const ACCEPTED = 'PNG, JPEG, WebP ou GIF';

/** The subjects the bot and the engine name in their errors, in French (any other is kept as it is). */
const SUBJECTS: Record<string, string> = {
  'The image': 'L’image',
  'The first image': 'La première image',
  'The second image': 'La seconde image',
  'The prompt': 'Le texte',
  'The theme': 'Le thème',
  'The target text': 'Le texte cible',
  'The "from" text': 'Le texte « depuis »',
  first_text: 'premier_texte',
  second_text: 'second_texte',
  toward: 'vers',
  from: 'depuis',
};

export const subjectFr = (what: string): string => SUBJECTS[what] ?? what;

type Texts = { [K in UserInputCode]: (d: Extract<UserInputDetail, { code: K }>, what: string) => string };

/** `what`: the subject in French ("L’image" when the error names none). */
const TEXTS: Texts = {
  'prompt-empty': () => 'Le texte est vide : décrivez l’image en anglais, p. ex. « a big red star on a blue background ».',
  'prompt-chars': (d) => `Le texte est trop long (${d.length} caractères ; au plus ${d.max}) : raccourcissez-le.`,
  'prompt-tokens': (d) => `Le texte est trop long (${d.tokens} jetons ; ce modèle en lit au plus ${d.max}) : raccourcissez-le.`,
  'template-braces': () => 'Le modèle doit contenir {} à la place de l’étiquette, p. ex. « a photo of {} ».',
  'labels-few': (d) => `Donnez au moins 2 étiquettes, séparées par des virgules (reçu : ${d.count}), p. ex. « cat, dog ».`,
  'labels-many': (d) => `Trop d’étiquettes : ${d.count} (au plus ${d.max}).`,
  'label-long': (d) => `L’étiquette « ${d.label}… » est trop longue (au plus ${d.max} caractères).`,
  'label-duplicate': (d) => `Étiquette en double « ${d.label} » : donnez chaque étiquette une seule fois.`,
  'image-empty': (_d, what) => `${what} est vide (0 octet) : joignez un fichier ${ACCEPTED}.`,
  'image-bytes': (d, what) => `${what} est trop lourde (${d.mib} Mio ; au plus ${d.maxMib} Mio).`,
  'image-pixels': (d, what) => `${what} est trop grande (${d.width}×${d.height}) ; la limite est ${d.maxSide}×${d.maxSide} et ${d.megapixels} mégapixels : envoyez une image plus petite.`,
  'image-corrupt': (_d, what) => `${what} est corrompue ou tronquée : renvoyez le fichier, ou une autre image ${ACCEPTED}.`,
  'image-svg': (_d, what) => `${what} est un SVG, qui n’est pas accepté : envoyez une image ${ACCEPTED}.`,
  'image-format': (d, what) => `${what} est un fichier ${d.format}, qui n’est pas accepté : envoyez une image ${ACCEPTED}.`,
  'image-unreadable': (_d, what) => `${what} n’est pas une image lisible : envoyez un fichier ${ACCEPTED}.`,
  'texts-same': () => 'Les deux textes veulent dire la même chose pour le modèle : donnez une cible différente de ce que montre l’image.',
  'from-needed': () => 'Dites ce que montre l’image (« depuis ») : je n’ai que son embedding, pas l’image à décrire.',
};

/** The prompt errors name their subject first ("Le thème : …") as the engine's English does. */
const PREFIXED: ReadonlySet<UserInputCode> = new Set(['prompt-empty', 'prompt-chars', 'prompt-tokens']);

export function inputErrorFr(detail: UserInputDetail): string {
  const what = subjectFr(detail.what ?? 'The image');
  const text = (TEXTS[detail.code] as (d: UserInputDetail, what: string) => string)(detail, what);
  return detail.what && PREFIXED.has(detail.code) ? `${what} : ${text}` : text;
}
