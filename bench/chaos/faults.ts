/**
 * The faults of issue 11's trial, each injected mid-batch into a running service (bench/chaos/trial.ts).
 * Durations are the issue's, times `world.scale`.
 */
import { sleep, until, type Fault, type TrialWorld } from './trial.ts';

/** Waits until a share of the batch is stored (or a share of the polls recorded, or of alerts sent). */
async function midBatch(
  world: TrialWorld,
  what: 'stored' | 'recorded' | 'alerted',
  share = 0.25,
): Promise<void> {
  const reached = await until(async () => {
    if (what === 'alerted') return world.received('slack') >= Math.ceil(world.expectedAlerts * share);
    const n = what === 'stored' ? await world.stored() : await world.recorded();
    return n >= Math.ceil(world.expectedItems * share);
  }, 600_000);
  if (!reached) throw new Error(`the batch never reached ${share * 100}% ${what}`);
}

function process(world: TrialWorld, name: string) {
  const p = world.processes.get(name);
  if (!p) throw new Error(`no process ${name}`);
  return p;
}

export async function killAndRestart(world: TrialWorld, name: string, signal: NodeJS.Signals): Promise<void> {
  const p = process(world, name);
  const sent = Date.now();
  p.kill(signal);
  const how = await p.exited();
  world.note(`${name} ended by ${signal} in ${((Date.now() - sent) / 1000).toFixed(1)} s (${how})`);
  await sleep(1_000);
  p.start();
}

const minutes = (world: TrialWorld, n: number) => n * 60_000 * world.scale;

function killWorker(name: string, when: 'stored' | 'recorded' | 'alerted'): Fault {
  return {
    name: `kill -9 ${name}`,
    topology: 'split',
    items: 2000,
    async inject(world) {
      await midBatch(world, when);
      await killAndRestart(world, name, 'SIGKILL');
    },
  };
}

async function restartRedis(world: TrialWorld, flush: boolean): Promise<void> {
  await midBatch(world, 'stored');
  if (flush) {
    const { Redis } = await import('ioredis');
    const client = new Redis(world.redis.url);
    await client.flushall();
    client.disconnect();
    return;
  }
  await world.redis.stop();
  await sleep(2_000);
  await world.redis.start();
}

export async function stopPostgres(world: TrialWorld, ms: number): Promise<void> {
  await midBatch(world, 'stored');
  await world.postgres.stop();
  await sleep(ms);
  await world.postgres.start();
}

/** Every insert or update of an article fails, as a full disk or a broken constraint would. */
async function refuseWrites(world: TrialWorld, ms: number): Promise<void> {
  await midBatch(world, 'stored', 0.1);
  await world.sql(`create or replace function chaos_refuse() returns trigger language plpgsql as $$
    begin raise exception 'chaos trial: article writes refused'; end $$`);
  await world.sql(
    'create trigger chaos_refuse before insert or update on articles for each row execute function chaos_refuse()',
  );
  await sleep(ms);
  await world.sql('drop trigger chaos_refuse on articles');
}

async function receiverDown(
  world: TrialWorld,
  channel: 'slack' | 'webhook',
  answer: () => { status: number; headers?: Record<string, string> },
  ms: number,
): Promise<void> {
  const receiver = world[channel];
  receiver.answer = answer;
  const from = Date.now();
  await sleep(ms);
  receiver.answer = undefined;
  const during = receiver.requests.filter((r) => r.at >= from && r.at <= from + ms).length;
  world.note(`${channel}: ${during} requests during the ${(ms / 1000).toFixed(0)} s fault`);
}

export const FAULTS: Fault[] = [
  killWorker('feed-worker', 'recorded'),
  killWorker('article-worker', 'stored'),
  killWorker('store-worker', 'stored'),
  killWorker('alert-worker', 'alerted'),
  {
    // The one duplicate window, provoked on purpose: Slack has the message, our commit never happens.
    name: "kill -9 alert-worker at Slack's 200",
    topology: 'split',
    items: 300,
    async inject(world) {
      await midBatch(world, 'alerted');
      const worker = process(world, 'alert-worker');
      let killed = false;
      world.slack.answer = () => {
        if (!killed) worker.kill('SIGKILL');
        killed = true;
        return { status: 200 };
      };
      await until(() => killed, 60_000);
      world.slack.answer = undefined;
      world.note(`alert-worker ended by SIGKILL as Slack answered 200 (${await worker.exited()})`);
      await sleep(1_000);
      worker.start();
    },
  },
  {
    name: 'kill -9 the whole service',
    topology: 'service',
    items: 2000,
    async inject(world) {
      await midBatch(world, 'stored');
      await killAndRestart(world, 'all', 'SIGKILL');
    },
  },
  {
    name: 'SIGTERM with jobs active',
    topology: 'service',
    items: 2000,
    async inject(world) {
      await midBatch(world, 'stored');
      await killAndRestart(world, 'all', 'SIGTERM');
    },
  },
  {
    name: 'Redis restarted with AOF',
    topology: 'service',
    items: 300,
    aof: true,
    inject: (world) => restartRedis(world, false),
  },
  {
    name: 'Redis restarted without AOF',
    topology: 'service',
    items: 300,
    inject: (world) => restartRedis(world, false),
  },
  {
    name: 'Redis FLUSHALL mid-run',
    topology: 'service',
    items: 300,
    inject: (world) => restartRedis(world, true),
  },
  {
    name: 'PostgreSQL stopped 30 s',
    topology: 'service',
    items: 300,
    inject: (world) => stopPostgres(world, 30_000 * world.scale),
  },
  {
    name: 'PostgreSQL stopped 5 min',
    topology: 'service',
    items: 300,
    inject: (world) => stopPostgres(world, minutes(world, 5)),
  },
  {
    name: 'database write error 5 min',
    topology: 'service',
    items: 300,
    inject: (world) => refuseWrites(world, minutes(world, 5)),
  },
  {
    name: 'Slack 500 for 10 min',
    topology: 'service',
    items: 300,
    inject: (world) => receiverDown(world, 'slack', () => ({ status: 500 }), minutes(world, 10)),
  },
  {
    name: 'webhook 500 for 10 min',
    topology: 'service',
    items: 300,
    inject: (world) => receiverDown(world, 'webhook', () => ({ status: 500 }), minutes(world, 10)),
  },
  {
    name: 'Slack 429 with Retry-After',
    topology: 'service',
    items: 300,
    inject: (world) =>
      receiverDown(
        world,
        'slack',
        () => ({ status: 429, headers: { 'retry-after': '5' } }),
        minutes(world, 1),
      ),
  },
  {
    name: 'SMTP refusing 10 min',
    topology: 'service',
    items: 300,
    async inject(world) {
      world.mail.refusing = true;
      await sleep(minutes(world, 10));
      world.mail.refusing = false;
      world.note(`SMTP refused ${world.mail.refused} messages`);
    },
  },
  {
    name: 'poison feed',
    topology: 'service',
    items: 300,
    poison: true,
    inject: () => Promise.resolve(),
  },
];
