import { ApiException, messageInRaw, Svix } from 'svix';
import { sdkScenario } from './scenario.ts';

sdkScenario({
  name: '2.5.0',
  Svix,
  ApiException,
  filterField: 'eventTypes',
  rateField: 'throttleRate',
  put: 'upsert',
  putHeaders: 'setHeaders',
  withContentByDefault: false,
  messageInRaw,
});
