// From a --cache URL to a shared cache: parses and checks what the user typed (every mistake is
// a FlowError naming --cache and the form expected), then opens the backend. The S3 backend, and
// with it the AWS SDK, is imported only for an s3:// URL: a local or shared-folder run never
// loads it.
//   file:///abs/path[?readonly=1]
//   s3://bucket[/prefix][?endpoint=http://host:port&region=eu-west-1&readonly=1]
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FlowError } from '../errors.js';
import type { Store } from '../graph/store.js';
import type { Backend } from './backend.js';
import { SharedDirBackend } from './shared-dir.js';
import { RemoteCache } from './remote-cache.js';
import type { S3Options } from './s3.js';

export type CacheUrl =
  | { scheme: 'file'; root: string; readOnly: boolean; display: string }
  | ({ scheme: 's3'; readOnly: boolean } & S3Options);

const FORMS = 'file:///absolute/path or s3://bucket/prefix?endpoint=http://host:port';
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;

const bad = (url: string, why: string) => new FlowError('validate', `--cache ${JSON.stringify(url)}: ${why}`, { field: 'cache' });

/** Checks a --cache URL and says what it names; throws a FlowError('validate') for a malformed one. */
export function parseCacheUrl(url: string): CacheUrl {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme !== 'file' && scheme !== 's3') {
    throw bad(url, `${scheme ? `unknown scheme ${scheme}://` : 'not a URL'}; a shared cache is ${FORMS}`);
  }
  let u: URL;
  try { u = new URL(url); } catch { throw bad(url, `not a valid URL; expected ${FORMS}`); }
  const allowed = scheme === 's3' ? ['endpoint', 'region', 'readonly'] : ['readonly'];
  for (const k of u.searchParams.keys()) if (!allowed.includes(k)) throw bad(url, `unknown option ${k} (${scheme}:// takes ${allowed.join(', ')})`);
  const ro = u.searchParams.get('readonly');
  if (ro !== null && !['1', '0', 'true', 'false', ''].includes(ro)) throw bad(url, `readonly=${ro}: use readonly=1`);
  const readOnly = ro === '1' || ro === 'true' || ro === '';

  if (scheme === 'file') {
    if (!/^file:\/\/(localhost)?\//i.test(url)) throw bad(url, 'a shared folder needs an absolute path: file:///absolute/path (three slashes)');
    if (u.hash) throw bad(url, 'a file:// URL takes no #fragment');
    let root: string;
    try { root = fileURLToPath(new URL(u.pathname, 'file://')); } catch (e) { throw bad(url, (e as Error).message); }
    root = root.replace(/(.)\/+$/, '$1');
    return { scheme, root, readOnly, display: pathToFileURL(root).href };
  }

  if (u.username || u.password) throw bad(url, 'credentials do not go in the URL: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  if (u.port) throw bad(url, `s3://${u.host} has a port: the server goes in ?endpoint=http://host:port`);
  const bucket = u.hostname;
  if (!bucket) throw bad(url, 'no bucket: s3://bucket/prefix');
  if (!BUCKET.test(bucket)) throw bad(url, `${JSON.stringify(bucket)} is not a bucket name (3-63 lower-case letters, digits, dots, hyphens)`);
  const prefix = decodeURIComponent(u.pathname).replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((p) => p === '.' || p === '..') || /\/\//.test(prefix)) throw bad(url, `prefix ${JSON.stringify(prefix)} has an empty, . or .. part`);

  let endpoint: string | undefined;
  const ep = u.searchParams.get('endpoint');
  if (ep !== null) {
    let e: URL;
    try { e = new URL(ep); } catch { throw bad(url, `endpoint=${ep} is not a URL: use endpoint=http://host:port`); }
    if (e.protocol !== 'http:' && e.protocol !== 'https:') throw bad(url, `endpoint=${ep}: use http:// or https://`);
    if (e.username || e.password) throw bad(url, 'credentials do not go in the endpoint: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    if ((e.pathname !== '/' && e.pathname !== '') || e.search || e.hash) throw bad(url, `endpoint=${ep}: only http://host:port (no path); the bucket and prefix go in s3://bucket/prefix`);
    endpoint = e.origin;
  }
  const region = u.searchParams.get('region') ?? undefined;
  if (region !== undefined && !/^[a-z0-9-]{1,40}$/.test(region)) throw bad(url, `region=${region} is not a region (e.g. us-east-1)`);

  const display = `s3://${bucket}${prefix ? '/' + prefix : ''}${endpoint ? `?endpoint=${endpoint}` : ''}`;
  return { scheme, bucket, prefix, endpoint, region, readOnly, display };
}

/** The backend a --cache URL names (the AWS SDK loaded only for s3://). */
export async function openBackend(url: string): Promise<Backend> {
  const c = parseCacheUrl(url);
  if (c.scheme === 'file') return new SharedDirBackend(c.root, { readOnly: c.readOnly });
  const { S3Backend } = await import('./s3.js');
  return new S3Backend(c);
}

/** The shared cache a --cache URL names, layered under `local` (none in a `flow worker`).
 * `readonly=1` in the URL and opts.readOnly both make it read-only. */
export async function openRemote(url: string, local: Store | undefined, opts: { readOnly?: boolean; warn?: (message: string) => void } = {}): Promise<RemoteCache> {
  const c = parseCacheUrl(url);
  const backend = await openBackend(url);
  return new RemoteCache(backend, local, { ...opts, readOnly: opts.readOnly || c.readOnly });
}
