import { Connection } from '@temporalio/client';
import { Client } from 'pg';

describe('integration stack', () => {
  it('has a migrated PostgreSQL and a Temporal dev server with the custom search attributes', async () => {
    const pg = new Client({ connectionString: process.env.DATABASE_URL });
    await pg.connect();
    const tables = await pg.query(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'Invoice'",
    );
    await pg.end();
    expect(tables.rows[0].n).toBe(1);

    const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
    const res = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    await connection.close();
    expect(Object.keys(res.customAttributes)).toEqual(expect.arrayContaining(['InvoiceStage', 'Balance', 'DueDate']));
  });
});
