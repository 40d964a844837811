/** Saved filters of the invoice list, per signed-in person. */
import { principalOf } from '../../contexts/access/access';
import { audit } from '../../contexts/access/audit';
import type { RouteTable } from '../registry';
import { idParams, savedFilterSchema } from '../../contexts/schemas';
import { deleteSavedFilter, listSavedFilters, saveFilter } from '../../contexts/collections/saved-filters';
import type { RouteDeps } from './deps';

export function savedFilterRoutes(t: RouteTable, deps: RouteDeps): void {
  t.add(
    {
      method: 'get',
      path: '/v1/saved-filters',
      roles: ['collector', 'manager'],
      tag: 'reading',
      summary: "The caller's saved filters of the invoice list, by name",
      mutating: false,
      responses: { 200: 'The filters', 403: 'The key belongs to no person' },
    },
    async (req, res) => {
      res.json(await listSavedFilters(deps.db, principalOf(req)));
    },
  );

  t.add(
    {
      method: 'post',
      path: '/v1/saved-filters',
      roles: ['collector', 'manager'],
      tag: 'reading',
      summary: 'Save the invoice list query under a name (the same name replaces it)',
      description: '`query` holds the keys of GET /v1/invoices (q, stage, segment, …, sort, dir), page excluded.',
      body: savedFilterSchema,
      mutating: true,
      responses: { 200: 'Replaced', 201: 'Saved', 403: 'The key belongs to no person' },
    },
    async (req, res, { body }) => {
      const result = await saveFilter(deps.db, principalOf(req), body);
      await audit(deps.db, req, 'savedFilter.save', 'SavedFilter', result.filter.filterId, body);
      res.status(result.created ? 201 : 200).json(result.filter);
    },
  );

  t.add(
    {
      method: 'delete',
      path: '/v1/saved-filters/:id',
      roles: ['collector', 'manager'],
      tag: 'reading',
      summary: 'Delete one of the caller’s saved filters',
      params: idParams,
      mutating: true,
      responses: { 204: 'Deleted', 404: 'No such filter of the caller' },
    },
    async (req, res, { params }) => {
      await deleteSavedFilter(deps.db, principalOf(req), params.id);
      await audit(deps.db, req, 'savedFilter.delete', 'SavedFilter', params.id, {});
      res.status(204).end();
    },
  );
}
