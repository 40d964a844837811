/**
 * The collector's agenda: today's tasks and every overdue one, most valuable first; one click opens the invoice. What
 * debtors asked for on the portal and disputes to review are decided right there (./agenda-work.js).
 */
import { customerLink } from './customer.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { code, date, dateTime, h, money, num, pager, ratingBadge, stageBadge, mount } from '../ui.js';
import { filterBar } from './filters.js';
import { statusBadge } from './status.js';
import { workRow } from './agenda-work.js';
import { callButton, doneSummary, outcomeControls } from './agenda-outcome.js';

/** The tasks whose outcome is a call's, recorded from the row itself. */
const CALL_KINDS = ['CALL', 'CALLBACK'];
const COLUMN_KEYS = [
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
  'colActions',
];

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
  // A salesperson never reaches the agenda; collectors and credit managers record outcomes.
  const canRecord = me.role === 'collector' || me.role === 'manager';
  const rows = items.flatMap((/** @type {any} */ it, /** @type {number} */ i) => {
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
                /** @type {Element} */ (e.target).closest('a, button, .outcome-done') || (location.hash = href),
            }
          : {},
      },
      h('td.num', {}, num((page - 1) * PAGE_SIZE + i + 1)),
      h('td', {}, h('span.task-kind', {}, code(it.kind))),
      h('td', {}, h('span.customer', {}, it.customer ? customerLink(it.customer.customerId, it.customer.name) : '—')),
      h('td.nowrap', {}, href ? h('a', { href }, inv.number) : '—'),
      h('td.num', {}, inv ? money(inv.balanceMinor, inv.currency) : '—'),
      h('td.num', {}, inv ? num(inv.daysOverdue) : '—'),
      h('td', {}, inv ? statusBadge(inv.stage, { disputed: Boolean(inv.disputed) }) : '—'),
      h('td', {}, ratingBadge(it.customer?.rating)),
      h(
        'td.nowrap',
        {},
        lastContacts[it.customer?.customerId] ? dateTime(lastContacts[it.customer.customerId]) : t('never'),
      ),
      h(
        'td.nowrap.task-due',
        {},
        overdue ? h('span.badge.badge-danger', {}, t('overdueTask')) : null,
        ' ',
        h(
          'time',
          { datetime: it.dueAt },
          overdue && Date.parse(it.dueAt) < now - 86_400_000 ? date(it.dueAt) : dateTime(it.dueAt),
        ),
      ),
      h('td.actions', {}),
    );
    tr.dataset.task = it.taskId;
    const actions = /** @type {HTMLElement} */ (tr.lastElementChild);
    // A debtor's request or a dispute to review is decided in place, in the row under the task.
    const work = workRow(it, me, () => renderAgenda(main, params, me), COLUMN_KEYS.length);
    if (work) return [tr, work];
    if (!canRecord || !CALL_KINDS.includes(it.kind) || !inv) return [tr];
    const { button, formRow } = outcomeControls(it, COLUMN_KEYS.length, (result, sent) => {
      // The row updates in place: the task is done, its outcome and the next callback are said where the button was,
      // the stage cell shows the invoice's new stage, and the focus stays on the row rather than falling to <body>.
      tr.classList.add('done');
      tr.dataset.done = sent.outcome;
      const summary = doneSummary(sent);
      summary.setAttribute('tabindex', '-1');
      actions.replaceChildren(summary);
      const stage = result?.state?.stage;
      if (stage) tr.children[6].replaceChildren(stageBadge(stage, code(stage)));
      tr.querySelector('.task-due .badge-danger')?.remove();
      summary.focus();
    });
    actions.append(button);
    // Click-to-call only where the API has Twilio and the collector's number; hidden otherwise.
    if (me.clickToCall && it.customer?.phone) actions.append(' ', callButton(it));
    return [tr, formRow];
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
                COLUMN_KEYS.map((k) => h('th', { scope: 'col' }, t(k))),
              ),
            ),
            h('tbody', {}, rows),
          ),
        ),
    pager(page, PAGE_SIZE, data.total ?? items.length, (p) => go({ page: String(p) })),
  );
}
