/**
 * Every invoice the user may see, searched, filtered, sorted and paged on the server (GET /v1/invoices): fast on a
 * hundred thousand. The search box answers while the user types (a pause of a quarter of a second, three characters
 * at least); saved filters keep a search, its filters and its sort under a name, per person (/v1/saved-filters).
 */
import { api } from '../api.js';
import { ENUMS } from '../enums.js';
import { t } from '../i18n.js';
import { code, date, errorText, field, h, money, mount, num, pager, select, toast } from '../ui.js';
import { statusBadge } from './status.js';
import { options } from './filters.js';
import { createBulk } from './bulk.js';

const PAGE_SIZE = 50;
const KEYS = ['q', 'stage', 'segment', 'area', 'collector', 'salesperson', 'overdueMin', 'sort', 'dir'];
/** The sortable columns, as the API names them (its whitelist); the others are not sortable. */
const COLUMNS = /** @type {Array<[string, string | null]>} */ ([
  ['colInvoice', 'number'],
  ['colCustomer', 'customer'],
  ['colStage', 'stage'],
  ['colBalance', 'balance'],
  ['dueDate', 'dueDate'],
  ['colDaysOverdue', 'daysOverdue'],
  ['nextAction', 'nextAction'],
]);
const MIN_SEARCH = 3;
const TYPING_PAUSE_MS = 250;

/**
 * @param {HTMLElement} main
 * @param {import('../app.js').Params} params
 * @param {import('../app.js').Me} me
 */
export async function renderInvoices(main, params, me) {
  const q = params.query;
  /** @type {Record<string, string>} */
  const f = Object.fromEntries(KEYS.map((k) => [k, q.get(k) ?? '']));
  let page = Math.max(1, Number(q.get('page') ?? 1) || 1);
  const manager = me.role !== 'collector' && me.role !== 'salesperson';
  const personal = Boolean(me.userId);
  const [o, saved] = await Promise.all([
    options(),
    personal ? api('/v1/saved-filters').catch(() => ({ items: [] })) : { items: [] },
  ]);
  const results = h('div.results', { 'aria-live': 'polite', 'aria-busy': 'false' });
  // Collectors and credit managers act on a selection of rows; a salesperson reads only.
  const canAct = me.role === 'collector' || me.role === 'manager';
  const bulk = canAct
    ? createBulk({ manager: me.role === 'manager', collectors: o.collectors, reload: () => load() })
    : null;

  /** The list's query as the URL and the API take it (empty values and page 1 left out). */
  const queryOf = () =>
    Object.fromEntries(
      Object.entries({ ...f, page: String(page) }).filter(([k, v]) => v && !(k === 'page' && v === '1')),
    );
  const hashOf = () => {
    const s = new URLSearchParams(queryOf()).toString();
    return `#/invoices${s ? `?${s}` : ''}`;
  };
  /** @param {Record<string, string>} patch */
  const go = (patch) => {
    Object.assign(f, patch);
    if (patch.page) page = Number(patch.page);
    const next = hashOf();
    // The same address (a filter saved or deleted) still re-renders the page.
    if (location.hash === next) window.dispatchEvent(new HashChangeEvent('hashchange'));
    else location.hash = next;
  };

  let seq = 0;
  /** Loads the page into `results` without leaving the page (the search box keeps its focus). */
  const load = async () => {
    const mine = ++seq;
    results.setAttribute('aria-busy', 'true');
    try {
      const data = await api('/v1/invoices', {
        query: {
          ...f,
          q: f.q.length >= MIN_SEARCH ? f.q : '',
          ...(manager ? {} : { collector: '', salesperson: '' }),
          open: f.stage ? undefined : 'true',
          page,
          pageSize: PAGE_SIZE,
        },
      });
      if (mine !== seq) return; // a newer keystroke's answer is on its way
      bulk?.reset();
      mount(results, table(data));
    } catch (err) {
      if (mine === seq) mount(results, h('div.alert', { role: 'alert' }, errorText(err)));
    } finally {
      if (mine === seq) results.setAttribute('aria-busy', 'false');
    }
  };

  /** @param {any} data */
  const table = (data) => {
    /** @type {HTMLInputElement[]} */
    const boxes = [];
    /** The page's checkbox says whether every row, some or none are selected. */
    const syncAll = () => {
      const on = boxes.filter((b) => b.checked).length;
      all.checked = on > 0 && on === boxes.length;
      all.indeterminate = on > 0 && on < boxes.length;
    };
    const all = /** @type {HTMLInputElement} */ (
      h('input', {
        type: 'checkbox',
        name: 'selectAll',
        'aria-label': t('selectAllOnPage'),
        on: {
          change: () => {
            // Every box takes the header's state first: their own handlers then agree with it.
            const on = all.checked;
            for (const b of boxes) b.checked = on;
            for (const b of boxes) b.dispatchEvent(new Event('change'));
          },
        },
      })
    );
    /** @param {any} i */
    const box = (i) => {
      const b = /** @type {HTMLInputElement} */ (
        h('input', {
          type: 'checkbox',
          name: 'select',
          value: i.invoiceId,
          'aria-label': t('selectInvoice', { number: i.number }),
          on: {
            change: () => {
              bulk?.toggle(
                {
                  invoiceId: i.invoiceId,
                  number: i.number,
                  customerId: i.customerId,
                  customerName: i.customerName,
                  balanceMinor: i.balanceMinor,
                  currency: i.currency,
                },
                b.checked,
              );
              syncAll();
            },
          },
        })
      );
      boxes.push(b);
      return h('td.select', {}, b);
    };
    return [
      data.items.length === 0
        ? h('p.empty', {}, f.q ? t('searchNoMatch', { q: f.q }) : t('noItems'))
        : h(
            'div.table-wrap',
            {},
            h(
              'table.data#invoices-table',
              {},
              h('caption.sr-only', {}, t('invoicesTitle')),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  bulk ? h('th.select', { scope: 'col' }, all) : null,
                  COLUMNS.map(([label, key]) => {
                    if (!key) return h('th', { scope: 'col' }, t(label));
                    const active = f.sort === key;
                    const dir = active ? f.dir || 'asc' : null;
                    return h(
                      'th',
                      { scope: 'col', 'aria-sort': dir ? (dir === 'asc' ? 'ascending' : 'descending') : null },
                      h(
                        'button.sort',
                        {
                          type: 'button',
                          'data-sort': key,
                          title: t('sortBy', { column: t(label) }),
                          on: {
                            click: () => go({ sort: key, dir: active && dir === 'asc' ? 'desc' : 'asc', page: '1' }),
                          },
                        },
                        t(label),
                        h(
                          'span.sort-mark',
                          { 'aria-hidden': 'true' },
                          dir === 'asc' ? ' ▲' : dir === 'desc' ? ' ▼' : '',
                        ),
                      ),
                    );
                  }),
                ),
              ),
              h(
                'tbody',
                {},
                data.items.map((/** @type {any} */ i) =>
                  h(
                    'tr',
                    { 'data-invoice': i.invoiceId },
                    bulk ? box(i) : null,
                    h('td.nowrap', {}, h('a', { href: `#/invoice/${i.invoiceId}` }, i.number)),
                    h('td', {}, h('a', { href: `#/customer/${i.customerId}` }, i.customerName)),
                    h('td', {}, statusBadge(i.stage, { disputed: i.disputed, paused: i.paused })),
                    h('td.num', {}, money(i.balanceMinor, i.currency)),
                    h('td.nowrap', {}, date(i.dueDate)),
                    h('td.num', {}, num(Math.max(0, i.daysOverdue))),
                    h(
                      'td',
                      {},
                      i.nextAction
                        ? [code(i.nextAction.kind), i.nextAction.at ? ` — ${date(i.nextAction.at)}` : '']
                        : '—',
                    ),
                  ),
                ),
              ),
            ),
          ),
      pager(data.page, data.pageSize, data.total, (p) => go({ page: String(p) }), {
        capped: data.totalCapped,
        full: data.items.length === data.pageSize,
      }),
    ];
  };

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let typing;
  const search = h('input', {
    type: 'search',
    name: 'q',
    value: f.q,
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: '100',
    placeholder: t('searchPlaceholder'),
    on: {
      input: () => {
        clearTimeout(typing);
        typing = setTimeout(() => {
          const text = search.value.trim();
          if (text === f.q || (text.length > 0 && text.length < MIN_SEARCH && f.q.length < MIN_SEARCH)) return;
          f.q = text;
          page = 1;
          // The address follows the search without re-rendering the page (which would take the focus away).
          history.replaceState(null, '', hashOf());
          void load();
        }, TYPING_PAUSE_MS);
      },
    },
  });

  /** @type {Record<string, HTMLInputElement | HTMLSelectElement>} */
  const controls = {
    stage: select(
      'stage',
      [['', t('allOpen')], ...ENUMS.activeStages.map((s) => /** @type {[string, string]} */ ([s, code(s)]))],
      f.stage,
    ),
    segment: select('segment', [['', t('all')], ...o.segments.map((s) => [s, s])], f.segment),
    area: select('area', [['', t('all')], ...o.areas.map((a) => [a, a])], f.area),
    ...(manager
      ? {
          collector: select('collector', [['', t('all')], ...o.collectors.map((c) => [c.id, c.name])], f.collector),
          salesperson: select(
            'salesperson',
            [['', t('all')], ...o.salespeople.map((c) => [c.id, c.name])],
            f.salesperson,
          ),
        }
      : {}),
    overdueMin: h('input', { name: 'overdueMin', type: 'number', min: '0', inputmode: 'numeric', value: f.overdueMin }),
  };
  /** @type {Record<string, string>} */
  const labels = {
    stage: t('stage'),
    segment: t('segment'),
    area: t('area'),
    collector: t('collector'),
    salesperson: t('salesperson'),
    overdueMin: t('overdueAtLeast'),
  };

  mount(
    main,
    h('h1', {}, t('invoicesTitle')),
    h(
      'form.search',
      {
        role: 'search',
        on: {
          submit: (/** @type {SubmitEvent} */ e) => {
            e.preventDefault();
            clearTimeout(typing);
            go({ q: search.value.trim(), page: '1' });
          },
        },
      },
      field(t('searchLabel'), search, t('searchHint')),
    ),
    h(
      'form.filters',
      {
        'aria-label': t('filters'),
        on: {
          submit: (/** @type {SubmitEvent} */ e) => {
            e.preventDefault();
            go({ ...Object.fromEntries(Object.entries(controls).map(([k, c]) => [k, c.value.trim()])), page: '1' });
          },
        },
      },
      Object.entries(controls).map(([k, c]) => field(labels[k], c)),
      h('button.btn', { type: 'submit' }, t('apply')),
    ),
    personal ? savedFilters(saved.items, f, go) : null,
    bulk?.bar,
    results,
  );
  await load();
}

/**
 * The user's saved filters: apply one, save the current search, filters and sort under a name, delete one.
 * @param {Array<{ filterId: string; name: string; query: Record<string, string> }>} items
 * @param {Record<string, string>} f
 * @param {(patch: Record<string, string>) => void} go
 */
function savedFilters(items, f, go) {
  const choice = select(
    'savedFilter',
    [['', t('savedFiltersPick')], ...items.map((s) => /** @type {[string, string]} */ ([s.filterId, s.name]))],
    '',
  );
  const name = h('input', { name: 'filterName', maxlength: '80', autocomplete: 'off' });
  const box = h('div.alert', { role: 'alert', hidden: true });
  const chosen = () => items.find((s) => s.filterId === choice.value);
  return h(
    'section.card.saved-filters',
    { 'aria-labelledby': 'saved-filters-title' },
    h('h2#saved-filters-title', {}, t('savedFilters')),
    h(
      'div.row',
      {},
      field(t('savedFiltersLabel'), choice),
      h(
        'button.btn',
        {
          type: 'button',
          on: {
            click: () => {
              const s = chosen();
              if (s) go({ ...Object.fromEntries(KEYS.map((k) => [k, ''])), ...s.query, page: '1' });
            },
          },
        },
        t('savedFiltersApply'),
      ),
      h(
        'button.btn',
        {
          type: 'button',
          on: {
            click: async () => {
              const s = chosen();
              if (!s) return;
              await api(`/v1/saved-filters/${s.filterId}`, { method: 'DELETE' });
              toast(t('savedFilterDeleted', { name: s.name }));
              go({});
            },
          },
        },
        t('savedFiltersDelete'),
      ),
    ),
    h(
      'form.row',
      {
        on: {
          submit: async (/** @type {SubmitEvent} */ e) => {
            e.preventDefault();
            box.hidden = true;
            const query = Object.fromEntries(KEYS.filter((k) => f[k]).map((k) => [k, f[k]]));
            try {
              await api('/v1/saved-filters', { method: 'POST', body: { name: name.value.trim(), query } });
              toast(t('savedFilterSaved', { name: name.value.trim() }));
              go({});
            } catch (err) {
              box.hidden = false;
              box.textContent = errorText(err);
            }
          },
        },
      },
      field(t('savedFilterName'), name),
      h('button.btn', { type: 'submit' }, t('savedFilterSave')),
      box,
    ),
  );
}
