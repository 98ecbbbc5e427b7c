// An application is one of the producer's customers: it owns endpoints and messages.
import type { DeliveryPolicy } from './delivery-policy.ts';

export type Application = {
  id: string;
  uid: string | null;
  name: string;
  rateLimit: number | null;
  metadata: Record<string, string>;
  /** Delivery policy defaults for the application's endpoints. */
  policy?: DeliveryPolicy | null;
  createdAt: number;
  updatedAt: number;
};

export type ApplicationFields = Pick<
  Application,
  'uid' | 'name' | 'rateLimit' | 'metadata' | 'policy'
>;
