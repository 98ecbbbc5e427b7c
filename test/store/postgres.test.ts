import { openStore } from '../../src/store/store.ts';
import { dropSchema, freshSchema, postgresUrl } from '../helpers/postgres.ts';
import { testSecretBox } from '../helpers/secret-box.ts';
import { storeContract } from './contract.ts';

storeContract('PostgreSQL', async () => {
  const schema = freshSchema();
  const store = await openStore(postgresUrl, { schema, secretBox: testSecretBox });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
});
