/**
 * Small server-side charts as SVG strings (vector in the PDF: pdfmake draws `svg` nodes with svg-to-pdfkit).
 * Only rect, line, polyline, circle and text with the standard Helvetica font, so nothing needs a browser or a
 * font download. Pure functions of their data.
 */

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const FONT = 'font-family="Helvetica"';
export const PALETTE = [
  '#2e7d32',
  '#9ccc65',
  '#fdd835',
  '#fb8c00',
  '#e53935',
  '#8e24aa',
  '#1e88e5',
  '#546e7a',
  '#6d4c41',
];

/** "1.2M", "350k", "900" — compact axis labels for major-unit amounts. */
export function compact(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e6) return `${(n / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  return `${Math.round(n)}`;
}

/**
 * Approximate width of `s` in Helvetica at `size` points (AFM advance widths, grouped), to place labels and legends
 * without measuring: a label column wide enough for the longest label, legend entries that do not overlap.
 */
export function textWidth(s: string, size: number): number {
  let em = 0;
  for (const ch of s) {
    if ("ijlI.,:;'|!".includes(ch)) em += 0.24;
    else if ('frt()[]- '.includes(ch)) em += 0.31;
    else if ('mwMW'.includes(ch)) em += 0.86;
    else if (ch >= 'A' && ch <= 'Z') em += 0.69;
    else em += 0.55;
  }
  return em * size;
}

/** `s` cut with an ellipsis so that it is at most `max` points wide in Helvetica at `size`. */
export function fitText(s: string, size: number, max: number): string {
  if (textWidth(s, size) <= max) return s;
  let cut = s;
  while (cut.length > 1 && textWidth(`${cut}…`, size) > max) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

/** A "nice" axis maximum ≥ v (1, 2, 2.5, 5 × 10^n). */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Vertical bars with value labels; `values` in the unit shown on the axis. */
export function barChart(opts: {
  labels: string[];
  values: number[];
  width?: number;
  height?: number;
  colors?: string[];
  valueLabel?: (v: number, i: number) => string;
  /** Axis labels; default `compact`. */
  tick?: (v: number) => string;
}): string {
  const W = opts.width ?? 500;
  const H = opts.height ?? 200;
  const left = 46;
  const bottom = 28;
  const top = 16;
  const plotW = W - left - 8;
  const plotH = H - bottom - top;
  const max = niceMax(Math.max(0, ...opts.values));
  const n = Math.max(1, opts.values.length);
  const slot = plotW / n;
  const barW = Math.min(60, slot * 0.62);
  const fmt = opts.valueLabel ?? compact;
  const tick = opts.tick ?? compact;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    parts.push(`<line x1="${left}" y1="${y}" x2="${W - 8}" y2="${y}" stroke="#dddddd" stroke-width="0.6"/>`);
    parts.push(
      `<text x="${left - 5}" y="${y + 3}" font-size="8" ${FONT} fill="#555555" text-anchor="end">${esc(tick((max * i) / 4))}</text>`,
    );
  }
  opts.values.forEach((v, i) => {
    const h = max > 0 ? (plotH * Math.max(0, v)) / max : 0;
    const x = left + slot * i + (slot - barW) / 2;
    const y = top + plotH - h;
    const color = opts.colors?.[i] ?? PALETTE[6];
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"/>`,
    );
    parts.push(
      `<text x="${(x + barW / 2).toFixed(1)}" y="${(y - 3).toFixed(1)}" font-size="8" ${FONT} fill="#222222" text-anchor="middle">${esc(fmt(v, i))}</text>`,
    );
    parts.push(
      `<text x="${(x + barW / 2).toFixed(1)}" y="${H - bottom + 12}" font-size="8" ${FONT} fill="#333333" text-anchor="middle">${esc(opts.labels[i] ?? '')}</text>`,
    );
  });
  parts.push(
    `<line x1="${left}" y1="${top + plotH}" x2="${W - 8}" y2="${top + plotH}" stroke="#555555" stroke-width="0.8"/>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg>`;
}

/** One or more lines over the same labels (e.g. months); null values break nothing, they are skipped. */
export function lineChart(opts: {
  labels: string[];
  series: Array<{ name: string; values: Array<number | null>; color?: string }>;
  width?: number;
  height?: number;
  unit?: string;
  /** Axis labels; default `compact`. */
  tick?: (v: number) => string;
}): string {
  const W = opts.width ?? 500;
  const H = opts.height ?? 190;
  const left = 40;
  const right = 18;
  const top = 22;
  const bottom = 30;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const all = opts.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = niceMax(Math.max(1, ...all));
  const n = opts.labels.length;
  const xAt = (i: number): number => left + (n <= 1 ? plotW / 2 : (plotW * i) / (n - 1));
  const yAt = (v: number): number => top + plotH - (plotH * v) / max;
  const tick = opts.tick ?? compact;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    parts.push(`<line x1="${left}" y1="${y}" x2="${W - right}" y2="${y}" stroke="#dddddd" stroke-width="0.6"/>`);
    parts.push(
      `<text x="${left - 5}" y="${y + 3}" font-size="8" ${FONT} fill="#555555" text-anchor="end">${esc(tick((max * i) / 4))}</text>`,
    );
  }
  const every = Math.max(1, Math.ceil(n / 12));
  opts.labels.forEach((l, i) => {
    if (i % every === 0 || i === n - 1)
      parts.push(
        `<text x="${xAt(i).toFixed(1)}" y="${H - bottom + 12}" font-size="7.5" ${FONT} fill="#333333" text-anchor="middle">${esc(l)}</text>`,
      );
  });
  // legend, top left, one entry per series, each as wide as its text (at least 130 as before)
  let lx = left;
  opts.series.forEach((s, si) => {
    const color = s.color ?? PALETTE[(si * 3 + 6) % PALETTE.length];
    const pts = s.values
      .map((v, i) => (v === null ? null : `${xAt(i).toFixed(1)},${yAt(v).toFixed(1)}`))
      .filter((p): p is string => p !== null);
    if (pts.length > 1)
      parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="1.6"/>`);
    s.values.forEach((v, i) => {
      if (v !== null)
        parts.push(`<circle cx="${xAt(i).toFixed(1)}" cy="${yAt(v).toFixed(1)}" r="2.2" fill="${color}"/>`);
    });
    const legend = `${s.name}${opts.unit ? ` (${opts.unit})` : ''}`;
    parts.push(`<rect x="${lx}" y="4" width="10" height="6" fill="${color}"/>`);
    parts.push(`<text x="${lx + 14}" y="10" font-size="8" ${FONT} fill="#222222">${esc(legend)}</text>`);
    lx += Math.max(130, 14 + textWidth(legend, 8) + 16);
  });
  parts.push(
    `<line x1="${left}" y1="${top + plotH}" x2="${W - right}" y2="${top + plotH}" stroke="#555555" stroke-width="0.8"/>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg>`;
}

/** Horizontal bars, one per label (e.g. balance by stage), with the value at the bar's end. */
export function hbarChart(opts: {
  labels: string[];
  values: number[];
  width?: number;
  rowHeight?: number;
  color?: string;
  valueLabel?: (v: number, i: number) => string;
}): string {
  const W = opts.width ?? 500;
  const rh = opts.rowHeight ?? 18;
  const H = Math.max(rh, opts.labels.length * rh) + 6;
  // the label column fits the longest label (at least 110, at most 40 % of the width: longer labels are cut)
  const left = Math.min(
    W * 0.4,
    Math.max(110, Math.ceil(Math.max(0, ...opts.labels.map((l) => textWidth(l, 8)))) + 12),
  );
  const plotW = W - left - 60;
  const max = Math.max(1, ...opts.values);
  const fmt = opts.valueLabel ?? compact;
  const parts: string[] = [];
  opts.values.forEach((v, i) => {
    const y = 3 + i * rh;
    const w = (plotW * Math.max(0, v)) / max;
    parts.push(
      `<text x="${left - 6}" y="${y + rh / 2 + 3}" font-size="8" ${FONT} fill="#333333" text-anchor="end">${esc(fitText(opts.labels[i], 8, left - 8))}</text>`,
    );
    parts.push(
      `<rect x="${left}" y="${y + 3}" width="${w.toFixed(1)}" height="${rh - 6}" fill="${opts.color ?? PALETTE[6]}"/>`,
    );
    parts.push(
      `<text x="${(left + w + 4).toFixed(1)}" y="${y + rh / 2 + 3}" font-size="8" ${FONT} fill="#222222">${esc(fmt(v, i))}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg>`;
}
