// The regressor-list param shared by every estimator node. Kept apart from estimation.ts so
// that a spatial node's code hash does not include the FE fitting and variance code.
import { z } from 'zod';

/**
 * A list of columns in which a nested list is flattened, so that every model of a workflow
 * can take its regressors from one param: `"x": ["lnINF", "$controls"]`.
 */
export const columnList = z.array(z.union([z.string(), z.array(z.string())]))
  .transform((v) => v.flat())
  .pipe(z.array(z.string()).min(1, 'list at least one column'));

/** As columnList, but may be empty. */
export const optionalColumnList = z.array(z.union([z.string(), z.array(z.string())])).transform((v) => v.flat());
