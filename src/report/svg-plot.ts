// A hand-written SVG dot-and-whisker plotter (coefficient, effects and specification
// curve plots). vega + vega-lite would cost ~380 ms of import and first render per
// cold run (measured, Node 20); this costs well under a millisecond and needs no
// browser or fonts: text widths are estimated from the character count.
import { escapeHtml } from './format.js';

export interface PlotRow {
  label: string;
  est: number;
  lo: number | null;
  hi: number | null;
  /** series (colour + legend), e.g. "direct" / "indirect" / "total" */
  series?: string;
}

export interface PlotOptions {
  title?: string;
  xLabel?: string;
  width?: number;
  /** a reference line (default 0) */
  ref?: number | null;
}

const PALETTE = ['#1f5fa8', '#c2410c', '#15803d', '#7e22ce', '#a16207', '#0e7490'];
const FONT = 'font-family="Helvetica,Arial,sans-serif"';
const charW = (n: number, size = 12) => n * size * 0.58;

/** 1-2-5 "nice" ticks covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) { const d = Math.abs(lo) || 1; lo -= d / 2; hi += d / 2; }
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((s) => s * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  if (out[out.length - 1] < hi) out.push(out[out.length - 1] + step);
  return out;
}

const tickText = (v: number, step: number) => {
  const dec = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(dec + (step / 10 ** Math.floor(Math.log10(step)) === 2.5 ? 1 : 0), 8)).replace(/^-/, '\u2212');
};

export function forestPlot(rows: PlotRow[], o: PlotOptions = {}): string {
  // wide enough for the title (14 px), which is never cut
  const titleW = o.title ? charW(o.title.length, 14) : 0;
  const width = Math.ceil(Math.max(o.width ?? 640, titleW + 20));
  const rowH = 22;
  const series = [...new Set(rows.map((r) => r.series).filter((s): s is string => !!s))];
  const top = (o.title ? 30 : 10) + (series.length > 1 ? 22 : 0);
  const left = Math.min(width * 0.45, 16 + Math.max(40, ...rows.map((r) => charW(r.label.length))));
  const right = 20;
  const plotH = Math.max(1, rows.length) * rowH;
  const height = top + plotH + 46;
  const ref = o.ref === undefined ? 0 : o.ref;
  const vals = rows.flatMap((r) => [r.est, r.lo, r.hi]).filter((v): v is number => v != null && Number.isFinite(v));
  if (ref != null) vals.push(ref);
  const ticks = niceTicks(Math.min(...vals, Infinity) === Infinity ? 0 : Math.min(...vals), vals.length ? Math.max(...vals) : 1);
  const x0 = ticks[0], x1 = ticks[ticks.length - 1];
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  const sx = (v: number) => left + ((v - x0) / (x1 - x0 || 1)) * (width - left - right);
  const colour = (s?: string) => (s && series.length > 1 ? PALETTE[series.indexOf(s) % PALETTE.length] : PALETTE[0]);
  const f = (v: number) => v.toFixed(2);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  ];
  if (o.title) out.push(`<text x="${f(Math.max(10, Math.min(left, width - titleW - 10)))}" y="18" font-size="14" font-weight="600">${escapeHtml(o.title)}</text>`);
  if (series.length > 1) {
    let lx = left;
    const ly = (o.title ? 30 : 10) + 10;
    for (const s of series) {
      out.push(`<circle cx="${f(lx + 5)}" cy="${ly}" r="4" fill="${colour(s)}"/><text x="${f(lx + 13)}" y="${ly + 4}">${escapeHtml(s)}</text>`);
      lx += 30 + charW(s.length);
    }
  }
  // grid and axis
  const yb = top + plotH;
  for (const t of ticks) {
    out.push(`<line x1="${f(sx(t))}" x2="${f(sx(t))}" y1="${top}" y2="${yb}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${f(sx(t))}" y="${yb + 16}" text-anchor="middle" fill="#333">${tickText(t, step)}</text>`);
  }
  out.push(`<line x1="${left}" x2="${width - right}" y1="${yb}" y2="${yb}" stroke="#333"/>`);
  if (ref != null && ref >= x0 && ref <= x1) {
    out.push(`<line x1="${f(sx(ref))}" x2="${f(sx(ref))}" y1="${top}" y2="${yb}" stroke="#777" stroke-dasharray="4 3"/>`);
  }
  if (o.xLabel) out.push(`<text x="${f((left + width - right) / 2)}" y="${yb + 36}" text-anchor="middle">${escapeHtml(o.xLabel)}</text>`);
  rows.forEach((r, i) => {
    const y = top + i * rowH + rowH / 2;
    const c = colour(r.series);
    out.push(`<text x="${left - 8}" y="${y + 4}" text-anchor="end">${escapeHtml(r.label)}</text>`);
    if (r.lo != null && r.hi != null && Number.isFinite(r.lo) && Number.isFinite(r.hi)) {
      out.push(`<line x1="${f(sx(r.lo))}" x2="${f(sx(r.hi))}" y1="${y}" y2="${y}" stroke="${c}" stroke-width="1.6"/>`);
      for (const v of [r.lo, r.hi]) out.push(`<line x1="${f(sx(v))}" x2="${f(sx(v))}" y1="${y - 4}" y2="${y + 4}" stroke="${c}" stroke-width="1.6"/>`);
    }
    if (Number.isFinite(r.est)) out.push(`<circle cx="${f(sx(r.est))}" cy="${y}" r="4" fill="${c}"><title>${escapeHtml(`${r.label}: ${r.est}`)}</title></circle>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
