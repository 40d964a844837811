/**
 * One customer (#/customer/<id>), from the 360 view (GET /v1/customers/:id): open items, exposure against the credit
 * limit, the rating with its factors, contacts, promises and disputes, letters, and the statement of account. Every
 * page that names a customer links here.
 */
import { api, isMissingRoute, openFile } from '../api.js';
import { ENUMS } from '../enums.js';
import { t } from '../i18n.js';
import { code, date, dateTime, errorText, h, money, mount, num, pct, ratingBadge, toast } from '../ui.js';
import { statusBadge } from './status.js';
import { portalLinksCard } from './portal-links.js';
import { interestNotesCard } from './interest-notes.js';
import { options } from './filters.js';

/** @param {string} label @param {import('../ui.js').Child} value */
const fact = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, value));

/** @param {string} id @param {string} title @param {...import('../ui.js').Child} children */
const card = (id, title, ...children) =>
  h('section.card', { 'aria-labelledby': id }, h(`h2#${id}`, {}, title), ...children);

/**
 * The link to a customer's page, for every page that names one.
 * @param {string} customerId @param {string} name
 */
export const customerLink = (customerId, name) =>
  h('a', { href: `#/customer/${encodeURIComponent(customerId)}` }, name);

/**
 * @param {HTMLElement} main
 * @param {import('../app.js').Params} params
 * @param {import('../app.js').Me} [me]
 */
export async function renderCustomer(main, params, me) {
  const [c, o] = await Promise.all([
    api(`/v1/customers/${encodeURIComponent(params.args[0])}`),
    options().catch(() => null),
  ]);
  const personName = (/** @type {string | null} */ id) =>
    id ? ([...(o?.collectors ?? []), ...(o?.salespeople ?? [])].find((u) => u.id === id)?.name ?? id) : '—';
  const ccy = (/** @type {string | undefined} */ x = undefined) => x ?? c.creditLimitCurrency ?? 'EUR';
  const open = c.invoices.filter((/** @type {any} */ i) => !TERMINAL.has(i.stage));
  const byInvoice = new Map(c.invoices.map((/** @type {any} */ i) => [i.invoiceId, i]));
  const invoiceLink = (/** @type {string | null} */ id) => {
    const i = id ? byInvoice.get(id) : null;
    return i ? h('a', { href: `#/invoice/${i.invoiceId}` }, i.number) : '—';
  };
  const currencyOf = (/** @type {string | null} */ id) => ccy(id ? byInvoice.get(id)?.currency : undefined);
  const disputed = new Set(
    c.disputes.filter((/** @type {any} */ d) => d.status === 'OPEN').map((/** @type {any} */ d) => d.invoiceId),
  );

  const head = h(
    'section.card.summary',
    { 'aria-labelledby': 'cust-title' },
    h('div.summary-head', {}, h('h1#cust-title', {}, c.name), ratingBadge(c.rating)),
    h(
      'dl.facts',
      {},
      fact(t('customerCode'), c.externalId),
      c.vatNumber ? fact(t('vat'), c.vatNumber) : null,
      c.fiscalCode ? fact(t('fiscalCode'), c.fiscalCode) : null,
      fact(t('segment'), c.segment),
      c.area ? fact(t('area'), c.area) : null,
      fact(t('collector'), personName(c.collectorId)),
      c.salespersonId ? fact(t('salesperson'), personName(c.salespersonId)) : null,
      c.orderBlocked ? fact(t('orderBlocked'), t('yes')) : null,
    ),
    h('div.actions', {}, statementButton(c), sendStatementButton(c.customerId)),
  );

  const exposure = card(
    'exposure-title',
    t('exposure'),
    c.exposure.length === 0
      ? h('p.muted', {}, t('noOpenItems'))
      : h(
          'dl.facts',
          {},
          c.exposure.map((/** @type {any} */ e) => [
            fact(t('openBalance', { currency: e.currency }), money(e.openMinor, e.currency)),
            fact(t('overdueBalance', { currency: e.currency }), money(e.overdueMinor, e.currency)),
            fact(t('openInvoices'), num(e.openInvoices)),
          ]),
          c.creditLimitMinor !== null
            ? [
                fact(t('creditLimit'), money(c.creditLimitMinor, ccy())),
                fact(t('creditLimitUsed'), pct(c.creditLimitUsedPercent)),
              ]
            : fact(t('creditLimit'), t('creditLimitNone')),
          c.creditLimitNotCounted.length ? fact(t('creditLimitNotCounted'), c.creditLimitNotCounted.join(', ')) : null,
        ),
  );

  const rating = card(
    'rating-title',
    t('ratingCard', { grade: c.rating }),
    c.ratingExplained
      ? [
          h(
            'p',
            {},
            t('ratingScore', { score: c.ratingExplained.score }),
            ' · ',
            t('ratingComputed', { at: dateTime(c.ratingExplained.computedAt) }),
          ),
          h(
            'table.data.compact',
            {},
            h('caption.sr-only', {}, t('ratingFactors')),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                [t('ratingFactor'), t('ratingValue'), t('ratingPoints')].map((x) => h('th', { scope: 'col' }, x)),
              ),
            ),
            h(
              'tbody',
              {},
              c.ratingExplained.factors.map((/** @type {any} */ f) =>
                h(
                  'tr',
                  { 'data-factor': f.factor },
                  h('td', {}, t(`factor.${f.factor}`)),
                  h(
                    'td',
                    {},
                    t(`factorValue.${f.factor}`, {
                      value: f.value === null || f.value === undefined ? 'none' : num(f.value),
                    }),
                  ),
                  h('td.num', {}, f.points > 0 ? `+${num(f.points)}` : num(f.points)),
                ),
              ),
            ),
          ),
        ]
      : h('p.muted', {}, t('ratingNotComputed')),
  );

  const contacts = card(
    'cust-contacts-title',
    t('contacts'),
    h(
      'dl.facts.compact',
      {},
      c.contacts.email ? fact(t('email'), h('a', { href: `mailto:${c.contacts.email}` }, c.contacts.email)) : null,
      c.contacts.phone ? fact(t('phone'), h('a', { href: `tel:${c.contacts.phone}` }, c.contacts.phone)) : null,
      c.contacts.pec ? fact(t('pec'), c.contacts.pec) : null,
      c.address
        ? fact(
            t('address'),
            [c.address.line, c.address.postalCode, c.address.city, c.address.province].filter(Boolean).join(', '),
          )
        : null,
      fact(t('customerLanguage'), t('langName', { lang: c.language })),
    ),
  );

  const items = card(
    'open-items-title',
    t('openItems', { n: open.length }),
    open.length === 0
      ? h('p.muted', {}, t('noOpenItems'))
      : h(
          'div.table-wrap',
          {},
          h(
            'table.data#open-items',
            {},
            h('caption.sr-only', {}, t('openItems', { n: open.length })),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                [
                  t('colInvoice'),
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
              open.map((/** @type {any} */ i) =>
                h(
                  'tr',
                  {},
                  h('td.nowrap', {}, h('a', { href: `#/invoice/${i.invoiceId}` }, i.number)),
                  h('td', {}, statusBadge(i.stage, { disputed: disputed.has(i.invoiceId) })),
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
  );

  const promises = card(
    'promises-title',
    t('promisesCard'),
    h(
      'p',
      {},
      t('promiseStats', { open: c.promises.open, kept: c.promises.kept, broken: c.promises.broken }),
      c.promises.keptRatePercent !== null
        ? ` · ${t('promiseKeptRate', { rate: pct(c.promises.keptRatePercent) })}`
        : '',
    ),
    c.promises.items.length
      ? h(
          'ul.plain',
          {},
          c.promises.items.slice(0, 20).map((/** @type {any} */ p) =>
            h(
              'li',
              {},
              invoiceLink(p.invoiceId),
              ' — ',
              t('promiseLine', {
                amount: money(p.amountMinor, currencyOf(p.invoiceId)),
                date: date(p.promisedDate),
                status: code(p.status),
              }),
            ),
          ),
        )
      : null,
  );

  const disputes = card(
    'disputes-title',
    t('disputesCard'),
    c.disputes.length
      ? h(
          'ul.plain',
          {},
          c.disputes.slice(0, 20).map((/** @type {any} */ d) =>
            h(
              'li',
              {},
              invoiceLink(d.invoiceId),
              ' — ',
              t('disputeLine', {
                reason: code(d.reasonCode),
                status: code(d.status),
                date: date(d.openedAt.slice(0, 10)),
              }),
            ),
          ),
        )
      : h('p.muted', {}, t('noItems')),
  );

  const letters = card(
    'cust-letters-title',
    t('letters'),
    c.letters.length
      ? h(
          'ul.plain',
          {},
          c.letters.map((/** @type {any} */ l) =>
            h(
              'li',
              {},
              l.href
                ? h(
                    'button.btn-link',
                    {
                      type: 'button',
                      on: { click: () => void openFile(l.href).catch((err) => toast(errorText(err))) },
                    },
                    t('letterLine', { template: l.template, date: date(l.createdAt.slice(0, 10)) }),
                  )
                : t('letterLine', { template: l.template, date: date(l.createdAt.slice(0, 10)) }),
              ' · ',
              invoiceLink(l.invoiceId),
            ),
          ),
        )
      : h('p.muted', {}, t('noItems')),
  );

  mount(
    main,
    h(
      'div.invoice-layout',
      {},
      h('div.col-main', {}, head, items, promises, disputes),
      h(
        'aside.col-side',
        { 'aria-label': t('customerFacts') },
        exposure,
        rating,
        contacts,
        letters,
        // Issuing a claim is the credit manager's decision (the API refuses collectors too).
        me && (me.role === 'manager' || me.role === 'admin') ? interestNotesCard(c.customerId) : null,
        portalLinksCard(c.customerId),
      ),
    ),
  );
}

const TERMINAL = new Set(ENUMS.terminalStages);

/**
 * The statement of account (GET /v1/customers/:id/statement) as a PDF in a new tab; a server without it says so.
 * @param {any} c
 */
function statementButton(c) {
  return h(
    'button.btn',
    {
      type: 'button',
      id: 'statement',
      on: {
        click: async () => {
          try {
            await openFile(`/v1/customers/${encodeURIComponent(c.customerId)}/statement?format=pdf`);
          } catch (err) {
            toast(isMissingRoute(err) ? t('notAvailable') : errorText(err));
          }
        },
      },
    },
    t('statementOfAccount'),
  );
}

/**
 * Sends the statement of account now (POST /v1/customers/:id/statement/send): the customer workflow mails it (e-mail,
 * else PEC) through the contact budget. One Idempotency-Key per button until it succeeds, so a double click sends once.
 * @param {string} customerId
 */
export function sendStatementButton(customerId) {
  let key = crypto.randomUUID();
  return h(
    'button.btn',
    {
      type: 'button',
      'data-action': 'send-statement',
      on: {
        click: async () => {
          try {
            await api(`/v1/customers/${encodeURIComponent(customerId)}/statement/send`, {
              method: 'POST',
              body: {},
              headers: { 'Idempotency-Key': `console-${key}` },
            });
            key = crypto.randomUUID();
            toast(t('statementQueued'));
          } catch (err) {
            toast(isMissingRoute(err) ? t('notAvailable') : errorText(err));
          }
        },
      },
    },
    t('sendStatement'),
  );
}
