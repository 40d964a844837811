-- CreateTable
CREATE TABLE "ReportSetting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT,

    CONSTRAINT "ReportSetting_pkey" PRIMARY KEY ("key")
);

