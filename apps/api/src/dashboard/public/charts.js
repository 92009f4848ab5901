// ECharts on a page: one instance per container, resized with the window, disposed with the page.

const live = new Set();
window.addEventListener('resize', () => live.forEach((chart) => chart.resize()));

/** A chart in `container` with this option; the canvas renderer, ECharts' aria description on. */
export function chart(container, option) {
  const instance = window.echarts.init(container, null, { renderer: 'canvas' });
  instance.setOption({ aria: { enabled: true }, animation: false, ...option });
  live.add(instance);
  return instance;
}

/** Disposes every chart (before a page is replaced). */
export function disposeCharts() {
  for (const instance of live) instance.dispose();
  live.clear();
}
