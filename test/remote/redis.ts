// The Redis of the BullMQ tests: FLOW_TEST_REDIS when set (.ci/run starts one on loopback),
// else a redis-server of this test file's own on a free loopback port when Debian's
// redis-server is installed (stopped when the file's process exits); else none, and the
// tests that need it skip, saying why. Decided when the test file loads: describe.skipIf
// needs the answer at collection time.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function ownRedis(): string | undefined {
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'flow-test-redis-'));
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    const r = spawnSync('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--maxmemory-policy', 'noeviction', '--daemonize', 'yes', '--pidfile', join(dir, 'redis.pid'), '--logfile', join(dir, 'redis.log')]);
    if (r.status !== 0) continue;
    for (let i = 0; i < 50; i++) {
      if (spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().includes('PONG')) {
        process.on('exit', () => {
          try { process.kill(Number(readFileSync(join(dir, 'redis.pid'), 'utf8'))); } catch { /* gone */ }
          rmSync(dir, { recursive: true, force: true });
        });
        return `redis://127.0.0.1:${port}`;
      }
      spawnSync('sleep', ['0.1']);
    }
  }
  return undefined;
}

export const TEST_REDIS: string | undefined = process.env.FLOW_TEST_REDIS || ownRedis();
