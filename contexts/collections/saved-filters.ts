/** Saved filters of the invoice list, per person: a name and the list's query (search, filters, sort). */
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import type { Principal } from '../access/auth';
import { HttpError, notFound } from '../errors';
import type { SavedFilterBody } from '../schemas';

export interface SavedFilterView {
  filterId: string;
  name: string;
  query: Record<string, string>;
  updatedAt: string;
}

/** A filter belongs to a person: a key without a user (an ERP's, a script's) has none to keep. */
function ownerOf(p: Principal): string {
  if (!p.userId) throw new HttpError(403, 'FORBIDDEN', 'saved filters belong to a person: this key has no user');
  return p.userId;
}

const view = (r: { id: string; name: string; query: Prisma.JsonValue; updatedAt: Date }): SavedFilterView => ({
  filterId: r.id,
  name: r.name,
  query: r.query as Record<string, string>,
  updatedAt: r.updatedAt.toISOString(),
});

export async function listSavedFilters(db: Db, p: Principal): Promise<{ items: SavedFilterView[] }> {
  const rows = await db.savedFilter.findMany({ where: { userId: ownerOf(p) }, orderBy: { name: 'asc' } });
  return { items: rows.map(view) };
}

/** Saves under its name: the same name again replaces the query (one filter per name and person). */
export async function saveFilter(
  db: Db,
  p: Principal,
  body: SavedFilterBody,
): Promise<{ filter: SavedFilterView; created: boolean }> {
  const userId = ownerOf(p);
  const before = await db.savedFilter.findUnique({ where: { userId_name: { userId, name: body.name } } });
  const row = await db.savedFilter.upsert({
    where: { userId_name: { userId, name: body.name } },
    create: { userId, name: body.name, query: body.query },
    update: { query: body.query },
  });
  return { filter: view(row), created: !before };
}

export async function deleteSavedFilter(db: Db, p: Principal, id: string): Promise<void> {
  const { count } = await db.savedFilter.deleteMany({ where: { id, userId: ownerOf(p) } });
  if (count === 0) throw notFound(`saved filter ${id}`);
}
