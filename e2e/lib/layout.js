/*
 * Layout checks run in the page's DOM, not on pixels: they ask the browser
 * where it put each word, so they hold at any width and in any theme.
 */

/**
 * Every word broken across lines inside a table cell of the page's main
 * area. A word is a run of letters and digits: wrapping at a space, a hyphen
 * or a slash between words is fine, "Unh/ealt/hy" is not. The browser's own
 * line boxes decide: a word whose glyph rectangles sit on more than one line
 * was broken. Each finding also says whether the cell's computed
 * overflow-wrap / word-break let the browser break inside words.
 */
async function findBrokenWords(page) {
  return page.evaluate(() => {
    const found = [];
    const root = document.querySelector('main') ?? document.body;
    for (const cell of root.querySelectorAll('td, th')) {
      if (!cell.getClientRects().length) continue; // not rendered
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const match of text.matchAll(/[\p{L}\p{N}]{2,}/gu)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const lines = new Set(
            [...range.getClientRects()]
              .filter(r => r.width > 0 && r.height > 0)
              .map(r => Math.round(r.bottom)),
          );
          if (lines.size > 1) {
            const style = getComputedStyle(node.parentElement ?? cell);
            found.push({
              word: match[0],
              cell: (cell.innerText || '').replace(/\s+/g, ' ').slice(0, 80),
              cellWidth: Math.round(cell.getBoundingClientRect().width),
              overflowWrap: style.overflowWrap,
              wordBreak: style.wordBreak,
            });
          }
        }
      }
    }
    return found;
  });
}

/**
 * Status labels and chips that take more than one line: they must never wrap.
 * Status labels carry data-mlops-status; chips are MUI's. Lines are told
 * apart by the text's own boxes (an icon beside the text sits higher or
 * lower without being another line): a box that starts below the bottom of
 * the boxes before it is on a new line.
 */
async function findWrappedStatuses(page) {
  return page.evaluate(() => {
    const found = [];
    const root = document.querySelector('main') ?? document.body;
    for (const el of root.querySelectorAll(
      '[data-mlops-status], [class*="MuiChip-label"]',
    )) {
      if (!el.getClientRects().length) continue;
      const boxes = [];
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        boxes.push(...[...range.getClientRects()].filter(r => r.width > 0 && r.height > 0));
      }
      boxes.sort((a, b) => a.top - b.top);
      let lines = 0;
      let bottom = -Infinity;
      for (const box of boxes) {
        if (box.top >= bottom - 1) lines += 1;
        bottom = Math.max(bottom, box.bottom);
      }
      if (lines > 1) {
        found.push((el.innerText || '').replace(/\s+/g, ' ').slice(0, 60));
      }
    }
    return found;
  });
}

/**
 * Text that runs past the right edge of its card, where the card cuts it
 * off: text that should have wrapped (Backstage's theme keeps dense list
 * text on one line, for one). Text inside something that scrolls sideways
 * (a wide table, a command) or that ends in an ellipsis is fine.
 */
async function findClippedText(page) {
  return page.evaluate(() => {
    const found = [];
    const root = document.querySelector('main') ?? document.body;
    for (const card of root.querySelectorAll('[class*="MuiCard-root"]')) {
      const edge = card.getBoundingClientRect().right;
      const walker = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent.trim()) continue;
        let scrolls = false;
        for (let e = node.parentElement; e && e !== card; e = e.parentElement) {
          const cs = getComputedStyle(e);
          if (['auto', 'scroll'].includes(cs.overflowX) || cs.textOverflow === 'ellipsis') {
            scrolls = true;
            break;
          }
        }
        if (scrolls) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const past = [...range.getClientRects()].some(r => r.width > 0 && r.right > edge + 1);
        if (past) found.push(node.textContent.replace(/\s+/g, ' ').trim().slice(0, 80));
      }
    }
    return found;
  });
}

/**
 * Switches the portal's theme the way the settings page does (Backstage keeps
 * the choice in localStorage under `theme`) and reloads.
 */
async function useTheme(page, theme) {
  await page.emulateMedia({ colorScheme: theme });
  await page.evaluate(t => window.localStorage.setItem('theme', t), theme);
  await page.reload();
}

/**
 * Waits until no progress bar is left in the page's main area, counting the
 * ones not shown yet: Backstage's Progress renders a hidden placeholder
 * (data-testid="progress") for its first 250 ms, and a check that only
 * looked for visible bars would call a page loaded in that window.
 */
async function waitForLoaded(page, timeout = 60_000) {
  await page.waitForFunction(
    () => {
      const root = document.querySelector('main') ?? document.body;
      return (
        root.querySelectorAll('[role="progressbar"], [data-testid="progress"]')
          .length === 0
      );
    },
    undefined,
    { timeout },
  );
}

module.exports = { findBrokenWords, findClippedText, findWrappedStatuses, useTheme, waitForLoaded };
