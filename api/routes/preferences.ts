/** The signed-in user's notification preferences: which notifications, the digest hour, the language. */
import type { Request } from 'express';
import { principalOf } from '../../contexts/access/access';
import { audit } from '../../contexts/access/audit';
import { HttpError } from '../../contexts/errors';
import {
  getPreferences,
  preferencesBody,
  putPreferences,
  REQUIRED_KINDS,
  type PreferenceDefaults,
} from '../../contexts/notifications/preferences';
import { emptyQuery } from '../../contexts/schemas';
import type { RouteTable } from '../registry';
import type { RouteDeps } from './deps';

export interface PreferenceRouteDeps extends RouteDeps {
  /** NOTIFY_DIGEST_HOUR: the digest hour of a user who chose none. */
  digestHour?: number;
}

function userOf(req: Request): string {
  const p = principalOf(req);
  if (!p.userId) throw new HttpError(403, 'FORBIDDEN', 'this API key is not bound to a user: it has no preferences');
  return p.userId;
}

export function preferenceRoutes(t: RouteTable, deps: PreferenceRouteDeps): void {
  const defaults = (): PreferenceDefaults => ({ digestHour: deps.digestHour ?? 8, timeZone: deps.timeZone });
  t.add(
    {
      method: 'get',
      path: '/v1/me/preferences',
      roles: ['collector', 'manager', 'salesperson'],
      tag: 'preferences',
      summary: "The caller's notification preferences: the notifications of their role, digest hour, language",
      description: `Kinds marked \`required\` (${REQUIRED_KINDS.join(', ')}) are always on: the policy needs the person to act.`,
      query: emptyQuery,
      mutating: false,
      responses: { 200: 'Preferences' },
    },
    async (req, res) => {
      res.json(await getPreferences(deps.db, userOf(req), defaults()));
    },
  );

  t.add(
    {
      method: 'put',
      path: '/v1/me/preferences',
      roles: ['collector', 'manager', 'salesperson'],
      tag: 'preferences',
      summary: 'Change the caller’s notification preferences (only the fields sent)',
      description:
        '`notifications` maps a kind to on/off; turning a required kind off is refused with 400 ' +
        '(`required_notification` on `notifications.<kind>`) and nothing is written. `digestHour: null` returns to the ' +
        'default hour (NOTIFY_DIGEST_HOUR).',
      body: preferencesBody,
      mutating: true,
      responses: { 200: 'The preferences after the change' },
    },
    async (req, res, { body }) => {
      const userId = userOf(req);
      const r = await putPreferences(deps.db, userId, body, defaults());
      await audit(deps.db, req, 'preferences.put', 'User', userId, r.after, r.before);
      res.json(r.after);
    },
  );
}
