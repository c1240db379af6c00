import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A PDF's text as poppler's `pdftotext` extracts it (UTF-8; `-layout` keeps columns apart, `-raw` keeps content
 * order), optionally cropped to a column given in points (72 dpi, A4 height). `.ci/run` installs poppler-utils.
 */
export function pdfText(
  pdf: Uint8Array | ArrayBuffer,
  options: { mode?: "-layout" | "-raw"; crop?: { x: number; width: number } } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), "parley-pdf-"));
  try {
    const file = join(dir, "document.pdf");
    writeFileSync(file, pdf instanceof ArrayBuffer ? Buffer.from(pdf) : pdf);
    const args = [options.mode ?? "-layout", "-enc", "UTF-8"];
    const { crop } = options;
    if (crop) args.push("-x", String(crop.x), "-y", "0", "-W", String(crop.width), "-H", "842");
    return execFileSync("pdftotext", [...args, file, "-"], { encoding: "utf8" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
