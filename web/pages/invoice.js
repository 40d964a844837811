/**
 * One invoice and its customer: state, next action, timeline, letters, contacts, and the decision forms. Every
 * decision goes to the /v1 API; a refusal (400 with fields, 409, 422 from the workflow's validator) is shown inline.
 */
import { customerLink, sendStatementButton } from './customer.js';
import { api, documentHref, getKey, isMissingRoute, openFile } from '../api.js';
import { ENUMS } from '../enums.js';
import { getLang, has, t } from '../i18n.js';
import {
  amountOf,
  amountText,
  clearErrors,
  code,
  date,
  dateInput,
  dateOf,
  dateTime,
  dateTimeInput,
  dateTimeOf,
  errorText,
  field,
  h,
  money,
  num,
  pathName,
  ratingBadge,
  select,
  showError,
  stageBadge,
  toast,
  todayIso,
  mount,
} from '../ui.js';
import { statusBadge } from './status.js';

/** @typedef {any} Invoice the API's invoice detail (GET /v1/invoices/:id) */

/**
 * @param {HTMLElement} main
 * @param {import('../app.js').Params} params
 * @param {import('../app.js').Me} me
 */
export async function renderInvoice(main, params, me) {
  const id = params.args[0];
  // The decision forms need the workflow's own state (pause, pending tasks): ask it live. When it does not answer,
  // show the database mirror and say so rather than pretending it is live.
  const path = `/v1/invoices/${encodeURIComponent(id)}`;
  const inv = await api(path, { query: { live: 'true' } }).catch((/** @type {any} */ err) => {
    if (err.status === 503) return api(path);
    throw err;
  });
  const mirrorNote =
    inv.source === 'database' && !inv.sourceNote ? h('p.notice', { role: 'status' }, t('stateFromMirror')) : null;
  const customer = await api(`/v1/customers/${encodeURIComponent(inv.customerId)}`).catch((/** @type {any} */ err) => {
    if (isMissingRoute(err) || err.status === 404 || err.status === 403) return null;
    throw err;
  });
  const state = inv.state;
  const refresh = () => renderInvoice(main, params, me);

  const summary = h(
    'section.card.summary',
    { 'aria-labelledby': 'inv-title' },
    h(
      'div.summary-head',
      {},
      h('h1#inv-title', {}, t('invoiceTitle', { number: inv.number })),
      h(
        'span#stage',
        { 'data-stage': inv.stage },
        statusBadge(inv.stage, { disputed: Boolean(state?.dispute), paused: Boolean(state?.paused) }),
      ),
    ),
    h(
      'p.customer-line',
      {},
      customer ? customerLink(customer.customerId, customer.name) : '',
      customer ? ' ' : '',
      customer ? ratingBadge(customer.rating) : null,
    ),
    mirrorNote,
    h(
      'dl.facts',
      {},
      fact(t('balance'), money(inv.balanceMinor, inv.currency)),
      fact(t('amount'), money(inv.amountMinor, inv.currency)),
      fact(t('dueDate'), date(inv.dueDate)),
      fact(t('daysOverdue'), num(Math.max(0, inv.daysOverdue))),
      state?.dispute || state?.paused ? fact(t('stage'), stageBadge(inv.stage, code(inv.stage))) : null,
      fact(
        t('nextAction'),
        inv.next ? [code(inv.next.kind), inv.next.at ? ` — ${dateTime(inv.next.at)}` : ''] : t('none'),
      ),
      state?.promise
        ? fact(
            t('promise'),
            t('promiseFact', {
              amount: money(state.promise.amountMinor, inv.currency),
              date: date(state.promise.promisedDate),
              status: code(state.promise.status),
            }),
          )
        : null,
      state?.dispute ? fact(t('dispute'), `${code(state.dispute.reasonCode)} — ${state.dispute.note}`) : null,
      state?.plan
        ? fact(t('plan'), t('planFact', { n: state.plan.instalments.length, status: code(state.plan.status) }))
        : null,
      state?.paused ? fact(t('paused'), state.paused.reason) : null,
      customer?.orderBlocked ? fact(t('orderBlocked'), t('yes')) : null,
    ),
  );

  const actions = actionsPanel(inv, state, refresh, me);
  const timeline = h(
    'section.card',
    { 'aria-labelledby': 'tl-title' },
    h('h2#tl-title', {}, t('timeline')),
    (inv.timeline ?? []).length === 0
      ? h('p.muted', {}, t('noItems'))
      : h(
          'ol.timeline',
          {},
          [...inv.timeline].reverse().map((/** @type {any} */ e) =>
            h(
              'li',
              { class: `tl-${String(e.kind).toLowerCase()}`, 'data-event': e.event?.type ?? '' },
              h('time', { datetime: e.at }, dateTime(e.at)),
              h('span.tl-kind', {}, code(e.kind)),
              eventText(e, inv),
              e.ref?.type === 'ContactEvent'
                ? h(
                    'button.btn.btn-link',
                    {
                      type: 'button',
                      'data-contact': e.ref.id,
                      on: { click: () => void showSent(inv, e.ref.id) },
                    },
                    t('openSent'),
                  )
                : e.detail?.letterId
                  ? h(
                      'button.btn.btn-link',
                      { type: 'button', on: { click: () => void openLetter(inv, e.detail.letterId) } },
                      t('open'),
                    )
                  : e.ref?.type === 'Document'
                    ? h(
                        'a.btn.btn-link',
                        {
                          href: documentHref(e.ref.id),
                          download: e.event?.params?.filename ?? '',
                          'data-document': e.ref.id,
                        },
                        t('download'),
                      )
                    : null,
            ),
          ),
        ),
  );

  const letters = h(
    'section.card',
    { 'aria-labelledby': 'letters-title' },
    h('h2#letters-title', {}, t('letters')),
    (inv.letters ?? []).length === 0
      ? h('p.muted', {}, t('noItems'))
      : h(
          'ul.plain',
          {},
          inv.letters.map((/** @type {any} */ l) =>
            h(
              'li',
              {},
              h(
                'button.btn.btn-link',
                { type: 'button', on: { click: () => void openLetter(inv, l.letterId) } },
                t('letterName', { template: l.template, lang: String(l.language).toUpperCase() }),
              ),
              ' ',
              h('small.muted', {}, dateTime(l.createdAt)),
            ),
          ),
        ),
  );

  const notices = noticesCard(inv, refresh);

  const contacts = customer
    ? h(
        'section.card',
        { 'aria-labelledby': 'contacts-title' },
        h('h2#contacts-title', {}, t('contacts')),
        h(
          'dl.facts.compact',
          {},
          fact(t('customer'), customerLink(customer.customerId, customer.name)),
          customer.vatNumber ? fact(t('vat'), customer.vatNumber) : null,
          customer.contacts?.email
            ? fact(t('email'), h('a', { href: `mailto:${customer.contacts.email}` }, customer.contacts.email))
            : null,
          customer.contacts?.phone
            ? fact(t('phone'), h('a', { href: `tel:${customer.contacts.phone}` }, customer.contacts.phone))
            : null,
          customer.contacts?.pec
            ? fact(
                t('pec'),
                [
                  customer.contacts.pec,
                  customer.contacts.pecSource ? ` · ${code(customer.contacts.pecSource)}` : '',
                  customer.contacts.pecVerifiedAt
                    ? ` · ${t('pecVerified', { date: date(customer.contacts.pecVerifiedAt.slice(0, 10)) })}`
                    : '',
                ].join(''),
              )
            : null,
          customer.address
            ? fact(
                t('address'),
                [customer.address.line, customer.address.postalCode, customer.address.city, customer.address.province]
                  .filter(Boolean)
                  .join(', '),
              )
            : null,
          fact(t('segment'), customer.segment),
          customer.area ? fact(t('area'), customer.area) : null,
        ),
        // Sending is a decision: a salesperson only reads (and asks for pauses).
        me?.role === 'salesperson' ? null : h('div.actions', {}, sendStatementButton(customer.customerId)),
      )
    : null;

  const others = customer
    ? h(
        'section.card',
        { 'aria-labelledby': 'others-title' },
        h('h2#others-title', {}, t('otherInvoices')),
        customer.invoices.length < 2
          ? h('p.muted', {}, t('noItems'))
          : h(
              'ul.plain',
              {},
              customer.invoices
                .filter((/** @type {any} */ o) => o.invoiceId !== inv.invoiceId)
                .slice(0, 20)
                .map((/** @type {any} */ o) =>
                  h(
                    'li',
                    {},
                    h('a', { href: `#/invoice/${o.invoiceId}` }, o.number),
                    ' ',
                    stageBadge(o.stage, code(o.stage)),
                    ' ',
                    money(o.balanceMinor, o.currency),
                  ),
                ),
            ),
      )
    : null;

  mount(
    main,
    h(
      'div.invoice-layout',
      {},
      h('div.col-main', {}, summary, actions, timeline),
      h('aside.col-side', { 'aria-label': t('contacts') }, contacts, notices, letters, others),
    ),
  );
}

/** @param {Invoice} inv @param {string} letterId */
async function openLetter(inv, letterId) {
  try {
    await openFile(`/v1/invoices/${encodeURIComponent(inv.invoiceId)}/letters/${encodeURIComponent(letterId)}`);
  } catch (err) {
    toast(errorText(err));
  }
}
/** Saves a file the API returns (a receipt .eml) under its own name. @param {string} href @param {string} name */
async function downloadReceipt(href, name) {
  try {
    const res = await fetch(href, { headers: { Authorization: `Bearer ${getKey() ?? ''}` } });
    if (!res.ok) throw new Error(`${res.status}`);
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (err) {
    toast(errorText(err));
  }
}

/**
 * PEC and registered letters of the invoice with their proofs: each receipt downloadable as the provider wrote it,
 * and for letters a small form to record the raccomandata's number, delivery date or return.
 */
function noticesCard(inv, refresh) {
  const list = inv.notices ?? [];
  return h(
    'section.card',
    { 'aria-labelledby': 'notices-title', 'data-card': 'notices' },
    h('h2#notices-title', {}, t('notices')),
    list.length === 0
      ? h('p.muted', {}, t('noItems'))
      : h(
          'ul.plain',
          {},
          list.map((n) =>
            h(
              'li',
              { 'data-notice': n.contactEventId },
              h('strong', {}, `${code(n.channel)} · ${code(n.stage)}`),
              ' ',
              h('span', { 'data-status': n.status }, code(n.status)),
              n.registeredNumber ? h('div.muted', {}, `${t('registeredNumber')} ${n.registeredNumber}`) : null,
              n.deliveredAt ? h('div', {}, t('noticeDelivered', { date: dateTime(n.deliveredAt) })) : null,
              h(
                'ul.plain',
                {},
                n.receipts.map((r) =>
                  h(
                    'li',
                    {},
                    `${code(r.kind)} — ${dateTime(r.occurredAt)}${r.detail ? ` (${r.detail})` : ''} `,
                    r.href
                      ? h(
                          'button.btn.btn-link',
                          {
                            type: 'button',
                            'data-receipt': r.receiptId,
                            title: `SHA-256 ${r.sha256}`,
                            on: {
                              click: () =>
                                void downloadReceipt(
                                  r.href,
                                  `${inv.number}-${r.kind}-${r.occurredAt.slice(0, 10)}.eml`,
                                ),
                            },
                          },
                          t('receiptDownload'),
                        )
                      : null,
                  ),
                ),
              ),
              n.channel === 'LETTER' ? registeredMailForm(inv, n, refresh) : null,
            ),
          ),
        ),
  );
}

function registeredMailForm(inv, notice, refresh) {
  return decisionForm(
    `registered-${notice.contactEventId}`,
    [
      h('h3', {}, t('registeredRecord')),
      field(
        t('registeredEvent'),
        select(
          'event',
          ['POSTED', 'DELIVERED', 'RETURNED'].map((e) => [e, code(e)]),
          'DELIVERED',
        ),
      ),
      field(
        t('registeredNumber'),
        input('number', { value: notice.registeredNumber ?? '', autocomplete: 'off', maxlength: '31' }),
      ),
      field(t('registeredDate'), dateInput('date', todayIso(), { required: true })),
      field(t('registeredReason'), input('reason', { maxlength: '300' })),
    ],
    (form) =>
      api(`/v1/invoices/${inv.invoiceId}/registered-mail`, {
        method: 'POST',
        body: clean({
          contactEventId: notice.contactEventId,
          event: val(form, 'event'),
          number: val(form, 'number'),
          date: dateOf(val(form, 'date'), 'date'),
          reason: val(form, 'reason'),
        }),
      }),
    t('done'),
    refresh,
    inv,
  );
}

/** Parameters named so are codes shown in words; `…Minor` are money in the invoice's currency; these are dates. */
const CODE_PARAMS = ['stage', 'status', 'reasonCode', 'kind', 'channel', 'outcome', 'step', 'notice'];
const DATE_PARAMS = ['promisedDate', 'paidOn', 'until', 'date', 'dueDate'];
/** Optional parts a message shows only when present (`{hasTemplate, select, yes {…} other {}}`). */
const OPTIONAL_PARAMS = ['template', 'outcome', 'until', 'amountMinor', 'note', 'skipped', 'reasonCode'];

/**
 * One timeline entry in the user's language, from its structured event (`event.type` + `event.params`, built by the
 * API); an entry the catalogue has no sentence for keeps the API's text, marked as English.
 * @param {any} e @param {Invoice} inv
 */
function eventText(e, inv) {
  const type = e.event?.type;
  if (!type || type === 'text' || !has(`tl.${type}`)) return h('span.tl-summary', { lang: 'en' }, e.summary);
  /** @type {Record<string, string | number>} */
  const values = {};
  for (const [k, v] of Object.entries(e.event.params ?? {})) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'number' && k.endsWith('Minor')) values[k] = money(v, inv.currency);
    else if (typeof v === 'string' && DATE_PARAMS.includes(k)) values[k] = date(v);
    else if (typeof v === 'string' && CODE_PARAMS.includes(k)) values[k] = code(v);
    else values[k] = typeof v === 'number' ? v : String(v);
  }
  for (const k of OPTIONAL_PARAMS) {
    const v = e.event.params?.[k];
    values[`has${k[0].toUpperCase()}${k.slice(1)}`] = v === null || v === undefined || v === '' ? 'no' : 'yes';
  }
  values.direction = e.event.params?.direction ?? 'OUT';
  if (type === 'notification') values.role = t('role', { role: String(e.event.params?.role ?? '') });
  values.kind = e.event.params?.kind && type === 'adjustment' ? e.event.params.kind : (values.kind ?? '');
  return h('span.tl-summary', {}, t(`tl.${type}`, values));
}

/**
 * What was actually sent on a contact, in a dialog: the e-mail as the debtor received it (recipient, subject, the
 * text), the SMS or the call script, with the attached letter's PDF when there is one.
 * @param {Invoice} inv @param {string} contactId
 */
async function showSent(inv, contactId) {
  let c;
  try {
    c = await api(`/v1/invoices/${encodeURIComponent(inv.invoiceId)}/contacts/${encodeURIComponent(contactId)}`);
  } catch (err) {
    toast(errorText(err));
    return;
  }
  const dialog = h(
    'dialog.sent',
    { 'aria-labelledby': 'sent-title', lang: c.language ?? getLang() },
    h('h2#sent-title', { lang: getLang() }, code(c.channel), c.template ? ` — ${c.template}` : ''),
    h(
      'dl.facts.compact',
      { lang: getLang() },
      c.recipient ? fact(t('sentTo', { to: '' }).replace(/[:\s]+$/, ''), c.recipient) : null,
      fact(t('state'), code(c.status)),
      c.sentAt || c.createdAt ? fact(t('sentAt', { at: '' }).trim(), dateTime(c.sentAt ?? c.createdAt)) : null,
      c.subject ? fact(t('subject'), c.subject) : null,
    ),
    c.text
      ? h('pre.sent-text', { 'aria-label': t('messageText'), tabindex: '0' }, c.text)
      : h('p.muted', { lang: getLang() }, t('noCopy')),
    h(
      'div.buttons',
      { lang: getLang() },
      c.letterId
        ? h('button.btn', { type: 'button', on: { click: () => void openLetter(inv, c.letterId) } }, t('attachment'))
        : null,
      h('button.btn.btn-primary', { type: 'button', on: { click: () => dialog.close() } }, t('close')),
    ),
  );
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

/** @param {string} label @param {import('../ui.js').Child} value */
const fact = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, value));

/** The decision buttons; each opens its form below them (one at a time). */
/**
 * @param {Invoice} inv @param {any} state @param {() => Promise<void>} refresh
 * @param {import('../app.js').Me} me
 */
function actionsPanel(inv, state, refresh, me) {
  const closed = ENUMS.terminalStages.includes(inv.stage);
  const manager = me?.role === 'manager' || me?.role === 'admin';
  const panel = h('div.action-panel#action-panel');
  const callTasks = (state?.pendingTasks ?? []).filter(
    (/** @type {any} */ x) => x.kind === 'CALL' || x.kind === 'CALLBACK',
  );
  // The collector's decisions first; then what the API leaves to the credit manager (plans, resolving disputes,
  // write-offs), and pause / resume as the state calls for them.
  // A salesperson reads, and asks a credit manager for a pause: that request is their only action.
  const salesperson = me?.role === 'salesperson';
  /** @type {Record<string, () => HTMLElement>} */
  const forms = salesperson
    ? state?.paused
      ? {}
      : { pauseRequest: () => pauseRequestForm(inv, refresh) }
    : {
        // An invoice that arrived overdue in a TRIAGE entry band: a person chooses where it enters the cadence.
        ...(state?.triage ? { triage: () => triageForm(inv, state.triage, refresh) } : {}),
        promise: () => promiseForm(inv, refresh),
        dispute: () => disputeForm(inv, refresh),
        plan: () => planForm(inv, refresh),
        call: () => callForm(inv, callTasks, refresh),
        remind: () => remindForm(inv, refresh),
        note: () => noteForm(inv, refresh),
        ...(manager && state?.dispute ? { resolve: () => resolveForm(inv, refresh) } : {}),
        ...(state?.paused ? { resume: () => resumeForm(inv, refresh) } : { pause: () => pauseForm(inv, refresh) }),
        ...(manager ? { writeOff: () => writeOffForm(inv, refresh) } : {}),
      };
  /** @type {Record<string, string>} */
  const labels = {
    promise: 'recordPromise',
    dispute: 'openDispute',
    plan: 'proposePlan',
    call: 'completeCall',
    remind: 'sendReminderNow',
    note: 'addNote',
    resolve: 'resolveDispute',
    pause: 'pause',
    resume: 'resume',
    writeOff: 'writeOff',
    pauseRequest: 'requestPause',
    triage: 'chooseEntry',
  };
  // Repayment plans are the credit manager's decision (the API answers 403 to a collector): say so up front.
  const managerOnly = (/** @type {string} */ k) => k === 'plan' && !manager;
  const buttons = Object.keys(forms).map((k) =>
    h(
      'button.btn',
      {
        type: 'button',
        'data-action': k,
        'aria-expanded': 'false',
        'aria-controls': 'action-panel',
        disabled: (closed && k !== 'note') || managerOnly(k) ? 'disabled' : null,
        title: managerOnly(k) ? t('managerOnly') : null,
        on: {
          click: (/** @type {MouseEvent} */ e) => {
            const target = /** @type {HTMLElement} */ (e.currentTarget);
            const open = target.getAttribute('aria-expanded') === 'true';
            buttons.forEach((b) => b.setAttribute('aria-expanded', 'false'));
            panel.replaceChildren();
            if (open) return;
            target.setAttribute('aria-expanded', 'true');
            const form = forms[k]();
            panel.append(form);
            /** @type {HTMLElement | null} */ (form.querySelector('input, select, textarea'))?.focus();
          },
        },
      },
      t(labels[k]),
    ),
  );
  return h(
    'section.card',
    { 'aria-labelledby': 'actions-title' },
    h('h2#actions-title', {}, t('actions')),
    h('div.buttons', {}, buttons),
    manager ? null : h('small.hint', {}, t('planHint')),
    panel,
  );
}

/** A decision form: collects the body, posts it, shows the refusal inline or refreshes the page on success. */
/**
 * @param {string} name @param {import('../ui.js').Child[]} children
 * @param {(form: HTMLFormElement) => Promise<unknown>} submit
 * @param {string} okMessage @param {() => Promise<void>} refresh @param {Invoice} inv
 */
function decisionForm(name, children, submit, okMessage, refresh, inv) {
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1', 'data-error': name });
  const form = h(
    'form.decision',
    {
      'data-form': name,
      novalidate: true,
      on: {
        submit: async (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          clearErrors(form, errorBox);
          const btn = form.querySelector('button[type=submit]');
          btn.disabled = true;
          try {
            await submit(form);
            toast(okMessage);
            await refresh();
          } catch (err) {
            showError(errorBox, err, form, { money: (m) => money(m, inv.currency), date, nameOf: fieldName });
          } finally {
            btn.disabled = false;
          }
        },
      },
    },
    children,
    errorBox,
    h('div.buttons', {}, h('button.btn.btn-primary', { type: 'submit' }, t('send'))),
  );
  return form;
}

/** A field path in words: "Rata 2 — Importo" for `instalments.1.amountMinor`. @param {string} path */
function fieldName(path) {
  const m = /^instalments\.(\d+)\.(\w+)$/.exec(path);
  return m ? `${t('instalment', { n: Number(m[1]) + 1 })} — ${pathName(m[2])}` : pathName(path);
}

/** @param {string} name @param {Record<string, unknown>} [attrs] */
const input = (name, attrs = {}) => h('input', { name, 'data-path': attrs.path ?? name, ...attrs, path: null });
/** @param {string} name @param {Record<string, unknown>} [attrs] */
const textarea = (name, attrs = {}) =>
  h('textarea', { name, rows: 3, 'data-path': attrs.path ?? name, ...attrs, path: null });
/** @param {HTMLFormElement} form @param {string} name @returns {string} */
const val = (form, name) => /** @type {any} */ (form.elements.namedItem(name))?.value?.trim() ?? '';
/** Enum values as select options, in words. @param {readonly string[]} list @param {string} [prefix] */
const options = (list, prefix = '') => list.map((x) => [x, code(`${prefix}${x}`)]);

/** @param {Invoice} inv @param {() => Promise<void>} refresh */
function promiseForm(inv, refresh) {
  return decisionForm(
    'promise',
    [
      field(t('promisedDate'), dateInput('promisedDate', todayIso(7), { required: true })),
      field(
        t('amountOptional'),
        input('amount', {
          inputmode: 'decimal',
          path: 'amountMinor',
          placeholder: amountText(inv.balanceMinor, inv.currency),
        }),
        t('amountHint', { currency: inv.currency, example: amountText(1_250_000, inv.currency) }),
      ),
      field(t('note'), textarea('note')),
    ],
    (form) =>
      api(`/v1/invoices/${inv.invoiceId}/promise`, {
        method: 'POST',
        body: clean({
          promisedDate: dateOf(val(form, 'promisedDate'), 'promisedDate'),
          amountMinor: amountOf(val(form, 'amount'), inv.currency, 'amountMinor'),
          note: val(form, 'note'),
        }),
      }),
    t('promiseRecorded'),
    refresh,
    inv,
  );
}

/** @param {Invoice} inv @param {() => Promise<void>} refresh */
function disputeForm(inv, refresh) {
  return decisionForm(
    'dispute',
    [
      field(t('reason'), select('reasonCode', options(ENUMS.disputeReasons), 'OTHER', { 'data-path': 'reasonCode' })),
      field(t('note'), textarea('note', { required: true })),
    ],
    (form) =>
      api(`/v1/invoices/${inv.invoiceId}/dispute`, {
        method: 'POST',
        body: { reasonCode: val(form, 'reasonCode'), note: val(form, 'note') },
      }),
    t('disputeOpened'),
    refresh,
    inv,
  );
}

/** @param {Invoice} inv @param {() => Promise<void>} refresh */
function planForm(inv, refresh) {
  const rows = h('div.instalments');
  /** @param {string} dateValue @param {string} amountValue */
  const addRow = (dateValue, amountValue) => {
    const i = rows.children.length;
    rows.append(
      h(
        'fieldset.instalment',
        {},
        h('legend', {}, t('instalment', { n: i + 1 })),
        field(t('dueDate'), dateInput(`date${i}`, dateValue, { 'data-path': `instalments.${i}.dueDate` })),
        field(
          t('amount'),
          input(`amount${i}`, { inputmode: 'decimal', value: amountValue, path: `instalments.${i}.amountMinor` }),
        ),
      ),
    );
  };
  const half = Math.floor(inv.balanceMinor / 2);
  addRow(todayIso(30), amountText(half, inv.currency));
  addRow(todayIso(60), amountText(inv.balanceMinor - half, inv.currency));
  return decisionForm(
    'plan',
    [
      h('p.muted', {}, `${t('balance')}: ${money(inv.balanceMinor, inv.currency)}`),
      rows,
      h('button.btn.btn-small', { type: 'button', on: { click: () => addRow(todayIso(90), '') } }, t('addInstalment')),
      field(t('note'), textarea('note')),
    ],
    (form) =>
      api(`/v1/invoices/${inv.invoiceId}/repayment-plan`, {
        method: 'POST',
        body: clean({
          instalments: [...rows.children].map((_, i) => ({
            dueDate: dateOf(val(form, `date${i}`), `instalments.${i}.dueDate`),
            amountMinor: amountOf(val(form, `amount${i}`), inv.currency, `instalments.${i}.amountMinor`),
          })),
          note: val(form, 'note'),
        }),
      }),
    t('planProposed'),
    refresh,
    inv,
  );
}

/** @param {Invoice} inv @param {any[]} tasks @param {() => Promise<void>} refresh */
function callForm(inv, tasks, refresh) {
  if (tasks.length === 0) return h('p.muted', {}, t('noOpenCall'));
  const outcome = select('outcome', options(ENUMS.callOutcomes), 'REACHED', { 'data-path': 'outcome' });
  const extra = h('div.extra');
  const showExtra = () => {
    extra.replaceChildren();
    if (outcome.value === 'PROMISE')
      extra.append(
        field(t('promisedDate'), dateInput('promisedDate', todayIso(7), { 'data-path': 'promise.promisedDate' })),
      );
    if (outcome.value === 'DISPUTE')
      extra.append(
        field(
          t('reason'),
          select('disputeReason', options(ENUMS.disputeReasons), 'OTHER', { 'data-path': 'dispute.reasonCode' }),
        ),
      );
    if (outcome.value === 'CALLBACK') extra.append(field(t('callbackAt'), dateTimeInput('callbackAt')));
  };
  outcome.addEventListener('change', showExtra);
  showExtra();
  return decisionForm(
    'call',
    [
      field(
        t('task'),
        select(
          'taskId',
          tasks.map((x) => [x.taskId, `${code(x.kind)} — ${dateTime(x.dueAt)}`]),
          tasks[0].taskId,
        ),
      ),
      field(t('outcome'), outcome),
      field(
        t('reasonCode'),
        select('reasonCode', [['', '—'], ...options(ENUMS.nonPaymentReasons)], '', {
          'data-path': 'reasonCode',
        }),
      ),
      extra,
      field(t('note'), textarea('note')),
    ],
    (form) => {
      const o = val(form, 'outcome');
      const note = val(form, 'note');
      const cb = val(form, 'callbackAt');
      return api(`/v1/tasks/${encodeURIComponent(val(form, 'taskId'))}/complete`, {
        method: 'POST',
        body: clean({
          outcome: o,
          reasonCode: val(form, 'reasonCode'),
          note,
          promise:
            o === 'PROMISE' ? { promisedDate: dateOf(val(form, 'promisedDate'), 'promise.promisedDate') } : undefined,
          dispute:
            o === 'DISPUTE'
              ? { reasonCode: val(form, 'disputeReason'), note: note || code(val(form, 'disputeReason')) }
              : undefined,
          callbackAt: o === 'CALLBACK' ? dateTimeOf(cb, 'callbackAt') : undefined,
        }),
      });
    },
    t('callLogged'),
    refresh,
    inv,
  );
}

/** @param {Invoice} inv @param {() => Promise<void>} refresh */
function noteForm(inv, refresh) {
  return decisionForm(
    'note',
    [
      field(t('note'), textarea('body', { required: true })),
      field(t('document'), h('input', { type: 'file', name: 'file', 'data-path': 'file' })),
    ],
    async (form) => {
      const file = /** @type {HTMLInputElement} */ (form.elements.namedItem('file')).files?.[0];
      const body = val(form, 'body');
      if (file) {
        const fd = new FormData();
        fd.append('kind', 'DOCUMENT');
        fd.append('invoiceId', inv.invoiceId);
        if (body) fd.append('note', body);
        fd.append('file', file);
        await api(`/v1/customers/${inv.customerId}/contacts`, { method: 'POST', body: fd });
        return;
      }
      await api(`/v1/customers/${inv.customerId}/contacts`, {
        method: 'POST',
        body: { kind: 'NOTE', invoiceId: inv.invoiceId, body },
      });
    },
    t('noteAdded'),
    refresh,
    inv,
  );
}

/** Drops empty strings and undefined so optional fields are absent rather than blank. */
/** @param {Record<string, unknown>} o */
function clean(o) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));
}

/**
 * The credit manager's resolution of the open dispute (also offered on the agenda's REVIEW_DISPUTE rows).
 * @param {Pick<Invoice, 'invoiceId' | 'currency'>} inv @param {() => Promise<void>} refresh
 */
export function resolveForm(inv, refresh) {
  const outcome = select('outcome', options(ENUMS.disputeResolutions, 'RESOLVE_'), 'REJECTED', {
    'data-path': 'outcome',
  });
  return decisionForm(
    'resolve',
    [
      field(t('outcome'), outcome),
      field(t('newBalance'), input('newBalance', { inputmode: 'decimal', path: 'newBalanceMinor' })),
      field(t('note'), textarea('note')),
    ],
    (form) =>
      api(`/v1/invoices/${inv.invoiceId}/dispute/resolve`, {
        method: 'POST',
        body: clean({
          outcome: val(form, 'outcome'),
          newBalanceMinor:
            val(form, 'outcome') === 'PARTIAL'
              ? amountOf(val(form, 'newBalance'), inv.currency, 'newBalanceMinor')
              : undefined,
          note: val(form, 'note'),
        }),
      }),
    t('done'),
    refresh,
    inv,
  );
}

/** @param {Invoice} inv @param {() => Promise<void>} refresh */
function pauseForm(inv, refresh) {
  return decisionForm(
    'pause',
    [field(t('reason'), input('reason', { required: true })), field(t('pauseUntil'), dateTimeInput('until'))],
    (form) =>
      api(`/v1/invoices/${inv.invoiceId}/pause`, {
        method: 'POST',
        body: clean({
          reason: val(form, 'reason'),
          until: dateTimeOf(val(form, 'until'), 'until'),
        }),
      }),
    t('done'),
    refresh,
    inv,
  );
}

/** The salesperson's request: a reason and the last day of the pause; a credit manager decides. */
/** @param {Invoice} inv @param {() => Promise<void>} refresh */
function pauseRequestForm(inv, refresh) {
  return decisionForm(
    'pauseRequest',
    [
      field(t('reason'), input('reason', { required: true })),
      field(t('pauseLastDay'), dateInput('until', '', { required: true })),
      h('p.muted', {}, t('pauseRequestHelp')),
    ],
    (form) =>
      api(`/v1/invoices/${inv.invoiceId}/pause-requests`, {
        method: 'POST',
        body: { reason: val(form, 'reason'), until: dateOf(val(form, 'until'), 'until') },
      }),
    t('pauseRequested'),
    refresh,
    inv,
  );
}

/** @param {Invoice} inv @param {() => Promise<void>} refresh */
function resumeForm(inv, refresh) {
  return decisionForm(
    'resume',
    [field(t('note'), textarea('note'))],
    (form) => api(`/v1/invoices/${inv.invoiceId}/resume`, { method: 'POST', body: clean({ note: val(form, 'note') }) }),
    t('done'),
    refresh,
    inv,
  );
}

/**
 * Sends the invoice's current reminder now (the policy's last REMINDER step, else the next) on that step's channels;
 * the schedule does not move. The workflow refuses it while disputed, paused or in legal action, before the due date
 * and when one already went out today: the refusal is shown in the user's language (`reason.*`).
 * @param {Invoice} inv @param {() => Promise<void>} refresh
 */
function remindForm(inv, refresh) {
  return decisionForm(
    'remind',
    [h('p.muted', {}, t('sendReminderNowHelp')), field(t('note'), textarea('note'))],
    (form) => api(`/v1/invoices/${inv.invoiceId}/remind`, { method: 'POST', body: clean({ note: val(form, 'note') }) }),
    t('reminderSentNow'),
    refresh,
    inv,
  );
}

/**
 * Triage of an invoice that arrived already overdue: where it enters the cadence (its first step, or a stage of its
 * policy; the workflow refuses a stage the policy lacks). Nothing was sent before this choice.
 * @param {Invoice} inv @param {{ daysOverdue: number, minDaysOverdue: number }} triage @param {() => Promise<void>} refresh
 */
function triageForm(inv, triage, refresh) {
  return decisionForm(
    'triage',
    [
      h('p.muted', {}, t('triageHelp', { days: triage.daysOverdue, min: triage.minDaysOverdue })),
      field(
        t('entryAt'),
        select('enterAt', [['START', t('entryStart')], ...ENUMS.entryStages.map((s) => [s, code(s)])], 'START'),
      ),
      field(t('note'), textarea('note')),
    ],
    (form) =>
      api(`/v1/invoices/${inv.invoiceId}/triage`, {
        method: 'POST',
        body: clean({ enterAt: val(form, 'enterAt'), note: val(form, 'note') }),
      }),
    t('done'),
    refresh,
    inv,
  );
}

/** @param {Invoice} inv @param {() => Promise<void>} refresh */
function writeOffForm(inv, refresh) {
  return decisionForm(
    'writeOff',
    [field(t('reason'), input('reason', { required: true }))],
    (form) => api(`/v1/invoices/${inv.invoiceId}/write-off`, { method: 'POST', body: { reason: val(form, 'reason') } }),
    t('done'),
    refresh,
    inv,
  );
}
