// The kernels' own error type. A kernel knows nothing of workflows, nodes or the
// engine's FlowError: it says what is wrong with the numbers it was given ("data": a
// singular design, too few clusters) or with the options it was asked for ("options":
// an unknown convention, a bound exceeded). The node layer converts it once
// (src/nodes/estimation.ts, fromKernel), adding the node id and keeping this as the cause.

export type EconErrorKind = 'data' | 'options';

export class EconError extends Error {
  readonly kind: EconErrorKind;
  constructor(kind: EconErrorKind, message: string) {
    super(message);
    this.name = 'EconError';
    this.kind = kind;
  }
}

/** A problem with the numbers: singular designs, too few clusters, no residual dof. */
export const econData = (message: string) => new EconError('data', message);
/** A problem with what the caller asked for: unknown or incompatible options. */
export const econOptions = (message: string) => new EconError('options', message);
