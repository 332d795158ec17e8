/** The forecasts on the chart and beside the signal: what App.svelte wires. */
export { default as ForecastPanel } from './ForecastPanel.svelte';
export { ForecastSelection } from './forecast-selection.svelte';
