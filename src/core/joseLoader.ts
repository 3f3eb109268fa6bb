/**
 * `jose` is loaded on first use (the build ships it as dist/vendor/jose.js), so activation does not
 * pay for it. Every core module that signs or verifies reaches it through this one loader. A
 * require, not import(): the bundles are compiled with a code cache (core/codeCache), where
 * import() has no loader.
 */
let jose: Promise<typeof import('./joseLazy')> | undefined;

export const loadJose = () => (jose ??= Promise.resolve().then(() => require('./joseLazy') as typeof import('./joseLazy')));
