import * as aq from 'arquero';
import { readFileSync } from 'node:fs';
import { fitFeModel, feParams } from '../src/nodes/fe.ts';
const t = aq.fromCSV(readFileSync('test/fixtures/grunfeld.csv','utf8'));
const m: any = fitFeModel(t, feParams.parse({ y: 'inv', x: ['value','capital'], fe: [], vcov: 'iid' }));
console.log(m.coefficients.map((c: any) => [c.term, c.estimate, c.std_error]), m.stats.r2, m.stats.r2_adj, m.stats.f, m.stats.df_resid);
