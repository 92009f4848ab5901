// Placeholder until the page is written.
export async function render(container) {
  container.textContent = 'Coming soon';
}
