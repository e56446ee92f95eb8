/**
 * What `describe` ranks for a pack (docs/PACK.md, "describe"): the captions of its world (the shapes
 * packs), else the caption or label list its pack.json declares (`describe`), else a general list of
 * everyday subjects, each label read by CLIP through a template ("a photo of {}").
 */
import type { PackManifest } from './manifest.ts';
import { describeCaptions } from './world.ts';

export type { DescribeList } from './manifest.ts';

export interface CaptionSource {
  /** Its world's captions, its own captions or labels (pack.json `describe`), or the general labels. */
  kind: 'world' | 'captions' | 'labels' | 'general';
  /** The texts CLIP ranks and `describe` returns (labels already in their template). */
  captions: string[];
  /** For labels: the template they were put in. */
  template?: string;
}

export const LABEL_TEMPLATE = 'a photo of {}';

/** The general list, for packs with neither a world nor a list of their own (real CLIPs and unCLIPs). */
export const GENERAL_LABELS: readonly string[] = [
  'a person', 'a man', 'a woman', 'a child', 'a baby', 'a group of people', 'a face', 'a hand',
  'a dog', 'a cat', 'a horse', 'a cow', 'a sheep', 'a pig', 'a rabbit', 'a mouse', 'a bird', 'a chicken',
  'a duck', 'an owl', 'a parrot', 'a fish', 'a shark', 'a whale', 'a dolphin', 'a turtle', 'a frog', 'a snake',
  'a lizard', 'a butterfly', 'a bee', 'a spider', 'a lion', 'a tiger', 'a bear', 'an elephant', 'a giraffe',
  'a zebra', 'a monkey', 'a fox', 'a wolf', 'a deer', 'a squirrel', 'a dinosaur', 'a dragon', 'a robot',
  'a car', 'a truck', 'a bus', 'a bicycle', 'a motorcycle', 'a train', 'an airplane', 'a boat', 'a ship',
  'a rocket', 'a house', 'a castle', 'a church', 'a bridge', 'a tower', 'a skyscraper', 'a city', 'a street',
  'a village', 'a room', 'a kitchen', 'a garden', 'a park', 'a beach', 'the sea', 'a lake', 'a river',
  'a waterfall', 'a mountain', 'a forest', 'a tree', 'a flower', 'a field', 'a desert', 'snow', 'the sky',
  'clouds', 'the night sky', 'the moon', 'the sun', 'a planet', 'a sunset', 'fire', 'an apple', 'a banana',
  'an orange', 'a cake', 'a pizza', 'a sandwich', 'a cup of coffee', 'a bowl of food', 'a bottle', 'a chair',
  'a table', 'a bed', 'a lamp', 'a clock', 'a book', 'a computer', 'a phone', 'a guitar', 'a piano', 'a ball',
  'a toy', 'a hat', 'a shoe', 'a dress', 'a bag', 'a sword', 'a key', 'a star', 'a heart', 'a circle',
  'a square', 'a triangle', 'a pattern', 'text', 'a logo', 'a map', 'a diagram', 'a painting', 'a drawing',
  'a cartoon', 'a sculpture', 'a toy figure',
];

/** Where `describe`'s captions come from for a pack with this pack.json (or none). */
export function captionSource(manifest: Pick<PackManifest, 'world' | 'describe'> | null): CaptionSource {
  if (manifest?.world) return { kind: 'world', captions: describeCaptions(manifest.world) };
  const list = manifest?.describe;
  if (list && 'captions' in list) return { kind: 'captions', captions: [...list.captions] };
  const labels = list ? list.labels : GENERAL_LABELS;
  const template = list ? list.template : LABEL_TEMPLATE;
  return { kind: list ? 'labels' : 'general', captions: labels.map((l) => template.replace('{}', l)), template };
}
