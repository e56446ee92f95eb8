/**
 * Loads a model pack folder (docs/PACK.md): reads and validates the JSON files, opens one ONNX session
 * per model and checks its inputs and outputs. Every problem is a PackError naming the file.
 */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { captionSource, type CaptionSource } from './captions.ts';
import { PackError } from './errors.ts';
import type { PackManifest } from './manifest.ts';
import { readPackFiles } from './pack-files.ts';
import type { Preprocessor } from './preprocess.ts';
import { openUnclipSessions, unclipFiles, type CascadeSessions } from './pipelines/unclip-io.ts';
import { checkIo, createSession, defaultSessionSettings, type Device, type Session, type SessionSettings } from './sessions.ts';
import type { WorldVocabulary } from './world.ts';

export interface PackInfo {
  name: string;
  version: string;
  license?: string;
  description?: string;
  embeddingDim: number;
  /** Has a prior and a decoder: imagine / vary / blend work. */
  canGenerate: boolean;
  /** Side of the generated images as shown (after the latent decoder / upsampler); 0 for CLIP-only. */
  imageSize: number;
  /** The decoder's sample shape [C, h, w] (latents or pixels), when the pack generates. */
  sampleShape?: [number, number, number];
  /** Side of the images the CLIP vision model reads. */
  clipImageSize: number;
  contextLength: number;
  logitScale: number;
  /** pack.json's `world` (the shapes packs); null for packs that declare none (real CLIPs and unCLIPs). */
  world: WorldVocabulary | null;
  /** What `describe` ranks: the world's captions, the pack's caption or label list, or the general labels. */
  describe: CaptionSource;
  /** The execution provider the sessions actually run on. */
  device: Device;
  /** pack.json `metrics` (e.g. the evaluation numbers of the model card), if any. */
  metrics?: Record<string, unknown>;
}

export interface PackSessions {
  text: Session;
  vision: Session;
  prior?: Session;
  decoder?: Session;
  latentDecoder?: Session;
  upsampler?: Session;
  /** Format 2: the super-resolution stages' models, in order. */
  cascade?: CascadeSessions[];
}

export interface LoadedPack {
  dir: string;
  info: PackInfo;
  manifest: PackManifest | null;
  tokenizerJson: object;
  tokenizerConfig: Record<string, unknown>;
  preprocessor: Preprocessor;
  sessions: PackSessions;
}

export interface LoadPackOptions {
  device?: Device;
  threads?: number;
  settings?: Partial<SessionSettings>;
  log?: (line: string) => void;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export async function loadPack(dir: string, opts: LoadPackOptions = {}): Promise<LoadedPack> {
  const log = opts.log ?? (() => {});
  const { manifest, tokenizerJson, tokenizerConfig, preprocessor, embeddingDim, contextLength, clipImageSize, logitScale } = await readPackFiles(dir);

  // Every model file the pack needs must be there before any session is opened.
  const onnx = (f: string) => join(dir, 'onnx', f);
  const wanted: string[] = ['text_model.onnx', 'vision_model.onnx'];
  if (manifest?.prior) wanted.push('prior.onnx');
  if (manifest?.decoder) wanted.push('decoder.onnx');
  if (manifest?.decoder && manifest.latentDecoder) wanted.push('latent_decoder.onnx');
  if (manifest?.upsampler) wanted.push('upsampler.onnx');
  if (manifest?.v2) wanted.push(...unclipFiles(manifest.v2));
  for (const f of wanted) if (!(await exists(onnx(f)))) throw new PackError(onnx(f), 'missing');

  const settings = defaultSessionSettings({ ...opts.settings, ...(opts.device ? { device: opts.device } : {}), ...(opts.threads ? { threads: opts.threads } : {}) });
  let device: Device = settings.device;
  let warned = false;
  const open = async (f: string, light = false) => {
    const onFallback = (reason: string) => {
      if (!warned) log(`CUDA execution provider unavailable (${reason}); running on the CPU`);
      warned = true;
    };
    // After one failure to start CUDA, the other models go straight to the CPU.
    const s = warned ? { ...settings, device: 'cpu' as const } : settings;
    const { session, device: d } = await createSession(onnx(f), onnx(f), s, onFallback, light);
    if (d === 'cpu') device = 'cpu';
    return session;
  };

  const D = embeddingDim;
  const S = clipImageSize;
  const text = await open('text_model.onnx', true);
  checkIo(
    text,
    onnx('text_model.onnx'),
    [{ name: 'input_ids', type: 'int64', dims: [null, null] }],
    [{ name: 'text_embeds', type: 'float32', dims: [null, D] }],
    // Some exports of real CLIP text models also take the attention mask.
    [{ name: 'attention_mask', type: 'int64', dims: [null, null] }],
  );
  const vision = await open('vision_model.onnx', true);
  checkIo(vision, onnx('vision_model.onnx'), [{ name: 'pixel_values', type: 'float32', dims: [null, 3, S, S] }], [{ name: 'image_embeds', type: 'float32', dims: [null, D] }]);
  const sessions: PackSessions = { text, vision };

  if (manifest?.prior) {
    sessions.prior = await open('prior.onnx', true);
    checkIo(
      sessions.prior,
      onnx('prior.onnx'),
      [
        { name: 'x_t', type: 'float32', dims: [null, D] },
        { name: 'timestep', type: 'float32', dims: [null] },
        { name: 'text_embeds', type: 'float32', dims: [null, D] },
      ],
      [{ name: 'model_output', type: 'float32', dims: [null, D] }],
    );
  }
  let imageSize = 0;
  if (manifest?.decoder) {
    const [C, h, w] = manifest.decoder.sampleShape;
    sessions.decoder = await open('decoder.onnx');
    checkIo(
      sessions.decoder,
      onnx('decoder.onnx'),
      [
        { name: 'sample', type: 'float32', dims: [null, C, h, w] },
        { name: 'timestep', type: 'float32', dims: [null] },
        { name: 'image_embeds', type: 'float32', dims: [null, D] },
      ],
      [{ name: 'model_output', type: 'float32', dims: [null, C, h, w] }],
    );
    imageSize = h;
    if (manifest.latentDecoder) {
      const H = manifest.latentDecoder.imageSize;
      sessions.latentDecoder = await open('latent_decoder.onnx');
      checkIo(sessions.latentDecoder, onnx('latent_decoder.onnx'), [{ name: 'latents', type: 'float32', dims: [null, C, h, w] }], [{ name: 'image', type: 'float32', dims: [null, 3, H, H] }]);
      imageSize = H;
    }
    if (manifest.upsampler) {
      sessions.upsampler = await open('upsampler.onnx');
      checkIo(sessions.upsampler, onnx('upsampler.onnx'), [{ name: 'image', type: 'float32', dims: [null, 3, imageSize, imageSize] }], [{ name: 'image', type: 'float32', dims: [null, 3, null, null] }]);
      const out = sessions.upsampler.outputMetadata[0];
      const side = out && out.isTensor ? out.shape[2] : undefined;
      imageSize = typeof side === 'number' && side > 0 ? side : imageSize * (manifest.upsampler.scale ?? 1);
    }
  }
  if (manifest?.v2) {
    const v2 = await openUnclipSessions(manifest.v2, D, text, open, onnx);
    Object.assign(sessions, { prior: v2.prior, decoder: v2.decoder, ...(v2.latentDecoder ? { latentDecoder: v2.latentDecoder } : {}), cascade: v2.cascade });
    imageSize = v2.imageSize;
  }
  const canGenerate = Boolean(sessions.prior && sessions.decoder);
  log(
    `pack ${manifest?.name ?? basename(dir)} ${manifest?.version ?? ''} loaded from ${dir}: D=${D}, CLIP ${S}px, ` +
      `${canGenerate ? `generates ${imageSize}px` : 'CLIP only'}, ${device}, ${settings.threads} threads`,
  );
  return {
    dir,
    manifest,
    tokenizerJson,
    tokenizerConfig,
    preprocessor,
    sessions,
    info: {
      name: manifest?.name ?? basename(dir),
      version: manifest?.version ?? '0',
      ...(manifest?.license ? { license: manifest.license } : {}),
      ...(manifest?.description ? { description: manifest.description } : {}),
      embeddingDim: D,
      canGenerate,
      imageSize: canGenerate ? imageSize : 0,
      ...(canGenerate && (manifest?.decoder || manifest?.v2) ? { sampleShape: manifest.decoder?.sampleShape ?? manifest.v2!.decoder.sampleShape } : {}),
      clipImageSize: S,
      contextLength,
      logitScale,
      world: manifest?.world ?? null,
      describe: captionSource(manifest),
      device,
      ...(manifest?.metrics ? { metrics: manifest.metrics } : {}),
    },
  };
}

export async function releasePack(pack: LoadedPack): Promise<void> {
  const { cascade, ...models } = pack.sessions;
  const stages = (cascade ?? []).flatMap((st) => [st.model, ...(st.lastStepModel ? [st.lastStepModel] : [])]);
  await Promise.all([...Object.values(models), ...stages].map((s: Session) => s.release()));
}
