// What a run emits. The engine never prints: the CLI (and anything else) subscribes.
import type { FlowError } from '../errors.js';
import type { Reason } from './fingerprint.js';

export type HitReason = 'cached' | 'cut-off';

export type RunEvent =
  | { type: 'plan'; workflow: string; nodes: string[] }
  /** the run waits for a lock on the cache (another process holds it) */
  | { type: 'waiting'; on: string }
  | { type: 'start'; node: string; key: string; why: Reason[] }
  /** cached: nothing upstream ran; cut-off: an input re-ran but produced identical bytes */
  /** remote: the record came from the shared cache */
  | { type: 'hit'; node: string; key: string; reason: HitReason; ms: number; savedMs: number; remote?: boolean }
  /** machine: the host that ran it (this one, or a `flow worker`'s) */
  | { type: 'ran'; node: string; key: string; ms: number; why: Reason[]; roots: string[]; machine?: string }
  | { type: 'failed'; node: string; key: string | null; ms: number; inputs: string[]; error: FlowError }
  | { type: 'skipped'; node: string; because: string }
  | { type: 'summary'; summary: Summary };

export interface Summary {
  ran: string[];
  hit: string[];
  failed: string[];
  skipped: string[];
  /** wall time of the run */
  ms: number;
  /** sum of the recorded run times of the nodes that hit */
  savedMs: number;
}

export type NodeStatus = 'hit' | 'ran' | 'failed' | 'skipped';
