/**
 * People, for admins: invite (the one-time link is shown once, to pass on), change a role, disable or enable, reset a
 * password (a new link), and bind collectors and salespeople to their customers by customer code. Everything through
 * `/v1/users`, the API an admin's script would use.
 */
import { api } from '../api.js';
import { t } from '../i18n.js';
import { clearErrors, dateTime, field, h, mount, num, select, showError, toast } from '../ui.js';

const ROLES = /** @type {const} */ (['collector', 'manager', 'salesperson', 'admin']);
const LANGS = /** @type {const} */ (['it', 'en', 'fr']);

/**
 * @typedef {{ id: string; name: string; email: string | null; role: string; language: string;
 *   status: 'invited' | 'active' | 'disabled'; sso: boolean; customers: number }} User
 * @typedef {{ url: string; expiresAt: string }} Link
 */

/**
 * @param {HTMLElement} main @param {import('../app.js').Me} me
 * @param {{ title: string; link: Link } | null} [flash] a one-time link to show on the refreshed page
 */
export async function renderUsers(main, me, flash = null) {
  const { items } = /** @type {{ items: User[] }} */ (await api('/v1/users'));
  const linkBox = h('div.card.link-box', { hidden: true, tabindex: '-1', 'aria-live': 'polite' });
  /** Re-reads the users; a one-time link just made is shown on the new page. @param {string} [title] @param {Link} [link] */
  const refresh = (title, link) => renderUsers(main, me, title && link ? { title, link } : null);
  /** Shows the one-time link: it is never shown again, so the admin copies it now. @param {string} title @param {Link} link */
  const showLink = (title, link) => {
    const input = h('input', { type: 'text', readonly: true, value: link.url, name: 'link', spellcheck: 'false' });
    linkBox.replaceChildren(
      h('h2', {}, title),
      h('p', {}, t('linkOnce', { until: dateTime(link.expiresAt) })),
      field(t('link'), input),
    );
    linkBox.hidden = false;
    linkBox.focus();
    input.select();
  };
  mount(
    main,
    h('h1', {}, t('usersTitle')),
    h('p.muted', {}, t('usersLead')),
    inviteForm((link) => refresh(t('invitationReady'), link)),
    linkBox,
    h(
      'div.table-wrap',
      {},
      h(
        'table.data.users',
        {},
        h('caption.sr-only', {}, t('usersTitle')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [t('colName'), t('email'), t('colRole'), t('colStatus'), t('colCustomers'), t('colActions')].map((c) =>
              h('th', { scope: 'col' }, c),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          items.map((u) => userRow(u, u.id === me.userId, refresh)),
        ),
      ),
    ),
  );
  if (flash) showLink(flash.title, flash.link);
}

/** @param {(link: Link) => Promise<void>} done */
function inviteForm(done) {
  const name = h('input', { name: 'name', required: true, autocomplete: 'off', 'data-path': 'name' });
  const email = h('input', { name: 'email', type: 'email', required: true, autocomplete: 'off', 'data-path': 'email' });
  const role = select(
    'role',
    ROLES.map((r) => [r, t('role', { role: r })]),
    'collector',
  );
  const language = select(
    'language',
    LANGS.map((l) => [l, t('langName', { lang: l })]),
    'it',
  );
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1' });
  const form = h(
    'form.card.invite',
    {
      'aria-labelledby': 'invite-title',
      on: {
        /** @param {SubmitEvent} e */
        submit: async (e) => {
          e.preventDefault();
          clearErrors(form, errorBox);
          try {
            const res = await api('/v1/users', {
              method: 'POST',
              body: { name: name.value.trim(), email: email.value.trim(), role: role.value, language: language.value },
            });
            toast(t('invited', { name: res.user.name }));
            await done(res.invitation);
          } catch (err) {
            showError(errorBox, err, form);
          }
        },
      },
    },
    h('h2#invite-title', {}, t('inviteTitle')),
    h(
      'div.row',
      {},
      field(t('colName'), name),
      field(t('email'), email),
      field(t('colRole'), role),
      field(t('language'), language),
    ),
    errorBox,
    h('button.btn.btn-primary', { type: 'submit' }, t('invite')),
  );
  return form;
}

/** @param {User} u @param {boolean} self @param {(title?: string, link?: Link) => Promise<void>} refresh */
function userRow(u, self, refresh) {
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1' });
  const role = select(
    'role',
    ROLES.map((r) => [r, t('role', { role: r })]),
    u.role,
    { 'aria-label': t('roleOf', { name: u.name }), disabled: self ? 'disabled' : null },
  );
  /** @param {string} path @param {unknown} body @param {string} done */
  const act = async (path, body, done) => {
    clearErrors(row, errorBox);
    try {
      const res = await api(`/v1/users/${encodeURIComponent(u.id)}/${path}`, { method: 'POST', body });
      toast(done);
      await (res.reset ? refresh(t('resetReady', { name: u.name }), res.reset) : refresh());
    } catch (err) {
      showError(errorBox, err, row);
    }
  };
  const bindable = u.role === 'collector' || u.role === 'salesperson';
  const panel = h('div.customers-panel', { hidden: true });
  const row = h(
    'tr',
    { 'data-user': u.email ?? u.id },
    h('th', { scope: 'row' }, u.name, u.sso ? h('span.badge.badge-ok', { title: t('ssoLinked') }, ' SSO') : null),
    h('td', {}, u.email ?? '—'),
    h(
      'td',
      {},
      role,
      ' ',
      h(
        'button.btn.btn-small',
        {
          type: 'button',
          disabled: self ? 'disabled' : null,
          on: { click: () => void act('role', { role: role.value }, t('roleChanged')) },
        },
        t('save'),
      ),
    ),
    h('td', {}, h('span.badge', { class: `user-${u.status}` }, t('userStatus', { status: u.status }))),
    h('td.num', {}, bindable ? num(u.customers) : '—'),
    h(
      'td.actions',
      {},
      u.status === 'disabled'
        ? h(
            'button.btn.btn-small',
            { type: 'button', on: { click: () => void act('enable', {}, t('userEnabled')) } },
            t('enable'),
          )
        : h(
            'button.btn.btn-small.btn-danger',
            {
              type: 'button',
              disabled: self ? 'disabled' : null,
              on: { click: () => void act('disable', {}, t('userDisabled')) },
            },
            t('disable'),
          ),
      ' ',
      u.status === 'disabled'
        ? null
        : h(
            'button.btn.btn-small',
            { type: 'button', on: { click: () => void act('reset-password', {}, t('passwordReset')) } },
            t('resetPassword'),
          ),
      ' ',
      bindable
        ? h(
            'button.btn.btn-small',
            {
              type: 'button',
              'aria-expanded': 'false',
              on: {
                /** @param {MouseEvent} e */
                click: async (e) => {
                  const btn = /** @type {HTMLButtonElement} */ (e.currentTarget);
                  const open = panel.hidden;
                  panel.hidden = !open;
                  btn.setAttribute('aria-expanded', String(open));
                  if (open) await customersPanel(panel, u, refresh);
                },
              },
            },
            t('customers'),
          )
        : null,
      errorBox,
      panel,
    ),
  );
  return row;
}

/** The customers bound to a collector or salesperson, each removable, and a field to add more by code. */
/** @param {HTMLElement} panel @param {User} u @param {(title?: string, link?: Link) => Promise<void>} refresh */
async function customersPanel(panel, u, refresh) {
  const { items } = await api(`/v1/users/${encodeURIComponent(u.id)}/customers`);
  const codes = h('input', { name: 'add', autocomplete: 'off', 'data-path': 'add', placeholder: 'C-1001, C-1002' });
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1' });
  /** @param {{ add?: string[]; remove?: string[] }} body */
  const bind = async (body) => {
    clearErrors(panel, errorBox);
    try {
      await api(`/v1/users/${encodeURIComponent(u.id)}/customers`, { method: 'POST', body });
      toast(t('customersSaved'));
      await refresh();
    } catch (err) {
      showError(errorBox, err, panel);
    }
  };
  panel.replaceChildren(
    items.length === 0
      ? h('p.empty', {}, t('noCustomers'))
      : h(
          'ul.bound',
          {},
          items.map((/** @type {{ code: string; name: string }} */ c) =>
            h(
              'li',
              {},
              `${c.code} — ${c.name} `,
              h(
                'button.btn.btn-small',
                {
                  type: 'button',
                  'aria-label': t('unbindCustomer', { name: c.name }),
                  on: { click: () => void bind({ remove: [c.code] }) },
                },
                t('remove'),
              ),
            ),
          ),
        ),
    h(
      'form.bind',
      {
        on: {
          /** @param {SubmitEvent} e */
          submit: (e) => {
            e.preventDefault();
            const add = codes.value
              .split(/[\s,;]+/)
              .map((c) => c.trim())
              .filter(Boolean);
            if (add.length) void bind({ add });
          },
        },
      },
      field(t('addCustomers'), codes, t('addCustomersHint')),
      h('button.btn.btn-small', { type: 'submit' }, t('add')),
    ),
    errorBox,
  );
}
