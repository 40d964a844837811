/** The console shell: sign-in, the role's menu, the language switch and a hash router (#/agenda, #/invoice/…). */
import { api, clearKey, getKey, setKey, ApiError } from './api.js';
import { getLang, LANGS, setLang, t } from './i18n.js';
import { field, h, loading } from './ui.js';
import { renderAgenda } from './pages/agenda.js';
import { renderInvoice } from './pages/invoice.js';
import { renderInvoices } from './pages/invoices.js';
import { renderTower } from './pages/tower.js';
import { renderApprovals } from './pages/approvals.js';
import { renderPolicies, renderPolicyEditor } from './pages/policies.js';

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');
let me = null;

const ROUTES = [
  {
    re: /^#\/agenda$/,
    roles: ['collector', 'manager', 'admin'],
    nav: 'navAgenda',
    render: (p) => renderAgenda(main, p, me),
  },
  { re: /^#\/invoices$/, roles: ['collector', 'manager', 'admin'], render: (p) => renderInvoices(main, p, me) },
  { re: /^#\/invoice\/([^/]+)$/, roles: ['collector', 'manager', 'admin'], render: (p) => renderInvoice(main, p, me) },
  { re: /^#\/tower$/, roles: ['manager', 'admin'], nav: 'navTower', render: (p) => renderTower(main, p, me) },
  {
    re: /^#\/approvals$/,
    roles: ['manager', 'admin'],
    nav: 'navApprovals',
    render: (p) => renderApprovals(main, p, me),
  },
  { re: /^#\/policies$/, roles: ['manager', 'admin'], nav: 'navPolicies', render: (p) => renderPolicies(main, p, me) },
  { re: /^#\/policies\/([^/]+)$/, roles: ['manager', 'admin'], render: (p) => renderPolicyEditor(main, p, me) },
];
const NAV = [
  ['#/agenda', 'navAgenda'],
  ['#/invoices', 'navInvoices'],
  ['#/tower', 'navTower'],
  ['#/approvals', 'navApprovals'],
  ['#/policies', 'navPolicies'],
];
const LANG_NAMES = { it: 'IT – Italiano', en: 'EN – English' };
const home = () => (me && me.role !== 'collector' ? '#/tower' : '#/agenda');

function renderTopbar() {
  document.getElementById('skip-link').textContent = t('skip');
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
          'aria-label': LANG_NAMES[l],
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
  const nav = me
    ? h(
        'nav.mainnav',
        { 'aria-label': 'main' },
        h(
          'ul',
          {},
          NAV.filter(([href]) => ROUTES.find((r) => r.re.test(href))?.roles.includes(me.role)).map(([href, key]) =>
            h('li', {}, h('a', { href, 'aria-current': current.startsWith(href) ? 'page' : null }, t(key))),
          ),
        ),
      )
    : null;
  topbar.replaceChildren(
    h('a.brand', { href: me ? home() : '#/login' }, h('span.logo', { 'aria-hidden': 'true' }, '◆'), ' ', t('appName')),
    nav,
    h(
      'div.session',
      {},
      langSwitch,
      me
        ? [
            h('span.who', {}, t('signedInAs', { name: me.name, role: t(`role_${me.role}`) })),
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
            errorBox.textContent = err instanceof ApiError && err.status === 401 ? t('badKey') : err.message;
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
  if (!found) {
    location.hash = home();
    return;
  }
  renderTopbar();
  if (!found.r.roles.includes(me.role)) {
    main.replaceChildren(h('p.alert', { role: 'alert' }, t('forbidden')));
    return;
  }
  const params = { args: found.m.slice(1).map(decodeURIComponent), query: new URLSearchParams(qs ?? '') };
  loading(main);
  try {
    await found.r.render(params);
  } catch (err) {
    main.replaceChildren(
      h('div.alert', { role: 'alert' }, h('strong', {}, `${t('error')}: `), err?.message ?? String(err)),
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
