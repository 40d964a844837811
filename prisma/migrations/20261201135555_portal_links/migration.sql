-- AlterTable
ALTER TABLE "ContactEvent" ADD COLUMN     "portalLinkId" TEXT;

-- CreateTable
CREATE TABLE "PortalLink" (
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "currentFor" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "lastSentAt" TIMESTAMP(3),
    "lastOpenedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "revokedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PortalLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PortalRequest" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "customerId" TEXT NOT NULL,
    "invoiceId" TEXT,
    "linkId" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "documentId" TEXT,
    "taskId" TEXT,
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "decision" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PortalRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PortalLink_tokenHash_key" ON "PortalLink"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "PortalLink_currentFor_key" ON "PortalLink"("currentFor");

-- CreateIndex
CREATE INDEX "PortalLink_customerId_idx" ON "PortalLink"("customerId");

-- CreateIndex
CREATE INDEX "PortalRequest_status_kind_idx" ON "PortalRequest"("status", "kind");

-- CreateIndex
CREATE INDEX "PortalRequest_customerId_createdAt_idx" ON "PortalRequest"("customerId", "createdAt");

