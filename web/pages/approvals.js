/** Legal actions awaiting the credit manager's decision, each with its cost-benefit figures and approve/decline. */
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
  const figures = await Promise.all(items.map((/** @type {any} */ i) => costBenefit(i.invoiceId)));
  mount(
    main,
    h('h1', {}, t('approvalsTitle')),
    items.length === 0
      ? h('p.empty', {}, t('approvalsEmpty'))
      : h(
          'div.cards',
          {},
          items.map((/** @type {any} */ it, /** @type {number} */ i) =>
            approvalCard(it, figures[i], () => renderApprovals(main, params)),
          ),
        ),
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
      h('h2', { id: `ap-${it.taskId}` }, h('a', { href: `#/invoice/${it.invoiceId}` }, it.number), ' — ', it.customer),
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
