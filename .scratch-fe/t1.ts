import * as aq from 'arquero';
import { readFileSync } from 'node:fs';
import { fitFeModel } from '../src/nodes/fe.ts';
const t = aq.fromCSV(readFileSync('/work/main/test/fixtures/grunfeld.csv','utf8'));
const ref = JSON.parse(readFileSync('/work/main/test/fixtures/grunfeld_fe.json','utf8'));
for (const [case_, fe] of [['oneway_firm', ['firm']], ['twoways_firm_year', ['firm','year']]] as const) {
  const r = ref[case_];
  const conv: Record<string, any> = { classical: 'iid', HC0_white1: 'hc0', HC1_white1_plm: 'hc1-slopes', HC1_fe_counted: 'hc1',
    CR0_arellano: {cluster:'firm', convention:'cr0'}, CR_arellano_HC1_plm: {cluster:'firm', convention:'plm-hc1'},
    CR1_stata_K_slopes: {cluster:'firm', convention:'stata-slopes'}, CR1_stata_xtreg: {cluster:'firm', convention:'stata-xtreg'},
    CR1_stata_areg: {cluster:'firm', convention:'stata-areg'}, CR1_clubSandwich: {cluster:'firm', convention:'cr1'}, CR2_clubSandwich: {cluster:'firm', convention:'cr2'} };
  for (const [name, v] of Object.entries(conv)) {
    const m: any = fitFeModel(t, { y: 'inv', x: ['value','capital'], fe: [...fe], panel: {id:'firm', time:'year'}, vcov: v } as any);
    let maxrel = 0;
    for (const c of m.coefficients.slice(0,2)) {
      maxrel = Math.max(maxrel, Math.abs(c.std_error / r.se[name].se[c.term] - 1), Math.abs(c.estimate / r.estimates[c.term] - 1), Math.abs(c.p_value / r.se[name].p[c.term] - 1));
    }
    const wf = r.wald_F_all_slopes[name];
    console.log(case_, name, maxrel.toExponential(2), 'F', (m.stats.f / wf.F - 1).toExponential(2), m.stats.r2_within / r.r2_within - 1, m.coefficients[2]);
  }
}
