/**
 * A pack's JSON files (docs/PACK.md), read and validated without opening any model: what loadPack
 * builds its sessions from, and what the bot states about the pack before a model is loaded (or where
 * none is: the deploy script, a bot whose workers hold the model). Every problem is a PackError naming the file.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PackError } from './errors.ts';
import { parseManifest, type PackManifest } from './manifest.ts';
import { parsePreprocessor, type Preprocessor } from './preprocess.ts';

export interface PackFiles {
  manifest: PackManifest | null;
  tokenizerJson: object;
  tokenizerConfig: Record<string, unknown>;
  preprocessor: Preprocessor;
  embeddingDim: number;
  /** The most tokens a prompt may have (special tokens included). */
  contextLength: number;
  clipImageSize: number;
  logitScale: number;
}

/** What the bot says about a pack in its commands: its prompt limit, whether it draws, has a world, its guidance. */
export interface PackSummary {
  name: string;
  contextLength: number;
  canGenerate: boolean;
  /** pack.json declares a `world` (the shapes packs): prompts outside it are warned about. */
  hasWorld: boolean;
  /** The decoder's guidance when a request gives none (null: the pack does not draw). */
  defaultGuidance: number | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

async function readJson(dir: string, file: string, required = true): Promise<unknown> {
  const path = join(dir, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PackError(path, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `cannot be read (${(err as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new PackError(path, `is not valid JSON (${(err as Error).message})`);
  }
}

/**
 * The prompt limit of a pack without pack.json: the tokenizer's `model_max_length`, within the text
 * model's positions (tokenizers that set no limit write a huge number there), else the positions, else 77.
 */
function contextFromTokenizer(tokenizerConfig: Obj, textConfig: Obj): number {
  const positions = typeof textConfig['max_position_embeddings'] === 'number' ? textConfig['max_position_embeddings'] : undefined;
  const max = tokenizerConfig['model_max_length'];
  const tokenizer = typeof max === 'number' && Number.isInteger(max) && max > 0 && max <= (positions ?? 4096) ? max : undefined;
  return tokenizer ?? positions ?? 77;
}

export async function readPackFiles(dir: string): Promise<PackFiles> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error();
  } catch {
    throw new PackError(dir, 'is not a model pack folder (not found)');
  }
  const rawManifest = await readJson(dir, 'pack.json', false);
  let manifest: PackManifest | null = null;
  if (rawManifest !== undefined) {
    try {
      manifest = parseManifest(rawManifest);
    } catch (err) {
      if (err instanceof PackError) throw new PackError(join(dir, 'pack.json'), err.message.replace(/^pack\.json: /, ''));
      throw err;
    }
  }
  const config = await readJson(dir, 'config.json');
  if (!isObj(config) || config['model_type'] !== 'clip') {
    throw new PackError(join(dir, 'config.json'), 'must be a Hugging Face CLIP config ({"model_type": "clip", …})');
  }
  const tokenizerJson = await readJson(dir, 'tokenizer.json');
  if (!isObj(tokenizerJson) || !isObj(tokenizerJson['model'])) {
    throw new PackError(join(dir, 'tokenizer.json'), 'must be a Hugging Face tokenizers JSON (with a "model" object)');
  }
  const tokenizerConfig = await readJson(dir, 'tokenizer_config.json');
  if (!isObj(tokenizerConfig)) throw new PackError(join(dir, 'tokenizer_config.json'), 'must be a JSON object');
  const preprocessorRaw = await readJson(dir, 'preprocessor_config.json');
  let preprocessor: Preprocessor;
  try {
    preprocessor = parsePreprocessor(preprocessorRaw);
  } catch (err) {
    throw new PackError(join(dir, 'preprocessor_config.json'), (err as Error).message);
  }

  const textConfig = isObj(config['text_config']) ? config['text_config'] : {};
  const visionConfig = isObj(config['vision_config']) ? config['vision_config'] : {};
  const projection = typeof config['projection_dim'] === 'number' ? config['projection_dim'] : undefined;
  const embeddingDim = manifest?.embeddingDim ?? projection;
  if (!embeddingDim) throw new PackError(join(dir, 'config.json'), 'has no projection_dim (and there is no pack.json)');
  if (manifest && projection !== undefined && projection !== manifest.embeddingDim) {
    throw new PackError(join(dir, 'config.json'), `projection_dim ${projection} differs from pack.json embedding_dim ${manifest.embeddingDim}`);
  }
  const contextLength = manifest?.clip.contextLength ?? contextFromTokenizer(tokenizerConfig, textConfig);
  const clipImageSize = preprocessor.cropSize?.height ?? manifest?.clip.imageSize ?? (visionConfig['image_size'] as number | undefined) ?? 224;
  if (manifest && clipImageSize !== manifest.clip.imageSize) {
    throw new PackError(join(dir, 'preprocessor_config.json'), `crop size ${clipImageSize} differs from pack.json clip.image_size ${manifest.clip.imageSize}`);
  }
  // Hugging Face's default: logit_scale_init_value = ln(1/0.07) → 100 once exponentiated (the trained CLIP value).
  const logitScale = manifest?.logitScale ?? 100;
  return { manifest, tokenizerJson, tokenizerConfig, preprocessor, embeddingDim, contextLength, clipImageSize, logitScale };
}

export function summarizePack(dir: string, files: Pick<PackFiles, 'manifest' | 'contextLength'>): PackSummary {
  const m = files.manifest;
  const guidance = m?.v2 ? m.v2.decoder.defaultGuidance : m?.prior && m.decoder ? m.decoder.defaultGuidance : null;
  return {
    name: m?.name ?? basename(dir),
    contextLength: files.contextLength,
    canGenerate: guidance !== null,
    hasWorld: Boolean(m?.world),
    defaultGuidance: guidance,
  };
}

/** The summary of the pack in `dir`, from its JSON files alone (no model is opened). */
export async function readPackSummary(dir: string): Promise<PackSummary> {
  return summarizePack(dir, await readPackFiles(dir));
}
