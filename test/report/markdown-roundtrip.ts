// A small Markdown table reader for the round-trip tests: cells as printed.
export function parseMarkdownTable(md: string): { header: string[]; rows: string[][] } {
  const lines = md.split('\n').filter((l) => l.startsWith('|'));
  const split = (l: string) =>
    l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
  const [head, , ...body] = lines;
  return { header: split(head), rows: body.map(split) };
}

/** "0.018*** (0.004)" -> { est: 0.018, stars: '***', se: 0.004, decimals: 3 } */
export function parseCoefCell(cell: string) {
  const m = /^(-?\d+(?:\.(\d+))?)(\**)(?: \((-?\d+(?:\.(\d+))?)\))?$/.exec(cell);
  if (!m) return null;
  return {
    est: Number(m[1]), decimals: m[2]?.length ?? 0, stars: m[3],
    se: m[4] === undefined ? null : Number(m[4]), seDecimals: m[5]?.length ?? 0,
  };
}
