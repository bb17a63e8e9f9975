/**
 * The HTML report's one script: search and filter over the rows already in the page. It reads the DOM,
 * toggles `hidden`, and writes counts; it fetches nothing (the Content-Security-Policy forbids it anyway).
 * The page allows exactly this text by its SHA-256 (`script-src 'sha256-…'`), so any change here changes
 * the hash the formatter writes, and no other script, inline or injected, can run.
 */

import { sha256 } from './hash.ts';

/** Groups a filter opens (to show what matched) when they hold at most this many matching rows. */
const OPEN_ON_MATCH = 200;

export const FILTER_SCRIPT = `'use strict';
(() => {
  const byId = (id) => document.getElementById(id);
  const controls = ['text', 'rule', 'severity', 'type', 'account'].map((name) => byId('filter-' + name));
  const [text, rule, severity, type, account] = controls;
  const status = byId('filter-status');
  const total = Number(status.dataset.total);
  const count = (n) => n.toLocaleString('en-US');
  const sections = Array.from(document.querySelectorAll('section.rule'), (section) => ({
    section,
    rule: section.dataset.rule,
    severity: section.dataset.severity,
    groups: Array.from(section.querySelectorAll('details.group'), (group) => ({
      group,
      shown: group.querySelector('.shown'),
      finding: (group.dataset.finding || '').toLowerCase(),
      rows: Array.from(group.querySelectorAll('tr.row')),
      openedByFilter: false,
    })),
  }));
  const haystacks = new WeakMap();
  const haystack = (row, finding) => {
    let words = haystacks.get(row);
    if (words === undefined) {
      words = (row.textContent + ' ' + finding).toLowerCase();
      haystacks.set(row, words);
    }
    return words;
  };
  function apply() {
    const query = text.value.trim().toLowerCase();
    const wanted = { rule: rule.value, severity: severity.value, type: type.value, account: account.value };
    const active = query !== '' || Object.values(wanted).some((value) => value !== '');
    const findings = new Set();
    for (const entry of sections) {
      const inSection =
        (wanted.rule === '' || entry.rule === wanted.rule) &&
        (wanted.severity === '' || entry.severity === wanted.severity);
      let sectionShown = 0;
      for (const item of entry.groups) {
        let groupShown = 0;
        for (const row of item.rows) {
          const data = row.dataset;
          const match =
            inSection &&
            (wanted.type === '' || data.type === wanted.type) &&
            (wanted.account === '' || data.account === wanted.account ||
              data.account + ' ' + data.region === wanted.account) &&
            (query === '' || haystack(row, item.finding).includes(query));
          if (row.hidden === match) row.hidden = !match;
          if (match) {
            groupShown++;
            if (data.e !== undefined) findings.add(data.e);
          }
        }
        item.group.hidden = active && groupShown === 0;
        item.shown.textContent = active ? ' · ' + count(groupShown) + ' shown' : '';
        const open = query !== '' && groupShown > 0 && groupShown <= ${OPEN_ON_MATCH};
        if (open && !item.group.open) {
          item.group.open = true;
          item.openedByFilter = true;
        } else if (!open && item.openedByFilter) {
          item.group.open = false;
          item.openedByFilter = false;
        }
        sectionShown += groupShown;
      }
      entry.section.hidden = active && sectionShown === 0;
    }
    status.textContent = active
      ? 'Showing ' + count(findings.size) + ' of ' + count(total) + ' non-compliant evaluations'
      : 'All ' + count(total) + ' non-compliant evaluations';
    document.documentElement.dataset.filter = active ? 'active' : 'ready';
  }
  let timer;
  text.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(apply, 120);
  });
  for (const select of controls.slice(1)) select.addEventListener('change', apply);
  byId('filter-clear').addEventListener('click', () => {
    for (const control of controls) control.value = '';
    apply();
  });
  byId('filters').hidden = false;
  apply();
})();
`;

/** The CSP source that allows exactly {@link FILTER_SCRIPT}: `'sha256-<base64 digest>'`. */
export function scriptHashSource(script: string): string {
  return `'sha256-${sha256().update(script, 'utf8').digest('base64')}'`;
}
