// Industry concordance across the 2012 reclassification (METHOD 1.1): a city-year's ICT
// investment is the sum of the old-classification columns before the switch year and
// of the new-classification columns from it on. A missing cell among the summed
// columns makes the result missing (a partial sum would understate investment).

/** out_i = sum(before[.][i]) if year_i < switchYear, else sum(after[.][i]). */
export function concordanceSum(
  year: Float64Array,
  before: Float64Array[],
  after: Float64Array[],
  switchYear: number,
): Float64Array {
  const n = year.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const cols = year[i] < switchYear ? before : after;
    let s = 0;
    for (const c of cols) s += c[i];
    out[i] = s;
  }
  return out;
}
