// Light, dark, or whatever the system prefers: the choice is remembered per
// browser and set as data-theme on <html>, where styles.css picks the tokens.
import { useState } from 'preact/hooks';

/** Theme is the user's choice; 'system' follows prefers-color-scheme. */
export type Theme = 'system' | 'light' | 'dark';

const KEY = 'switchboard.theme';
const ORDER: Theme[] = ['system', 'light', 'dark'];

/** storedTheme reads the remembered choice. */
export function storedTheme(): Theme {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

/** applyTheme sets the theme on the document and remembers it. */
export function applyTheme(theme: Theme): void {
  const root = document.documentElement;
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
  try {
    if (theme === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, theme);
  } catch {
    // The choice then lasts for this page only.
  }
}

/** useTheme returns the theme and a function that moves to the next one. */
export function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState(storedTheme);
  const next = () => {
    const n = ORDER[(ORDER.indexOf(theme) + 1) % ORDER.length]!;
    applyTheme(n);
    setTheme(n);
  };
  return [theme, next];
}
