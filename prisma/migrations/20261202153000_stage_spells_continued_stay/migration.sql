-- An entry into the stage the invoice is already in continues its stay; it does not start a second one. Every
-- workflow records "collection started" as a STAGE entry to OPEN when it starts, after issuing has already opened the
-- OPEN stay at midnight of the issue date: the first version counted that as a second entry into OPEN, so the
-- recovery report counted each invoice's entry into OPEN twice (and its exposure twice) when both fell in the period.
CREATE OR REPLACE FUNCTION segugio_refresh_stage_spells(ids TEXT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  DELETE FROM "StageSpell" sp USING (SELECT DISTINCT unnest(ids) AS id) u WHERE sp."invoiceId" = u.id;
  INSERT INTO "StageSpell" ("invoiceId", "enteredAt", stage, "enteredOn", "leftOn", "customerId", currency,
                            "exposureMinor", "recoveredMinor")
  WITH inv AS (
    SELECT i.id, i."customerId", i.currency, i."balanceMinor", i."issueDate"
    FROM "Invoice" i JOIN (SELECT DISTINCT unnest(ids) AS id) u ON u.id = i.id
    WHERE i.stage <> 'CANCELLED'
  ),
  e AS (
    -- issuing counts as entering OPEN (at midnight: before any stage entry of the same day)
    SELECT DISTINCT ON (te."invoiceId", te.at, te.stage) te."invoiceId", te.stage, te.at
    FROM "TimelineEntry" te JOIN inv ON inv.id = te."invoiceId"
    WHERE te.kind = 'STAGE'
    UNION ALL
    SELECT inv.id, 'OPEN', inv."issueDate"::timestamp FROM inv
  ),
  entered AS (
    -- an entry into the stage the invoice is in already is not a new stay
    SELECT e.*, LAG(e.stage) OVER (PARTITION BY e."invoiceId" ORDER BY e.at, e.stage) AS before FROM e
  ),
  s AS (
    SELECT n."invoiceId", n.stage, n.at,
      LEAD(n.at::date) OVER (PARTITION BY n."invoiceId" ORDER BY n.at, n.stage) AS next_d
    FROM entered n WHERE n.before IS DISTINCT FROM n.stage
  )
  SELECT s."invoiceId", s.at, s.stage, s.at::date, s.next_d, inv."customerId", inv.currency,
    GREATEST(0, inv."balanceMinor" + COALESCE(x.after_entry, 0)), COALESCE(x.in_stage, 0)
  FROM s JOIN inv ON inv.id = s."invoiceId"
  LEFT JOIN LATERAL (
    SELECT SUM(p."amountMinor") AS after_entry,
      SUM(p."amountMinor") FILTER (WHERE s.next_d IS NULL OR p."paidOn" <= s.next_d) AS in_stage
    FROM "Payment" p WHERE p."invoiceId" = s."invoiceId" AND p."paidOn" > s.at::date
  ) x ON true
  WHERE s.stage NOT IN ('PAID', 'SETTLED', 'WRITTEN_OFF', 'LEGAL_CLOSED', 'CANCELLED')
  -- a concurrent refresh of the same invoice may have written the row since this one deleted: the newer read wins
  ON CONFLICT ("invoiceId", "enteredAt", stage) DO UPDATE SET
    "enteredOn" = EXCLUDED."enteredOn", "leftOn" = EXCLUDED."leftOn", "customerId" = EXCLUDED."customerId",
    currency = EXCLUDED.currency, "exposureMinor" = EXCLUDED."exposureMinor",
    "recoveredMinor" = EXCLUDED."recoveredMinor";
END $$;

-- Rebuild the invoices that have a stay followed by a stay in the same stage (the only ones the change alters).
SELECT segugio_refresh_stage_spells(ARRAY(
  SELECT DISTINCT a."invoiceId" FROM "StageSpell" a
  JOIN "StageSpell" b ON b."invoiceId" = a."invoiceId" AND b.stage = a.stage AND b."enteredAt" > a."enteredAt"
    AND b."enteredOn" = a."leftOn"
));
