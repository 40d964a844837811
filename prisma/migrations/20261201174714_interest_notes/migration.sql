-- CreateTable
CREATE TABLE "DocumentSeries" (
    "series" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "DocumentSeries_pkey" PRIMARY KEY ("series","year")
);

-- CreateTable
CREATE TABLE "InterestNote" (
    "id" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "customerId" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "asOf" DATE NOT NULL,
    "issueDate" DATE NOT NULL,
    "language" TEXT NOT NULL,
    "consumer" BOOLEAN NOT NULL,
    "interestMinor" BIGINT NOT NULL,
    "compensationMinor" BIGINT NOT NULL,
    "compensationEurMinor" INTEGER NOT NULL,
    "totalMinor" BIGINT NOT NULL,
    "content" JSONB NOT NULL,
    "pdf" BYTEA NOT NULL,
    "sha256" TEXT NOT NULL,
    "requestKey" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InterestNote_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InterestNoteLine" (
    "id" TEXT NOT NULL,
    "noteId" TEXT NOT NULL,
    "invoiceId" TEXT NOT NULL,
    "from" DATE NOT NULL,
    "to" DATE NOT NULL,
    "interestMinor" BIGINT NOT NULL,
    "compensationMinor" BIGINT NOT NULL,
    "compensationEurMinor" INTEGER NOT NULL,

    CONSTRAINT "InterestNoteLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InterestWaiver" (
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "interest" BOOLEAN NOT NULL,
    "compensation" BOOLEAN NOT NULL,
    "fromDate" DATE NOT NULL,
    "reason" TEXT NOT NULL,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "revokedBy" TEXT,

    CONSTRAINT "InterestWaiver_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "InterestNote_number_key" ON "InterestNote"("number");

-- CreateIndex
CREATE UNIQUE INDEX "InterestNote_requestKey_key" ON "InterestNote"("requestKey");

-- CreateIndex
CREATE INDEX "InterestNote_customerId_idx" ON "InterestNote"("customerId");

-- CreateIndex
CREATE UNIQUE INDEX "InterestNote_year_seq_key" ON "InterestNote"("year", "seq");

-- CreateIndex
CREATE INDEX "InterestNoteLine_invoiceId_idx" ON "InterestNoteLine"("invoiceId");

-- CreateIndex
CREATE UNIQUE INDEX "InterestNoteLine_noteId_invoiceId_key" ON "InterestNoteLine"("noteId", "invoiceId");

-- CreateIndex
CREATE INDEX "InterestWaiver_customerId_idx" ON "InterestWaiver"("customerId");

-- AddForeignKey
ALTER TABLE "InterestNote" ADD CONSTRAINT "InterestNote_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InterestNoteLine" ADD CONSTRAINT "InterestNoteLine_noteId_fkey" FOREIGN KEY ("noteId") REFERENCES "InterestNote"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InterestWaiver" ADD CONSTRAINT "InterestWaiver_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

