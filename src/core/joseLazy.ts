/** The parts of `jose` we use, behind one module that verify.ts imports dynamically (see loadJose). */
export { compactVerify, createLocalJWKSet, errors, jwtVerify } from 'jose';
