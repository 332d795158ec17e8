/** The indicator maths lives in src-shared/indicators, where the chart's panes compute with it too. */
export { bollingerPercentB, ema, macdHistogram, rollingMeanStd, rsi } from '../../src-shared/indicators/indicators';
