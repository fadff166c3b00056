// The specification curve in the standard two-panel layout (Simonsohn, Simmons & Nelson
// 2020): on top, one point per specification sorted by estimate, with its CI and coloured by
// estimator; below, the indicator panel: one row per option of each choice (estimator,
// delta, W, ...), a mark in the column of every specification that uses it. A choice a
// specification does not make (FE uses no W) leaves its column empty in that group. Every
// width is computed from the text it holds (character-count estimate, as svg-plot.ts): the
// SVG is as wide as its labels and columns need, so nothing is cut; the report scales it down.
import { escapeHtml } from './format.js';
import { niceTicks } from './svg-plot.js';

export interface Spec {
  label: string;
  est: number;
  lo: number | null;
  hi: number | null;
  /** colour group, also the first indicator row group */
  estimator: string;
  /** choice name -> option (display strings); a missing choice: not made by this spec */
  choices: Record<string, string>;
}

export interface SpecCurveOptions {
  title?: string;
  yLabel?: string;
  /** choice name -> display name (e.g. wMethod -> "W"); also the order of the groups */
  choiceNames?: Record<string, string>;
}

export const PALETTE = ['#1f5fa8', '#c2410c', '#15803d', '#7e22ce', '#a16207', '#0e7490'];
const FONT = 'font-family="Helvetica,Arial,sans-serif"';
/** estimated width of a text of n characters at a font size (Helvetica averages ~0.55 em) */
export const textW = (s: string, size = 12) => s.length * size * 0.6;

/** the indicator panel's rows: [choice, option] pairs, grouped by choice (estimator first) */
export function indicatorRows(specs: Spec[], choiceNames: Record<string, string> = {}): { choice: string; name: string; options: string[] }[] {
  const choices = [...new Set(specs.flatMap((s) => Object.keys(s.choices)))];
  const order = Object.keys(choiceNames);
  choices.sort((a, b) => (order.indexOf(a) + 1 || 1e9) - (order.indexOf(b) + 1 || 1e9));
  const optionsOf = (vals: string[]) => {
    const u = [...new Set(vals)];
    return u.every((v) => Number.isFinite(Number(v))) ? u.sort((a, b) => Number(a) - Number(b)) : u;
  };
  return [
    { choice: 'estimator', name: choiceNames.estimator ?? 'estimator', options: [...new Set(specs.map((s) => s.estimator))] },
    ...choices.filter((c) => c !== 'estimator').map((c) => ({ choice: c, name: choiceNames[c] ?? c, options: optionsOf(specs.flatMap((s) => (c in s.choices ? [s.choices[c]] : []))) })),
  ];
}

export function specCurveSvg(specs: Spec[], o: SpecCurveOptions = {}): string {
  const n = specs.length;
  const groups = indicatorRows(specs, o.choiceNames);
  const estimators = groups[0].options;
  const colour = (e: string) => PALETTE[estimators.indexOf(e) % PALETTE.length];
  const f = (v: number) => v.toFixed(1);

  // the value axis
  const ref = 0;
  const vals = specs.flatMap((s) => [s.est, s.lo, s.hi]).filter((v): v is number => v != null && Number.isFinite(v));
  const ticks = niceTicks(Math.min(ref, ...vals), Math.max(ref, ...vals));
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  const dec = Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) + (step / 10 ** Math.floor(Math.log10(step)) === 2.5 ? 1 : 0);
  const tick = (v: number) => v.toFixed(Math.min(dec, 8)).replace(/^-/, '\u2212');

  // widths from the texts: left margin holds the row labels, the group names and the ticks
  const rowLabel = (g: { name: string }, opt: string) => `${opt}`;
  const leftText = Math.max(
    ...groups.map((g) => textW(g.name, 11) + 6),
    ...groups.flatMap((g) => g.options.map((opt) => textW(rowLabel(g, opt), 11) + 14)),
    ...ticks.map((t) => textW(tick(t), 11)),
  );
  const left = Math.ceil(leftText + 26);
  const colW = Math.max(5, Math.min(22, 720 / Math.max(1, n)));
  const plotW = colW * Math.max(1, n);
  const right = 16;
  const legend = estimators.map((e) => ({ e, w: 20 + textW(e, 12) + 14 }));
  const legendW = legend.reduce((s, x) => s + x.w, 0);
  const titleW = o.title ? textW(o.title, 14) : 0;
  const W = Math.ceil(Math.max(left + plotW + right, 10 + titleW + 10, left + legendW + right));

  const titleH = o.title ? 26 : 6;
  const legendY = titleH + 14;
  const top = legendY + 16;
  const panelH = 220;
  const yb = top + panelH;
  const sy = (v: number) => top + (1 - (v - ticks[0]) / (ticks[ticks.length - 1] - ticks[0] || 1)) * panelH;
  const cx = (i: number) => left + (i + 0.5) * colW;

  const out: string[] = [];
  out.push(`<rect width="${W}" height="@H" fill="#fff"/>`);
  if (o.title) out.push(`<text x="10" y="18" font-size="14" font-weight="600">${escapeHtml(o.title)}</text>`);
  let lx = left;
  for (const { e, w } of legend) {
    out.push(`<circle cx="${f(lx + 5)}" cy="${legendY - 4}" r="4.5" fill="${colour(e)}"/><text x="${f(lx + 14)}" y="${legendY}">${escapeHtml(e)}</text>`);
    lx += w;
  }
  // top panel: grid, zero line, CIs, points
  for (const t of ticks) {
    out.push(`<line x1="${left}" x2="${f(left + plotW)}" y1="${f(sy(t))}" y2="${f(sy(t))}" stroke="#ececec"/>`);
    out.push(`<text x="${left - 6}" y="${f(sy(t) + 4)}" text-anchor="end" font-size="11" fill="#333">${tick(t)}</text>`);
  }
  out.push(`<line x1="${left}" x2="${f(left + plotW)}" y1="${f(sy(ref))}" y2="${f(sy(ref))}" stroke="#777" stroke-dasharray="4 3"/>`);
  out.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${yb}" stroke="#333"/>`);
  if (o.yLabel) out.push(`<text transform="translate(12,${f((top + yb) / 2)}) rotate(-90)" text-anchor="middle" font-size="11">${escapeHtml(o.yLabel)}</text>`);
  specs.forEach((s, i) => {
    const c = colour(s.estimator);
    if (s.lo != null && s.hi != null && Number.isFinite(s.lo) && Number.isFinite(s.hi)) {
      out.push(`<line x1="${f(cx(i))}" x2="${f(cx(i))}" y1="${f(sy(s.hi))}" y2="${f(sy(s.lo))}" stroke="${c}" stroke-opacity="0.55" stroke-width="${Math.max(1, Math.min(2.5, colW / 4)).toFixed(1)}"/>`);
    }
    out.push(`<circle data-spec="${i}" cx="${f(cx(i))}" cy="${f(sy(s.est))}" r="${Math.max(1.8, Math.min(4, colW / 3)).toFixed(1)}" fill="${c}"><title>${escapeHtml(`${s.label}: ${s.est}`)}</title></circle>`);
  });

  // indicator panel
  let y = yb + 18;
  const rowH = 14;
  for (const g of groups) {
    y += 4;
    out.push(`<text x="6" y="${f(y + 4)}" font-size="11" font-weight="700" data-group="${escapeHtml(g.choice)}">${escapeHtml(g.name)}</text>`);
    out.push(`<line x1="${left}" x2="${f(left + plotW)}" y1="${f(y - 6)}" y2="${f(y - 6)}" stroke="#ddd"/>`);
    y += rowH;
    for (const opt of g.options) {
      out.push(`<text x="${left - 6}" y="${f(y + 4)}" text-anchor="end" font-size="11" data-row="${escapeHtml(g.choice)}" data-option="${escapeHtml(opt)}">${escapeHtml(rowLabel(g, opt))}</text>`);
      out.push(`<line x1="${left}" x2="${f(left + plotW)}" y1="${f(y)}" y2="${f(y)}" stroke="#f3f3f3"/>`);
      specs.forEach((s, i) => {
        const v = g.choice === 'estimator' ? s.estimator : s.choices[g.choice];
        if (v !== opt) return;
        out.push(`<rect data-spec="${i}" data-choice="${escapeHtml(g.choice)}" data-option="${escapeHtml(opt)}" x="${f(cx(i) - Math.min(4, colW * 0.35))}" y="${f(y - 4)}" width="${f(Math.min(8, colW * 0.7))}" height="8" fill="${colour(s.estimator)}"/>`);
      });
      y += rowH;
    }
  }
  y += 6;
  out.push(`<text x="${f(left + plotW / 2)}" y="${f(y + 8)}" text-anchor="middle" font-size="11" fill="#333">${n} specifications, sorted by estimate</text>`);
  const H = Math.ceil(y + 18);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="spec-curve" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="12">`,
    ...out.map((l) => l.replace('height="@H"', `height="${H}"`)),
    '</svg>',
  ].join('\n');
}
