/**
 * The credit manager's control tower: pipeline by stage, aging, DSO and promise-kept trends, what is stuck (disputes,
 * legal cases), blocked customers. Figures come from the reports API when the server has it, otherwise from the
 * console's own read-only summary of the operational tables.
 */
import { api } from '../api.js';
import { code, t } from '../i18n.js';
import { h, money, moneyShort, pct, mount } from '../ui.js';
import { filterBar } from './filters.js';
import { loadTower } from './tower-data.js';

const FILTERS = ['area', 'collector', 'salesperson', 'segment'];

export async function renderTower(main, params) {
  const q = params.query;
  const filters = Object.fromEntries(FILTERS.map((k) => [k, q.get(k) ?? '']));
  const data = await loadTower(api, filters);
  const go = (f) => {
    const next = new URLSearchParams(Object.entries(f).filter(([, v]) => v));
    location.hash = `#/tower${next.size ? `?${next}` : ''}`;
  };
  const maxStage = Math.max(1, ...data.pipeline.map((p) => p.balanceMinor));
  const maxAging = Math.max(1, ...data.aging.map((a) => a.balanceMinor));

  mount(
    main,
    h(
      'div.page-head',
      {},
      h('h1', {}, t('towerTitle')),
      h('small.muted', {}, data.source === 'reports' ? t('sourceReports') : t('sourceConsole')),
    ),
    await filterBar(filters, FILTERS, go),
    h(
      'div.grid',
      {},
      h(
        'section.card.span-2#pipeline',
        { 'aria-labelledby': 'pipe-title' },
        h('h2#pipe-title', {}, t('pipeline')),
        h(
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
            data.pipeline.map((p) =>
              h(
                'tr',
                { 'data-stage': p.stage },
                h('th', { scope: 'row' }, code(p.stage)),
                h('td.num.count', {}, String(p.count)),
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
        ),
      ),
      h(
        'section.card#aging',
        { 'aria-labelledby': 'aging-title' },
        h('h2#aging-title', {}, t('aging')),
        h(
          'div.columns',
          { role: 'list' },
          data.aging.map((a) =>
            h(
              'div.column',
              {
                role: 'listitem',
                'aria-label': `${code(a.bucket)}: ${money(a.balanceMinor, data.currency)} (${a.count})`,
              },
              h('span.col-value', { 'aria-hidden': 'true' }, moneyShort(a.balanceMinor, data.currency)),
              h('span.col-bar', {
                class: `aging-${a.bucket.toLowerCase()}`,
                'data-h': String(Math.round((a.balanceMinor / maxAging) * 100)),
              }),
              h('span.col-label', { 'aria-hidden': 'true' }, code(a.bucket)),
            ),
          ),
        ),
      ),
      h(
        'section.card#trends',
        { 'aria-labelledby': 'trend-title' },
        h('h2#trend-title', {}, t('dsoTrend')),
        trendChart(
          data.dso.map((d) => ({ label: d.month, value: d.dso })),
          (v) => (v === null ? '—' : String(v)),
        ),
        h('h2', {}, t('promiseTrend')),
        trendChart(
          data.promiseKept.map((d) => ({ label: d.month, value: d.rate === null ? null : Math.round(d.rate * 100) })),
          (v) => (v === null ? '—' : pct(v / 100)),
        ),
      ),
      stuckTable(
        'legal',
        t('legalStuck'),
        data.legal,
        (d) => [
          h('a', { href: `#/invoice/${d.invoiceId}` }, d.number),
          d.customer,
          code(d.status),
          money(d.balanceMinor, data.currency),
          String(d.daysStuck),
        ],
        [t('invoice'), t('customer'), t('state'), t('balance'), t('daysStuck')],
      ),
      stuckTable(
        'disputes',
        t('disputesStuck'),
        data.disputes,
        (d) => [
          h('a', { href: `#/invoice/${d.invoiceId}` }, d.number),
          d.customer,
          code(d.reasonCode),
          money(d.balanceMinor, data.currency),
          String(d.daysStuck),
        ],
        [t('invoice'), t('customer'), t('reason'), t('balance'), t('daysStuck')],
      ),
      stuckTable(
        'blocked',
        t('blockedCustomers'),
        data.blocked,
        (b) => [b.name, money(b.balanceMinor, data.currency), String(b.days)],
        [t('customer'), t('balance'), t('daysStuck')],
      ),
    ),
  );
  // Bar sizes are set from data attributes: the CSP allows no inline style attributes in markup.
  main.querySelectorAll('[data-w]').forEach((el) => (el.style.width = `${el.dataset.w}%`));
  main.querySelectorAll('[data-h]').forEach((el) => (el.style.height = `${Math.max(2, Number(el.dataset.h))}%`));
}

function stuckTable(id, title, rows, cells, headers) {
  return h(
    `section.card${id === 'blocked' ? '' : '.span-2'}#${id}`,
    { 'aria-labelledby': `${id}-title` },
    h(`h2#${id}-title`, {}, title, ' ', h('span.count-badge', {}, String(rows.length))),
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
function trendChart(points, fmt) {
  const W = 320;
  const H = 90;
  const pad = 14;
  const values = points.map((p) => p.value).filter((v) => v !== null);
  if (values.length === 0) return h('p.muted', {}, t('noItems'));
  const max = Math.max(1, ...values);
  const min = Math.min(0, ...values);
  const x = (i) => pad + (i * (W - 2 * pad)) / Math.max(1, points.length - 1);
  const y = (v) => H - pad - ((v - min) / (max - min || 1)) * (H - 2 * pad);
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
    c.setAttribute('cy', String(y(p.value)));
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
