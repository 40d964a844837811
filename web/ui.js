/** Small DOM helpers: elements are built with textContent only (no HTML strings), so data can never inject markup. */
import { getLang, t } from './i18n.js';

/** h('tag.class#id', { attrs, on: { click } }, ...children) */
export function h(sel, attrs = {}, ...children) {
  const [tagAndClasses, id] = sel.split('#');
  const [tag, ...classes] = tagAndClasses.split('.');
  const el = document.createElement(tag || 'div');
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'class') el.className = [el.className, v].filter(Boolean).join(' ');
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const locale = () => (getLang() === 'it' ? 'it-IT' : 'en-GB');

/** Integer minor units → "1.234,56 €" (it) or "€1,234.56" (en). */
export function money(minor, currency = 'EUR') {
  if (minor === null || minor === undefined || Number.isNaN(Number(minor))) return '—';
  return new Intl.NumberFormat(locale(), { style: 'currency', currency }).format(Number(minor) / 100);
}
export const moneyShort = (minor, currency = 'EUR') =>
  new Intl.NumberFormat(locale(), {
    style: 'currency',
    currency,
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(Number(minor) / 100);
export const date = (iso) =>
  iso ? new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'Europe/Rome' }).format(new Date(iso)) : '—';
export const dateTime = (iso) =>
  iso
    ? new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Rome' }).format(
        new Date(iso),
      )
    : '—';
export const pct = (x) =>
  x === null || x === undefined ? '—' : new Intl.NumberFormat(locale(), { style: 'percent' }).format(x);

/** A live announcement for screen readers and a visible toast. */
export function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove('show'), 4000);
}

export const stageBadge = (stage, label) => h('span.badge', { class: `stage-${String(stage).toLowerCase()}` }, label);
export const ratingBadge = (r) => (r ? h('span.rating', { class: `rating-${r}`, title: `Rating ${r}` }, r) : '—');

export function loading(main) {
  main.setAttribute('aria-busy', 'true');
  main.replaceChildren(h('p.muted', {}, t('loading')));
}

/** Renders an API error inline: the message, and each field problem next to its input when one carries that path. */
export function showError(box, err, form) {
  box.replaceChildren();
  box.hidden = false;
  const fields = err?.fields ?? [];
  box.append(h('strong', {}, `${t('refused')}: `), err?.message ?? String(err));
  if (fields.length) {
    const list = h('ul');
    for (const f of fields) {
      list.append(h('li', {}, h('code', {}, f.path), ' — ', f.message));
      const input = form?.querySelector(`[data-path="${CSS.escape(f.path)}"]`);
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        const hint = h('span.field-error', { id: `err-${Math.random().toString(36).slice(2)}` }, f.message);
        input.insertAdjacentElement('afterend', hint);
        input.setAttribute('aria-describedby', hint.id);
      }
    }
    box.append(list);
  }
  box.focus();
}

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

let uid = 0;
/** A labelled form field; `control` gets an id and the label points at it. */
export function field(label, control, hint) {
  const id = control.id || `f${++uid}`;
  control.id = id;
  return h('div.field', {}, h('label', { for: id }, label), control, hint ? h('small.hint', {}, hint) : null);
}

export function select(name, options, value, attrs = {}) {
  return h(
    'select',
    { name, ...attrs },
    options.map(([v, label]) => h('option', { value: v, selected: v === value ? 'selected' : null }, label)),
  );
}

/** A pager for server-side pages. */
export function pager(page, pageSize, total, go) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return h(
    'nav.pager',
    { 'aria-label': 'pagination' },
    h(
      'button.btn',
      { type: 'button', disabled: page <= 1 ? 'disabled' : null, on: { click: () => go(page - 1) } },
      t('prev'),
    ),
    h('span', { 'aria-live': 'polite' }, t('page', { page, pages }), ' · ', t('results', { n: total })),
    h(
      'button.btn',
      { type: 'button', disabled: page >= pages ? 'disabled' : null, on: { click: () => go(page + 1) } },
      t('next'),
    ),
  );
}

/** Replaces a container's content, skipping absent parts (null, false, undefined). */
export function mount(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}
