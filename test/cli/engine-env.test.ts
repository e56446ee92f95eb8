/** The CLI (and the bench) read UNCLIP_DEVICE and UNCLIP_THREADS themselves and hand them to Engine.load, which reads no environment. */
import { describe, expect, it } from 'vitest';
import { engineEnv } from '../../src/cli.ts';
import { UserInputError } from '../../src/engine/index.ts';

describe('engineEnv', () => {
  it('defaults to the CPU and onnxruntime’s threads; takes cuda and a thread count', () => {
    expect(engineEnv({})).toEqual({ device: 'cpu' });
    expect(engineEnv({ UNCLIP_DEVICE: 'cuda', UNCLIP_THREADS: '4' })).toEqual({ device: 'cuda', threads: 4 });
  });

  it('refuses what the bot’s configuration refuses, by name, instead of falling back silently', () => {
    expect(() => engineEnv({ UNCLIP_DEVICE: 'tpu' })).toThrow(new UserInputError('UNCLIP_DEVICE must be cpu or cuda (got "tpu")'));
    expect(() => engineEnv({ UNCLIP_THREADS: 'many' })).toThrow(/UNCLIP_THREADS must be a whole number from 1 to 256 \(got "many"\)/);
  });
});
