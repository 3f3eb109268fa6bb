// Renders the marketplace icon media/icon.svg to media/icon.png (128×128, transparent corners) with
// headless Chromium. Run after editing the SVG, then commit both files:
//   node esbuild.js --tests && node out/test/host/make-icon.js [in.svg] [out.png]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchBrowser } from './lib/browser';
import { repoRoot } from './lib/paths';

const SIZE = 128;

async function main(): Promise<void> {
  const repo = repoRoot();
  const input = path.resolve(process.argv[2] ?? path.join(repo, 'media', 'icon.svg'));
  const output = path.resolve(process.argv[3] ?? path.join(repo, 'media', 'icon.png'));
  const svg = fs.readFileSync(input, 'utf8');
  if (!/<svg[\s>]/.test(svg)) throw new Error(`${input} is not an SVG`);

  const browser = await launchBrowser({ viewport: { width: SIZE * 2, height: SIZE * 2 } });
  try {
    const { page } = browser;
    // The SVG is inlined (no network); its own width/height are forced to the icon size.
    await page.setContent(
      `<!doctype html><html><head><style>html,body{margin:0;background:transparent}` +
        `svg{display:block;width:${SIZE}px;height:${SIZE}px}</style></head><body>${svg}</body></html>`,
    );
    const el = page.locator('svg').first();
    const box = await el.boundingBox();
    if (!box || Math.round(box.width) !== SIZE || Math.round(box.height) !== SIZE) {
      throw new Error(`the SVG rendered at ${box ? `${box.width}×${box.height}` : 'no size'}, expected ${SIZE}×${SIZE}`);
    }
    fs.mkdirSync(path.dirname(output), { recursive: true });
    await el.screenshot({ path: output, omitBackground: true });
    const png = fs.readFileSync(output);
    // PNG IHDR: width and height are big-endian at bytes 16 and 20.
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    if (width !== SIZE || height !== SIZE) throw new Error(`${output} is ${width}×${height}, expected ${SIZE}×${SIZE}`);
    console.log(`icon: ${path.relative(process.cwd(), output) || output} (${width}×${height}, ${png.length} bytes)`);
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
