/** The collector's agenda: today's tasks and every overdue one, most valuable first; one click opens the invoice. */
import { api } from '../api.js';
import { t } from '../i18n.js';
import { code, date, dateTime, h, money, num, pager, ratingBadge, stageBadge, mount } from '../ui.js';
import { filterBar } from './filters.js';

/** /v1/agenda ranks and pages on the server: each page asks for its own 25 rows and the total. */
const PAGE_SIZE = 25;

/**
 * @param {HTMLElement} main
 * @param {import('../app.js').Params} params
 * @param {import('../app.js').Me} me
 */
export async function renderAgenda(main, params, me) {
  const q = params.query;
  const page = Math.max(1, Number(q.get('page') ?? 1) || 1);
  const filters = {
    collector: q.get('collector') ?? '',
    area: q.get('area') ?? '',
    salesperson: q.get('salesperson') ?? '',
  };
  const data = await api('/v1/agenda', {
    query: { ...(me.role === 'collector' ? {} : filters), page, pageSize: PAGE_SIZE },
  });
  const items = data.items ?? [];
  const customerIds = [...new Set(items.map((i) => i.customer?.customerId).filter(Boolean))];
  const lastContacts = customerIds.length
    ? await api('/console/api/last-contacts', { query: { customers: customerIds.join(',') } }).catch(() => ({}))
    : {};

  /** @param {Record<string, string>} patch */
  const go = (patch) => {
    const next = new URLSearchParams({ ...filters, page: String(page), ...patch });
    for (const [k, v] of [...next.entries()]) if (!v || (k === 'page' && v === '1')) next.delete(k);
    location.hash = `#/agenda${next.size ? `?${next}` : ''}`;
  };

  const now = Date.now();
  const rows = items.map((/** @type {any} */ it, /** @type {number} */ i) => {
    const inv = it.invoice;
    const href = inv ? `#/invoice/${encodeURIComponent(inv.invoiceId)}` : null;
    const overdue = Date.parse(it.dueAt) < now;
    const tr = h(
      'tr',
      {
        class: href ? 'clickable' : null,
        on: href
          ? {
              click: (/** @type {MouseEvent} */ e) =>
                /** @type {Element} */ (e.target).closest('a') || (location.hash = href),
            }
          : {},
      },
      h('td.num', {}, num((page - 1) * PAGE_SIZE + i + 1)),
      h('td', {}, h('span.task-kind', {}, code(it.kind))),
      h('td', {}, h('span.customer', {}, it.customer?.name ?? '—')),
      h('td.nowrap', {}, href ? h('a', { href }, inv.number) : '—'),
      h('td.num', {}, inv ? money(inv.balanceMinor, inv.currency) : '—'),
      h('td.num', {}, inv ? num(inv.daysOverdue) : '—'),
      h('td', {}, inv ? stageBadge(inv.stage, code(inv.stage)) : '—'),
      h('td', {}, ratingBadge(it.customer?.rating)),
      h(
        'td.nowrap',
        {},
        lastContacts[it.customer?.customerId] ? dateTime(lastContacts[it.customer.customerId]) : t('never'),
      ),
      h(
        'td.nowrap',
        {},
        overdue ? h('span.badge.badge-danger', {}, t('overdueTask')) : null,
        ' ',
        h(
          'time',
          { datetime: it.dueAt },
          overdue && Date.parse(it.dueAt) < now - 86_400_000 ? date(it.dueAt) : dateTime(it.dueAt),
        ),
      ),
    );
    return tr;
  });

  mount(
    main,
    h('h1', {}, t('agendaTitle')),
    h('p.lead', {}, t('agendaLead')),
    me.role === 'collector'
      ? null
      : await filterBar(filters, ['collector', 'area', 'salesperson'], (f) => go({ ...f, page: '1' })),
    items.length === 0
      ? h('p.empty', {}, t('agendaEmpty'))
      : h(
          'div.table-wrap',
          {},
          h(
            'table.data#agenda-table',
            {},
            h('caption.sr-only', {}, t('agendaTitle')),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                [
                  'colPriority',
                  'colTask',
                  'colCustomer',
                  'colInvoice',
                  'colBalance',
                  'colDaysOverdue',
                  'colStage',
                  'colRating',
                  'colLastContact',
                  'colDue',
                ].map((k) => h('th', { scope: 'col' }, t(k))),
              ),
            ),
            h('tbody', {}, rows),
          ),
        ),
    pager(page, PAGE_SIZE, data.total ?? items.length, (p) => go({ page: String(p) })),
  );
}
