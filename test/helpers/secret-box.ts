// The box that seals secrets at rest in tests: a fixed main secret, so stores opened again
// (restarts, a second node) read what the first wrote.
import { createSecretBox } from '../../src/store/secret-box.ts';

export const testMainSecret = 'herald-test-main-secret-0123456789';
export const testSecretBox = createSecretBox([testMainSecret]);
