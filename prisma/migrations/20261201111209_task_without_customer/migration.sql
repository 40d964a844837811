-- AlterTable
ALTER TABLE "Task" ALTER COLUMN "customerId" DROP NOT NULL;

