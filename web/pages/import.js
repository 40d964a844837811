/**
 * The import screen, for credit managers: choose a CSV/XLSX export, see how it will be read before anything is
 * saved (`POST /v1/imports/preview`: the column mapping, the first rows as they will be stored, the refused rows,
 * and a warning listing every stored customer whose data the file would change), import it (`POST /v1/imports`,
 * one Idempotency-Key per chosen file so a double click imports once), follow it live (`GET /v1/imports/:id`:
 * queued behind other work, rows done of the total at the real rate) and download the refused rows as a CSV in the
 * user's language to fix and upload again.
 */
import { api, ApiError, download } from '../api.js';
import { getLang, has, t } from '../i18n.js';
import { clearErrors, date, field, h, money, mount, num, showError } from '../ui.js';

/** @typedef {{ column: string; code: string; params?: Record<string, string | number> }} Problem */

/** One problem in words, named by the file's own column. @param {Problem} p */
export function problemText(p) {
  const params = /** @type {Record<string, string | number>} */ ({ ...(p.params ?? {}) });
  if (typeof params.field === 'string') params.fieldName = t('importFieldName', { field: params.field });
  const key = `importProblem.${p.code}`;
  const problem = has(key)
    ? t(key, params)
    : has(`field.${p.code}`)
      ? t(`field.${p.code}`, { origin: 'other', ...params })
      : t('importProblem.invalid');
  return p.column ? t('importProblem.with', { column: p.column, problem }) : problem;
}

/** @param {Problem[]} problems */
const problemsText = (problems) => problems.map(problemText).join('; ');

/** A fresh key per chosen file: the same file sent twice (a double click, a retry) is one import. */
const newKey = () => `console-${crypto.randomUUID()}`;

/** @type {ReturnType<typeof setTimeout> | undefined} */
let pollTimer;

/** @param {HTMLElement} main @param {import('../app.js').Params} params */
export async function renderImport(main, params) {
  clearTimeout(pollTimer);
  const fileInput = h('input', { type: 'file', name: 'file', accept: '.csv,.xlsx,text/csv', required: true });
  fileInput.dataset.path = 'file';
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1' });
  const previewBox = h('section#import-preview', { 'aria-labelledby': 'import-preview-title', hidden: true });
  const progressBox = h('section#import-progress', { 'aria-labelledby': 'import-progress-title', hidden: true });
  let key = newKey();
  fileInput.addEventListener('change', () => {
    key = newKey();
    previewBox.hidden = true;
  });

  const form = h(
    'form.card#import-form',
    {
      on: {
        submit: async (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          clearErrors(form, errorBox);
          const file = fileInput.files?.[0];
          if (!file) return;
          const fd = new FormData();
          fd.append('file', file, file.name);
          try {
            const preview = await api('/v1/imports/preview', { method: 'POST', body: fd, query: { rows: 10 } });
            renderPreview(previewBox, preview, async () => {
              const again = new FormData();
              again.append('file', file, file.name);
              const res = await api('/v1/imports', {
                method: 'POST',
                body: again,
                headers: { 'Idempotency-Key': key },
              });
              previewBox.hidden = true;
              history.replaceState(null, '', `#/import?id=${encodeURIComponent(res.importId)}`);
              follow(progressBox, res.importId);
            });
          } catch (err) {
            showError(errorBox, err, form, { nameOf: () => t('importFile') });
            // A refused header lists its problems by code: say them as sentences too.
            if (err instanceof ApiError && err.fields.some((f) => f.path === 'file.header')) {
              errorBox.append(
                h(
                  'ul',
                  {},
                  err.fields.map((f) =>
                    h(
                      'li',
                      {},
                      problemText({ column: '', code: f.code ?? 'invalid', params: /** @type {any} */ (f.params) }),
                    ),
                  ),
                ),
              );
            }
          }
        },
      },
    },
    field(t('importFile'), fileInput),
    errorBox,
    h('button.btn.btn-primary', { type: 'submit' }, t('importPreview')),
  );

  mount(main, h('h1', {}, t('importTitle')), h('p.muted', {}, t('importLead')), form, previewBox, progressBox);
  const id = params.query.get('id');
  if (id) follow(progressBox, id);
}

/**
 * @param {HTMLElement} box
 * @param {any} p the preview
 * @param {() => Promise<void>} start
 */
function renderPreview(box, p, start) {
  box.hidden = false;
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1' });
  const confirm = p.changedCustomers > 0 ? h('input', { type: 'checkbox', name: 'confirmChanges' }) : null;
  const startButton = h(
    'button.btn.btn-primary#import-start',
    {
      type: 'button',
      disabled: p.acceptedRows === 0 ? 'disabled' : null,
      on: {
        click: async () => {
          clearErrors(box, errorBox);
          if (confirm && !confirm.checked) {
            errorBox.hidden = false;
            errorBox.textContent = t('importConfirmRequired');
            confirm.setAttribute('aria-invalid', 'true');
            confirm.focus();
            return;
          }
          startButton.disabled = true;
          try {
            await start();
          } catch (err) {
            startButton.disabled = false;
            showError(errorBox, err, box);
          }
        },
      },
    },
    t('importStart', { n: p.acceptedRows }),
  );
  const th = (/** @type {string} */ x) => h('th', { scope: 'col' }, x);
  mount(
    box,
    h('h2#import-preview-title', {}, t('importPreviewTitle'), ' — ', p.filename),
    h(
      'p#import-summary',
      {},
      t('importSummary', {
        total: p.totalRows,
        accepted: p.acceptedRows,
        rejected: p.rejectedRows,
        newCustomers: p.newCustomers,
      }),
    ),
    p.alreadyImported ? h('p.muted', {}, t('importAlready')) : null,
    p.changedCustomers > 0
      ? h(
          'div.card.warning#import-changes',
          { role: 'region', 'aria-labelledby': 'import-changes-title' },
          h('h3#import-changes-title', {}, t('importChanges', { n: p.changedCustomers })),
          h('p', {}, t('importChangesLead')),
          h(
            'div.table-wrap',
            {},
            h(
              'table.data',
              {},
              h('caption.sr-only', {}, t('importChanges', { n: p.changedCustomers })),
              h(
                'thead',
                {},
                h('tr', {}, [t('importCustomer'), t('importField'), t('importStored'), t('importIncoming')].map(th)),
              ),
              h(
                'tbody',
                {},
                p.changes.flatMap((/** @type {any} */ c) =>
                  c.fields.map((/** @type {any} */ f, /** @type {number} */ i) =>
                    h(
                      'tr',
                      { 'data-customer': c.customerId },
                      i === 0
                        ? h(
                            'th',
                            { scope: 'rowgroup', rowspan: String(c.fields.length) },
                            c.storedName,
                            h('br'),
                            h('small.muted', {}, c.customerId),
                          )
                        : null,
                      h('td', {}, t('importFieldName', { field: f.field })),
                      h('td', {}, f.stored ?? t('importEmpty')),
                      h('td', {}, h('strong', {}, f.incoming ?? t('importEmpty'))),
                    ),
                  ),
                ),
              ),
            ),
          ),
          confirm ? field(t('importConfirmChanges'), confirm) : null,
        )
      : null,
    h('h3', {}, t('importMapping')),
    h(
      'div.table-wrap',
      {},
      h(
        'table.data#import-mapping',
        {},
        h('caption.sr-only', {}, t('importMapping')),
        h('thead', {}, h('tr', {}, [t('importColumn'), t('importReadAs')].map(th))),
        h(
          'tbody',
          {},
          p.columns.map((/** @type {any} */ c) =>
            h(
              'tr',
              {},
              h('td', {}, c.name),
              h('td', {}, c.field ? t('importFieldName', { field: c.field }) : h('span.muted', {}, t('importIgnored'))),
            ),
          ),
        ),
      ),
    ),
    h('h3', {}, t('importFirstRows')),
    h(
      'div.table-wrap',
      {},
      h(
        'table.data#import-rows',
        {},
        h('caption.sr-only', {}, t('importFirstRows')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [
              t('importLine'),
              t('importFieldName', { field: 'number' }),
              t('importCustomer'),
              t('importFieldName', { field: 'amount' }),
              t('importFieldName', { field: 'dueDate' }),
              t('importStatus'),
            ].map(th),
          ),
        ),
        h(
          'tbody',
          {},
          p.rows.map((/** @type {any} */ r) =>
            h(
              'tr',
              { 'data-line': String(r.line), class: r.ok ? null : 'row-refused' },
              h('td.num', {}, num(r.line)),
              h('td', {}, r.invoice?.number ?? r.cells[0] ?? ''),
              h(
                'td',
                {},
                r.invoice ? [r.invoice.customerName, h('br'), h('small.muted', {}, r.invoice.customerId)] : '',
              ),
              h('td.num', {}, r.invoice ? money(r.invoice.amountMinor, r.invoice.currency) : ''),
              h('td', {}, r.invoice ? date(r.invoice.dueDate) : ''),
              h('td', {}, r.ok ? t('importRowOk') : problemsText(r.problems)),
            ),
          ),
        ),
      ),
    ),
    p.rejectedRows > 0
      ? [
          h('h3', {}, t('importErrors', { n: p.rejectedRows })),
          p.errorsShown < p.rejectedRows ? h('p.muted', {}, t('importErrorsShown', { shown: p.errorsShown })) : null,
          h(
            'div.table-wrap',
            {},
            h(
              'table.data#import-errors',
              {},
              h('caption.sr-only', {}, t('importErrors', { n: p.rejectedRows })),
              h('thead', {}, h('tr', {}, [t('importLine'), t('importProblem')].map(th))),
              h(
                'tbody',
                {},
                p.errors.map((/** @type {any} */ e) =>
                  h(
                    'tr',
                    { 'data-line': String(e.line) },
                    h('td.num', {}, num(e.line)),
                    h('td', {}, problemsText(e.problems)),
                  ),
                ),
              ),
            ),
          ),
        ]
      : null,
    errorBox,
    h('p.actions', {}, startButton),
  );
  /** @type {HTMLElement} */ (box.querySelector('h2')).focus?.();
}

/** Polls an import until it ends, rendering its state each time. @param {HTMLElement} box @param {string} id */
function follow(box, id) {
  box.hidden = false;
  const status = h('div#import-status', { role: 'status', 'aria-live': 'polite' });
  const bar = h('progress#import-bar', { max: '100', 'aria-label': t('importProgressLabel') });
  const after = h('div');
  mount(box, h('h2#import-progress-title', {}, t('importProgressTitle')), bar, status, after);
  let lastText = '';
  const tick = async () => {
    if (!box.isConnected) return;
    /** @type {any} */
    let v;
    try {
      v = await api(`/v1/imports/${encodeURIComponent(id)}`);
    } catch (err) {
      const errorBox = h('div.alert', { role: 'alert', tabindex: '-1' });
      after.replaceChildren(errorBox);
      showError(errorBox, err, null);
      return;
    }
    const p = v.progress;
    const lines = [];
    if (p.state === 'QUEUED') {
      bar.removeAttribute('value');
      lines.push(t('importQueued', { seconds: p.queuedSeconds }));
      const ahead = p.queuedBehind?.imports ?? [];
      if (ahead.length > 0)
        lines.push(
          t('importQueuedImports', {
            n: ahead.length,
            list: ahead
              .slice(0, 3)
              .map((/** @type {any} */ i) =>
                i.remainingRows === null
                  ? i.filename
                  : t('importQueuedRows', { name: i.filename, rows: i.remainingRows }),
              )
              .join(', '),
          }),
        );
      if (p.queuedBehind?.backlogTasks) lines.push(t('importQueuedTasks', { n: p.queuedBehind.backlogTasks }));
    } else if (p.state === 'RUNNING') {
      if (p.percent !== null) bar.value = p.percent;
      lines.push(
        [
          t('importRunning', { done: p.processedRows, total: p.expectedRows ?? p.processedRows }),
          p.ratePerSecond !== null ? t('importRate', { rate: p.ratePerSecond }) : null,
          p.etaSeconds !== null ? t('importEta', { seconds: p.etaSeconds }) : null,
        ]
          .filter(Boolean)
          .join(' · '),
      );
    } else {
      bar.value = 100;
      lines.push(
        p.state === 'COMPLETED'
          ? t('importDone', { accepted: v.acceptedRows, rejected: v.rejectedRows, started: v.startedWorkflows })
          : t('importFailed'),
      );
      if (p.ratePerSecond !== null)
        lines.push(
          t('importTiming', {
            rows: v.totalRows,
            seconds: p.processingSeconds,
            rate: p.ratePerSecond,
            queued: p.queuedSeconds,
          }),
        );
    }
    // Said again only when it changes: a screen reader hears each new state once, not every second.
    const text = lines.join('\n');
    if (text !== lastText) {
      status.replaceChildren(...lines.map((l) => h('p', {}, l)));
      lastText = text;
    }
    if (v.status === 'RUNNING') {
      pollTimer = setTimeout(() => void tick(), 1000);
      return;
    }
    if (v.rejectedRows > 0) {
      const name = `${v.filename.replace(/\.(csv|xlsx|txt)$/i, '')}-rejected.csv`;
      after.replaceChildren(
        h('p.muted', {}, t('importRejectedHelp')),
        h(
          'button.btn#import-rejected',
          {
            type: 'button',
            on: { click: () => void download(`/v1/imports/${v.importId}/rejections?lang=${getLang()}`, name) },
          },
          t('importRejectedDownload'),
        ),
      );
    }
  };
  void tick();
}
