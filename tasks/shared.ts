/**
 * What the tasks share (tasks/vault.ts, tasks/keeper.ts, tasks/governance.ts): the signer, opening a vault, one-line
 * reads and sends, simulation on a snapshot. Loaded with the config: no `hardhat` runtime import, no typechain-types
 * at runtime.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Contract, type ContractTransactionReceipt, type ContractTransactionResponse, type Interface } from "ethers";
import type { ILeveredVault } from "../typechain-types";
import { describeError, hf, lev, usd } from "../scripts/lib/util/format";
import { fail } from "./cli";

/** Sends and waits; a revert becomes a one-line error naming the vault's custom error and its arguments. */
export async function send(what: string, tx: () => Promise<ContractTransactionResponse>, iface?: Interface): Promise<ContractTransactionReceipt> {
  try {
    return (await (await tx()).wait())!;
  } catch (error) {
    fail(`${what} failed: ${describeError(error, iface)}`);
  }
}

/** A read the task cannot go on without: a failure becomes one line. */
export async function read<T>(what: string, get: () => Promise<T>, iface?: Interface): Promise<T> {
  try {
    return await get();
  } catch (error) {
    fail(`${what} failed: ${describeError(error, iface)}`);
  }
}

export const ERC20_ABI = [
  "function balanceOf(address) view returns (uint256)",
  "function allowance(address,address) view returns (uint256)",
  "function approve(address,uint256) returns (bool)",
  "function decimals() view returns (uint8)",
  "function symbol() view returns (string)",
  "function deposit() payable",
];

export async function signerFor(hre: HardhatRuntimeEnvironment, account?: string): Promise<HardhatEthersSigner> {
  await reachable(hre);
  const signers = await read("listing the accounts", () => hre.ethers.getSigners());
  if (!account) {
    if (!signers[0]) fail(`no account configured for network '${hre.network.name}': set DEPLOYER_PRIVATE_KEY`);
    return signers[0];
  }
  // Remote accounts (a node's eth_accounts) come lower-case.
  const signer = signers.find((s) => s.address.toLowerCase() === account.toLowerCase());
  if (!signer) fail(`--signer ${account} is not an account of network '${hre.network.name}'`);
  return signer;
}

/** Fails in one line when the network's node does not answer (instead of Hardhat's two-line HH108). */
export async function reachable(hre: HardhatRuntimeEnvironment): Promise<void> {
  try {
    await hre.network.provider.send("eth_chainId", []);
  } catch (error) {
    const url = (hre.network.config as { url?: string }).url;
    const variable = hre.network.name === "localhost" ? "LOCALHOST_RPC_URL" : `${hre.network.name.toUpperCase()}_RPC_URL`;
    fail(`cannot reach the '${hre.network.name}' node${url ? ` at ${url}` : ""}: is it running? (${variable}; ${describeError(error).split("\n")[0]})`);
  }
}

/** Opens a vault, or fails in one line when `address` has no code or is not a levered vault (a token, the registry...). */
export async function openVault(hre: HardhatRuntimeEnvironment, address: string, signer?: HardhatEthersSigner) {
  await reachable(hre);
  const vault = (await hre.ethers.getContractAt("ILeveredVault", address, signer)) as unknown as ILeveredVault;
  const code = await read(`reading the code at ${address}`, () => hre.ethers.provider.getCode(address));
  if (code === "0x") fail(`no contract at ${address} on '${hre.network.name}'`);
  let assetAddress: string, debtAddress: string;
  try {
    [assetAddress, debtAddress] = await Promise.all([vault.asset(), vault.debtAsset()]);
  } catch (error) {
    fail(`${address} is not a levered vault (asset() / debtAsset() failed: ${describeError(error, vault.interface)})`);
  }
  const asset = new Contract(assetAddress, ERC20_ABI, signer ?? hre.ethers.provider);
  const debt = new Contract(debtAddress, ERC20_ABI, hre.ethers.provider);
  const [assetSymbol, assetDecimals, debtSymbol, debtDecimals, shareDecimals] = await read("reading the vault's tokens", () =>
    Promise.all([
      asset.symbol() as Promise<string>,
      asset.decimals().then(Number) as Promise<number>,
      debt.symbol() as Promise<string>,
      debt.decimals().then(Number) as Promise<number>,
      vault.decimals().then(Number),
    ]),
  );
  return { vault, asset, assetSymbol, assetDecimals, debtSymbol, debtDecimals, shareDecimals };
}

/**
 * Runs `fn` on a snapshot of a development chain (Hardhat's in-process network, a `hardhat node`, anvil) and reverts:
 * the exact effect of the transactions, nothing kept. Undefined where the node has no snapshots or does not mine
 * each transaction at once (a live network, automine off): the caller then simulates with eth_call alone.
 */
export async function onSnapshot<T>(hre: HardhatRuntimeEnvironment, fn: () => Promise<T>): Promise<T | undefined> {
  const provider = hre.network.provider;
  let id: unknown;
  try {
    if ((await provider.send("hardhat_getAutomine", [])) !== true) return undefined;
    id = await provider.send("evm_snapshot", []);
  } catch {
    return undefined;
  }
  try {
    return await fn();
  } finally {
    await provider.send("evm_revert", [id]);
  }
}

/** The position's leverage and HF, or why it cannot be read (e.g. a stale oracle). */
export async function positionLine(vault: ILeveredVault): Promise<{ leverage?: bigint; healthFactor?: bigint; line: string }> {
  try {
    const p = await vault.position();
    return { leverage: p.leverage, healthFactor: p.healthFactor, line: `leverage ${lev(p.leverage)}, HF ${hf(p.healthFactor)}, equity ${usd(p.equityValue)}` };
  } catch (error) {
    return { line: `position unreadable: ${describeError(error, vault.interface)}` };
  }
}

export const DRY_RUN_NOTE = "dry run: simulated on a snapshot of the chain and reverted; nothing was sent";
export const DRY_RUN_CALL_NOTE = "dry run: simulated with eth_call; nothing was sent (this node has no snapshots, so the position after is not known)";

export function eventArgs(vault: ILeveredVault, receipt: ContractTransactionReceipt, name: string) {
  for (const log of receipt.logs) {
    try {
      const parsed = vault.interface.parseLog(log);
      if (parsed?.name === name) return parsed.args;
    } catch {
      // another contract's event
    }
  }
  return undefined;
}

/** A read that may fail (a stale oracle makes every priced view revert): its value or its error. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
export const settle = <T>(p: Promise<T>): Promise<Settled<T>> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error) => ({ ok: false as const, error }),
  );
