/**
 * What state an invoice is really in, as one badge: a disputed invoice says "Contestata" and a paused one
 * "Sospesa" whatever its dunning stage (which stays readable in the badge's title), so a stopped case never reads
 * "Aperta" or "Sollecito".
 */
import { t } from '../i18n.js';
import { code, h } from '../ui.js';

/**
 * @param {string} stage
 * @param {{ disputed?: boolean; paused?: boolean }} [flags]
 */
export function statusBadge(stage, flags = {}) {
  if (flags.disputed)
    return h('span.badge.stage-disputed', { title: code(stage), 'data-status': 'DISPUTED' }, t('disputedBadge'));
  if (flags.paused)
    return h('span.badge.stage-paused', { title: code(stage), 'data-status': 'PAUSED' }, t('pausedBadge'));
  return h('span.badge', { class: `stage-${String(stage).toLowerCase()}`, 'data-status': stage }, code(stage));
}
