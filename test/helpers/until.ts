/** Resolves once `check()` holds, polling every 2 ms; a hung wait ends at the test timeout. */
export function until(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const t = setInterval(() => {
      if (check()) {
        clearInterval(t);
        resolve();
      }
    }, 2);
  });
}
