/**
 * The lending venue's part of a replay: building the managed vault (in a registry the keeper bot scans) and the
 * unmanaged one, reading a borrower's account as a liquidator does, and liquidating it with the venue's own call:
 *   - aave:   the factory and registry of deployStack; Aave's getUserAccountData and liquidationCall;
 *   - morpho: the factory and registry of deployStack on the Morpho venue; Morpho's position and market reads and
 *             its `liquidate` (no close factor; incentive 1 / (1 - 0.3 (1 - LLTV))).
 */
import { MaxUint256, type Contract } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ILeveredVault, KeeperLens } from "../../../typechain-types";
import type { IOracleModule } from "../../../typechain-types/contracts/vault/AaveUniswapLeverageVault";
import { createVault, deployStack } from "../deploy/deploy";
import { localMorphoMarkets } from "../deploy/morpho-vault";
import { deployVault, deployVaultContract, localMarketAddresses, localTokenContract, type VaultSettings } from "../deploy/vault";
import { ASSET_FIELDS, type Ethers, type Market } from "../market/market";
import { fund, liquidatePair, type LiquidationResult } from "../market/market-helpers";
import { deployMorpho, morphoMarketId, type MorphoMarketParams } from "../market/morpho";
import type { BacktestKind } from "./kind";

const WAD = 10n ** 18n;

/** A borrower as a liquidator sees it: health factor (wad, max when no debt) and whether anything is left to seize. */
export interface LendingAccount {
  healthFactor: bigint;
  hasDebt: boolean;
  hasCollateral: boolean;
}

export interface ReplayVenue {
  managed: ILeveredVault;
  unmanaged: ILeveredVault;
  /** The registry the keeper bot scans: it holds the managed vault only. */
  registry: string;
  lens: KeeperLens;
  account(user: string): Promise<LendingAccount>;
  /** Collateral supplied and debt owed on the venue (raw units). */
  balances(user: string): Promise<{ collateral: bigint; debt: bigint }>;
  liquidate(user: string): Promise<LiquidationResult>;
}

export interface VenueSpec {
  ethers: Ethers;
  market: Market;
  kind: BacktestKind;
  settings: VaultSettings;
  oracle: IOracleModule.OracleConfigStruct;
  keeper: HardhatEthersSigner;
  /** Wraps a deployment error (settings rejected) with the decoded reason. */
  rejected: (error: unknown, settings: VaultSettings) => Error;
}

/** Contract names whose custom errors the replay decodes, by venue. */
export const VENUE_ERROR_SOURCES = {
  aave: ["ILeveredVault", "AaveUniswapLeverageVault", "AaveUniswapVaultModule", "AaveUniswapEmergencyModule", "VaultFactory", "VaultRegistry"],
  morpho: ["ILeveredVault", "MorphoUniswapLeverageVault", "MorphoUniswapVaultModule", "MorphoUniswapEmergencyModule", "VaultFactory", "VaultRegistry"],
};

export async function deployVenue(spec: VenueSpec): Promise<ReplayVenue> {
  return spec.kind.venue === "morpho" ? morphoVenue(spec) : aaveVenue(spec);
}

const unmanagedOf = (settings: VaultSettings) => ({ ...settings, name: `${settings.name} (unmanaged)` });

async function aaveVenue({ ethers, market, kind, settings, oracle, keeper, rejected }: VenueSpec): Promise<ReplayVenue> {
  const { pair, decimals } = kind;
  const stack = await deployStack(ethers, { markets: localMarketAddresses(market, pair), oracle, owner: market.deployer });
  let managed: ILeveredVault;
  let unmanaged: ILeveredVault;
  try {
    managed = (await createVault(ethers, stack.factory, market.deployer, { settings, keepers: [keeper.address], salt: "backtest-managed", decimals })).vault;
  } catch (error) {
    throw rejected(error, settings);
  }
  try {
    // Outside the registry: the keeper bot never sees it (the ripcord is permissionless).
    unmanaged = (await deployVault(ethers, market, { settings: unmanagedOf(settings), module: stack.module, oracle, pair })).vault;
  } catch (error) {
    throw rejected(error, unmanagedOf(settings));
  }
  return {
    managed, unmanaged, registry: stack.registry.target as string, lens: stack.lens,
    balances: async (user) => ({
      collateral: await market[ASSET_FIELDS[pair.collateral].aToken].balanceOf(user),
      debt: await market[ASSET_FIELDS[pair.debt].variableDebt].balanceOf(user),
    }),
    account: async (user) => {
      const a = await market.pool.getUserAccountData(user);
      return { healthFactor: a.healthFactor, hasDebt: a.totalDebtBase > 0n, hasCollateral: a.totalCollateralBase > 0n };
    },
    liquidate: (user) => liquidatePair(market, user, pair.collateral, pair.debt),
  };
}

async function morphoVenue({ ethers, market, kind, settings, oracle, keeper, rejected }: VenueSpec): Promise<ReplayVenue> {
  const { deployer, liquidator } = market;
  // Morpho has no e-mode: its market's LLTV is the pair's.
  const pair = { ...kind.pair, eMode: false };
  const blue = await deployMorpho(ethers, market);
  const markets = localMorphoMarkets(market, blue, pair);
  // The managed vault through the Morpho factory into its registry (the keeper bot scans it), the unmanaged one
  // outside it on the same module.
  const stack = await deployStack(ethers, { markets, oracle, owner: deployer, venue: "morpho" });
  const { module, registry, lens } = stack;
  let managed: ILeveredVault;
  try {
    managed = (await createVault(ethers, stack.factory, deployer, { settings, keepers: [keeper.address], salt: "backtest-managed", decimals: kind.decimals })).vault;
  } catch (error) {
    throw rejected(error, settings);
  }
  let unmanaged: ILeveredVault;
  try {
    unmanaged = (await deployVaultContract(ethers, deployer, "MorphoUniswapLeverageVault", { markets, oracle, module, pair, settings: unmanagedOf(settings), keepers: [] })).vault;
  } catch (error) {
    throw rejected(error, unmanagedOf(settings));
  }

  const params: MorphoMarketParams = Object.values(blue.markets).find((p) => p.collateralToken === markets.collateralAsset && p.loanToken === markets.debtAsset)!;
  const id = morphoMarketId(params);
  const morpho = blue.morpho;
  const oracleContract = (await ethers.getContractAt(["function price() view returns (uint256)"], params.oracle)) as unknown as Contract;
  const collateralToken = localTokenContract(market, kind.pair.collateral);
  const debtToken = localTokenContract(market, kind.pair.debt);
  const read = async (user: string) => {
    const [p, m, price] = await Promise.all([morpho.position(id, user), morpho.market(id), oracleContract.price() as Promise<bigint>]);
    // SharesMathLib.toAssetsUp with its virtual shares (1e6) and assets (1).
    const debt = (p.borrowShares * (m.totalBorrowAssets + 1n) + (m.totalBorrowShares + 10n ** 6n) - 1n) / (m.totalBorrowShares + 10n ** 6n);
    return { collateral: p.collateral as bigint, borrowShares: p.borrowShares as bigint, debt, price };
  };
  const lif = (WAD * WAD) / (WAD - (3n * (WAD - params.lltv)) / 10n);
  return {
    managed, unmanaged, registry: registry.target as string, lens,
    balances: async (user) => {
      const { collateral, debt } = await read(user);
      return { collateral, debt };
    },
    account: async (user) => {
      const { collateral, debt, price } = await read(user);
      const maxBorrow = (((collateral * price) / 10n ** 36n) * params.lltv) / WAD;
      return { healthFactor: debt === 0n ? MaxUint256 : (maxBorrow * WAD) / debt, hasDebt: debt > 0n, hasCollateral: collateral > 0n };
    },
    liquidate: async (user) => {
      const { collateral, borrowShares, debt, price } = await read(user);
      // The whole debt when the collateral covers it with the incentive, else all the collateral (bad debt realised).
      const seizedForAll = (((debt * lif) / WAD) * 10n ** 36n) / price;
      const [seized, shares] = seizedForAll <= collateral ? [0n, borrowShares] : [collateral, 0n];
      await fund(market, liquidator.address, { [ASSET_FIELDS[kind.pair.debt].token]: debt + debt / 100n + 10n ** 6n });
      const [debtBefore, collateralBefore]: bigint[] = await Promise.all([debtToken.balanceOf(liquidator.address), collateralToken.balanceOf(liquidator.address)]);
      await (await (morpho.connect(liquidator) as Contract).liquidate(params, user, seized, shares, "0x")).wait();
      return {
        debtRepaid: debtBefore - ((await debtToken.balanceOf(liquidator.address)) as bigint),
        collateralReceived: ((await collateralToken.balanceOf(liquidator.address)) as bigint) - collateralBefore,
      };
    },
  };
}
