-- CreateTable
CREATE TABLE "StageSpell" (
    "invoiceId" TEXT NOT NULL,
    "enteredAt" TIMESTAMP(3) NOT NULL,
    "stage" TEXT NOT NULL,
    "enteredOn" DATE NOT NULL,
    "leftOn" DATE,
    "customerId" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "exposureMinor" BIGINT NOT NULL,
    "recoveredMinor" BIGINT NOT NULL,

    CONSTRAINT "StageSpell_pkey" PRIMARY KEY ("invoiceId","enteredAt","stage")
);

-- CreateIndex
CREATE INDEX "StageSpell_enteredOn_idx" ON "StageSpell"("enteredOn");

-- AddForeignKey
ALTER TABLE "StageSpell" ADD CONSTRAINT "StageSpell_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Stage spells are derived data: one function rebuilds the spells of a set of invoices from the timeline, the
-- payments and the invoice row, and statement-level triggers call it for the invoices each statement touched, so
-- every writer (workflow activities, API, ERP imports, bulk loads) keeps the table right without knowing about it.
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
  s AS (
    SELECT e.*, LEAD(e.at::date) OVER (PARTITION BY e."invoiceId" ORDER BY e.at, e.stage) AS next_d FROM e
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

CREATE OR REPLACE FUNCTION segugio_stage_spells_timeline_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM segugio_refresh_stage_spells(ARRAY(SELECT DISTINCT "invoiceId" FROM new_rows WHERE kind = 'STAGE'));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION segugio_stage_spells_timeline_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM segugio_refresh_stage_spells(ARRAY(SELECT DISTINCT "invoiceId" FROM old_rows WHERE kind = 'STAGE'));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION segugio_stage_spells_rows_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM segugio_refresh_stage_spells(ARRAY(SELECT DISTINCT "invoiceId" FROM new_rows));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION segugio_stage_spells_rows_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM segugio_refresh_stage_spells(ARRAY(SELECT DISTINCT "invoiceId" FROM old_rows));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION segugio_stage_spells_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM segugio_refresh_stage_spells(ARRAY(
    SELECT n."invoiceId" FROM new_rows n UNION SELECT o."invoiceId" FROM old_rows o));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION segugio_stage_spells_invoice_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM segugio_refresh_stage_spells(ARRAY(SELECT id FROM new_rows));
  RETURN NULL;
END $$;

-- Only the columns the spells are made of: most invoice updates (next action, search fields) change none of them.
CREATE OR REPLACE FUNCTION segugio_stage_spells_invoice_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM segugio_refresh_stage_spells(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n."balanceMinor" IS DISTINCT FROM o."balanceMinor" OR n."issueDate" IS DISTINCT FROM o."issueDate"
       OR n."customerId" IS DISTINCT FROM o."customerId" OR n.currency IS DISTINCT FROM o.currency
       OR (n.stage = 'CANCELLED') IS DISTINCT FROM (o.stage = 'CANCELLED')));
  RETURN NULL;
END $$;

CREATE TRIGGER stage_spells_timeline_insert AFTER INSERT ON "TimelineEntry"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION segugio_stage_spells_timeline_new();
CREATE TRIGGER stage_spells_timeline_delete AFTER DELETE ON "TimelineEntry"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION segugio_stage_spells_timeline_old();
CREATE TRIGGER stage_spells_payment_insert AFTER INSERT ON "Payment"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION segugio_stage_spells_rows_new();
CREATE TRIGGER stage_spells_payment_update AFTER UPDATE ON "Payment"
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION segugio_stage_spells_rows_changed();
CREATE TRIGGER stage_spells_payment_delete AFTER DELETE ON "Payment"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION segugio_stage_spells_rows_old();
CREATE TRIGGER stage_spells_invoice_insert AFTER INSERT ON "Invoice"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION segugio_stage_spells_invoice_new();
CREATE TRIGGER stage_spells_invoice_update AFTER UPDATE ON "Invoice"
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION segugio_stage_spells_invoice_changed();

-- Existing invoices.
SELECT segugio_refresh_stage_spells(ARRAY(SELECT id FROM "Invoice"));
