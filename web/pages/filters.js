/** The filter bar shared by the agenda (managers) and the control tower: area, collector, salesperson, segment. */
import { api } from '../api.js';
import { t } from '../i18n.js';
import { field, h, select } from '../ui.js';

/** @typedef {{ collectors: {id: string; name: string}[]; salespeople: {id: string; name: string}[]; areas: string[]; segments: string[] }} Options */
/** @type {Options | null} */
let cached = null;
/** @returns {Promise<Options>} */
export async function options() {
  cached ??= /** @type {Options} */ (await api('/console/api/options'));
  return cached;
}

/**
 * @param {Record<string, string>} values
 * @param {string[]} which
 * @param {(f: Record<string, string>) => void} onApply
 */
export async function filterBar(values, which, onApply) {
  const o = await options();
  /** @type {Record<string, Array<[string, string]>>} */
  const lists = {
    area: o.areas.map((a) => [a, a]),
    collector: o.collectors.map((c) => [c.id, c.name]),
    salesperson: o.salespeople.map((c) => [c.id, c.name]),
    segment: o.segments.map((s) => [s, s]),
  };
  const controls = Object.fromEntries(
    which.map((k) => [k, select(k, [['', t('all')], ...lists[k]], values[k] ?? '', { 'data-filter': k })]),
  );
  return h(
    'form.filters',
    {
      'aria-label': t('filters'),
      on: {
        submit: (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          onApply(Object.fromEntries(which.map((k) => [k, controls[k].value])));
        },
      },
    },
    which.map((k) => field(t(k), controls[k])),
    h('button.btn', { type: 'submit' }, t('apply')),
  );
}
