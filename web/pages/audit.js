/**
 * The audit trail, for credit managers: every change with who made it and when, newest first, filtered by person,
 * invoice (number), customer (code), action family and days (`GET /console/api/audit`, paged on the server).
 */
import { api } from '../api.js';
import { has, t } from '../i18n.js';
import { clearErrors, dateInput, dateTime, dateValue, field, h, markInvalid, mount, pager, select } from '../ui.js';

const PAGE_SIZE = 50;
const KEYS = ['actor', 'invoice', 'customer', 'action', 'from', 'to'];
/** Action families offered in the filter (the `audit.family.X` words); the list accepts any exact action too. */
const FAMILIES = [
  'decision.',
  'invoice.',
  'task.',
  'customer.',
  'policy.',
  'user.',
  'session.',
  'approval.',
  'portal.',
];

/** @param {string} action */
const actionText = (action) => (has(`audit.${action}`) ? t(`audit.${action}`) : h('code', { lang: 'en' }, action));

/** @param {HTMLElement} main @param {import('../app.js').Params} params */
export async function renderAudit(main, params) {
  const q = params.query;
  const page = Math.max(1, Number(q.get('page') ?? 1) || 1);
  const f = Object.fromEntries(KEYS.map((k) => [k, q.get(k) ?? '']));
  const data = await api('/console/api/audit', { query: { ...f, page, pageSize: PAGE_SIZE } });
  /** @param {Record<string, string>} patch */
  const go = (patch) => {
    const next = new URLSearchParams(
      Object.entries({ ...f, page: String(page), ...patch }).filter(([k, v]) => v && !(k === 'page' && v === '1')),
    );
    location.hash = `#/audit${next.size ? `?${next}` : ''}`;
  };
  /** @type {Record<string, HTMLInputElement | HTMLSelectElement>} */
  const controls = {
    actor: select(
      'actor',
      [['', t('all')], ...data.actors.map((/** @type {{id: string; name: string}} */ a) => [a.id, a.name])],
      f.actor,
    ),
    invoice: h('input', { name: 'invoice', value: f.invoice, autocomplete: 'off', placeholder: 'FT-2026-0105' }),
    customer: h('input', { name: 'customer', value: f.customer, autocomplete: 'off', placeholder: 'C-1001' }),
    action: select(
      'action',
      [['', t('all')], ...FAMILIES.map((a) => [a, t('audit.family', { family: a.slice(0, -1) })])],
      f.action,
    ),
    // Dates in the user's language (gg/mm/aaaa in Italian), read back as the ISO dates the API and the address take.
    from: dateInput('from', f.from),
    to: dateInput('to', f.to),
  };
  /** @type {Record<string, string>} */
  const labels = {
    actor: t('auditActor'),
    invoice: t('colInvoice'),
    customer: t('auditCustomerCode'),
    action: t('auditAction'),
    from: t('fromDate'),
    to: t('toDate'),
  };
  mount(
    main,
    h('h1', {}, t('auditTitle')),
    h('p.muted', {}, t('auditLead')),
    h(
      'form.filters',
      {
        'aria-label': t('filters'),
        on: {
          submit: (/** @type {SubmitEvent} */ e) => {
            e.preventDefault();
            const form = /** @type {HTMLFormElement} */ (e.currentTarget);
            clearErrors(form);
            const from = dateValue(/** @type {HTMLInputElement} */ (controls.from));
            const to = dateValue(/** @type {HTMLInputElement} */ (controls.to));
            if (from && to && from > to) markInvalid(controls.to, t('field.dateRange'));
            const invalid = form.querySelector('[aria-invalid="true"]');
            if (invalid) {
              /** @type {HTMLElement} */ (invalid).focus();
              return;
            }
            go({
              ...Object.fromEntries(Object.entries(controls).map(([k, c]) => [k, c.value.trim()])),
              from: from ?? '',
              to: to ?? '',
              page: '1',
            });
          },
        },
      },
      Object.entries(controls).map(([k, c]) =>
        field(labels[k], c, k === 'from' || k === 'to' ? t('dateInputHint', { format: t('dateInputFormat') }) : null),
      ),
      h('button.btn', { type: 'submit' }, t('apply')),
    ),
    data.items.length === 0
      ? h('p.empty', {}, t('noItems'))
      : h(
          'div.table-wrap',
          {},
          h(
            'table.data#audit-table',
            {},
            h('caption.sr-only', {}, t('auditTitle')),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                [t('auditWhen'), t('auditActor'), t('auditAction'), t('auditSubject'), t('auditDetails')].map((x) =>
                  h('th', { scope: 'col' }, x),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              data.items.map((/** @type {any} */ e) =>
                h(
                  'tr',
                  { 'data-action': e.action },
                  h('td.nowrap', {}, dateTime(e.at)),
                  h(
                    'td',
                    {},
                    e.actorName ?? h('code', {}, e.actorId ?? '—'),
                    e.role ? h('span.muted', {}, ` · ${t('role', { role: e.role })}`) : null,
                  ),
                  h('td', {}, actionText(e.action)),
                  h(
                    'td',
                    {},
                    e.invoiceNumber
                      ? [h('a', { href: `#/invoice/${e.entityId}` }, e.invoiceNumber), ` — ${e.customerName ?? ''}`]
                      : (e.customerName ?? [
                          t('auditEntity', { type: e.entityType }),
                          ' ',
                          h('code', {}, e.entityId ?? ''),
                        ]),
                  ),
                  h(
                    'td',
                    {},
                    e.after || e.before
                      ? h(
                          'details',
                          {},
                          h('summary', {}, t('auditShow')),
                          // Recorded values as stored: field names and codes, not prose.
                          h(
                            'pre.audit-json',
                            { lang: 'en' },
                            JSON.stringify({ before: e.before ?? undefined, after: e.after ?? undefined }, null, 1),
                          ),
                        )
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
