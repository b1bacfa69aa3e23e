/**
 * What issue 12's benchmark reads off the machine: peak RSS and CPU time of a process from /proc, the
 * CPU of the PostgreSQL server, Redis's memory, and latency percentiles.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';

/** Peak RSS of a process so far (VmHWM, every thread included), in MB; 0 once it is gone. */
export function peakRssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

const TICKS_PER_SECOND = 100;

/** `[own, reaped children]` CPU seconds (user + system) of a process, or null once it is gone. */
export function cpuSeconds(pid: number | 'self'): [number, number] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: state is field 3, utime field 14.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const at = (field: number) => Number(fields[field - 3] ?? 0) / TICKS_PER_SECOND;
    return [at(14) + at(15), at(16) + at(17)];
  } catch {
    return null;
  }
}

/** CPU seconds used so far by every `postgres` process, the backends that already ended included. */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const cpu = cpuSeconds(Number(entry));
    if (cpu) total += cpu[0] + cpu[1];
  }
  return total;
}

/** A process's CPU and peak RSS, sampled until `stop()`: a process that exits keeps its last sample. */
export function sampleProcess(pid: number): { stop(): void; cpu(): number; peakMb(): number } {
  let cpu = 0;
  let peak = 0;
  const sample = () => {
    const now = cpuSeconds(pid);
    if (now) cpu = now[0] + now[1];
    peak = Math.max(peak, peakRssMb(pid));
  };
  sample();
  const timer = setInterval(sample, 250);
  return {
    stop: () => {
      sample();
      clearInterval(timer);
    },
    cpu: () => cpu,
    peakMb: () => peak,
  };
}

/** Redis's `used_memory`, sampled until `stop()`: its peak, and its value at the start. */
export function sampleRedisMemory(url: string): {
  stop(): Promise<void>;
  startMb(): number;
  peakMb(): number;
  nowMb(): Promise<number>;
} {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  let start = -1;
  let peak = 0;
  const read = async () => {
    const info = await client.info('memory');
    const mb = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0) / 2 ** 20;
    if (start < 0) start = mb;
    peak = Math.max(peak, mb);
    return mb;
  };
  void read().catch(() => undefined);
  const timer = setInterval(() => void read().catch(() => undefined), 250);
  return {
    async stop() {
      clearInterval(timer);
      await read().catch(() => undefined);
      client.disconnect();
    },
    startMb: () => Math.max(0, start),
    peakMb: () => peak,
    nowMb: read,
  };
}

/** Bytes Redis holds for one kind of key: a queue's job hashes, its events stream, its state sets. */
export interface RedisKeyKind {
  kind: string;
  keys: number;
  mb: number;
}

/**
 * What Redis holds, by kind of key (MEMORY USAGE of every key): `<prefix>:<queue>:<id>` job hashes
 * (with their `:logs`), `:events` streams and the queue's other keys. Says where "KB an article" goes.
 */
export async function redisKeyKinds(url: string): Promise<RedisKeyKind[]> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const kinds = new Map<string, RedisKeyKind>();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'COUNT', 1000);
      cursor = next;
      const sizes = await Promise.all(keys.map((key) => client.memory('USAGE', key, 'SAMPLES', '0')));
      for (const [i, key] of keys.entries()) {
        const [, queue = '?', rest = ''] = key.split(':');
        const tail = rest.split(':')[0] ?? '';
        const kind =
          queue === 'hosts'
            ? 'host gate'
            : /^[0-9a-f]{32}$|^\d+$|^repeat-/.test(tail) || key.split(':').length > 3
              ? `${queue} jobs`
              : `${queue} ${tail}`;
        const entry = kinds.get(kind) ?? { kind, keys: 0, mb: 0 };
        entry.keys++;
        entry.mb += Number(sizes[i] ?? 0) / 2 ** 20;
        kinds.set(kind, entry);
      }
    } while (cursor !== '0');
    return [...kinds.values()].sort((a, b) => b.mb - a.mb);
  } finally {
    client.disconnect();
  }
}

/** The p-th percentile (nearest rank) of `values`, or NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** "p50 1.2 s · p95 3.4 s · p99 5.6 s (n = 400)", or "none" for no values. */
export function describeLatency(seconds: readonly number[]): string {
  if (seconds.length === 0) return 'none';
  const f = (p: number) => `p${p} ${percentile(seconds, p).toFixed(1)} s`;
  return `${f(50)} · ${f(95)} · ${f(99)} (n = ${seconds.length})`;
}
