// The covariance registry as data: each covariance type, its conventions and what each one
// does. Its own module so that a node which only lists the names (the spatial ML nodes) does
// not import the variance code, and its code hash does not move when that code changes.

export type HeteroConvention = 'hc1' | 'hc0' | 'hc1-slopes';
export type ClusterConvention = 'stata-xtreg' | 'stata-slopes' | 'stata-areg' | 'cr0' | 'cr1' | 'plm-hc1' | 'cr2';

export type VcovRequest =
  | { type: 'iid' }
  | { type: 'hetero'; convention: HeteroConvention }
  | { type: 'cluster'; by: string[]; convention: ClusterConvention };

/**
 * The registry: each covariance type, its conventions and what each one does. N rows,
 * k slopes, dofFE = rank of the absorbed fixed effects (constant included), G clusters.
 */
export const VCOV_TYPES = {
  iid: {
    description: 's2 (X\'X)^-1, s2 = SSR / (N - dofFE - k) (plm, xtreg, fixest "iid"); t(N - dofFE - k)',
    conventions: {} as Record<string, string>,
  },
  hetero: {
    description: 'White sandwich; t(N - dofFE - k)',
    conventions: {
      hc1: 'HC0 x N / (N - k - dofFE): Stata areg / reghdfe vce(robust), fixest "hetero" (default)',
      hc0: 'HC0, no small-sample factor',
      'hc1-slopes': 'HC0 x N / (N - k), k = slopes only: plm vcovHC(method = "white1", type = "HC1")',
    } as Record<HeteroConvention, string>,
  },
  cluster: {
    description: 'cluster-robust (one- or two-way, Cameron-Gelbach-Miller); t(G - 1)',
    conventions: {
      'stata-xtreg': 'G/(G-1) x (N-1)/(N-K), K = slopes + constant + FE dof not nested in the cluster: Stata xtreg, fe vce(cluster); fixest default (default)',
      'stata-slopes': 'G/(G-1) x (N-1)/(N-K), K = slopes only: plm "sss", clubSandwich CR1S',
      'stata-areg': 'G/(G-1) x (N-1)/(N-K), K = slopes + all absorbed FE dof: areg / lm with dummies',
      cr0: 'no small-sample factor (plm "HC0" Arellano)',
      cr1: 'G/(G-1) only (clubSandwich CR1)',
      'plm-hc1': 'N/(N-K), K = slopes: plm vcovHC(method = "arellano", type = "HC1")',
      cr2: 'Bell-McCaffrey bias-reduced linearisation (clubSandwich CR2); small N only',
    } as Record<ClusterConvention, string>,
  },
  ml: {
    description: 'spatial panel ML (sar, sdm): the inverse of the information matrix over (beta, theta, rho, sigma2); normal z',
    conventions: {
      expected: 'analytical expected information (Lee-Yu 2010; Elhorst 2014) (default)',
      observed: 'analytical observed information, minus the Hessian of the log-likelihood at the estimate (Stata ml / xsmle)',
    } as Record<'expected' | 'observed', string>,
  },
} as const;

export const DEFAULT_HETERO: HeteroConvention = 'hc1';
export const DEFAULT_CLUSTER: ClusterConvention = 'stata-xtreg';
