/** The console shell: sign-in, the role's menu, the language switch and a hash router (#/agenda, #/invoice/…). */
import { api, setCsrf, ApiError } from './api.js';
import { getLang, LANGS, setLang, t } from './i18n.js';
import { clearErrors, errorText, field, h, showError } from './ui.js';
import { renderAgenda } from './pages/agenda.js';
import { renderInvoice } from './pages/invoice.js';
import { renderInvoices } from './pages/invoices.js';
import { renderCustomer } from './pages/customer.js';
import { renderTower } from './pages/tower.js';
import { renderApprovals } from './pages/approvals.js';
import { renderPolicies, renderPolicyEditor } from './pages/policies.js';
import { renderUsers } from './pages/users.js';
import { renderAudit } from './pages/audit.js';
import { renderPreferences } from './pages/preferences.js';
import { renderImport } from './pages/import.js';

/**
 * @typedef {{ role: string; userId: string | null; name: string; language?: string; csrfToken?: string;
 *   clickToCall?: boolean }} Me
 * @typedef {{ args: string[]; query: URLSearchParams }} Params
 * @typedef {{ re: RegExp; roles: string[]; render: (p: Params, view: HTMLElement) => Promise<void> }} Route
 */

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const topbar = /** @type {HTMLElement} */ (document.getElementById('topbar'));
/** @type {Me | null} */
let me = null;
const signedIn = () => /** @type {Me} */ (me);

/** @type {Route[]} */
const ROUTES = [
  {
    re: /^#\/agenda$/,
    roles: ['collector', 'manager', 'admin'],
    render: (p, view) => renderAgenda(view, p, signedIn()),
  },
  {
    re: /^#\/invoices$/,
    roles: ['collector', 'manager', 'admin', 'salesperson'],
    render: (p, view) => renderInvoices(view, p, signedIn()),
  },
  {
    re: /^#\/invoice\/([^/]+)$/,
    roles: ['collector', 'manager', 'admin', 'salesperson'],
    render: (p, view) => renderInvoice(view, p, signedIn()),
  },
  {
    re: /^#\/customer\/([^/]+)$/,
    roles: ['collector', 'manager', 'admin'],
    render: (p, view) => renderCustomer(view, p, signedIn()),
  },
  { re: /^#\/tower$/, roles: ['manager', 'admin'], render: (p, view) => renderTower(view, p) },
  { re: /^#\/approvals$/, roles: ['manager', 'admin'], render: (p, view) => renderApprovals(view, p) },
  { re: /^#\/policies$/, roles: ['manager', 'admin'], render: (_p, view) => renderPolicies(view) },
  { re: /^#\/policies\/([^/]+)$/, roles: ['manager', 'admin'], render: (p, view) => renderPolicyEditor(view, p) },
  { re: /^#\/users$/, roles: ['admin'], render: (_p, view) => renderUsers(view, signedIn()) },
  { re: /^#\/audit$/, roles: ['manager', 'admin'], render: (p, view) => renderAudit(view, p) },
  { re: /^#\/import$/, roles: ['manager', 'admin'], render: (p, view) => renderImport(view, p) },
  {
    re: /^#\/preferences$/,
    roles: ['collector', 'manager', 'admin', 'salesperson'],
    render: (_p, view) => renderPreferences(view, renderTopbar),
  },
];
const NAV = [
  ['#/agenda', 'navAgenda'],
  ['#/invoices', 'navInvoices'],
  ['#/tower', 'navTower'],
  ['#/approvals', 'navApprovals'],
  ['#/policies', 'navPolicies'],
  ['#/import', 'navImport'],
  ['#/audit', 'navAudit'],
  ['#/users', 'navUsers'],
  ['#/preferences', 'navPreferences'],
];
const home = () => (!me || me.role === 'collector' ? '#/agenda' : me.role === 'salesperson' ? '#/invoices' : '#/tower');

function renderTopbar() {
  const skip = document.getElementById('skip-link');
  if (skip) skip.textContent = t('skip');
  const current = location.hash.split('?')[0];
  const langSwitch = h(
    'div.lang',
    { role: 'group', 'aria-label': t('language') },
    LANGS.map((l) =>
      h(
        'button.btn.btn-small',
        {
          type: 'button',
          'aria-pressed': String(getLang() === l),
          lang: l,
          'aria-label': `${l.toUpperCase()} – ${t('langName', { lang: l })}`,
          on: {
            click: () => {
              setLang(l);
              void route();
            },
          },
        },
        l.toUpperCase(),
      ),
    ),
  );
  const role = me?.role;
  const nav = role
    ? h(
        'nav.mainnav',
        { 'aria-label': t('mainMenu') },
        h(
          'ul',
          {},
          NAV.filter(([href]) => ROUTES.find((r) => r.re.test(href))?.roles.includes(role)).map(([href, key]) =>
            h('li', {}, h('a', { href, 'aria-current': current.startsWith(href) ? 'page' : null }, t(key))),
          ),
        ),
      )
    : null;
  topbar.replaceChildren(
    h('a.brand', { href: me ? home() : '#/login' }, h('span.logo', { 'aria-hidden': 'true' }, '◆'), ' ', t('appName')),
    nav ?? '',
    h(
      'div.session',
      {},
      langSwitch,
      me
        ? [
            h('span.who', {}, t('signedInAs', { name: me.name, role: t('role', { role: me.role }) })),
            h(
              'button.btn.btn-small',
              {
                type: 'button',
                on: {
                  click: async () => {
                    // The server ends the session and clears the cookie; the page forgets the CSRF token.
                    await api('/auth/sign-out', { method: 'POST', quiet: true }).catch(() => undefined);
                    setCsrf(null);
                    me = null;
                    location.hash = '#/login';
                  },
                },
              },
              t('signOut'),
            ),
          ]
        : null,
    ),
  );
}

/** Signed in (a sign-in, a new password or single sign-on answered): remember who, go home. @param {Me} who */
function enter(who) {
  me = who;
  setCsrf(who.csrfToken ?? null);
  location.hash = home();
}

async function renderLogin() {
  const email = h('input', {
    type: 'email',
    name: 'email',
    autocomplete: 'username',
    required: true,
    spellcheck: 'false',
  });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1' });
  // A failed single sign-on comes back here with its reason in the query (never the provider's text).
  const sso = new URLSearchParams(location.hash.split('?')[1] ?? '').get('sso');
  if (sso) {
    errorBox.hidden = false;
    errorBox.textContent = t(`sso.${sso}`);
  }
  /** @type {{ oidc: { label: string; start: string } | null }} */
  const methods = await api('/auth/methods', { quiet: true }).catch(() => ({ oidc: null }));
  const form = h(
    'form.card.login',
    {
      on: {
        /** @param {SubmitEvent} e */
        submit: async (e) => {
          e.preventDefault();
          errorBox.hidden = true;
          try {
            enter(
              await api('/auth/sign-in', {
                method: 'POST',
                body: { email: email.value.trim(), password: password.value },
                quiet: true,
              }),
            );
          } catch (err) {
            errorBox.hidden = false;
            // Always a sentence in the user's language: never the server's text, never an empty or "null" box.
            errorBox.textContent =
              err instanceof ApiError && (err.status === 401 || err.status === 400)
                ? t('badCredentials')
                : errorText(err);
            password.setAttribute('aria-invalid', 'true');
            password.value = '';
            password.focus();
          }
        },
      },
    },
    h('h1', {}, t('signInTitle')),
    h('p.muted', {}, t('signInHelp')),
    field(t('email'), email),
    field(t('password'), password),
    errorBox,
    h('button.btn.btn-primary', { type: 'submit' }, t('signIn')),
    methods.oidc
      ? h(
          'p.sso',
          {},
          h(
            'a.btn',
            { href: methods.oidc.start, 'data-sso': 'oidc' },
            t('signInSso', { provider: methods.oidc.label }),
          ),
        )
      : null,
  );
  main.replaceChildren(form);
  main.setAttribute('aria-busy', 'false');
  email.focus();
}

/** The page of an invitation or reset link: choose a password (twice), then in. @param {string} token */
function renderSetPassword(token) {
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true });
  const repeat = h('input', { type: 'password', name: 'repeat', autocomplete: 'new-password', required: true });
  password.dataset.path = 'password';
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1' });
  const form = h(
    'form.card.login',
    {
      on: {
        /** @param {SubmitEvent} e */
        submit: async (e) => {
          e.preventDefault();
          clearErrors(form, errorBox);
          if (password.value !== repeat.value) {
            errorBox.hidden = false;
            errorBox.textContent = t('passwordsDiffer');
            repeat.setAttribute('aria-invalid', 'true');
            repeat.focus();
            return;
          }
          try {
            enter(
              await api('/auth/password', { method: 'POST', body: { token, password: password.value }, quiet: true }),
            );
          } catch (err) {
            if (err instanceof ApiError && err.code === 'LINK_INVALID') {
              errorBox.hidden = false;
              errorBox.textContent = t('linkInvalid');
              errorBox.focus();
            } else showError(errorBox, err, form);
          }
        },
      },
    },
    h('h1', {}, t('setPasswordTitle')),
    h('p.muted', {}, t('setPasswordHelp', { min: 12 })),
    field(t('newPassword'), password),
    field(t('repeatPassword'), repeat),
    errorBox,
    h('button.btn.btn-primary', { type: 'submit' }, t('setPassword')),
  );
  main.replaceChildren(form);
  main.setAttribute('aria-busy', 'false');
  password.focus();
}

async function route() {
  document.documentElement.lang = getLang();
  document.title = t('appName');
  const hash = location.hash || '#/';
  const link = hash.match(/^#\/password\/([\w-]{20,200})$/);
  if (link) {
    me = null;
    setCsrf(null);
    renderTopbar();
    renderSetPassword(link[1]);
    return;
  }
  if (hash.split('?')[0] === '#/login') {
    me = null;
    renderTopbar();
    await renderLogin();
    return;
  }
  if (!me) {
    // The session cookie is invisible to scripts: ask the server who is signed in (and the session's CSRF token).
    try {
      me = /** @type {Me} */ (await api('/console/api/me', { quiet: true }));
      setCsrf(me.csrfToken ?? null);
    } catch {
      me = null;
      location.hash = '#/login';
      return;
    }
  }
  const [path, qs] = hash.split('?');
  const found = ROUTES.map((r) => ({ r, m: path.match(r.re) })).find((x) => x.m);
  if (!found?.m) {
    location.hash = home();
    return;
  }
  renderTopbar();
  if (!found.r.roles.includes(signedIn().role)) {
    main.replaceChildren(h('p.alert', { role: 'alert' }, t('forbidden')));
    return;
  }
  const params = { args: found.m.slice(1).map(decodeURIComponent), query: new URLSearchParams(qs ?? '') };
  // Each navigation renders into a container of its own: a slower page the user has already left (the home page
  // still loading its reports when they open a customer) finishes in its detached container and can no longer
  // overwrite the page they moved to.
  const view = h('div.view', {});
  main.replaceChildren(view);
  main.setAttribute('aria-busy', 'true');
  view.replaceChildren(h('p.muted', {}, t('loading')));
  try {
    await found.r.render(params, view);
  } catch (err) {
    view.replaceChildren(
      h('div.alert', { role: 'alert' }, h('strong', {}, `${t('error')}: `), errorText(err)),
      h('button.btn', { type: 'button', on: { click: () => void route() } }, t('retry')),
    );
  } finally {
    if (view.isConnected) main.setAttribute('aria-busy', 'false');
  }
  if (!view.isConnected) return;
  // Move focus to the new page's heading so keyboard and screen-reader users land on the content.
  const heading = view.querySelector('h1');
  if (heading && document.activeElement === document.body) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

window.addEventListener('hashchange', () => void route());
setLang(getLang());
void route();
