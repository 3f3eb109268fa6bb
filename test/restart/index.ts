// The restart suite's runner in the extension host: the integration runner, over the *.test.js
// files next to this module (out/test/restart/). Started once per session by test/host/restart.ts.
export { run } from '../integration/index';
