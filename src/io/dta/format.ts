// The Stata .dta formats 117 (Stata 13), 118 (Stata 14-18) and 119 (more than 32,767
// variables), as StataCorp documents them in `help dta`, `help dta_117`, `help dta_119`
// ("[P] File formats .dta"). What differs between the three is field sizes only; the
// section numbers below are the help file's.
export type DtaVersion = 117 | 118 | 119;
export const DTA_VERSIONS: readonly DtaVersion[] = [117, 118, 119];

export interface DtaLayout {
  /** bytes of K (5.1.3) and N (5.1.4) */
  kBytes: 2 | 4;
  nBytes: 4 | 8;
  /** bytes of the dataset label's length (5.1.5) */
  labelLenBytes: 1 | 2;
  /** fixed widths of a variable name (5.4), a display format (5.6), a value-label name (5.7), a variable label (5.8) */
  nameBytes: 33 | 129;
  formatBytes: 49 | 57;
  varLabelBytes: 81 | 321;
  /** bytes of one sortlist entry (5.5) */
  sortBytes: 2 | 4;
  /** the 8-byte (v,o) of a strL in the data (5.11.1): bytes of v, the rest is o */
  voVBytes: 2 | 3 | 4;
  /** bytes of o in a GSO (5.11.2) */
  gsoOBytes: 4 | 8;
  /** strings are UTF-8 (118, 119) or ASCII (117; in practice the writer's code page) */
  utf8: boolean;
}

export const LAYOUT: Record<DtaVersion, DtaLayout> = {
  117: { kBytes: 2, nBytes: 4, labelLenBytes: 1, nameBytes: 33, formatBytes: 49, varLabelBytes: 81, sortBytes: 2, voVBytes: 4, gsoOBytes: 4, utf8: false },
  118: { kBytes: 2, nBytes: 8, labelLenBytes: 2, nameBytes: 129, formatBytes: 57, varLabelBytes: 321, sortBytes: 2, voVBytes: 2, gsoOBytes: 8, utf8: true },
  119: { kBytes: 4, nBytes: 8, labelLenBytes: 2, nameBytes: 129, formatBytes: 57, varLabelBytes: 321, sortBytes: 4, voVBytes: 3, gsoOBytes: 8, utf8: true },
};

/** Variable type codes (5.3): 1-2045 str#, 32768 strL, then the five numeric types. */
export const TYPE = { strL: 32768, double: 65526, float: 65527, long: 65528, int: 65529, byte: 65530 } as const;
export const MAX_STRF = 2045;
export type NumericType = 'byte' | 'int' | 'long' | 'float' | 'double';

export const NUMERIC_WIDTH: Record<NumericType, number> = { byte: 1, int: 2, long: 4, float: 4, double: 8 };

/**
 * Missing values (section 4): integers above the largest non-missing value are the codes
 * ., .a, ..., .z (101-127 for byte, 32741-32767 for int, 2147483621-... for long); floats
 * and doubles above the largest non-missing value (1.fffffeX+7e, 1.fffffffffffffX+3fe) are
 * missing, "." being 1.0X+7f / 1.0X+3ff.
 */
export const MAX_NONMISSING = { byte: 100, int: 32740, long: 2147483620, float: (2 - 2 ** -23) * 2 ** 126, double: (2 - 2 ** -52) * 2 ** 1022 } as const;
export const MIN_NONMISSING = { byte: -127, int: -32767, long: -2147483647, float: -(2 - 2 ** -23) * 2 ** 126, double: -Number.MAX_VALUE } as const;
/** the bit pattern of "." for each type (written for NaN) */
export const DOT = { byte: 101, int: 32741, long: 2147483621, floatBits: 0x7f000000, doubleHi: 0x7fe00000 } as const;

export const DEFAULT_FORMAT: Record<NumericType, string> = { byte: '%8.0g', int: '%8.0g', long: '%12.0g', float: '%9.0g', double: '%10.0g' };

/** Names Stata reserves (they cannot name a variable). */
export const RESERVED = new Set(['_all', '_b', 'byte', '_coef', '_cons', 'double', 'float', 'if', 'in', 'int', 'long', '_n', '_N', '_pi', '_pred', '_rc', '_se', '_skip', 'strL', 'using', 'with']);
