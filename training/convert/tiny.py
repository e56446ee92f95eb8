"""Tiny random-weight pipelines built from config, as diffusers' own fast tests build them
(tests/pipelines/kandinsky2_2/test_kandinsky.py, test_kandinsky_prior.py). Offline: no hub access.

The tokenizer is the bundled shapes-v1 word-level tokenizer (a Hugging Face fast tokenizer), because
diffusers' tests load theirs from the hub; the text model's vocabulary covers it.
"""
import json
import os

import torch
from torch import nn
from transformers import (CLIPImageProcessor, CLIPTextConfig, CLIPTextModelWithProjection,
                          CLIPVisionConfig, CLIPVisionModelWithProjection, PreTrainedTokenizerFast)

from diffusers import (DDIMScheduler, KandinskyV22Pipeline, KandinskyV22PriorPipeline, PriorTransformer,
                       UNet2DConditionModel, UnCLIPScheduler, VQModel)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKENIZER_DIR = os.path.join(ROOT, 'models', 'shapes-v1')
CONTEXT = 77  # PriorTransformer's num_embeddings: the prior reads exactly 77 text positions


def tiny_tokenizer():
    tok = PreTrainedTokenizerFast(tokenizer_file=os.path.join(TOKENIZER_DIR, 'tokenizer.json'),
                                  pad_token='[PAD]', unk_token='[UNK]', bos_token='[BOS]', eos_token='[EOS]',
                                  model_max_length=CONTEXT)
    return tok


def tiny_image_encoder(H):
    """A tiny random CLIP vision tower (seed 0) and OpenAI CLIP's 224 px preprocessing, as both pipelines use."""
    torch.manual_seed(0)
    image_encoder = CLIPVisionModelWithProjection(CLIPVisionConfig(
        hidden_size=H, image_size=224, projection_dim=H, intermediate_size=37, num_attention_heads=4,
        num_channels=3, num_hidden_layers=5, patch_size=14))
    image_processor = CLIPImageProcessor(
        crop_size=224, do_center_crop=True, do_normalize=True, do_resize=True,
        image_mean=[0.48145466, 0.4578275, 0.40821073], image_std=[0.26862954, 0.26130258, 0.27577711],
        resample=3, size=224)
    return image_encoder, image_processor


def kandinsky_2_2():
    """(prior pipeline, decoder pipeline) with the fast tests' configs."""
    H = 32  # text_embedder_hidden_size
    torch.manual_seed(0)
    text_encoder = CLIPTextModelWithProjection(CLIPTextConfig(
        bos_token_id=2, eos_token_id=3, pad_token_id=0,  # the shapes tokenizer's ids (tests: 0, 2, 1)
        hidden_size=H, projection_dim=H, intermediate_size=37, layer_norm_eps=1e-05,
        num_attention_heads=4, num_hidden_layers=5, vocab_size=1000, max_position_embeddings=CONTEXT))
    torch.manual_seed(0)
    prior = PriorTransformer(num_attention_heads=2, attention_head_dim=12, embedding_dim=H, num_layers=1)
    # As the tests do (clip_std would be 0); random mean/std so post-processing is exercised.
    g = torch.Generator().manual_seed(1)
    prior.clip_std = nn.Parameter(1 + 0.1 * torch.rand(prior.clip_std.shape, generator=g))
    prior.clip_mean = nn.Parameter(0.1 * torch.randn(prior.clip_mean.shape, generator=g))
    image_encoder, image_processor = tiny_image_encoder(H)
    prior_scheduler = UnCLIPScheduler(variance_type='fixed_small_log', prediction_type='sample',
                                      num_train_timesteps=1000, clip_sample=True, clip_sample_range=10.0)
    prior_pipe = KandinskyV22PriorPipeline(prior=prior, image_encoder=image_encoder, text_encoder=text_encoder,
                                           tokenizer=tiny_tokenizer(), scheduler=prior_scheduler,
                                           image_processor=image_processor)
    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        in_channels=4, out_channels=8, addition_embed_type='image',
        down_block_types=('ResnetDownsampleBlock2D', 'SimpleCrossAttnDownBlock2D'),
        up_block_types=('SimpleCrossAttnUpBlock2D', 'ResnetUpsampleBlock2D'),
        mid_block_type='UNetMidBlock2DSimpleCrossAttn', block_out_channels=(32, 64), layers_per_block=1,
        encoder_hid_dim=H, encoder_hid_dim_type='image_proj', cross_attention_dim=32, attention_head_dim=4,
        resnet_time_scale_shift='scale_shift', class_embed_type=None)
    torch.manual_seed(0)
    movq = VQModel(block_out_channels=[32, 64], down_block_types=['DownEncoderBlock2D', 'AttnDownEncoderBlock2D'],
                   in_channels=3, latent_channels=4, layers_per_block=1, norm_num_groups=8, norm_type='spatial',
                   num_vq_embeddings=12, out_channels=3,
                   up_block_types=['AttnUpDecoderBlock2D', 'UpDecoderBlock2D'], vq_embed_dim=4)
    scheduler = DDIMScheduler(num_train_timesteps=1000, beta_schedule='linear', beta_start=0.00085, beta_end=0.012,
                              clip_sample=False, set_alpha_to_one=False, steps_offset=1, prediction_type='epsilon',
                              thresholding=False)
    decoder_pipe = KandinskyV22Pipeline(unet=unet, scheduler=scheduler, movq=movq)
    for p in (prior_pipe, decoder_pipe):
        p.set_progress_bar_config(disable=True)
    return prior_pipe, decoder_pipe


def karlo():
    """(UnCLIPPipeline, UnCLIPImageVariationPipeline) with diffusers' fast-test configs (tests/pipelines/unclip/)."""
    from diffusers import UnCLIPImageVariationPipeline, UnCLIPPipeline, UNet2DModel
    from diffusers.pipelines.unclip.text_proj import UnCLIPTextProjModel
    H = 32
    torch.manual_seed(0)
    text_encoder = CLIPTextModelWithProjection(CLIPTextConfig(
        bos_token_id=2, eos_token_id=3, pad_token_id=0, hidden_size=H, projection_dim=H, intermediate_size=37,
        layer_norm_eps=1e-05, num_attention_heads=4, num_hidden_layers=5, vocab_size=1000, max_position_embeddings=CONTEXT))
    torch.manual_seed(0)
    prior = PriorTransformer(num_attention_heads=2, attention_head_dim=12, embedding_dim=H, num_layers=1)
    g = torch.Generator().manual_seed(2)
    prior.clip_std = nn.Parameter(1 + 0.1 * torch.rand(prior.clip_std.shape, generator=g))
    prior.clip_mean = nn.Parameter(0.1 * torch.randn(prior.clip_mean.shape, generator=g))
    torch.manual_seed(0)
    text_proj = UnCLIPTextProjModel(clip_embeddings_dim=H, time_embed_dim=128, cross_attention_dim=100)
    torch.manual_seed(0)
    decoder = UNet2DConditionModel(
        sample_size=32, in_channels=3, out_channels=6,
        down_block_types=('ResnetDownsampleBlock2D', 'SimpleCrossAttnDownBlock2D'),
        up_block_types=('SimpleCrossAttnUpBlock2D', 'ResnetUpsampleBlock2D'),
        mid_block_type='UNetMidBlock2DSimpleCrossAttn', block_out_channels=(32, 64), layers_per_block=1,
        cross_attention_dim=100, attention_head_dim=4, resnet_time_scale_shift='scale_shift', class_embed_type='identity')
    sr = dict(sample_size=64, layers_per_block=1, down_block_types=('ResnetDownsampleBlock2D', 'ResnetDownsampleBlock2D'),
              up_block_types=('ResnetUpsampleBlock2D', 'ResnetUpsampleBlock2D'), block_out_channels=(32, 64),
              in_channels=6, out_channels=3)
    torch.manual_seed(0)
    super_res_first = UNet2DModel(**sr)
    torch.manual_seed(1)
    super_res_last = UNet2DModel(**sr)
    pipe = UnCLIPPipeline(
        prior=prior, decoder=decoder, text_proj=text_proj, text_encoder=text_encoder, tokenizer=tiny_tokenizer(),
        super_res_first=super_res_first, super_res_last=super_res_last,
        prior_scheduler=UnCLIPScheduler(variance_type='fixed_small_log', prediction_type='sample', num_train_timesteps=1000, clip_sample_range=5.0),
        decoder_scheduler=UnCLIPScheduler(variance_type='learned_range', prediction_type='epsilon', num_train_timesteps=1000),
        super_res_scheduler=UnCLIPScheduler(variance_type='fixed_small_log', prediction_type='epsilon', num_train_timesteps=1000))
    image_encoder, image_processor = tiny_image_encoder(H)
    variation = UnCLIPImageVariationPipeline(
        decoder=decoder, text_encoder=text_encoder, tokenizer=pipe.tokenizer, text_proj=text_proj,
        feature_extractor=image_processor, image_encoder=image_encoder, super_res_first=super_res_first,
        super_res_last=super_res_last, decoder_scheduler=pipe.decoder_scheduler, super_res_scheduler=pipe.super_res_scheduler)
    for p in (pipe, variation):
        p.set_progress_bar_config(disable=True)
    return pipe, variation
