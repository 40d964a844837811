/** Dunning policies: every segment's current version, and an editor whose validation errors appear beside each field. */
import { api } from '../api.js';
import { code, t } from '../i18n.js';
import { clearErrors, field, h, select, showError, toast, mount } from '../ui.js';

const POLICY_STAGES = ['PRE_DUE', 'REMINDER', 'CALL', 'ORDER_BLOCK', 'FORMAL_NOTICE', 'LEGAL'];
const CHANNELS = ['EMAIL', 'SMS', 'VOICE', 'LETTER', 'PEC', 'TASK'];

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
          policies.map((p) =>
            h(
              'tr',
              { 'data-segment': p.segment },
              h('th', { scope: 'row' }, p.segment),
              h('td', {}, p.name),
              h('td.num', {}, String(p.version)),
              h(
                'td',
                {},
                p.steps.map((s) => `${code(s.stage)} ${s.offset}`).join(' → '),
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
                  { href: `#/policies/${encodeURIComponent(p.segment)}`, 'aria-label': `${t('edit')} ${p.segment}` },
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

export async function renderPolicyEditor(main, params) {
  const segment = params.args[0];
  const { policies } = await api('/v1/policies');
  const policy = policies.find((p) => p.segment === segment);
  if (!policy) throw new Error(`${t('policy')} ${segment}: 404`);
  const steps = policy.steps.map((s) => ({ ...s }));
  const settings = structuredClone(policy.settings);
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1' });
  const stepsBox = h('div.steps');
  const name = h('input', { name: 'name', value: policy.name, 'data-path': 'name', required: true });

  const renderSteps = () => {
    stepsBox.replaceChildren(
      ...steps.map((s, i) => {
        const p = (k) => `steps.${i}.${k}`;
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
                POLICY_STAGES.map((x) => [x, code(x)]),
                s.stage,
                { 'data-path': p('stage'), on: { change: (e) => (s.stage = e.target.value) } },
              ),
            ),
            field(
              t('offset'),
              h('input', {
                name: `offset${i}`,
                value: s.offset,
                'data-path': p('offset'),
                on: { input: (e) => (s.offset = e.target.value.trim()) },
              }),
            ),
            field(
              t('template'),
              h('input', {
                name: `template${i}`,
                value: s.template,
                'data-path': p('template'),
                on: { input: (e) => (s.template = e.target.value.trim()) },
              }),
            ),
            field(
              t('minBalance'),
              h('input', {
                name: `min${i}`,
                inputmode: 'numeric',
                value: s.minBalanceMinor ?? '',
                'data-path': p('minBalanceMinor'),
                on: {
                  input: (e) =>
                    (s.minBalanceMinor = e.target.value.trim() === '' ? undefined : Number(e.target.value.trim())),
                },
              }),
            ),
          ),
          h(
            'fieldset.channels',
            { 'data-path': p('channels') },
            h('legend', {}, t('channels')),
            CHANNELS.map((c) =>
              h(
                'label.check',
                {},
                h('input', {
                  type: 'checkbox',
                  value: c,
                  checked: s.channels.includes(c),
                  on: {
                    change: (e) =>
                      (s.channels = e.target.checked ? [...s.channels, c] : s.channels.filter((x) => x !== c)),
                  },
                }),
                ' ',
                c,
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
                on: { change: (e) => (s.requiresApproval = e.target.checked || undefined) },
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
                on: { change: (e) => (s.attachLetter = e.target.checked || undefined) },
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
    field(
      t(k),
      h('input', {
        name: k,
        value: settings[k],
        'data-path': `settings.${k}`,
        on: { input: (e) => (settings[k] = e.target.value.trim()) },
      }),
    ),
  );
  const numberInput = (k, get, set, path, label = k) =>
    field(
      t(label),
      h('input', {
        name: k,
        inputmode: 'numeric',
        value: String(get()),
        'data-path': path,
        on: { input: (e) => set(Number(e.target.value)) },
      }),
    );

  // Cadence by rating: customers of a grade may follow another policy (a track) instead of this one.
  const routes = { ...(settings.ratingRoutes ?? {}) };
  const others = policies.filter((p) => p.segment !== segment).map((p) => [p.segment, `${p.segment} — ${p.name}`]);
  const routeInputs = ['A', 'B', 'C', 'D', 'E'].map((g) =>
    field(
      t('ratingGrade', { g }),
      select('route' + g, [['', t('thisPolicy')], ...others], routes[g] ?? '', {
        'data-path': `settings.ratingRoutes.${g}`,
        on: {
          change: (e) => {
            if (e.target.value) routes[g] = e.target.value;
            else delete routes[g];
            if (Object.keys(routes).length) settings.ratingRoutes = { ...routes };
            else delete settings.ratingRoutes;
          },
        },
      }),
    ),
  );

  const form = h(
    'form.policy-form',
    {
      novalidate: true,
      on: {
        submit: async (e) => {
          e.preventDefault();
          clearErrors(form, errorBox);
          const body = { name: name.value.trim(), steps: steps.map(stripUndefined), settings };
          try {
            const r = await api(`/v1/policies/${encodeURIComponent(segment)}`, { method: 'PUT', body });
            toast(t('policySaved', { version: r.policy?.version ?? '?' }));
            await renderPolicyEditor(main, params);
            main
              .querySelector('[data-saved]')
              ?.replaceChildren(t('policySaved', { version: r.policy?.version ?? '?' }));
          } catch (err) {
            if (err.fields?.length) err.message = `${err.message} — ${t('fixFields')}`;
            showError(errorBox, err, form);
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
          click: () => (
            steps.push({ stage: 'REMINDER', offset: 'P7D', channels: ['EMAIL'], template: 'reminder-1' }),
            renderSteps()
          ),
        },
      },
      t('addStep'),
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
      field(
        t('contactBudgetWindow'),
        h('input', {
          name: 'cbw',
          value: settings.contactBudget.window,
          'data-path': 'settings.contactBudget.window',
          on: { input: (e) => (settings.contactBudget.window = e.target.value.trim()) },
        }),
      ),
    ),
    h('h2', {}, t('ratingRoutes')),
    h('p.muted', {}, t('ratingRoutesHint')),
    h('div.settings-grid', {}, routeInputs),
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
      h('h1', {}, `${t('policy')} ${segment}`),
      h('span.muted', {}, `${t('version')} ${policy.version}`),
    ),
    h('p.ok-line', { 'data-saved': '', role: 'status' }),
    form,
  );
}

const stripUndefined = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
