-- CreateTable
CREATE TABLE "CustomerRating" (
    "customerId" TEXT NOT NULL,
    "rating" TEXT NOT NULL,
    "score" INTEGER NOT NULL,
    "factors" JSONB NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CustomerRating_pkey" PRIMARY KEY ("customerId")
);

-- CreateTable
CREATE TABLE "ReportSnapshot" (
    "month" DATE NOT NULL,
    "dimension" TEXT NOT NULL,
    "groupKey" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "metrics" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReportSnapshot_pkey" PRIMARY KEY ("month","dimension","groupKey","currency")
);

-- CreateIndex
CREATE INDEX "CustomerRating_rating_idx" ON "CustomerRating"("rating");

-- CreateIndex
CREATE INDEX "ReportSnapshot_dimension_groupKey_month_idx" ON "ReportSnapshot"("dimension", "groupKey", "month");

-- CreateIndex
CREATE INDEX "Invoice_issueDate_idx" ON "Invoice"("issueDate");

-- CreateIndex
CREATE INDEX "Invoice_closedAt_idx" ON "Invoice"("closedAt");

-- CreateIndex
CREATE INDEX "Payment_paidOn_invoiceId_idx" ON "Payment"("paidOn", "invoiceId");

-- CreateIndex
CREATE INDEX "Task_completedAt_idx" ON "Task"("completedAt");

-- CreateIndex
CREATE INDEX "ContactEvent_reasonCode_createdAt_idx" ON "ContactEvent"("reasonCode", "createdAt");

-- CreateIndex
CREATE INDEX "PaymentPromise_promisedDate_idx" ON "PaymentPromise"("promisedDate");

-- CreateIndex
CREATE INDEX "Dispute_openedAt_idx" ON "Dispute"("openedAt");

-- CreateIndex
CREATE INDEX "Dispute_resolvedAt_idx" ON "Dispute"("resolvedAt");

-- CreateIndex
CREATE INDEX "TimelineEntry_kind_at_idx" ON "TimelineEntry"("kind", "at");

