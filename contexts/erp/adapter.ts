/** What Segugio asks of an ERP, whatever the transport (REST webhook or CSV file exchange). */

export interface ErpCustomerRef {
  /** Segugio's id and the ERP's own (Customer.externalId). */
  customerId: string;
  externalId: string;
}

export interface ErpRequestBase {
  /** Unique per effect; the ERP must treat a repeated key as the same request. */
  idempotencyKey: string;
  customer: ErpCustomerRef;
  reason?: string;
}

export interface ErpInvoiceStatus extends ErpRequestBase {
  invoiceId: string;
  invoiceNumber: string;
  stage: string;
  balanceMinor: number;
  currency: string;
}

export interface ErpOpenItem {
  invoiceNumber: string;
  customerExternalId: string;
  currency: string;
  amountMinor: number;
  balanceMinor: number;
  issueDate: string;
  dueDate: string;
}

export interface ErpPayment {
  invoiceNumber: string;
  reference: string;
  amountMinor: number;
  paidOn: string;
}

export interface ErpAdapter {
  readonly kind: 'rest' | 'csv';
  blockCustomer(req: ErpRequestBase): Promise<void>;
  unblockCustomer(req: ErpRequestBase): Promise<void>;
  postInvoiceStatus(req: ErpInvoiceStatus): Promise<void>;
  /**
   * Whether the ERP already holds a request with this key — asked after a crash between the call and our record
   * of it, so the ERP receives the request exactly once. null: the adapter cannot tell.
   */
  hasRequest(idempotencyKey: string): Promise<boolean | null>;
  fetchOpenItems(since?: string): Promise<ErpOpenItem[]>;
  fetchPayments(since?: string): Promise<ErpPayment[]>;
}
