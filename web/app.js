/** The console shell: sign-in, the role's menu, the language switch and a hash router (#/agenda, #/invoice/…). */
import { api, clearKey, getKey, setKey, ApiError } from './api.js';
import { getLang, LANGS, setLang, t } from './i18n.js';
import { errorText, field, h, loading } from './ui.js';
import { renderAgenda } from './pages/agenda.js';
import { renderInvoice } from './pages/invoice.js';
import { renderInvoices } from './pages/invoices.js';
import { renderTower } from './pages/tower.js';
import { renderApprovals } from './pages/approvals.js';
import { renderPolicies, renderPolicyEditor } from './pages/policies.js';

/**
 * @typedef {{ role: string; userId: string | null; name: string; language?: string }} Me
 * @typedef {{ args: string[]; query: URLSearchParams }} Params
 * @typedef {{ re: RegExp; roles: string[]; render: (p: Params) => Promise<void> }} Route
 */

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const topbar = /** @type {HTMLElement} */ (document.getElementById('topbar'));
/** @type {Me | null} */
let me = null;
const signedIn = () => /** @type {Me} */ (me);

/** @type {Route[]} */
const ROUTES = [
  { re: /^#\/agenda$/, roles: ['collector', 'manager', 'admin'], render: (p) => renderAgenda(main, p, signedIn()) },
  { re: /^#\/invoices$/, roles: ['collector', 'manager', 'admin'], render: (p) => renderInvoices(main, p, signedIn()) },
  {
    re: /^#\/invoice\/([^/]+)$/,
    roles: ['collector', 'manager', 'admin'],
    render: (p) => renderInvoice(main, p, signedIn()),
  },
  { re: /^#\/tower$/, roles: ['manager', 'admin'], render: (p) => renderTower(main, p) },
  { re: /^#\/approvals$/, roles: ['manager', 'admin'], render: (p) => renderApprovals(main, p) },
  { re: /^#\/policies$/, roles: ['manager', 'admin'], render: () => renderPolicies(main) },
  { re: /^#\/policies\/([^/]+)$/, roles: ['manager', 'admin'], render: (p) => renderPolicyEditor(main, p) },
];
const NAV = [
  ['#/agenda', 'navAgenda'],
  ['#/invoices', 'navInvoices'],
  ['#/tower', 'navTower'],
  ['#/approvals', 'navApprovals'],
  ['#/policies', 'navPolicies'],
];
const home = () => (me && me.role !== 'collector' ? '#/tower' : '#/agenda');

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
                  click: () => {
                    clearKey();
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

function renderLogin() {
  const input = h('input', { type: 'password', name: 'key', autocomplete: 'off', required: true, spellcheck: 'false' });
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1' });
  const form = h(
    'form.card.login',
    {
      on: {
        /** @param {SubmitEvent} e */
        submit: async (e) => {
          e.preventDefault();
          errorBox.hidden = true;
          const key = input.value.trim();
          try {
            me = await api('/console/api/me', { key });
            setKey(key);
            location.hash = home();
          } catch (err) {
            errorBox.hidden = false;
            // Always a sentence in the user's language: never the server's text, never an empty or "null" box.
            errorBox.textContent = err instanceof ApiError && err.status === 401 ? t('badKey') : errorText(err);
            input.setAttribute('aria-invalid', 'true');
            input.focus();
          }
        },
      },
    },
    h('h1', {}, t('signInTitle')),
    h('p.muted', {}, t('signInHelp')),
    field(t('apiKey'), input),
    errorBox,
    h('button.btn.btn-primary', { type: 'submit' }, t('signIn')),
  );
  main.replaceChildren(form);
  main.setAttribute('aria-busy', 'false');
  input.focus();
}

async function route() {
  document.documentElement.lang = getLang();
  document.title = t('appName');
  const hash = location.hash || '#/';
  if (!getKey()) {
    me = null;
    renderTopbar();
    if (hash !== '#/login') location.hash = '#/login';
    else renderLogin();
    return;
  }
  if (!me) {
    try {
      me = await api('/console/api/me');
    } catch {
      clearKey();
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
  loading(main);
  try {
    await found.r.render(params);
  } catch (err) {
    main.replaceChildren(
      h('div.alert', { role: 'alert' }, h('strong', {}, `${t('error')}: `), errorText(err)),
      h('button.btn', { type: 'button', on: { click: () => void route() } }, t('retry')),
    );
  } finally {
    main.setAttribute('aria-busy', 'false');
  }
  // Move focus to the new page's heading so keyboard and screen-reader users land on the content.
  const heading = main.querySelector('h1');
  if (heading && document.activeElement === document.body) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

window.addEventListener('hashchange', () => void route());
setLang(getLang());
void route();
