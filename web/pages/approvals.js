/** Legal actions awaiting the credit manager's decision, each with its cost-benefit figures and approve/decline. */
import { customerLink } from './customer.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import {
  clearErrors,
  code,
  date,
  field,
  h,
  money,
  num,
  pct,
  ratingBadge,
  showError,
  stageBadge,
  toast,
  mount,
} from '../ui.js';
import { portalPlanSection } from './portal-requests.js';

/** The reports API's evaluation of one case, or null when the server has no reports yet. */
/** @param {string} invoiceId @returns {Promise<any>} */
async function costBenefit(invoiceId) {
  try {
    const r = await api('/v1/reports/legal', { query: { invoiceId } });
    const list = r?.items ?? r?.cases ?? (Array.isArray(r) ? r : []);
    return list.find((/** @type {any} */ c) => c.invoiceId === invoiceId) ?? null;
  } catch {
    return null;
  }
}

/** @param {HTMLElement} main @param {import('../app.js').Params} params */
export async function renderApprovals(main, params) {
  const { items } = await api('/console/api/approvals');
  // Each kind of approval has its card; the legal ones also bring the reports API's cost-benefit figures.
  const figures = await Promise.all(
    items.map((/** @type {any} */ i) => (i.kind === 'pause' ? null : costBenefit(i.invoiceId))),
  );
  const plans = await portalPlanSection(() => renderApprovals(main, params));
  mount(
    main,
    h('h1', {}, t('approvalsTitle')),
    items.length === 0
      ? h('p.empty', {}, t('approvalsEmpty'))
      : h(
          'div.cards',
          {},
          items.map((/** @type {any} */ it, /** @type {number} */ i) =>
            (CARDS[it.kind] ?? approvalCard)(it, figures[i], () => renderApprovals(main, params)),
          ),
        ),
    plans,
  );
}

/** @param {any} it @param {any} cb @param {() => Promise<void>} refresh */
function approvalCard(it, cb, refresh) {
  const note = h('textarea', { name: 'note', rows: 2 });
  const writeOff = h('input', { type: 'checkbox', name: 'writeOff' });
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1' });
  const card = h('article.card.approval', { 'data-invoice': it.number, 'aria-labelledby': `ap-${it.taskId}` });
  /** @param {'approve' | 'decline'} kind */
  const decide = async (kind) => {
    clearErrors(card, errorBox);
    card.querySelectorAll('button').forEach((/** @type {HTMLButtonElement} */ b) => (b.disabled = true));
    try {
      const body =
        kind === 'approve'
          ? { note: note.value.trim() || undefined }
          : { note: note.value.trim() || undefined, writeOff: writeOff.checked };
      await api(`/v1/invoices/${encodeURIComponent(it.invoiceId)}/legal/${kind}`, { method: 'POST', body });
      toast(kind === 'approve' ? t('approved') : t('declined'));
      await refresh();
    } catch (err) {
      showError(errorBox, err, card, { money: (m) => money(m, it.currency), date });
      card.querySelectorAll('button').forEach((/** @type {HTMLButtonElement} */ b) => (b.disabled = false));
    }
  };
  /** @param {string} label @param {import('../ui.js').Child} value @param {string} [cls] */
  const fig = (label, value, cls) => h('div', { class: cls }, h('dt', {}, label), h('dd', {}, value));
  card.append(
    h(
      'header.approval-head',
      {},
      h(
        'h2',
        { id: `ap-${it.taskId}` },
        h('a', { href: `#/invoice/${it.invoiceId}` }, it.number),
        ' — ',
        it.customerId ? customerLink(it.customerId, it.customer) : it.customer,
      ),
      stageBadge(it.stage, code(it.stage)),
      ratingBadge(it.rating),
    ),
    h(
      'dl.facts.figures',
      {},
      fig(t('balance'), money(it.balanceMinor, it.currency)),
      fig(t('daysOverdue'), num(it.daysOverdue)),
      fig(t('costsSoFar'), money(cb?.costsSoFarMinor ?? it.costsSoFarMinor, it.currency)),
      cb ? fig(t('recoveryProbability'), pct(cb.recoveryProbability)) : null,
      cb ? fig(t('expectedRecovery'), money(cb.expectedRecoveryMinor, it.currency)) : null,
      cb ? fig(t('expectedCosts'), money(cb.expectedCostsMinor, it.currency)) : null,
      cb
        ? fig(
            t('netExpected'),
            money(cb.netExpectedValueMinor, it.currency),
            cb.netExpectedValueMinor > 0 ? 'pos' : 'neg',
          )
        : null,
      cb
        ? fig(
            t('recommendation'),
            h(
              'span.badge',
              { class: cb.recommendation === 'STOP' ? 'badge-danger' : 'badge-ok' },
              t('recommend', { r: cb.recommendation === 'STOP' ? 'STOP' : 'PROCEED' }),
            ),
          )
        : fig(t('recommendation'), h('span.muted', {}, t('notAvailable'))),
    ),
    // The reports API explains its recommendation in English only: say so to the browser (and screen readers).
    cb?.reason ? h('p.muted', { lang: 'en' }, cb.reason) : null,
    // A figure that rests on an estimate standing in for a figure of law says so (DM 55/2014 lawyer fee).
    cb?.unverified?.includes('LAWYER_FEE_NOT_VERIFIED')
      ? h('p.alert.alert-warn', { 'data-unverified': 'lawyer-fee' }, t('legalLawyerFeeUnverified'))
      : null,
    field(t('note'), note),
    h('label.check', {}, writeOff, ' ', t('writeOffOnDecline')),
    errorBox,
    h(
      'div.buttons',
      {},
      h(
        'button.btn.btn-primary',
        { type: 'button', 'data-decide': 'approve', on: { click: () => void decide('approve') } },
        t('approve'),
      ),
      h(
        'button.btn.btn-danger',
        { type: 'button', 'data-decide': 'decline', on: { click: () => void decide('decline') } },
        t('decline'),
      ),
    ),
  );
  return card;
}

/**
 * A salesperson's request to pause dunning: who asked, why and until when; approving sends the pause to the invoice
 * workflow as the manager's own decision.
 * @param {any} it @param {any} _cb @param {() => Promise<void>} refresh
 */
function pauseCard(it, _cb, refresh) {
  const note = h('textarea', { name: 'note', rows: 2 });
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1' });
  const card = h('article.card.approval.approval-pause', {
    'data-invoice': it.number,
    'data-kind': 'pause',
    'aria-labelledby': `ap-${it.taskId}`,
  });
  /** @param {'approve' | 'decline'} kind */
  const decide = async (kind) => {
    clearErrors(card, errorBox);
    card.querySelectorAll('button').forEach((/** @type {HTMLButtonElement} */ b) => (b.disabled = true));
    try {
      await api(`/v1/pause-requests/${encodeURIComponent(it.requestId)}/${kind}`, {
        method: 'POST',
        body: { note: note.value.trim() || undefined },
      });
      toast(kind === 'approve' ? t('pauseApproved') : t('pauseDeclined'));
      await refresh();
    } catch (err) {
      showError(errorBox, err, card, { money: (m) => money(m, it.currency), date });
      card.querySelectorAll('button').forEach((/** @type {HTMLButtonElement} */ b) => (b.disabled = false));
    }
  };
  /** @param {string} label @param {import('../ui.js').Child} value */
  const fig = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, value));
  card.append(
    h(
      'header.approval-head',
      {},
      h(
        'h2',
        { id: `ap-${it.taskId}` },
        t('pauseRequestTitle'),
        ': ',
        h('a', { href: `#/invoice/${it.invoiceId}` }, it.number),
        ' — ',
        it.customer,
      ),
      stageBadge(it.stage, code(it.stage)),
      ratingBadge(it.rating),
    ),
    h(
      'dl.facts.figures',
      {},
      fig(t('requestedBy'), it.requestedBy),
      fig(t('pauseLastDay'), date(it.until)),
      fig(t('balance'), money(it.balanceMinor, it.currency)),
      fig(t('reason'), it.reason),
    ),
    field(t('note'), note),
    errorBox,
    h(
      'div.buttons',
      {},
      h(
        'button.btn.btn-primary',
        { type: 'button', 'data-decide': 'approve', on: { click: () => void decide('approve') } },
        t('approvePause'),
      ),
      h(
        'button.btn.btn-danger',
        { type: 'button', 'data-decide': 'decline', on: { click: () => void decide('decline') } },
        t('decline'),
      ),
    ),
  );
  return card;
}

/**
 * The card of each kind of approval (`kind` from `GET /console/api/approvals`); a new kind adds its renderer here.
 * @type {Record<string, (it: any, cb: any, refresh: () => Promise<void>) => HTMLElement>}
 */
const CARDS = { legal: approvalCard, pause: pauseCard };
