/**
 * What debtors asked for on their portal page (docs/portal.md): payment plans, payments they say they made, new
 * contact details. `requestDecision` shows one request in words with its approve / decline buttons — the one
 * decision (`POST /v1/portal/requests/:id/approve|decline`), used by the approvals page for plans and by the agenda
 * for every kind. Kept apart from the legal approvals so each part of that page changes on its own.
 */
import { api, documentHref } from '../api.js';
import { t } from '../i18n.js';
import { clearErrors, date, h, money, num, showError, toast } from '../ui.js';

/** The section, or null when no plan request is waiting. @returns {Promise<HTMLElement | null>} */
export async function portalPlanSection(/** @type {() => Promise<void>} */ refresh) {
  const { items } = await api('/v1/portal/requests', { query: { status: 'PENDING', kind: 'PLAN' } });
  if (!items.length) return null;
  return h(
    'section.portal-plans',
    { 'aria-labelledby': 'portal-plans-h' },
    h('h2', { id: 'portal-plans-h' }, t('portalPlansTitle')),
    h(
      'div.cards',
      {},
      items.map((/** @type {any} */ it) => planCard(it, refresh)),
    ),
  );
}

/** @param {any} it @param {() => Promise<void>} refresh */
function planCard(it, refresh) {
  return h(
    'article.card.approval',
    { 'data-portal-request': it.id, 'aria-labelledby': `pr-${it.id}` },
    h(
      'header.approval-head',
      {},
      h(
        'h3',
        { id: `pr-${it.id}` },
        it.invoice ? h('a', { href: `#/invoice/${it.invoice.id}` }, it.invoice.number) : '',
        ' — ',
        it.customer.name,
      ),
    ),
    requestDecision(it, { manager: true }, refresh),
  );
}

/** Contact fields a debtor may change on the portal, in the order the form asks them. */
const CONTACT_FIELDS = ['email', 'phone', 'addressLine', 'postalCode', 'city'];

/**
 * A debtor's request in words (what they asked, the file they attached) and the decision on it. A plan is the
 * credit manager's (the API answers 403 to a collector): its approve button says so up front.
 * @param {{ id: string; kind: string; createdAt: string; payload: any; invoice?: { id: string; number: string; currency: string } | null;
 *   document?: { filename: string; sizeBytes: number } | null }} it
 * @param {{ manager: boolean }} who
 * @param {() => Promise<void>} onDone
 */
export function requestDecision(it, who, onDone) {
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1' });
  const box = h('div.request-decision', { 'data-request-kind': it.kind });
  const cur = it.invoice?.currency ?? it.payload.currency ?? 'EUR';
  const managerOnly = it.kind === 'PLAN' && !who.manager;
  /** @param {'approve' | 'decline'} decision */
  const decide = async (decision) => {
    clearErrors(box, errorBox);
    const buttons = box.querySelectorAll('button');
    buttons.forEach((/** @type {HTMLButtonElement} */ b) => (b.disabled = true));
    try {
      await api(`/v1/portal/requests/${encodeURIComponent(it.id)}/${decision}`, { method: 'POST', body: {} });
      toast(t('requestDone', { decision, kind: it.kind }));
      await onDone();
    } catch (err) {
      showError(errorBox, err, box, { money: (m) => money(m, cur), date });
      buttons.forEach(
        (/** @type {HTMLButtonElement} */ b) => (b.disabled = managerOnly && b.dataset.decide === 'approve'),
      );
    }
  };
  /** @type {import('../ui.js').Child[]} */
  const details = [];
  if (it.kind === 'PLAN') {
    details.push(
      h('p', {}, t('portalPlanAsked', { n: it.payload.instalments.length, date: date(it.createdAt) })),
      h(
        'ol',
        {},
        it.payload.instalments.map((/** @type {any} */ i) =>
          h('li', {}, `${date(i.dueDate)} — ${money(i.amountMinor, cur)}`),
        ),
      ),
    );
  } else if (it.kind === 'PAYMENT_CLAIM') {
    details.push(
      h(
        'p',
        {},
        t('portalPaidClaim', {
          number: it.invoice?.number ?? it.payload.invoiceNumber ?? '—',
          paidOn: it.payload.paidOn ? date(it.payload.paidOn) : 'none',
          asked: date(it.createdAt),
        }),
      ),
    );
  } else if (it.kind === 'CONTACT') {
    details.push(
      h('p', {}, t('portalContactAsked', { date: date(it.createdAt) })),
      h(
        'dl.facts',
        {},
        CONTACT_FIELDS.filter((k) => it.payload[k]).map((k) => [
          h('dt', {}, t(`contactField.${k}`)),
          h('dd', { 'data-field': k }, String(it.payload[k])),
        ]),
      ),
    );
  }
  if (it.document) details.push(attachment(it.document));
  box.append(
    ...details.flat(),
    errorBox,
    h(
      'div.buttons',
      {},
      h(
        'button.btn.btn-primary',
        {
          type: 'button',
          'data-decide': 'approve',
          disabled: managerOnly ? 'disabled' : null,
          title: managerOnly ? t('managerOnly') : null,
          on: { click: () => void decide('approve') },
        },
        t('requestApprove', { kind: it.kind }),
      ),
      h(
        'button.btn.btn-danger',
        { type: 'button', 'data-decide': 'decline', on: { click: () => void decide('decline') } },
        t('requestDecline', { kind: it.kind }),
      ),
    ),
  );
  if (managerOnly) box.append(h('small.hint', {}, t('managerOnly')));
  return box;
}

/**
 * A file the debtor attached: its name and size, a link that downloads it (GET /v1/documents/:id, the session's
 * cookie; the API checks the reader may see the invoice).
 */
export function attachment(/** @type {{ documentId?: string; filename: string; sizeBytes: number }} */ d) {
  const text = t('portalAttachment', { filename: d.filename, size: num(Math.max(1, Math.round(d.sizeBytes / 1024))) });
  return h(
    'p.attachment',
    {},
    d.documentId
      ? h('a', { href: documentHref(d.documentId), download: d.filename, 'data-document': d.documentId }, text)
      : text,
  );
}
