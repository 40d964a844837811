/**
 * Actions on the invoices selected in the list (POST /v1/invoices/bulk): pause, resume, reassign to a collector
 * (credit managers), send each invoice's current reminder now, send the statement of account, one promise for several invoices of one customer, export as CSV
 * or Excel in the user's language. The bar says how many are selected; each action opens its form under it; the
 * answer lists each invoice's outcome in words, then the list reloads.
 */
import { api, ApiError, downloadPost } from '../api.js';
import { getLang, t } from '../i18n.js';
import {
  amountOf,
  amountText,
  clearErrors,
  date,
  dateInput,
  dateOf,
  dateTimeInput,
  dateTimeOf,
  errorText,
  field,
  h,
  money,
  select,
  showError,
  toast,
  todayIso,
} from '../ui.js';

/**
 * @typedef {{ invoiceId: string; number: string; customerId: string; customerName: string; balanceMinor: number;
 *   currency: string }} Selected
 */

/**
 * The selection of the page shown and the bar of actions on it.
 * @param {{ manager: boolean; collectors: Array<{ id: string; name: string }>; reload: () => Promise<void> }} opts
 */
export function createBulk(opts) {
  /** @type {Map<string, Selected>} */
  const selected = new Map();
  const count = h('span.bulk-count', { 'aria-live': 'polite' });
  const panel = h('div.bulk-panel');
  const results = h('div.bulk-results', { 'aria-live': 'polite' });
  /** @type {HTMLButtonElement[]} */
  const buttons = [];
  /** @type {Record<string, () => HTMLElement>} */
  const forms = {
    pause: () => pauseForm(),
    resume: () => resumeForm(),
    ...(opts.manager ? { reassign: () => reassignForm() } : {}),
    remind: () => remindForm(),
    statement: () => statementForm(),
    promise: () => promiseForm(),
  };
  /** @type {Record<string, string>} */
  const labels = {
    pause: 'bulkPause',
    resume: 'bulkResume',
    reassign: 'bulkReassign',
    remind: 'bulkRemind',
    statement: 'bulkStatement',
    promise: 'bulkPromise',
  };

  const list = () => [...selected.values()];
  const oneCustomer = () => new Set(list().map((s) => s.customerId)).size === 1;

  const refresh = () => {
    count.textContent = t('bulkSelected', { n: selected.size });
    for (const b of buttons) {
      const k = b.dataset.bulk ?? '';
      b.disabled = selected.size === 0 || (k === 'promise' && !oneCustomer());
      b.title = k === 'promise' && selected.size > 0 && !oneCustomer() ? t('bulkPromiseOneCustomer') : '';
    }
    // A form opened for a selection that has since changed would act on other invoices than it says: close it.
    if (panel.childElementCount && selected.size === 0) closePanel();
  };
  const closePanel = () => {
    panel.replaceChildren();
    buttons.forEach((b) => b.setAttribute('aria-expanded', 'false'));
  };

  for (const k of Object.keys(forms)) {
    const b = /** @type {HTMLButtonElement} */ (
      h(
        'button.btn',
        {
          type: 'button',
          'data-bulk': k,
          'aria-expanded': 'false',
          'aria-controls': 'bulk-panel',
          on: {
            click: () => {
              const open = b.getAttribute('aria-expanded') === 'true';
              closePanel();
              if (open) return;
              b.setAttribute('aria-expanded', 'true');
              const form = forms[k]();
              panel.append(form);
              /** @type {HTMLElement | null} */ (form.querySelector('input, select, textarea, button'))?.focus();
            },
          },
        },
        t(labels[k]),
      )
    );
    buttons.push(b);
  }
  for (const format of ['csv', 'xlsx']) {
    const b = /** @type {HTMLButtonElement} */ (
      h(
        'button.btn',
        {
          type: 'button',
          'data-bulk': `export-${format}`,
          on: {
            click: async () => {
              try {
                const lang = getLang();
                const stamp = new Date().toISOString().slice(0, 10);
                await downloadPost(
                  '/v1/invoices/bulk',
                  { action: 'export', invoiceIds: list().map((s) => s.invoiceId), format, lang },
                  `${t('bulkExportFile')}-${stamp}.${format}`,
                );
              } catch (err) {
                results.replaceChildren(h('div.alert', { role: 'alert' }, errorText(err)));
              }
            },
          },
        },
        t(format === 'csv' ? 'bulkExportCsv' : 'bulkExportXlsx'),
      )
    );
    buttons.push(b);
  }

  panel.id = 'bulk-panel';
  const bar = h(
    'section.bulk-bar',
    { 'aria-labelledby': 'bulk-title' },
    h('h2.sr-only#bulk-title', {}, t('bulkTitle')),
    h('div.buttons', {}, count, buttons),
    panel,
    results,
  );
  refresh();

  /**
   * A bulk form: its fields, then the request; the answer becomes the list of outcomes.
   * @param {string} name @param {import('../ui.js').Child[]} children
   * @param {(form: HTMLFormElement) => Record<string, unknown>} bodyOf
   */
  function bulkForm(name, children, bodyOf) {
    const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1', 'data-error': name });
    // One key per opened form: a double click or a retry after a lost answer acts once.
    const key = crypto.randomUUID();
    const currency = list()[0]?.currency ?? 'EUR';
    const form = h(
      'form.decision.bulk',
      {
        'data-form': `bulk-${name}`,
        novalidate: true,
        on: {
          submit: async (/** @type {SubmitEvent} */ e) => {
            e.preventDefault();
            clearErrors(form, errorBox);
            const btn = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
            btn.disabled = true;
            try {
              const answer = await api('/v1/invoices/bulk', {
                method: 'POST',
                body: { action: name, invoiceIds: list().map((s) => s.invoiceId), ...bodyOf(form) },
                headers: { 'Idempotency-Key': `bulk-${key}` },
              });
              closePanel();
              showResults(answer);
              toast(t('bulkDone', { ok: answer.succeeded, failed: answer.failed }));
              selected.clear();
              await opts.reload();
              refresh();
            } catch (err) {
              showError(errorBox, err, form, { money: (m) => money(m, currency), date });
            } finally {
              btn.disabled = false;
            }
          },
        },
      },
      h('p.muted', {}, t('bulkAppliesTo', { n: selected.size })),
      h('div.row', {}, children),
      errorBox,
      h(
        'div.buttons',
        {},
        h('button.btn.btn-primary', { type: 'submit' }, t('send')),
        h('button.btn', { type: 'button', on: { click: closePanel } }, t('cancel')),
      ),
    );
    return form;
  }

  /** @param {any} answer */
  function showResults(answer) {
    const byId = new Map(list().map((s) => [s.invoiceId, s]));
    results.replaceChildren(
      h('h3', {}, t('bulkDone', { ok: answer.succeeded, failed: answer.failed })),
      h(
        'ul',
        {},
        answer.results.map((/** @type {any} */ r) => {
          const sel = byId.get(r.invoiceId);
          const problem = r.ok
            ? r.amountMinor
              ? t('bulkItemPromised', { amount: money(r.amountMinor, sel?.currency ?? 'EUR') })
              : r.reminder
                ? t('bulkItemReminded', { template: r.reminder.template, channels: r.reminder.channels.length })
                : t('bulkItemOk')
            : errorText(new ApiError(r.error.status, { error: r.error }), {
                money: (m) => money(m, sel?.currency ?? 'EUR'),
                date,
              });
          return h('li', { 'data-ok': String(r.ok), 'data-invoice': r.invoiceId }, `${r.number}: ${problem}`);
        }),
      ),
    );
  }

  const input = (/** @type {string} */ name, /** @type {Record<string, unknown>} */ attrs = {}) =>
    h('input', { name, 'data-path': name, ...attrs });
  const val = (/** @type {HTMLFormElement} */ form, /** @type {string} */ name) =>
    /** @type {any} */ (form.elements.namedItem(name))?.value?.trim() ?? '';

  function pauseForm() {
    return bulkForm(
      'pause',
      [
        field(t('reason'), input('reason', { required: true, maxlength: '500' })),
        field(t('pauseUntil'), dateTimeInput('until')),
      ],
      (form) => {
        const until = dateTimeOf(val(form, 'until'), 'until');
        return { reason: val(form, 'reason'), ...(until ? { until } : {}) };
      },
    );
  }
  function resumeForm() {
    return bulkForm('resume', [field(t('note'), input('note', { maxlength: '2000' }))], (form) =>
      val(form, 'note') ? { note: val(form, 'note') } : {},
    );
  }
  function reassignForm() {
    return bulkForm(
      'reassign',
      [
        field(
          t('collectorTo'),
          select(
            'collectorId',
            opts.collectors.map((c) => [c.id, c.name]),
            opts.collectors[0]?.id ?? '',
            { 'data-path': 'collectorId' },
          ),
          t('bulkReassignHelp'),
        ),
      ],
      (form) => ({ collectorId: val(form, 'collectorId') }),
    );
  }
  function remindForm() {
    return bulkForm(
      'remind',
      [h('p', {}, t('bulkRemindHelp')), field(t('note'), input('note', { maxlength: '2000' }))],
      (form) => (val(form, 'note') ? { note: val(form, 'note') } : {}),
    );
  }
  function statementForm() {
    return bulkForm('statement', [h('p', {}, t('bulkStatementHelp'))], () => ({}));
  }
  function promiseForm() {
    const first = list()[0];
    const total = list().reduce((s, x) => s + x.balanceMinor, 0);
    const currency = first?.currency ?? 'EUR';
    return bulkForm(
      'promise',
      [
        h('p.muted', {}, t('bulkPromiseHelp', { customer: first?.customerName ?? '', total: money(total, currency) })),
        field(t('promisedDate'), dateInput('promisedDate', todayIso(7), { required: true })),
        field(
          t('promiseTotal'),
          input('amount', {
            inputmode: 'decimal',
            'data-path': 'amountMinor',
            placeholder: amountText(total, currency),
          }),
          t('amountHint', { currency, example: amountText(1_250_000, currency) }),
        ),
        field(t('note'), input('note', { maxlength: '2000' })),
      ],
      (form) => {
        const minor = amountOf(val(form, 'amount'), currency, 'amountMinor');
        return {
          promisedDate: dateOf(val(form, 'promisedDate'), 'promisedDate'),
          ...(minor !== undefined ? { amountMinor: minor } : {}),
          ...(val(form, 'note') ? { note: val(form, 'note') } : {}),
        };
      },
    );
  }

  return {
    bar,
    /** Called when a page of the list is shown: a new page starts with nothing selected. */
    reset() {
      selected.clear();
      refresh();
    },
    /** @param {Selected} item @param {boolean} on */
    toggle(item, on) {
      if (on) selected.set(item.invoiceId, item);
      else selected.delete(item.invoiceId);
      refresh();
    },
    /** @param {string} id */
    has: (id) => selected.has(id),
  };
}
