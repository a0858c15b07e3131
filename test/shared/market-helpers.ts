/** Price, time, funding and liquidation helpers for the local market (implemented in scripts/lib). */
export * from "../../scripts/lib/market/market-helpers";
