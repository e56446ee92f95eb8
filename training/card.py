"""Write the model card models/<pack>/README.md from pack.json (metrics, training record)."""
from __future__ import annotations

import json
import os
import sys

import world


def pct(x) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def _eval_sampling(m: dict) -> str:
    """How eval.py sampled: "dpmsolver++ 10 + 10 steps" (decoder + prior); metrics from before eval.py
    recorded its scheduler are DDIM's."""
    es = m.get("eval_settings", {})
    steps = es.get("steps", 25)
    return f"{es.get('scheduler', 'ddim')} {steps} + {es.get('prior_steps', steps)} steps" + (
        f" (prior: {es['prior_scheduler']})" if es.get("prior_scheduler", es.get("scheduler")) != es.get("scheduler") else "")


def write(pack_dir: str) -> None:
    with open(os.path.join(pack_dir, "pack.json")) as f:
        p = json.load(f)
    m = p.get("metrics", {})
    tr = p.get("training", {})
    st = tr.get("stages", {})
    params = tr.get("parameters", {})
    sizes = {}
    for root, _, files in os.walk(pack_dir):
        for fn in files:
            if fn.endswith(".onnx"):
                sizes[fn] = os.path.getsize(os.path.join(root, fn))
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(pack_dir) for f in fs)
    size = p.get("latent_decoder", {}).get("image_size", 128)
    zs = m.get("zero_shot", {})
    t2i = m.get("text_to_image", {})
    var = m.get("variations_heldout", {})
    div = m.get("diversity", {})
    cr = m.get("crispness", {})
    lines = [
        f"# {p['name']} {p['version']} — a miniature DALL·E 2 for the shapes world",
        "",
        f"CLIP (text + image encoders in one {p['embedding_dim']}-d space), a diffusion prior (text embedding → image embedding)",
        f"and a latent diffusion decoder (image embedding → {'×'.join(str(x) for x in p['decoder']['sample_shape'][1:])}×"
        f"{p['decoder']['sample_shape'][0]} latent → {size}×{size} pixels), all trained from",
        "scratch on this machine on a procedurally drawn world. It can draw only that world — and knows it.",
        "",
        "![samples](samples.png)",
        "",
        "Samples above: rows are prompts `a big <colour> <shape> on a <colour> background` from the evaluation",
        "(" + ", ".join(f"“{s}”" for s in _samples(pack_dir)) + f"), 4 images each, {_eval_sampling(m)}.",
    ] + ([f"The bot samples with {p['decoder']['default_scheduler']} {p['decoder']['default_steps']} + "
          f"{p['prior']['default_steps']} steps by default (measured against DDIM 25 by `npm run bench:quality`, "
          f"README's benchmarks); the evaluation below samples with {_eval_sampling(m)}."]
         if p["decoder"].get("default_scheduler", "ddim") != "ddim" else []) + [
        "",
        "## What to ask for",
        "",
        "- Colours: " + ", ".join(world.COLOUR_NAMES),
        "- Shapes: " + ", ".join(world.SHAPES) + " (upright, up to ±10° of rotation)",
        "- Sizes: small (18–28 % of the side), big (40–60 %)",
        "- One object: `a [small|big] <colour> <shape> [on a <colour> background]`, optionally after",
        "  “a photo of”, “a drawing of”, “an image of”.",
        "- Two objects: `a <colour> <shape> and a <colour> <shape>`, or with `to the left of`, `to the right of`,",
        "  `above`, `below` between them; optionally `on a <colour> background`.",
        "- Anything else is outside its world: unknown words are ignored ([UNK]).",
        "",
        "What a prompt leaves open (position, size, the background when not named) the prior fills in",
        "differently for each of the four images.",
        "",
        "## Evaluation (training/eval.py)",
        "",
        "Zero-shot colour+shape, 55-way over `a <colour> <shape>`, single-object images; *held-out* =",
        "(colour, shape, background) triples never seen in training (training/data/heldout_triples.json).",
        "",
        "| | seen triples | held-out triples | bar |",
        "|---|---|---|---|",
        f"| colour | {pct(zs.get('seen', {}).get('colour'))} | {pct(zs.get('heldout', {}).get('colour'))} | |",
        f"| shape | {pct(zs.get('seen', {}).get('shape'))} | {pct(zs.get('heldout', {}).get('shape'))} | |",
        f"| colour+shape | {pct(zs.get('seen', {}).get('colour_shape'))} | {pct(zs.get('heldout', {}).get('colour_shape'))} | ≥ 95 % / ≥ 85 % |",
        "",
        "On the 300 fixture images the TypeScript tests use (test/fixtures/world, 150 per split), colour+shape: "
        f"{pct(m.get('zero_shot_fixtures', {}).get('seen', {}).get('colour_shape'))} seen, "
        f"{pct(m.get('zero_shot_fixtures', {}).get('heldout', {}).get('colour_shape'))} held-out.",
        "",
    ] + _binding_and_two_objects(m) + [
        "Text to image: for prompts `a big <c> <s> on a <bg> background` (half of them held-out triples),",
        "4 images each; judged by this pack's CLIP against all alternatives (55 colour+shape labels; 10",
        "backgrounds).",
        "",
        "| | all | seen | held-out | bar |",
        "|---|---|---|---|---|",
    ]
    for k, bar in (("colour", "≥ 90 %"), ("shape", "≥ 80 %"), ("background", "≥ 90 %")):
        lines.append(f"| {k} right | {pct(t2i.get('all', {}).get(k))} | {pct(t2i.get('seen', {}).get(k))} | "
                     f"{pct(t2i.get('heldout', {}).get(k))} | {bar} |")
    lines += [
        f"| images | {t2i.get('all', {}).get('n', '–')} | {t2i.get('seen', {}).get('n', '–')} | {t2i.get('heldout', {}).get('n', '–')} | |",
        "",
        f"Variations of held-out images ({var.get('n', '–')} sources): colour kept {pct(var.get('colour'))}, shape kept "
        f"{pct(var.get('shape'))}, both {pct(var.get('colour_and_shape'))} (bar ≥ 85 %).",
        "",
        f"Crispness at {size} px, against the same scenes rendered crisp at {size} px: the latent decoder on the autoencoder's "
        f"latents of its input images is off by {cr.get('latent_decoder_l1', '–')} per channel (mean absolute, 0–1 scale; "
        f"bilinear upsampling of the input image itself: {cr.get('bilinear_l1', '–')}) and has "
        f"{pct(cr.get('latent_decoder_edge_ratio'))} of the crisp renders' edge strength (per image, the mean of its N "
        f"strongest gradients against the crisp render's N edge pixels: blur spreads an edge and lowers it); the variations have {pct(cr.get('variations_edge_ratio'))}, bilinear "
        f"upsampling {pct(cr.get('bilinear_edge_ratio'))}.",
        "",
        f"Diversity: the smallest mean absolute pixel difference between two of the 4 images of a prompt averages "
        f"{div.get('min_pairwise_mean_abs_diff_mean', '–')} (0–1 scale); prompts whose 4 images are all distinct "
        f"(> 0.02): {pct(div.get('prompts_with_4_distinct_images'))}.",
        "",
        f"Settings: {json.dumps(m.get('eval_settings', {}))}",
        "",
        "## Architecture",
        "",
        "| model | file | parameters | size | what |",
        "|---|---|---|---|---|",
        f"| text encoder | onnx/text_model.onnx | {params.get('text_model', 0) / 1e6:.2f} M | {sizes.get('text_model.onnx', 0) / 1e6:.1f} MB | word-level transformer, 3 layers × 128, masked mean pool, projection to 128 |",
        f"| image encoder | onnx/vision_model.onnx | {params.get('vision_model', 0) / 1e6:.2f} M | {sizes.get('vision_model.onnx', 0) / 1e6:.1f} MB | CNN, 4 stride-2 stages 64→4 px, flattened (position survives), MLP to 128 |",
        f"| prior | onnx/prior.onnx | {params.get('prior', 0) / 1e6:.2f} M | {sizes.get('prior.onnx', 0) / 1e6:.1f} MB | diffusion prior, residual MLP with FiLM, predicts x0 (DALL·E 2) in the space of normalized embedding × √128 |",
        f"| decoder | onnx/decoder.onnx | {params.get('decoder', 0) / 1e6:.2f} M | {sizes.get('decoder.onnx', 0) / 1e6:.1f} MB | latent UNet (64/128/192 channels at 16/8/4 px, attention at 4 px), v-prediction, embedding × √128 as FiLM and as a 4×4 map |",
        f"| latent decoder | onnx/latent_decoder.onnx | {params.get('latent_decoder', 0) / 1e6:.2f} M | {sizes.get('latent_decoder.onnx', 0) / 1e6:.1f} MB | autoencoder decoder: 16×16×4 latent → 128×128 RGB (residual blocks at 16, 32 and 64 px, pixel shuffle), trained on crisp 4×-supersampled renders with L1 + L2 + image-gradient L1 and noise on the latents |",
        "",
        f"Whole pack on disk: {total / 1e6:.1f} MB (weights stored as fp16, cast to fp32 in the graph).",
        "Cosine noise schedule, T = 1000, shipped as `alphas_cumprod` in pack.json; DDIM with trailing integer",
        "timesteps; classifier-free guidance (embeddings dropped to the zero vector 10 % of the time in training).",
        "",
        "## Training",
        "",
        f"Hardware: {tr.get('device', 'cpu')} — a 2-core CPU, 24 GiB (Debian's PyTorch 1.13), shared with other work;",
        "minutes are wall-clock time of each stage, over two sessions (in the second the latent decoder and the",
        "prior + decoder trained side by side, one thread each).",
        "",
        "| stage | minutes | steps | samples seen |",
        "|---|---|---|---|",
    ]
    for s in ("clip", "ae", "prior", "decoder"):
        x = st.get(s, {})
        lines.append(f"| {s} | {x.get('seconds', 0) / 60:.1f} | {x.get('steps', 0)} | {x.get('images', 0)} |")
    lines += [
        "",
        "Data: 80 000 scenes rendered once (training/cache, not committed), 10 % of the (colour, shape,",
        "background) triples never drawn. Retrain or continue: see training/README.md.",
        "",
        "## License",
        "",
        f"{p.get('license', 'MIT')}. Weights trained from scratch by this project; no third-party data or weights.",
        "",
    ]
    with open(os.path.join(pack_dir, "README.md"), "w") as f:
        f.write("\n".join(lines))


def _binding_and_two_objects(m: dict) -> list[str]:
    """shapes-v2's sections: CLIP's binding test and the analyser's judgement of what the pack draws."""
    b, two, px, bl = m.get("binding"), m.get("two_objects"), m.get("text_to_image_pixels"), m.get("blends")
    out: list[str] = []
    if b:
        out += ["Binding (two-object scenes whose objects differ in colour and shape): the true caption",
                "`<a> <relation> <b> on a <bg> background` against the same words with colours swapped, shapes swapped,",
                "relation reversed (4-way, chance 25 %), each alone (2-way), and a two-object zero-shot over every",
                "`a <c> <s> and a <c> <s>` (1485-way).", "",
                "| | seen | held-out | bar |", "|---|---|---|---|"]
        for k, bar in (("four_way", "≥ 95 %"), ("vs_colours_swapped", ""), ("vs_shapes_swapped", ""),
                       ("vs_relation_reversed", ""), ("and_vs_colours_swapped", ""), ("two_object_zero_shot", "")):
            out.append(f"| {k.replace('_', ' ')} | {pct(b.get('seen', {}).get(k))} | {pct(b.get('heldout', {}).get(k))} | {bar} |")
        bf = m.get("binding_fixtures")
        if bf:
            out.append(f"| four way, the 100 fixture PNGs (test/fixtures/world-two; test/engine/binding.test.ts) | "
                       f"{pct(bf.get('seen'))} | {pct(bf.get('heldout'))} | |")
        out.append("")
    if px or two:
        j = m.get("judge_on_clean_renders", {})
        out += ["Judged by the pixel analyser (training/analyse.py: connected components, shape from the outline,",
                f"relation from the boxes), which on clean renders gets objects right {pct(j.get('objects'))} and relations",
                f"{pct(j.get('relation'))}:", "",
                "| prompts | colour | shape | background | exactly the objects | relation | n |", "|---|---|---|---|---|---|---|"]
        rows = [(f"one object, {k.replace('_', ' ')}", v) for k, v in (px or {}).items()] + \
               [(f"two objects, {k}", v) for k, v in (two or {}).items()]
        for name, v in rows:
            out.append(f"| {name} | {pct(v.get('colour'))} | {pct(v.get('shape'))} | {pct(v.get('background'))} | "
                       f"{pct(v.get('objects', v.get('count')))} | {pct(v.get('relation'))} | {v.get('n', '–')} |")
        vt = m.get("variations_two_objects")
        if vt:
            out.append(f"| variations of two-object images | {pct(vt.get('colour'))} | {pct(vt.get('shape'))} | "
                       f"{pct(vt.get('background'))} | {pct(vt.get('objects'))} | {pct(vt.get('relation'))} | {vt.get('n', '–')} |")
        out.append("")
    if bl:
        out += ["Blends of two one-object images that differ in colour, shape and background (the analyser): the share of",
                "those attributes a blend takes from the first image (of those it takes from either), the share it takes",
                "from neither, and blends that are a clean scene (one object on a solid background). The ratio is read off",
                "the curve pack.json `decoder.blend_curve` holds, measured on other pairs at slerp weights 0.3–0.7:", "",
                "| ratio | slerp weight | from the first | from neither | clean |", "|---|---|---|---|---|"]
        out += [f"| {r} | {v.get('weight', '–')} | {pct(v.get('from_first'))} | {pct(v.get('from_neither'))} | {pct(v.get('clean'))} |"
                for r, v in bl.items() if r not in ("curve", "slerp")]
        sl = bl.get("slerp", {})
        if sl:
            out += ["", "Plain slerp (weight = ratio / 100), the pairs the curve is measured on: from the first "
                    + ", ".join(f"{pct(v.get('from_first'))} at {w}" for w, v in sl.items()) + "."]
        out.append("")
    return out


def _samples(pack_dir: str) -> list[str]:
    try:
        with open(os.path.join(pack_dir, "samples.json")) as f:
            return json.load(f)
    except OSError:
        return []


if __name__ == "__main__":
    write(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "models", "shapes-v1"))
