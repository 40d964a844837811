/** People's accounts, for admins: invite, disable, enable, reset the password, change the role, bind customers. */
import type { Request } from 'express';
import { z } from 'zod';
import { actorOf, principalOf } from '../../contexts/access/access';
import type { Role } from '../../contexts/access/auth';
import { audit } from '../../contexts/access/audit';
import {
  bindCustomers,
  bindSchema,
  boundCustomers,
  changeRole,
  disableUser,
  emptySchema,
  enableUser,
  inviteSchema,
  inviteUser,
  listUsers,
  resetPassword,
  roleSchema,
} from '../../contexts/access/users';
import { tellCollectors } from '../../contexts/collections/collector-sync';
import type { RouteTable } from '../registry';
import type { RouteDeps } from './deps';

const userParams = z.object({ id: z.string().min(1).max(64) }).strict();

export function userRoutes(t: RouteTable, deps: RouteDeps): void {
  const { db } = deps;
  // Admin only: `roles: []` lets nobody but admin through the role check.
  const base = { tag: 'users', roles: [] as Role[] };
  const linkOptions = (req: Request) => ({
    createdBy: principalOf(req).userId ?? principalOf(req).keyId,
    ttlHours: deps.invitationTtlHours ?? 72,
    consoleUrl: deps.consolePublicUrl ?? `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`,
  });

  t.add(
    {
      ...base,
      method: 'get',
      path: '/v1/users',
      summary: 'Every user: role, status (invited, active, disabled), single sign-on, bound customers',
      mutating: false,
      responses: { 200: 'The users' },
    },
    async (_req, res) => {
      res.json({ items: await listUsers(db) });
    },
  );

  t.add(
    {
      ...base,
      method: 'post',
      path: '/v1/users',
      summary: 'Invite a person: creates the account and a one-time link to set the password',
      description:
        'The answer carries the link (and its token) once; only the token’s SHA-256 is stored. It expires after INVITATION_TTL_HOURS.',
      body: inviteSchema,
      mutating: true,
      responses: { 201: 'Invited: the user and the invitation link', 409: 'The e-mail address is taken' },
    },
    async (req, res, { body }) => {
      const result = await inviteUser(db, body, linkOptions(req));
      await audit(db, req, 'user.invite', 'User', result.user.id, { email: result.user.email, role: result.user.role });
      res.status(201).json(result);
    },
  );

  t.add(
    {
      ...base,
      method: 'get',
      path: '/v1/users/:id/customers',
      summary: 'The customers bound to a collector or salesperson',
      params: userParams,
      mutating: false,
      responses: { 200: 'The customers (id, code, name)' },
    },
    async (_req, res, { params }) => {
      res.json({ items: await boundCustomers(db, params.id) });
    },
  );

  t.add(
    {
      ...base,
      method: 'post',
      path: '/v1/users/:id/customers',
      summary: 'Bind customers to (or unbind them from) a collector or salesperson, by customer code',
      params: userParams,
      body: bindSchema,
      mutating: true,
      responses: { 200: 'Bound: how many customers changed', 409: 'The user is neither collector nor salesperson' },
    },
    async (req, res, { params, body }) => {
      const { collectorCustomerIds, ...result } = await bindCustomers(db, params.id, body);
      await audit(db, req, 'user.bind-customers', 'User', params.id, {
        add: body.add ?? [],
        remove: body.remove ?? [],
      });
      // After the commit: the running workflows learn the collector now, or from the intake-repair sweep.
      await tellCollectors(deps, { customerIds: collectorCustomerIds }, { actorId: actorOf(req).actorId });
      res.json(result);
    },
  );

  t.add(
    {
      ...base,
      method: 'post',
      path: '/v1/users/:id/role',
      summary: 'Change a user’s role (takes effect on their next request)',
      params: userParams,
      body: roleSchema,
      mutating: true,
      responses: { 200: 'The user', 409: 'Your own account' },
    },
    async (req, res, { params, body }) => {
      const { before, user } = await changeRole(db, params.id, body.role, principalOf(req).userId);
      await audit(db, req, 'user.role', 'User', params.id, { role: user.role }, { role: before });
      res.json({ user });
    },
  );

  for (const [path, summary, action] of [
    ['disable', 'Disable a user: their sessions end and their API keys stop working', 'user.disable'],
    ['enable', 'Enable a disabled user again', 'user.enable'],
    ['reset-password', 'Clear a user’s password and end their sessions; answers a new one-time link', 'user.reset'],
  ] as const) {
    t.add(
      {
        ...base,
        method: 'post',
        path: `/v1/users/:id/${path}`,
        summary,
        params: userParams,
        body: emptySchema,
        mutating: true,
        responses: {
          200: path === 'reset-password' ? 'The user and the reset link' : 'The user',
          409: 'Not possible now',
        },
      },
      async (req, res, { params }) => {
        const actor = principalOf(req).userId;
        if (path === 'disable') {
          const user = await disableUser(db, params.id, actor);
          await audit(db, req, action, 'User', params.id, { status: user.status });
          res.json({ user });
        } else if (path === 'enable') {
          const user = await enableUser(db, params.id);
          await audit(db, req, action, 'User', params.id, { status: user.status });
          res.json({ user });
        } else {
          const result = await resetPassword(db, params.id, linkOptions(req));
          await audit(db, req, action, 'User', params.id, { expiresAt: result.reset.expiresAt });
          res.json(result);
        }
      },
    );
  }
}
