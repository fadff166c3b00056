// Stock & Yogo (2005) critical values for weak-instrument tests of TSLS: "Testing for
// Weak Instruments in Linear IV Regression", in Andrews & Stock (eds.), Identification
// and Inference for Econometric Models, Cambridge UP, 2005, pp. 80-108.
//   Table 5.1: relative bias of TSLS to OLS at most 5/10/20/30%; n = 1..3 endogenous
//     regressors, K2 = n + 2 .. 30 excluded instruments.
//   Table 5.2: maximal size 10/15/20/25% of a nominal 5% Wald test; n = 1..2, K2 = n .. 30.
// ivreg2 (Baum, Schaffer & Stillman) carries the same tables and compares the
// Cragg-Donald and Kleibergen-Paap Wald F to them. Rows: [K2, value per level].

export const SIZE_LEVELS = ['10%', '15%', '20%', '25%'] as const;
export const BIAS_LEVELS = ['5%', '10%', '20%', '30%'] as const;

/** Table 5.2 (TSLS size), keyed by the number of endogenous regressors. */
const SIZE: Record<number, number[][]> = {
@SIZE@
};

/** Table 5.1 (TSLS relative bias), keyed by the number of endogenous regressors. */
const BIAS: Record<number, number[][]> = {
@BIAS@
};

export const STOCK_YOGO_SOURCE = 'Stock & Yogo (2005), Table 5.1 (TSLS relative bias) and Table 5.2 (TSLS size of a nominal 5% Wald test)';

function lookup(table: Record<number, number[][]>, nEndog: number, nInstr: number, levels: readonly string[]): Record<string, number> | null {
  const row = table[nEndog]?.find((r) => r[0] === nInstr);
  if (!row) return null;
  return Object.fromEntries(levels.map((l, i) => [l, row[i + 1]]));
}

/** Critical values for maximal TSLS size, or null where the table has none. */
export const stockYogoSize = (nEndog: number, nInstr: number) => lookup(SIZE, nEndog, nInstr, SIZE_LEVELS);
/** Critical values for maximal TSLS relative bias, or null where the table has none. */
export const stockYogoBias = (nEndog: number, nInstr: number) => lookup(BIAS, nEndog, nInstr, BIAS_LEVELS);
