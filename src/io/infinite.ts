// Spellings of an infinity in exported data (R "Inf", Stata/Python "inf", "Infinity"):
// every reader refuses them in a numeric column, with the cell, instead of reading a number
// that no statistic can use.
export const INFINITE = /^[+-]?(inf|infinity)$/i;
