/**
 * Prices and volumes as the user's locale writes them. One formatter, made once: the legend and the
 * watchlist format on every live tick, and `toLocaleString` builds a new formatter per call.
 */
const quantity = new Intl.NumberFormat(undefined, { maximumFractionDigits: 8 });

export const formatQuantity = (n: number): string => quantity.format(n);
