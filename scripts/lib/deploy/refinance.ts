/**
 * Refinanceable vaults (IVaultRefinance): a VaultProxy in front of the vault's code for one venue, with the vault's
 * code deployed for every venue it may move to. Each venue's implementation has its own module stack (its venue
 * mover included) and a locked storage of its own; the proxy holds the vault's state whatever the venue.
 */
import { ZeroAddress, type AddressLike } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { AaveUniswapLeverageVault, AaveUniswapVaultModule, ILeveredVault } from "../../../typechain-types";
import type { IOracleModule } from "../../../typechain-types/contracts/vault/AaveUniswapLeverageVault";
import type { Ethers } from "../market/market";
import { deployModule, initParams, type DeployedVault, type MarketAddresses, type PairDecimals, type VaultSettings } from "./vault";
import { deployMorphoModule, type MorphoMarketAddresses } from "./morpho-vault";
import { VENUE_CONTRACTS, type Venue } from "./venues";

/** A venue a refinanceable vault can run on: the vault's implementation there and its modules. */
export interface VenueImplementation {
  venue: Venue;
  /** The vault contract for this venue, storage locked (deployed with a zero owner). */
  implementation: string;
  /** Its automation module (the implementation's MODULE). */
  module: AaveUniswapVaultModule;
  /** Its venue mover (the settings module's VENUE_MOVER). */
  mover: string;
}

/** Deploys a venue's module stack and the vault's implementation on it for `settings` (name and symbol). */
export async function deployVenueImplementation(
  ethers: Ethers,
  deployer: HardhatEthersSigner,
  venue: Venue,
  markets: MarketAddresses | MorphoMarketAddresses,
  oracle: IOracleModule.OracleConfigStruct,
  settings: VaultSettings,
  decimals: PairDecimals,
): Promise<VenueImplementation> {
  const module =
    venue === "morpho"
      ? await deployMorphoModule(ethers, markets as MorphoMarketAddresses, oracle, deployer)
      : await deployModule(ethers, markets as MarketAddresses, oracle, deployer);
  const noRoles = { owner: ZeroAddress, manager: ZeroAddress, guardian: ZeroAddress };
  const factory = await ethers.getContractFactory(VENUE_CONTRACTS[venue].vault, deployer);
  const implementation = await factory.deploy(markets, oracle, settings.name, settings.symbol, module.target, initParams(settings, noRoles, decimals));
  await implementation.waitForDeployment();
  const management = await ethers.getContractAt("ManagementModule", await module.MANAGEMENT_MODULE());
  const settingsModule = await ethers.getContractAt("SettingsModule", await management.SETTINGS_MODULE());
  return { venue, implementation: implementation.target as string, module, mover: await settingsModule.VENUE_MOVER() };
}

/**
 * Deploys the VaultProxy on `start` and initialises it in the same transaction (IVenueMover.initializeProxy): the
 * deployer in every role, `settings` in the pair's units; allow-lists `keepers`.
 */
export async function deployRefinanceableVault(
  ethers: Ethers,
  deployer: HardhatEthersSigner,
  start: VenueImplementation,
  spec: { settings: VaultSettings; decimals: PairDecimals; keepers?: AddressLike[] },
): Promise<DeployedVault> {
  const { settings } = spec;
  const roles = { owner: deployer.address, manager: deployer.address, guardian: deployer.address };
  const mover = await ethers.getContractAt("IVenueMover", start.mover);
  const data = mover.interface.encodeFunctionData("initializeProxy", [settings.name, settings.symbol, initParams(settings, roles, spec.decimals)]);
  const proxy = await (await ethers.getContractFactory("VaultProxy", deployer)).deploy(start.implementation, data);
  await proxy.waitForDeployment();
  const vault = (await ethers.getContractAt("ILeveredVault", proxy.target, deployer)) as unknown as ILeveredVault;
  const core = (await ethers.getContractAt(VENUE_CONTRACTS[start.venue].vault, proxy.target, deployer)) as unknown as AaveUniswapLeverageVault;
  for (const keeper of spec.keepers ?? []) await (await vault.setKeeper(keeper, true)).wait();
  return { vault, core, module: start.module, settings };
}
