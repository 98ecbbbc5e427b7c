import { ApiException, messageInRaw, Svix } from 'svix1';
import { sdkScenario } from './scenario.ts';

sdkScenario({
  name: '1.99.1',
  Svix,
  ApiException,
  filterField: 'filterTypes',
  rateField: 'rateLimit',
  put: 'update',
  putHeaders: 'updateHeaders',
  withContentByDefault: true,
  messageInRaw,
});
