// Whether a regular expression is valid for Envoy, which uses Google RE2: no lookaround and no
// backreferences; inline flags such as `(?i)` are fine. Checked with the JavaScript engine after
// rewriting the RE2-only syntax it does not know.

const UNSUPPORTED = /\(\?<?[=!]|\\[1-9]|\\k</;

export function isValidRe2(pattern: string): boolean {
  if (UNSUPPORTED.test(pattern)) return false;
  // RE2 inline flags: `(?i)`, `(?s:...)`, `(?P<name>...)`; JavaScript only knows named groups.
  const js = pattern
    .replace(/\(\?[imsU-]+\)/g, '')
    .replace(/\(\?[imsU-]+:/g, '(?:')
    .replace(/\(\?P</g, '(?<');
  try {
    new RegExp(js, 'u');
    return true;
  } catch {
    try {
      new RegExp(js);
      return true;
    } catch {
      return false;
    }
  }
}
