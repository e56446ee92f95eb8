/**
 * Every text the bot writes, in French: the keys of en.ts (typed as its object, so none is missing).
 * Prompts stay English (the pack's world is English): the texts say so where it matters.
 * French plurals: 0 and 1 are singular.
 */
import type { Messages } from './en.ts';
import { inputErrorFr, subjectFr } from './fr-input-errors.ts';

const s = (n: number, one: string, many: string) => (n > 1 ? many : one);
const OPTION_FR = { from: 'depuis', strength: 'force', animate: 'animer' } as const;
const side = (which: 'first' | 'second') => (which === 'first' ? { image: 'la première image', text: 'premier_texte' } : { image: 'la seconde image', text: 'second_texte' });

export const fr: Messages = {
  reject: {
    userLimit: (perUser) => `Vous avez déjà ${perUser} tâche${s(perUser, '', 's')} en attente ou en cours. Attendez qu’une se termine (ou annulez-en une), puis réessayez.`,
    globalLimit: (global) => `La file est pleine (${global} tâches). Réessayez dans quelques minutes.`,
    closed: 'Le bot s’arrête et ne prend plus de tâches. Réessayez dans une minute.',
  },
  queueError: {
    cancelled: '✖️ Annulé.',
    timeout: (seconds) => `⚠️ Cela a pris plus de ${seconds !== null ? `${seconds} s` : 'le temps permis'} et a été arrêté. Demandez moins d’images ou moins d’étapes.`,
    closed: '⚠️ Le bot s’arrête et n’a pas lancé cette tâche. Réessayez dans une minute.',
    postponed: '⚠️ Le bot s’arrête un instant. Cette tâche garde sa place et reprendra à son retour ; le résultat sera posté dans ce salon.',
  },
  modelFailed: '⚠️ Le modèle a échoué sur celle-ci. Rien d’autre n’est touché ; réessayez.',
  somethingWentWrong: 'Un problème est survenu de notre côté. Réessayez.',
  unknownCommand: 'Je ne connais pas (plus) cette commande. Essayez /imaginer.',
  unknownButton: 'Ce bouton vient d’une ancienne version du bot et ne marche plus.',
  status: {
    queued: '⏳ En file',
    requeued: '⏳ Remis en file après un redémarrage',
    position: (queued, position, seconds) => `${queued} : position ${position}.${seconds === null ? '' : ` Environ ${seconds} s d’attente.`}`,
    working: '🎨 En cours…',
    workingAgain: '🎨 Repris après un redémarrage…',
    step: (step, steps) => `🎨 Étape ${step}/${steps}…`,
    hold: (pack) => `En attente d’un worker qui a le pack ${pack} : aucun ne tourne en ce moment.`,
  },
  cancel: {
    button: 'Annuler',
    notOwner: 'Seule la personne qui a demandé cette tâche peut l’annuler.',
    finished: 'Cette tâche est déjà terminée.',
  },
  reactionRefused: (text, emoji, minutes) => `${text} J’ai retiré votre ${emoji} ; réagissez de nouveau quand une tâche sera finie. (Je ne le dis qu’une fois toutes les ${minutes} minutes.)`,
  recovery: {
    entry: (prompt) => `Votre participation « ${prompt} »`,
    interrupted: '⚠️ Cette tâche a été interrompue deux fois (le bot s’est arrêté pendant le dessin), elle est donc abandonnée. Réessayez.',
  },
  delivery: {
    posted: (url) => `✅ Posté dans le salon : ${url}`,
    refused: (reason) => `⚠️ Votre résultat est prêt, mais Discord a refusé de l’afficher (${reason}). Réessayez.`,
    dropped: (duration) => `⚠️ Votre résultat était prêt, mais Discord n’a pas réussi à l’afficher pendant ${duration} ; il est abandonné. Réessayez.`,
    duration: (n, unit) => `${n} ${{ hour: 'heure', minute: 'minute', second: 'seconde' }[unit]}${s(n, '', 's')}`,
  },
  andMore: (left) => `…et ${left} de plus`,

  unknownWords: (words) =>
    `\n⚠️ Le monde de ce modèle n’a pas de mot pour ${words.map((w) => `« ${w} »`).join(', ')} : il ne comprend que des mots anglais et ne dessine que des formes colorées (p. ex. « a big red star on a blue background »), attendez-vous donc à des formes.`,
  subject: subjectFr,
  inputError: inputErrorFr,
  image: { the: 'L’image', first: 'La première image', second: 'La seconde image' },
  attachment: {
    noLink: (what) => `${what} n’a pas de lien utilisable : joignez le fichier de l’image lui-même.`,
    notCdn: (what, host) => `${what} n’est pas sur le CDN de Discord (${host}) : joignez le fichier de l’image au lieu d’un lien.`,
    empty: (what, name) => `${what} (${name}) est vide (0 octet) : joignez un fichier PNG, JPEG, WebP ou GIF.`,
    tooLarge: (what, name, size, max) => `${what} (${name}) fait ${size} ; la limite est ${max}. Joignez une image plus petite.`,
    svg: (what, name) => `${what} (${name}) est un SVG ; les images vectorielles ne sont pas prises en charge. Exportez-la en PNG et joignez celle-ci.`,
    notImage: (what, name, type) => `${what} (${name}) n’est pas une image (${type}) : joignez un fichier PNG, JPEG, WebP ou GIF.`,
    download: (what, name, status) => `${what} (${name}) n’a pas pu être téléchargée depuis Discord (HTTP ${status}) ; joignez-la de nouveau.`,
    overLimit: (what, name, max) => `${what} (${name}) dépasse ${max}. Joignez une image plus petite.`,
  },
  hints: {
    promptLimit: (tokens, words) => (tokens === null ? 'dans la limite du modèle' : `au plus ${tokens} jetons, ~${words} mots`),
    guidance: (guidance) => (guidance !== null ? `${String(guidance).replace('.', ',')} par défaut pour ce modèle` : 'par défaut : celui du modèle'),
  },
  noImageInMessage: 'Ce message n’a pas d’image jointe : utilisez ceci sur un message avec une image.',

  imagesFooter: (seed, cells, lastEmoji) =>
    `graine ${seed} · ${cells > 1 ? `V1–V${cells} ou réagissez 1️⃣–${lastEmoji}` : 'V1 ou réagissez 🔁'} pour des variations, ${cells > 1 ? `U1–U${cells} pour une image en taille réelle, ` : ''}🎲 pour une nouvelle graine`,
  shownAgain: (seed, owner, cells) =>
    `graine ${seed} · remontré depuis un résultat de ${owner} · ${cells > 1 ? `V1–V${cells}` : 'V1'} pour des variations, ${cells > 1 ? `U1–U${cells} pour une image en taille réelle, ` : ''}🎲 pour une nouvelle graine`,
  cellFooter: (seed) => `graine ${seed} · en taille réelle · V1 ou réagissez 🔁 pour ses variations, 🎲 pour une nouvelle graine`,
  aBlend: 'Un mélange',
  variations: 'Variations',
  imageN: (cell) => `image ${cell}`,
  mostLikely: (label) => `Le plus probable : ${label}`,
  template: (template) => ` · modèle « ${template} »`,
  bestCaption: (caption) => `Meilleure légende : ${caption}`,
  captionsFooter: (name, n, among) =>
    `${name} · les ${n} meilleures ${!among || among.kind === 'world' ? 'de toutes les légendes du monde du modèle' : among.kind === 'general' ? `parmi ${among.count} étiquettes courantes` : `parmi les ${among.count} ${among.kind === 'captions' ? 'légendes' : 'étiquettes'} du modèle`} (scores CLIP)`,
  animationLeftOut: (mib) => `(l’animation dépasse les ${mib} Mio par message de Discord : elle est laissée de côté)`,
  cellTitle: (cell, label) => `Image ${cell} : ${label}`,
  cellScoresFooter: (name, cell, cells) => `${name} · image ${cell} sur ${cells}`,
  textDiffNote: (from, toward, theta) => `de ${from} vers ${toward}, θ ${theta}`,
  dreamNote: (frames, mode) => `${frames} images (${mode === 'loop' ? 'boucle' : 'promenade'}) · la grille en montre quatre`,

  headline: {
    variationsOfCell: (cell, prompt) => `Variations de l’image ${cell}${prompt ? ` de ${prompt}` : ''}`,
    again: (blend) => `${blend ? 'Mélange' : 'Variations'}, nouvelle graine`,
    entry: (user, theme, prompt) => `⚔️ Participation de ${user} pour ${theme} : ${prompt}`,
    classify: (name, labels, cells) => `Classement ${cells ? `de chacune des ${cells} images de ${name}` : `de ${name}`} parmi ${labels} étiquettes`,
    describe: (name) => `Description de ${name}`,
    vary: (name) => `Variations de ${name}`,
    varyToward: (name, toward, strength) => `${name} déplacée vers ${toward} (force ${strength})`,
    blend: (ratio, first, second) => `Mélange : ${ratio} % de ${first}, ${100 - ratio} % de ${second}`,
    blendSide: (which) => side(which).image,
    dream: (what) => `💭 Rêve de ${what}`,
  },
  label: {
    imagine: (prompt) => `imaginer : ${prompt}`,
    variationsOfCell: (cell) => `variations de l’image ${cell}`,
    again: (kind) => `${{ imagine: 'imaginer', vary: 'varier', blend: 'mélanger' }[kind] ?? kind}, de nouveau`,
    entry: (prompt) => `participation : ${prompt}`,
    classify: (labels) => `classer : ${labels} étiquettes`,
    describe: (name) => `décrire : ${name}`,
    vary: (name) => `varier : ${name}`,
    varyToward: (toward) => `varier vers : ${toward}`,
    blend: (ratio) => `mélanger ${ratio} %`,
    dream: (frames, what) => `rêver (${frames} images) : ${what}`,
  },

  blend: {
    both: (which) => `Donnez ${side(which).image} ou ${side(which).text}, pas les deux.`,
    missing: (which) => `Il manque ${which === 'first' ? 'le premier côté' : 'le second côté'} : joignez ${side(which).image}, ou donnez ${side(which).text}.`,
  },
  dreamOneOf: 'Donnez un texte ou une image d’où partir (l’un des deux).',
  varyNeedsToward: (options) =>
    `${options.map((o) => OPTION_FR[o]).join(', ')} ${options.length > 1 ? 'vont' : 'va'} avec vers : dites vers quelle légende déplacer l’image, p. ex. vers:"a blue heart".`,
  queue: {
    job: (label, position, hold = null) => `• ${label} — ${position === null ? 'en cours' : `position ${position}${hold ? `. ${hold}` : ''}`}`,
    summary: (waiting, running, perUser) => `File : ${waiting} en attente, ${running} en cours (au plus ${perUser} par personne).`,
    yours: 'Vos tâches :',
    none: 'Vous n’avez aucune tâche dans la file.',
  },
  show: {
    badLink: 'Donnez un lien de message (clic droit sur le résultat → Copier le lien du message) ou un identifiant de message.',
    unknown: 'Je n’ai pas de résultat pour ce message. /montrer marche sur les résultats de /imaginer, /varier, /mélanger et leurs variations.',
    noPicture: 'J’ai les données de ce résultat mais pas son image, je ne peux donc pas le remontrer. Ses boutons marchent toujours sur l’original.',
  },
  noData: 'Je n’ai plus les données de ce résultat, je ne peux donc pas en faire de variations. Relancez la commande.',
  noDataToPost: 'Je n’ai plus les données de ce résultat, je ne peux donc pas en poster une image. Relancez la commande.',
  onlyImages: (n) => `Ce résultat n’a que ${n} image${s(n, '', 's')}.`,
  noPictureToPost: 'J’ai les données de ce résultat mais pas son image, je ne peux donc pas en poster une. V1–V4 marchent toujours.',
  classifyModal: {
    title: 'Classer l’image',
    labels: 'Étiquettes, séparées par des virgules',
    template: 'Modèle (facultatif), {} est l’étiquette',
    expired: 'Ce formulaire a expiré. Utilisez de nouveau « Classer l’image » sur le message.',
  },

  battle: {
    theme: 'Le thème',
    card: (theme, endsIn, endsAt, maxEntries) =>
      [
        `⚔️ **Bataille d’images** — thème : ${theme}`,
        `Fin ${endsIn} (${endsAt}).${maxEntries ? ` Au plus ${maxEntries} participations.` : ''}`,
        'Participez avec `/bataille participer texte:…` (une participation chacun). Votez avec le bouton 👍 sous une participation, qui compte ses votes (une réaction 👍 compte pareil) : un vote chacun, pas pour la vôtre ; le bouton d’une autre participation déplace votre vote, le même le retire.',
        'Les égalités sont départagées par le juge CLIP : la proximité de chaque image avec le thème.',
      ].join('\n'),
    entryLine: (judge) => `juge CLIP ${judge} · votez avec le bouton 👍 (une réaction 👍 compte pareil)`,
    thisEntry: 'cette participation',
    voted: (who) => `Vous avez voté pour la participation de ${who}.`,
    moved: (from, to) => `Votre vote passe de la participation de ${from} à celle de ${to}.`,
    takenBack: (who) => `Votre vote pour la participation de ${who} est retiré.`,
    ownEntry: 'Vous ne pouvez pas voter pour votre propre participation.',
    votesClosed: 'Cette bataille est finie ; les votes sont clos.',
    standing: (place, user, votes, judge, points, prompt) =>
      `${place} ${user} — ${votes} vote${s(votes, '', 's')} · juge ${judge}${points ? ` · +${points} point${s(points, '', 's')}` : ''} · ${prompt}`,
    results: (theme) => `🏆 **Résultats** de la bataille ${theme}`,
    noEntriesResult: 'Aucune participation : pas de gagnant cette fois.',
    ranked: 'Classement par votes ; égalités départagées par le score du juge CLIP.',
    alreadyRunning: (theme, endsIn) => `Ce salon a déjà une bataille en cours (${theme}, fin ${endsIn}). Une à la fois : voyez /bataille état.`,
    noneToEnter: 'Aucune bataille en cours dans ce salon. Lancez-en une avec /bataille lancer.',
    entriesClosed: 'Cette bataille est finie ; les participations sont closes.',
    alreadyEntered: 'Vous avez déjà une participation dans cette bataille (une chacun).',
    full: (max) => `Cette bataille est complète (${max} participations).`,
    noneHeld: 'Aucune bataille n’a encore eu lieu dans ce salon. Lancez-en une avec /bataille lancer.',
    statusHead: (theme, endsIn, starter) => `⚔️ ${theme} — ${endsIn !== null ? `ouverte, fin ${endsIn}` : 'close'} · lancée par ${starter}`,
    entries: (n, pending) => `${n} participation${s(n, '', 's')}${pending ? ` (+${pending} en cours de dessin)` : ''} :`,
    noEntries: (pending) => `Aucune participation pour l’instant${pending ? ` (${pending} en cours de dessin)` : ''}.`,
    yourVote: (who) => `Votre vote est sur la participation de ${who}.`,
    notVoted: 'Vous n’avez pas encore voté.',
    noneRunning: 'Aucune bataille en cours dans ce salon.',
    onlyStarter: (starter) => `Seule la personne qui l’a lancée (${starter}) ou quelqu’un avec « Gérer le serveur » peut la terminer.`,
    closedNow: 'La bataille est close ; les résultats sont postés dans le salon.',
    closedBefore: 'Cette bataille était déjà close.',
    closedBeforeDrawn: 'La bataille s’est close avant que votre participation soit dessinée.',
    leaderboardHead: '🏅 **Classement** (3 points pour une victoire, 2 pour la deuxième place, 1 pour la troisième)',
    leaderboardRow: (rank, user, points, wins, battles) =>
      `${rank}. ${user} — ${points} point${s(points, '', 's')}, ${wins} victoire${s(wins, '', 's')} (${battles} bataille${s(battles, '', 's')})`,
    noLeaderboard: 'Aucune bataille ne s’est encore terminée sur ce serveur.',
  },
};
