/** The vocabulary of a pack's world (pack.json `world`: colours, shapes, sizes…), and the captions `describe` ranks. */
export interface WorldVocabulary {
  colours: Record<string, [number, number, number]>;
  shapes: string[];
  sizes: string[];
  prefixes: string[];
  relations: string[];
}

/** The shapes world the bundled pack was trained on (drawn by training/world.py): what its pack.json declares. */
export const DEFAULT_WORLD: WorldVocabulary = {
  colours: {
    red: [220, 40, 40],
    orange: [245, 140, 30],
    yellow: [240, 220, 40],
    green: [40, 170, 60],
    blue: [40, 90, 220],
    purple: [140, 60, 190],
    pink: [240, 130, 180],
    brown: [130, 80, 40],
    white: [245, 245, 245],
    gray: [128, 128, 128],
    black: [20, 20, 20],
  },
  shapes: ['circle', 'square', 'triangle', 'star', 'heart'],
  sizes: ['small', 'big'],
  prefixes: ['a photo of', 'a drawing of', 'an image of'],
  relations: ['to the left of', 'to the right of', 'above', 'below'],
};

/**
 * Captions per PACK.md: `a [size] <colour> <shape> on a <colour> background`, every size (and none),
 * colour, shape and background with object colour ≠ background colour.
 */
export function describeCaptions(world: WorldVocabulary): string[] {
  const colours = Object.keys(world.colours);
  const out: string[] = [];
  for (const size of ['', ...world.sizes]) {
    for (const colour of colours) {
      for (const shape of world.shapes) {
        for (const bg of colours) {
          if (bg === colour) continue;
          out.push(`a ${size ? `${size} ` : ''}${colour} ${shape} on a ${bg} background`);
        }
      }
    }
  }
  return out;
}
