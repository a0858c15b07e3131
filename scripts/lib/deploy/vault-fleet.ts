/**
 * Many vaults on one market: a shared module, a registry, a factory approved in it, and vaults created through the
 * factory. Used by the keeper-scale benchmark (1,000 vaults) and the keeper-lens tests (a handful).
 */
import { TX_GAS_CAP } from "../keeper/keeper-scan";
import { toBeHex, toQuantity, zeroPadValue } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { AaveUniswapVaultModule, KeeperLens, VaultFactory, VaultRegistry } from "../../../typechain-types";
import type { Ethers, Market } from "../market/market";
import { DEFAULT_TRIGGER_GAS_LIMIT, deployStack } from "./deploy";
import { initParams, localMarketAddresses, localOracleConfig, type VaultSettings } from "./vault";
import { DEFAULT_KIND, kindId } from "./venues";

export interface Fleet {
  module: AaveUniswapVaultModule;
  registry: VaultRegistry;
  factory: VaultFactory;
  lens: KeeperLens;
  /** Owner of the registry, creator of the vaults and holder of every vault role. */
  owner: HardhatEthersSigner;
}

export { DEFAULT_TRIGGER_GAS_LIMIT };

/** Module, registry, factory (approved in the registry) and lens from ./deploy on `market`, owned by its deployer. */
export async function deployFleet(ethers: Ethers, market: Market, triggerGasLimit = DEFAULT_TRIGGER_GAS_LIMIT): Promise<Fleet> {
  const owner = market.deployer;
  const { module, registry, factory, lens } = await deployStack(ethers, {
    markets: localMarketAddresses(market),
    oracle: localOracleConfig(market),
    owner,
    triggerGasLimit,
  });
  return { module, registry, factory, lens, owner };
}

/**
 * Creates `count` vaults through the factory, vault i with `settingsFor(i)` and salt i (offset by the registry's
 * current count, so repeated calls do not collide). The transactions are sent raw (`eth_sendTransaction` from an
 * unlocked account, gas fixed from one estimate + 25%): no per-transaction estimate, nonce or fee lookups, which
 * would triple the requests on a 1,000-vault run. Returns the vault addresses, in registry order.
 */
export async function createVaults(
  ethers: Ethers,
  fleet: Fleet,
  count: number,
  settingsFor: (i: number) => VaultSettings,
): Promise<string[]> {
  const { factory, registry, owner } = fleet;
  const roles = { owner: owner.address, manager: owner.address, guardian: owner.address };
  const start = Number(await registry.vaultCount());
  const args = (i: number): [string, string, string, ReturnType<typeof initParams>, string] => {
    const s = settingsFor(i);
    return [s.name, s.symbol, kindId(DEFAULT_KIND), initParams(s, roles), zeroPadValue(toBeHex(start + i), 32)];
  };
  if (count === 0) return [];
  // The margin stays under osaka's per-transaction cap (EIP-7825). A vault creation uses ~5.7M gas, and fails at
  // exactly that (63/64 kept at each nested call of the creation): Hardhat's estimator then tries 3x the gas used,
  // above the cap, and throws. Then the cap itself is sent (only the gas used is charged).
  const estimate = await factory.createVault.estimateGas(...args(0)).then((g) => (g * 125n) / 100n, () => TX_GAS_CAP);
  const gas = estimate < TX_GAS_CAP ? estimate : TX_GAS_CAP;
  for (let i = 0; i < count; i++) {
    const data = factory.interface.encodeFunctionData("createVault", args(i));
    // With automine on, Hardhat returns once the transaction is mined and throws if it reverted.
    await ethers.provider.send("eth_sendTransaction", [
      { from: owner.address, to: factory.target, data, gas: toQuantity(gas) },
    ]);
  }
  const vaults = await registry.vaults(start, count);
  if (vaults.length !== count) throw new Error(`registry lists ${vaults.length} new vaults, expected ${count}`);
  return [...vaults];
}
