// An application is one of the producer's customers: it owns endpoints and messages.
export type Application = {
  id: string;
  uid: string | null;
  name: string;
  rateLimit: number | null;
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number;
};

export type ApplicationFields = Pick<Application, 'uid' | 'name' | 'rateLimit' | 'metadata'>;
