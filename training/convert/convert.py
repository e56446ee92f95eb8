"""Converts diffusers' unCLIP pipelines into packs the bot runs (docs/PACK.md, format 2).

    python training/convert/convert.py <kandinsky-2-2|karlo> [--out DIR] [--fp16] [--tiny] [--height N]

--tiny builds the tiny random-weight pipelines of diffusers' fast tests from config, offline; without
it the real weights are downloaded from the Hugging Face hub (internet, several GB).
Needs: pip install 'diffusers==0.27.2' 'transformers==4.38.2' accelerate torch onnx (npm run
pack:convert sets up that virtual environment itself; see README, "Run on real weights").
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main(argv=None):
    ap = argparse.ArgumentParser(prog='pack:convert', description=__doc__.split('\n')[0])
    ap.add_argument('model', choices=['kandinsky-2-2', 'karlo'])
    ap.add_argument('--out', help='the pack folder to write (default models/<model>[-tiny])')
    ap.add_argument('--fp16', action='store_true', help='float16 weights: not supported yet (refused with the reason)')
    ap.add_argument('--tiny', action='store_true', help='the tiny random-weight pipelines of diffusers\' fast tests (offline)')
    ap.add_argument('--height', type=int, help='Kandinsky: image side in pixels (default: 64 tiny, 512); Karlo: fixed by its models')
    a = ap.parse_args(argv)
    if a.fp16:
        raise SystemExit('--fp16 is not supported yet: onnxconverter-common\'s float16 conversion gives graphs '
                         'onnxruntime refuses (tried on the tiny packs); convert in float32 (the default)')
    out = a.out or os.path.join('models', a.model + ('-tiny' if a.tiny else ''))
    if a.model == 'karlo':
        import karlo
        if a.tiny:
            import tiny
            pipe, variation = tiny.karlo()
            image_encoder, image_processor = variation.image_encoder, variation.feature_extractor
            name, version, desc = 'karlo-tiny', '0.1.0', ('Random weights in the architecture of Karlo (diffusers\' '
                                                          'UnCLIP fast-test configs): for parity tests, not for pictures.')
        else:
            pipe, image_encoder, image_processor = karlo.load_hub(a.fp16)
            name, version, desc = 'karlo', '1.0.0-alpha', 'Karlo v1 alpha (Kakao Brain), converted from diffusers.'
        pack = karlo.convert(pipe, image_encoder, image_processor, out, name=name, version=version, fp16=a.fp16, description=desc)
        print(f'wrote {out}: {pack["name"]} {pack["version"]}, D={pack["embedding_dim"]}, '
              f'{pack["cascade"][-1]["image_size"]} px')
        return
    import kandinsky
    if a.tiny:
        import tiny
        prior, decoder = tiny.kandinsky_2_2()
        pack = kandinsky.convert(prior, decoder, out, name='kandinsky-2-2-tiny', version='0.1.0', height=a.height or 64,
                                 fp16=a.fp16, description='Random weights in the architecture of Kandinsky 2.2 '
                                 '(diffusers\' fast-test configs): for parity tests, not for pictures.')
    else:
        prior, decoder = kandinsky.load_hub(a.fp16)
        pack = kandinsky.convert(prior, decoder, out, name='kandinsky-2-2', version='2.2.0', height=a.height or 512,
                                 fp16=a.fp16, description='Kandinsky 2.2 (kandinsky-community), converted from diffusers.')
    print(f'wrote {out}: {pack["name"]} {pack["version"]}, D={pack["embedding_dim"]}, '
          f'{pack["latent_decoder"]["image_size"]} px')


if __name__ == '__main__':
    main()
