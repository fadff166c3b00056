// Stage 4 of the DGP: the yearbook files. Nominal investment split into ICT,
// electricity and rail (so that ict-concordance and allocate-share invert it exactly),
// FAI totals, the city-year columns, the province totals, the optional mess, and CSV text.
import type { Ctx } from './context.js';
import { fmt } from './context.js';
import type { Economy } from './economy.js';
import type { Investment } from './investment.js';
import type { Outcomes } from './outcomes.js';
import { CITY_COLUMNS, PROVINCE_COLUMNS, CITIES_COLUMNS, PROVINCES, CAPITALS, COVERAGE, FIRST_YEAR, SAMPLE_FIRST, YEARS, BOUNDARY_BREAK } from './params.js';
import { makeRng, type Rng } from '../econ/rng.js';

export function writeFiles(c: Ctx, e: Economy, v: Investment, o: Outcomes, seed: number, mess: boolean) {
  const { cities, n, T, N, row, yr, nrm, unif, isAnhui, panel } = c;
  const { slope, priceIdx, deflator, gdp, pop, y1, y2, y3, roadPc, hum, scons, gov, fd } = e;
  const { lnIreal, lnInnovation, intelligence, lq } = v;
  const { L, l1, l2, l3 } = o;
  // --- FAI and its sectors ------------------------------------------------------------------
  const faiRatio = panel((i, k) => {
    const t = yr(k), c = cities[i];
    if (c.city === 'Shanghai') return 0.42 - 0.2 * Math.min(1, Math.max(0, (t - 2003) / 17));
    const base = 0.47 + (isAnhui(i) ? 0.05 : 0);
    const peak = isAnhui(i) ? 0.45 : 0.12;
    const up = Math.min(1, Math.max(0, (t - 2003) / 12)) - (t > 2016 ? 0.04 * (t - 2016) : 0);
    return base + peak * up;
  });
  const faiCity = cities.map(() => Math.exp(nrm(0.1)));
  const rE: Record<string, number[]> = {}, rR: Record<string, number[]> = {};
  for (const p of PROVINCES) { rE[p] = YEARS.map(() => unif(0.5, 0.62)); rR[p] = YEARS.map(() => unif(0.15, 0.25)); }
  const cols: Record<string, Float64Array> = {};
  for (const name of CITY_COLUMNS.slice(3)) cols[name] = new Float64Array(N).fill(NaN);
  const ictBoost = (c: string) => (CAPITALS.has(c) ? 2 : 1);
  for (let i = 0; i < n; i++) {
    const c = cities[i];
    const csShare = unif(0.3, 0.5);
    for (let k = 0; k < T; k++) {
      const r = row(i, k), t = yr(k), p = c.province;
      const Inom = Math.exp(lnIreal[r]) * deflator[p][k];
      // ICT swings +/-30-50% a year; the split never changes the total I_nom
      const w = [0.3 * ictBoost(c.city) * Math.exp(nrm(0.3)), 0.4 * Math.exp(nrm(0.1)), 0.3 * Math.exp(nrm(0.1))];
      const ws = w[0] + w[1] + w[2];
      const ict = Inom * w[0] / ws, elec = Inom * w[1] / ws, rail = Inom * w[2] / ws;
      if (t < 2012) {
        cols.fai_computer_services[r] = ict * csShare;
        cols.fai_software[r] = ict * (1 - csShare);
      } else cols.fai_info_transmission_it[r] = ict;
      // allocate-share inverts exactly: (city / province) x province sub-sector = elec
      cols.fai_utilities[r] = elec / rE[p][k];
      cols.fai_transport[r] = rail / rR[p][k];
      cols.fai_total[r] = Math.max(faiRatio[r] * faiCity[i] * Math.exp(nrm(0.04)) * gdp[r],
        1.5 * (ict + cols.fai_utilities[r] + cols.fai_transport[r]));
    }
  }

  // --- the rest of the city file -----------------------------------------------------------
  const finShare = (t: number) => 0.012 + 0.0005 * (t - FIRST_YEAR);
  for (let r = 0; r < N; r++) {
    const t = YEARS[r % T];
    cols.va_primary[r] = gdp[r] * y1[r];
    cols.va_secondary[r] = gdp[r] * y2[r];
    cols.va_tertiary[r] = gdp[r] * y3[r];
    cols.emp_primary[r] = L[r] * l1[r];
    cols.emp_secondary[r] = L[r] * l2[r];
    cols.emp_tertiary[r] = L[r] * l3[r];
    cols.pop[r] = pop[r];
    cols.road_area[r] = roadPc[r] * pop[r]; // m2 per person x 10k persons = 10k m2
    cols.students[r] = hum[r] * pop[r];
    cols.retail_sales[r] = scons[r] * gdp[r];
    cols.fiscal_exp[r] = gov[r] * gdp[r];
    cols.deposits[r] = fd[r] * gdp[r];
    cols.emp_finance[r] = lq[r] * finShare(t) * L[r];
    cols.innovation_index[r] = Math.exp(lnInnovation[r]);
    const m2 = intelligence[r];
    cols.internet_subscribers[r] = Math.max(0.01, 0.02 + 0.045 * m2 + nrm(0.01)) * pop[r];
    cols.ai_patents[r] = Math.round(Math.max(0, 0.5 * (m2 - 0.8) + nrm(0.05)) * pop[r] / 10);
    cols.robot_exposure[r] = Math.max(0.1, 15 * m2 + nrm(3));
  }

  // --- optional mess: a boundary break and a few missing cells ----------------------------
  const missing = new Set<string>();
  if (mess) {
    const bi = cities.findIndex((c) => c.city === BOUNDARY_BREAK.city);
    const extensive = ['va_primary', 'va_secondary', 'va_tertiary', 'emp_primary', 'emp_secondary', 'emp_tertiary', 'pop',
      'fai_total', 'fai_computer_services', 'fai_software', 'fai_info_transmission_it', 'fai_utilities', 'fai_transport',
      'road_area', 'students', 'retail_sales', 'fiscal_exp', 'deposits', 'emp_finance', 'internet_subscribers'];
    for (let k = 0; k < T; k++) if (yr(k) < BOUNDARY_BREAK.year) for (const c of extensive) cols[c][row(bi, k)] *= BOUNDARY_BREAK.factor;
    const mrng: Rng = makeRng(seed + 7919);
    const targets = ['road_area', 'students', 'retail_sales', 'deposits', 'emp_finance', 'ai_patents', 'fiscal_exp', 'internet_subscribers'];
    for (const c of targets) {
      const i = mrng.int(n), k = (SAMPLE_FIRST - FIRST_YEAR) + 1 + mrng.int(T - (SAMPLE_FIRST - FIRST_YEAR) - 2);
      missing.add(`${row(i, k)}:${c}`);
    }
  }

  // --- files ---------------------------------------------------------------------------------
  const cityLines = [CITY_COLUMNS.join(',')];
  for (let i = 0; i < n; i++) for (let k = 0; k < T; k++) {
    const r = row(i, k);
    const cells: string[] = [cities[i].city, cities[i].province, String(yr(k))];
    for (const c of CITY_COLUMNS.slice(3)) {
      const v = cols[c][r];
      cells.push(Number.isNaN(v) || missing.has(`${r}:${c}`) ? '' : c === 'ai_patents' ? String(v) : fmt(v));
    }
    cityLines.push(cells.join(','));
  }
  const provLines = [PROVINCE_COLUMNS.join(',')];
  for (const p of PROVINCES) for (let k = 0; k < T; k++) {
    let util = 0, trans = 0;
    for (let i = 0; i < n; i++) if (cities[i].province === p) { util += cols.fai_utilities[row(i, k)]; trans += cols.fai_transport[row(i, k)]; }
    // the province also holds its non-YRD cities; the shipped sub-sector is exactly
    // r x the shipped sector total, so allocate-share returns the city's own figure
    const cov = COVERAGE[p] * (p === 'Shanghai' ? 1 : Math.exp(nrm(0.03)));
    const pu = Number(fmt(util / cov)), pt = Number(fmt(trans / cov));
    provLines.push([p, String(yr(k)), fmt(pu), fmt(rE[p][k] * pu), fmt(pt), fmt(rR[p][k] * pt), priceIdx[p][k].toFixed(1)].join(','));
  }
  const citiesLines = [CITIES_COLUMNS.join(',')];
  cities.forEach((c, i) => citiesLines.push([c.city, c.city_zh, c.province, String(c.lat), String(c.lon), c.size_class,
    String(c.gdp2020), String(c.pop2020), csvQuote(c.terrain_class), slope[i].toFixed(2)].join(',')));
  return {
    'city_year.csv': cityLines.join('\n') + '\n',
    'province_year.csv': provLines.join('\n') + '\n',
    'cities.csv': citiesLines.join('\n') + '\n',
  };
}

function csvQuote(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
