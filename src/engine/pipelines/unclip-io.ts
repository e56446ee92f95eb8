/**
 * The ONNX files of a format-2 pack (docs/PACK.md, "Format 2"): their names, and the inputs and
 * outputs each must have. Opened by pack.ts after the CLIP models.
 */
import { checkIo, type Session } from '../sessions.ts';
import type { PackV2 } from './pack-v2.ts';

export function unclipFiles(v2: PackV2): string[] {
  const cascade = v2.cascade.flatMap((st) => [st.model, ...(st.lastStepModel ? [st.lastStepModel] : [])]);
  return ['prior.onnx', 'decoder.onnx', ...(v2.latentDecoder ? ['latent_decoder.onnx'] : []), ...cascade];
}

/** Opens and checks the prior, decoder and latent decoder; the text model must give its hidden states too. */
export async function openUnclipSessions(
  v2: PackV2,
  D: number,
  text: Session,
  open: (file: string, light?: boolean) => Promise<Session>,
  path: (file: string) => string,
): Promise<{ prior: Session; decoder: Session; latentDecoder?: Session; cascade: CascadeSessions[]; imageSize: number }> {
  checkIo(text, path('text_model.onnx'), [{ name: 'input_ids', type: 'int64', dims: [null, null] }], [
    { name: 'text_embeds', type: 'float32', dims: [null, D] },
    { name: 'last_hidden_state', type: 'float32', dims: [null, null, null] },
  ]);
  const prior = await open('prior.onnx', true);
  checkIo(
    prior,
    path('prior.onnx'),
    [
      { name: 'x_t', type: 'float32', dims: [null, D] },
      { name: 'timestep', type: 'float32', dims: [null] },
      { name: 'text_embeds', type: 'float32', dims: [null, D] },
      { name: 'text_hidden_states', type: 'float32', dims: [null, null, null] },
      { name: 'attention_mask', type: 'int64', dims: [null, null] },
    ],
    [{ name: 'model_output', type: 'float32', dims: [null, D] }],
  );
  const [C, h, w] = v2.decoder.sampleShape;
  const decoder = await open('decoder.onnx');
  checkIo(
    decoder,
    path('decoder.onnx'),
    [
      { name: 'sample', type: 'float32', dims: [null, C, h, w] },
      { name: 'timestep', type: 'float32', dims: [null] },
      { name: 'image_embeds', type: 'float32', dims: [null, D] },
      ...(v2.decoder.textConditioning ? TEXT_INPUTS(D) : []),
    ],
    [{ name: 'model_output', type: 'float32', dims: [null, v2.decoder.outputChannels, h, w] }],
  );
  let latentDecoder: Session | undefined;
  let side = h;
  if (v2.latentDecoder) {
    side = v2.latentDecoder.imageSize;
    latentDecoder = await open('latent_decoder.onnx');
    checkIo(latentDecoder, path('latent_decoder.onnx'), [{ name: 'latents', type: 'float32', dims: [null, C, h, w] }], [{ name: 'image', type: 'float32', dims: [null, 3, side, side] }]);
  }
  const cascade: CascadeSessions[] = [];
  for (const st of v2.cascade) {
    const S = st.imageSize;
    const openStage = async (f: string) => {
      const session = await open(f);
      checkIo(
        session,
        path(f),
        [
          { name: 'sample', type: 'float32', dims: [null, 3, S, S] },
          { name: 'timestep', type: 'float32', dims: [null] },
          { name: 'image', type: 'float32', dims: [null, 3, S, S] },
        ],
        [{ name: 'model_output', type: 'float32', dims: [null, st.outputChannels, S, S] }],
      );
      return session;
    };
    const model = await openStage(st.model);
    cascade.push({ model, ...(st.lastStepModel ? { lastStepModel: await openStage(st.lastStepModel) } : {}) });
    side = S;
  }
  return { prior, decoder, ...(latentDecoder ? { latentDecoder } : {}), cascade, imageSize: side };
}

export interface CascadeSessions {
  model: Session;
  lastStepModel?: Session;
}

const TEXT_INPUTS = (D: number) => [
  { name: 'text_embeds', type: 'float32' as const, dims: [null, D] },
  { name: 'text_hidden_states', type: 'float32' as const, dims: [null, null, null] },
  { name: 'attention_mask', type: 'int64' as const, dims: [null, null] },
];
