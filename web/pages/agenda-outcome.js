/**
 * The call outcome recorded from an agenda row, without leaving the agenda: an inline form in a row of its own under
 * the task (outcome, reason, note, the next callback's date and time, a promise date or a dispute reason), sent to
 * POST /v1/tasks/:id/complete — the same decision as the invoice page's "Registra chiamata". On success the task's
 * row says what was recorded and when the customer is to be called back; nothing else on the page moves.
 */
import { api } from '../api.js';
import { ENUMS } from '../enums.js';
import { t } from '../i18n.js';
import {
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
  select,
  showError,
  toast,
  todayIso,
} from '../ui.js';

/** Call outcomes as select options, in words. */
const outcomeOptions = () => ENUMS.callOutcomes.map((/** @type {string} */ x) => [x, code(x)]);

/** The instant some hours from now, on the hour (Rome's offset from UTC is whole hours). @param {number} hours */
function onTheHour(hours) {
  const d = new Date(Date.now() + hours * 3_600_000);
  d.setUTCMinutes(0, 0, 0);
  return d.toISOString();
}

/**
 * The "record outcome" toggle of one agenda row and its form row. `columns` is the table's column count (the form
 * spans them all); `onDone` gets the API's answer so the caller can update the row in place.
 * @param {any} item the agenda item
 * @param {number} columns
 * @param {(result: any, sent: { outcome: string; callbackAt?: string }) => void} onDone
 * @returns {{ button: HTMLButtonElement; formRow: HTMLTableRowElement }}
 */
export function outcomeControls(item, columns, onDone) {
  const formId = `outcome-${item.taskId}`;
  const formRow = /** @type {HTMLTableRowElement} */ (h('tr.agenda-form-row', { hidden: true, id: formId }));
  // One key per opening of the form: a double submit (or a retry after a lost answer) records the outcome once.
  let key = '';
  const button = /** @type {HTMLButtonElement} */ (
    h(
      'button.btn.btn-small',
      {
        type: 'button',
        'data-action': 'outcome',
        'aria-expanded': 'false',
        'aria-controls': formId,
        on: { click: () => (formRow.hidden ? open() : close()) },
      },
      t('recordOutcome'),
    )
  );
  const close = () => {
    formRow.hidden = true;
    formRow.replaceChildren();
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  };
  const open = () => {
    key = crypto.randomUUID();
    const form = buildForm(
      item,
      key,
      (result, sent) => {
        formRow.hidden = true;
        formRow.replaceChildren();
        button.setAttribute('aria-expanded', 'false');
        onDone(result, sent);
      },
      close,
    );
    formRow.replaceChildren(h('td', { colspan: String(columns) }, form));
    formRow.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    /** @type {HTMLElement | null} */ (form.querySelector('select, input, textarea'))?.focus();
  };
  return { button, formRow };
}

/**
 * @param {any} item @param {string} key
 * @param {(result: any, sent: { outcome: string; callbackAt?: string }) => void} done
 * @param {() => void} cancel
 */
function buildForm(item, key, done, cancel) {
  const inv = item.invoice;
  const label = inv ? `${inv.number} — ${item.customer?.name ?? ''}` : (item.customer?.name ?? '');
  const outcome = select('outcome', outcomeOptions(), 'REACHED', {
    'data-path': 'outcome',
  });
  const callback = dateTimeInput('callbackAt', onTheHour(24));
  const promised = dateInput('promisedDate', todayIso(7), { 'data-path': 'promise.promisedDate' });
  const disputeReason = select(
    'disputeReason',
    ENUMS.disputeReasons.map((/** @type {string} */ x) => [x, code(x)]),
    'OTHER',
    { 'data-path': 'dispute.reasonCode' },
  );
  const callbackField = field(t('nextCallback'), callback, t('nextCallbackHint'));
  const promiseField = field(t('promisedDate'), promised);
  const disputeField = field(t('reason'), disputeReason);
  const show = () => {
    const o = outcome.value;
    // The workflow opens a CALLBACK task at this time (only for that outcome: it ignores a date given with another).
    callbackField.hidden = o !== 'CALLBACK';
    promiseField.hidden = o !== 'PROMISE';
    disputeField.hidden = o !== 'DISPUTE';
  };
  outcome.addEventListener('change', show);
  const note = h('textarea', { name: 'note', rows: 2, maxlength: '2000', 'data-path': 'note' });
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1', 'data-error': 'outcome' });
  const form = h(
    'form.decision.agenda-outcome',
    {
      'data-form': 'outcome',
      'data-task': item.taskId,
      'aria-label': t('recordOutcomeFor', { what: label }),
      novalidate: true,
      on: {
        keydown: (/** @type {KeyboardEvent} */ e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            cancel();
          }
        },
        submit: async (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          clearErrors(form, errorBox);
          const submit = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
          submit.disabled = true;
          const o = outcome.value;
          const noteText = note.value.trim();
          try {
            // A date the console cannot read is refused beside its field, in the user's language, like the API's.
            const callbackAt = callbackField.hidden ? undefined : dateTimeOf(callback.value, 'callbackAt');
            /** @type {Record<string, unknown>} */
            const body = { outcome: o };
            const reason = /** @type {HTMLSelectElement} */ (form.elements.namedItem('reasonCode')).value;
            if (reason) body.reasonCode = reason;
            if (noteText) body.note = noteText;
            if (callbackAt) body.callbackAt = callbackAt;
            if (o === 'PROMISE') body.promise = { promisedDate: dateOf(promised.value, 'promise.promisedDate') };
            if (o === 'DISPUTE')
              body.dispute = { reasonCode: disputeReason.value, note: noteText || code(disputeReason.value) };
            const result = await api(`/v1/tasks/${encodeURIComponent(item.taskId)}/complete`, {
              method: 'POST',
              body,
              headers: { 'Idempotency-Key': `agenda-${key}` },
            });
            toast(t('callLogged'));
            done(result, { outcome: o, callbackAt });
          } catch (err) {
            showError(errorBox, err, form, {
              money: (m) => (inv ? money(m, inv.currency) : String(m)),
              date,
            });
          } finally {
            submit.disabled = false;
          }
        },
      },
    },
    h(
      'div.row',
      {},
      field(t('outcome'), outcome),
      field(
        t('reasonCode'),
        select(
          'reasonCode',
          [['', '—'], ...ENUMS.nonPaymentReasons.map((/** @type {string} */ x) => [x, code(x)])],
          '',
          {
            'data-path': 'reasonCode',
          },
        ),
      ),
      callbackField,
      promiseField,
      disputeField,
    ),
    field(t('note'), note),
    errorBox,
    h(
      'div.buttons',
      {},
      h('button.btn.btn-primary', { type: 'submit' }, t('saveOutcome')),
      h('button.btn', { type: 'button', on: { click: cancel } }, t('cancel')),
    ),
  );
  show();
  return form;
}

/**
 * What a done task's row says in place of its buttons: the outcome, and the next callback when one was planned.
 * @param {{ outcome: string; callbackAt?: string }} sent
 */
export function doneSummary(sent) {
  return h(
    'span.outcome-done',
    { 'data-outcome': sent.outcome },
    h('span.badge.badge-ok', {}, t('outcomeDone', { outcome: code(sent.outcome) })),
    sent.callbackAt ? [' ', t('callbackOn', { when: dateTime(sent.callbackAt) })] : null,
  );
}

/**
 * Click-to-call (only where the API says Twilio and the collector's number are configured): the API rings the
 * collector's phone, then bridges them to the customer. One key per button, so a double click rings once; the answer
 * is said beside the button (ringing, the customer's quiet hours, no phone).
 * @param {any} item the agenda item
 */
export function callButton(item) {
  const key = crypto.randomUUID();
  const status = h('span.call-status', { role: 'status' });
  const button = /** @type {HTMLButtonElement} */ (
    h(
      'button.btn.btn-small',
      {
        type: 'button',
        'data-action': 'call',
        on: {
          click: async () => {
            button.disabled = true;
            status.textContent = t('callPlacing');
            try {
              const r = await api(`/v1/tasks/${encodeURIComponent(item.taskId)}/call`, {
                method: 'POST',
                body: {},
                headers: { 'Idempotency-Key': `agenda-call-${key}` },
              });
              status.textContent =
                r.status === 'SENT'
                  ? t('callRinging')
                  : r.status === 'DEFERRED'
                    ? t('callDeferred', { when: dateTime(r.notBefore) })
                    : r.status === 'PENDING'
                      ? t('callPlacing')
                      : t('callNotPlaced');
            } catch (err) {
              status.textContent = errorText(err);
              button.disabled = false;
            }
          },
        },
      },
      t('callNow', { phone: item.customer?.phone ?? '' }),
    )
  );
  return h('span.call', {}, button, ' ', status);
}
