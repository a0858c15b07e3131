/**
 * Vaults on a Morpho Blue market (the second lending venue): the same core and settings as the Aave vaults, another
 * lending adapter (contracts/adapters/lending/MorphoBlueLendingAdapter.sol). On the local market the Morpho markets
 * come from `deployMorpho` (scripts/lib/market/morpho.ts): WETH/USDC at LLTV 86 % and wstETH/WETH at 94.5 %.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { AddressLike } from "ethers";
import type { AaveUniswapVaultModule } from "../../../typechain-types";
import type { IOracleModule } from "../../../typechain-types/contracts/vault/AaveUniswapLeverageVault";
import type { Ethers, Market } from "../market/market";
import type { MorphoBlue, MorphoMarketParams } from "../market/morpho";
import {
  defaultSettings,
  deployLiquidityLibrary,
  deployVaultContract,
  localMarketAddresses,
  localOracleConfig,
  type DeployedVault,
  type VaultPair,
  type VaultSettings,
} from "./vault";

export type { Venue } from "./presets";

/** MorphoUniswapMarkets.Markets: one Morpho market and the Uniswap route. */
export interface MorphoMarketAddresses {
  collateralAsset: string;
  debtAsset: string;
  morpho: string;
  morphoOracle: string;
  irm: string;
  /** wad */
  lltv: bigint;
  swapRouter: string;
  uniswapFactory: string;
}

/** The local Morpho market of `pair` (WETH/USDC or wstETH/WETH). */
export function localMorphoMarkets(market: Market, blue: MorphoBlue, pair: VaultPair): MorphoMarketAddresses {
  const { collateralAsset, debtAsset, swapRouter, uniswapFactory } = localMarketAddresses(market, pair);
  const params: MorphoMarketParams | undefined = Object.values(blue.markets).find(
    (p) => p.collateralToken === collateralAsset && p.loanToken === debtAsset,
  );
  if (!params) throw new Error(`no local Morpho market for ${pair.collateral}/${pair.debt}`);
  return { collateralAsset, debtAsset, morpho: blue.morpho.target as string, morphoOracle: params.oracle, irm: params.irm, lltv: params.lltv, swapRouter, uniswapFactory };
}

/**
 * The venue mover, the settings module, the management module, the emergency module (ripcord, outage path), then the automation module
 * (the vault's MODULE) for (markets, oracle) on Morpho.
 */
export async function deployMorphoModule(
  ethers: Ethers,
  markets: MorphoMarketAddresses,
  oracle: IOracleModule.OracleConfigStruct,
  signer?: HardhatEthersSigner,
): Promise<AaveUniswapVaultModule> {
  const mover = await (await ethers.getContractFactory("MorphoUniswapVenueMover", signer)).deploy(markets, oracle);
  await mover.waitForDeployment();
  const fees = await (await ethers.getContractFactory("SettingsModule", signer)).deploy(mover.target);
  await fees.waitForDeployment();
  const management = await (await ethers.getContractFactory("MorphoUniswapManagementModule", signer)).deploy(markets, oracle, fees.target);
  await management.waitForDeployment();
  const libraries = { UniswapV3Liquidity: await deployLiquidityLibrary(ethers, signer) };
  const emergency = await (await ethers.getContractFactory("MorphoUniswapEmergencyModule", { signer, libraries })).deploy(markets, oracle);
  await emergency.waitForDeployment();
  const factory = await ethers.getContractFactory("MorphoUniswapVaultModule", { signer, libraries });
  const module = await factory.deploy(markets, oracle, management.target, emergency.target);
  await module.waitForDeployment();
  // The automation ABI is the same on every venue.
  return module as unknown as AaveUniswapVaultModule;
}

/** A vault on the local Morpho market of `pair` (no factory), keepers allow-listed; like `deployVault` for Aave. */
export async function deployMorphoVault(
  ethers: Ethers,
  market: Market,
  blue: MorphoBlue,
  opts: { pair: VaultPair; settings?: Partial<VaultSettings>; keepers?: AddressLike[] },
): Promise<DeployedVault> {
  const { pair } = opts;
  const settings = { ...defaultSettings(opts.settings?.targetLeverage, pair), ...opts.settings };
  const { deployer } = market;
  const markets = localMorphoMarkets(market, blue, pair);
  const oracle = localOracleConfig(market, pair);
  const module = await deployMorphoModule(ethers, markets, oracle, deployer);
  return deployVaultContract(ethers, deployer, "MorphoUniswapLeverageVault", { markets, oracle, module, pair, settings, keepers: opts.keepers });
}
