import { describe, it, expect } from 'vitest';
import { forestPlot, niceTicks } from '../../src/report/svg-plot.js';
import { toDot, renderDot, dagNodes, dagSvg } from '../../src/report/dag.js';

describe('forestPlot', () => {
  const rows = [
    { label: 'RIS (1)', est: 0.018, lo: 0.01, hi: 0.026 },
    { label: 'AIS <2>', est: -0.047, lo: -0.095, hi: 0.001, series: 'direct' },
    { label: 'x', est: 0.3, lo: null, hi: null, series: 'total' },
  ];
  const svg = forestPlot(rows, { title: 'lnINF', xLabel: 'estimate' });
  it('draws one point per row with whiskers where a CI exists, escaped labels', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<circle cx/g)!.length).toBe(3 + 2); // points + legend dots
    expect(svg).toContain('AIS &lt;2&gt;');
    expect(svg).toContain('stroke-dasharray'); // the zero line
    expect(svg).not.toContain('NaN');
  });
  it('draws one point and one interval per row, 200 rows included', () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ label: `b${i}`, est: i / 100, lo: i / 100 - 0.1, hi: i / 100 + 0.1 }));
    const svg = forestPlot(many);
    expect(svg.match(/<circle/g)).toHaveLength(200);
    expect(svg).toContain('>b199<');
  });
  it('niceTicks covers the range with 1-2-5 steps', () => {
    const t = niceTicks(-0.047, 0.3);
    expect(t[0]).toBeLessThanOrEqual(-0.047);
    expect(t[t.length - 1]).toBeGreaterThanOrEqual(0.3);
    expect(t).toContain(0);
  });
});

describe('DAG', () => {
  const nodes = [
    { id: 'panel', type: 'load-csv', version: 1, key: 'k1', params: {}, inputs: [], files: [] },
    { id: 'fe.ris', type: 'fe', version: 1, key: 'k2', params: {}, inputs: [{ port: 'data', from: 'panel.table' }], files: [] },
    { id: 't2', type: 'table', version: 1, key: 'k3', params: {}, inputs: [{ port: 'models', from: 'fe.ris.model' }], files: [] },
  ];
  it('builds DOT with an edge per wired input (ids may contain dots)', () => {
    const dot = toDot(nodes, { id: 'report', type: 'report', from: ['t2'] });
    expect(dot).toContain('"panel" -> "fe.ris" [label="data"]');
    expect(dot).toContain('"fe.ris" -> "t2" [label="models"]');
    expect(dot).toContain('"t2" -> "report"');
  });
  it('draws the built-in layered layout: a box per node, an arrow per edge, top to bottom', () => {
    const svg = dagSvg(dagNodes(nodes, { id: 'report', type: 'report', from: ['t2'] }));
    expect(svg.match(/<rect/g)).toHaveLength(4);
    expect(svg.match(/marker-end/g)).toHaveLength(3);
    // layers run top to bottom: panel, fe.ris, t2, report
    const y = (id: string) => Number(new RegExp(`<g data-node="${id.replace('.', '\\.')}"[^>]*><title>[^<]*</title><rect x="[\\d.]+" y="([\\d.]+)"`).exec(svg)![1]);
    expect(y('panel')).toBeLessThan(y('fe.ris'));
    expect(y('fe.ris')).toBeLessThan(y('t2'));
    expect(y('t2')).toBeLessThan(y('report'));
  });

  it('renders Graphviz SVG without a browser, embeddable inline', async () => {
    const svg = await renderDot(toDot(nodes));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('fe.ris');
  });
});
