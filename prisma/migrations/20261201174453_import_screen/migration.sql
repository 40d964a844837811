-- AlterTable
ALTER TABLE "Import" ADD COLUMN     "columns" JSONB,
ADD COLUMN     "expectedRows" INTEGER,
ADD COLUMN     "idempotencyKey" TEXT,
ADD COLUMN     "processingMs" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "startedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "ImportRejection" ADD COLUMN     "problems" JSONB,
ADD COLUMN     "record" JSONB;

-- CreateIndex
CREATE UNIQUE INDEX "Import_idempotencyKey_key" ON "Import"("idempotencyKey");

