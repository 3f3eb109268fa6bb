// The contrast arithmetic behind the inspector's theme checks (test/e2e): WCAG 2.x relative
// luminance and ratio, alpha compositing of backgrounds, and the AA thresholds.
import * as assert from 'node:assert/strict';
import { contrastFindings, contrastRatio, over, parseColor, requiredRatio } from '../support/contrast';

const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 0.01, `${what}: ${actual} ≠ ${expected}`);

describe('text contrast (WCAG 2.x)', () => {
  it('parses the colour forms getComputedStyle returns', () => {
    assert.deepEqual(parseColor('rgb(12, 34, 56)'), [12, 34, 56, 1]);
    assert.deepEqual(parseColor('rgba(12, 34, 56, 0.5)'), [12, 34, 56, 0.5]);
    assert.deepEqual(parseColor('rgb(12 34 56 / 25%)'), [12, 34, 56, 0.25]);
    assert.throws(() => parseColor('color(srgb 1 0 0)'), /unsupported colour/);
  });

  it('computes the reference ratios: black on white 21, #777 on white 4.48, equal colours 1', () => {
    near(contrastRatio([0, 0, 0, 1], [255, 255, 255, 1]), 21, 'black/white');
    near(contrastRatio([0x77, 0x77, 0x77, 1], [255, 255, 255, 1]), 4.48, '#777/white');
    near(contrastRatio([255, 255, 255, 1], [0x77, 0x77, 0x77, 1]), 4.48, 'order does not matter');
    near(contrastRatio([10, 20, 30, 1], [10, 20, 30, 1]), 1, 'same colour');
  });

  it('composites translucent layers over what is beneath them', () => {
    assert.deepEqual(over([0, 0, 0, 0.5], [255, 255, 255, 1]), [127.5, 127.5, 127.5, 1]);
    assert.deepEqual(over([10, 20, 30, 1], [255, 255, 255, 1]), [10, 20, 30, 1]);
  });

  it('asks 4.5:1 of body text and 3:1 of large text', () => {
    assert.equal(requiredRatio({ fontSizePx: 13, fontWeight: 400 }), 4.5);
    assert.equal(requiredRatio({ fontSizePx: 19, fontWeight: 700 }), 3);
    assert.equal(requiredRatio({ fontSizePx: 19, fontWeight: 400 }), 4.5);
    assert.equal(requiredRatio({ fontSizePx: 24, fontWeight: 400 }), 3);
  });

  it('reports text that fades below the threshold through opacity or a translucent background, and passes the rest', () => {
    const sample = (where: string, color: string, backgrounds: string[], opacity = 1) => ({ where, color, backgrounds, opacity, fontSizePx: 13, fontWeight: 400 });
    const findings = contrastFindings(
      [
        sample('plain', 'rgb(0, 0, 0)', ['rgb(255, 255, 255)']),
        sample('faded', 'rgb(0, 0, 0)', ['rgb(255, 255, 255)'], 0.3),
        sample('on grey wash', 'rgb(110, 110, 110)', ['rgb(255, 255, 255)', 'rgba(0, 0, 0, 0.2)']),
      ],
      'rgb(255, 255, 255)',
    );
    assert.deepEqual(
      findings.map((f) => f.where),
      ['faded', 'on grey wash'],
    );
    assert.ok(findings.every((f) => f.ratio < f.required));
    assert.throws(() => contrastFindings([], 'rgba(0, 0, 0, 0.5)'), /not opaque/);
  });
});
