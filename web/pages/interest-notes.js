/**
 * The customer's interest debit notes on the customer page (docs/interest-notes.md), for credit managers: what a note
 * would claim today (GET …/interest-notes/preview: the total, or why none can be issued — a waiver, a reference rate
 * not entered, nothing late), a button to see that preview as PDF, one to issue the note (POST, one Idempotency-Key
 * per button until it succeeds, so a double click issues one note), and the notes issued, each downloadable.
 */
import { api, openFile } from '../api.js';
import { t } from '../i18n.js';
import { date, errorText, h, money, toast } from '../ui.js';

/** @param {string} customerId @returns {HTMLElement} */
export function interestNotesCard(customerId) {
  const base = `/v1/customers/${encodeURIComponent(customerId)}/interest-notes`;
  const summary = h('p', { 'data-role': 'note-preview' }, '…');
  const list = h('div', {}, h('p.muted', {}, '…'));
  let key = crypto.randomUUID();
  const issue = h(
    'button.btn.btn-primary',
    { type: 'button', 'data-action': 'issue-interest-note', disabled: true, on: { click: () => void issueNote() } },
    t('interestNoteIssue'),
  );
  const preview = h(
    'button.btn',
    {
      type: 'button',
      'data-action': 'preview-interest-note',
      on: {
        click: async () => {
          try {
            await openFile(`${base}/preview?format=pdf`);
          } catch (err) {
            toast(errorText(err));
          }
        },
      },
    },
    t('interestNotePreview'),
  );
  const section = h(
    'section.card',
    { 'aria-labelledby': 'cust-notes-title', id: 'interest-notes' },
    h('h2#cust-notes-title', {}, t('interestNotes')),
    summary,
    h('div.actions', {}, preview, issue),
    list,
  );

  const loadPreview = async () => {
    try {
      const p = await api(`${base}/preview`);
      const n = p.document.note;
      issue.disabled = !p.issuable;
      if (p.issuable) {
        summary.replaceChildren(
          t('interestNoteWouldClaim', {
            total: money(n.totalMinor, n.currency),
            interest: money(n.interestMinor, n.currency),
            compensation: money(n.compensationMinor, n.currency),
            n: n.lines.length,
          }),
        );
      } else {
        summary.replaceChildren(
          h(
            'span.muted',
            { 'data-refusal': p.refusal.code },
            t(`error.${p.refusal.code}`, {
              periods: (p.refusal.params?.periods ?? []).map((/** @type {string} */ d) => date(d)).join(', '),
            }),
          ),
        );
      }
    } catch (err) {
      issue.disabled = true;
      summary.replaceChildren(h('span.muted', {}, errorText(err)));
    }
  };
  const loadList = async () => {
    try {
      const { notes } = await api(base);
      list.replaceChildren(
        notes.length
          ? h(
              'ul.plain',
              {},
              notes.map((/** @type {any} */ n) =>
                h(
                  'li',
                  { 'data-note': n.number },
                  t('interestNoteLine', {
                    number: n.number,
                    date: date(n.issueDate),
                    total: money(n.totalMinor, n.currency),
                  }),
                  ' ',
                  h(
                    'button.btn.btn-link',
                    {
                      type: 'button',
                      'data-download': n.id,
                      on: {
                        click: async () => {
                          try {
                            await openFile(`/v1/interest-notes/${encodeURIComponent(n.id)}?format=pdf`);
                          } catch (err) {
                            toast(errorText(err));
                          }
                        },
                      },
                    },
                    t('interestNoteDownload'),
                  ),
                ),
              ),
            )
          : h('p.muted', {}, t('interestNoteNone')),
      );
    } catch (err) {
      list.replaceChildren(h('p.muted', {}, errorText(err)));
    }
  };
  const issueNote = async () => {
    issue.disabled = true;
    try {
      const n = await api(base, { method: 'POST', body: {}, headers: { 'Idempotency-Key': `console-${key}` } });
      key = crypto.randomUUID();
      toast(t('interestNoteIssued', { number: n.number, total: money(n.totalMinor, n.currency) }));
    } catch (err) {
      toast(errorText(err));
    }
    await Promise.all([loadPreview(), loadList()]);
  };
  void loadPreview();
  void loadList();
  return section;
}
