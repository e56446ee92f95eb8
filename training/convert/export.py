"""ONNX export of unCLIP components in the pack layout (docs/PACK.md, format 2). Each wrapper fixes the
inputs and outputs the engine reads; models over 2 GB are saved with ONNX external data."""
import os

import onnx
import torch
import torch.nn.functional as F
from torch import nn

OPSET = 17
TWO_GB = 2 * 1024 ** 3


class TextEncoder(nn.Module):
    """input_ids → text_embeds (pooled, projected), last_hidden_state (what the prior attends to)."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids):
        out = self.m(input_ids=input_ids)
        return out.text_embeds, out.last_hidden_state


class VisionEncoder(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, pixel_values):
        return self.m(pixel_values=pixel_values).image_embeds


class KandinskyPrior(nn.Module):
    """diffusers' PriorTransformer: x_t, t, the pooled text embedding, the text hidden states and mask → x0."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x_t, timestep, text_embeds, text_hidden_states, attention_mask):
        return self.m(x_t, timestep=timestep, proj_embedding=text_embeds, encoder_hidden_states=text_hidden_states,
                      attention_mask=attention_mask.bool(), return_dict=False)[0]


class ImageEmbedUNet(nn.Module):
    """Kandinsky 2.2's UNet, conditioned on the image embedding only (2C output channels: ε and variance)."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, sample, timestep, image_embeds):
        return self.m(sample, timestep, encoder_hidden_states=None, added_cond_kwargs={'image_embeds': image_embeds},
                      return_dict=False)[0]


class MoVQDecoder(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, latents):
        return self.m.decode(latents, force_not_quantize=True, return_dict=False)[0]


def _prepare_attention_mask(self, attention_mask, target_length, batch_size, out_dim=3):
    """diffusers' Attention.prepare_attention_mask (0.27.2) with repeat_interleave written as expand + reshape:
    torch 1.13 exports repeat_interleave on a dynamic batch as a Loop that onnxruntime mis-shapes."""
    if attention_mask is None:
        return attention_mask
    heads = self.heads
    if attention_mask.shape[-1] != target_length:
        attention_mask = F.pad(attention_mask, (0, target_length), value=0.0)
    if out_dim == 3:
        if attention_mask.shape[0] < batch_size * heads:
            b, q, k = attention_mask.shape
            attention_mask = attention_mask.unsqueeze(1).expand(b, heads, q, k).reshape(b * heads, q, k)
    elif out_dim == 4:
        attention_mask = attention_mask.unsqueeze(1).expand(-1, heads, -1, -1)
    return attention_mask


def export(module, args, path, inputs, outputs, dynamic, fp16=False):
    """Exports `module` (eval, no grad) to `path`; external data above 2 GB; fp16 weights on request."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    module = module.eval()
    from diffusers.models.attention_processor import Attention
    Attention.prepare_attention_mask = _prepare_attention_mask
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=dynamic,
                          opset_version=OPSET, do_constant_folding=True)
    model = onnx.load(path)
    if fp16:
        # Tried with onnxconverter-common 1.16 on the tiny packs: its float16 graphs (Cast and Conv type
        # mismatches) do not load in onnxruntime. Refuse rather than write a pack that cannot run.
        raise SystemExit('--fp16 is not supported yet: onnxconverter-common\'s float16 conversion gives graphs '
                         'onnxruntime refuses; convert in float32 (the default)')
    big = sum(t.ByteSize() for t in model.graph.initializer) > TWO_GB
    if big or fp16:
        for f in os.listdir(os.path.dirname(path)):
            if f.startswith(os.path.basename(path) + '.data'):
                os.remove(os.path.join(os.path.dirname(path), f))
        onnx.save_model(model, path, save_as_external_data=big, all_tensors_to_one_file=True,
                        location=os.path.basename(path) + '.data')
    onnx.checker.check_model(path)


def batch_axes(names, extra=None):
    d = {n: {0: 'batch'} for n in names}
    for n, axes in (extra or {}).items():
        d[n] = {**d.get(n, {}), **axes}
    return d
