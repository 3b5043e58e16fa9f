// Page-side source shared by the scripts explore runs in the isolated world (explore.ts,
// explore-answers.ts): telling a cookie / consent notice from the page's own content.

/**
 * Page-side source: whether an element (with `self`, or one of its ancestors) is a cookie / consent
 * notice: named so (id, class, label), or a fixed, sticky or dialog box that speaks of cookies (in
 * most languages the word is "cookie"; Turkish says "çerez", Thai "คุกกี้", Korean "쿠키").
 */
export const IN_NOTICE_SCRIPT = `(el, self) => {
  const CONSENT = /cookie|consent|gdpr|onetrust|didomi|usercentrics|cookiebot|trustarc|quantcast-choice|\\bcmp\\b/i;
  const COOKIE_WORDS = /cookie|куки|クッキー|ciasteczk|çerez|cerez|คุกกี้|쿠키/i;
  const floating = (a) => {
    const s = getComputedStyle(a);
    if (s.position === 'fixed' || s.position === 'sticky' || a.tagName === 'DIALOG') return true;
    return /^(alert)?dialog$/.test(a.getAttribute('role') || '') || a.getAttribute('aria-modal') === 'true';
  };
  for (let a = self ? el : el.parentElement, n = 0; a && a !== document.body && a !== document.documentElement && n < 12; a = a.parentElement, n++) {
    const names = (a.id || '') + ' ' + (typeof a.className === 'string' ? a.className : '') + ' ' + (a.getAttribute('aria-label') || '');
    if (CONSENT.test(names)) return true;
    if (floating(a)) {
      // Not a whole page that happens to sit in a fixed frame and link its cookie policy.
      const text = a.innerText || '';
      const ar = a.getBoundingClientRect();
      const small = ar.width * ar.height < 0.6 * window.innerWidth * window.innerHeight || text.length < 600;
      if (small && text.length < 3000 && COOKIE_WORDS.test(text)) return true;
    }
  }
  return false;
}`;
