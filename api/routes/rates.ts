/** Reference rates of statutory interest: read (with today's provisional status) and enter a half-year's rate. */
import { todayIn } from '../../domain/time';
import { putReferenceRate, RateRejected, rateBody, rateParams, referenceRatesView } from '../../contexts/rates/service';
import { actorOf } from '../../contexts/access/access';
import { audit } from '../../contexts/access/audit';
import { badRequest } from '../../contexts/errors';
import type { RouteTable } from '../registry';
import { emptyQuery } from '../../contexts/schemas';
import type { RouteDeps } from './deps';

export function rateRoutes(t: RouteTable, deps: RouteDeps): void {
  t.add(
    {
      method: 'get',
      path: '/v1/reference-rates',
      roles: ['collector', 'manager', 'admin'],
      tag: 'rates',
      summary: 'ECB reference rates by half-year, and whether the current half-year is still provisional',
      description:
        '`current.published` false means the half-year has no rate yet: letters use `current.usedFrom` and say so.',
      query: emptyQuery,
      mutating: false,
      responses: { 200: 'Rates, status and missing half-years' },
    },
    async (_req, res) => {
      res.json(await referenceRatesView(deps.db, todayIn(deps.timeZone)));
    },
  );

  t.add(
    {
      method: 'put',
      path: '/v1/reference-rates/:validFrom',
      roles: ['manager', 'admin'],
      tag: 'rates',
      summary:
        "Enter (or correct) a half-year's ECB reference rate with its source (e.g. the Gazzetta Ufficiale issue)",
      description:
        'Closes the half-year’s ENTER_REFERENCE_RATE task. A half-year that has not started is refused: its rate cannot be known.',
      params: rateParams,
      body: rateBody,
      mutating: true,
      responses: { 200: 'Corrected', 201: 'Entered' },
    },
    async (req, res, { params, body }) => {
      const actor = actorOf(req);
      try {
        const result = await putReferenceRate(deps.db, params.validFrom, body, actor.actorId, todayIn(deps.timeZone));
        await audit(deps.db, req, 'reference-rate.put', 'ReferenceRate', params.validFrom, result.after, result.before);
        res.status(result.created ? 201 : 200).json(result);
      } catch (err) {
        if (err instanceof RateRejected)
          throw badRequest('request is not valid', [{ path: err.path, message: err.message }]);
        throw err;
      }
    },
  );
}
