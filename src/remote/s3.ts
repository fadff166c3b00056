// A shared cache in an S3-compatible bucket (s3://bucket/prefix?endpoint=http://host:port).
// Loaded by open.ts only for an s3:// cache: the AWS SDK is large and a local run never needs it.
// Measured traps (docs/DISTRIBUTED.md): s3rver keeps the aws-chunked framing of a streamed
// upload with the SDK's default checksums, so checksums are 'WHEN_REQUIRED' and bodies are
// Buffers; and s3rver ignores IfNoneMatch, so a put without overwrite asks HEAD first (AWS S3
// honours IfNoneMatch and answers 412, which closes the race between HEAD and PUT there).
// Credentials come from the SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
// AWS_PROFILE, instance roles); they never appear in the URL or in messages.
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { FlowError } from '../errors.js';
import { ReadOnly, type Backend, type Entry } from './backend.js';

export interface S3Options {
  bucket: string;
  /** key prefix without slashes at either end ('' for the bucket's root) */
  prefix: string;
  /** http(s)://host:port of an S3-compatible server (path-style addressing); AWS S3 without it */
  endpoint?: string;
  region?: string;
  readOnly?: boolean;
  /** the URL as shown in messages (no credentials, no secrets) */
  display: string;
}

/** pages of 1,000 keys list() reads at most (a billion entries) */
const MAX_PAGES = 1_000_000;

interface SdkError { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } }
const sdk = (e: unknown): SdkError => (e && typeof e === 'object' ? e as SdkError : {});
const status = (e: unknown) => sdk(e).$metadata?.httpStatusCode;
const notFound = (e: unknown) => status(e) === 404 || ['NoSuchKey', 'NotFound'].includes(sdk(e).name ?? '');
const CREDENTIALS = ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken'];

export class S3Backend implements Backend {
  readonly display: string;
  private client: S3Client;
  private base: string;

  constructor(private opts: S3Options) {
    this.display = opts.display;
    this.base = opts.prefix ? opts.prefix + '/' : '';
    // the SDK is pinned (docs/DISTRIBUTED.md), so its notice that later releases need Node 22
    // says nothing to a user; it stays on when the variable is set to anything else
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new S3Client({
      region: opts.region ?? process.env.AWS_REGION ?? 'us-east-1',
      ...(opts.endpoint ? { endpoint: opts.endpoint, forcePathStyle: true } : { followRegionRedirects: true }),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // a server that stops answering fails the request instead of hanging the run
      requestHandler: { connectionTimeout: 10_000, socketTimeout: 120_000 },
    });
  }

  private key(name: string) { return this.base + name; }

  async get(name: string): Promise<Uint8Array | undefined> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.key(name) }));
      return res.Body ? await res.Body.transformToByteArray() : new Uint8Array(0);
    } catch (e) {
      if (notFound(e)) return undefined;
      throw this.failed('read', name, e);
    }
  }

  async has(name: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.opts.bucket, Key: this.key(name) }));
      return true;
    } catch (e) {
      if (notFound(e)) return false;
      throw this.failed('look up', name, e);
    }
  }

  async put(name: string, bytes: Uint8Array, opts: { overwrite?: boolean } = {}): Promise<void> {
    if (this.opts.readOnly) throw new ReadOnly(this.display);
    if (!opts.overwrite && await this.has(name)) return;
    const hash = /^cas\/([0-9a-f]{64})$/.exec(name)?.[1];
    try {
      await this.client.send(new PutObjectCommand({
        Bucket: this.opts.bucket,
        Key: this.key(name),
        Body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        ContentLength: bytes.byteLength,
        ...(opts.overwrite ? {} : { IfNoneMatch: '*' }),
        ...(hash ? { Metadata: { sha256: hash } } : {}),
      }));
    } catch (e) {
      if (!opts.overwrite && (status(e) === 412 || status(e) === 409)) return; // another writer got there first
      if (this.refusedWrite(e)) throw new ReadOnly(this.display, e);
      throw this.failed('write', name, e);
    }
  }

  async *list(prefix: string): AsyncIterable<Entry> {
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      let res;
      try {
        res = await this.client.send(new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: this.key(prefix), ContinuationToken: token }));
      } catch (e) { throw this.failed('list', prefix, e); }
      for (const o of res.Contents ?? []) {
        if (!o.Key?.startsWith(this.base)) continue;
        yield { name: o.Key.slice(this.base.length), size: o.Size ?? 0, mtimeMs: o.LastModified?.getTime() ?? 0 };
      }
      if (!res.IsTruncated || !res.NextContinuationToken) return;
      token = res.NextContinuationToken;
    }
    throw new FlowError('cache', `listing ${prefix} in the shared cache ${this.display} did not end after ${MAX_PAGES} pages`);
  }

  async remove(name: string): Promise<void> {
    if (this.opts.readOnly) throw new ReadOnly(this.display);
    try { await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: this.key(name) })); } catch (e) {
      if (notFound(e)) return;
      if (this.refusedWrite(e)) throw new ReadOnly(this.display, e);
      throw this.failed('remove', name, e);
    }
  }

  async close(): Promise<void> { this.client.destroy(); }

  /** 403 on a write: the credentials may read but not write (not: the credentials are wrong). */
  private refusedWrite(e: unknown): boolean {
    return (status(e) === 403 || sdk(e).name === 'AccessDenied') && !CREDENTIALS.includes(sdk(e).name ?? '');
  }

  /** A FlowError saying what went wrong, in the user's terms. */
  private failed(verb: string, name: string, e: unknown): FlowError {
    const { name: n = '', message = String(e), code } = sdk(e);
    const where = `the shared cache ${this.display}`;
    let why: string;
    if (n === 'CredentialsProviderError') why = 'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)';
    else if (CREDENTIALS.includes(n)) why = `the credentials were refused (${n}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
    else if (n === 'NoSuchBucket') why = `bucket ${this.opts.bucket} does not exist`;
    else if (status(e) === 403) why = 'access denied for these credentials';
    else if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || n === 'TimeoutError') why = `cannot reach the server (${code ?? n}${this.opts.endpoint ? `: is ${this.opts.endpoint} running?` : ''})`;
    else why = `${n && n !== 'Error' ? n + ': ' : ''}${message}`;
    return new FlowError('cache', `cannot ${verb} ${name} in ${where}: ${why}`, {}, e);
  }
}
