-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "pecSource" TEXT,
ADD COLUMN     "pecVerifiedAt" TIMESTAMP(3),
ADD COLUMN     "pecVerifiedBy" TEXT;

-- AlterTable
ALTER TABLE "ContactEvent" ADD COLUMN     "deliveredAt" TIMESTAMP(3),
ADD COLUMN     "registeredNumber" TEXT;

-- CreateTable
CREATE TABLE "NoticeReceipt" (
    "id" TEXT NOT NULL,
    "contactEventId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "recipient" TEXT,
    "issuer" TEXT,
    "reference" TEXT,
    "detail" TEXT,
    "path" TEXT,
    "sha256" TEXT,
    "sizeBytes" INTEGER,
    "mailbox" TEXT,
    "uidValidity" BIGINT,
    "uid" BIGINT,
    "actorId" TEXT,
    "signalledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NoticeReceipt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ImapCursor" (
    "mailbox" TEXT NOT NULL,
    "uidValidity" BIGINT NOT NULL,
    "lastUid" BIGINT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ImapCursor_pkey" PRIMARY KEY ("mailbox")
);

-- CreateIndex
CREATE UNIQUE INDEX "NoticeReceipt_dedupeKey_key" ON "NoticeReceipt"("dedupeKey");

-- CreateIndex
CREATE INDEX "NoticeReceipt_contactEventId_occurredAt_idx" ON "NoticeReceipt"("contactEventId", "occurredAt");

-- CreateIndex
CREATE INDEX "NoticeReceipt_signalledAt_idx" ON "NoticeReceipt"("signalledAt");

-- AddForeignKey
ALTER TABLE "NoticeReceipt" ADD CONSTRAINT "NoticeReceipt_contactEventId_fkey" FOREIGN KEY ("contactEventId") REFERENCES "ContactEvent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

