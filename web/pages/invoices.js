/** Every invoice the user may see, filtered and paged on the server (GET /v1/invoices): fast on tens of thousands. */
import { api } from '../api.js';
import { ENUMS } from '../enums.js';
import { t } from '../i18n.js';
import { code, date, field, h, money, mount, num, pager, select } from '../ui.js';
import { statusBadge } from './status.js';
import { options } from './filters.js';

const PAGE_SIZE = 50;
const KEYS = ['stage', 'segment', 'area', 'collector', 'salesperson', 'overdueMin'];

/**
 * @param {HTMLElement} main
 * @param {import('../app.js').Params} params
 * @param {import('../app.js').Me} me
 */
export async function renderInvoices(main, params, me) {
  const q = params.query;
  const page = Math.max(1, Number(q.get('page') ?? 1) || 1);
  const f = Object.fromEntries(KEYS.map((k) => [k, q.get(k) ?? '']));
  const manager = me.role !== 'collector';
  const [data, o] = await Promise.all([
    api('/v1/invoices', {
      query: {
        ...f,
        ...(manager ? {} : { collector: '', salesperson: '' }),
        open: f.stage ? undefined : 'true',
        page,
        pageSize: PAGE_SIZE,
      },
    }),
    options(),
  ]);
  /** @param {Record<string, string>} patch */
  const go = (patch) => {
    const next = new URLSearchParams(
      Object.entries({ ...f, page: String(page), ...patch }).filter(([k, v]) => v && !(k === 'page' && v === '1')),
    );
    location.hash = `#/invoices${next.size ? `?${next}` : ''}`;
  };
  /** @type {Record<string, HTMLInputElement | HTMLSelectElement>} */
  const controls = {
    stage: select(
      'stage',
      [['', t('allOpen')], ...ENUMS.activeStages.map((s) => /** @type {[string, string]} */ ([s, code(s)]))],
      f.stage,
    ),
    segment: select('segment', [['', t('all')], ...o.segments.map((s) => [s, s])], f.segment),
    area: select('area', [['', t('all')], ...o.areas.map((a) => [a, a])], f.area),
    ...(manager
      ? {
          collector: select('collector', [['', t('all')], ...o.collectors.map((c) => [c.id, c.name])], f.collector),
          salesperson: select(
            'salesperson',
            [['', t('all')], ...o.salespeople.map((c) => [c.id, c.name])],
            f.salesperson,
          ),
        }
      : {}),
    overdueMin: h('input', { name: 'overdueMin', type: 'number', min: '0', inputmode: 'numeric', value: f.overdueMin }),
  };
  /** @type {Record<string, string>} */
  const labels = {
    stage: t('stage'),
    segment: t('segment'),
    area: t('area'),
    collector: t('collector'),
    salesperson: t('salesperson'),
    overdueMin: t('overdueAtLeast'),
  };
  mount(
    main,
    h('h1', {}, t('invoicesTitle')),
    h(
      'form.filters',
      {
        'aria-label': t('filters'),
        on: {
          submit: (/** @type {SubmitEvent} */ e) => {
            e.preventDefault();
            go({ ...Object.fromEntries(Object.entries(controls).map(([k, c]) => [k, c.value.trim()])), page: '1' });
          },
        },
      },
      Object.entries(controls).map(([k, c]) => field(labels[k], c)),
      h('button.btn', { type: 'submit' }, t('apply')),
    ),
    data.items.length === 0
      ? h('p.empty', {}, t('noItems'))
      : h(
          'div.table-wrap',
          {},
          h(
            'table.data#invoices-table',
            {},
            h('caption.sr-only', {}, t('invoicesTitle')),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                [
                  t('colInvoice'),
                  t('colCustomer'),
                  t('colStage'),
                  t('colBalance'),
                  t('dueDate'),
                  t('colDaysOverdue'),
                  t('nextAction'),
                ].map((x) => h('th', { scope: 'col' }, x)),
              ),
            ),
            h(
              'tbody',
              {},
              data.items.map((/** @type {any} */ i) =>
                h(
                  'tr',
                  {},
                  h('td.nowrap', {}, h('a', { href: `#/invoice/${i.invoiceId}` }, i.number)),
                  h('td', {}, i.customerName),
                  h('td', {}, statusBadge(i.stage, { disputed: i.disputed, paused: i.paused })),
                  h('td.num', {}, money(i.balanceMinor, i.currency)),
                  h('td.nowrap', {}, date(i.dueDate)),
                  h('td.num', {}, num(Math.max(0, i.daysOverdue))),
                  h(
                    'td',
                    {},
                    i.nextAction
                      ? [code(i.nextAction.kind), i.nextAction.at ? ` — ${date(i.nextAction.at)}` : '']
                      : '—',
                  ),
                ),
              ),
            ),
          ),
        ),
    pager(data.page, data.pageSize, data.total, (p) => go({ page: String(p) })),
  );
}
