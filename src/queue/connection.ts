// Where the queue lives: a redis:// or rediss:// URL plus the password and TLS options passed
// through to ioredis. Nothing here listens; clients and workers only connect out.
import { readFileSync } from 'node:fs';
import type { RedisOptions } from 'ioredis';
import { EmovoxParameterError, errorMessage } from '../util/errors.js';

/** How to reach the queue's Redis, as given on the command line. */
export interface QueueAddress {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://...` (TLS). */
  readonly url: string;
  /** Password (overrides one in the URL); default the URL's, else `$EMOVOX_QUEUE_PASSWORD`. */
  readonly password?: string;
  /** PEM file of the certificate authority that signed the server's certificate (rediss:// only); default: the system's CAs. */
  readonly ca?: string;
}

/** A parsed {@link QueueAddress}: ioredis options and a printable form without the password. */
export interface QueueConnection {
  /** ioredis options (host, port, db, username, password, tls). */
  readonly options: RedisOptions;
  /** The URL with any password replaced by `***`, for logs and reports. */
  readonly display: string;
}

const DEFAULT_PORT = 6379;

/**
 * Parses a queue URL. `redis://host:port/db` connects in plain TCP; `rediss://` uses TLS
 * (certificates verified against the system's CAs, or `ca`). The password comes from `password`,
 * else `$EMOVOX_QUEUE_PASSWORD`, else the URL's userinfo (`redis://:secret@host` or
 * `redis://user:secret@host` for a Redis 6 ACL user).
 *
 * @param address - the URL and the options passed through.
 * @param source - option name used in errors (default `--queue`).
 * @throws EmovoxParameterError for another scheme, a bad port or database number, an unreadable CA file,
 *   or a CA file with a plain redis:// URL.
 */
export function parseQueueAddress(address: QueueAddress, source = '--queue'): QueueConnection {
  let url: URL;
  try {
    url = new URL(address.url);
  } catch {
    throw new EmovoxParameterError(
      source,
      `${redact(address.url)}: not a URL (expected redis://host:port[/db])`,
    );
  }
  const tls = url.protocol === 'rediss:';
  if (url.protocol !== 'redis:' && !tls)
    throw new EmovoxParameterError(
      source,
      `${redact(address.url)}: the scheme must be redis:// or rediss:// (TLS), got ${url.protocol}//`,
    );
  if (!url.hostname) throw new EmovoxParameterError(source, `${redact(address.url)}: no host`);
  const port = url.port === '' ? DEFAULT_PORT : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || db > 1_000_000 || !/^\d*$/.test(dbText))
    throw new EmovoxParameterError(
      source,
      `${redact(address.url)}: the database must be a number, got "${dbText}"`,
    );
  if (url.search || url.hash)
    throw new EmovoxParameterError(
      source,
      `${redact(address.url)}: query strings and fragments are not used`,
    );
  const password =
    address.password ??
    (url.password ? decodeURIComponent(url.password) : undefined) ??
    (process.env.EMOVOX_QUEUE_PASSWORD || undefined);
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  let ca: Buffer | undefined;
  if (address.ca !== undefined) {
    if (!tls) throw new EmovoxParameterError('--queue-ca', 'needs a rediss:// (TLS) queue URL');
    try {
      ca = readFileSync(address.ca);
    } catch (error) {
      throw new EmovoxParameterError('--queue-ca', `${address.ca}: cannot read (${errorMessage(error)})`);
    }
  }
  // IPv6 hosts come bracketed from URL; ioredis wants them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisOptions = {
    host,
    port,
    db,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(tls ? { tls: { servername: host, ...(ca ? { ca } : {}) } } : {}),
  };
  const display = `${url.protocol}//${username || password ? `${username ?? ''}:***@` : ''}${url.host}/${db}`;
  return { options, display };
}

/** A URL (any scheme) with its password, if any, replaced by `***`. */
export function redact(text: string): string {
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}
