import { openStore } from '../../src/store/store.ts';
import { dropSchema, freshSchema, postgresUrl } from '../helpers/postgres.ts';
import { testSecretBox } from '../helpers/secret-box.ts';
import { type OpenStore, storeContract } from './contract.ts';
import { playInboxContract } from './play-inbox-contract.ts';

const open: OpenStore = async () => {
  const schema = freshSchema();
  const store = await openStore(postgresUrl, { schema, secretBox: testSecretBox });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
};
storeContract('PostgreSQL', open);
playInboxContract('PostgreSQL', open);
