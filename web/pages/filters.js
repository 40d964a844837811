/** The filter bar shared by the agenda (managers) and the control tower: area, collector, salesperson, segment. */
import { api } from '../api.js';
import { t } from '../i18n.js';
import { field, h, select } from '../ui.js';

let cached = null;
export async function options() {
  cached ??= await api('/console/api/options');
  return cached;
}

export async function filterBar(values, which, onApply) {
  const o = await options();
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
        submit: (e) => {
          e.preventDefault();
          onApply(Object.fromEntries(which.map((k) => [k, controls[k].value])));
        },
      },
    },
    which.map((k) => field(t(k), controls[k])),
    h('button.btn', { type: 'submit' }, t('apply')),
  );
}
