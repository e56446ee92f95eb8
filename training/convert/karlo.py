"""Karlo (diffusers' UnCLIPPipeline, plus UnCLIPImageVariationPipeline's image encoder) → a format-2 pack
with a text-conditioned 64 px decoder and a super-resolution cascade (docs/PACK.md)."""
import json
import os

import torch
from torch import nn
from transformers import CLIPConfig

import export as ex
from kandinsky import floats, scheduler_json

HUB = 'kakaobrain/karlo-v1-alpha'
HUB_VARIATIONS = 'kakaobrain/karlo-v1-alpha-image-variations'


def load_hub(fp16):
    """The real weights (internet). The image encoder and its processor come from the image-variations repo."""
    from diffusers import UnCLIPImageVariationPipeline, UnCLIPPipeline
    from transformers import CLIPTokenizerFast
    pipe = UnCLIPPipeline.from_pretrained(HUB)
    pipe.tokenizer = CLIPTokenizerFast.from_pretrained(HUB, subfolder='tokenizer')
    var = UnCLIPImageVariationPipeline.from_pretrained(HUB_VARIATIONS, decoder=pipe.decoder, text_proj=pipe.text_proj,
                                                       text_encoder=pipe.text_encoder, tokenizer=pipe.tokenizer,
                                                       super_res_first=pipe.super_res_first, super_res_last=pipe.super_res_last)
    return pipe, var.image_encoder, var.feature_extractor


class TextConditionedDecoder(nn.Module):
    """Karlo's text_proj + decoder UNet on a whole [uncond…, cond…] batch: the unconditional rows carry the
    learned null image embedding (pack.json decoder.null_embedding), so text_proj runs without its own CFG."""

    def __init__(self, text_proj, unet):
        super().__init__()
        self.text_proj, self.unet = text_proj, unet

    def forward(self, sample, timestep, image_embeds, text_embeds, text_hidden_states, attention_mask):
        hidden, time_embeds = self.text_proj(image_embeddings=image_embeds, prompt_embeds=text_embeds,
                                             text_encoder_hidden_states=text_hidden_states, do_classifier_free_guidance=False)
        extra = self.text_proj.clip_extra_context_tokens
        mask = torch.cat([torch.ones_like(attention_mask[:, :1]).expand(-1, extra), attention_mask], dim=1).bool()
        return self.unet(sample=sample, timestep=timestep, encoder_hidden_states=hidden, class_labels=time_embeds,
                         attention_mask=mask, return_dict=False)[0]


class SuperRes(nn.Module):
    """A super-resolution UNet: the noisy sample and the upscaled low-resolution image, concatenated."""

    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, sample, timestep, image):
        return self.unet(sample=torch.cat([sample, image], dim=1), timestep=timestep, return_dict=False)[0]


def convert(pipe, image_encoder, image_processor, out, *, name, version, fp16=False, description=''):
    onnx_dir = os.path.join(out, 'onnx')
    te, prior, tp, dec = pipe.text_encoder, pipe.prior, pipe.text_proj, pipe.decoder
    tok = pipe.tokenizer
    L = tok.model_max_length
    D = prior.config.embedding_dim
    H = te.config.hidden_size
    S = image_encoder.config.image_size
    C = dec.config.in_channels
    h = dec.config.sample_size
    ids = torch.zeros(1, L, dtype=torch.long)
    ex.export(ex.TextEncoder(te), (ids,), os.path.join(onnx_dir, 'text_model.onnx'), ['input_ids'],
              ['text_embeds', 'last_hidden_state'], ex.batch_axes(['input_ids', 'text_embeds', 'last_hidden_state'],
                                                                 {'input_ids': {1: 'tokens'}, 'last_hidden_state': {1: 'tokens'}}), fp16)
    ex.export(ex.VisionEncoder(image_encoder), (torch.zeros(1, 3, S, S),), os.path.join(onnx_dir, 'vision_model.onnx'),
              ['pixel_values'], ['image_embeds'], ex.batch_axes(['pixel_values', 'image_embeds']), fp16)
    prior_inputs = ['x_t', 'timestep', 'text_embeds', 'text_hidden_states', 'attention_mask']
    ex.export(ex.KandinskyPrior(prior), (torch.zeros(2, D), torch.tensor([999.0, 999.0]), torch.zeros(2, D),
                                         torch.zeros(2, L, H), torch.ones(2, L, dtype=torch.long)),
              os.path.join(onnx_dir, 'prior.onnx'), prior_inputs, ['model_output'],
              ex.batch_axes(prior_inputs + ['model_output']), fp16)
    dec_inputs = ['sample', 'timestep', 'image_embeds', 'text_embeds', 'text_hidden_states', 'attention_mask']
    ex.export(TextConditionedDecoder(tp, dec), (torch.zeros(2, C, h, h), torch.tensor([999.0, 999.0]), torch.zeros(2, D),
                                               torch.zeros(2, D), torch.zeros(2, L, H), torch.ones(2, L, dtype=torch.long)),
              os.path.join(onnx_dir, 'decoder.onnx'), dec_inputs, ['model_output'], ex.batch_axes(dec_inputs + ['model_output']), fp16)
    stages = []
    side = h
    for k, (first, last) in enumerate([(pipe.super_res_first, pipe.super_res_last)]):
        Hs = first.config.sample_size
        c = first.config.in_channels // 2
        files = []
        for role, unet in (('first', first), ('last', last)):
            f = f'super_res_{k}_{role}.onnx'
            ex.export(SuperRes(unet), (torch.zeros(1, c, Hs, Hs), torch.tensor([999.0]), torch.zeros(1, c, Hs, Hs)),
                      os.path.join(onnx_dir, f), ['sample', 'timestep', 'image'], ['model_output'],
                      ex.batch_axes(['sample', 'timestep', 'image', 'model_output']), fp16)
            files.append(f)
        stages.append({'image_size': Hs, 'model': files[0], 'last_step_model': files[1], 'upsample': 'bicubic_antialias',
                       'scheduler': scheduler_json(pipe.super_res_scheduler), 'default_steps': 7,
                       'output_channels': int(first.config.out_channels)})
        side = Hs
    tok.save_pretrained(out)
    for extra in ('special_tokens_map.json', 'vocab.json', 'merges.txt'):
        if os.path.exists(os.path.join(out, extra)):
            os.remove(os.path.join(out, extra))
    with open(os.path.join(out, 'tokenizer_config.json')) as fh:
        tc = {k: v for k, v in json.load(fh).items() if k != 'added_tokens_decoder'}
    with open(os.path.join(out, 'tokenizer_config.json'), 'w') as fh:
        json.dump(tc, fh, indent=1)
    image_processor.to_json_file(os.path.join(out, 'preprocessor_config.json'))
    clip_config = CLIPConfig(text_config=te.config.to_dict(), vision_config=image_encoder.config.to_dict(), projection_dim=D).to_dict()
    with open(os.path.join(out, 'config.json'), 'w') as fh:
        json.dump(clip_config, fh, indent=1, default=str)
    pack = {
        'format': 2, 'name': name, 'version': version, 'description': description,
        'embedding_dim': D, 'logit_scale': 100.0,
        'clip': {'context_length': L, 'image_size': S, 'pad_id': int(tok.pad_token_id), 'padding': 'max_length'},
        'embeddings': 'raw',
        'blend': 'weighted_sum',
        'prior': {
            'scheduler': scheduler_json(pipe.prior_scheduler), 'default_steps': 25, 'default_guidance': 4.0,
            'negative_prompt': '', 'output_mean': floats(prior.clip_mean), 'output_std': floats(prior.clip_std),
        },
        'decoder': {
            'scheduler': scheduler_json(pipe.decoder_scheduler), 'default_steps': 25, 'default_guidance': 8.0,
            'sample_shape': [C, h, h], 'output_channels': int(dec.config.out_channels),
            'null_embedding': floats(tp.learned_classifier_free_guidance_embeddings),
            'text_conditioning': True, 'clamp_output': True,
        },
        'latent_decoder': None,
        'cascade': stages,
    }
    with open(os.path.join(out, 'pack.json'), 'w') as fh:
        json.dump(pack, fh, indent=1)
    return pack
