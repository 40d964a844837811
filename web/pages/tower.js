/**
 * The credit manager's control tower: pipeline by stage, aging, DSO and promise-kept trends, what is stuck (disputes,
 * legal cases), blocked customers. Figures come from the reports API; a part that cannot be loaded says so in the
 * user's language where its figures would be.
 */
import { customerLink } from './customer.js';
import { api, download } from '../api.js';
import { getLang, locale, t } from '../i18n.js';
import { code, errorText, h, money, moneyShort, num, pct, mount, toast } from '../ui.js';
import { filterBar } from './filters.js';
import { loadTower } from './tower-data.js';

const FILTERS = ['area', 'collector', 'salesperson', 'segment'];

/**
 * A part of the page, or the sentence saying why it is missing.
 * @template T
 * @param {import('./tower-data.js').Part<T>} part
 * @param {(value: T) => import('../ui.js').Child} render
 */
const orProblem = (part, render) =>
  part.ok
    ? render(part.value)
    : h('p.alert.report-error', { role: 'status' }, t('reportUnavailable', { problem: errorText(part.error) }));

/**
 * CSV and Excel buttons for one report, made for the user: headers in their language and, in Italian or French,
 * `;` and a decimal comma so their Excel opens it in columns (the API's `lang`).
 * @param {string} report @param {string} what @param {Record<string, string>} filters
 */
function exports(report, what, filters) {
  const query = new URLSearchParams(
    Object.entries({
      area: filters.area,
      collectorId: filters.collector,
      salespersonId: filters.salesperson,
      segment: filters.segment,
      lang: getLang(),
    }).filter(([, v]) => v),
  );
  /** @param {'csv' | 'xlsx'} format */
  const get = async (format) => {
    query.set('format', format);
    try {
      await download(`/v1/reports/${report}?${query}`, `${report}-${new Date().toISOString().slice(0, 10)}.${format}`);
    } catch (err) {
      toast(errorText(err));
    }
  };
  return h(
    'span.exports',
    {},
    ['csv', 'xlsx'].map((f) =>
      h(
        'button.btn.btn-small',
        {
          type: 'button',
          'data-export': `${report}.${f}`,
          'aria-label': t('exportLabel', { what, format: f === 'csv' ? 'CSV' : 'Excel' }),
          on: { click: () => void get(/** @type {'csv' | 'xlsx'} */ (f)) },
        },
        f === 'csv' ? 'CSV' : 'Excel',
      ),
    ),
  );
}

/** "2026-11" → "nov 26" (it), "Nov 26" (en), "nov. 26" (fr). */
const monthLabel = (/** @type {string} */ ym) =>
  new Intl.DateTimeFormat(locale(), { month: 'short', year: '2-digit', timeZone: 'UTC' }).format(
    new Date(`${ym}-01T00:00:00Z`),
  );

/** @param {HTMLElement} main @param {import('../app.js').Params} params */
export async function renderTower(main, params) {
  const q = params.query;
  /** @type {Record<string, string>} */
  const filters = Object.fromEntries(FILTERS.map((k) => [k, q.get(k) ?? '']));
  const data = await loadTower(api, filters);
  /** @param {Record<string, string>} f */
  const go = (f) => {
    const next = new URLSearchParams(Object.entries(f).filter(([, v]) => v));
    location.hash = `#/tower${next.size ? `?${next}` : ''}`;
  };
  const stuck = data.stuck.ok ? data.stuck.value : { disputes: [], legal: [], blocked: [] };

  mount(
    main,
    h('div.page-head', {}, h('h1', {}, t('towerTitle')), h('small.muted', {}, t('sourceReports'))),
    await filterBar(filters, FILTERS, go),
    data.stuck.ok
      ? null
      : h('p.alert', { role: 'alert' }, t('reportUnavailable', { problem: errorText(data.stuck.error) })),
    h(
      'div.grid',
      {},
      h(
        'section.card.span-2#pipeline',
        { 'aria-labelledby': 'pipe-title' },
        h('div.card-head', {}, h('h2#pipe-title', {}, t('pipeline')), exports('pipeline', t('pipeline'), filters)),
        orProblem(data.pipeline, (pipeline) => {
          const maxStage = Math.max(1, ...pipeline.map((p) => p.balanceMinor));
          return h(
            'table.bars',
            {},
            h('caption.sr-only', {}, t('pipeline')),
            h(
              'thead.sr-only',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, t('stage')),
                h('th', { scope: 'col' }, t('invoices')),
                h('th', { scope: 'col' }, t('balance')),
              ),
            ),
            h(
              'tbody',
              {},
              pipeline.map((p) =>
                h(
                  'tr',
                  { 'data-stage': p.stage },
                  h('th', { scope: 'row' }, code(p.stage)),
                  h('td.num.count', { 'data-count': String(p.count) }, num(p.count)),
                  h(
                    'td.bar-cell',
                    {},
                    h(
                      'span.track',
                      {},
                      h('span.bar', {
                        class: `stage-${p.stage.toLowerCase()}`,
                        'data-w': String(Math.round((p.balanceMinor / maxStage) * 100)),
                      }),
                    ),
                    h('span.bar-label', {}, money(p.balanceMinor, data.currency)),
                  ),
                ),
              ),
            ),
          );
        }),
      ),
      h(
        'section.card#aging',
        { 'aria-labelledby': 'aging-title' },
        h('div.card-head', {}, h('h2#aging-title', {}, t('aging')), exports('aging', t('aging'), filters)),
        orProblem(data.aging, (aging) => {
          const maxAging = Math.max(1, ...aging.map((a) => a.balanceMinor));
          return h(
            'div.columns',
            { role: 'list' },
            aging.map((a) =>
              h(
                'div.column',
                {
                  role: 'listitem',
                  'aria-label': `${code(a.bucket)}: ${money(a.balanceMinor, data.currency)} (${num(a.count)})`,
                },
                h('span.col-value', { 'aria-hidden': 'true' }, moneyShort(a.balanceMinor, data.currency)),
                h('span.col-bar', {
                  class: `aging-${a.bucket.toLowerCase()}`,
                  'data-h': String(Math.round((a.balanceMinor / maxAging) * 100)),
                }),
                h('span.col-label', { 'aria-hidden': 'true' }, code(a.bucket)),
              ),
            ),
          );
        }),
      ),
      h(
        'section.card#trends',
        { 'aria-labelledby': 'trend-title' },
        h('h2#trend-title', {}, t('dsoTrend')),
        orProblem(data.dso, (dso) =>
          trendChart(
            dso.map((d) => ({ label: monthLabel(d.month), value: d.dso })),
            (v) => (v === null ? '—' : num(v)),
          ),
        ),
        h('h2', {}, t('promiseTrend')),
        orProblem(data.promiseKept, (kept) =>
          trendChart(
            kept.map((d) => ({
              label: monthLabel(d.month),
              value: d.rate === null ? null : Math.round(d.rate * 100),
            })),
            (v) => (v === null ? '—' : pct(v / 100)),
          ),
        ),
      ),
      stuckTable(
        'legal',
        t('legalStuck'),
        stuck.legal,
        (/** @type {any} */ d) => [
          h('a', { href: `#/invoice/${d.invoiceId}` }, d.number),
          customerLink(d.customerId, d.customer),
          code(d.status),
          money(d.balanceMinor, d.currency ?? data.currency),
          num(d.daysStuck),
        ],
        [t('invoice'), t('customer'), t('state'), t('balance'), t('daysStuck')],
      ),
      stuckTable(
        'disputes',
        t('disputesStuck'),
        stuck.disputes,
        (/** @type {any} */ d) => [
          h('a', { href: `#/invoice/${d.invoiceId}` }, d.number),
          customerLink(d.customerId, d.customer),
          code(d.reasonCode),
          money(d.balanceMinor, d.currency ?? data.currency),
          num(d.daysStuck),
        ],
        [t('invoice'), t('customer'), t('reason'), t('balance'), t('daysStuck')],
      ),
      stuckTable(
        'blocked',
        t('blockedCustomers'),
        stuck.blocked,
        (/** @type {any} */ b) => [
          customerLink(b.customerId, b.name),
          money(b.balanceMinor, data.currency),
          num(b.days),
        ],
        [t('customer'), t('balance'), t('daysStuck')],
      ),
    ),
  );
  // Bar sizes are set from data attributes: the CSP allows no inline style attributes in markup.
  for (const el of main.querySelectorAll('[data-w]'))
    /** @type {HTMLElement} */ (el).style.width = `${/** @type {HTMLElement} */ (el).dataset.w}%`;
  for (const el of main.querySelectorAll('[data-h]'))
    /** @type {HTMLElement} */ (el).style.height = `${Math.max(2, Number(/** @type {HTMLElement} */ (el).dataset.h))}%`;
}

/**
 * @param {string} id @param {string} title @param {any[]} rows
 * @param {(r: any) => import('../ui.js').Child[]} cells @param {string[]} headers
 */
function stuckTable(id, title, rows, cells, headers) {
  return h(
    `section.card${id === 'blocked' ? '' : '.span-2'}#${id}`,
    { 'aria-labelledby': `${id}-title` },
    h(`h2#${id}-title`, {}, title, ' ', h('span.count-badge', {}, num(rows.length))),
    rows.length === 0
      ? h('p.muted', {}, t('noItems'))
      : h(
          'div.table-wrap',
          {},
          h(
            'table.data.compact',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                headers.map((x) => h('th', { scope: 'col' }, x)),
              ),
            ),
            h(
              'tbody',
              {},
              rows.map((r) =>
                h(
                  'tr',
                  {},
                  cells(r).map((c, i) => h(i === cells(r).length - 1 ? 'td.num' : 'td', {}, c)),
                ),
              ),
            ),
          ),
        ),
  );
}

/** A small SVG line chart with its values also written out (screen readers get the list, not the drawing). */
/**
 * @param {Array<{ label: string; value: number | null }>} points
 * @param {(v: number | null) => string} fmt
 */
function trendChart(points, fmt) {
  const W = 320;
  const H = 90;
  const pad = 14;
  const values = /** @type {number[]} */ (points.map((p) => p.value).filter((v) => v !== null));
  if (values.length === 0) return h('p.muted', {}, t('noItems'));
  const max = Math.max(1, ...values);
  const min = Math.min(0, ...values);
  const x = (/** @type {number} */ i) => pad + (i * (W - 2 * pad)) / Math.max(1, points.length - 1);
  const y = (/** @type {number} */ v) => H - pad - ((v - min) / (max - min || 1)) * (H - 2 * pad);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'trend');
  svg.setAttribute('aria-hidden', 'true');
  const pts = points.map((p, i) => (p.value === null ? null : `${x(i)},${y(p.value)}`)).filter(Boolean);
  if (pts.length > 1) {
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', pts.join(' '));
    svg.append(line);
  }
  points.forEach((p, i) => {
    if (p.value === null) return;
    const c = document.createElementNS(ns, 'circle');
    c.setAttribute('cx', String(x(i)));
    c.setAttribute('cy', String(y(/** @type {number} */ (p.value))));
    c.setAttribute('r', '3.5');
    svg.append(c);
  });
  return h(
    'figure.trend-figure',
    {},
    svg,
    h(
      'ul.trend-values',
      {},
      points.map((p) => h('li', {}, h('span.muted', {}, p.label), ' ', h('strong', {}, fmt(p.value)))),
    ),
  );
}
