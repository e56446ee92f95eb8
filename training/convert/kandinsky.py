"""Kandinsky 2.2 (KandinskyV22PriorPipeline + KandinskyV22Pipeline) → a format-2 pack (docs/PACK.md)."""
import json
import os

import torch
from transformers import CLIPConfig

import export as ex

HUB_PRIOR = 'kandinsky-community/kandinsky-2-2-prior'
HUB_DECODER = 'kandinsky-community/kandinsky-2-2-decoder'


def load_hub(fp16):
    """The real weights from the Hugging Face hub (needs internet; never used by tests)."""
    from diffusers import KandinskyV22Pipeline, KandinskyV22PriorPipeline
    from transformers import CLIPTokenizerFast
    prior = KandinskyV22PriorPipeline.from_pretrained(HUB_PRIOR)
    prior.tokenizer = CLIPTokenizerFast.from_pretrained(HUB_PRIOR, subfolder='tokenizer')
    decoder = KandinskyV22Pipeline.from_pretrained(HUB_DECODER)
    return prior, decoder


def floats(t):
    return [float(v) for v in t.detach().reshape(-1).double().tolist()]


def scheduler_json(s):
    """A diffusers scheduler's configuration as the engine reads it (PACK.md, format 2: `scheduler`)."""
    c = s.config
    kind = type(s).__name__
    out = {'train_steps': int(c.num_train_timesteps), 'alphas_cumprod': floats(s.alphas_cumprod)}
    if kind == 'UnCLIPScheduler':
        out.update(type='unclip', prediction={'sample': 'x0', 'epsilon': 'epsilon'}[c.prediction_type],
                   variance=c.variance_type, clip_sample=float(c.clip_sample_range) if c.clip_sample else None,
                   betas=floats(s.betas))
    elif kind in ('DDIMScheduler', 'DDPMScheduler'):
        # DDPM's learned or fixed variance has no counterpart yet: its schedule is sampled with DDIM (η = 0).
        out.update(type='ddim', prediction={'epsilon': 'epsilon', 'v_prediction': 'v', 'sample': 'x0'}[c.prediction_type],
                   timestep_spacing=c.get('timestep_spacing', 'leading'), steps_offset=int(c.get('steps_offset', 0)),
                   # DDPM ends at ᾱ = 1, as DDIMScheduler.from_config(its config) does (set_alpha_to_one's default).
                   final_alpha_cumprod=1.0 if kind == 'DDPMScheduler' or c.get('set_alpha_to_one', True) else float(s.alphas_cumprod[0]))
        if c.get('clip_sample', False) or c.get('thresholding', False):
            raise SystemExit(f'{kind} with clip_sample or thresholding is not supported by the engine')
        if kind == 'DDPMScheduler':
            out['converted_from'] = 'DDPMScheduler'
    else:
        raise SystemExit(f'scheduler {kind} has no engine counterpart')
    return out


def convert(prior_pipe, decoder_pipe, out, *, name, version, height, fp16=False, description=''):
    onnx_dir = os.path.join(out, 'onnx')
    te, ie, prior = prior_pipe.text_encoder, prior_pipe.image_encoder, prior_pipe.prior
    unet, movq = decoder_pipe.unet, decoder_pipe.movq
    tok = prior_pipe.tokenizer
    L = tok.model_max_length
    D = prior.config.embedding_dim
    H = te.config.hidden_size
    S = ie.config.image_size
    C = unet.config.in_channels
    f = 2 ** (len(movq.config.block_out_channels) - 1)
    side = height // f ** 2 + (1 if height % f ** 2 else 0)
    h = side * f  # diffusers' downscale_height_and_width
    image_size = h * f

    ids = torch.zeros(1, L, dtype=torch.long)
    ex.export(ex.TextEncoder(te), (ids,), os.path.join(onnx_dir, 'text_model.onnx'), ['input_ids'],
              ['text_embeds', 'last_hidden_state'], ex.batch_axes(['input_ids', 'text_embeds', 'last_hidden_state'],
                                                                 {'input_ids': {1: 'tokens'}, 'last_hidden_state': {1: 'tokens'}}), fp16)
    ex.export(ex.VisionEncoder(ie), (torch.zeros(1, 3, S, S),), os.path.join(onnx_dir, 'vision_model.onnx'),
              ['pixel_values'], ['image_embeds'], ex.batch_axes(['pixel_values', 'image_embeds']), fp16)
    ex.export(ex.KandinskyPrior(prior), (torch.zeros(2, D), torch.tensor([999.0, 999.0]), torch.zeros(2, D),
                                         torch.zeros(2, L, H), torch.ones(2, L, dtype=torch.long)),
              os.path.join(onnx_dir, 'prior.onnx'), ['x_t', 'timestep', 'text_embeds', 'text_hidden_states', 'attention_mask'],
              ['model_output'], ex.batch_axes(['x_t', 'timestep', 'text_embeds', 'text_hidden_states', 'attention_mask', 'model_output']), fp16)
    ex.export(ex.ImageEmbedUNet(unet), (torch.zeros(2, C, h, h), torch.tensor([999.0, 999.0]), torch.zeros(2, D)),
              os.path.join(onnx_dir, 'decoder.onnx'), ['sample', 'timestep', 'image_embeds'], ['model_output'],
              ex.batch_axes(['sample', 'timestep', 'image_embeds', 'model_output']), fp16)
    ex.export(ex.MoVQDecoder(movq), (torch.zeros(1, C, h, h),), os.path.join(onnx_dir, 'latent_decoder.onnx'),
              ['latents'], ['image'], ex.batch_axes(['latents', 'image']), fp16)

    tok.save_pretrained(out)
    for extra in ('special_tokens_map.json', 'vocab.json', 'merges.txt'):
        if os.path.exists(os.path.join(out, extra)):
            os.remove(os.path.join(out, extra))
    with open(os.path.join(out, 'tokenizer_config.json')) as fh:
        tc = json.load(fh)
    tc = {k: v for k, v in tc.items() if k != 'added_tokens_decoder'}
    with open(os.path.join(out, 'tokenizer_config.json'), 'w') as fh:
        json.dump(tc, fh, indent=1)
    prior_pipe.image_processor.to_json_file(os.path.join(out, 'preprocessor_config.json'))
    clip_config = CLIPConfig(text_config=te.config.to_dict(), vision_config=ie.config.to_dict(), projection_dim=D).to_dict()
    with open(os.path.join(out, 'config.json'), 'w') as fh:
        json.dump(clip_config, fh, indent=1, default=str)
    with torch.no_grad():
        null_embedding = floats(prior_pipe.get_zero_embed(1)[0])
    pack = {
        'format': 2,
        'name': name,
        'version': version,
        'description': description,
        'embedding_dim': D,
        'logit_scale': 100.0,
        'clip': {'context_length': L, 'image_size': S, 'pad_id': int(tok.pad_token_id), 'padding': 'max_length'},
        'embeddings': 'raw',
        'blend': 'weighted_sum',
        'prior': {
            'scheduler': scheduler_json(prior_pipe.scheduler),
            'default_steps': 25,
            'default_guidance': 4.0,
            'inputs': ['x_t', 'timestep', 'text_embeds', 'text_hidden_states', 'attention_mask'],
            'negative_prompt': '',
            'output_mean': floats(prior.clip_mean),
            'output_std': floats(prior.clip_std),
        },
        'decoder': {
            'scheduler': scheduler_json(decoder_pipe.scheduler),
            'default_steps': 50,
            'default_guidance': 4.0,
            'sample_shape': [C, h, h],
            'output_channels': int(unet.config.out_channels),
            'null_embedding': null_embedding,
        },
        'latent_decoder': {'image_size': image_size, 'scale': 1.0},
    }
    with open(os.path.join(out, 'pack.json'), 'w') as fh:
        json.dump(pack, fh, indent=1)
    return pack
