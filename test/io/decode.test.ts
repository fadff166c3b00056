import { describe, it, expect } from 'vitest';
import iconv from 'iconv-lite';
import { decodeText, firstInvalidUtf8 } from '../../src/io/decode.js';

const text = '省份,年份,固定资产投资价格指数(上年=100)\n上海市,2003,102.5\n江苏省,2003,101.9\n';
const gbk = iconv.encode(text, 'gbk');
const utf8 = Buffer.from(text, 'utf8');
const str = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('decodeText', () => {
  it('passes valid UTF-8 on as the same bytes (no copy), given or detected', () => {
    expect(decodeText(utf8, undefined, 'f.csv').bytes).toBe(utf8);
    expect(decodeText(utf8, 'utf-8', 'f.csv').bytes).toBe(utf8);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);
    expect(decodeText(bom, 'utf-8-bom', 'f.csv')).toEqual({ bytes: bom, encoding: 'utf-8' });
  });

  it('decodes GBK when told, and detects it (as GB18030, which contains GBK) when not', () => {
    expect(str(decodeText(gbk, 'gbk', 'f.csv').bytes)).toBe(text);
    expect(str(decodeText(gbk, 'gb18030', 'f.csv').bytes)).toBe(text);
    const d = decodeText(gbk, undefined, 'f.csv');
    expect(d.encoding).toBe('gb18030');
    expect(str(d.bytes)).toBe(text);
  });

  it('GB18030 four-byte characters decode (beyond GBK)', () => {
    const s = 'city,name\n1,𠀀€\n'; // U+20000 and the euro sign: four-byte / GB18030-only
    expect(str(decodeText(iconv.encode(s, 'gb18030'), 'gb18030', 'f.csv').bytes)).toBe(s);
  });

  it('GBK read as UTF-8 is an error naming the file, the line and the fix, with the text as GBK', () => {
    expect(() => decodeText(gbk, 'utf-8', 'prov.csv')).toThrow(
      'prov.csv: line 1 is not valid UTF-8; read as GBK it says "省份,年份,固定资产投资价格指数(上年=100)": set "encoding": "gbk"');
    const later = Buffer.concat([Buffer.from('a,b\n1,2\n'), iconv.encode('上海,3\n', 'gbk')]);
    expect(() => decodeText(later, 'utf-8', 'x.csv')).toThrow(/^x\.csv: line 3 is not valid UTF-8; read as GBK it says "上海,3"/);
  });

  it('UTF-8 read as GBK is an error (it would decode to mojibake without one)', () => {
    expect(() => decodeText(utf8, 'gbk', 'c.csv')).toThrow('c.csv: "encoding" is "gbk" but the file is UTF-8 (line 1 reads "省份,年份,固定资产投资价格指数(上年=100)" as UTF-8): remove "encoding" or set "utf-8"');
  });

  it('bytes that are no GBK are an error naming the line; bytes that are neither are too, when detecting', () => {
    const bad = Buffer.concat([Buffer.from('a,b\n'), gbk.subarray(0, 4), Buffer.from([0x81, 0x20, 0x0a])]);
    expect(() => decodeText(bad, 'gbk', 'b.csv')).toThrow(/^b\.csv: line 2 is not valid GBK/);
    expect(() => decodeText(bad, undefined, 'b.csv')).toThrow('b.csv: line 2 is neither UTF-8 nor GBK/GB18030: set "encoding" to what the file was saved in, or re-save it as UTF-8');
  });

  it('a GB18030 file that encodes U+FFFD itself is not mistaken for a decoding failure', () => {
    const s = 'a\n\ufffd上\n';
    expect(str(decodeText(iconv.encode(s, 'gb18030'), 'gb18030', 'f.csv').bytes)).toBe(s);
  });

  it('firstInvalidUtf8 finds the first bad sequence: stray continuation, truncation, overlong, surrogate', () => {
    expect(firstInvalidUtf8(utf8)).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x41, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xe4, 0xb8]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xed, 0xa0, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from('上海𠀀', 'utf8'))).toBe(-1);
  });
});
