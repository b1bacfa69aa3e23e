/**
 * What every worker process shares: settings, the pipeline context, the queues and one Redis
 * connection. Opening it checks Redis first so that a missing Redis is one clear line, not a hang.
 */
import type { Redis } from 'ioredis';
import { loadSettings, type Settings } from '../src/config/settings.ts';
import { createExtractPool } from '../src/extract/extract-pool.ts';
import { createRedisHostGate } from '../src/http/redis-host-gate.ts';
import { openContext } from '../src/pipeline/open-context.ts';
import type { PipelineContext } from '../src/pipeline/steps.ts';
import { closeQueues, openQueues, type Queues } from '../src/queue/queues.ts';
import { assertRedisReachable, createRedis } from '../src/queue/redis-connection.ts';

export interface Runtime {
  ctx: PipelineContext;
  queues: Queues;
  connection: Redis;
  prefix: string;
  close(): Promise<void>;
}

export async function openRuntime(
  opts: { settings?: Settings; schema?: string; now?: () => Date } = {},
): Promise<Runtime> {
  const settings = opts.settings ?? loadSettings();
  await assertRedisReachable(settings.REDIS_URL);
  const connection = createRedis(settings.REDIS_URL);
  const hostGate = createRedisHostGate(connection, {
    prefix: `${settings.QUEUE_PREFIX}:hosts`,
    maxConcurrent: settings.HOST_MAX_CONCURRENT,
    minSpacingMs: settings.HOST_MIN_SPACING_MS,
  });
  // Extraction is the CPU-heavy stage: a worker-thread pool per process, sized to the cores.
  const pool = createExtractPool({ maxOldGenerationSizeMb: settings.EXTRACT_THREAD_HEAP_MB });
  const ctx = await openContext({
    settings,
    schema: opts.schema,
    now: opts.now,
    hostGate,
    extract: (html, url) => pool.extract(html, url),
  });
  const queues = openQueues(connection, settings.QUEUE_PREFIX);
  return {
    ctx,
    queues,
    connection,
    prefix: settings.QUEUE_PREFIX,
    async close() {
      await closeQueues(queues);
      await connection.quit();
      await ctx.close();
      await pool.close();
    },
  };
}
