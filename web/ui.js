/** Small DOM helpers: elements are built with textContent only (no HTML strings), so data can never inject markup. */
import { ApiError } from './api.js';
import {
  amountText,
  code,
  formatDateInput,
  formatDateTimeInput,
  getLang,
  has,
  locale,
  parseAmount,
  parseDate,
  parseDateTime,
  t,
} from './i18n.js';

export {
  amountText,
  code,
  currencyDigits,
  date,
  dateTime,
  money,
  moneyShort,
  num,
  parseAmount,
  pct,
  todayIso,
} from './i18n.js';

/**
 * @typedef {string | number | Node | null | undefined | false | any[]} Child
 * @typedef {Record<string, unknown> & { on?: Record<string, (e: any) => unknown> }} Attrs
 */

/**
 * h('tag.class#id', { attrs, on: { click } }, ...children)
 * @param {string} sel
 * @param {Attrs | null} [attrs]
 * @param {...Child} children
 * @returns {any} the element (typed loosely: callers know which element they asked for)
 */
export function h(sel, attrs = {}, ...children) {
  const [tagAndClasses, id] = sel.split('#');
  const [tag, ...classes] = tagAndClasses.split('.');
  const el = document.createElement(tag || 'div');
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'on')
      for (const [ev, fn] of Object.entries(/** @type {Record<string, EventListener>} */ (v)))
        el.addEventListener(ev, fn);
    else if (k === 'class') el.className = [el.className, v].filter(Boolean).join(' ');
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') /** @type {HTMLInputElement} */ (el).value = String(v);
    else if (k === 'checked') /** @type {HTMLInputElement} */ (el).checked = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** @param {Element} el @param {Child[]} children */
function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let toastTimer;
/** A live announcement for screen readers and a visible toast. */
export function toast(/** @type {string} */ message) {
  const el = /** @type {HTMLElement} */ (document.getElementById('toast'));
  el.textContent = message;
  el.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 4000);
}

/** @param {string} stage @param {string} label */
export const stageBadge = (stage, label) => h('span.badge', { class: `stage-${String(stage).toLowerCase()}` }, label);
/** @param {string | null | undefined} r */
export const ratingBadge = (r) =>
  r ? h('span.rating', { class: `rating-${r}`, title: t('ratingTitle', { g: r }) }, r) : '—';

/** @param {HTMLElement} main */
export function loading(main) {
  main.setAttribute('aria-busy', 'true');
  main.replaceChildren(h('p.muted', {}, t('loading')));
}

/**
 * Money params of a rejection (`…Minor`) in the invoice's currency and date params in the user's locale, so the
 * catalogue's sentence reads "L'importo 999.999,00 € supera il residuo di 26.840,00 €".
 * @param {Record<string, unknown>} params
 * @param {(minor: number) => string} fmtMoney
 * @param {(iso: string) => string} fmtDate
 */
export function readableParams(params, fmtMoney, fmtDate) {
  /** @type {Record<string, string | number>} */
  const out = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    const days = typeof v === 'string' ? /^P(\d+)D$/.exec(v) : null;
    if (typeof v === 'number' && /Minor$/.test(k)) out[k] = fmtMoney(v);
    else if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v)) out[k] = fmtDate(v);
    // The field a reason is about, by its name in the form; codes (stage, outcome) in words; "P60D" as days.
    else if (k === 'field' && typeof v === 'string') out[k] = pathName(v);
    else if ((k === 'stage' || k === 'outcome') && typeof v === 'string') out[k] = code(v);
    else if (days) out[k] = t('days', { n: Number(days[1]) });
    else if (typeof v === 'number' || typeof v === 'string') out[k] = v;
    else if (typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

/**
 * One field problem in words: its code through the catalogue (`field.too_small` with `{minimum, origin}`), never the
 * API's English message. A code the catalogue does not know reads as "not a valid value".
 * @param {{ code?: string; params?: Record<string, unknown> }} f
 */
export function fieldProblem(f) {
  const key = `field.${f.code ?? 'invalid'}`;
  const params = /** @type {Record<string, string | number>} */ ({ origin: 'other', ...(f.params ?? {}) });
  if (typeof params.origin === 'string' && !['string', 'array'].includes(params.origin)) params.origin = 'other';
  return t(has(key) ? key : 'field.invalid', params);
}

/**
 * The whole error in the user's language: a rejected decision by its reason (`reason.AMOUNT_EXCEEDS_BALANCE` with
 * its params), anything else by its HTTP error code; unknown ones get a generic sentence, never the server's text.
 * @param {unknown} err
 * @param {{ money?: (minor: number) => string; date?: (iso: string) => string }} [fmt]
 */
export function errorText(err, fmt = {}) {
  if (err instanceof ApiError) {
    if (err.code === 'DECISION_REJECTED') {
      const key = err.reason && has(`reason.${err.reason}`) ? `reason.${err.reason}` : 'reason.unknown';
      return t(key, readableParams(err.params, fmt.money ?? String, fmt.date ?? String));
    }
    return has(`error.${err.code}`) ? t(`error.${err.code}`) : t('error.unknown', { status: err.status });
  }
  if (err instanceof TypeError) return t('error.NETWORK');
  return t('error.unknown', { status: '—' });
}

/**
 * Renders an API error inline: the sentence in the user's language, then each field problem named by its label
 * (`nameOf` turns an API path such as `steps.1.offset` into "Passo 2 — Sollecito: Giorni") and also shown next to
 * its input when one carries that path.
 * @param {HTMLElement} box
 * @param {unknown} err
 * @param {ParentNode | null} [form]
 * @param {{ nameOf?: (path: string) => string; money?: (minor: number) => string; date?: (iso: string) => string }} [opts]
 */
export function showError(box, err, form, opts = {}) {
  box.replaceChildren();
  box.hidden = false;
  const fields = err instanceof ApiError ? err.fields : [];
  box.append(h('strong', {}, `${t('refused')}: `), errorText(err, opts));
  if (fields.length) {
    const list = h('ul');
    for (const f of fields) {
      const problem = fieldProblem(f);
      list.append(h('li', {}, t('field.problem', { field: (opts.nameOf ?? pathName)(f.path), problem })));
      const input = form?.querySelector(`[data-path="${CSS.escape(f.path)}"]`);
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        const hint = h('span.field-error', { id: `err-${Math.random().toString(36).slice(2)}` }, problem);
        input.insertAdjacentElement('afterend', hint);
        input.setAttribute('aria-describedby', hint.id);
      }
    }
    box.append(list);
  }
  box.focus();
}

/** An API field path in words: its last named segment through the catalogue (`path.amountMinor` → "Importo"). */
export function pathName(/** @type {string} */ path) {
  const named = path.split('.').filter((p) => !/^\d+$/.test(p));
  const last = named[named.length - 1] ?? path;
  return has(`path.${last}`) ? t(`path.${last}`) : last;
}

/** @param {ParentNode | null} form @param {HTMLElement | null} [box] */
export function clearErrors(form, box) {
  if (box) {
    box.hidden = true;
    box.replaceChildren();
  }
  form?.querySelectorAll('.field-error').forEach((e) => e.remove());
  form?.querySelectorAll('[aria-invalid]').forEach((e) => {
    e.removeAttribute('aria-invalid');
    e.removeAttribute('aria-describedby');
  });
}

/**
 * A date field in the user's language: a text field showing and reading the locale's numeric date ("11/12/2026",
 * placeholder gg/mm/aaaa in Italian), not the browser's date picker, whose format follows the browser's language.
 * `dateValue` reads it back. @param {string} name @param {string} [iso] a YYYY-MM-DD value @param {Attrs} [attrs]
 */
export function dateInput(name, iso = '', attrs = {}) {
  return localizedField(name, formatDateInput(iso), 'dateInputFormat', 10, 'data-date', attrs);
}

/**
 * A date-and-time field in the user's language: "11/12/2026 10:30" (placeholder gg/mm/aaaa hh:mm in Italian), the
 * 24-hour clock in the console's time zone, instead of the browser's own picker. `dateTimeOf` reads it back.
 * @param {string} name @param {string} [iso] an instant @param {Attrs} [attrs]
 */
export function dateTimeInput(name, iso = '', attrs = {}) {
  return localizedField(name, formatDateTimeInput(iso), 'dateTimeInputFormat', 16, 'data-datetime', attrs);
}

/**
 * The text field behind `dateInput` and `dateTimeInput`: the value as the locale writes it, the format as its
 * placeholder, and a correction that clears its refusal.
 * @param {string} name @param {string} shown @param {string} formatKey @param {number} maxlength
 * @param {string} marker @param {Attrs} attrs
 */
function localizedField(name, shown, formatKey, maxlength, marker, attrs) {
  return h('input', {
    name,
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'off',
    placeholder: t(formatKey),
    'data-path': name,
    [marker]: '',
    maxlength: String(maxlength),
    value: shown,
    on: { input: clearOwnError },
    ...attrs,
  });
}

/** A correction clears the refusal beside the field (it is checked again on submit). @param {Event} e */
function clearOwnError(e) {
  const input = /** @type {HTMLInputElement} */ (e.currentTarget);
  if (input.getAttribute('aria-invalid') !== 'true') return;
  input.removeAttribute('aria-invalid');
  const next = input.nextElementSibling;
  if (next?.classList.contains('field-error')) {
    const left = (input.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && x !== next.id);
    if (left.length) input.setAttribute('aria-describedby', left.join(' '));
    else input.removeAttribute('aria-describedby');
    next.remove();
  }
  // The last refused field corrected: the form's summary of the refusal goes too (a new one comes on submit).
  const form = input.form;
  if (form && !form.querySelector('[aria-invalid="true"]'))
    form.querySelectorAll('.alert[role="alert"]').forEach((box) => {
      /** @type {HTMLElement} */ (box).hidden = true;
      box.replaceChildren();
    });
}

/**
 * The YYYY-MM-DD value of a `dateInput` ('' when empty), or null after marking the field invalid with the localized
 * reason next to it (as `showError` marks a field the API refused). @param {HTMLInputElement} input
 * @returns {string | null}
 */
export function dateValue(input) {
  const iso = parseDate(input.value);
  if (iso === null) {
    markInvalid(input, t('field.date', { format: t('dateInputFormat') }));
    return null;
  }
  return iso ?? '';
}

/**
 * A refusal of a field the console checks itself, shaped as the API's (a 400 with the field's path and a code), so
 * the forms that show the API's refusals show it the same way: in the user's language, beside the field.
 * @param {string} path @param {string} code @param {Record<string, string | number>} params
 */
function fieldRefusal(path, code, params) {
  return new ApiError(400, { error: { code: 'VALIDATION_FAILED', fields: [{ path, message: '', code, params }] } });
}

/**
 * An amount field's text → minor units of the currency; a person never types cents. Text that is not an amount
 * throws the refusal of `path` beside its field, in the user's language (the same shape as the API's refusal).
 * @param {string} text @param {string} currency @param {string} path
 */
export function amountOf(text, currency, path) {
  const minor = parseAmount(text, currency);
  if (minor !== undefined && Number.isNaN(minor))
    throw fieldRefusal(path, 'invalid_amount', { example: amountText(1_250_000, currency) });
  return minor;
}

/**
 * The YYYY-MM-DD of a date field's text (undefined when empty); a text that is no date throws the refusal of
 * `path` ("data non valida: scrivila come gg/mm/aaaa"). @param {string} text @param {string} path
 */
export function dateOf(text, path) {
  const iso = parseDate(text);
  if (iso === null) throw fieldRefusal(path, 'date', { format: t('dateInputFormat') });
  return iso;
}

/**
 * The instant (ISO) of a date-and-time field's text (undefined when empty); a text that is no date and time throws
 * the refusal of `path`. @param {string} text @param {string} path
 */
export function dateTimeOf(text, path) {
  const iso = parseDateTime(text);
  if (iso === null) throw fieldRefusal(path, 'date', { format: t('dateTimeInputFormat') });
  return iso;
}

/** Marks a field invalid with `problem` beside it, described to screen readers. @param {HTMLElement} input @param {string} problem */
export function markInvalid(input, problem) {
  input.setAttribute('aria-invalid', 'true');
  const hint = h('span.field-error', { id: `err-${Math.random().toString(36).slice(2)}` }, problem);
  input.insertAdjacentElement('afterend', hint);
  // Beside the field's own hint (the date format), not instead of it.
  const described = input.getAttribute('aria-describedby');
  input.setAttribute('aria-describedby', described ? `${hint.id} ${described}` : hint.id);
}

let uid = 0;
/**
 * A labelled form field; `control` gets an id and the label points at it.
 * @param {string} label @param {HTMLElement} control @param {string | null} [hint]
 */
export function field(label, control, hint) {
  const id = control.id || `f${++uid}`;
  control.id = id;
  const hintEl = hint ? h('small.hint', { id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div.field', {}, h('label', { for: id }, label), control, hintEl);
}

/**
 * @param {string} name
 * @param {ReadonlyArray<ReadonlyArray<string>>} options
 * @param {string} value
 * @param {Attrs} [attrs]
 */
export function select(name, options, value, attrs = {}) {
  return h(
    'select',
    { name, ...attrs },
    options.map(([v, label]) => h('option', { value: v, selected: v === value ? 'selected' : null }, label)),
  );
}

/**
 * A pager for server-side pages.
 * @param {number} page @param {number} pageSize @param {number} total @param {(p: number) => void} go
 * @param {{ capped?: boolean, full?: boolean }} [opts] capped: `total` is a lower bound; full: this page is full
 */
export function pager(page, pageSize, total, go, opts = {}) {
  // A capped total (a broad search: `totalCapped`) is a lower bound: the pages go on while they are full.
  const capped = Boolean(opts.capped);
  const counted = Math.max(1, Math.ceil(total / pageSize));
  const pages = capped ? Math.max(counted, page + (opts.full ? 1 : 0)) : counted;
  return h(
    'nav.pager',
    { 'aria-label': t('pagination') },
    h(
      'button.btn',
      { type: 'button', disabled: page <= 1 ? 'disabled' : null, on: { click: () => go(page - 1) } },
      t('prev'),
    ),
    h(
      'span',
      { 'aria-live': 'polite' },
      capped ? t('pageOfMany', { page }) : t('page', { page, pages }),
      ' · ',
      // Grouped as money is ("1.000", where Italian's own style writes four digits ungrouped).
      capped
        ? t('resultsMoreThan', { n: new Intl.NumberFormat(locale(), { useGrouping: 'always' }).format(total) })
        : t('results', { n: total }),
    ),
    h(
      'button.btn',
      { type: 'button', disabled: page >= pages ? 'disabled' : null, on: { click: () => go(page + 1) } },
      t('next'),
    ),
  );
}

/** Replaces a container's content, skipping absent parts (null, false, undefined). @param {Element} el @param {...Child} children */
export function mount(el, ...children) {
  el.replaceChildren(
    .../** @type {(Node | string)[]} */ (
      children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false)
    ).map((c) => (typeof c === 'number' ? String(c) : c)),
  );
}

export { getLang };
