/** The JWT under the cursor: found on its line, rejected when it is not one, bounded on huge lines. */
import assert from 'node:assert/strict';
import { MAX_SCAN, jwtAt } from '../../src/integrations/jwtFind';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = `${b64({ alg: 'RS256', kid: 'k1' })}.${b64({ sub: 'alice', exp: 2_000_000_000 })}.c2lnbmF0dXJl`;

describe("jwtAt (the hover's token finder)", () => {
  it('finds the token around the cursor, with its start, in any surrounding text', () => {
    const line = `curl -H "Authorization: Bearer ${jwt}" https://api.example.com`;
    const start = line.indexOf(jwt);
    for (const offset of [start, start + 10, start + jwt.length - 1, start + jwt.length]) {
      assert.deepEqual(jwtAt(line, offset), { token: jwt, start }, `offset ${offset}`);
    }
    assert.equal(jwtAt(line, 2), undefined, 'not on the token');
    assert.deepEqual(jwtAt(`${jwt}.`, 3), { token: jwt, start: 0 }, 'a sentence-ending dot is not part of it');
  });

  it('rejects what only looks like a JWT: no alg, not JSON, two or four segments, a host name', () => {
    const noAlg = `${b64({ typ: 'JWT' })}.${b64({ a: 1 })}.sig`;
    assert.equal(jwtAt(noAlg, 3), undefined);
    assert.equal(jwtAt('abcd.efgh.ijkl', 3), undefined);
    assert.equal(jwtAt(`${jwt}.more`, 3), undefined);
    assert.equal(jwtAt(jwt.split('.').slice(0, 2).join('.'), 3), undefined);
    assert.equal(jwtAt('www.example.com', 5), undefined);
  });

  it('looks at most MAX_SCAN characters either side of the cursor, so a huge line stays fast', () => {
    const filler = 'a'.repeat(5_000_000);
    assert.equal(jwtAt(filler, 2_500_000), undefined, 'a run longer than the window is not a token');
    const line = `${filler} ${jwt} ${filler}`;
    const start = filler.length + 1;
    assert.deepEqual(jwtAt(line, start + 5), { token: jwt, start });
    assert.ok(MAX_SCAN >= 8192, 'long enough for real tokens');
  });
});
