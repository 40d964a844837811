-- CreateTable
CREATE TABLE "SavedFilter" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "query" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SavedFilter_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SavedFilter_userId_name_key" ON "SavedFilter"("userId", "name");

-- CreateIndex
CREATE INDEX "Invoice_balanceMinor_idx" ON "Invoice"("balanceMinor");


-- The console's search box: a substring of the invoice number or of the customer's name, code, VAT number, fiscal
-- code, e-mail or phone (digits only, so "02 1234 567" finds "+39 02 1234567"), answered while the user types.
-- Trigram GIN indexes (pg_trgm) answer LIKE '%…%' without reading every row. The customer's searchable fields are
-- one lower-cased generated column with one index: with an index per column the planner, facing an OR of six
-- conditions on a small table, read the whole table instead (measured: 390 ms against 4 ms on 20,000 customers).
-- pg_trgm ships with PostgreSQL (contrib, in the embedded binaries too) and is a trusted extension since
-- PostgreSQL 13, so the database owner may create it. The column is not in schema.prisma: Prisma never writes it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE "Customer" ADD COLUMN "searchText" TEXT GENERATED ALWAYS AS (
  lower(
    coalesce("name", '') || ' ' || coalesce("externalId", '') || ' ' || coalesce("vatNumber", '') || ' ' ||
    coalesce("fiscalCode", '') || ' ' || coalesce("email", '') || ' ' ||
    coalesce(regexp_replace("phone", '[^0-9]', '', 'g'), '')
  )
) STORED;
CREATE INDEX "Customer_searchText_trgm_idx" ON "Customer" USING GIN ("searchText" gin_trgm_ops);
CREATE INDEX "Invoice_externalNumber_trgm_idx" ON "Invoice" USING GIN (lower("externalNumber") gin_trgm_ops);
