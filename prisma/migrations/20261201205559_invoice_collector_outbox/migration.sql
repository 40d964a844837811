-- AlterTable
ALTER TABLE "Invoice" ADD COLUMN     "collectorPendingAt" TIMESTAMP(3),
ADD COLUMN     "collectorVersion" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "Invoice_collectorPendingAt_idx" ON "Invoice"("collectorPendingAt");

