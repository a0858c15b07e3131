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
import type { Ethers, Market } from "../market/market";

export const wad = (x: number | string) => parseUnits(String(x), 18);

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
  /** Collateral tokens (WETH). */
  depositCap: number;
  criticalHealthFactor: number;
  maxDexDeviationBps: number;
  maxEquityLossBps: number;
  cooldown: number;
  ripcordRewardBps: number;
  /** Collateral tokens. */
  ripcordRewardCap: number;
  /** Debt tokens (USDC) per call. */
  maxTradeSize: number;
  /** Debt per collateral (USD per ETH); 0 = off. */
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

export function defaultSettings(targetLeverage = 2): VaultSettings {
  return {
    name: `Levered WETH ${targetLeverage}x`,
    symbol: `lvWETH${targetLeverage}x`,
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

/** The contracts' InitParams from human settings; debt asset has `debtDecimals`. */
export function initParams(s: VaultSettings, roles: { owner: string; manager: string; guardian: string }, debtDecimals = 6) {
  return {
    ...roles,
    leverage: {
      targetLeverage: wad(s.targetLeverage),
      minLeverage: wad(s.minLeverage),
      maxLeverage: wad(s.maxLeverage),
      minHealthFactor: wad(s.minHealthFactor),
    },
    execution: { maxSlippageBps: s.maxSlippageBps, swapFee: s.swapFee, depositCap: wad(s.depositCap) },
    automation: {
      criticalHealthFactor: wad(s.criticalHealthFactor),
      maxDexDeviationBps: s.maxDexDeviationBps,
      maxEquityLossBps: s.maxEquityLossBps,
      cooldown: s.cooldown,
      ripcordRewardBps: s.ripcordRewardBps,
      ripcordRewardCap: wad(s.ripcordRewardCap),
      maxTradeSize: parseUnits(String(s.maxTradeSize), debtDecimals),
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
}

export function localMarketAddresses(market: Market): MarketAddresses {
  return {
    collateralAsset: market.weth.target as string,
    debtAsset: market.usdc.target as string,
    aavePool: market.pool.target as string,
    swapRouter: market.swapRouter.target as string,
    uniswapFactory: market.uniswapFactory.target as string,
  };
}

/** Chainlink heartbeats of ETH/USD (1 h) and USDC/USD (24 h) on mainnet; no sequencer on L1. */
export function localOracleConfig(market: Market): IOracleModule.OracleConfigStruct {
  return {
    collateralFeed: market.ethUsdFeed.target,
    debtFeed: market.usdcUsdFeed.target,
    sequencerFeed: ZeroAddress,
    collateralHeartbeat: 3600,
    debtHeartbeat: 86_400,
    sequencerGracePeriod: 3600,
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
 * Deploys the modules for (markets, oracle): the management module, then the automation module that forwards
 * to it (the vault's MODULE). One pair serves every vault on them.
 */
export async function deployModule(
  ethers: Ethers,
  markets: MarketAddresses,
  oracle: IOracleModule.OracleConfigStruct,
  signer?: HardhatEthersSigner,
): Promise<AaveUniswapVaultModule> {
  const management = await (await ethers.getContractFactory("AaveUniswapManagementModule", signer)).deploy(markets, oracle);
  await management.waitForDeployment();
  const factory = await ethers.getContractFactory("AaveUniswapVaultModule", signer);
  const module = await factory.deploy(markets, oracle, management.target);
  await module.waitForDeployment();
  return module as unknown as AaveUniswapVaultModule;
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
  } = {},
): Promise<DeployedVault> {
  const settings = { ...defaultSettings(opts.targetLeverage ?? opts.settings?.targetLeverage), ...opts.settings };
  const { deployer } = market;
  const markets = localMarketAddresses(market);
  const oracle = opts.oracle ?? localOracleConfig(market);
  const module = opts.module ?? (await deployModule(ethers, markets, oracle, deployer));
  const roles = { owner: deployer.address, manager: deployer.address, guardian: deployer.address };
  const factory = await ethers.getContractFactory("AaveUniswapLeverageVault", deployer);
  const core = (await factory.deploy(
    markets,
    oracle,
    settings.name,
    settings.symbol,
    module.target,
    initParams(settings, roles),
  )) as unknown as AaveUniswapLeverageVault;
  await core.waitForDeployment();
  const vault = (await ethers.getContractAt("ILeveredVault", core.target, deployer)) as unknown as ILeveredVault;
  for (const keeper of opts.keepers ?? []) await (await vault.setKeeper(keeper, true)).wait();
  return { vault, core, module, settings };
}

/** keccak of the vault's creation code: what a factory pins. */
export async function vaultCreationCodeHash(ethers: Ethers): Promise<string> {
  const factory = await ethers.getContractFactory("AaveUniswapLeverageVault");
  return keccak256(factory.bytecode);
}
