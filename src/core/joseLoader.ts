/**
 * `jose` is loaded on first use (the build ships it as dist/vendor/jose.mjs), so activation does not
 * pay for it. Every core module that signs or verifies reaches it through this one loader.
 */
let jose: Promise<typeof import('./joseLazy')> | undefined;

export const loadJose = () => (jose ??= import('./joseLazy'));
