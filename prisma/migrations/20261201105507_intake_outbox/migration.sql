-- AlterTable
ALTER TABLE "Invoice" ADD COLUMN     "metadata" JSONB,
ADD COLUMN     "workflowStartedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "signalledAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Invoice_workflowStartedAt_idx" ON "Invoice"("workflowStartedAt");


-- Payments recorded before the outbox existed were signalled in the same request (or answered 503 and were retried).
UPDATE "Payment" SET "signalledAt" = "createdAt";
-- Closed invoices need no workflow start. Open ones stay NULL: the intake-repair Schedule checks each once (a start
-- refused as already started just marks it), which also repairs invoices a past Temporal outage left without one.
UPDATE "Invoice" SET "workflowStartedAt" = "createdAt"
  WHERE "stage" IN ('PAID', 'SETTLED', 'WRITTEN_OFF', 'LEGAL_CLOSED', 'CANCELLED');
