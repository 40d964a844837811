/**
 * One invoice and its customer: state, next action, timeline, letters, contacts, and the decision forms. Every
 * decision goes to the /v1 API; a refusal (400 with fields, 409, 422 from the workflow's validator) is shown inline.
 */
import { api, getKey, isMissingRoute, openFile } from '../api.js';
import { code, t } from '../i18n.js';
import {
  clearErrors,
  date,
  dateTime,
  field,
  h,
  money,
  ratingBadge,
  select,
  showError,
  stageBadge,
  toast,
  mount,
} from '../ui.js';

const DISPUTE_REASONS = [
  'GOODS_NOT_RECEIVED',
  'DEFECTIVE_GOODS',
  'PRICE_DISAGREEMENT',
  'SERVICE_NOT_RENDERED',
  'DUPLICATE_INVOICE',
  'ALREADY_PAID',
  'WRONG_CUSTOMER',
  'OTHER',
];
const CALL_OUTCOMES = ['REACHED', 'NO_ANSWER', 'WRONG_NUMBER', 'PROMISE', 'DISPUTE', 'CALLBACK'];
const NON_PAYMENT_REASONS = [
  'LIQUIDITY',
  'FORGOT',
  'DISPUTE',
  'WAITING_APPROVAL',
  'INVOICE_NOT_RECEIVED',
  'WRONG_DATA',
  'INSOLVENCY',
  'UNREACHABLE',
  'OTHER',
];

/** "1.234,56" or "1234.56" or "1234" (major units) → integer minor units; '' → undefined; junk → NaN (the API says why). */
export function toMinor(text) {
  const s = String(text ?? '').replace(/[\s€]/g, '');
  if (!s) return undefined;
  const normal = s.includes(',') ? s.replace(/\./g, '').replace(',', '.') : s;
  if (!/^\d+(\.\d{1,2})?$/.test(normal)) return Number.NaN;
  return Math.round(Number(normal) * 100);
}

const isoToday = (plusDays = 0) => {
  const d = new Date();
  d.setDate(d.getDate() + plusDays);
  return d.toISOString().slice(0, 10);
};

export async function renderInvoice(main, params, me) {
  const id = params.args[0];
  // The decision forms need the workflow's own state (pause, pending tasks): ask it live. When it does not answer,
  // show the database mirror and say so rather than pretending it is live.
  const path = `/v1/invoices/${encodeURIComponent(id)}`;
  const inv = await api(path, { query: { live: 'true' } }).catch((err) => {
    if (err.status === 503) return api(path);
    throw err;
  });
  const customer = await api(`/v1/customers/${encodeURIComponent(inv.customerId)}`).catch((err) => {
    if (isMissingRoute(err) || err.status === 404 || err.status === 403) return null;
    throw err;
  });
  const state = inv.state;
  const mirrorNote =
    inv.source === 'database' && !inv.sourceNote ? h('p.notice', { role: 'status' }, t('stateFromMirror')) : null;
  const refresh = () => renderInvoice(main, params, me);

  const summary = h(
    'section.card.summary',
    { 'aria-labelledby': 'inv-title' },
    h(
      'div.summary-head',
      {},
      h('h1#inv-title', {}, `${t('invoice')} ${inv.number}`),
      h('span#stage', { 'data-stage': inv.stage }, stageBadge(inv.stage, code(inv.stage))),
    ),
    h(
      'p.customer-line',
      {},
      customer ? customer.name : '',
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
      fact(t('daysOverdue'), String(Math.max(0, inv.daysOverdue))),
      fact(
        t('nextAction'),
        inv.next ? [code(inv.next.kind), inv.next.at ? ` — ${dateTime(inv.next.at)}` : ''] : t('none'),
      ),
      state?.promise
        ? fact(
            t('promise'),
            `${money(state.promise.amountMinor, inv.currency)} — ${date(state.promise.promisedDate)} (${code(state.promise.status)})`,
          )
        : null,
      state?.dispute ? fact(t('dispute'), `${code(state.dispute.reasonCode)} — ${state.dispute.note}`) : null,
      state?.plan ? fact(t('plan'), `${state.plan.instalments.length} × (${code(state.plan.status)})`) : null,
      state?.paused ? fact(t('paused'), state.paused.reason) : null,
      customer?.orderBlocked ? fact(t('orderBlocked'), '✔') : null,
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
          [...inv.timeline]
            .reverse()
            .map((e) =>
              h(
                'li',
                { class: `tl-${String(e.kind).toLowerCase()}` },
                h('time', { datetime: e.at }, dateTime(e.at)),
                h('span.tl-kind', {}, code(e.kind)),
                h('span.tl-summary', {}, e.summary),
                e.detail?.letterId
                  ? h(
                      'button.btn.btn-link',
                      { type: 'button', on: { click: () => void openLetter(inv, e.detail.letterId) } },
                      t('open'),
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
          inv.letters.map((l) =>
            h(
              'li',
              {},
              h(
                'button.btn.btn-link',
                { type: 'button', on: { click: () => void openLetter(inv, l.letterId) } },
                `${l.template} (${l.language.toUpperCase()})`,
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
          fact(t('customer'), customer.name),
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
                .filter((o) => o.invoiceId !== inv.invoiceId)
                .slice(0, 20)
                .map((o) =>
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

async function openLetter(inv, letterId) {
  try {
    await openFile(`/v1/invoices/${encodeURIComponent(inv.invoiceId)}/letters/${encodeURIComponent(letterId)}`);
  } catch (err) {
    toast(err.message);
  }
}

/** Saves a file the API returns (a receipt .eml) under its own name. */
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
    toast(err.message);
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
        ),
      ),
      field(
        t('registeredNumber'),
        input('number', { value: notice.registeredNumber ?? '', autocomplete: 'off', maxlength: '31' }),
      ),
      field(t('registeredDate'), input('date', { type: 'date', required: true, max: isoToday(), value: isoToday() })),
      field(t('registeredReason'), input('reason', { maxlength: '300' })),
    ],
    (form) =>
      api(`/v1/invoices/${inv.invoiceId}/registered-mail`, {
        method: 'POST',
        body: clean({
          contactEventId: notice.contactEventId,
          event: val(form, 'event'),
          number: val(form, 'number'),
          date: val(form, 'date'),
          reason: val(form, 'reason'),
        }),
      }),
    t('done'),
    refresh,
  );
}

const fact = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, value));

/** The decision buttons; each opens its form below them (one at a time). */
function actionsPanel(inv, state, refresh, me) {
  const closed = ['PAID', 'SETTLED', 'WRITTEN_OFF', 'LEGAL_CLOSED', 'CANCELLED'].includes(inv.stage);
  const manager = me?.role === 'manager' || me?.role === 'admin';
  const panel = h('div.action-panel#action-panel');
  const callTasks = (state?.pendingTasks ?? []).filter((x) => x.kind === 'CALL' || x.kind === 'CALLBACK');
  // The collector's decisions first; then what the API leaves to the credit manager (plans, resolving disputes,
  // write-offs), and pause / resume as the state calls for them.
  const forms = {
    promise: () => promiseForm(inv, refresh),
    dispute: () => disputeForm(inv, refresh),
    plan: () => planForm(inv, refresh),
    call: () => callForm(inv, callTasks, refresh),
    note: () => noteForm(inv, refresh),
    ...(manager && state?.dispute ? { resolve: () => resolveForm(inv, refresh) } : {}),
    ...(state?.paused ? { resume: () => resumeForm(inv, refresh) } : { pause: () => pauseForm(inv, refresh) }),
    ...(manager ? { writeOff: () => writeOffForm(inv, refresh) } : {}),
  };
  const labels = {
    promise: 'recordPromise',
    dispute: 'openDispute',
    plan: 'proposePlan',
    call: 'completeCall',
    note: 'addNote',
    resolve: 'resolveDispute',
    pause: 'pause',
    resume: 'resume',
    writeOff: 'writeOff',
  };
  // Repayment plans are the credit manager's decision (the API answers 403 to a collector): say so up front.
  const managerOnly = (k) => k === 'plan' && !manager;
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
          click: (e) => {
            const open = e.currentTarget.getAttribute('aria-expanded') === 'true';
            buttons.forEach((b) => b.setAttribute('aria-expanded', 'false'));
            panel.replaceChildren();
            if (open) return;
            e.currentTarget.setAttribute('aria-expanded', 'true');
            const form = forms[k]();
            panel.append(form);
            form.querySelector('input, select, textarea')?.focus();
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
function decisionForm(name, children, submit, okMessage, refresh) {
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1', 'data-error': name });
  const form = h(
    'form.decision',
    {
      'data-form': name,
      novalidate: true,
      on: {
        submit: async (e) => {
          e.preventDefault();
          clearErrors(form, errorBox);
          const btn = form.querySelector('button[type=submit]');
          btn.disabled = true;
          try {
            await submit(form);
            toast(okMessage);
            await refresh();
          } catch (err) {
            showError(errorBox, err, form);
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

const input = (name, attrs = {}) => h('input', { name, 'data-path': attrs.path ?? name, ...attrs, path: null });
const textarea = (name, attrs = {}) =>
  h('textarea', { name, rows: 3, 'data-path': attrs.path ?? name, ...attrs, path: null });
const val = (form, name) => form.elements[name]?.value?.trim() ?? '';

function promiseForm(inv, refresh) {
  return decisionForm(
    'promise',
    [
      field(
        t('promisedDate'),
        input('promisedDate', { type: 'date', required: true, min: isoToday(), value: isoToday(7) }),
      ),
      field(
        t('amountOptional'),
        input('amount', {
          inputmode: 'decimal',
          path: 'amountMinor',
          placeholder: (inv.balanceMinor / 100).toFixed(2),
        }),
      ),
      field(t('note'), textarea('note')),
    ],
    (form) =>
      api(`/v1/invoices/${inv.invoiceId}/promise`, {
        method: 'POST',
        body: clean({
          promisedDate: val(form, 'promisedDate'),
          amountMinor: toMinor(val(form, 'amount')),
          note: val(form, 'note'),
        }),
      }),
    t('promiseRecorded'),
    refresh,
  );
}

function disputeForm(inv, refresh) {
  return decisionForm(
    'dispute',
    [
      field(
        t('reason'),
        select(
          'reasonCode',
          DISPUTE_REASONS.map((r) => [r, code(r)]),
          'OTHER',
          { 'data-path': 'reasonCode' },
        ),
      ),
      field(t('note'), textarea('note', { required: true })),
    ],
    (form) =>
      api(`/v1/invoices/${inv.invoiceId}/dispute`, {
        method: 'POST',
        body: { reasonCode: val(form, 'reasonCode'), note: val(form, 'note') },
      }),
    t('disputeOpened'),
    refresh,
  );
}

function planForm(inv, refresh) {
  const rows = h('div.instalments');
  const addRow = (dateValue, amountValue) => {
    const i = rows.children.length;
    rows.append(
      h(
        'fieldset.instalment',
        {},
        h('legend', {}, t('instalment', { n: i + 1 })),
        field(t('dueDate'), input(`date${i}`, { type: 'date', value: dateValue, path: `instalments.${i}.dueDate` })),
        field(
          t('amount'),
          input(`amount${i}`, { inputmode: 'decimal', value: amountValue, path: `instalments.${i}.amountMinor` }),
        ),
      ),
    );
  };
  const half = Math.floor(inv.balanceMinor / 2);
  addRow(isoToday(30), (half / 100).toFixed(2));
  addRow(isoToday(60), ((inv.balanceMinor - half) / 100).toFixed(2));
  return decisionForm(
    'plan',
    [
      h('p.muted', {}, `${t('balance')}: ${money(inv.balanceMinor, inv.currency)}`),
      rows,
      h('button.btn.btn-small', { type: 'button', on: { click: () => addRow(isoToday(90), '') } }, t('addInstalment')),
      field(t('note'), textarea('note')),
    ],
    (form) =>
      api(`/v1/invoices/${inv.invoiceId}/repayment-plan`, {
        method: 'POST',
        body: clean({
          instalments: [...rows.children].map((_, i) => ({
            dueDate: val(form, `date${i}`),
            amountMinor: toMinor(val(form, `amount${i}`)),
          })),
          note: val(form, 'note'),
        }),
      }),
    t('planProposed'),
    refresh,
  );
}

function callForm(inv, tasks, refresh) {
  if (tasks.length === 0) return h('p.muted', {}, t('noOpenCall'));
  const outcome = select(
    'outcome',
    CALL_OUTCOMES.map((o) => [o, code(o)]),
    'REACHED',
    { 'data-path': 'outcome' },
  );
  const extra = h('div.extra');
  const showExtra = () => {
    extra.replaceChildren();
    if (outcome.value === 'PROMISE')
      extra.append(
        field(
          t('promisedDate'),
          input('promisedDate', { type: 'date', value: isoToday(7), path: 'promise.promisedDate' }),
        ),
      );
    if (outcome.value === 'DISPUTE')
      extra.append(
        field(
          t('reason'),
          select(
            'disputeReason',
            DISPUTE_REASONS.map((r) => [r, code(r)]),
            'OTHER',
            { 'data-path': 'dispute.reasonCode' },
          ),
        ),
      );
    if (outcome.value === 'CALLBACK')
      extra.append(field(t('callbackAt'), input('callbackAt', { type: 'datetime-local', path: 'callbackAt' })));
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
        select('reasonCode', [['', '—'], ...NON_PAYMENT_REASONS.map((r) => [r, code(r)])], '', {
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
          promise: o === 'PROMISE' ? { promisedDate: val(form, 'promisedDate') } : undefined,
          dispute:
            o === 'DISPUTE'
              ? { reasonCode: val(form, 'disputeReason'), note: note || code(val(form, 'disputeReason')) }
              : undefined,
          callbackAt: o === 'CALLBACK' && cb ? new Date(cb).toISOString() : undefined,
        }),
      });
    },
    t('callLogged'),
    refresh,
  );
}

function noteForm(inv, refresh) {
  return decisionForm(
    'note',
    [
      field(t('note'), textarea('body', { required: true })),
      field(t('document'), h('input', { type: 'file', name: 'file', 'data-path': 'file' })),
    ],
    async (form) => {
      const file = form.elements.file.files[0];
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
  );
}

/** Drops empty strings and undefined so optional fields are absent rather than blank. */
function clean(o) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));
}

function resolveForm(inv, refresh) {
  const outcome = select(
    'outcome',
    ['REJECTED', 'ACCEPTED', 'PARTIAL'].map((o) => [o, code(`RESOLVE_${o}`)]),
    'REJECTED',
    { 'data-path': 'outcome' },
  );
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
          newBalanceMinor: val(form, 'outcome') === 'PARTIAL' ? toMinor(val(form, 'newBalance')) : undefined,
          note: val(form, 'note'),
        }),
      }),
    t('done'),
    refresh,
  );
}

function pauseForm(inv, refresh) {
  return decisionForm(
    'pause',
    [
      field(t('reason'), input('reason', { required: true })),
      field(t('pauseUntil'), input('until', { type: 'datetime-local' })),
    ],
    (form) =>
      api(`/v1/invoices/${inv.invoiceId}/pause`, {
        method: 'POST',
        body: clean({
          reason: val(form, 'reason'),
          until: val(form, 'until') ? new Date(val(form, 'until')).toISOString() : undefined,
        }),
      }),
    t('done'),
    refresh,
  );
}

function resumeForm(inv, refresh) {
  return decisionForm(
    'resume',
    [field(t('note'), textarea('note'))],
    (form) => api(`/v1/invoices/${inv.invoiceId}/resume`, { method: 'POST', body: clean({ note: val(form, 'note') }) }),
    t('done'),
    refresh,
  );
}

function writeOffForm(inv, refresh) {
  return decisionForm(
    'writeOff',
    [field(t('reason'), input('reason', { required: true }))],
    (form) => api(`/v1/invoices/${inv.invoiceId}/write-off`, { method: 'POST', body: { reason: val(form, 'reason') } }),
    t('done'),
    refresh,
  );
}
