/**
 * The agenda rows a collector or credit manager decides in place: what a debtor asked for on the portal (a plan, a
 * payment they say they made, new contact details) and a dispute to review with what the debtor attached. Each is
 * closed by the very decision the rest of the console makes — `requestDecision` of the portal requests, the invoice
 * page's dispute resolution — so the agenda adds no second way to decide.
 */
import { t } from '../i18n.js';
import { code, date, h } from '../ui.js';
import { resolveForm } from './invoice.js';
import { attachment, requestDecision } from './portal-requests.js';

/**
 * The row under an agenda task that carries a decision, or null for the others.
 * @param {any} it an item of GET /v1/agenda
 * @param {import('../app.js').Me} me
 * @param {() => Promise<void>} refresh
 * @param {number} columns
 */
export function workRow(it, me, refresh, columns) {
  const manager = me?.role === 'manager' || me?.role === 'admin';
  const id = `work-${it.taskId}`;
  /** @type {import('../ui.js').Child} */
  let body = null;
  if (it.request) {
    const inv = it.request.invoice;
    body = [
      h(
        'p.work-about',
        { id },
        t('workFromPortal'),
        inv ? [' · ', h('a', { href: `#/invoice/${encodeURIComponent(inv.id)}` }, inv.number)] : null,
      ),
      requestDecision(it.request, { manager }, refresh),
    ];
  } else if (it.dispute && it.invoice) {
    const d = it.dispute;
    const inv = { invoiceId: it.invoice.invoiceId, currency: it.invoice.currency };
    body = [
      h('p.work-about', { id }, t(d.fromPortal ? 'disputeFromPortal' : 'disputeOpenedOn', { date: date(d.openedAt) })),
      h('p', {}, h('strong', {}, code(d.reasonCode)), ' — ', d.note),
      d.documents.map((/** @type {any} */ doc) => attachment(doc)),
      manager ? resolveForm(inv, refresh) : h('small.hint', {}, t('disputeResolvedByManager')),
    ];
  }
  if (!body) return null;
  return h(
    'tr.work-row',
    { 'data-task': it.taskId },
    h('td', { colspan: columns }, h('div.work', { role: 'group', 'aria-labelledby': id }, body)),
  );
}
