/**
 * The signed-in user's notification preferences: language, the collector's digest hour, and each notification of
 * their role on or off. Required ones are shown checked and disabled, with why (the server refuses them too).
 */
import { api } from '../api.js';
import { LANGS, setLang, t } from '../i18n.js';
import { clearErrors, field, h, mount, select, showError, toast } from '../ui.js';

/**
 * @typedef {{ kind: string; enabled: boolean; required: boolean }} NotificationPref
 * @typedef {{ userId: string; role: string; language: string; digestHour: number; digestHourDefault: boolean;
 *   defaultDigestHour: number; timeZone: string; notifications: NotificationPref[] }} Preferences
 */

const hh = (/** @type {number} */ n) => `${String(n).padStart(2, '0')}:00`;

/** @param {HTMLElement} main @param {() => void} [onLanguage] re-renders the shell when the language changes */
export async function renderPreferences(main, onLanguage) {
  /** @type {Preferences} */
  const p = await api('/v1/me/preferences');
  const language = select(
    'language',
    LANGS.map((l) => [l, t('langName', { lang: l })]),
    p.language,
    { 'data-path': 'language' },
  );
  const hasDigest = p.notifications.some((n) => n.kind === 'digest');
  const digestHour = select(
    'digestHour',
    [
      ['', t('prefsDigestDefault', { hour: hh(p.defaultDigestHour) })],
      ...Array.from({ length: 24 }, (_, i) => [String(i), hh(i)]),
    ],
    p.digestHourDefault ? '' : String(p.digestHour),
    { 'data-path': 'digestHour' },
  );
  const boxes = p.notifications.map((n) => {
    const input = h('input', {
      type: 'checkbox',
      name: n.kind,
      checked: n.enabled,
      disabled: n.required,
      'data-path': `notifications.${n.kind}`,
      'aria-describedby': n.required ? `req-${n.kind}` : null,
    });
    return {
      n,
      input,
      row: h(
        'li',
        {},
        h('label.check', {}, input, ' ', t(`notify.${n.kind}`)),
        n.required ? h('small.hint', { id: `req-${n.kind}` }, t('prefsRequired')) : null,
      ),
    };
  });
  const errorBox = h('div.alert', { role: 'alert', hidden: true, tabindex: '-1' });
  const form = h(
    'form.card.preferences',
    {
      on: {
        /** @param {SubmitEvent} e */
        submit: async (e) => {
          e.preventDefault();
          clearErrors(form, errorBox);
          /** @type {Record<string, boolean>} */
          const notifications = {};
          for (const b of boxes) if (!b.n.required) notifications[b.n.kind] = b.input.checked;
          /** @type {Record<string, unknown>} */
          const body = { language: language.value, notifications };
          if (hasDigest) body.digestHour = digestHour.value === '' ? null : Number(digestHour.value);
          try {
            /** @type {Preferences} */
            const saved = await api('/v1/me/preferences', { method: 'PUT', body });
            const changed = saved.language !== p.language;
            if (changed) {
              setLang(saved.language);
              onLanguage?.();
            }
            await renderPreferences(main, onLanguage);
            toast(t('prefsSaved'));
          } catch (err) {
            showError(errorBox, err, form);
          }
        },
      },
    },
    field(t('prefsLanguage'), language),
    hasDigest ? field(t('prefsDigestHour'), digestHour, t('prefsDigestHint', { tz: p.timeZone })) : null,
    h(
      'fieldset.notifications',
      {},
      h('legend', {}, t('prefsNotifications')),
      boxes.length
        ? h(
            'ul.plain',
            {},
            boxes.map((b) => b.row),
          )
        : h('p.empty', {}, t('prefsNone')),
    ),
    errorBox,
    h('div.buttons', {}, h('button.btn.btn-primary', { type: 'submit' }, t('save'))),
  );
  mount(main, h('h1', {}, t('prefsTitle')), h('p.muted', {}, t('prefsLead')), form);
}
