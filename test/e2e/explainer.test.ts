/** The explainer's show beyond the basics (issue 15): /describe and "Describe image", U1–U4, text diffs. */
import { describe, expect, it } from 'vitest';
import { decodePng, isEphemeral, shapePng, useHarness } from './harness.ts';

const h = useHarness();

describe('/describe and "Describe image" (real discord.js ↔ local Discord, real ONNX pack)', () => {
  it('/describe ranks the world\'s captions for an uploaded image, with scores and a chart', async () => {
    const alice = h.discord.addUser('dalice');
    const run = h.discord.slash(alice, 'describe', { image: { filename: 'square.png', data: await shapePng() }, count: 3 });
    const result = await run.waitForMessage((m) => m.embeds.length > 0);
    expect(isEphemeral(result)).toBe(false);
    expect(result.content).toBe('Describing square.png');
    const embed = result.embeds[0]!;
    // The picture is a red square on blue: the best caption says so.
    expect(embed.title).toMatch(/^Best caption: a (big |small )?red square on a blue background$/);
    const lines = embed.description!.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^1\. \*\*a (big |small )?red square on a blue background\*\* — \d+\.\d %$/);
    const percents = lines.map((l) => Number(/— ([\d.]+) %$/.exec(l)![1]));
    expect(percents).toEqual([...percents].sort((a, b) => b - a));
    expect(embed.image?.url).toBe('attachment://captions.png');
    expect(await decodePng(result, /^captions\.png$/)).toMatchObject({ width: 480 });
  });

  it('"Describe image" on a message describes its image (5 captions)', async () => {
    const alice = h.discord.addUser('dalice2');
    const posted = await h.discord.post(alice, 'what is this?', [{ filename: 'mystery.png', data: await shapePng({ r: 40, g: 170, b: 60 }) }]);
    const result = await h.discord.messageCommand(alice, 'Describe image', posted).waitForMessage((m) => m.embeds.length > 0);
    expect(result.content).toBe('Describing mystery.png');
    expect(result.embeds[0]!.title).toMatch(/^Best caption: .*green square/);
    expect(result.embeds[0]!.description!.split('\n')).toHaveLength(5);
  });

  it('"Describe image" on a message without an image says so, privately', async () => {
    const alice = h.discord.addUser('dalice3');
    const posted = await h.discord.post(alice, 'no picture here');
    const answer = await h.discord.messageCommand(alice, 'Describe image', posted).waitForEphemeral();
    expect(answer.content).toContain('That message has no image attached');
  });
});
