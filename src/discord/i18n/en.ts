/**
 * Every text the bot writes, in English (the fallback): strings, and functions of what varies.
 * fr.ts has the same keys (its type is this object's, so a missing French text is a type error).
 * User text (prompts, names) comes in already escaped and quoted by texts.ts; nothing here escapes.
 * The engine's own error messages are English already; `inputError` says them in another language.
 */
import type { UserInputDetail } from '../../engine/index.ts';

const s = (n: number, one: string, many: string) => (n === 1 ? one : many);
/** What a description's captions were ranked among: the pack's world, its own captions or labels, or the general labels. */
type Among = { kind: 'world' | 'captions' | 'labels' | 'general'; count: number };

export const en = {
  // ------------------------------------------------------------------ the queue and a job's life
  reject: {
    userLimit: (perUser: number) => `You already have ${perUser} job${s(perUser, '', 's')} waiting or running. Wait for one to finish (or cancel one) and try again.`,
    globalLimit: (global: number) => `The queue is full (${global} jobs). Please try again in a few minutes.`,
    closed: 'The bot is shutting down and is not taking new jobs. Please try again in a minute.',
  },
  queueError: {
    cancelled: '✖️ Cancelled.',
    timeout: (seconds: number | null) => `⚠️ That took longer than ${seconds !== null ? `${seconds} s` : 'its time limit'} and was stopped. Try fewer images or fewer steps.`,
    closed: '⚠️ The bot is shutting down and did not run this. Please try again in a minute.',
    postponed: '⚠️ The bot is shutting down for a moment. This job keeps its place and runs when the bot is back; the result will be posted in this channel.',
  },
  modelFailed: '⚠️ The model failed on this one. Nothing else is affected; please try again.',
  somethingWentWrong: 'Something went wrong on our side. Please try again.',
  unknownCommand: 'I do not know this command (any more). Try /imagine.',
  unknownButton: 'This button is from an older version of the bot and no longer works.',
  status: {
    queued: '⏳ Queued',
    requeued: '⏳ Re-queued after a restart',
    position: (queued: string, position: number, seconds: number | null) => `${queued}: position ${position}.${seconds === null ? '' : ` About ${seconds} s to wait.`}`,
    working: '🎨 Working on it…',
    workingAgain: '🎨 Working on it again after a restart…',
    step: (step: number, steps: number) => `🎨 Step ${step}/${steps}…`,
    /** `pack`: already escaped. */
    hold: (pack: string) => `Waiting for a worker that has the pack ${pack} — none is running right now.`,
  },
  cancel: {
    button: 'Cancel',
    notOwner: 'Only the person who asked for this job can cancel it.',
    finished: 'That job has already finished.',
  },
  reactionRefused: (text: string, emoji: string, minutes: number) => `${text} I took your ${emoji} off; react again once one is done. (I say this at most once every ${minutes} minutes.)`,
  recovery: {
    entry: (prompt: string) => `Your battle entry ${JSON.stringify(prompt)}`,
    interrupted: '⚠️ This job was interrupted twice (the bot stopped while drawing it), so it was dropped. Please try again.',
  },
  delivery: {
    posted: (url: string) => `✅ Posted in the channel: ${url}`,
    refused: (reason: string) => `⚠️ Your result is ready, but Discord refused to show it (${reason}). Please try again.`,
    dropped: (duration: string) => `⚠️ Your result was ready, but Discord kept failing to show it for ${duration}, so it was dropped. Please try again.`,
    duration: (n: number, unit: 'hour' | 'minute' | 'second') => `${n} ${unit}${s(n, '', 's')}`,
  },
  andMore: (left: number) => `…and ${left} more`,

  // ------------------------------------------------------------------ prompts and input
  /** `words`: each already escaped. */
  unknownWords: (words: string[]) =>
    `\n⚠️ This model's world has no word for ${words.map((w) => `"${w}"`).join(', ')}: it draws only coloured shapes (e.g. "a big red star on a blue background"), so expect those.`,
  /** A subject the engine or the bot names in an error ("The image", "toward"…), as this language says it. */
  subject: (what: string) => what,
  /** An engine error said in this language; null: the engine's own (English) message. */
  inputError: (_detail: UserInputDetail): string | null => null,
  image: { the: 'The image', first: 'The first image', second: 'The second image' },
  attachment: {
    noLink: (what: string) => `${what} has no usable link: attach the image file itself.`,
    notCdn: (what: string, host: string) => `${what} is not on Discord's CDN (${host}): attach the image file itself instead of a link.`,
    empty: (what: string, name: string) => `${what} (${name}) is empty (0 bytes): attach a PNG, JPEG, WebP or GIF file.`,
    tooLarge: (what: string, name: string, size: string, max: string) => `${what} (${name}) is ${size}; the limit is ${max}. Attach a smaller image.`,
    svg: (what: string, name: string) => `${what} (${name}) is an SVG; vector images are not supported. Export it as PNG and attach that.`,
    notImage: (what: string, name: string, type: string) => `${what} (${name}) is not an image (${type}): attach a PNG, JPEG, WebP or GIF file.`,
    download: (what: string, name: string, status: number) => `${what} (${name}) could not be downloaded from Discord (HTTP ${status}); attach it again.`,
    overLimit: (what: string, name: string, max: string) => `${what} (${name}) is larger than ${max}. Attach a smaller image.`,
  },
  noImageInMessage: 'That message has no image attached: use this on a message with an image.',

  // ------------------------------------------------------------------ the commands' option descriptions
  hints: {
    /** The prompt option's words on the pack's limit: `tokens` null when the pack is unknown where the schema is built. */
    promptLimit: (tokens: number | null, words: number) => (tokens === null ? "within the model's token limit" : `at most ${tokens} tokens, ~${words} words`),
    /** The guidance option's words on its default: the pack's, or null when unknown. */
    guidance: (guidance: number | null) => (guidance !== null ? `default ${guidance} for this model` : 'default: the model’s'),
  },

  // ------------------------------------------------------------------ results
  /** The line under an image result: its seed and what its buttons and reactions do. */
  imagesFooter: (seed: number, cells: number, lastEmoji: string) =>
    `seed ${seed} · ${cells > 1 ? `V1–V${cells} or react 1️⃣–${lastEmoji}` : 'V1 or react 🔁'} for variations, ${cells > 1 ? `U1–U${cells} for one image at full size, ` : ''}🎲 for a new seed`,
  shownAgain: (seed: number, owner: string, cells: number) =>
    `seed ${seed} · shown again from a result of ${owner} · ${cells > 1 ? `V1–V${cells}` : 'V1'} for variations, ${cells > 1 ? `U1–U${cells} for one image at full size, ` : ''}🎲 for a new seed`,
  cellFooter: (seed: number) => `seed ${seed} · at full size · V1 or react 🔁 for variations of it, 🎲 for a new seed`,
  /** What a stored result without a prompt is called. */
  aBlend: 'A blend',
  variations: 'Variations',
  imageN: (cell: number) => `image ${cell}`,
  mostLikely: (label: string) => `Most likely: ${label}`,
  template: (template: string) => ` · template "${template}"`,
  bestCaption: (caption: string) => `Best caption: ${caption}`,
  /** `among`: what they were ranked among (absent in results stored before it was recorded: a world's captions). */
  captionsFooter: (name: string, n: number, among?: Among) =>
    `${name} · the top ${n} of ${!among || among.kind === 'world' ? "every caption the model's world has" : among.kind === 'general' ? `${among.count} everyday labels` : `the model's ${among.count} ${among.kind}`} (CLIP scores)`,
  /** Under a result whose animation could not go with the grid. */
  animationLeftOut: (mib: number) => `(the animation is over Discord's ${mib} MiB per message, so it is left out)`,
  cellTitle: (cell: number, label: string) => `Image ${cell}: ${label}`,
  cellScoresFooter: (name: string, cell: number, cells: number) => `${name} · image ${cell} of ${cells}`,
  textDiffNote: (from: string, toward: string, theta: string) => `from ${from} toward ${toward}, θ ${theta}`,
  dreamNote: (frames: number, mode: 'loop' | 'walk') => `${frames} frames (${mode}) · the grid shows four of them`,

  // ------------------------------------------------------------------ headlines and /queue labels
  headline: {
    variationsOfCell: (cell: number, prompt: string | null) => `Variations of image ${cell}${prompt ? ` of ${prompt}` : ''}`,
    again: (blend: boolean) => `${blend ? 'Blend' : 'Variations'}, new seed`,
    entry: (user: string, theme: string, prompt: string) => `⚔️ Entry by ${user} for ${theme}: ${prompt}`,
    classify: (name: string, labels: number, cells: number | null) => `Classifying ${cells ? `each of the ${cells} images of ${name}` : name} among ${labels} labels`,
    describe: (name: string) => `Describing ${name}`,
    vary: (name: string) => `Variations of ${name}`,
    varyToward: (name: string, toward: string, strength: number) => `${name} moved toward ${toward} (strength ${strength})`,
    blend: (ratio: number, first: string, second: string) => `Blend: ${ratio} % of ${first}, ${100 - ratio} % of ${second}`,
    blendSide: (which: 'first' | 'second') => `the ${which} image`,
    dream: (what: string) => `💭 Dream of ${what}`,
  },
  label: {
    imagine: (prompt: string) => `imagine: ${prompt}`,
    variationsOfCell: (cell: number) => `variations of image ${cell}`,
    again: (kind: string) => `${kind} again`,
    entry: (prompt: string) => `battle entry: ${prompt}`,
    classify: (labels: number) => `classify: ${labels} labels`,
    describe: (name: string) => `describe: ${name}`,
    vary: (name: string) => `vary: ${name}`,
    varyToward: (toward: string) => `vary toward: ${toward}`,
    blend: (ratio: number) => `blend ${ratio}%`,
    dream: (frames: number, what: string) => `dream (${frames} frames): ${what}`,
  },

  // ------------------------------------------------------------------ commands' own answers
  blend: {
    both: (which: 'first' | 'second') => `Give the ${which} image or ${which}_text, not both.`,
    missing: (which: 'first' | 'second') => `The ${which} side is missing: attach the ${which} image, or give ${which}_text.`,
  },
  dreamOneOf: 'Give a prompt or an image to dream from (one of them).',
  varyNeedsToward: (options: ('from' | 'strength' | 'animate')[]) =>
    `${options.join(', ')} ${options.length > 1 ? 'go' : 'goes'} with toward: say which caption to move the image toward, e.g. toward:"a blue heart".`,
  queue: {
    /** `hold`: what the job waits for besides its turn (holdText), or null. */
    job: (label: string, position: number | null, hold: string | null = null) =>
      `• ${label}: ${position === null ? 'running now' : `position ${position}${hold ? `. ${hold}` : ''}`}`,
    summary: (waiting: number, running: number, perUser: number) => `Queue: ${waiting} waiting, ${running} running (at most ${perUser} per person).`,
    yours: 'Your jobs:',
    none: 'You have no jobs in the queue.',
  },
  show: {
    badLink: 'Give a message link (right-click the result → Copy Message Link) or a message id.',
    unknown: 'I have no result for that message. /show works on results of /imagine, /vary, /blend and their variations.',
    noPicture: 'I have the data of that result but not its picture, so I cannot show it again. Its buttons still work on the original.',
  },
  noData: 'I no longer have the data of this result, so I cannot make variations of it. Run the command again.',
  noDataToPost: 'I no longer have the data of this result, so I cannot post one of its images. Run the command again.',
  onlyImages: (n: number) => `This result has only ${n} image(s).`,
  noPictureToPost: 'I have the data of this result but not its picture, so I cannot post one of its images. V1–V4 still work.',
  classifyModal: {
    title: 'Classify image',
    labels: 'Labels, separated by commas',
    template: 'Template (optional), {} is the label',
    expired: 'This form has expired. Use "Classify image" on the message again.',
  },
  // ------------------------------------------------------------------ battles
  battle: {
    theme: 'The theme',
    card: (theme: string, endsIn: string, endsAt: string, maxEntries: number | null) =>
      [
        `⚔️ **Image battle** — theme: ${theme}`,
        `Ends ${endsIn} (${endsAt}).${maxEntries ? ` At most ${maxEntries} entries.` : ''}`,
        'Enter with `/battle enter prompt:…` (one entry each). Vote with the 👍 button under an entry, which counts its votes (a 👍 reaction counts the same): one vote each, not for your own; another entry’s button moves your vote, the same one takes it back.',
        'Ties are broken by the CLIP judge: how close each picture is to the theme.',
      ].join('\n'),
    entryLine: (judge: string) => `CLIP judge ${judge} · vote with the 👍 button (a 👍 reaction counts the same)`,
    thisEntry: 'this entry',
    voted: (who: string) => `You voted for ${who}'s entry.`,
    moved: (from: string, to: string) => `Your vote moved from ${from}'s entry to ${to}'s.`,
    takenBack: (who: string) => `Your vote for ${who}'s entry is taken back.`,
    ownEntry: 'You cannot vote for your own entry.',
    votesClosed: 'This battle is over; votes are closed.',
    standing: (place: string, user: string, votes: number, judge: string, points: number | null, prompt: string) =>
      `${place} ${user} — ${votes} vote${s(votes, '', 's')} · judge ${judge}${points ? ` · +${points} point${s(points, '', 's')}` : ''} · ${prompt}`,
    results: (theme: string) => `🏆 **Results** of the battle ${theme}`,
    noEntriesResult: 'No entries: no winner this time.',
    ranked: 'Ranked by votes; ties broken by the CLIP judge score.',
    alreadyRunning: (theme: string, endsIn: string) => `This channel already has a battle running (${theme}, ends ${endsIn}). One at a time: see /battle status.`,
    noneToEnter: 'No battle is running in this channel. Start one with /battle start.',
    entriesClosed: 'This battle is over; entries are closed.',
    alreadyEntered: 'You already have an entry in this battle (one each).',
    full: (max: number) => `This battle is full (${max} entries).`,
    noneHeld: 'No battle has been held in this channel yet. Start one with /battle start.',
    statusHead: (theme: string, endsIn: string | null, starter: string) => `⚔️ ${theme} — ${endsIn !== null ? `open, ends ${endsIn}` : 'closed'} · started by ${starter}`,
    entries: (n: number, pending: number) => `${n} entr${s(n, 'y', 'ies')}${pending ? ` (+${pending} being drawn)` : ''}:`,
    noEntries: (pending: number) => `No entries yet${pending ? ` (${pending} being drawn)` : ''}.`,
    yourVote: (who: string) => `Your vote is on ${who}'s entry.`,
    notVoted: 'You have not voted yet.',
    noneRunning: 'No battle is running in this channel.',
    onlyStarter: (starter: string) => `Only the battle’s starter (${starter}) or someone with Manage Server can end it.`,
    closedNow: 'The battle is closed; the results are posted in the channel.',
    closedBefore: 'This battle had already closed.',
    closedBeforeDrawn: 'The battle closed before your entry could be drawn.',
    leaderboardHead: '🏅 **Leaderboard** (3 points for a win, 2 for second, 1 for third)',
    leaderboardRow: (rank: number, user: string, points: number, wins: number, battles: number) =>
      `${rank}. ${user} — ${points} point${s(points, '', 's')}, ${wins} win${s(wins, '', 's')} (${battles} battle${s(battles, '', 's')})`,
    noLeaderboard: 'No battle has finished in this server yet.',
  },
} satisfies Record<string, unknown>;

export type Messages = typeof en;
