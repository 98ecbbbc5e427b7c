import { Svix } from 'svix';
import { sdkScenario } from './scenario.ts';

sdkScenario({
  name: '2.5.0',
  Svix,
  filterField: 'eventTypes',
  rateField: 'throttleRate',
  put: 'upsert',
  putHeaders: 'setHeaders',
});
