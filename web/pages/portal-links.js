/**
 * The customer's portal links on the customer page (docs/portal.md): when each was sent and opened, whether it is
 * live, expired or revoked, and a button to revoke the live one (the next message then carries a new link). The
 * token itself is never shown: only the debtor has it. In its own module so the customer page changes on its own.
 */
import { api } from '../api.js';
import { t } from '../i18n.js';
import { dateTime, errorText, h, toast } from '../ui.js';

/** The card, filled once the links are read. @param {string} customerId @returns {HTMLElement} */
export function portalLinksCard(customerId) {
  const body = h('div', {}, h('p.muted', {}, '…'));
  const section = h(
    'section.card',
    { 'aria-labelledby': 'cust-portal-title', id: 'portal-links' },
    h('h2#cust-portal-title', {}, t('portalLinks')),
    body,
  );
  const load = async () => {
    try {
      const { items } = await api(`/v1/customers/${encodeURIComponent(customerId)}/portal-links`);
      body.replaceChildren(
        items.length
          ? h(
              'ul.plain',
              {},
              items.map((/** @type {any} */ l) =>
                h(
                  'li',
                  { 'data-link': l.id, 'data-status': l.status },
                  t('portalLinkLine', {
                    status: l.status,
                    sent: dateTime(l.lastSentAt ?? l.createdAt),
                    opened: l.lastOpenedAt ? dateTime(l.lastOpenedAt) : '—',
                    expires: dateTime(l.expiresAt),
                  }),
                  l.status === 'LIVE'
                    ? h(
                        'button.btn.btn-danger',
                        { type: 'button', 'data-revoke': l.id, on: { click: () => void revoke(l.id) } },
                        t('portalRevoke'),
                      )
                    : null,
                ),
              ),
            )
          : h('p.muted', {}, t('noItems')),
      );
    } catch (err) {
      body.replaceChildren(h('p.muted', {}, errorText(err)));
    }
  };
  const revoke = async (/** @type {string} */ linkId) => {
    try {
      await api(`/v1/customers/${encodeURIComponent(customerId)}/portal-links/${encodeURIComponent(linkId)}/revoke`, {
        method: 'POST',
        body: {},
      });
      toast(t('portalRevoked'));
      await load();
    } catch (err) {
      toast(errorText(err));
    }
  };
  void load();
  return section;
}
