// A regex Envoy's RE2 would refuse is refused at translation, with the reason on the route's
// status, so Envoy never rejects the listener's whole RouteConfiguration (issue #16, item 1).
import { describe, expect, it } from 'vitest';
import { translateRegexRoutes } from './regexRoutes.js';

describe('RE2 validation of route regexes', () => {
  it('refuses what JavaScript accepts and RE2 or its program-size limit rejects', () => {
    const refused = ['/\\u0041', '/a{1001}', '/x\\cA', '/\\p{Script=Greek}', '/[a-z]{200}'];
    const { verdicts, goodAccepted } = translateRegexRoutes(refused);
    expect(goodAccepted).toBe(true);
    for (const v of verdicts) expect(v, v.regex).toMatchObject({ accepted: false });
    expect(verdicts[0]?.message).toMatch(/not valid RE2: .*invalid escape/);
    expect(verdicts[4]?.message).toMatch(/program size \d+ is over Envoy's limit of 100/);
  });

  it('accepts RE2 syntax JavaScript lacks, and common path regexes', () => {
    const accepted = [
      '(?i)/users/[0-9]+',
      '/(?P<id>[a-z]+)/x',
      '/\\pL+',
      '/api/v[0-9]+/.*',
      '/[a-z]{60}',
      '\\Q/a.b\\E',
      '[[:alpha:]]+',
    ];
    for (const v of translateRegexRoutes(accepted).verdicts)
      expect(v, `${v.regex}: ${v.message}`).toMatchObject({ accepted: true });
  });

  it('refuses lookaround and backreferences', () => {
    const { verdicts } = translateRegexRoutes(['/(?=a)', '/(?<=a)b', '/(a)\\1']);
    for (const v of verdicts) expect(v, v.regex).toMatchObject({ accepted: false });
  });
});
