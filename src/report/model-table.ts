// Models -> a Grid in the paper's layout. Every printed number is read from the model
// JSON and every star from its p-value, so the table cannot disagree with the model
// (paper-tables.md lists the paper's own slips this rules out). Headers (headers.ts),
// the statistics block (gof.ts) and the notes (notes.ts) are generated from the models.
import type { ModelJson } from '../ports/index.js';
import { Marks, type Grid, type GridRow, type LatexLayout } from './grid.js';
import { fmtNum, starsFor } from './format.js';
import { pTwoSidedNormal } from '../econ/dist.js';
import { CONSTANT, W_TERM, coefsOf, labelOf, stat, type CoefRow } from './model-access.js';
import { DEFAULT_GOF, gofRows, type GofKey } from './gof.js';
import { buildHeaders } from './headers.js';
import { ivNote, notShownNote, seNote, spatialNote, starsNote } from './notes.js';

export { coefsOf, labelOf, depVar, feColumns, stockYogo10, type CoefRow } from './model-access.js';

/** One printed column: a model and what to print above it and in its extra rows. */
export interface Column {
  model: ModelJson;
  /** header rows this column fills: { 'Group': 'large', 'Equation': '(5)', delta: '0.096' } */
  heads?: Record<string, string>;
  /** extra one-line rows only this column fills (mediation summary); `mark`: a note the cell is marked with */
  extra?: { label: string; text: string; mark?: string }[];
  /** results across columns (an equality test), printed once on their own spanning row */
  spans?: { label: string; text: string }[];
  /** a table note this column needs (printed once) */
  note?: string;
}

export interface ModelTableOptions {
  name: string;
  title?: string;
  /** the branch (robustness variant) the table comes from, printed with the title */
  branch?: string;
  notes?: string[];
  labels?: Record<string, string>;
  stars?: number[];
  digits?: number;
  keep?: string[];
  drop?: string[];
  order?: string[];
  columns?: string[];
  /** 1-based positions of the expanded columns, in print order (e.g. interleave two subgroup outputs) */
  columnOrder?: number[];
  numbered?: boolean;
  gof?: GofKey[];
  latex?: Partial<LatexLayout>;
}

interface Effects { direct?: CoefRow[]; indirect?: CoefRow[]; total?: CoefRow[] }

export function titleWithBranch(title: string | undefined, branch: string | undefined): string | undefined {
  if (!branch) return title;
  return title ? `${title} (${branch})` : branch;
}

export function buildModelGrid(all: Column[], o: ModelTableOptions): Grid {
  const cols = o.columnOrder ? o.columnOrder.map((i) => all[i - 1]).filter((c): c is Column => !!c) : all;
  const labels = o.labels ?? {};
  const thr = o.stars ?? [0.1, 0.05, 0.01];
  const digits = o.digits ?? 3;
  const marks = new Marks();
  const f = (x: number | null | undefined) => fmtNum(x, digits);
  const lab = (v: string) => labelOf(v, labels);
  const baseOf = (t: string) => W_TERM.exec(t)?.[1] ?? t;
  const kept = (t: string) =>
    (!o.keep || o.keep.includes(baseOf(t)) || o.keep.includes(t)) && !(o.drop ?? []).includes(t) && !(o.drop ?? []).includes(baseOf(t));

  // term order: explicit `order` first, then first appearance; W terms after the
  // plain ones, the constant last (as Stata and the paper print it)
  const seen: string[] = [];
  for (const c of cols) for (const r of coefsOf(c.model)) if (!seen.includes(r.term) && r.term !== 'rho' && r.term !== 'lambda') seen.push(r.term);
  const rank = (t: string) => {
    const i = (o.order ?? []).indexOf(baseOf(t));
    const group = CONSTANT.has(t) ? 2 : W_TERM.test(t) ? 1 : 0;
    return [group, i < 0 ? Infinity : i, seen.indexOf(t)];
  };
  const terms = seen.filter(kept).sort((a, b) => {
    const ra = rank(a), rb = rank(b);
    return ra[0] - rb[0] || ra[1] - rb[1] || ra[2] - rb[2];
  });

  const coefRow = (label: string, get: (m: ModelJson) => CoefRow | undefined): GridRow => {
    const est: string[] = [], se: string[] = [];
    for (const c of cols) {
      const r = get(c.model);
      est.push(r && r.estimate != null ? f(r.estimate) + starsFor(r.p_value, thr) : '');
      se.push(r && r.std_error != null ? f(r.std_error) : '');
    }
    return { kind: 'coef', label, est, se };
  };
  const rows: GridRow[] = terms.map((t) => coefRow(lab(t), (m) => coefsOf(m).find((r) => r.term === t)));

  // rho (lag) and lambda (error, SEM / SAC): a coefficient row when the model lists it,
  // else from stats (z test)
  const spatialOf = (key: 'rho' | 'lambda') => (m: ModelJson): CoefRow | undefined => {
    const r = coefsOf(m).find((x) => x.term === key);
    if (r) return r;
    const v = stat(m, key);
    if (v == null) return undefined;
    const se = stat(m, `${key}_se`);
    const p = stat(m, `${key}_p`) ?? (se ? pTwoSidedNormal(v / se) : null);
    return { term: key, estimate: v, std_error: se, p_value: p };
  };
  for (const key of ['rho', 'lambda'] as const) {
    if (cols.some((c) => spatialOf(key)(c.model))) rows.push(coefRow(labels[key] ?? key, spatialOf(key)));
  }

  // effects panel (SDM/SAR): LeSage-Pace direct / indirect / total
  const eff = (m: ModelJson) => (m.effects && typeof m.effects === 'object' ? (m.effects as Effects) : undefined);
  if (cols.some((c) => eff(c.model))) {
    for (const kind of ['direct', 'indirect', 'total'] as const) {
      const ts: string[] = [];
      for (const c of cols) for (const r of eff(c.model)?.[kind] ?? []) if (!ts.includes(r.term) && kept(r.term)) ts.push(r.term);
      if (!ts.length) continue;
      ts.sort((a, b) => rank(a)[1] - rank(b)[1] || 0);
      rows.push({ kind: 'rule' }, { kind: 'panel', label: `${kind[0].toUpperCase()}${kind.slice(1)} effects` });
      for (const t of ts) rows.push(coefRow(lab(t), (m) => eff(m)?.[kind]?.find((r) => r.term === t)));
    }
  }

  // column-specific extra rows (mediation summary), in first-seen order
  const extraLabels: string[] = [];
  for (const c of cols) for (const e of c.extra ?? []) if (!extraLabels.includes(e.label)) extraLabels.push(e.label);
  if (extraLabels.length) {
    rows.push({ kind: 'rule' });
    for (const l of extraLabels) {
      rows.push({ kind: 'stat', label: l, cells: cols.map((c) => {
        const e = c.extra?.find((x) => x.label === l);
        return e ? e.text + (e.mark ? marks.mark(e.mark) : '') : '';
      }) });
    }
  }
  // results across columns (equality tests): one spanning row each
  const spans: { label: string; text: string }[] = [];
  for (const c of cols) for (const s of c.spans ?? []) if (!spans.some((x) => x.label === s.label && x.text === s.text)) spans.push(s);
  if (spans.length) {
    rows.push({ kind: 'rule' });
    for (const s of spans) rows.push({ kind: 'span', label: s.label, text: s.text });
  }

  rows.push({ kind: 'rule' });
  rows.push(...gofRows(cols, o.gof ?? DEFAULT_GOF, { labels, digits, stars: thr, marks }));
  while (rows.length && rows[rows.length - 1].kind === 'rule') rows.pop();

  const { heads, columns } = buildHeaders(cols, { labels, columns: o.columns, numbered: o.numbered });
  const notes = [
    `${seNote(cols, labels)} ${starsNote(thr)}`,
    notShownNote(cols, new Set(terms), labels),
    ivNote(cols, labels),
    spatialNote(cols),
    ...new Set(cols.map((c) => c.note).filter((n): n is string => !!n)),
    ...marks.lines(),
    ...(o.notes ?? []),
  ].filter((n): n is string => !!n);
  return { name: o.name, title: titleWithBranch(o.title, o.branch), stub: '', heads, columns, rows, notes, latex: o.latex };
}

