import { describe, it, expect } from 'vitest';
import { starsFor, fmtNum, fmtP, latexData, htmlData, escapeLatex, csvField, mdCell } from '../../src/report/format.js';

describe('stars follow p-values, strictly below each threshold', () => {
  it.each([
    [0.1, ''], [0.0999999, '*'], [0.05, '*'], [0.0499999, '**'], [0.01, '**'], [0.0099999, '***'], [0, '***'], [0.5, ''],
  ])('p = %s -> "%s"', (p, s) => expect(starsFor(p)).toBe(s));
  it('has no stars without a p-value, and honours custom thresholds', () => {
    expect(starsFor(null)).toBe('');
    expect(starsFor(0.04, [0.05, 0.001])).toBe('*');
  });
});

describe('numbers', () => {
  it('prints fixed digits, shows one significant digit for tiny values, never "-0.000"', () => {
    expect(fmtNum(0.0183, 3)).toBe('0.018');
    expect(fmtNum(0.0003, 3)).toBe('0.0003');
    expect(fmtNum(-0.00004, 3)).toBe('-0.00004');
    expect(fmtNum(-0.0000001, 3)).toBe('0.000');
    expect(fmtNum(null)).toBe('');
    expect(fmtP(3e-14)).toBe('0.000');
  });
});

describe('escaping and minus signs', () => {
  it('LaTeX: $-$ for minus, superscript stars, escaped specials', () => {
    expect(latexData('-0.544***')).toBe('$-$0.544$^{***}$');
    expect(latexData('(-0.087)')).toBe('($-$0.087)');
    expect(latexData('64.240 {16.38}')).toBe('64.240 \\{16.38\\}');
    expect(escapeLatex('a_b & 5% #1 ~ ^ \\')).toBe('a\\_b \\& 5\\% \\#1 \\textasciitilde{} \\textasciicircum{} \\textbackslash{}');
  });
  it('HTML: U+2212 and <sup> stars, entities escaped', () => {
    expect(htmlData('-0.544***')).toBe('\u22120.544<sup>***</sup>');
    expect(htmlData('[-0.1, 0.2]')).toBe('[\u22120.1, 0.2]');
    expect(htmlData('a<b')).toBe('a&lt;b');
  });
  it('keeps hyphens that are not minus signs', () => {
    expect(latexData('Stock-Yogo')).toBe('Stock-Yogo');
    expect(htmlData('2006-2020')).toBe('2006-2020');
  });
  it('CSV quotes, Markdown escapes pipes', () => {
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(mdCell('a|b')).toBe('a\\|b');
  });
});
