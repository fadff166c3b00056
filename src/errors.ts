// One error type for everything flow reports to a user. `kind` says where it arose;
// `cause` always keeps the original error. Messages say what to do.
export type FlowErrorKind = 'validate' | 'run' | 'cache' | 'data';

export interface FlowErrorContext {
  file?: string;   // workflow or data file
  node?: string;   // node id in the workflow
  field?: string;  // dotted path of the offending field, e.g. nodes.stock.with.delta
}

export class FlowError extends Error {
  readonly kind: FlowErrorKind;
  readonly context: FlowErrorContext;
  constructor(kind: FlowErrorKind, message: string, context: FlowErrorContext = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'FlowError';
    this.kind = kind;
    this.context = context;
  }
}

/** A problem with the user's data: bad cells, missing columns, singular designs. */
export const dataError = (message: string, context: FlowErrorContext = {}) => new FlowError('data', message, context);

export function unreachable(x: never): never {
  throw new Error(`unreachable: ${JSON.stringify(x)}`);
}
