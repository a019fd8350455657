// A run's state in Redis, beside BullMQ's own keys:
//   emovox:run:<id>:meta      JSON: kind, fingerprint of the work, item and chunk counts
//   emovox:run:<id>:items     hash: item index -> outcome JSON (idempotent: a retried or duplicated
//                             job writes the same field again, so an item is never counted twice)
//   emovox:run:<id>:values    hash: sha256 of the file's bytes -> feature record (features runs)
//   emovox:run:<id>:attempts  hash: item index -> times it was stored (a count above 1 means a
//                             worker stopped mid-job and another redid the item)
//   emovox:run:<id>:chunks    hash: chunk -> JSON summary, written when a chunk's items are all stored
// Workers write through Lua scripts that first check the meta key exists: a run that finished,
// expired or was lost (Redis restarted without persistence) is never recreated by a straggler.
import { Redis, type RedisOptions } from 'ioredis';
import { QUEUE_PREFIX, type ItemOutcome, type JobKind } from './jobs.js';

/** How long a run's state lives in Redis without a client finishing it: 7 days, in ms. */
export const RUN_TTL_MS = 7 * 24 * 3600 * 1000;

/** The Redis keys of one run. */
export interface RunKeys {
  readonly meta: string;
  readonly items: string;
  readonly values: string;
  readonly attempts: string;
  readonly chunks: string;
}

/** Keys of run `runId`. */
export function runKeys(runId: string): RunKeys {
  const base = `${QUEUE_PREFIX}:run:${runId}`;
  return {
    meta: `${base}:meta`,
    items: `${base}:items`,
    values: `${base}:values`,
    attempts: `${base}:attempts`,
    chunks: `${base}:chunks`,
  };
}

/** The meta record of a run. */
export interface RunMeta {
  readonly kind: JobKind;
  /** sha256 of the run's work (every job payload without the run id): a resumed run must match. */
  readonly fingerprint: string;
  readonly items: number;
  readonly chunks: number;
  /** emovox version of the client that started it. */
  readonly emovox: string;
  readonly created: string;
}

/** Summary a worker stores when it has stored every item of a chunk. */
export interface ChunkDone {
  readonly by: string;
  readonly items: number;
  readonly failed: number;
  readonly seconds: number;
}

const STORE_ITEM = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
  if ttl > 0 then redis.call('PEXPIRE', KEYS[3], ttl) end
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[4], ARGV[1], 1)
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[2], ttl)
  redis.call('PEXPIRE', KEYS[4], ttl)
end
return 1
`;

const STORE_CHUNK = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1
`;

type StoreRedis = Redis & {
  emovoxStoreItem(
    meta: string,
    items: string,
    values: string,
    attempts: string,
    index: string,
    outcome: string,
    hash: string,
    value: Buffer | string,
  ): Promise<number>;
  emovoxStoreChunk(meta: string, chunks: string, chunk: string, summary: string): Promise<number>;
};

/**
 * A connection to the run state. Each client and each worker process holds one.
 */
export class RunStore {
  readonly redis: StoreRedis;

  /**
   * @param options - ioredis options (from `parseQueueAddress`).
   * @param patient - true (workers): commands wait through a Redis outage until it comes back;
   *   false (clients): a command fails after a few reconnection attempts, so the client can report
   *   the outage and decide when to give up.
   */
  constructor(options: RedisOptions, patient: boolean) {
    this.redis = new Redis({
      ...options,
      lazyConnect: false,
      maxRetriesPerRequest: patient ? null : 2,
      retryStrategy: (times) => Math.min(200 * times, 2000),
    }) as StoreRedis;
    // Errors surface through the commands that fail; the connection's own error events (each failed
    // reconnection) would otherwise be printed by ioredis as unhandled.
    this.redis.on('error', () => {});
    this.redis.defineCommand('emovoxStoreItem', { numberOfKeys: 4, lua: STORE_ITEM });
    this.redis.defineCommand('emovoxStoreChunk', { numberOfKeys: 2, lua: STORE_CHUNK });
  }

  /** The run's meta record, or undefined when the run does not exist (finished, expired or lost). */
  async meta(runId: string): Promise<RunMeta | undefined> {
    const text = await this.redis.get(runKeys(runId).meta);
    return text ? (JSON.parse(text) as RunMeta) : undefined;
  }

  /** Creates (or replaces) the meta record, with the run's time to live. */
  async createMeta(runId: string, meta: RunMeta): Promise<void> {
    const keys = runKeys(runId);
    await this.redis
      .multi()
      .set(keys.meta, JSON.stringify(meta), 'PX', RUN_TTL_MS)
      .pexpire(keys.items, RUN_TTL_MS)
      .pexpire(keys.values, RUN_TTL_MS)
      .pexpire(keys.attempts, RUN_TTL_MS)
      .pexpire(keys.chunks, RUN_TTL_MS)
      .exec();
  }

  /**
   * Stores one item's outcome (and, for features, its value under the file's content hash).
   * @returns false when the run no longer exists: the caller should abandon the job.
   */
  async storeItem(
    runId: string,
    index: number,
    outcome: ItemOutcome,
    value?: { hash: string; bytes: Buffer },
  ): Promise<boolean> {
    const k = runKeys(runId);
    const stored = await this.redis.emovoxStoreItem(
      k.meta,
      k.items,
      k.values,
      k.attempts,
      String(index),
      JSON.stringify(outcome),
      value?.hash ?? '',
      value?.bytes ?? '',
    );
    return stored === 1;
  }

  /** Marks a chunk done. @returns false when the run no longer exists. */
  async storeChunk(runId: string, chunk: number, summary: ChunkDone): Promise<boolean> {
    const k = runKeys(runId);
    return (
      (await this.redis.emovoxStoreChunk(k.meta, k.chunks, String(chunk), JSON.stringify(summary))) === 1
    );
  }

  /** Outcomes of the given items that are stored (missing ones are absent from the map). */
  async outcomes(runId: string, indices: readonly number[]): Promise<Map<number, ItemOutcome>> {
    const out = new Map<number, ItemOutcome>();
    const key = runKeys(runId).items;
    for (let start = 0; start < indices.length; start += 1000) {
      const batch = indices.slice(start, start + 1000);
      const texts = await this.redis.hmget(key, ...batch.map(String));
      texts.forEach((t, i) => {
        if (t !== null) out.set(batch[i], JSON.parse(t) as ItemOutcome);
      });
    }
    return out;
  }

  /** Feature records stored under the given content hashes (missing ones are absent). */
  async values(runId: string, hashes: readonly string[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    const key = runKeys(runId).values;
    for (let start = 0; start < hashes.length; start += 256) {
      const batch = hashes.slice(start, start + 256);
      const buffers = await this.redis.hmgetBuffer(key, ...batch);
      buffers.forEach((b, i) => {
        if (b !== null) out.set(batch[i], b);
      });
    }
    return out;
  }

  /** Chunk summaries stored so far, by chunk number. */
  async chunks(runId: string): Promise<Map<number, ChunkDone>> {
    const all = await this.redis.hgetall(runKeys(runId).chunks);
    return new Map(Object.entries(all).map(([k, v]) => [Number(k), JSON.parse(v) as ChunkDone]));
  }

  /** Items stored more than once (a worker stopped mid-job and another redid them). */
  async repeatedItems(runId: string): Promise<number> {
    const all = await this.redis.hvals(runKeys(runId).attempts);
    return all.filter((n) => Number(n) > 1).length;
  }

  /** Deletes every key of the run (after the client has written its outputs). */
  async deleteRun(runId: string): Promise<void> {
    const k = runKeys(runId);
    await this.redis.del(k.meta, k.items, k.values, k.attempts, k.chunks);
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
