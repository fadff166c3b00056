// An S3-compatible server for the shared-cache tests: s3rver in this process on a free
// loopback port, with a bucket "flow" and the credentials it accepts set in the environment
// (child processes inherit them); stop() closes it and puts the environment back.
import { mkdirSync } from 'node:fs';
import S3rver from 's3rver';

export const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

export async function startS3(directory: string): Promise<{ endpoint: string; port: number; stop(): Promise<void> }> {
  const saved = Object.fromEntries(Object.keys(S3_ENV).map((k) => [k, process.env[k]]));
  Object.assign(process.env, S3_ENV);
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: 'flow', configs: [] }] });
  const { port } = (await server.run()) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`, port,
    async stop() {
      await server.close();
      for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
    },
  };
}
