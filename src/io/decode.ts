// Text encodings of data files: UTF-8 (with or without BOM) and the Chinese GBK / GB18030.
// Decoding runs before the CSV parser, which reads UTF-8 bytes. A UTF-8 file is passed on
// as it is (no copy; checking it is node's SIMD isUtf8, ~10 GB/s); a GBK file is decoded
// with iconv-lite and re-encoded as UTF-8. A file that is not what it claims to be is an
// error naming the line and the fix: the parser itself would turn invalid bytes into
// U+FFFD without a word, and GBK read as UTF-8 (or the reverse) is the usual way a
// Chinese yearbook extract gets garbled.
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { dataError, unreachable } from '../errors.js';

export const ENCODINGS = ['utf-8', 'utf-8-bom', 'gbk', 'gb18030'] as const;
export type TextEncoding = (typeof ENCODINGS)[number];

export interface Decoded {
  /** UTF-8 bytes (the input itself when it was UTF-8) */
  bytes: Uint8Array;
  /** what the bytes were read as */
  encoding: 'utf-8' | 'gb18030' | 'gbk';
}

const MSG = {
  notUtf8: (file: string, line: number, asGbk: string | null) =>
    `${file}: line ${line} is not valid UTF-8` +
    (asGbk !== null ? `; read as GBK it says "${asGbk}": set "encoding": "gbk"` : ': save the file as UTF-8 or set "encoding" to what it was saved in (gbk, gb18030)'),
  notGbk: (file: string, enc: string, line: number) =>
    `${file}: line ${line} is not valid ${enc.toUpperCase()} (a byte sequence no ${enc.toUpperCase()} text contains): check "encoding" (utf-8, gbk, gb18030) or re-export the file`,
  isUtf8: (file: string, enc: string, line: number, text: string) =>
    `${file}: "encoding" is "${enc}" but the file is UTF-8 (line ${line} reads "${text}" as UTF-8): remove "encoding" or set "utf-8"`,
  unknown: (file: string, line: number) =>
    `${file}: line ${line} is neither UTF-8 nor GBK/GB18030: set "encoding" to what the file was saved in, or re-save it as UTF-8`,
} as const;

const LF = 10;
const lineAt = (buf: Uint8Array, offset: number) => { let l = 1; for (let i = 0; i < offset && i < buf.length; i++) if (buf[i] === LF) l++; return l; };
const lineBytes = (buf: Uint8Array, offset: number) => {
  let s = offset, e = offset;
  while (s > 0 && buf[s - 1] !== LF) s--;
  while (e < buf.length && buf[e] !== LF && buf[e] !== 13) e++;
  return buf.subarray(s, e);
};
const snippet = (text: string) => (text.length > 60 ? `${text.slice(0, 60)}...` : text);

/** Offset of the first byte that does not start a valid UTF-8 sequence (-1: valid). Error path only. */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i];
    const need = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0 || i + need >= b.length) return i; // not a lead byte, or truncated
    for (let j = 1; j <= need; j++) if ((b[i + j] & 0xc0) !== 0x80) return i;
    if (need === 2 && ((c === 0xe0 && b[i + 1] < 0xa0) || (c === 0xed && b[i + 1] > 0x9f))) return i; // overlong / surrogate
    if (need === 3 && ((c === 0xf0 && b[i + 1] < 0x90) || (c === 0xf4 && b[i + 1] > 0x8f))) return i;
    i += need + 1;
  }
  return -1;
}

// GB18030 encodes U+FFFD itself (84 31 A4 37): only a U+FFFD not written so is a decoding failure
const hasGbFffd = (b: Uint8Array) => { for (let i = 0; i + 3 < b.length; i++) if (b[i] === 0x84 && b[i + 1] === 0x31 && b[i + 2] === 0xa4 && b[i + 3] === 0x37) return true; return false; };

/** Decode as GBK/GB18030; the line of the first invalid sequence, or the text. */
function decodeGb(buf: Uint8Array, enc: 'gbk' | 'gb18030'): { text: string } | { badLine: number } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const text = iconv.decode(b, enc);
  const bad = text.indexOf('\ufffd');
  if (bad < 0 || hasGbFffd(buf)) return { text };
  let line = 1;
  for (let i = 0; i < bad; i++) if (text.charCodeAt(i) === LF) line++;
  return { badLine: line };
}

const hasNonAscii = (b: Uint8Array) => { for (let i = 0; i < b.length; i++) if (b[i] >= 0x80) return i; return -1; };

/**
 * The bytes of a text file as UTF-8. `encoding` undefined: detected (UTF-8 when the bytes
 * are valid UTF-8, else GB18030, which contains GBK); given: checked.
 */
export function decodeText(buf: Uint8Array, encoding: TextEncoding | undefined, file: string): Decoded {
  switch (encoding) {
    case undefined: {
      if (isUtf8(buf)) return { bytes: buf, encoding: 'utf-8' };
      const gb = decodeGb(buf, 'gb18030');
      if ('text' in gb) return { bytes: Buffer.from(gb.text, 'utf8'), encoding: 'gb18030' };
      throw dataError(MSG.unknown(file, lineAt(buf, firstInvalidUtf8(buf))), { file });
    }
    case 'utf-8': case 'utf-8-bom': {
      if (isUtf8(buf)) return { bytes: buf, encoding: 'utf-8' };
      const at = firstInvalidUtf8(buf);
      const line = lineBytes(buf, at);
      const gb = decodeGb(line, 'gb18030');
      throw dataError(MSG.notUtf8(file, lineAt(buf, at), 'text' in gb ? snippet(gb.text) : null), { file });
    }
    case 'gbk': case 'gb18030': {
      const nonAscii = hasNonAscii(buf);
      if (nonAscii >= 0 && isUtf8(buf)) {
        throw dataError(MSG.isUtf8(file, encoding, lineAt(buf, nonAscii), snippet(Buffer.from(lineBytes(buf, nonAscii)).toString('utf8'))), { file });
      }
      if (nonAscii < 0) return { bytes: buf, encoding }; // plain ASCII reads the same in all three
      const gb = decodeGb(buf, encoding);
      if ('badLine' in gb) throw dataError(MSG.notGbk(file, encoding, gb.badLine), { file });
      return { bytes: Buffer.from(gb.text, 'utf8'), encoding };
    }
    default: return unreachable(encoding);
  }
}
