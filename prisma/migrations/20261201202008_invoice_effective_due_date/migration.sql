-- AlterTable
ALTER TABLE "Invoice" ADD COLUMN     "effectiveDueDate" DATE;

