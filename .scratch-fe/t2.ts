import * as aq from 'arquero';
import { readFileSync } from 'node:fs';
import { fitIvModel } from '../src/nodes/iv.ts';
let t = aq.fromCSV(readFileSync('test/fixtures/crime.csv','utf8'));
const years = [82,83,84,85,86,87];
for (const yr of years) t = t.derive({ [`factor(year)${yr}`]: aq.escape((d: any) => d.year === yr ? 1 : 0) });
const ref = JSON.parse(readFileSync('test/fixtures/crime_fe2sls.json','utf8'));
const controls = ['lprbconv','lprbpris','lavgsen','ldensity','lwcon','lwtuc','lwtrd','lwfir','lwser','lwmfg','lwfed','lwsta','lwloc','lpctymle', ...years.map(y=>`factor(year)${y}`)];
const cases: any = {
  two_endogenous: { endog: ['lprbarr','lpolpc'], exog: controls, instruments: ['ltaxpc','lmix'] },
  one_endogenous: { endog: ['lpolpc'], exog: ['lprbarr', ...controls], instruments: ['ltaxpc'] },
};
const convs: any = { classical: 'iid', CR0: {cluster:'county', convention:'cr0'}, CR1_stata_K_slopes: {cluster:'county', convention:'stata-slopes'}, CR1_stata_xtivreg_Kp1: {cluster:'county', convention:'stata-xtreg'} };
for (const [cn, spec] of Object.entries<any>(cases)) {
  const r = ref[cn];
  for (const [vn, v] of Object.entries(convs)) {
    const m: any = fitIvModel(t, { y: 'lcrmrte', ...spec, fe: ['county'], vcov: v } as any);
    let maxrel = 0;
    for (const c of m.coefficients.slice(0, -1)) {
      const se = r.se[vn].se[c.term];
      maxrel = Math.max(maxrel, Math.abs(c.std_error/se - 1), Math.abs(c.estimate / r.estimates[c.term] - 1), Math.abs(c.p_value / r.se[vn].p[c.term] - 1));
    }
    console.log(cn, vn, maxrel.toExponential(2), 'ssr', m.stats.ssr/r.ssr-1);
    if (vn === 'CR1_stata_K_slopes' || vn==='CR0' || vn === 'CR1_stata_xtivreg_Kp1') {
      for (const fs of m.first_stage) {
        const rf = r.first_stage[fs.endog];
        const key = vn === 'CR0' ? 'CR0' : vn === 'CR1_stata_K_slopes' ? 'CR1_stata_K_L' : 'CR1_stata_K_Lp1';
        console.log('  fs', fs.endog, fs.f.F / rf.F_excluded_cluster[key].F - 1, fs.f_classical.F / rf.F_excluded_classical.F - 1, fs.r2_within / rf.r2_within - 1,
          fs.coefficients.filter((c:any)=> rf.estimates[c.term]!==undefined).map((c:any)=> [c.estimate/rf.estimates[c.term]-1, vn==='CR0'? c.std_error/rf.se_CR0[c.term]-1 : vn==='CR1_stata_K_slopes'? c.std_error/rf.se_CR1_stata_K_L[c.term]-1 : 0, fs.std_error_classical[c.term]/rf.se_classical[c.term]-1]).flat().map((x:number)=>x.toExponential(1)).join(' '));
        if (rf.kp_rk_wald_F_ivreg2_formula?.value) console.log('  kpF', m.stats.kp_f / rf.kp_rk_wald_F_ivreg2_formula.value - 1);
      }
      console.log('  stats', JSON.stringify({kp_lm: m.stats.kp_lm, kp_lm_p: m.stats.kp_lm_p, kp_f: m.stats.kp_f, kpw: m.stats.kp_wald_chi2, cd: m.stats.cd_f, sy: m.stats.stock_yogo.size, hj: m.stats.hansen_j, ar: m.stats.anderson_rubin}));
    }
  }
}
