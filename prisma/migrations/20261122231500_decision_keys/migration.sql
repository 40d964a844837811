-- AlterTable
ALTER TABLE "PaymentPromise" ADD COLUMN     "key" TEXT;

-- AlterTable
ALTER TABLE "Dispute" ADD COLUMN     "key" TEXT;

-- AlterTable
ALTER TABLE "RepaymentPlan" ADD COLUMN     "key" TEXT;

-- AlterTable
ALTER TABLE "LegalCaseEvent" ADD COLUMN     "eventKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "PaymentPromise_key_key" ON "PaymentPromise"("key");

-- CreateIndex
CREATE UNIQUE INDEX "Dispute_key_key" ON "Dispute"("key");

-- CreateIndex
CREATE UNIQUE INDEX "RepaymentPlan_key_key" ON "RepaymentPlan"("key");

-- CreateIndex
CREATE UNIQUE INDEX "LegalCaseEvent_eventKey_key" ON "LegalCaseEvent"("eventKey");

