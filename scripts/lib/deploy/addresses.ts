/**
 * External addresses a vault needs on a live chain: Aave V3 Pool, assets and their price sources from
 * `@bgd-labs/aave-address-book`; Uniswap V3 factory and SwapRouter from the small table below (Uniswap's published
 * deployments); Chainlink L2 sequencer uptime feeds. Every value can be overridden by the deploy config.
 *
 * The vault calls the ORIGINAL Uniswap V3 SwapRouter (ISwapRouter with a `deadline` field). SwapRouter02 has a
 * different ABI and does not work: where only SwapRouter02 exists (Base, Sepolia) no router is listed and the
 * deploy script asks for one.
 *
 * Morpho Blue: one immutable singleton per chain holds every market (a market is chosen by its id, MORPHO_MARKET_ID);
 * its address is in MORPHO_BLUE below, MORPHO_ADDRESS overrides it.
 */
import { AaveV3Arbitrum, AaveV3Base, AaveV3Ethereum, AaveV3Optimism, AaveV3Sepolia } from "@bgd-labs/aave-address-book";
import { ZeroAddress } from "ethers";
import type { MarketAddresses } from "./vault";

export interface OracleAddresses {
  collateralFeed: string;
  debtFeed: string;
  sequencerFeed: string;
  /** s */
  collateralHeartbeat: number;
  /** s */
  debtHeartbeat: number;
  /** s */
  sequencerGracePeriod: number;
  /** Feed the pair's volatility is read from; zero address = the collateral feed. */
  varianceFeed: string;
}

interface AaveAsset {
  UNDERLYING: string;
  ORACLE: string;
  decimals: number;
}
interface AaveMarketBook {
  CHAIN_ID: number;
  POOL: string;
  ASSETS: Record<string, AaveAsset>;
}

const AAVE_V3: Record<number, AaveMarketBook> = Object.fromEntries(
  [AaveV3Ethereum, AaveV3Arbitrum, AaveV3Optimism, AaveV3Base, AaveV3Sepolia].map((m) => [
    m.CHAIN_ID,
    m as unknown as AaveMarketBook,
  ]),
);

const ORIGINAL_SWAP_ROUTER = "0xE592427A0AEce92De3Edee1F18E0157C05861564";
const CANONICAL_FACTORY = "0x1F98431c8aD98523631AE4a59f267346ea31F984";

/** Uniswap V3 per chain id. `swapRouter` is the original SwapRouter only (see above). */
export const UNISWAP_V3: Record<number, { factory: string; swapRouter?: string }> = {
  1: { factory: CANONICAL_FACTORY, swapRouter: ORIGINAL_SWAP_ROUTER },
  10: { factory: CANONICAL_FACTORY, swapRouter: ORIGINAL_SWAP_ROUTER },
  42161: { factory: CANONICAL_FACTORY, swapRouter: ORIGINAL_SWAP_ROUTER },
  8453: { factory: "0x33128a8fC17869897dcE68Ed026d694621f6FDfD" }, // SwapRouter02 only
  11155111: { factory: "0x0227628f3F023bb0B980b67D528571c95c6DaC1c" }, // SwapRouter02 only
};

/** Chainlink L2 sequencer uptime feeds; L1s have none (zero address disables the check). */
export const SEQUENCER_UPTIME_FEEDS: Record<number, string> = {
  10: "0x371EAD81c9102C9BF4874A9075FFFf170F2Ee389",
  42161: "0xFdB631F5EE196F0ed6FAa767959853A9F217697D",
  8453: "0xBCF85224fc0756B9Fa45aA7892530B47e10b6433",
};

/**
 * Max age (s) accepted for the collateral (ETH/USD) answer per chain: the feed's heartbeat (1 h on Ethereum, 20 min
 * on OP / Base, 24 h on Arbitrum) plus a margin for the block that carries the update. Check the feed's heartbeat
 * on Chainlink's data-feeds page before deploying and override when it differs.
 */
export const COLLATERAL_HEARTBEATS: Record<number, number> = { 1: 3_900, 10: 1_500, 42161: 90_000, 8453: 1_500, 11155111: 90_000 };
/** USDC/USD feeds publish at least daily on these chains (24 h heartbeat plus margin). */
export const DEBT_HEARTBEAT = 90_000;
export const SEQUENCER_GRACE_PERIOD = 3_600;

/**
 * The Morpho Blue singleton per chain id. Sources: docs.morpho.org/developers/contracts/addresses ("Morpho Blue",
 * Ethereum: Morpho 0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb) and Morpho's SDK address registry
 * (github.com/morpho-org/sdks, packages/blue-sdk/src/addresses.ts: `morpho` for EthMainnet and BaseMainnet, the same
 * address). Listed only where sourced: on Arbitrum, Optimism and the rest Morpho Blue lives at other addresses, so
 * there MORPHO_ADDRESS is required (the deploy refuses without it).
 */
export const MORPHO_BLUE: Record<number, string> = {
  1: "0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb",
  8453: "0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb",
};

/** The Morpho Blue singleton of `chainId` from MORPHO_BLUE, undefined where none is listed. */
export function morphoBlueAddress(chainId: number): string | undefined {
  return MORPHO_BLUE[chainId];
}

export const CHAIN_NAMES: Record<number, string> = { 1: "mainnet", 10: "optimism", 42161: "arbitrum", 8453: "base", 11155111: "sepolia" };

export interface ChainDefaults {
  markets: Partial<MarketAddresses>;
  oracle: Partial<OracleAddresses>;
}

/**
 * Address books registered at runtime for chains the published books do not know, keyed by chain id: the fork
 * suite's rehearsal registers the local market it deployed on a `hardhat node` (chain 31337) here, so that it reads
 * its addresses through `chainDefaults` exactly as it reads mainnet's. A registered book replaces the published one.
 */
const REGISTERED: Map<number, ChainDefaults> = new Map();

export function registerChainAddresses(chainId: number, book: ChainDefaults): void {
  REGISTERED.set(chainId, { markets: { ...book.markets }, oracle: { ...book.oracle } });
}

export function unregisterChainAddresses(chainId: number): void {
  REGISTERED.delete(chainId);
}

/**
 * What the address book and tables know for `chainId`, with `collateral` / `debt` given by their address-book
 * symbols (e.g. "WETH", "USDC"; Arbitrum and Optimism list bridged USDC as "USDC" and native USDC as "USDCn").
 * Fields nobody knows are left out; the caller fills them from its config or refuses to deploy.
 */
const STABLECOINS = new Set(["USDC", "USDT", "DAI", "USDC.e", "USDbC"]);

export function chainDefaults(chainId: number, collateral = "WETH", debt = "USDC"): ChainDefaults {
  const registered = REGISTERED.get(chainId);
  if (registered) return { markets: { ...registered.markets }, oracle: { ...registered.oracle } };
  const aave = AAVE_V3[chainId];
  const uni = UNISWAP_V3[chainId];
  const c = aave?.ASSETS[collateral];
  const d = aave?.ASSETS[debt];
  if (aave && (!c || !d)) {
    const known = Object.keys(aave.ASSETS).join(", ");
    throw new Error(`Aave V3 on chain ${chainId} lists no ${!c ? collateral : debt}; known assets: ${known}`);
  }
  return {
    markets: {
      collateralAsset: c?.UNDERLYING,
      debtAsset: d?.UNDERLYING,
      aavePool: aave?.POOL,
      swapRouter: uni?.swapRouter,
      uniswapFactory: uni?.factory,
      eModeCategory: 0,
    },
    oracle: {
      // Aave's price source for the asset: a Chainlink aggregator (or an Aave adapter over one) in USD, 8 decimals.
      collateralFeed: c?.ORACLE,
      debtFeed: d?.ORACLE,
      sequencerFeed: aave || uni ? (SEQUENCER_UPTIME_FEEDS[chainId] ?? ZeroAddress) : undefined,
      collateralHeartbeat: COLLATERAL_HEARTBEATS[chainId],
      debtHeartbeat: aave ? DEBT_HEARTBEAT : undefined,
      sequencerGracePeriod: SEQUENCER_GRACE_PERIOD,
      // A stablecoin collateral (a short): the pair's volatility is the debt's.
      varianceFeed: STABLECOINS.has(collateral) ? d?.ORACLE : ZeroAddress,
    },
  };
}

/**
 * Is every address of `markets` / `oracle` filled? Returns the names of the missing ones. On Morpho (`venue`
 * "morpho") the Aave pool is not needed: the Morpho singleton and the market come from MORPHO_ADDRESS /
 * MORPHO_MARKET_ID (scripts/lib/deploy/morpho-market.ts).
 */
export function missingFields(markets: Partial<MarketAddresses>, oracle: Partial<OracleAddresses>, venue: "aave" | "morpho" = "aave"): string[] {
  const needed: [string, unknown][] = [
    ["markets.collateralAsset", markets.collateralAsset],
    ["markets.debtAsset", markets.debtAsset],
    ...(venue === "aave" ? ([["markets.aavePool", markets.aavePool]] as [string, unknown][]) : []),
    ["markets.swapRouter", markets.swapRouter],
    ["markets.uniswapFactory", markets.uniswapFactory],
    ["oracle.collateralFeed", oracle.collateralFeed],
    ["oracle.debtFeed", oracle.debtFeed],
    ["oracle.sequencerFeed", oracle.sequencerFeed],
    ["oracle.collateralHeartbeat", oracle.collateralHeartbeat],
    ["oracle.debtHeartbeat", oracle.debtHeartbeat],
    ["oracle.sequencerGracePeriod", oracle.sequencerGracePeriod],
  ];
  return needed.filter(([, v]) => v === undefined).map(([k]) => k);
}
