/**
 * `segugio rates …`: list the ECB reference rates and enter a half-year's rate with its source, validated by the same
 * schemas as `PUT /v1/reference-rates/:validFrom` and audited as actor `cli`.
 *
 *   rates list
 *   rates set YYYY-01-01|YYYY-07-01 --bp N --source "G.U. n. … del …"
 */
import type { Db } from '../infra/db';
import { putReferenceRate, RateRejected, rateBody, rateParams, referenceRatesView } from '../contexts/rates/service';

export class RatesUsageError extends Error {
  constructor(
    message: string,
    readonly fields: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

export const RATES_USAGE = `  segugio rates list
  segugio rates set YYYY-01-01|YYYY-07-01 --bp BASIS_POINTS --source "Gazzetta Ufficiale issue"`;

export async function ratesCommand(
  db: Db,
  positional: string[],
  opts: Record<string, string>,
  today: string,
  print: (line: string) => void = console.log,
): Promise<void> {
  const [sub, validFrom] = positional;
  if (sub === 'list') {
    const view = await referenceRatesView(db, today);
    print(['valid from', 'rate', 'origin', 'source'].join('\t'));
    for (const r of view.rates) print([r.validFrom, `${(r.rateBp / 100).toFixed(2)}%`, r.origin, r.source].join('\t'));
    const c = view.current;
    print(
      c.published
        ? `current half-year ${c.periodStart}: published (${(c.rateBp / 100).toFixed(2)}%)`
        : `current half-year ${c.periodStart}: NOT published — letters are provisional, using ${(c.rateBp / 100).toFixed(2)}% of ${c.usedFrom}`,
    );
    return;
  }
  if (sub === 'set') {
    const params = rateParams.safeParse({ validFrom });
    const body = rateBody.safeParse({
      rateBp: opts.bp === undefined ? undefined : Number(opts.bp),
      source: opts.source,
    });
    const fields = [
      ...(params.success ? [] : params.error.issues.map((i) => ({ path: 'validFrom', message: i.message }))),
      ...(body.success
        ? []
        : body.error.issues.map((i) => ({ path: i.path[0] === 'rateBp' ? '--bp' : '--source', message: i.message }))),
    ];
    if (!params.success || !body.success) throw new RatesUsageError('rates set: invalid input', fields);
    try {
      const r = await putReferenceRate(db, params.data.validFrom, body.data, 'cli', today);
      await db.auditEvent.create({
        data: {
          actorId: 'cli',
          role: 'admin',
          action: 'reference-rate.put',
          entityType: 'ReferenceRate',
          entityId: params.data.validFrom,
          after: JSON.parse(JSON.stringify(r.after)) as object,
          before: r.before ? (JSON.parse(JSON.stringify(r.before)) as object) : undefined,
        },
      });
      print(
        `${r.created ? 'entered' : 'corrected'} ${params.data.validFrom}: ${(body.data.rateBp / 100).toFixed(2)}% (${body.data.source})` +
          (r.tasksClosed ? `; closed ${r.tasksClosed} open task` : ''),
      );
    } catch (err) {
      if (err instanceof RateRejected)
        throw new RatesUsageError('rates set: refused', [{ path: err.path, message: err.message }]);
      throw err;
    }
    return;
  }
  throw new RatesUsageError(`usage:\n${RATES_USAGE}`);
}
