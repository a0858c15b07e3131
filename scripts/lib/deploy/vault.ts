/**
 * Deploys a leveraged vault and its module on a market (the local one from ./market or any network whose
 * addresses are given). Parameters are written in human units here and converted to the contracts' scales:
 * leverage / health factor wad, ratios bps, prices wad debt per collateral.
 */
import { ZeroAddress, keccak256, parseUnits, type AddressLike } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type {
  AaveUniswapLeverageVault,
  AaveUniswapVaultModule,
  ILeveredVault,
  IVaultManagement,
} from "../../../typechain-types";
import type { IOracleModule } from "../../../typechain-types/contracts/vault/AaveUniswapLeverageVault";
import { ASSET_FIELDS, type Ethers, type Market } from "../market/market";

/**
 * `x` in units of `decimals` decimals. Numbers print as `String(x)` (so wad(1.1) is exactly 1.1e18); one that prints
 * in exponent form or with more decimals than the unit holds (1/3000 as a price) is rounded to `decimals` places.
 */
export function toUnits(x: number | string, decimals: number): bigint {
  let text = String(x);
  const places = text.split(".")[1]?.length ?? 0;
  if (typeof x === "number" && (/e/i.test(text) || places > decimals)) text = x.toFixed(decimals);
  return parseUnits(text, decimals);
}

export const wad = (x: number | string) => toUnits(x, 18);

/** Token keys of the local market's assets. */
export type TokenKey = "WETH" | "USDC" | "WBTC" | "wstETH";

/** The pair a vault is built on: its collateral and debt tokens (keys of the market). */
export interface VaultPair {
  collateral: TokenKey;
  debt: TokenKey;
  /** Borrow in the market's ETH-correlated efficiency mode (both legs must be in it: wstETH/WETH). */
  eMode?: boolean;
}

/** The local market's WETH/USDC long, the default pair everywhere. */
export const LONG_ETH_PAIR: VaultPair = { collateral: "WETH", debt: "USDC" };

/** Decimals of the local market's tokens. */
export const LOCAL_DECIMALS: Record<TokenKey, number> = { WETH: 18, USDC: 6, WBTC: 8, wstETH: 18 };

export interface PairDecimals {
  collateral: number;
  debt: number;
}

/** Human-unit vault settings; every field has a default. */
export interface VaultSettings {
  name: string;
  symbol: string;
  targetLeverage: number;
  minLeverage: number;
  maxLeverage: number;
  minHealthFactor: number;
  maxSlippageBps: number;
  swapFee: number;
  /** Collateral tokens, in the collateral's own units (WETH for the long, USDC for the short). */
  depositCap: number;
  criticalHealthFactor: number;
  maxDexDeviationBps: number;
  maxEquityLossBps: number;
  cooldown: number;
  ripcordRewardBps: number;
  /** Collateral tokens (own units). */
  ripcordRewardCap: number;
  /** Debt tokens (own units: USDC for the long, WETH for the short) per call. */
  maxTradeSize: number;
  /** Debt per collateral (USD per ETH for the long, WETH per USDC for the short); 0 = off. */
  stopLossPrice: number;
  takeProfitPrice: number;
  takeProfitLeverage: number;
  trailBps: number;
  stopToDebtAsset: boolean;
  /** Volatility-aware leverage: reaction horizon in seconds, 0 = off. */
  volatilityHorizon: number;
  /** k of the k-sigma fall the position must survive over the horizon (3 = 3 sigma). */
  sigmaMultiple: number;
  /** Feed rounds the realised volatility is read from. */
  volatilityRounds: number;
  /** The volatility-aware target never goes below this leverage. */
  volatilityFloorLeverage: number;
}

/** Defaults at `targetLeverage`; name and symbol from the pair's collateral ("Levered WETH 2x", "lvUSDC2x"). */
export function defaultSettings(targetLeverage = 2, pair: { collateral: string } = LONG_ETH_PAIR): VaultSettings {
  return {
    name: `Levered ${pair.collateral} ${targetLeverage}x`,
    symbol: `lv${pair.collateral}${targetLeverage}x`,
    targetLeverage,
    minLeverage: Math.max(1, targetLeverage - 0.25 * (targetLeverage - 1)),
    maxLeverage: targetLeverage === 1 ? 1 : targetLeverage + 0.25 * (targetLeverage - 1),
    minHealthFactor: 1.1,
    maxSlippageBps: 100,
    swapFee: 500,
    depositCap: 10_000,
    criticalHealthFactor: 1.05,
    maxDexDeviationBps: 100,
    maxEquityLossBps: 150,
    cooldown: 3600,
    ripcordRewardBps: 10,
    ripcordRewardCap: 1,
    maxTradeSize: 250_000,
    stopLossPrice: 0,
    takeProfitPrice: 0,
    takeProfitLeverage: 1,
    trailBps: 0,
    stopToDebtAsset: false,
    volatilityHorizon: 0,
    sigmaMultiple: 3,
    volatilityRounds: 8,
    volatilityFloorLeverage: 1,
  };
}

/**
 * The 3x WETH/USDC preset used by the demo, the deploy task and the backtests: band 2.7x-3.3x, HF floor 1.15,
 * ripcord below 1.08, with volatility-aware leverage on (3 sigma over 6 h, from the last 8 feed rounds, not below
 * 1.5x): quiet at an hourly volatility under ~2.5%, ~2.1x at 5% an hour (docs/PROTECTION.md section 2).
 * `PRESET_3X_FIXED` is the same vault at a fixed 3x target (volatility-aware leverage off), for tests whose
 * expectations depend on the target not moving.
 */
export const PRESET_3X_FIXED: Partial<VaultSettings> = {
  targetLeverage: 3,
  minLeverage: 2.7,
  maxLeverage: 3.3,
  minHealthFactor: 1.15,
  criticalHealthFactor: 1.08,
};

/** Volatility-aware leverage fields of the 3x preset (also the backtester's default at 3x). */
export const VOLATILITY_3X: Pick<VaultSettings, "volatilityHorizon" | "sigmaMultiple" | "volatilityRounds" | "volatilityFloorLeverage"> = {
  volatilityHorizon: 6 * 3600,
  sigmaMultiple: 3,
  volatilityRounds: 8,
  volatilityFloorLeverage: 1.5,
};

export const PRESET_3X: Partial<VaultSettings> = {
  ...PRESET_3X_FIXED,
  ...VOLATILITY_3X,
};

export interface Roles {
  owner: AddressLike;
  manager: AddressLike;
  guardian: AddressLike;
}

/**
 * The contracts' InitParams from human settings. `decimals`: the pair's token decimals (deposit cap and ripcord cap
 * in collateral units, max trade size in debt units), or a number = the debt's decimals with an 18-decimal
 * collateral (the WETH/USDC long; default 6).
 */
export function initParams(
  s: VaultSettings,
  roles: { owner: string; manager: string; guardian: string },
  decimals: number | PairDecimals = 6,
) {
  const { collateral: collateralDecimals, debt: debtDecimals } =
    typeof decimals === "number" ? { collateral: 18, debt: decimals } : decimals;
  return {
    ...roles,
    leverage: {
      targetLeverage: wad(s.targetLeverage),
      minLeverage: wad(s.minLeverage),
      maxLeverage: wad(s.maxLeverage),
      minHealthFactor: wad(s.minHealthFactor),
    },
    execution: { maxSlippageBps: s.maxSlippageBps, swapFee: s.swapFee, depositCap: toUnits(s.depositCap, collateralDecimals) },
    automation: {
      criticalHealthFactor: wad(s.criticalHealthFactor),
      maxDexDeviationBps: s.maxDexDeviationBps,
      maxEquityLossBps: s.maxEquityLossBps,
      cooldown: s.cooldown,
      ripcordRewardBps: s.ripcordRewardBps,
      ripcordRewardCap: toUnits(s.ripcordRewardCap, collateralDecimals),
      maxTradeSize: toUnits(s.maxTradeSize, debtDecimals),
    },
    exits: {
      stopLossPrice: wad(s.stopLossPrice),
      takeProfitPrice: wad(s.takeProfitPrice),
      takeProfitLeverage: wad(s.takeProfitLeverage),
      trailBps: s.trailBps,
      stopToDebtAsset: s.stopToDebtAsset,
    },
    volatility: {
      horizon: s.volatilityHorizon ?? 0,
      sigmaMultiple: Math.round((s.sigmaMultiple ?? 3) * 100),
      rounds: s.volatilityRounds ?? 8,
      floorLeverage: wad(s.volatilityFloorLeverage ?? 1),
    },
  } satisfies IVaultManagement.InitParamsStruct;
}

export interface MarketAddresses {
  collateralAsset: string;
  debtAsset: string;
  aavePool: string;
  swapRouter: string;
  uniswapFactory: string;
  /** Aave efficiency-mode category the vault borrows in (0 = none). */
  eModeCategory: number;
}

/** The local market's token contract of `key`. */
export function localTokenContract(market: Market, key: TokenKey) {
  return market[ASSET_FIELDS[key].token];
}
const localToken = (market: Market, key: TokenKey) => localTokenContract(market, key).target as string;
const localFeed = (market: Market, key: TokenKey) =>
  ({ WETH: market.ethUsdFeed, USDC: market.usdcUsdFeed, WBTC: market.btcUsdFeed, wstETH: market.wstethUsdFeed })[key].target as string;
/**
 * Chainlink heartbeats on mainnet: ETH/USD and BTC/USD 1 h, USDC/USD 24 h. wstETH/USD is the product of the
 * wstETH/ETH rate (24 h) and ETH/USD and is as old as its older input: 24 h. Its ETH/USD part is held to 1 h by
 * the debt leg of the loop (WETH, ETH/USD), and the loop's price, wstETH per WETH, is the rate alone.
 */
const LOCAL_HEARTBEATS: Record<TokenKey, number> = { WETH: 3600, USDC: 86_400, WBTC: 3600, wstETH: 86_400 };

/** The local market's addresses for `pair` (default the WETH/USDC long). */
export function localMarketAddresses(market: Market, pair: VaultPair = LONG_ETH_PAIR): MarketAddresses {
  if (pair.collateral === pair.debt) throw new Error(`pair ${pair.collateral}/${pair.debt}: collateral and debt must differ`);
  return {
    collateralAsset: localToken(market, pair.collateral),
    debtAsset: localToken(market, pair.debt),
    aavePool: market.pool.target as string,
    swapRouter: market.swapRouter.target as string,
    uniswapFactory: market.uniswapFactory.target as string,
    eModeCategory: pair.eMode ? market.eModeCategory : 0,
  };
}

/**
 * The feed the pair's volatility is read from: the collateral's for a long (zero address = it), the debt's for a
 * stablecoin collateral (a short's volatility is ETH's), the wstETH/ETH rate for a staked-ETH loop (its risk is
 * the rate, not ETH: both legs move with ETH).
 */
function localVarianceFeed(market: Market, pair: VaultPair): string {
  if (pair.collateral === "USDC") return localFeed(market, pair.debt);
  if (pair.collateral === "wstETH" && pair.debt === "WETH") return market.wstethEthFeed.target as string;
  return ZeroAddress;
}

/**
 * The local feeds of `pair` (collateral's and debt's USD feeds) with Chainlink's mainnet heartbeats of ETH/USD (1 h)
 * and USDC/USD (24 h); no sequencer on L1.
 */
export function localOracleConfig(market: Market, pair: VaultPair = LONG_ETH_PAIR): IOracleModule.OracleConfigStruct {
  return {
    collateralFeed: localFeed(market, pair.collateral),
    debtFeed: localFeed(market, pair.debt),
    sequencerFeed: ZeroAddress,
    collateralHeartbeat: LOCAL_HEARTBEATS[pair.collateral],
    debtHeartbeat: LOCAL_HEARTBEATS[pair.debt],
    sequencerGracePeriod: 3600,
    varianceFeed: localVarianceFeed(market, pair),
  };
}

export interface DeployedVault {
  vault: ILeveredVault;
  /** The same address typed as the concrete contract (ERC-4626 core only). */
  core: AaveUniswapLeverageVault;
  module: AaveUniswapVaultModule;
  settings: VaultSettings;
}

/**
 * Deploys the modules for (markets, oracle): the venue mover, the settings module (market-agnostic but for its mover),
 * the management module that forwards settings selectors to it, then the automation module that forwards to the management module (the vault's MODULE). One
 * set serves every vault on them.
 */
export async function deployModule(
  ethers: Ethers,
  markets: MarketAddresses,
  oracle: IOracleModule.OracleConfigStruct,
  signer?: HardhatEthersSigner,
): Promise<AaveUniswapVaultModule> {
  // The venue mover: moving a proxied vault on or off this venue (IVaultRefinance), and every vault's ERC-4626 limits.
  const mover = await (await ethers.getContractFactory("AaveUniswapVenueMover", signer)).deploy(markets, oracle);
  await mover.waitForDeployment();
  const fees = await (await ethers.getContractFactory("SettingsModule", signer)).deploy(mover.target);
  await fees.waitForDeployment();
  const management = await (await ethers.getContractFactory("AaveUniswapManagementModule", signer)).deploy(
    markets,
    oracle,
    fees.target,
  );
  await management.waitForDeployment();
  // Both the automation and the emergency module size their chunks with the linked liquidity scan.
  const libraries = { UniswapV3Liquidity: await deployLiquidityLibrary(ethers, signer) };
  const emergency = await (await ethers.getContractFactory("AaveUniswapEmergencyModule", { signer, libraries })).deploy(markets, oracle);
  await emergency.waitForDeployment();
  const factory = await ethers.getContractFactory("AaveUniswapVaultModule", { signer, libraries });
  const module = await factory.deploy(markets, oracle, management.target, emergency.target);
  await module.waitForDeployment();
  return module as unknown as AaveUniswapVaultModule;
}

/** The keeper's Uniswap liquidity scan, linked into the automation module (one deployment serves all). */
export async function deployLiquidityLibrary(ethers: Ethers, signer?: HardhatEthersSigner): Promise<string> {
  const library = await (await ethers.getContractFactory("UniswapV3Liquidity", signer)).deploy();
  await library.waitForDeployment();
  return library.target as string;
}

/** Deploys a vault directly (no factory): module (or the one given), then the vault; keepers allow-listed. */
export async function deployVault(
  ethers: Ethers,
  market: Market,
  opts: {
    settings?: Partial<VaultSettings>;
    targetLeverage?: number;
    keepers?: AddressLike[];
    module?: AaveUniswapVaultModule;
    oracle?: IOracleModule.OracleConfigStruct;
    /** Collateral and debt tokens of the local market, default WETH/USDC. */
    pair?: VaultPair;
  } = {},
): Promise<DeployedVault> {
  const pair = opts.pair ?? LONG_ETH_PAIR;
  const settings = { ...defaultSettings(opts.targetLeverage ?? opts.settings?.targetLeverage, pair), ...opts.settings };
  const { deployer } = market;
  const markets = localMarketAddresses(market, pair);
  const oracle = opts.oracle ?? localOracleConfig(market, pair);
  const module = opts.module ?? (await deployModule(ethers, markets, oracle, deployer));
  return deployVaultContract(ethers, deployer, "AaveUniswapLeverageVault", { markets, oracle, module, pair, settings, keepers: opts.keepers });
}

/**
 * Deploys the vault contract `name` (one per venue) on `markets`, `oracle` and `module`, with the deployer in every
 * role and `settings` in the pair's units; allow-lists `keepers`.
 */
export async function deployVaultContract(
  ethers: Ethers,
  deployer: HardhatEthersSigner,
  name: "AaveUniswapLeverageVault" | "MorphoUniswapLeverageVault",
  spec: {
    markets: object;
    oracle: IOracleModule.OracleConfigStruct;
    module: AaveUniswapVaultModule;
    pair: VaultPair;
    settings: VaultSettings;
    keepers?: AddressLike[];
  },
): Promise<DeployedVault> {
  const { markets, oracle, module, pair, settings } = spec;
  const roles = { owner: deployer.address, manager: deployer.address, guardian: deployer.address };
  const factory = await ethers.getContractFactory(name, deployer);
  const core = (await factory.deploy(
    markets,
    oracle,
    settings.name,
    settings.symbol,
    module.target,
    initParams(settings, roles, { collateral: LOCAL_DECIMALS[pair.collateral], debt: LOCAL_DECIMALS[pair.debt] }),
  )) as unknown as AaveUniswapLeverageVault;
  await core.waitForDeployment();
  const vault = (await ethers.getContractAt("ILeveredVault", core.target, deployer)) as unknown as ILeveredVault;
  for (const keeper of spec.keepers ?? []) await (await vault.setKeeper(keeper, true)).wait();
  return { vault, core, module, settings };
}

/** keccak of the vault's creation code: what a factory pins. */
export async function vaultCreationCodeHash(ethers: Ethers): Promise<string> {
  const factory = await ethers.getContractFactory("AaveUniswapLeverageVault");
  return keccak256(factory.bytecode);
}
