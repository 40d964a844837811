-- AlterTable
ALTER TABLE "Invoice" ADD COLUMN     "mirrorAt" TIMESTAMP(3),
ADD COLUMN     "mirrorSeq" INTEGER;

