/** The queue as people meet it in Discord: fairness, caps, positions and Cancel. */
import { describe, expect, it } from 'vitest';
import { buttons } from '../../src/sandbox/index.ts';
import { hasResult, isEphemeral, shapePng, startHarness, useHarness, type Harness } from './harness.ts';

// More steps than elsewhere: each job lasts long enough for the others to queue behind it.
const h = useHarness({ env: { UNCLIP_STEPS: '12' } });

const started = (h: Harness) => h.logs.filter((l) => l['msg'] === 'job started').map((l) => String(l['label']));

describe('the inference queue through Discord', () => {
  it('serves three users with three jobs each round-robin', async () => {
    const users = ['ann', 'ben', 'cat'].map((name) => h.discord.addUser(name));
    const runs = [];
    for (const user of users) {
      // The first job is the longest, so that all nine are in line before it ends.
      for (const n of [1, 2, 3]) runs.push(h.discord.slash(user, 'imagine', { prompt: `a red star ${user.username}${n}`, count: runs.length === 0 ? 4 : 1 }));
    }
    await Promise.all(runs.map((r) => r.waitForMessage(hasResult, 120_000)));
    expect(started(h).map((l) => l.replace('imagine: a red star ', ''))).toEqual(['ann1', 'ben1', 'cat1', 'ann2', 'ben2', 'cat2', 'ann3', 'ben3', 'cat3']);
  });

  it('shows the position while waiting, and refuses a 4th job with the reason, ephemerally', async () => {
    const dan = h.discord.addUser('dan');
    const runs = [1, 2, 3].map((n) => h.discord.slash(dan, 'imagine', { prompt: `a blue heart ${n}`, count: 4 }));
    const fourth = h.discord.slash(dan, 'imagine', { prompt: 'a blue heart 4', count: 1 });
    const refusal = await fourth.waitForEphemeral();
    expect(refusal.content).toMatch(/already have 3 jobs/);
    expect(fourth.messages().filter((m) => !isEphemeral(m))).toEqual([]);
    const queued = await runs[2]!.waitForMessage((m) => /Queued: position \d/.test(m.content) || hasResult(m));
    expect(queued.content).toMatch(/Queued: position [12]|seed/);
    await Promise.all(runs.map((r) => r.waitForMessage(hasResult, 120_000)));
    // Once they are done, dan may queue again.
    await h.discord.slash(dan, 'imagine', { prompt: 'a blue heart 5', count: 1 }).waitForMessage(hasResult, 120_000);
  });

  it('a reaction counts against the reacting person’s own limit: refused reactions are taken off, and said in the channel once', async () => {
    const ida = h.discord.addUser('ida');
    const jon = h.discord.addUser('jon');
    const original = await h.discord.slash(ida, 'imagine', { prompt: 'a small red heart', count: 2 }).waitForMessage(hasResult, 120_000);
    const runs = [1, 2, 3].map((n) => h.discord.slash(jon, 'imagine', { prompt: `a big white star ${n}`, count: 4 }));
    await runs[2]!.acknowledged();
    h.discord.react(jon, original, '1️⃣');
    const refusal = await h.discord.waitForMessage((m) => m.content.startsWith(`<@${jon.id}>`) && m.content.includes('already have 3 jobs'));
    expect(h.discord.messageById(refusal.id).pings.users).toEqual([jon.id]);
    expect(refusal.content).toContain('I took your 1️⃣ off');
    // More reactions at the cap: each taken off, and no new message (Discord has no private answer to a reaction).
    const refusals = () => h.discord.channelMessages().filter((m) => m.content.startsWith(`<@${jon.id}>`) && m.content.includes('already have 3 jobs')).length;
    h.discord.react(jon, original, '2️⃣');
    await h.discord.waitUntil(() => (!h.discord.messageById(original.id).reactions.get('1️⃣')?.includes(jon.id) && !h.discord.messageById(original.id).reactions.get('2️⃣')?.includes(jon.id) ? true : null), 30_000, "jon's reactions taken off");
    expect(refusals()).toBe(1);
    await Promise.all(runs.map((r) => r.waitForMessage(hasResult, 120_000)));
    expect(refusals()).toBe(1);
  });

  it('Cancel is for the owner only; it stops the job and says so', async () => {
    const eve = h.discord.addUser('eve');
    const fay = h.discord.addUser('fay');
    const first = h.discord.slash(fay, 'imagine', { prompt: 'a big white circle', count: 4 });
    const second = h.discord.slash(eve, 'imagine', { prompt: 'a small pink square', count: 4 });
    const waiting = await second.waitForMessage((m) => buttons(m).some((b) => b.custom_id?.startsWith('job:cancel:')));
    const cancelId = buttons(waiting).find((b) => b.custom_id?.startsWith('job:cancel:'))!.custom_id!;

    const intruder = h.discord.click(fay, waiting, cancelId);
    expect((await intruder.waitForEphemeral()).content).toMatch(/Only the person who asked/);

    h.discord.click(eve, waiting, cancelId);
    const cancelled = await second.waitForMessage((m) => m.content.includes('Cancelled.'));
    expect(cancelled.attachments).toEqual([]);
    expect(buttons(cancelled)).toEqual([]);
    await first.waitForMessage(hasResult, 120_000);
    expect(h.bot.ctx.queue.jobsOf(eve.id)).toEqual([]);
  });

  it('a running job shows its progress with a preview of the current estimate', async () => {
    const hal = h.discord.addUser('hal');
    const run = h.discord.slash(hal, 'imagine', { prompt: 'a big yellow circle', count: 4 });
    const progress = await h.discord.waitForMessage(
      (m) => m.interaction_metadata?.id === run.id && m.attachments.some((a) => a.filename === 'preview.png'),
    );
    expect(progress.content).toMatch(/Step \d+\/12/);
    const result = await run.waitForMessage(hasResult, 120_000);
    expect(result.attachments.map((a) => a.filename)).not.toContain('preview.png');
  });

  it('/queue lists your waiting and running jobs', async () => {
    const gus = h.discord.addUser('gus');
    const runs = [1, 2].map((n) => h.discord.slash(gus, 'imagine', { prompt: `a green triangle ${n}`, count: 4 }));
    await runs[1]!.acknowledged();
    const answer = await h.discord.slash(gus, 'queue').waitForEphemeral();
    expect(answer.content).toMatch(/Your jobs:\n• imagine: a green triangle [12]: (running now|position 1)/);
    expect(answer.content).toMatch(/a green triangle 2: (running now|position \d)/);
    await Promise.all(runs.map((r) => r.waitForMessage(hasResult, 120_000)));
  });
});

describe('the global cap', () => {
  it('refuses anyone once the queue holds UNCLIP_QUEUE_GLOBAL jobs, with the reason, ephemerally', async () => {
    const small = await startHarness({ env: { UNCLIP_STEPS: '12', UNCLIP_QUEUE_GLOBAL: '2' } });
    try {
      const [kai, lou, mo] = ['kai', 'lou', 'mo'].map((n) => small.discord.addUser(n));
      const runs = [small.discord.slash(kai!, 'imagine', { prompt: 'a big red circle', count: 4 }), small.discord.slash(lou!, 'imagine', { prompt: 'a big blue circle', count: 4 })];
      const third = small.discord.slash(mo!, 'imagine', { prompt: 'a big green circle', count: 4 });
      expect((await third.waitForEphemeral()).content).toMatch(/The queue is full \(2 jobs\)/);
      await Promise.all(runs.map((r) => r.waitForMessage(hasResult, 120_000)));
      small.discord.assertNoUnhandledRequests();
    } finally {
      await small.stop();
    }
  });
});

describe('the per-job timeout', () => {
  it('stops a job that runs too long, says so, and the queue goes on', async () => {
    // 250 steps for 4 images take about 5 s on an idle 2-core CPU (20 s under load): several times the 1 s allowed.
    const strict = await startHarness({ env: { UNCLIP_STEPS: '250', UNCLIP_JOB_TIMEOUT_S: '1' } });
    try {
      const [nia, oli] = ['nia', 'oli'].map((n) => strict.discord.addUser(n));
      const long = strict.discord.slash(nia!, 'imagine', { prompt: 'a big pink star', count: 4 });
      const stopped = await long.waitForMessage((m) => m.content.includes('took longer than 1 s and was stopped'), 120_000);
      expect(stopped.attachments).toEqual([]);
      const after = strict.discord.slash(oli!, 'classify', { image: { filename: 'a.png', data: await shapePng() }, labels: 'a red square, a blue circle' });
      await after.waitForMessage((m) => m.embeds.length > 0, 120_000);
      strict.discord.assertNoUnhandledRequests();
    } finally {
      await strict.stop();
    }
  });
});
