/** Dunning policies: every segment's current version, and an editor whose validation errors appear beside each field. */
import { api, ApiError } from '../api.js';
import { ENUMS } from '../enums.js';
import { t } from '../i18n.js';
import {
  amountText,
  clearErrors,
  code,
  field,
  h,
  money,
  num,
  parseAmount,
  pathName,
  select,
  showError,
  toast,
  mount,
} from '../ui.js';

/** Policies keep money in euro (the segment's invoices may carry other currencies; thresholds are in EUR). */
const POLICY_CURRENCY = 'EUR';

/** An ISO-8601 duration that is a whole number of days ("P3D", "P2W", "-P5D") → days; anything finer → null. */
export function isoToDays(/** @type {string | undefined} */ iso) {
  const m = /^(-)?P(?:(\d+)W)?(?:(\d+)D)?$/.exec(iso ?? '');
  if (!m || (!m[2] && !m[3])) return null;
  const days = Number(m[2] ?? 0) * 7 + Number(m[3] ?? 0);
  return m[1] ? -days : days;
}
/** Days → the API's ISO-8601 duration. */
export const daysToIso = (/** @type {number} */ n) => (n < 0 ? `-P${-n}D` : `P${n}D`);

/** A duration as a person reads it: "+3 giorni", "5 giorni prima"; a finer one (tests' "PT1S") as written. */
const durationText = (/** @type {string} */ iso) => {
  const d = isoToDays(iso);
  if (d === null) return iso;
  return d < 0 ? t('daysBefore', { n: -d }) : t('daysAfter', { n: d });
};

/** @param {HTMLElement} main */
export async function renderPolicies(main) {
  const { policies } = await api('/v1/policies');
  mount(
    main,
    h('h1', {}, t('policiesTitle')),
    h(
      'div.table-wrap',
      {},
      h(
        'table.data#policies-table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [t('segment'), t('policy'), t('version'), t('steps'), ''].map((x) => h('th', { scope: 'col' }, x)),
          ),
        ),
        h(
          'tbody',
          {},
          policies.map((/** @type {any} */ p) =>
            h(
              'tr',
              { 'data-segment': p.segment },
              h('th', { scope: 'row' }, p.segment),
              h('td', {}, p.name),
              h('td.num', {}, num(p.version)),
              h(
                'td',
                {},
                p.steps
                  .map((/** @type {any} */ s) =>
                    t('stepSummary', { stage: code(s.stage), offset: durationText(s.offset) }),
                  )
                  .join(' → '),
                Object.keys(p.settings.ratingRoutes ?? {}).length
                  ? h(
                      'div.muted',
                      {},
                      `${t('ratingRoutes')}: ` +
                        Object.entries(p.settings.ratingRoutes)
                          .map(([g, k]) => `${g} → ${k}`)
                          .join(', '),
                    )
                  : null,
              ),
              h(
                'td',
                {},
                h(
                  'a.btn.btn-small',
                  {
                    href: `#/policies/${encodeURIComponent(p.segment)}`,
                    'aria-label': t('editPolicy', { segment: p.segment }),
                  },
                  t('edit'),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/** @param {HTMLElement} main @param {import('../app.js').Params} params */
export async function renderPolicyEditor(main, params) {
  const segment = params.args[0];
  const { policies } = await api('/v1/policies');
  const policy = policies.find((/** @type {any} */ p) => p.segment === segment);
  if (!policy) {
    mount(
      main,
      h('h1', {}, t('policyTitle', { segment })),
      h('p.alert', { role: 'alert' }, t('policyNotFound', { segment })),
    );
    return;
  }
  /** @type {any[]} */
  const steps = policy.steps.map((/** @type {any} */ s) => ({ ...s }));
  /** Amount fields whose text is not an amount (refused here, beside the field, before anything is sent). */
  /** @type {Map<string, boolean>} */
  const badAmounts = new Map();
  const settings = structuredClone(policy.settings);
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1' });
  const stepsBox = h('div.steps');
  const name = h('input', { name: 'name', value: policy.name, 'data-path': 'name', required: true });

  const renderSteps = () => {
    stepsBox.replaceChildren(
      ...steps.map((s, i) => {
        const p = (/** @type {string} */ k) => `steps.${i}.${k}`;
        return h(
          'fieldset.step',
          { 'data-step': String(i) },
          h('legend', {}, t('stepN', { n: i + 1 })),
          h(
            'div.step-grid',
            {},
            field(
              t('stage'),
              select(
                `stage${i}`,
                ENUMS.policyStages.map((x) => [x, code(x)]),
                s.stage,
                { 'data-path': p('stage'), on: { change: (/** @type {any} */ e) => (s.stage = e.target.value) } },
              ),
            ),
            durationField(
              i === 0 ? t('offsetDaysFirst') : t('offsetDays'),
              `offset${i}`,
              p('offset'),
              () => s.offset,
              (v) => (s.offset = v),
              true,
            ),
            field(
              t('template'),
              h('input', {
                name: `template${i}`,
                value: s.template,
                'data-path': p('template'),
                on: { input: (/** @type {any} */ e) => (s.template = e.target.value.trim()) },
              }),
            ),
            field(
              t('minBalance', { currency: POLICY_CURRENCY }),
              h('input', {
                name: `min${i}`,
                inputmode: 'decimal',
                value: s.minBalanceMinor === undefined ? '' : amountText(s.minBalanceMinor, POLICY_CURRENCY),
                'data-path': p('minBalanceMinor'),
                on: {
                  input: (/** @type {any} */ e) => {
                    const minor = parseAmount(e.target.value, POLICY_CURRENCY);
                    badAmounts.set(p('minBalanceMinor'), minor !== undefined && Number.isNaN(minor));
                    s.minBalanceMinor = minor === undefined || Number.isNaN(minor) ? undefined : minor;
                  },
                },
              }),
              t('amountHint', { currency: POLICY_CURRENCY, example: amountText(50_000, POLICY_CURRENCY) }),
            ),
          ),
          h(
            'fieldset.channels',
            { 'data-path': p('channels') },
            h('legend', {}, t('channels')),
            ENUMS.channels.map((c) =>
              h(
                'label.check',
                {},
                h('input', {
                  type: 'checkbox',
                  value: c,
                  checked: s.channels.includes(c),
                  on: {
                    change: (/** @type {any} */ e) =>
                      (s.channels = e.target.checked
                        ? [...s.channels, c]
                        : s.channels.filter((/** @type {string} */ x) => x !== c)),
                  },
                }),
                ' ',
                code(c),
              ),
            ),
          ),
          h(
            'div.step-flags',
            {},
            h(
              'label.check',
              {},
              h('input', {
                type: 'checkbox',
                checked: s.requiresApproval,
                on: { change: (/** @type {any} */ e) => (s.requiresApproval = e.target.checked || undefined) },
              }),
              ' ',
              t('requiresApproval'),
            ),
            h(
              'label.check',
              {},
              h('input', {
                type: 'checkbox',
                checked: s.attachLetter,
                on: { change: (/** @type {any} */ e) => (s.attachLetter = e.target.checked || undefined) },
              }),
              ' ',
              t('attachLetter'),
            ),
            h(
              'span.step-move',
              {},
              h(
                'button.btn.btn-small',
                { type: 'button', disabled: i === 0 ? 'disabled' : null, on: { click: () => move(i, -1) } },
                t('moveUp'),
              ),
              h(
                'button.btn.btn-small',
                {
                  type: 'button',
                  disabled: i === steps.length - 1 ? 'disabled' : null,
                  on: { click: () => move(i, 1) },
                },
                t('moveDown'),
              ),
              h(
                'button.btn.btn-small.btn-danger',
                { type: 'button', on: { click: () => (steps.splice(i, 1), renderSteps()) } },
                t('remove'),
              ),
            ),
          ),
        );
      }),
    );
  };
  /** @param {number} i @param {number} d */
  const move = (i, d) => {
    const [s] = steps.splice(i, 1);
    steps.splice(i + d, 0, s);
    renderSteps();
  };
  renderSteps();

  const settingInputs = [
    'promiseGrace',
    'promiseMaxHorizon',
    'planGrace',
    'callOutcomeDeadline',
    'consolidationWindow',
    'timezone',
  ].map((k) =>
    k === 'timezone'
      ? field(
          t(k),
          h('input', {
            name: k,
            value: settings[k],
            'data-path': `settings.${k}`,
            on: { input: (/** @type {any} */ e) => (settings[k] = e.target.value.trim()) },
          }),
        )
      : durationField(
          t('inDays', { label: t(k) }),
          k,
          `settings.${k}`,
          () => settings[k],
          (v) => (settings[k] = v),
          false,
          `${t(k)} (ISO 8601)`,
        ),
  );
  /**
   * @param {string} k @param {() => number} get @param {(v: number) => void} set @param {string} path
   * @param {string} [label]
   */
  const numberInput = (k, get, set, path, label = k) =>
    field(
      t(label),
      h('input', {
        name: k,
        type: 'number',
        step: '1',
        value: String(get()),
        'data-path': path,
        on: { input: (/** @type {any} */ e) => set(Number(e.target.value)) },
      }),
    );

  // Cadence by rating: customers of a grade may follow another policy (a track) instead of this one.
  const routes = { ...(settings.ratingRoutes ?? {}) };
  const others = policies
    .filter((/** @type {any} */ p) => p.segment !== segment)
    .map((/** @type {any} */ p) => [p.segment, `${p.segment} — ${p.name}`]);
  const routeInputs = ENUMS.grades.map((g) =>
    field(
      t('ratingGrade', { g }),
      select('route' + g, [['', t('thisPolicy')], ...others], routes[g] ?? '', {
        'data-path': `settings.ratingRoutes.${g}`,
        on: {
          change: (/** @type {any} */ e) => {
            if (e.target.value) routes[g] = e.target.value;
            else delete routes[g];
            if (Object.keys(routes).length) settings.ratingRoutes = { ...routes };
            else delete settings.ratingRoutes;
          },
        },
      }),
    ),
  );

  // Entry bands: where an invoice already overdue when it arrives (an imported backlog) enters the cadence, by its
  // days overdue; in days, never ISO durations (docs/workflow.md, "Entering the cadence late").
  /** @type {any[]} */
  const bands = (settings.entryBands ?? []).map((/** @type {any} */ b) => ({ ...b }));
  const bandsBox = h('div.bands');
  const syncBands = () => {
    if (bands.length) settings.entryBands = bands.map(stripUndefined);
    else delete settings.entryBands;
  };
  const renderBands = () => {
    bandsBox.replaceChildren(
      ...bands.map((b, i) =>
        h(
          'fieldset.band',
          { 'data-band': String(i) },
          h('legend', {}, t('bandN', { n: i + 1 })),
          h(
            'div.settings-grid',
            {},
            field(
              t('bandMinDays'),
              h('input', {
                name: `bandDays${i}`,
                type: 'number',
                step: '1',
                min: '1',
                inputmode: 'numeric',
                value: String(b.minDaysOverdue ?? ''),
                'data-path': `settings.entryBands.${i}.minDaysOverdue`,
                on: {
                  input: (/** @type {any} */ e) => {
                    const v = e.target.value.trim();
                    // Left as typed when it is not a whole number, so the API names the field.
                    b.minDaysOverdue = /^\d+$/.test(v) ? Number(v) : v;
                    syncBands();
                  },
                },
              }),
            ),
            field(
              t('bandEnterAt'),
              select(
                `bandAt${i}`,
                [...ENUMS.entryStages.map((x) => [x, code(x)]), ['TRIAGE', t('bandTriage')]],
                b.enterAt,
                {
                  'data-path': `settings.entryBands.${i}.enterAt`,
                  on: { change: (/** @type {any} */ e) => ((b.enterAt = e.target.value), syncBands()) },
                },
              ),
            ),
            h(
              'label.check',
              {},
              h('input', {
                type: 'checkbox',
                name: `bandConsumers${i}`,
                checked: b.consumers,
                on: {
                  change: (/** @type {any} */ e) => ((b.consumers = e.target.checked || undefined), syncBands()),
                },
              }),
              ' ',
              t('bandConsumers'),
            ),
            h(
              'span.step-move',
              {},
              h(
                'button.btn.btn-small.btn-danger',
                { type: 'button', on: { click: () => (bands.splice(i, 1), syncBands(), renderBands()) } },
                t('remove'),
              ),
            ),
          ),
        ),
      ),
    );
  };
  renderBands();

  const form = h(
    'form.policy-form',
    {
      novalidate: true,
      on: {
        submit: async (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          clearErrors(form, errorBox);
          const body = { name: name.value.trim(), steps: steps.map(stripUndefined), settings };
          const bad = [...badAmounts].filter(([, isBad]) => isBad).map(([path]) => path);
          try {
            if (bad.length)
              throw new ApiError(400, {
                error: {
                  code: 'VALIDATION_FAILED',
                  fields: bad.map((path) => ({
                    path,
                    message: '',
                    code: 'invalid_amount',
                    params: { example: amountText(50_000, POLICY_CURRENCY) },
                  })),
                },
              });
            const r = await api(`/v1/policies/${encodeURIComponent(segment)}`, { method: 'PUT', body });
            toast(t('policySaved', { version: r.policy?.version ?? 0 }));
            await renderPolicyEditor(main, params);
            main.querySelector('[data-saved]')?.replaceChildren(t('policySaved', { version: r.policy?.version ?? 0 }));
          } catch (err) {
            showError(errorBox, err, form, { nameOf, money: (m) => money(m, POLICY_CURRENCY) });
          }
        },
      },
    },
    field(t('name'), name),
    h('h2', {}, t('steps')),
    stepsBox,
    h(
      'button.btn.btn-small',
      {
        type: 'button',
        on: {
          click: () => {
            steps.push({ stage: 'REMINDER', offset: 'P7D', channels: ['EMAIL'], template: 'reminder-1' });
            renderSteps();
          },
        },
      },
      t('addStep'),
    ),
    // A STATEMENT step: the customer's statement of account (template `statement`, e-mail or PEC), one per
    // customer and day however many invoices reach it (docs/statements.md).
    h(
      'button.btn.btn-small',
      {
        type: 'button',
        'data-action': 'add-statement-step',
        on: {
          click: () => {
            steps.push({ stage: 'REMINDER', offset: 'P7D', channels: ['EMAIL'], template: 'statement' });
            renderSteps();
          },
        },
      },
      t('addStatementStep'),
    ),
    h('h2', {}, t('settings')),
    h(
      'div.settings-grid',
      {},
      settingInputs,
      numberInput(
        'planMaxInstalments',
        () => settings.planMaxInstalments,
        (v) => (settings.planMaxInstalments = v),
        'settings.planMaxInstalments',
      ),
      numberInput(
        'cbm',
        () => settings.contactBudget.max,
        (v) => (settings.contactBudget.max = v),
        'settings.contactBudget.max',
        'contactBudgetMax',
      ),
      durationField(
        t('inDays', { label: t('contactBudgetWindow') }),
        'cbw',
        'settings.contactBudget.window',
        () => settings.contactBudget.window,
        (v) => (settings.contactBudget.window = v),
        false,
        `${t('contactBudgetWindow')} (ISO 8601)`,
      ),
    ),
    h('h2', {}, t('ratingRoutes')),
    h('p.muted', {}, t('ratingRoutesHint')),
    h('div.settings-grid', {}, routeInputs),
    h('h2', {}, t('entryBands')),
    h('p.muted', {}, t('entryBandsHint')),
    bandsBox,
    h(
      'button.btn.btn-small',
      {
        type: 'button',
        'data-action': 'add-band',
        on: {
          click: () => {
            const last = bands.at(-1)?.minDaysOverdue;
            bands.push({ minDaysOverdue: typeof last === 'number' ? last + 60 : 60, enterAt: 'CALL' });
            syncBands();
            renderBands();
          },
        },
      },
      t('addBand'),
    ),
    errorBox,
    h(
      'div.buttons',
      {},
      h('a.btn', { href: '#/policies' }, t('back')),
      h('button.btn.btn-primary', { type: 'submit' }, t('save')),
    ),
  );
  mount(
    main,
    h(
      'div.page-head',
      {},
      h('h1', {}, t('policyTitle', { segment })),
      h('span.muted', {}, t('versionN', { n: policy.version })),
    ),
    h('p.ok-line', { 'data-saved': '', role: 'status' }),
    form,
  );

  /**
   * A refused field named as a person reads the form: "Passo 2 — Sollecito: Giorni", "Rating E", "Tolleranza
   * promessa", never `steps.1.offset`.
   * @param {string} path
   */
  function nameOf(path) {
    const step = /^steps\.(\d+)(?:\.(\w+))?/.exec(path);
    if (step) {
      const i = Number(step[1]);
      const label = t('stepNamed', { n: i + 1, stage: code(steps[i]?.stage ?? '') });
      return step[2] ? `${label} · ${pathName(step[2])}` : label;
    }
    const band = /^settings\.entryBands\.(\d+)(?:\.(\w+))?/.exec(path);
    if (band) {
      const label = t('bandN', { n: Number(band[1]) + 1 });
      const part = { minDaysOverdue: 'bandMinDays', enterAt: 'bandEnterAt', consumers: 'bandConsumers' }[band[2] ?? ''];
      return part ? `${label} · ${t(part)}` : label;
    }
    const grade = /^settings\.ratingRoutes\.(\w+)$/.exec(path);
    if (grade) return t('ratingGrade', { g: grade[1] });
    if (path === 'settings.contactBudget.max') return t('contactBudgetMax');
    if (path === 'settings.contactBudget.window') return t('contactBudgetWindow');
    const setting = /^settings\.(\w+)$/.exec(path);
    if (setting && setting[1] !== 'ratingRoutes') return t(setting[1]);
    return pathName(path);
  }
}

/**
 * A duration field: a number of days when the policy's value is whole days (the usual case), the ISO-8601 text
 * only when it is finer than a day (the test policies' "PT1S"), so nobody has to write "P3D".
 * @param {string} label @param {string} name @param {string} path
 * @param {() => string} get @param {(iso: string) => void} set @param {boolean} signed a first step may be negative
 * @param {string} [isoLabel] the label when the value is finer than days (default: "Intervallo (durata ISO 8601)")
 */
function durationField(label, name, path, get, set, signed, isoLabel = t('offsetIso')) {
  const days = isoToDays(get());
  // A setting kept in whole hours (the consolidation window's "PT2H") is edited in hours, not as ISO text.
  const hours = /^PT(\d+)H$/.exec(get() ?? '');
  if (days === null && hours && !signed)
    return field(
      label.replace(t('inDays', { label: '' }).trim(), t('inHours', { label: '' }).trim()),
      h('input', {
        name,
        type: 'number',
        step: '1',
        min: '0',
        inputmode: 'numeric',
        value: hours[1],
        'data-path': path,
        on: {
          input: (/** @type {any} */ e) => {
            const v = e.target.value.trim();
            set(/^\d+$/.test(v) ? `PT${v}H` : v);
          },
        },
      }),
    );
  if (days === null && get())
    return field(
      isoLabel,
      h('input', {
        name,
        value: get(),
        'data-path': path,
        on: { input: (/** @type {any} */ e) => set(e.target.value.trim()) },
      }),
      t('offsetIsoHint'),
    );
  return field(
    label,
    h('input', {
      name,
      type: 'number',
      step: '1',
      min: signed ? null : '0',
      inputmode: 'numeric',
      value: days === null ? '' : String(days),
      'data-path': path,
      on: {
        input: (/** @type {any} */ e) => {
          const v = e.target.value.trim();
          // Left as typed when it is not a whole number, so the API names the field instead of a silent zero.
          set(/^-?\d+$/.test(v) ? daysToIso(Number(v)) : v);
        },
      },
    }),
  );
}

/** @param {Record<string, unknown>} o */
const stripUndefined = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
